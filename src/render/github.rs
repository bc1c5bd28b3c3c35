//! `--format github`: GitHub Actions workflow commands, one per diagnostic,
//! which the runner turns into annotations on the pull request:
//!
//! ```text
//! ::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=RULE::message
//! ```
//!
//! Errors are `::error`, warnings `::warning`, infos `::notice`; waived
//! diagnostics are `::notice` whatever their severity, saying which variance
//! waived them. Property values escape `%`, CR, LF, `:` and `,`; the message
//! escapes `%`, CR and LF (GitHub's `escapeProperty` / `escapeData`).
//! Output is deterministic, in the analysis's order.

use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};

/// Escapes a command's message (GitHub's `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property value (GitHub's `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(a: &Analysis, d: &Diagnostic) -> String {
    let kind = match (&d.waived_by, d.severity) {
        (Some(_), _) | (None, Severity::Info) => "notice",
        (None, Severity::Error) => "error",
        (None, Severity::Warning) => "warning",
    };
    let r = super::json::range(a, d.source, d.span);
    let message = super::phrase::plain(d, &a.sources, super::phrase::Related::ListOtherFiles, true);
    let title = match &d.clause {
        Some(c) if !d.code.starts_with(c.as_str()) => format!("{} ({c})", d.code),
        _ => d.code.clone(),
    };
    format!(
        "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        escape_property(a.sources.name(d.source)),
        r.start.line,
        r.start.column,
        r.end.line,
        r.end.column,
        escape_property(&title),
        escape_data(&message)
    )
}

pub fn render(a: &Analysis) -> String {
    a.diagnostics.iter().map(|d| command(a, d)).collect()
}

/// Several workspaces' annotations, one after the other.
pub fn render_all(checked: &[&Analysis]) -> String {
    checked.iter().map(|a| render(a)).collect()
}
