//! `spec impact --framework ID`: each programme checked under its own
//! framework and under ID (two analyses of the same texts, each the one
//! `spec check` and `spec check --framework ID` make); per programme, the
//! findings ID adds and removes (its [`super::scope::result`] under each).

use std::collections::BTreeMap;

use serde::Serialize;

use super::doc::{Block, Document, Inline, Row, Table};
use super::scope;
use crate::analysis::Analysis;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub waived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeImpact {
    pub programme: String,
    pub title: String,
    pub framework: Option<String>,
    pub errors_before: usize,
    pub errors_after: usize,
    pub warnings_before: usize,
    pub warnings_after: usize,
    pub added: Vec<Finding>,
    pub removed: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub version: u32,
    pub framework: String,
    pub programmes: Vec<ProgrammeImpact>,
}

fn findings(a: &Analysis, r: &scope::Result) -> Vec<Finding> {
    let mut v: Vec<Finding> = r
        .diagnostics
        .iter()
        .map(|d| Finding {
            file: a.sources.name(d.source).to_string(),
            line: a
                .sources
                .get(d.source)
                .map(|s| s.line_col(d.span.start()).0)
                .unwrap_or(0),
            code: d.code.clone(),
            severity: d.severity.as_str(),
            message: d.message.clone(),
            waived: d.is_waived(),
        })
        .collect();
    v.sort();
    v
}

/// `a - b` as multisets, positions ignored (the texts are the same, but a
/// finding is the same finding wherever the rule puts its span).
fn minus(a: &[Finding], b: &[Finding]) -> Vec<Finding> {
    let key = |f: &Finding| (f.file.clone(), f.code.clone(), f.severity, f.message.clone(), f.waived);
    let mut count: BTreeMap<_, usize> = BTreeMap::new();
    for f in b {
        *count.entry(key(f)).or_default() += 1;
    }
    a.iter()
        .filter(|f| match count.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// `own`: the analysis with each programme's own framework; `under`: with
/// `framework`. `programmes`: the codes to report, in order.
pub fn impact(own: &Analysis, under: &Analysis, framework: &str, programmes: &[String]) -> Impact {
    let mut out = Vec::new();
    for code in programmes {
        let (Some(p), Some(q)) = (
            own.workspace.programmes.iter().find(|p| p.code.value == *code),
            under.workspace.programmes.iter().find(|p| p.code.value == *code),
        ) else {
            continue;
        };
        let (r1, r2) = (scope::result(own, p), scope::result(under, q));
        let (f1, f2) = (findings(own, &r1), findings(under, &r2));
        out.push(ProgrammeImpact {
            programme: code.clone(),
            title: p.title.to_string(),
            framework: p.framework.as_ref().map(|f| f.value.to_string()),
            errors_before: r1.errors,
            errors_after: r2.errors,
            warnings_before: r1.warnings,
            warnings_after: r2.warnings,
            added: minus(&f2, &f1),
            removed: minus(&f1, &f2),
        });
    }
    Impact {
        version: 1,
        framework: framework.to_string(),
        programmes: out,
    }
}

fn table(fs: &[Finding]) -> Table {
    Table {
        head: vec!["severity".into(), "rule".into(), "where".into(), "message".into()],
        rows: fs
            .iter()
            .map(|f| {
                Row::Cells(vec![
                    Inline::text(if f.waived {
                        format!("{} (waived)", f.severity)
                    } else {
                        f.severity.to_string()
                    }),
                    Inline::code(f.code.clone()),
                    Inline::code(format!("{}:{}", f.file, f.line)),
                    Inline::message(&f.message),
                ])
            })
            .collect(),
    }
}

pub fn document(i: &Impact) -> Document {
    let title = format!("Impact of {}", i.framework);
    let mut d = Document::new(title.clone());
    d.heading(1, Inline::text("Impact of ").then_code(i.framework.clone()));
    d.para(
        "Each programme checked under its own framework and under this one: the findings the new framework adds and removes.",
    );
    d.push(Block::Table(Table {
        head: vec![
            "programme".into(),
            "own framework".into(),
            "errors".into(),
            "warnings".into(),
            "added".into(),
            "removed".into(),
        ],
        rows: i
            .programmes
            .iter()
            .map(|p| {
                Row::Cells(vec![
                    Inline::code(p.programme.clone()),
                    Inline::text(p.framework.clone().unwrap_or_else(|| "-".into())),
                    Inline::text(format!("{} -> {}", p.errors_before, p.errors_after)),
                    Inline::text(format!("{} -> {}", p.warnings_before, p.warnings_after)),
                    Inline::text(p.added.len().to_string()),
                    Inline::text(p.removed.len().to_string()),
                ])
            })
            .collect(),
    }));
    for p in &i.programmes {
        d.heading(2, Inline::code(p.programme.clone()).then_text(format!(" {}", p.title)));
        if p.added.is_empty() && p.removed.is_empty() {
            d.para("No finding changes.");
            continue;
        }
        if !p.added.is_empty() {
            d.heading(3, "Added");
            d.push(Block::Table(table(&p.added)));
        }
        if !p.removed.is_empty() {
            d.heading(3, "Removed");
            d.push(Block::Table(table(&p.removed)));
        }
    }
    d
}
