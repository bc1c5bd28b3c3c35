//! `--format human`: miette's graphical report, one per diagnostic, then a
//! summary line.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::source::Sources;
use crate::span::{clamp_to_char, LineIndex};

/// A diagnostic with its source, as miette wants it.
struct Report<'a> {
    diag: &'a Diagnostic,
    sources: &'a Sources,
    message: String,
    help: Option<String>,
    src: CharColumns,
}

/// A named source whose `file:line:column` header counts columns in Unicode
/// scalar values, like the JSON output (miette counts bytes).
///
/// This is the one place where snippets are cut (D55): miette reads the
/// lines around a span from here, and here only a bounded window of the
/// text is handed over. Lines up to [`LONG_LINE`] bytes are shown whole
/// with their context lines, as miette would; on a longer line only
/// [`WINDOW`] bytes either side of the span are shown (miette pads with a
/// width of the column, which panics past 65,535), and each read costs the
/// window, not the offset (miette's own reader counts lines from the start).
struct CharColumns {
    name: String,
    text: Arc<str>,
    lines: Arc<LineIndex>,
}

/// Lines longer than this (bytes) are shown as a window around the span.
pub const LONG_LINE: usize = 400;
/// Bytes of a long line shown either side of the span.
pub const WINDOW: usize = 80;
/// A label longer than this (bytes) is cut to its first [`WINDOW`] bytes.
pub const LONG_LABEL: usize = 4000;

impl CharColumns {
    fn line_end(&self, line: usize) -> usize {
        if line + 1 < self.lines.line_count() {
            self.lines.line_start(line + 1)
        } else {
            self.text.len()
        }
    }
    fn line_len(&self, line: usize) -> usize {
        self.line_end(line) - self.lines.line_start(line)
    }
}

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text: &str = &self.text;
        let start = clamp_to_char(text, span.offset());
        let end = clamp_to_char(text, span.offset() + span.len()).max(start);
        let (first, last) = (self.lines.line(start), self.lines.line(end));
        let from = first.saturating_sub(before);
        let to = (last + after).min(self.lines.line_count() - 1);
        let long = (from..=to).any(|l| self.line_len(l) > LONG_LINE);
        if !long {
            // miette's reader on the lines around the span only.
            let base = self.lines.line_start(from);
            let shifted = SourceSpan::new((start - base).into(), end - start);
            let c = text[base..].read_span(&shifted, before, after)?;
            let column = if before == 0 && after == 0 {
                text[self.lines.line_start(first)..start].chars().count()
            } else {
                c.column()
            };
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                c.data(),
                SourceSpan::new((c.span().offset() + base).into(), c.span().len()),
                c.line() + from,
                column,
                c.line_count() + from,
            )));
        }
        // A long line: the span's own lines, cut to a window around it.
        let ws = clamp_to_char(text, start.saturating_sub(WINDOW)).max(self.lines.line_start(first));
        let line_end = self.line_end(last);
        let we = clamp_to_char(text, end + WINDOW).max(end).min(line_end);
        let column = if before == 0 && after == 0 {
            self.lines.line_col(text, start).1 - 1
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[ws..we],
            SourceSpan::new(ws.into(), we - ws),
            first,
            column,
            last,
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

fn source_span(text: &str, span: crate::span::Span) -> SourceSpan {
    let start = clamp_to_char(text, span.start());
    let mut end = clamp_to_char(text, span.end()).max(start);
    if end - start > LONG_LABEL {
        end = clamp_to_char(text, start + WINDOW).max(start);
    }
    SourceSpan::new(start.into(), end - start)
}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code.clone()))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.diag.is_waived() {
            miette::Severity::Advice
        } else {
            match self.diag.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            }
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = self.sources.get(self.diag.source).map(|s| &*s.text).unwrap_or("");
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(self.diag.label.clone().unwrap_or_else(|| "here".to_string())),
            source_span(text, self.diag.span),
        )];
        // Secondary labels in the same file (others are listed in the help).
        for l in &self.diag.labels {
            if l.source == self.diag.source {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.clone()),
                    source_span(text, l.span),
                ));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// More findings of one rule in one programme than this are grouped: the
/// first is shown in full, the others one line each.
pub const GROUP_AFTER: usize = 3;

/// What groups repeated findings: the rule, the programme (or the file, for
/// findings about a module itself) and whether they are waived.
fn group_key(d: &Diagnostic) -> (&str, Option<&str>, usize, bool) {
    let source = if d.programme.is_some() { 0 } else { d.source };
    (d.code.as_str(), d.programme.as_deref(), source, d.is_waived())
}

/// Renders every diagnostic of an analysis, then the counts per rule and a
/// summary line. When one rule fires more than [`GROUP_AFTER`] times in one
/// programme, the first finding is shown in full and the others as one line
/// each (location, rule, value), right after it.
pub fn render(analysis: &Analysis, color: bool) -> String {
    use std::collections::{BTreeMap, HashMap};
    let diags = &analysis.diagnostics;
    let mut groups: HashMap<(&str, Option<&str>, usize, bool), Vec<usize>> = HashMap::new();
    for (i, d) in diags.iter().enumerate() {
        groups.entry(group_key(d)).or_default().push(i);
    }
    let mut out = String::new();
    let mut listed = vec![false; diags.len()];
    for (i, d) in diags.iter().enumerate() {
        if listed[i] {
            continue;
        }
        out.push_str(&render_one(d, &analysis.sources, color));
        let members = &groups[&group_key(d)];
        if members.len() > GROUP_AFTER && members[0] == i {
            let rest = &members[1..];
            let scope = match &d.programme {
                Some(p) => format!("in programme `{p}`"),
                None => format!("in {}", analysis.sources.name(d.source)),
            };
            out.push_str(&format!(
                "  {} more {} findings {scope}, one per line:\n",
                rest.len(),
                d.code
            ));
            let lines: Vec<(String, String)> = rest.iter().map(|&j| one_line(&diags[j], &analysis.sources)).collect();
            let width = lines.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
            for (&j, (loc, what)) in rest.iter().zip(&lines) {
                listed[j] = true;
                out.push_str(&format!("    {loc:<width$}  {what}\n"));
            }
            out.push('\n');
        }
    }
    // Counts per rule, most frequent first (as `ruff --statistics`).
    let mut counts: BTreeMap<&str, (usize, Severity, usize)> = BTreeMap::new();
    for d in diags {
        let c = counts.entry(d.code.as_str()).or_insert((0, d.severity, 0));
        c.0 += 1;
        if d.is_waived() {
            c.2 += 1;
        }
    }
    if !counts.is_empty() {
        let mut rows: Vec<_> = counts.into_iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        let width = rows.iter().map(|(_, c)| c.0.to_string().len()).max().unwrap_or(1);
        let id_width = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(1);
        out.push_str("findings per rule:\n");
        for (id, (n, sev, waived)) in rows {
            let waived = if waived > 0 {
                format!(" ({waived} waived)")
            } else {
                String::new()
            };
            out.push_str(&format!("  {n:>width$}  {id:<id_width$}  {}{waived}\n", sev.as_str()));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(analysis));
    out.push('\n');
    out
}

/// One finding on one line: its location (`file:line:column`) and
/// `rule  value`, the value being the text at fault (its first line,
/// shortened).
pub fn one_line(d: &Diagnostic, sources: &Sources) -> (String, String) {
    let (line, col) = sources
        .get(d.source)
        .map(|s| s.line_col(d.span.start()))
        .unwrap_or((0, 0));
    let text = sources.get(d.source).map(|s| &*s.text).unwrap_or("");
    let value = super::excerpt(text, d.span).lines().next().unwrap_or("").trim();
    let value = if value.chars().count() > 40 {
        format!("{}…", value.chars().take(39).collect::<String>())
    } else {
        value.to_string()
    };
    let about = d
        .module
        .as_deref()
        .map(|m| format!(" (module `{m}`)"))
        .unwrap_or_default();
    let waived = if d.is_waived() { " (waived)" } else { "" };
    (
        format!("{}:{line}:{col}", sources.name(d.source)),
        format!("{}  `{value}`{about}{waived}", d.code),
    )
}

/// Renders one diagnostic.
pub fn render_one(d: &Diagnostic, sources: &Sources, color: bool) -> String {
    let (name, text) = match sources.get(d.source) {
        Some(s) => (s.name.clone(), s.text.clone()),
        None => ("?".to_string(), Arc::from("")),
    };
    let message = super::phrase::headline(d, sources);
    let help_lines = super::phrase::help_lines(d, sources, super::phrase::Related::ListOtherFiles);
    let report = Report {
        diag: d,
        sources,
        message,
        help: Some(help_lines.join("\n")),
        src: CharColumns {
            lines: sources
                .get(d.source)
                .map(|s| s.lines().clone())
                .unwrap_or_else(|| Arc::new(LineIndex::new(""))),
            name,
            text,
        },
    };
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        // Wrap at spaces only: a rule id, code or path is never split at
        // its hyphens or slashes.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", d.code, d.message);
    }
    out.push('\n');
    out
}

pub fn summary_line(a: &Analysis) -> String {
    summary_text(&a.summary)
}

/// Several workspaces, each as [`render`] renders it under a line naming
/// it, then the totals naming every workspace. One workspace is rendered
/// exactly as [`render`] does.
pub fn render_all(checked: &[(String, &Analysis)], color: bool) -> String {
    if let [(_, a)] = checked {
        return render(a, color);
    }
    let mut out = String::new();
    let mut total = crate::diag::Summary::default();
    for (label, a) in checked {
        out.push_str(&format!("workspace `{label}`:\n"));
        out.push_str(&render(a, color));
        out.push('\n');
        total.add(&a.summary);
    }
    let names: Vec<String> = checked.iter().map(|(l, _)| format!("`{l}`")).collect();
    out.push_str(&format!(
        "{} workspaces ({}): {}\n",
        checked.len(),
        names.join(", "),
        summary_text(&total)
    ));
    out
}

/// `checked 3 files, 1 programme, 9 modules: 1 error, 0 warnings[, N waived]`.
pub fn summary_text(s: &crate::diag::Summary) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut line = format!(
        "checked {}, {}, {}: {}, {}",
        plural(s.files, "file"),
        plural(s.programmes, "programme"),
        plural(s.modules, "module"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
    );
    if s.waived > 0 {
        line.push_str(&format!(", {} waived", s.waived));
    }
    line
}
