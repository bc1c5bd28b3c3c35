//! The syntax tree of one `.pspec` file.
//!
//! Every item and property keeps its byte span, and properties keep their
//! source order: the formatter prints from this tree, the model is built from
//! it. Nothing here knows about rules, frameworks or editors.

use crate::span::{Span, Spanned, Str};

/// One parsed file: the items that could be read, every comment, and the
/// syntax errors met on the way. Parsing never fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceFile {
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
    pub errors: Vec<SyntaxError>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    /// The comment including its `#`, without the line break.
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Module(ModuleItem),
    Programme(ProgrammeItem),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Module(m) => m.span,
            Item::Programme(p) => p.span,
        }
    }
    pub fn code(&self) -> &Spanned<Str> {
        match self {
            Item::Module(m) => &m.code,
            Item::Programme(p) => &p.code,
        }
    }
    pub fn broken(&self) -> bool {
        match self {
            Item::Module(m) => m.broken,
            Item::Programme(p) => p.broken,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModuleItem {
    pub span: Span,
    pub keyword: Span,
    pub code: Spanned<Str>,
    pub title: Option<Spanned<Str>>,
    pub props: Vec<ModuleProp>,
    /// The item had a syntax error: it counts as defined, but rules that
    /// need its properties are not evaluated for it.
    pub broken: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeItem {
    pub span: Span,
    pub keyword: Span,
    pub code: Spanned<Str>,
    pub title: Option<Spanned<Str>>,
    pub props: Vec<ProgrammeProp>,
    pub broken: bool,
    /// The properties that did not parse and were skipped, as written: the
    /// keyword and the word after it (a variance's rule id, say). The model
    /// holds back the rules that read them (rules.md, "Scope and counting").
    pub unread: Vec<Unread>,
}

/// A property skipped by recovery.
#[derive(Debug, Clone, PartialEq)]
pub struct Unread {
    pub keyword: Spanned<Str>,
    /// The next word on the line, if any (`variance PG.A4.2/module-size {`).
    pub argument: Option<String>,
}

/// A property: its keyword (as written), its whole span, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop<K> {
    pub span: Span,
    pub keyword: Spanned<Str>,
    pub kind: K,
}

pub type ModuleProp = Prop<ModuleKind>;
pub type ProgrammeProp = Prop<ProgrammeKind>;

#[derive(Debug, Clone, PartialEq)]
pub enum ModuleKind {
    Credits(Spanned<u64>),
    Level(Spanned<u64>),
    Weeks(Spanned<u64>),
    PassMark(Spanned<u64>),
    /// `research-skills`, `dissertation`, `placement`, `pass-fail`
    Flag,
    Requires(Vec<Spanned<Str>>),
    Outcomes {
        open: Span,
        outcomes: Vec<Outcome>,
        close: Span,
    },
    Assessment(Assessment),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub span: Span,
    pub code: Spanned<Str>,
    pub text: Spanned<Str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub code: Spanned<Str>,
    pub title: Spanned<Str>,
    pub props: Vec<Prop<AssessmentKind>>,
    pub close: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AssessmentKind {
    Kind(Spanned<Str>),
    Weight(Spanned<u64>),
    Covers(Vec<Spanned<Str>>),
    Competency,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProgrammeKind {
    Award(Spanned<Str>),
    Framework(Spanned<Str>),
    Credits(Spanned<u64>),
    Mode(Vec<Spanned<Str>>),
    Language(Spanned<Str>),
    Delivery(Spanned<Str>),
    /// `starts`, `validated`, `previous-validation`
    Date(Spanned<Date>),
    ErasmusMundus,
    Accreditation(Spanned<Str>),
    ExitAward {
        award: Spanned<Str>,
        credits: Spanned<u64>,
    },
    Rpl(Block<Prop<RplKind>>),
    Partner {
        name: Spanned<Str>,
        block: Block<Prop<PartnerKind>>,
    },
    Attendance(Block<Prop<AttendanceKind>>),
    Engagement(Block<Prop<EngagementKind>>),
    Structure(Block<StructureLine>),
    Variance {
        rule: Spanned<Str>,
        block: Block<Prop<VarianceKind>>,
    },
    /// A programme rule (PG.A1.8): its id and its raw body, compiled by the
    /// policy compiler.
    Rule {
        id: Spanned<Str>,
        body: Spanned<Str>,
    },
}

/// The contents of a `{ ... }` block with the spans of its braces.
#[derive(Debug, Clone, PartialEq)]
pub struct Block<T> {
    pub open: Span,
    pub items: Vec<T>,
    pub close: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RplKind {
    /// `certificated N` or `experiential N` (the keyword says which)
    Credits(Spanned<u64>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum PartnerKind {
    Model(Spanned<Str>),
    /// `link-tutor`, `programme-leader`, `operational-framework`
    Text(Spanned<Str>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AttendanceKind {
    /// `first-contact`, `second-contact`, `interview`
    Duration(Duration),
    Agreements(Spanned<u64>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum EngagementKind {
    SharedWith(Vec<Spanned<Str>>),
    Retention(Duration),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    pub span: Span,
    pub amount: Spanned<u64>,
    pub unit: Spanned<Str>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VarianceKind {
    AppliesTo(Vec<Spanned<Str>>),
    Criterion {
        name: Spanned<Str>,
        body: Option<Spanned<Str>>,
    },
    /// `rationale`, `alternative`, `evidence`
    Text(Spanned<Str>),
    Submitted(Spanned<Date>),
    Approved {
        by: Spanned<Str>,
        date: Option<Spanned<Date>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum StructureLine {
    Core(Group),
    Option {
        span: Span,
        keyword: Span,
        title: Spanned<Str>,
        choose: Spanned<u64>,
        group: Group,
    },
    Stage {
        span: Span,
        keyword: Span,
        number: Spanned<u64>,
        title: Option<Spanned<Str>>,
        open: Span,
        lines: Vec<StructureLine>,
        close: Span,
    },
}

impl StructureLine {
    pub fn span(&self) -> Span {
        match self {
            StructureLine::Core(g) => g.span,
            StructureLine::Option { span, .. } | StructureLine::Stage { span, .. } => *span,
        }
    }
}

/// The modules of one `core` or `option` line, in list form
/// (`CODES PLACEMENT`) or block form (one module per line).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub span: Span,
    pub keyword: Span,
    pub block: bool,
    pub entries: Vec<PlacedModule>,
    /// The shared placement of the list form.
    pub placement: Option<Placement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlacedModule {
    pub code: Spanned<Str>,
    /// The module's own placement (block form only).
    pub placement: Option<Placement>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub span: Span,
    pub period: PeriodSyntax,
    pub year: Option<Spanned<u64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PeriodSyntax {
    Semester(Spanned<u64>),
    Semesters(Spanned<u64>, Spanned<u64>),
    YearLong,
}
