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
            let (l1, c1) = s.line_col(span.start as usize);
            let (l2, c2) = s.line_col(span.end as usize);
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
    let diagnostics = a
        .diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
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
                    .map(|s| s.line_col(w.span.start as usize).0)
                    .unwrap_or(0),
                pending: w.pending,
            }),
            help: d.help.as_deref(),
        })
        .collect();
    let out = Output {
        version: 1,
        tool: Tool {
            name: "spec",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics,
        summary: a.summary,
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
