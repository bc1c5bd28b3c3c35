//! `spec diff`: what a change does, from the analyses of the two versions
//! (each the same analysis `spec check` makes): modules added, removed and
//! changed, each programme's structure and pathway count before and after,
//! variances added, removed and changed, and the diagnostics the change
//! introduces and resolves.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::doc::{Block, Document, Inline, Row, Table};
use super::variances::{self, Record};
use crate::analysis::Analysis;
use crate::diag::Severity;
use crate::model::pathways::PathwaySpace;
use crate::model::{Membership, Module, Programme, Workspace};

/// One version: its analysis and the prefix its file names carry (the
/// directory given), stripped so that both versions name files alike.
pub struct Side<'a> {
    pub analysis: &'a Analysis,
    pub prefix: String,
}

impl Side<'_> {
    fn name(&self, id: usize) -> String {
        let n = self.analysis.sources.name(id);
        n.strip_prefix(&self.prefix)
            .map(|s| s.trim_start_matches('/').to_string())
            .unwrap_or_else(|| n.to_string())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleSummary {
    pub code: String,
    pub title: String,
    pub credits: Option<u64>,
    pub level: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// A module code, a programme code, or `PROGRAMME rule [scope]`.
    pub key: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeDiff {
    pub code: String,
    pub title: String,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub status: &'static str,
    /// The programme's own properties that changed (title, award,
    /// credits, dates, ...); the structure and pathways are below.
    pub changes: Vec<FieldChange>,
    pub structure_before: Vec<String>,
    pub structure_after: Vec<String>,
    /// `None`: no pathways could be formed (or the programme is absent).
    pub pathways_before: Option<String>,
    pub pathways_after: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct DiagnosticSummary {
    pub file: String,
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub programme: Option<String>,
    pub waived: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VarianceSummary {
    pub programme: String,
    pub rule: String,
    pub scope: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub version: u32,
    pub modules_added: Vec<ModuleSummary>,
    pub modules_removed: Vec<ModuleSummary>,
    pub modules_changed: Vec<Changed>,
    pub programmes: Vec<ProgrammeDiff>,
    pub variances_added: Vec<VarianceSummary>,
    pub variances_removed: Vec<VarianceSummary>,
    pub variances_changed: Vec<Changed>,
    pub introduced: Vec<DiagnosticSummary>,
    pub resolved: Vec<DiagnosticSummary>,
}

impl Diff {
    /// Exit status: 1 when the change introduces an error (not waived).
    pub fn exit_status(&self) -> u8 {
        u8::from(self.introduced.iter().any(|d| d.severity == "error" && !d.waived))
    }
}

fn modules(ws: &Workspace) -> BTreeMap<String, &Module> {
    let mut out = BTreeMap::new();
    for m in &ws.modules {
        out.entry(m.code.value.to_string()).or_insert(m);
    }
    out
}

fn summary(m: &Module) -> ModuleSummary {
    ModuleSummary {
        code: m.code.value.to_string(),
        title: m.title.to_string(),
        credits: m.credits.as_ref().map(|c| c.value),
        level: m.level.as_ref().map(|c| c.value),
    }
}

/// Where each programme places a module: `MSCDS: year 1, semester 2 (core)`.
fn placements(ws: &Workspace, code: &str) -> String {
    let mut out = Vec::new();
    for p in &ws.programmes {
        let Some(s) = &p.structure else { continue };
        for e in s.entries.iter().filter(|e| e.code.value == code) {
            let at = match (e.period, e.stage) {
                (Some(per), _) if per.spanning() => format!("year {}, semesters {}-{}", per.year, per.start, per.end),
                (Some(per), _) => format!("year {}, semester {}", per.year, per.start),
                (None, Some(n)) => format!("stage {n}"),
                (None, None) => "not placed".into(),
            };
            let how = match e.membership {
                Membership::Core => "core".to_string(),
                Membership::Option(g) => s
                    .groups
                    .get(g as usize)
                    .map(|g| format!("option \"{}\"", g.title.value))
                    .unwrap_or_else(|| "option".into()),
            };
            out.push(format!("{}: {at} ({how})", p.code.value));
        }
    }
    out.join("; ")
}

fn module_fields(ws: &Workspace, m: &Module) -> Vec<(&'static str, String)> {
    let opt = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
    vec![
        ("title", m.title.to_string()),
        ("credits", opt(m.credits.as_ref().map(|c| c.value))),
        ("level", opt(m.level.as_ref().map(|c| c.value))),
        ("placement", placements(ws, &m.code.value)),
        (
            "prerequisites",
            m.requires
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "outcomes",
            m.outcomes
                .iter()
                .map(|o| format!("{} \"{}\"", o.code.value, o.text.value))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "assessments",
            m.assessments
                .iter()
                .map(|a| {
                    format!(
                        "{} \"{}\" {} {} covers {}",
                        a.code.value,
                        a.title.value,
                        a.kind.as_ref().map(|k| k.value.as_str()).unwrap_or("?"),
                        a.weight
                            .as_ref()
                            .map(|w| format!("{}%", w.value))
                            .unwrap_or_else(|| "-".into()),
                        a.covers.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
    ]
}

fn programme_fields(p: &Programme) -> Vec<(&'static str, String)> {
    let s = |x: &Option<crate::span::Spanned<crate::span::Str>>| {
        x.as_ref().map(|v| v.value.to_string()).unwrap_or_else(|| "-".into())
    };
    let d = |x: &Option<crate::span::Spanned<crate::syntax::ast::Date>>| {
        x.as_ref().map(|v| v.value.to_string()).unwrap_or_else(|| "-".into())
    };
    let list = |v: &[crate::span::Spanned<crate::span::Str>]| {
        v.iter().map(|x| x.value.as_str()).collect::<Vec<_>>().join(", ")
    };
    vec![
        ("title", p.title.to_string()),
        ("award", s(&p.award)),
        ("framework", s(&p.framework)),
        (
            "credits",
            p.credits
                .as_ref()
                .map(|c| c.value.to_string())
                .unwrap_or_else(|| "-".into()),
        ),
        ("modes", list(&p.modes)),
        ("language", s(&p.language)),
        ("delivery", s(&p.delivery)),
        ("starts", d(&p.starts)),
        ("validated", d(&p.validated)),
        ("previous validation", d(&p.previous_validation)),
        ("accreditations", list(&p.accreditations)),
        (
            "exit awards",
            p.exit_awards
                .iter()
                .map(|e| format!("{} {}", e.award.value, e.credits.value))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]
}

fn field_changes(before: Vec<(&'static str, String)>, after: Vec<(&'static str, String)>) -> Vec<FieldChange> {
    before
        .into_iter()
        .zip(after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| FieldChange {
            field: b.0.to_string(),
            before: b.1,
            after: a.1,
        })
        .collect()
}

/// The structure as lines of text, one per `core`/`option` line.
pub fn structure_lines(p: &Programme) -> Vec<String> {
    let Some(s) = &p.structure else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < s.entries.len() {
        let e = &s.entries[i];
        let mut j = i + 1;
        while j < s.entries.len() && s.entries[j].line_span == e.line_span && s.entries[j].membership == e.membership {
            j += 1;
        }
        let codes = s.entries[i..j]
            .iter()
            .map(|e| e.code.value.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let head = match e.membership {
            Membership::Core => "core".to_string(),
            Membership::Option(g) => s
                .groups
                .get(g as usize)
                .map(|g| format!("option \"{}\" choose {} credits from", g.title.value, g.choose.value))
                .unwrap_or_else(|| "option".into()),
        };
        let stage = e.stage.map(|n| format!("stage {n}: ")).unwrap_or_default();
        let at = match e.period {
            Some(per) if per.spanning() => format!(" year {} semesters {}-{}", per.year, per.start, per.end),
            Some(per) => format!(" year {} semester {}", per.year, per.start),
            None => String::new(),
        };
        out.push(format!("{stage}{head} {codes}{at}"));
        i = j;
    }
    out
}

fn pathways(ws: &Workspace, p: &Programme) -> Option<String> {
    PathwaySpace::new(ws, p).ok().map(|s| s.count().to_string())
}

fn variance_key(r: &Record) -> String {
    format!("{} {} [{}]", r.programme, r.rule, r.scope_text())
}

fn variance_fields(r: &Record) -> Vec<(&'static str, String)> {
    let o = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
    vec![
        ("criterion", o(&r.criterion)),
        ("rationale", o(&r.texts.rationale)),
        ("alternative", o(&r.texts.alternative)),
        ("evidence", o(&r.texts.evidence)),
        ("submitted", o(&r.texts.submitted)),
        ("approved by", o(&r.texts.approved_by)),
        ("approved on", o(&r.texts.approved_on)),
        ("status", r.status_text()),
        ("waives", r.waives.to_string()),
    ]
}

fn all_variances(a: &Analysis) -> BTreeMap<String, Record> {
    let mut out = BTreeMap::new();
    for p in &a.workspace.programmes {
        for r in variances::records(a, p) {
            out.entry(variance_key(&r)).or_insert(r);
        }
    }
    out
}

fn diagnostics(side: &Side) -> Vec<DiagnosticSummary> {
    let mut v: Vec<DiagnosticSummary> = side
        .analysis
        .diagnostics
        .iter()
        .map(|d| DiagnosticSummary {
            file: side.name(d.source),
            code: d.code.clone(),
            severity: d.severity.as_str(),
            message: d.message.clone(),
            programme: d.programme.clone(),
            waived: d.is_waived(),
        })
        .collect();
    v.sort();
    v
}

/// `a - b` as multisets (both sorted).
fn minus(a: &[DiagnosticSummary], b: &[DiagnosticSummary]) -> Vec<DiagnosticSummary> {
    let mut count: BTreeMap<&DiagnosticSummary, usize> = BTreeMap::new();
    for d in b {
        *count.entry(d).or_default() += 1;
    }
    let mut out = Vec::new();
    for d in a {
        match count.get_mut(d) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(d.clone()),
        }
    }
    out
}

pub fn diff(old: &Side, new: &Side) -> Diff {
    let (ows, nws) = (&old.analysis.workspace, &new.analysis.workspace);
    let (om, nm) = (modules(ows), modules(nws));
    let modules_added = nm
        .iter()
        .filter(|(k, _)| !om.contains_key(*k))
        .map(|(_, m)| summary(m))
        .collect();
    let modules_removed = om
        .iter()
        .filter(|(k, _)| !nm.contains_key(*k))
        .map(|(_, m)| summary(m))
        .collect();
    let modules_changed = om
        .iter()
        .filter_map(|(k, o)| {
            let n = nm.get(k)?;
            let changes = field_changes(module_fields(ows, o), module_fields(nws, n));
            (!changes.is_empty()).then(|| Changed {
                key: k.clone(),
                changes,
            })
        })
        .collect();

    let codes: BTreeSet<&str> = ows
        .programmes
        .iter()
        .chain(&nws.programmes)
        .map(|p| p.code.value.as_str())
        .collect();
    let programmes = codes
        .into_iter()
        .map(|code| {
            let o = ows.programmes.iter().find(|p| p.code.value == code);
            let n = nws.programmes.iter().find(|p| p.code.value == code);
            let structure_before = o.map(structure_lines).unwrap_or_default();
            let structure_after = n.map(structure_lines).unwrap_or_default();
            let pathways_before = o.and_then(|p| pathways(ows, p));
            let pathways_after = n.and_then(|p| pathways(nws, p));
            let changes = match (o, n) {
                (Some(o), Some(n)) => field_changes(programme_fields(o), programme_fields(n)),
                _ => Vec::new(),
            };
            let status = match (o, n) {
                (None, _) => "added",
                (_, None) => "removed",
                _ if !changes.is_empty()
                    || structure_before != structure_after
                    || pathways_before != pathways_after =>
                {
                    "changed"
                }
                _ => "unchanged",
            };
            ProgrammeDiff {
                code: code.to_string(),
                title: n.or(o).map(|p| p.title.to_string()).unwrap_or_default(),
                status,
                changes,
                structure_before,
                structure_after,
                pathways_before,
                pathways_after,
            }
        })
        .collect();

    let (ov, nv) = (all_variances(old.analysis), all_variances(new.analysis));
    let vs = |r: &Record| VarianceSummary {
        programme: r.programme.clone(),
        rule: r.rule.clone(),
        scope: r.scope_text(),
        status: r.status_text(),
    };
    let variances_added = nv
        .iter()
        .filter(|(k, _)| !ov.contains_key(*k))
        .map(|(_, r)| vs(r))
        .collect();
    let variances_removed = ov
        .iter()
        .filter(|(k, _)| !nv.contains_key(*k))
        .map(|(_, r)| vs(r))
        .collect();
    let variances_changed = ov
        .iter()
        .filter_map(|(k, o)| {
            let n = nv.get(k)?;
            let changes = field_changes(variance_fields(o), variance_fields(n));
            (!changes.is_empty()).then(|| Changed {
                key: k.clone(),
                changes,
            })
        })
        .collect();

    let (od, nd) = (diagnostics(old), diagnostics(new));
    Diff {
        version: 1,
        modules_added,
        modules_removed,
        modules_changed,
        programmes,
        variances_added,
        variances_removed,
        variances_changed,
        introduced: minus(&nd, &od),
        resolved: minus(&od, &nd),
    }
}

fn changes_table(items: &[Changed], what: &str) -> Table {
    let mut rows = Vec::new();
    for c in items {
        rows.push(Row::Group(Inline::code(c.key.clone())));
        for f in &c.changes {
            rows.push(Row::Cells(vec![
                Inline::text(f.field.clone()),
                Inline::text(f.before.clone()),
                Inline::text(f.after.clone()),
            ]));
        }
    }
    Table {
        head: vec![what.to_string(), "before".into(), "after".into()],
        rows,
    }
}

fn diag_table(items: &[DiagnosticSummary]) -> Table {
    Table {
        head: vec!["severity".into(), "rule".into(), "file".into(), "message".into()],
        rows: items
            .iter()
            .map(|d| {
                Row::Cells(vec![
                    Inline::text(if d.waived {
                        format!("{} (waived)", d.severity)
                    } else {
                        d.severity.to_string()
                    }),
                    Inline::code(d.code.clone()),
                    Inline::code(d.file.clone()),
                    Inline::message(&d.message),
                ])
            })
            .collect(),
    }
}

pub fn document(d: &Diff, old_name: &str, new_name: &str) -> Document {
    let mut doc = Document::new("Change review");
    doc.heading(1, "Change review");
    let errors = d
        .introduced
        .iter()
        .filter(|x| x.severity == "error" && !x.waived)
        .count();
    doc.push(Block::Status {
        ok: errors == 0,
        text: Inline::text(format!(
            "{} diagnostic{} introduced ({errors} error{}), {} resolved",
            d.introduced.len(),
            if d.introduced.len() == 1 { "" } else { "s" },
            if errors == 1 { "" } else { "s" },
            d.resolved.len()
        )),
    });
    doc.push(Block::Facts(vec![
        ("Before".into(), Inline::code(old_name)),
        ("After".into(), Inline::code(new_name)),
    ]));

    doc.heading(2, "Modules");
    let list = |ms: &[ModuleSummary]| {
        Block::List(
            ms.iter()
                .map(|m| {
                    Inline::code(m.code.clone()).then_text(format!(
                        " {} ({} credits, level {})",
                        m.title,
                        m.credits.map(|c| c.to_string()).unwrap_or_else(|| "?".into()),
                        m.level.map(|c| c.to_string()).unwrap_or_else(|| "?".into())
                    ))
                })
                .collect(),
        )
    };
    if d.modules_added.is_empty() && d.modules_removed.is_empty() && d.modules_changed.is_empty() {
        doc.para("No module changed.");
    }
    if !d.modules_added.is_empty() {
        doc.heading(3, "Added");
        doc.push(list(&d.modules_added));
    }
    if !d.modules_removed.is_empty() {
        doc.heading(3, "Removed");
        doc.push(list(&d.modules_removed));
    }
    if !d.modules_changed.is_empty() {
        doc.heading(3, "Changed");
        doc.push(Block::Table(changes_table(&d.modules_changed, "module")));
    }

    doc.heading(2, "Programmes");
    let rows = d
        .programmes
        .iter()
        .map(|p| {
            let o = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
            Row::Cells(vec![
                Inline::code(p.code.clone()),
                Inline::text(p.title.clone()),
                Inline::text(p.status),
                Inline::text(format!("{} -> {}", o(&p.pathways_before), o(&p.pathways_after))),
            ])
        })
        .collect();
    doc.push(Block::Table(Table {
        head: vec![
            "programme".into(),
            "title".into(),
            "change".into(),
            "pathways before -> after".into(),
        ],
        rows,
    }));
    for p in d.programmes.iter().filter(|p| !p.changes.is_empty()) {
        doc.heading(3, Inline::code(p.code.clone()).then_text(" properties"));
        doc.push(Block::Table(Table {
            head: vec!["property".into(), "before".into(), "after".into()],
            rows: p
                .changes
                .iter()
                .map(|c| {
                    Row::Cells(vec![
                        Inline::text(c.field.clone()),
                        Inline::text(c.before.clone()),
                        Inline::text(c.after.clone()),
                    ])
                })
                .collect(),
        }));
    }
    for p in d
        .programmes
        .iter()
        .filter(|p| p.status != "unchanged" && p.structure_before != p.structure_after)
    {
        doc.heading(3, Inline::code(p.code.clone()).then_text(" structure"));
        let n = p.structure_before.len().max(p.structure_after.len());
        let rows = (0..n)
            .map(|i| {
                let cell = |v: &Vec<String>| Inline::text(v.get(i).cloned().unwrap_or_default());
                Row::Cells(vec![cell(&p.structure_before), cell(&p.structure_after)])
            })
            .collect();
        doc.push(Block::Table(Table {
            head: vec!["before".into(), "after".into()],
            rows,
        }));
    }

    doc.heading(2, "Variances");
    let vlist = |vs: &[VarianceSummary]| {
        Block::List(
            vs.iter()
                .map(|v| {
                    Inline::code(v.programme.clone())
                        .then_text(" ")
                        .then_code(v.rule.clone())
                        .then_text(format!(" ({}): {}", v.scope, v.status))
                })
                .collect(),
        )
    };
    if d.variances_added.is_empty() && d.variances_removed.is_empty() && d.variances_changed.is_empty() {
        doc.para("No variance changed.");
    }
    if !d.variances_added.is_empty() {
        doc.heading(3, "Added");
        doc.push(vlist(&d.variances_added));
    }
    if !d.variances_removed.is_empty() {
        doc.heading(3, "Removed");
        doc.push(vlist(&d.variances_removed));
    }
    if !d.variances_changed.is_empty() {
        doc.heading(3, "Changed");
        doc.push(Block::Table(changes_table(&d.variances_changed, "variance")));
    }

    doc.heading(2, "Diagnostics introduced");
    if d.introduced.is_empty() {
        doc.para("None.");
    } else {
        doc.push(Block::Table(diag_table(&d.introduced)));
    }
    doc.heading(2, "Diagnostics resolved");
    if d.resolved.is_empty() {
        doc.para("None.");
    } else {
        doc.push(Block::Table(diag_table(&d.resolved)));
    }
    let _ = Severity::Error;
    doc
}
