//! The document model shared by `spec report`, `spec variances`, `spec diff`
//! and `spec impact`: what a document says, with no notion of how it is
//! drawn. The Markdown and HTML backends ([`super::markdown`],
//! [`super::html`]) only read it, so the two formats cannot disagree (one
//! legend, one scale, one set of rows).

/// A run of inline text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Text(String),
    /// A code, a rule id, user input: monospace.
    Code(String),
    Strong(String),
}

/// Inline content: a sequence of runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inline(pub Vec<Run>);

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline(vec![Run::Text(s.into())])
    }
    pub fn code(s: impl Into<String>) -> Inline {
        Inline(vec![Run::Code(s.into())])
    }
    pub fn strong(s: impl Into<String>) -> Inline {
        Inline(vec![Run::Strong(s.into())])
    }
    /// A diagnostic message: its backticked user input becomes code runs
    /// (an odd number of backticks leaves the text as it is).
    pub fn message(s: &str) -> Inline {
        let parts: Vec<&str> = s.split('`').collect();
        if parts.len() < 3 || parts.len().is_multiple_of(2) {
            return Inline::text(s);
        }
        Inline(
            parts
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.is_empty())
                .map(|(i, p)| {
                    if i % 2 == 1 {
                        Run::Code(p.to_string())
                    } else {
                        Run::Text(p.to_string())
                    }
                })
                .collect(),
        )
    }
    pub fn push(mut self, run: Run) -> Inline {
        self.0.push(run);
        self
    }
    pub fn then_text(self, s: impl Into<String>) -> Inline {
        self.push(Run::Text(s.into()))
    }
    pub fn then_code(self, s: impl Into<String>) -> Inline {
        self.push(Run::Code(s.into()))
    }
    /// The plain text, without markup.
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|r| match r {
                Run::Text(s) | Run::Code(s) | Run::Strong(s) => s.as_str(),
            })
            .collect()
    }
}

impl From<&str> for Inline {
    fn from(s: &str) -> Inline {
        Inline::text(s)
    }
}

impl From<String> for Inline {
    fn from(s: String) -> Inline {
        Inline::text(s)
    }
}

/// A table row: cells, or a heading row that groups the rows below it
/// (a core line, an option group, a stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Cells(Vec<Inline>),
    Group(Inline),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Row>,
}

/// How a chart segment is drawn: the legend names each once, for both
/// formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// Core credits.
    Core,
    /// Option credits every pathway takes in the period.
    OptionsAlways,
    /// Option credits that depend on the options chosen.
    OptionsRange,
}

impl Segment {
    pub const ALL: [Segment; 3] = [Segment::Core, Segment::OptionsAlways, Segment::OptionsRange];
    /// The legend text, the same in Markdown and HTML.
    pub fn legend(self) -> &'static str {
        match self {
            Segment::Core => "core credits",
            Segment::OptionsAlways => "option credits every pathway takes",
            Segment::OptionsRange => "option credits that depend on the options chosen",
        }
    }
    /// The Markdown glyph.
    pub fn glyph(self) -> char {
        match self {
            Segment::Core => '█',
            Segment::OptionsAlways => '▓',
            Segment::OptionsRange => '░',
        }
    }
    /// The HTML class (colours are in the stylesheet).
    pub fn class(self) -> &'static str {
        match self {
            Segment::Core => "seg-core",
            Segment::OptionsAlways => "seg-always",
            Segment::OptionsRange => "seg-range",
        }
    }
}

/// One bar: credits per segment, in sixths of a credit (a module over two
/// or three semesters is split evenly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub segments: Vec<(Segment, i64)>,
    /// The total as shown (`60`, or `50-70` with options).
    pub total: String,
}

/// A horizontal bar chart on one credit scale for every bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub title: String,
    pub bars: Vec<Bar>,
    /// The end of the scale, in credits (a multiple of [`Chart::TICK`]).
    pub scale_max: u64,
    /// The segments the legend lists (those that occur).
    pub legend: Vec<Segment>,
}

impl Chart {
    /// Credits between ticks on the axis.
    pub const TICK: u64 = 10;
    /// Credits per Markdown glyph.
    pub const GLYPH_CREDITS: u64 = 5;
}

/// A node of a graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub title: String,
    /// Drawn plain: outside the programme (a prerequisite it does not list).
    pub outside: bool,
}

/// A directed graph (an edge runs from a prerequisite to the module that
/// requires it), with its layered layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<(usize, usize)>,
    pub layout: super::layout::Layout,
    /// Nodes with no edge: listed apart, not drawn.
    pub apart: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading(u8, Inline),
    Para(Inline),
    /// Secondary text.
    Note(Inline),
    /// The check result: good (no error) or bad.
    Status {
        ok: bool,
        text: Inline,
    },
    /// Key facts: a two-column table with row headings.
    Facts(Vec<(String, Inline)>),
    Table(Table),
    List(Vec<Inline>),
    Chart(Chart),
    Graph(Graph),
    /// A separator between parts (one per programme).
    Separator,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The page title (HTML `<title>`).
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            blocks: Vec::new(),
        }
    }
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }
    pub fn heading(&mut self, level: u8, text: impl Into<Inline>) {
        self.push(Block::Heading(level, text.into()));
    }
    pub fn para(&mut self, text: impl Into<Inline>) {
        self.push(Block::Para(text.into()));
    }
    pub fn note(&mut self, text: impl Into<Inline>) {
        self.push(Block::Note(text.into()));
    }
}

/// Sixths of a credit as shown: `15`, `6.7`.
pub fn fmt_sixths(v: i64) -> String {
    if v % 6 == 0 {
        format!("{}", v / 6)
    } else {
        format!("{:.1}", v as f64 / 6.0)
    }
}
