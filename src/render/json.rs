//! `--format json`, version 1 (cli.md). Field names and meanings are a
//! contract: add fields, never remove or rename them.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::diag::Summary;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
    /// One entry per workspace when a run checked several (the summary is
    /// their total).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    workspaces: Vec<JsonWorkspace<'a>>,
}

#[derive(Serialize)]
struct JsonWorkspace<'a> {
    root: &'a str,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

#[derive(Serialize)]
struct WaivedBy<'a> {
    rule: &'a str,
    file: &'a str,
    line: usize,
    pending: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    range: Range,
    clause: Option<&'a str>,
    programme: Option<&'a str>,
    pathway: Option<&'a [String]>,
    waived: bool,
    waived_by: Option<WaivedBy<'a>>,
    help: Option<&'a str>,
}

/// 1-based range of a span in a source (columns in Unicode scalar values).
pub fn range(a: &Analysis, source: usize, span: crate::span::Span) -> Range {
    match a.sources.get(source) {
        Some(s) => {
            let (l1, c1) = s.line_col(span.start());
            let (l2, c2) = s.line_col(span.end());
            Range {
                start: Position { line: l1, column: c1 },
                end: Position { line: l2, column: c2 },
            }
        }
        None => Range {
            start: Position { line: 1, column: 1 },
            end: Position { line: 1, column: 1 },
        },
    }
}

pub fn render(a: &Analysis) -> String {
    render_all(&[(String::new(), a)])
}

/// Several workspaces in one document: every diagnostic (sorted by file,
/// line, column, code), the total summary, and each workspace's summary
/// under `workspaces` (only when there are several).
pub fn render_all(checked: &[(String, &Analysis)]) -> String {
    let mut diagnostics: Vec<JsonDiagnostic> = checked.iter().flat_map(|(_, a)| diagnostics(a)).collect();
    if checked.len() > 1 {
        diagnostics.sort_by(|x, y| {
            (x.file, x.range.start.line, x.range.start.column, x.code).cmp(&(
                y.file,
                y.range.start.line,
                y.range.start.column,
                y.code,
            ))
        });
    }
    let mut summary = Summary::default();
    for (_, a) in checked {
        summary.add(&a.summary);
    }
    let workspaces = if checked.len() > 1 {
        checked
            .iter()
            .map(|(root, a)| JsonWorkspace {
                root: root.as_str(),
                summary: a.summary,
            })
            .collect()
    } else {
        Vec::new()
    };
    let out = Output {
        version: 1,
        tool: Tool {
            name: "spec",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics,
        summary,
        workspaces,
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

fn diagnostics(a: &Analysis) -> impl Iterator<Item = JsonDiagnostic<'_>> {
    a.diagnostics.iter().map(|d| JsonDiagnostic {
        code: &d.code,
        severity: d.severity.as_str(),
        message: &d.message,
        file: a.sources.name(d.source),
        range: range(a, d.source, d.span),
        clause: d.clause.as_deref(),
        programme: d.programme.as_deref(),
        pathway: d.pathway.as_deref(),
        waived: d.is_waived(),
        waived_by: d.waived_by.as_ref().map(|w| WaivedBy {
            rule: &w.rule,
            file: a.sources.name(w.source),
            line: a
                .sources
                .get(w.source)
                .map(|s| s.line_col(w.span.start()).0)
                .unwrap_or(0),
            pending: w.pending,
        }),
        help: d.help.as_deref(),
    })
}
