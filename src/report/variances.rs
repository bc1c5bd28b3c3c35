//! The variance register: one record per variance of a catalogue, read
//! from the analysis (the variance's own diagnostics and the findings it
//! waived), never from a second evaluation.

use serde::Serialize;

use super::doc::{Block, Document, Inline, Row, Table};
use crate::analysis::Analysis;
use crate::diag::Severity;
use crate::model::{Programme, Variance};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Approved,
    Pending,
    /// It has errors of its own and waives nothing.
    Invalid,
    /// Valid, but waives nothing.
    Unused,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Pending => "pending",
            Status::Invalid => "invalid",
            Status::Unused => "unused",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub programme: String,
    pub file: String,
    pub line: usize,
    pub rule: String,
    pub clause: Option<String>,
    /// `applies-to`; empty: the whole programme.
    pub scope: Vec<String>,
    pub criterion: Option<String>,
    pub status: Status,
    /// The variance's own errors (status `invalid`).
    pub errors: Vec<String>,
    #[serde(flatten)]
    pub texts: VarianceTexts,
    pub validated: Option<String>,
    pub previous_validation: Option<String>,
    /// Findings it waives.
    pub waives: usize,
    /// PG.A1.7: variances are resubmitted prior to each subsequent
    /// validation; one that waives nothing is withdrawn instead (D61).
    pub resubmit: bool,
}

// What a variance says for itself, as the register and the export
// (`interchange::export`) both give it: the texts as written, dates as
// `YYYY-MM-DD`. Flattened into both records, so the fields keep their
// place in the JSON.
// (A `//` comment: a doc comment would become the export schema's
// description of `VarianceOut`, which flattens it.)
#[derive(Debug, Clone, Default, Serialize, schemars::JsonSchema)]
pub struct VarianceTexts {
    pub rationale: Option<String>,
    pub alternative: Option<String>,
    pub evidence: Option<String>,
    pub submitted: Option<String>,
    pub approved_by: Option<String>,
    pub approved_on: Option<String>,
}

impl VarianceTexts {
    pub fn of(v: &Variance) -> VarianceTexts {
        let s = |x: &Option<crate::span::Spanned<crate::span::Str>>| x.as_ref().map(|x| x.value.to_string());
        VarianceTexts {
            rationale: s(&v.rationale),
            alternative: s(&v.alternative),
            evidence: s(&v.evidence),
            submitted: v.submitted.as_ref().map(|d| d.value.to_string()),
            approved_by: v.approved.as_ref().map(|x| x.by.value.to_string()),
            approved_on: v
                .approved
                .as_ref()
                .and_then(|x| x.date.as_ref())
                .map(|d| d.value.to_string()),
        }
    }
}

impl Record {
    pub fn scope_text(&self) -> String {
        if self.scope.is_empty() {
            "whole programme".into()
        } else {
            self.scope.join(", ")
        }
    }
    pub fn status_text(&self) -> String {
        if self.errors.is_empty() {
            self.status.as_str().to_string()
        } else {
            format!("invalid: {}", self.errors.join("; "))
        }
    }
}

pub fn criterion_text(v: &Variance) -> Option<String> {
    v.criterion.as_ref().map(|c| match &c.body {
        Some(b) => format!("{} \"{}\"", c.name.value, b.value),
        None => c.name.value.to_string(),
    })
}

/// The record of each variance of `p`, in source order.
pub fn records(a: &Analysis, p: &Programme) -> Vec<Record> {
    let file = a.sources.name(p.source).to_string();
    let line_of = |off: usize| a.sources.get(p.source).map(|s| s.line_col(off).0).unwrap_or(0);
    p.variances
        .iter()
        .map(|v| {
            let own: Vec<_> = a
                .diagnostics
                .iter()
                .filter(|d| d.source == p.source && d.span.start() >= v.span.start() && d.span.end() <= v.span.end())
                .filter(|d| !d.is_waived())
                .collect();
            let errors: Vec<String> = own
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            let waives = a
                .diagnostics
                .iter()
                .filter(|d| {
                    d.waived_by
                        .as_ref()
                        .is_some_and(|w| w.source == p.source && w.span == v.head)
                })
                .count();
            let status = if !errors.is_empty() {
                Status::Invalid
            } else if own.iter().any(|d| d.code == "spec/variance-unused") {
                Status::Unused
            } else if v.approved.is_none() {
                Status::Pending
            } else if waives == 0 {
                Status::Unused
            } else {
                Status::Approved
            };
            Record {
                programme: p.code.value.to_string(),
                file: file.clone(),
                line: line_of(v.span.start()),
                rule: v.rule.value.to_string(),
                clause: v
                    .rule
                    .value
                    .split('/')
                    .next()
                    .filter(|c| !c.starts_with("spec"))
                    .map(str::to_string),
                scope: v.applies_to.iter().map(|x| x.value.to_string()).collect(),
                criterion: criterion_text(v),
                status,
                errors,
                texts: VarianceTexts::of(v),
                validated: p.validated.as_ref().map(|d| d.value.to_string()),
                previous_validation: p.previous_validation.as_ref().map(|d| d.value.to_string()),
                waives,
                resubmit: status != Status::Unused,
            }
        })
        .collect()
}

/// Every variance of the programmes defined in the analysis' primary
/// files, by file then source order.
pub fn register(a: &Analysis, programmes: &[&Programme]) -> Vec<Record> {
    programmes.iter().flat_map(|p| records(a, p)).collect()
}

pub const COLUMNS: [&str; 14] = [
    "programme",
    "rule",
    "clause",
    "scope",
    "criterion",
    "status",
    "submitted",
    "approved by",
    "approved on",
    "validated",
    "previous validation",
    "waives",
    "resubmit",
    "file",
];

/// A record's cells, in [`COLUMNS`] order, as plain text.
pub fn cells(r: &Record) -> [String; 14] {
    let o = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
    [
        r.programme.clone(),
        r.rule.clone(),
        o(&r.clause),
        r.scope_text(),
        o(&r.criterion),
        r.status_text(),
        o(&r.texts.submitted),
        o(&r.texts.approved_by),
        o(&r.texts.approved_on),
        o(&r.validated),
        o(&r.previous_validation),
        r.waives.to_string(),
        if r.resubmit { "yes" } else { "no" }.into(),
        format!("{}:{}", r.file, r.line),
    ]
}

/// The register as a document.
pub fn document(records: &[Record]) -> Document {
    let mut d = Document::new("Variance register");
    d.heading(1, "Variance register");
    d.para(format!(
        "{} variance{} ({} approved, {} pending, {} invalid, {} unused). Resubmit: PG.A1.7 asks for variances to be resubmitted prior to each subsequent validation; an unused one is withdrawn instead.",
        records.len(),
        if records.len() == 1 { "" } else { "s" },
        records.iter().filter(|r| r.status == Status::Approved).count(),
        records.iter().filter(|r| r.status == Status::Pending).count(),
        records.iter().filter(|r| r.status == Status::Invalid).count(),
        records.iter().filter(|r| r.status == Status::Unused).count(),
    ));
    if records.is_empty() {
        d.para("No programme here has a variance.");
        return d;
    }
    let rows = records
        .iter()
        .map(|r| {
            let c = cells(r);
            Row::Cells(
                c.iter()
                    .enumerate()
                    .map(|(i, s)| match i {
                        0 | 1 | 13 => Inline::code(s.clone()),
                        5 => Inline::message(s),
                        _ => Inline::text(s.clone()),
                    })
                    .collect(),
            )
        })
        .collect();
    d.push(Block::Table(Table {
        head: COLUMNS.iter().map(|c| c.to_string()).collect(),
        rows,
    }));
    d
}
