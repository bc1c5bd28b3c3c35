//! The canonical formatter (`spec fmt`, and formatting in the editor).
//!
//! [`format()`] parses a text, refuses it if it has syntax errors, and prints
//! the tree in the one canonical layout described in `docs/formatting.md`.
//! Comments are kept: the tree does not hold them, so they are attached to
//! the printed lines by their spans (see [`format_file`]).
//!
//! The printer works in two steps:
//!
//! 1. The tree is walked in source order into a list of `Line`s: each line
//!    knows its indentation, its text, and the source range of the tokens it
//!    prints. A line is a property, a block's opening line (`name ... {`) or a
//!    block's closing `}`.
//! 2. Every comment is attached to a line: a comment between the first and
//!    last token of one printed line (a property written over several source
//!    lines) goes on its own line before it; a *trailing* comment (code
//!    before it on its source line) goes to the end of the line that prints
//!    that code; an *own-line* comment goes on its own line before the line
//!    that prints the next token (inside the block when that token is a
//!    closing `}`), or at the end of the file when nothing follows. Blank
//!    lines are then decided from the source gaps between printed elements.
//!
//! [`format()`] also re-parses its output and checks that the tree (ignoring
//! spans) and the comments are unchanged, so a formatter bug can never
//! rewrite the meaning of a file: it is reported instead.

use std::fmt::Write as _;

use crate::span::{Span, Spanned, Str};
use crate::syntax::ast::*;
use crate::syntax::parse;

/// Spaces per indentation level.
const INDENT: usize = 2;

/// Why a text was not formatted.
#[derive(Debug, Clone, PartialEq)]
pub enum FormatError {
    /// The text has syntax errors; nothing is formatted.
    Syntax(Vec<SyntaxError>),
    /// The formatted text would not mean the same as the input (a formatter
    /// bug). Nothing should be written; the message says what differed.
    Unstable(String),
}

impl FormatError {
    /// The syntax errors that stopped formatting (empty for [`FormatError::Unstable`]).
    pub fn errors(&self) -> &[SyntaxError] {
        match self {
            FormatError::Syntax(e) => e,
            FormatError::Unstable(_) => &[],
        }
    }
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(e) => {
                write!(f, "not formatted: {} syntax error", e.len())?;
                if e.len() != 1 {
                    f.write_str("s")?;
                }
                if let Some(first) = e.first() {
                    write!(f, " (first: {})", first.message)?;
                }
                Ok(())
            }
            FormatError::Unstable(m) => {
                write!(f, "internal formatter error, file left unchanged: {m}")
            }
        }
    }
}

impl std::error::Error for FormatError {}

/// Formats a whole `.pspec` text. Text with syntax errors is refused.
///
/// The result is checked: it parses without errors, to the same tree
/// (ignoring spans, see [`syntax_fingerprint`]) with the same comments.
pub fn format(text: &str) -> Result<String, FormatError> {
    let file = parse(text);
    if !file.errors.is_empty() {
        return Err(FormatError::Syntax(file.errors));
    }
    let out = format_file(&file, text);
    verify(&file, &out)?;
    Ok(out)
}

/// Prints a parsed, error-free file in the canonical layout. `text` is the
/// text `file` was parsed from (comments, text-block forms and rule bodies
/// are read from it). The output is not verified; see [`format()`].
pub fn format_file(file: &SourceFile, text: &str) -> String {
    let mut b = Builder {
        text,
        comments: &file.comments,
        lines: Vec::new(),
        verbatim: Vec::new(),
    };
    for item in &file.items {
        b.item(item);
    }
    let Builder {
        lines, mut verbatim, ..
    } = b;
    verbatim.sort_by_key(|v| v.start());
    let attached = attach(text, &lines, &file.comments, &verbatim);
    render(text, &lines, &file.comments, &attached)
}

/// A rendering of the tree that ignores spans, comments and layout: two
/// texts with the same fingerprint have the same meaning. Programme `rule`
/// bodies are compared line by line with surrounding whitespace and blank
/// lines ignored (the formatter re-indents them).
pub fn syntax_fingerprint(file: &SourceFile) -> String {
    file.items.iter().map(item_fingerprint).collect::<Vec<_>>().join("\n")
}

/// [`syntax_fingerprint`] of one item: files are compared item by item, so
/// checking a 50 MB file holds one item's rendering, not the file's.
fn item_fingerprint(item: &Item) -> String {
    let mut item = item.clone();
    if let Item::Programme(p) = &mut item {
        for prop in &mut p.props {
            if let ProgrammeKind::Rule { body, .. } = &mut prop.kind {
                body.value = normalise_rule_body(&body.value).into();
            }
        }
    }
    strip_spans(&format!("{item:?}"))
}

// ------------------------------------------------------------------ checks

fn verify(before: &SourceFile, out: &str) -> Result<(), FormatError> {
    let after = parse(out);
    if let Some(e) = after.errors.first() {
        return Err(FormatError::Unstable(format!(
            "the formatted text does not parse ({} at byte {})",
            e.message,
            e.span.start()
        )));
    }
    let same = before.items.len() == after.items.len()
        && before
            .items
            .iter()
            .zip(&after.items)
            .all(|(a, b)| item_fingerprint(a) == item_fingerprint(b));
    if !same {
        return Err(FormatError::Unstable(
            "the formatted text would change the specification".to_string(),
        ));
    }
    if comment_texts(before) != comment_texts(&after) {
        return Err(FormatError::Unstable(
            "the formatted text would lose or reorder a comment".to_string(),
        ));
    }
    Ok(())
}

/// The texts of a file's comments, in order, without trailing whitespace.
pub fn comment_texts(file: &SourceFile) -> Vec<String> {
    file.comments.iter().map(|c| c.text.trim_end().to_string()).collect()
}

/// Removes every `Span { start: N, end: N }` from a debug rendering.
fn strip_spans(s: &str) -> String {
    const PAT: &str = "Span { start: ";
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(PAT) {
        out.push_str(&rest[..i]);
        out.push('_');
        let after = &rest[i + PAT.len()..];
        match after.find('}') {
            Some(j) => rest = &after[j + 1..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A rule body with line endings, indentation, trailing space and blank
/// lines removed: what the formatter may change in it.
fn normalise_rule_body(body: &str) -> String {
    body.split('\n')
        .map(trim_ascii_ws)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

// ------------------------------------------------------------------ lines

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A property or a block entry.
    Plain,
    /// `name ... {`
    Open,
    /// `}`
    Close,
}

/// One printed line (or a few, for text blocks and rule bodies).
#[derive(Debug)]
struct Line {
    indent: usize,
    /// The text without indentation. Text blocks and rule bodies continue on
    /// further lines; those carry their own indentation.
    text: String,
    /// Source offset of the first token printed here.
    start: usize,
    /// Source offset just after the last token printed here.
    end: usize,
    kind: Kind,
}

struct Builder<'t> {
    text: &'t str,
    comments: &'t [Comment],
    lines: Vec<Line>,
    /// Source ranges printed verbatim (rule bodies): comments inside them are
    /// printed with them.
    verbatim: Vec<Span>,
}

fn pad(level: usize) -> String {
    " ".repeat(level * INDENT)
}

fn join(codes: &[Spanned<Str>]) -> String {
    let mut s = String::new();
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&c.value);
    }
    s
}

impl<'t> Builder<'t> {
    fn push(&mut self, indent: usize, kind: Kind, start: usize, end: usize, text: String) {
        self.lines.push(Line {
            indent,
            text,
            start,
            end: end.max(start),
            kind,
        });
    }

    fn plain(&mut self, indent: usize, span: Span, text: String) {
        let (start, end) = (span.start(), span.end());
        let end = self.trim_trivia_end(start, end);
        self.push(indent, Kind::Plain, start, end, text);
    }

    /// The end of the last token in `[start, end)`. The span of a rule that
    /// ends with an optional part (`placement?`, `date?`) takes in the
    /// whitespace and comments after it.
    fn trim_trivia_end(&self, start: usize, mut end: usize) -> usize {
        let b = self.text.as_bytes();
        end = end.min(b.len());
        loop {
            while end > start && matches!(b[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
                end -= 1;
            }
            let i = self.comments.partition_point(|c| (c.span.start()) < end);
            match i.checked_sub(1).map(|i| &self.comments[i]) {
                Some(c) if c.span.start() >= start && c.span.end() >= end => {
                    end = c.span.start();
                }
                _ => return end,
            }
        }
    }

    /// An opening line `head {` whose `{` is the first `{` after `after`.
    fn open_find(&mut self, indent: usize, start: usize, after: usize, head: String) {
        let end = find_open_brace(self.text, after).map_or(after, |b| b + 1);
        self.push(indent, Kind::Open, start, end, format!("{head} {{"));
    }

    /// An opening line `head {` whose `{` has a known span.
    fn open_at(&mut self, indent: usize, start: usize, brace: Span, head: String) {
        self.push(indent, Kind::Open, start, brace.end(), format!("{head} {{"));
    }

    /// A closing `}` with a known span.
    fn close_at(&mut self, indent: usize, brace: Span) {
        self.push(indent, Kind::Close, brace.start(), brace.end(), "}".to_string());
    }

    /// A closing `}` that ends at `end` (the end of its construct's span).
    fn close_before(&mut self, indent: usize, end: usize) {
        let at = find_close_brace(self.text, end);
        self.push(indent, Kind::Close, at, at + 1, "}".to_string());
    }

    /// An integer as written, without leading zeros.
    fn num(&self, n: &Spanned<u64>) -> String {
        let src = self.text.get(n.span.range()).unwrap_or("");
        let digits: &str = &src[..src.bytes().take_while(u8::is_ascii_digit).count()];
        if digits.is_empty() {
            return n.value.to_string();
        }
        let trimmed = digits.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        }
    }

    /// A string or text block, in its canonical form.
    fn lit(&self, s: &Spanned<Str>, indent: usize) -> String {
        let src = self.text.get(s.span.range()).unwrap_or("");
        if src.starts_with("\"\"\"") {
            if let Some(tb) = text_block(&s.value, indent) {
                return tb;
            }
        }
        quote(&s.value)
    }

    fn item(&mut self, item: &Item) {
        let (kw, code, title, span) = match item {
            Item::Module(m) => ("module", &m.code, &m.title, m.span),
            Item::Programme(p) => ("programme", &p.code, &p.title, p.span),
        };
        let mut head = format!("{kw} {}", code.value);
        let mut after = code.span.end();
        if let Some(t) = title {
            head.push(' ');
            head.push_str(&self.lit(t, 0));
            after = t.span.end();
        }
        self.open_find(0, span.start(), after, head);
        match item {
            Item::Module(m) => {
                for p in &m.props {
                    self.module_prop(p, 1);
                }
            }
            Item::Programme(p) => {
                for prop in &p.props {
                    self.programme_prop(prop, 1);
                }
            }
        }
        self.close_before(0, span.end());
    }

    fn module_prop(&mut self, p: &ModuleProp, ind: usize) {
        let kw = p.keyword.value.as_str();
        match &p.kind {
            ModuleKind::Credits(n) | ModuleKind::Level(n) | ModuleKind::Weeks(n) | ModuleKind::PassMark(n) => {
                let t = format!("{kw} {}", self.num(n));
                self.plain(ind, p.span, t);
            }
            ModuleKind::Flag => self.plain(ind, p.span, kw.to_string()),
            ModuleKind::Requires(codes) => self.plain(ind, p.span, format!("{kw} {}", join(codes))),
            ModuleKind::Outcomes { open, outcomes, close } => {
                self.open_at(ind, p.span.start(), *open, kw.to_string());
                for o in outcomes {
                    let t = format!("{} {}", o.code.value, self.lit(&o.text, ind + 1));
                    self.plain(ind + 1, o.span, t);
                }
                self.close_at(ind, *close);
            }
            ModuleKind::Assessment(a) => {
                let head = format!("{kw} {} {}", a.code.value, self.lit(&a.title, ind));
                self.open_find(ind, p.span.start(), a.title.span.end(), head);
                for q in &a.props {
                    let qk = q.keyword.value.as_str();
                    let t = match &q.kind {
                        AssessmentKind::Kind(w) => format!("{qk} {}", w.value),
                        AssessmentKind::Weight(n) => format!("{qk} {}%", self.num(n)),
                        AssessmentKind::Covers(codes) => format!("{qk} {}", join(codes)),
                        AssessmentKind::Competency => qk.to_string(),
                    };
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, a.close);
            }
        }
    }

    fn duration(&self, d: &Duration) -> String {
        format!("{} {}", self.num(&d.amount), d.unit.value)
    }

    fn programme_prop(&mut self, p: &ProgrammeProp, ind: usize) {
        let kw = p.keyword.value.as_str();
        let start = p.span.start();
        match &p.kind {
            ProgrammeKind::Award(v) | ProgrammeKind::Framework(v) | ProgrammeKind::Delivery(v) => {
                self.plain(ind, p.span, format!("{kw} {}", v.value))
            }
            ProgrammeKind::Credits(n) => {
                let t = format!("{kw} {}", self.num(n));
                self.plain(ind, p.span, t);
            }
            ProgrammeKind::Mode(words) => self.plain(ind, p.span, format!("{kw} {}", join(words))),
            ProgrammeKind::Language(t) | ProgrammeKind::Accreditation(t) => {
                let t = format!("{kw} {}", self.lit(t, ind));
                self.plain(ind, p.span, t);
            }
            ProgrammeKind::Date(d) => self.plain(ind, p.span, format!("{kw} {}", d.value)),
            ProgrammeKind::ErasmusMundus => self.plain(ind, p.span, kw.to_string()),
            ProgrammeKind::ExitAward { award, credits } => {
                let t = format!("{kw} {} {}", award.value, self.num(credits));
                self.plain(ind, p.span, t);
            }
            ProgrammeKind::Rpl(block) => {
                self.open_at(ind, start, block.open, kw.to_string());
                for q in &block.items {
                    let RplKind::Credits(n) = &q.kind;
                    let t = format!("{} {}", q.keyword.value, self.num(n));
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Partner { name, block } => {
                let head = format!("{kw} {}", self.lit(name, ind));
                self.open_at(ind, start, block.open, head);
                for q in &block.items {
                    let qk = q.keyword.value.as_str();
                    let t = match &q.kind {
                        PartnerKind::Model(w) => format!("{qk} {}", w.value),
                        PartnerKind::Text(t) => format!("{qk} {}", self.lit(t, ind + 1)),
                    };
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Attendance(block) => {
                self.open_at(ind, start, block.open, kw.to_string());
                for q in &block.items {
                    let qk = q.keyword.value.as_str();
                    let t = match &q.kind {
                        AttendanceKind::Duration(d) => format!("{qk} {}", self.duration(d)),
                        AttendanceKind::Agreements(n) => format!("{qk} {}", self.num(n)),
                    };
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Engagement(block) => {
                self.open_at(ind, start, block.open, kw.to_string());
                for q in &block.items {
                    let qk = q.keyword.value.as_str();
                    let t = match &q.kind {
                        EngagementKind::SharedWith(words) => format!("{qk} {}", join(words)),
                        EngagementKind::Retention(d) => format!("{qk} {}", self.duration(d)),
                    };
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Structure(block) => {
                self.open_at(ind, start, block.open, kw.to_string());
                for line in &block.items {
                    self.structure_line(line, ind + 1);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Variance { rule, block } => {
                self.open_at(ind, start, block.open, format!("{kw} {}", rule.value));
                for q in &block.items {
                    let qk = q.keyword.value.as_str();
                    let t = match &q.kind {
                        VarianceKind::AppliesTo(codes) => format!("{qk} {}", join(codes)),
                        VarianceKind::Criterion { name, body } => match body {
                            Some(b) => format!("{qk} {} {}", name.value, self.lit(b, ind + 1)),
                            None => format!("{qk} {}", name.value),
                        },
                        VarianceKind::Text(t) => format!("{qk} {}", self.lit(t, ind + 1)),
                        VarianceKind::Submitted(d) => format!("{qk} {}", d.value),
                        VarianceKind::Approved { by, date } => match date {
                            Some(d) => format!("{qk} {} {}", self.lit(by, ind + 1), d.value),
                            None => format!("{qk} {}", self.lit(by, ind + 1)),
                        },
                    };
                    self.plain(ind + 1, q.span, t);
                }
                self.close_at(ind, block.close);
            }
            ProgrammeKind::Rule { id, body } => {
                let t = format!("{kw} {} {}", id.value, rule_body(&body.value, ind));
                self.verbatim.push(body.span);
                self.plain(ind, p.span, t);
            }
        }
    }

    fn structure_line(&mut self, line: &StructureLine, ind: usize) {
        match line {
            StructureLine::Core(g) => self.group(ind, "core".to_string(), g, g.keyword.end()),
            StructureLine::Option {
                title, choose, group, ..
            } => {
                let head = format!("option {} choose {} credits", self.lit(title, ind), self.num(choose));
                self.group(ind, head, group, choose.span.end());
            }
            StructureLine::Stage {
                span,
                number,
                title,
                open,
                lines,
                close,
                ..
            } => {
                let mut head = format!("stage {}", self.num(number));
                if let Some(t) = title {
                    head.push(' ');
                    head.push_str(&self.lit(t, ind));
                }
                self.open_at(ind, span.start(), *open, head);
                for l in lines {
                    self.structure_line(l, ind + 1);
                }
                self.close_at(ind, *close);
            }
        }
    }

    /// A `core` or `option` line: `head CODES PLACEMENT` (with `from` for
    /// options) or the block form. `after` is where its `{` may start.
    fn group(&mut self, ind: usize, head: String, g: &Group, after: usize) {
        let is_option = head.starts_with("option");
        if g.block {
            self.open_find(ind, g.span.start(), after, head);
            for e in &g.entries {
                let mut t = e.code.value.to_string();
                let mut end = e.code.span.end();
                if let Some(pl) = &e.placement {
                    t.push(' ');
                    t.push_str(&self.placement(pl));
                    end = end.max(pl.span.end());
                }
                self.plain(ind + 1, Span::new(e.code.span.start(), end), t);
            }
            self.close_before(ind, g.span.end());
        } else {
            let codes: Vec<Spanned<Str>> = g.entries.iter().map(|e| e.code.clone()).collect();
            let mut t = head;
            t.push_str(if is_option { " from " } else { " " });
            t.push_str(&join(&codes));
            if let Some(pl) = &g.placement {
                t.push(' ');
                t.push_str(&self.placement(pl));
            }
            self.plain(ind, g.span, t);
        }
    }

    fn placement(&self, p: &Placement) -> String {
        let mut s = match &p.period {
            PeriodSyntax::Semester(n) => format!("semester {}", self.num(n)),
            PeriodSyntax::Semesters(a, b) => format!("semesters {}-{}", self.num(a), self.num(b)),
            PeriodSyntax::YearLong => "year-long".to_string(),
        };
        if let Some(y) = &p.year {
            let _ = write!(s, " year {}", self.num(y));
        }
        s
    }
}

/// A `"..."` string with canonical escapes.
fn quote(v: &str) -> String {
    let mut s = String::with_capacity(v.len() + 2);
    s.push('"');
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The canonical text block for the (already dedented) value `v`, inside a
/// construct at `indent`: one line `"""v"""` when `v` is one line, else the
/// content one level deeper than the construct and the closing `"""` at its
/// level. `None` when no text block can hold `v` without trailing
/// whitespace (it is then written as a string with escapes).
fn text_block(v: &str, indent: usize) -> Option<String> {
    if v.is_empty() {
        return Some("\"\"\"\"\"\"".to_string());
    }
    if !v.contains('\n') && !v.ends_with('"') && !v.starts_with(char::is_whitespace) {
        return Some(format!("\"\"\"{v}\"\"\""));
    }
    // A line with trailing (or only) whitespace could not be written
    // without trailing whitespace; a value whose every line is indented
    // would lose its indentation to the dedent.
    if v.split('\n').any(|l| l.ends_with(char::is_whitespace)) {
        return None;
    }
    if !v
        .split('\n')
        .any(|l| !l.trim().is_empty() && !l.starts_with(char::is_whitespace))
    {
        return None;
    }
    let mut s = String::from("\"\"\"");
    let inner = pad(indent + 1);
    for l in v.split('\n') {
        s.push('\n');
        if !l.is_empty() {
            s.push_str(&inner);
            s.push_str(l);
        }
    }
    s.push('\n');
    s.push_str(&pad(indent));
    s.push_str("\"\"\"");
    Some(s)
}

fn is_ascii_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn trim_ascii_ws(s: &str) -> &str {
    s.trim_matches(is_ascii_ws)
}

/// Does a raw rule body hold a string literal that spans lines (a text
/// block, or a string with an escaped line break)? Re-indenting it could
/// change the literal, so such bodies are kept as written.
fn has_multiline_literal(body: &str) -> bool {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"\"\"\"") {
            let rest = &b[i + 3..];
            let len = rest.windows(3).position(|w| w == b"\"\"\"").unwrap_or(rest.len());
            if rest[..len].contains(&b'\n') {
                return true;
            }
            i += 3 + len + 3;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                if b[i] == b'\\' {
                    if b.get(i + 1).is_some_and(|&c| c == b'\n' || c == b'\r') {
                        return true;
                    }
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if b[i] == b'#' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    false
}

/// A programme rule body (the text between its braces), braces included.
///
/// The body belongs to the policy language, so only whitespace that cannot
/// matter changes: a one-line body becomes `{ body }`; a longer one keeps
/// anything after `{` on the opening line, its other lines are shifted
/// together so the least indented sits one level inside the rule, trailing
/// whitespace and extra blank lines go, and `}` gets its own line. A body
/// with a multi-line string literal is kept byte for byte (line endings
/// aside).
fn rule_body(body: &str, indent: usize) -> String {
    // Every CR before a line break goes, not just one: `\r\r\n` must not
    // come out as `\r\n`, which the next run would change again.
    let body = body
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n");
    if !body.contains('\n') {
        let t = trim_ascii_ws(&body);
        return if t.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {t} }}")
        };
    }
    if has_multiline_literal(&body) {
        return format!("{{{body}}}");
    }
    let (first, rest) = body.split_once('\n').unwrap_or((body.as_str(), ""));
    let mut out = String::from("{");
    let first = trim_ascii_ws(first);
    if !first.is_empty() {
        out.push(' ');
        out.push_str(first);
    }
    let lines: Vec<&str> = rest.split('\n').map(|l| l.trim_end_matches(is_ascii_ws)).collect();
    let leading = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let min = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| leading(l))
        .min()
        .unwrap_or(0);
    let inner = pad(indent + 1);
    let mut pending_blank = false;
    let mut any = false;
    for l in lines {
        if l.is_empty() {
            pending_blank = any;
            continue;
        }
        if pending_blank {
            out.push('\n');
            pending_blank = false;
        }
        out.push('\n');
        out.push_str(&inner);
        out.push_str(l.get(min..).unwrap_or(l));
        any = true;
    }
    out.push('\n');
    out.push_str(&pad(indent));
    out.push('}');
    out
}

// ------------------------------------------------------------------ source scanning

fn is_trivia_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

/// The first `{` at or after `from`, skipping comments.
fn find_open_brace(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'{' => return Some(i),
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The `}` that ends a construct whose span ends at `end`.
fn find_close_brace(text: &str, end: usize) -> usize {
    let b = text.as_bytes();
    let mut i = end.min(b.len());
    while i > 0 {
        i -= 1;
        if b[i] == b'}' {
            return i;
        }
        if !b[i].is_ascii_whitespace() {
            break;
        }
    }
    end.saturating_sub(1)
}

/// The offset of the last non-blank character before `at` on the same line.
fn prev_token_on_line(text: &str, at: usize) -> Option<usize> {
    let head = text.get(..at)?;
    for (i, c) in head.char_indices().rev() {
        if c == '\n' {
            return None;
        }
        if !is_trivia_char(c) {
            return Some(i);
        }
    }
    None
}

/// The offset of the first character at or after `from` that is neither
/// whitespace nor part of a comment.
fn next_token(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let mut in_comment = false;
    for (i, c) in rest.char_indices() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
            }
            continue;
        }
        if c == '#' {
            in_comment = true;
        } else if !is_trivia_char(c) {
            return Some(from + i);
        }
    }
    None
}

/// Whether the source between `a` and `b` holds a blank line.
fn has_blank_line(text: &str, a: usize, b: usize) -> bool {
    if a >= b {
        return false;
    }
    let Some(gap) = text.get(a..b) else {
        return false;
    };
    let mut after_newline = false;
    for c in gap.bytes() {
        match c {
            b'\n' => {
                if after_newline {
                    return true;
                }
                after_newline = true;
            }
            b' ' | b'\t' | b'\r' => {}
            _ => after_newline = false,
        }
    }
    false
}

// ------------------------------------------------------------------ comments

#[derive(Default)]
struct Attached {
    /// Own-line comments printed before each line.
    before: Vec<Vec<usize>>,
    /// Comments printed after each line.
    trailing: Vec<Vec<usize>>,
    /// Comments after the last line.
    end: Vec<usize>,
}

fn attach(text: &str, lines: &[Line], comments: &[Comment], verbatim: &[Span]) -> Attached {
    debug_assert!(lines.windows(2).all(|w| w[0].start <= w[1].start));
    let mut a = Attached {
        before: vec![Vec::new(); lines.len()],
        trailing: vec![Vec::new(); lines.len()],
        end: Vec::new(),
    };
    // The line that prints the token at `offset`: the last one starting at
    // or before it.
    let line_of = |offset: usize| lines.partition_point(|l| l.start <= offset).checked_sub(1);
    for (ci, c) in comments.iter().enumerate() {
        let start = c.span.start();
        // Verbatim ranges are in source order and disjoint: the one that
        // could hold the comment is the last starting at or before it.
        let v = verbatim.partition_point(|v| v.start() <= c.span.start());
        if v > 0 && c.span.end() <= verbatim[v - 1].end() {
            continue;
        }
        // Inside a property written over several source lines: before it.
        if let Some(li) = line_of(start).filter(|&li| start < lines[li].end) {
            a.before[li].push(ci);
            continue;
        }
        // Code before it on its line: at the end of the line printing that code.
        if let Some(li) = prev_token_on_line(text, start).and_then(line_of) {
            a.trailing[li].push(ci);
            continue;
        }
        // On its own line: before the line printing the next token.
        match next_token(text, c.span.end()) {
            Some(n) if !lines.is_empty() => a.before[line_of(n).unwrap_or(0)].push(ci),
            _ => a.end.push(ci),
        }
    }
    a
}

// ------------------------------------------------------------------ rendering

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing printed yet.
    Start,
    /// Just after a block's opening line: no blank line.
    AfterOpen,
    /// Just after a top-level item: exactly one blank line.
    AfterItem,
    /// Blank lines as in the source, at most one.
    Normal,
}

struct Out<'t> {
    text: &'t str,
    s: String,
    state: State,
    /// Source offset where the previous printed element ended.
    prev_end: usize,
}

impl Out<'_> {
    fn blank_before(&self, start: usize) -> bool {
        match self.state {
            State::Start | State::AfterOpen => false,
            State::AfterItem => true,
            State::Normal => has_blank_line(self.text, self.prev_end, start),
        }
    }

    fn line(&mut self, indent: usize, blank: bool, text: &str) {
        if blank {
            self.s.push('\n');
        }
        self.s.push_str(&pad(indent));
        self.s.push_str(text);
        self.s.push('\n');
    }

    fn comment(&mut self, indent: usize, c: &Comment, blank: bool) {
        self.line(indent, blank, c.text.trim_end());
        self.prev_end = c.span.end();
        self.state = State::Normal;
    }

    /// Appends `tail` to the last printed line.
    fn append(&mut self, tail: &str) {
        if self.s.ends_with('\n') {
            self.s.pop();
        }
        self.s.push_str(tail);
        self.s.push('\n');
    }
}

fn render(text: &str, lines: &[Line], comments: &[Comment], a: &Attached) -> String {
    let mut o = Out {
        text,
        s: String::with_capacity(text.len() + text.len() / 8),
        state: State::Start,
        prev_end: 0,
    };
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let inner = if line.kind == Kind::Close {
            line.indent + 1
        } else {
            line.indent
        };
        for &ci in &a.before[i] {
            let c = &comments[ci];
            let blank = o.blank_before(c.span.start());
            o.comment(inner, c, blank);
        }
        let blank = line.kind != Kind::Close && o.blank_before(line.start);
        o.line(line.indent, blank, &line.text);
        let mut end = line.end;
        // An empty block with no comment inside prints as `name {}`.
        let mut closed = line.kind == Kind::Close;
        let mut last = i;
        if line.kind == Kind::Open
            && a.trailing[i].is_empty()
            && lines.get(i + 1).is_some_and(|n| n.kind == Kind::Close)
            && a.before.get(i + 1).is_some_and(Vec::is_empty)
        {
            o.append("}");
            last = i + 1;
            end = lines[i + 1].end;
            closed = true;
        }
        let after_indent = if line.kind == Kind::Open && !closed {
            line.indent + 1
        } else {
            line.indent
        };
        for (k, &ci) in a.trailing[last].iter().enumerate() {
            let c = &comments[ci];
            if k == 0 {
                o.append(&format!(" {}", c.text.trim_end()));
            } else {
                o.line(after_indent, false, c.text.trim_end());
            }
            end = end.max(c.span.end());
        }
        o.prev_end = end;
        o.state = match (closed, line.kind) {
            (true, _) if line.indent == 0 => State::AfterItem,
            (false, Kind::Open) => State::AfterOpen,
            _ => State::Normal,
        };
        i = last + 1;
    }
    for &ci in &a.end {
        let c = &comments[ci];
        let blank = o.blank_before(c.span.start());
        o.comment(0, c, blank);
    }
    o.s
}
