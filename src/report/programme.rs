//! The programme specification as a [`Document`]: key facts, provenance,
//! the structure grouped by stage, core line and option group, credits per
//! study period on one credit scale, the layered prerequisite graph, the
//! modules, the variances in full, and the check result, which is
//! [`scope::result`]: exactly what `spec check` reports for the programme.

use std::collections::BTreeSet;

use super::doc::{fmt_sixths, Bar, Block, Chart, Document, Graph, Inline, Node, Row, Segment, Table};
use super::scope;
use super::variances;
use crate::analysis::Analysis;
use crate::model::pathways::PathwaySpace;
use crate::model::{Entry, Membership, Module, Programme, Structure, Workspace};

/// Where the document came from (provenance).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub tool: String,
}

impl Provenance {
    /// Today (UTC), or `SOURCE_DATE_EPOCH` when it is set (reproducible
    /// documents, D62).
    pub fn now() -> Provenance {
        let secs = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0)
            });
        Provenance {
            date: civil_date(secs / 86_400),
            tool: format!("spec {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Days since 1970-01-01 as a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_date(days: u64) -> String {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Where a module's credits fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Semester(u64, u64),
    /// A stage without placements (block delivery).
    Stage(u64),
    Unplaced,
}

/// How placements read: a one-year programme has no year.
struct Placements {
    multi_year: bool,
}

impl Placements {
    fn of(s: &Structure) -> Placements {
        Placements {
            multi_year: s.entries.iter().filter_map(|e| e.period).any(|p| p.year != 1),
        }
    }
    fn slot(&self, slot: Slot, p: &Programme) -> String {
        match slot {
            Slot::Semester(y, s) if self.multi_year => format!("Year {y}, semester {s}"),
            Slot::Semester(_, s) => format!("Semester {s}"),
            Slot::Stage(n) => stage_title(p, n),
            Slot::Unplaced => "Unplaced".into(),
        }
    }
    fn entry(&self, e: &Entry, _p: &Programme) -> String {
        match (e.period, e.stage) {
            (Some(per), _) => {
                let sem = if per.spanning() {
                    format!("semesters {}-{}", per.start, per.end)
                } else {
                    format!("semester {}", per.start)
                };
                if self.multi_year {
                    format!("year {}, {sem}", per.year)
                } else {
                    sem
                }
            }
            (None, Some(n)) => format!("stage {n}"),
            (None, None) => "not placed".into(),
        }
    }
}

fn stage_title(p: &Programme, n: u64) -> String {
    let title = p
        .structure
        .as_ref()
        .and_then(|s| s.stages.iter().find(|st| st.number.value == n))
        .and_then(|st| st.title.as_ref())
        .map(|t| format!(": {}", t.value))
        .unwrap_or_default();
    format!("Stage {n}{title}")
}

fn sixths(credits: u64, semesters: u64) -> i64 {
    (credits.saturating_mul(6) / semesters.max(1)).min(i64::MAX as u64 / 8) as i64
}

/// Builds the report of each programme into one document.
pub fn document(a: &Analysis, programmes: &[&Programme], prov: &Provenance) -> Document {
    let title = programmes
        .first()
        .map(|p| format!("{} ({})", p.title, p.code.value))
        .unwrap_or_default();
    let mut d = Document::new(title);
    for (i, p) in programmes.iter().enumerate() {
        if i > 0 {
            d.push(Block::Separator);
        }
        programme(&mut d, a, p, prov);
    }
    d
}

fn programme(d: &mut Document, a: &Analysis, p: &Programme, prov: &Provenance) {
    let ws = &a.workspace;
    let result = scope::result(a, p);
    let sc = scope::scope(a, p);
    d.heading(1, format!("{} ({})", p.title, p.code.value));
    d.push(Block::Status {
        ok: result.errors == 0,
        text: Inline::text(format!("Check result: {}", result.summary())),
    });
    let space = PathwaySpace::new(ws, p);
    d.push(Block::Facts(facts(p, space.as_ref().ok().map(PathwaySpace::count))));

    d.heading(2, "Provenance");
    let framework = p
        .framework
        .as_ref()
        .map(|f| f.value.clone())
        .unwrap_or_else(|| "none named".into());
    let files: Vec<Inline> = sc.files.iter().map(|&f| Inline::code(a.sources.name(f))).collect();
    let mut files_line = Inline::default();
    for (i, f) in files.into_iter().enumerate() {
        if i > 0 {
            files_line = files_line.then_text(", ");
        }
        files_line.0.extend(f.0);
    }
    d.push(Block::Facts(vec![
        ("Generated".into(), Inline::text(prov.date.clone())),
        ("Tool".into(), Inline::text(prov.tool.clone())),
        ("Framework".into(), Inline::code(framework)),
        ("Source files".into(), files_line),
    ]));

    let Some(s) = &p.structure else {
        d.heading(2, "Structure");
        d.para("No structure is given.");
        check_result(d, a, &result);
        return;
    };
    let place = Placements::of(s);
    d.heading(2, "Structure");
    d.push(Block::Table(structure_table(ws, p, s, &place)));

    d.heading(2, "Credits per period");
    let (chart, note) = credits_chart(ws, p, s, &place, space.as_ref().ok());
    let totals = credits_table(&chart);
    d.push(Block::Chart(chart));
    d.push(Block::Table(totals));
    if let Some(n) = note {
        d.note(n);
    }

    d.heading(2, "Prerequisites");
    let modules = structure_modules(ws, s);
    prerequisite_graph(d, ws, &modules);

    d.heading(2, "Modules");
    for m in &modules {
        module(d, m);
    }

    let records = variances::records(a, p);
    if !records.is_empty() {
        d.heading(2, "Variances");
        for r in &records {
            d.heading(3, Inline::code(r.rule.clone()));
            let o = |x: &Option<String>| Inline::text(x.clone().unwrap_or_else(|| "-".into()));
            d.push(Block::Facts(vec![
                ("Status".into(), Inline::message(&r.status_text())),
                ("Applies to".into(), Inline::text(r.scope_text())),
                ("Criterion".into(), o(&r.criterion)),
                ("Rationale".into(), o(&r.texts.rationale)),
                ("Alternative".into(), o(&r.texts.alternative)),
                ("Evidence".into(), o(&r.texts.evidence)),
                ("Submitted".into(), o(&r.texts.submitted)),
                ("Approved by".into(), o(&r.texts.approved_by)),
                ("Approved on".into(), o(&r.texts.approved_on)),
                (
                    "Waives".into(),
                    Inline::text(format!("{} finding{}", r.waives, if r.waives == 1 { "" } else { "s" })),
                ),
            ]));
        }
    }
    check_result(d, a, &result);
}

fn check_result(d: &mut Document, a: &Analysis, r: &scope::Result) {
    d.heading(2, "Check result");
    d.para(Inline::message(&format!(
        "{}: what `spec check` reports for this programme, its modules and their prerequisites.",
        r.summary()
    )));
    if r.diagnostics.is_empty() {
        d.para("No diagnostics.");
        return;
    }
    let rows = r
        .diagnostics
        .iter()
        .map(|x| {
            let sev = if x.is_waived() {
                format!("{} (waived)", x.severity.as_str())
            } else {
                x.severity.as_str().to_string()
            };
            let line = a
                .sources
                .get(x.source)
                .map(|s| s.line_col(x.span.start()).0)
                .unwrap_or(0);
            Row::Cells(vec![
                Inline::text(sev),
                Inline::code(x.code.clone()),
                Inline::code(format!("{}:{line}", a.sources.name(x.source))),
                Inline::message(&x.message),
            ])
        })
        .collect();
    d.push(Block::Table(Table {
        head: vec!["Severity".into(), "Rule".into(), "Where".into(), "Message".into()],
        rows,
    }));
}

fn facts(p: &Programme, pathways: Option<u128>) -> Vec<(String, Inline)> {
    let v = |x: &Option<crate::span::Spanned<crate::span::Str>>| x.as_ref().map(|x| x.value.to_string());
    let mut out: Vec<(String, Inline)> = vec![("Code".into(), Inline::code(p.code.value.clone()))];
    let mut add = |k: &str, v: String| out.push((k.into(), Inline::text(v)));
    if let Some(a) = v(&p.award) {
        add("Award", a);
    }
    if let Some(f) = v(&p.framework) {
        add("Framework", f);
    }
    if let Some(c) = &p.credits {
        add("Credits", c.value.to_string());
    }
    if !p.modes.is_empty() {
        add(
            "Mode",
            p.modes.iter().map(|m| m.value.as_str()).collect::<Vec<_>>().join(", "),
        );
    }
    add("Delivery", p.delivery().to_string());
    if let Some(l) = v(&p.language) {
        add("Language", l);
    }
    if let Some(d) = &p.starts {
        add("First intake", d.value.to_string());
    }
    if let Some(d) = &p.validated {
        add("Validated", d.value.to_string());
    }
    if let Some(d) = &p.previous_validation {
        add("Previous validation", d.value.to_string());
    }
    if !p.accreditations.is_empty() {
        add(
            "Accreditation",
            p.accreditations
                .iter()
                .map(|a| a.value.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
    }
    if !p.exit_awards.is_empty() {
        add(
            "Exit awards",
            p.exit_awards
                .iter()
                .map(|e| format!("{} ({} credits)", e.award.value, e.credits.value))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    for partner in &p.partners {
        let model = partner
            .model
            .as_ref()
            .map(|m| format!(" ({})", m.value))
            .unwrap_or_default();
        add("Partner", format!("{}{model}", partner.name.value));
    }
    if let Some(n) = pathways {
        add("Pathways", n.to_string());
    }
    out
}

/// The group a structure line forms: its stage, membership and line.
fn group_title(p: &Programme, s: &Structure, entries: &[&Entry], place: &Placements) -> Inline {
    let first = entries[0];
    let shared = entries
        .iter()
        .all(|e| place.entry(e, p) == place.entry(first, p))
        .then(|| place.entry(first, p));
    let shared = shared.filter(|_| first.period.is_some());
    let base = match first.membership {
        Membership::Core => Inline::strong("Core"),
        Membership::Option(g) => match s.groups.get(g as usize) {
            Some(g) => Inline::strong(format!("Option \"{}\"", g.title.value))
                .then_text(format!(": choose {} credits", g.choose.value)),
            None => Inline::strong("Option"),
        },
    };
    match shared {
        Some(pl) => base.then_text(format!(", {pl}")),
        None => base,
    }
}

fn structure_table(ws: &Workspace, p: &Programme, s: &Structure, place: &Placements) -> Table {
    let mut rows = Vec::new();
    let mut i = 0;
    let mut stage: Option<Option<u64>> = None;
    while i < s.entries.len() {
        let e = &s.entries[i];
        // The line: consecutive entries of one `core`/`option` line.
        let mut j = i + 1;
        while j < s.entries.len()
            && s.entries[j].line_span == e.line_span
            && s.entries[j].membership == e.membership
            && s.entries[j].stage == e.stage
        {
            j += 1;
        }
        if stage != Some(e.stage) {
            if let Some(n) = e.stage {
                rows.push(Row::Group(Inline::strong(stage_title(p, n))));
            }
            stage = Some(e.stage);
        }
        let line: Vec<&Entry> = s.entries[i..j].iter().collect();
        rows.push(Row::Group(group_title(p, s, &line, place)));
        for e in line {
            let m = e.module().and_then(|m| ws.modules.get(m));
            let mut flags = Vec::new();
            if let Some(m) = m {
                if m.is_dissertation() {
                    flags.push("dissertation");
                }
                if m.is_research_skills() {
                    flags.push("research skills");
                }
                if m.placement.is_some() {
                    flags.push("placement");
                }
                if m.pass_fail.is_some() {
                    flags.push("pass/fail");
                }
            }
            let num =
                |x: Option<&crate::span::Spanned<u64>>| x.map(|c| c.value.to_string()).unwrap_or_else(|| "?".into());
            rows.push(Row::Cells(vec![
                Inline::code(e.code.value.clone()),
                Inline::text(m.map(|m| m.title.clone()).unwrap_or_else(|| "(not defined)".into())),
                Inline::text(num(m.and_then(|m| m.credits.as_ref()))),
                Inline::text(num(m.and_then(|m| m.level.as_ref()))),
                Inline::text(place.entry(e, p)),
                Inline::text(flags.join(", ")),
            ]));
        }
        i = j;
    }
    Table {
        head: ["Module", "Title", "Credits", "Level", "Placement", "Notes"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows,
    }
}

/// Credits per slot: core, option credits every pathway takes, and the
/// part that depends on the options chosen (least and greatest over all
/// pathways, from the pathway space, never by listing pathways).
fn credits_chart(
    ws: &Workspace,
    p: &Programme,
    s: &Structure,
    place: &Placements,
    space: Option<&PathwaySpace>,
) -> (Chart, Option<String>) {
    let mut shares: Vec<Vec<(Slot, i64)>> = Vec::with_capacity(s.entries.len());
    let mut all = BTreeSet::new();
    for e in &s.entries {
        let credits = e
            .module()
            .and_then(|m| ws.modules.get(m))
            .map(|m| m.credits())
            .unwrap_or(0);
        let mut v = Vec::new();
        match (e.period, e.stage) {
            (Some(per), _) => {
                for sem in per.start..=per.end {
                    v.push((
                        Slot::Semester(per.year.into(), sem.into()),
                        sixths(credits, per.semesters()),
                    ));
                }
            }
            (None, Some(st)) => v.push((Slot::Stage(st), sixths(credits, 1))),
            (None, None) => v.push((Slot::Unplaced, sixths(credits, 1))),
        }
        all.extend(v.iter().map(|(s, _)| *s));
        shares.push(v);
    }
    let in_slot = |e: usize, slot: Slot| -> i64 {
        shares
            .get(e)
            .map(|v| v.iter().filter(|(s, _)| *s == slot).map(|(_, c)| *c).sum())
            .unwrap_or(0)
    };
    let note = match space {
        Some(_) => None,
        None => Some(
            "The options' credit ranges could not be computed (a listed module is undefined or broken, or an option group has no valid choice): the light part is every option module's credits."
                .to_string(),
        ),
    };
    let mut bars = Vec::new();
    let mut used = BTreeSet::new();
    let mut max = 0i64;
    for slot in all {
        let core: i64 = s.core_entries().map(|(i, _)| in_slot(i, slot)).sum();
        let (lo, hi) = match space {
            Some(space) => {
                let w = |e: usize| {
                    if s.entries.get(e).is_some_and(|x| x.membership != Membership::Core) {
                        in_slot(e, slot)
                    } else {
                        0
                    }
                };
                let lo = space.extreme(&w, false, &[], &[]).map(|(v, _)| v).unwrap_or(0);
                let hi = space.extreme(&w, true, &[], &[]).map(|(v, _)| v).unwrap_or(0);
                (lo, hi)
            }
            None => {
                let all: i64 = (0..s.entries.len())
                    .filter(|&i| s.entries[i].membership != Membership::Core)
                    .map(|i| in_slot(i, slot))
                    .sum();
                (0, all)
            }
        };
        let segments = vec![
            (Segment::Core, core),
            (Segment::OptionsAlways, lo),
            (Segment::OptionsRange, (hi - lo).max(0)),
        ];
        for (seg, v) in &segments {
            if *v > 0 {
                used.insert(*seg as usize);
            }
        }
        let (a, b) = (core + lo, core + hi);
        max = max.max(b);
        let total = if a == b {
            fmt_sixths(a)
        } else {
            format!("{}-{}", fmt_sixths(a), fmt_sixths(b))
        };
        bars.push(Bar {
            label: place.slot(slot, p),
            segments,
            total,
        });
    }
    // One scale for every period: at least 60 credits (a full semester
    // load), rounded up to the tick.
    let tick = Chart::TICK as i64 * 6;
    let scale_max = ((max.max(60 * 6) + tick - 1) / tick * tick / 6) as u64;
    let legend = Segment::ALL
        .into_iter()
        .filter(|s| used.contains(&(*s as usize)))
        .collect();
    (
        Chart {
            title: "Credits per study period".into(),
            bars,
            scale_max,
            legend,
        },
        note,
    )
}

/// The chart's figures: core, options (least-greatest over all pathways)
/// and total per period.
fn credits_table(c: &Chart) -> Table {
    let range = |a: i64, b: i64| {
        if a == b {
            fmt_sixths(a)
        } else {
            format!("{}-{}", fmt_sixths(a), fmt_sixths(b))
        }
    };
    let rows = c
        .bars
        .iter()
        .map(|b| {
            let get = |s: Segment| b.segments.iter().find(|x| x.0 == s).map(|x| x.1).unwrap_or(0);
            let (core, lo, var) = (
                get(Segment::Core),
                get(Segment::OptionsAlways),
                get(Segment::OptionsRange),
            );
            Row::Cells(vec![
                Inline::text(b.label.clone()),
                Inline::text(fmt_sixths(core)),
                Inline::text(range(lo, lo + var)),
                Inline::text(b.total.clone()),
            ])
        })
        .collect();
    Table {
        head: vec!["Period".into(), "Core".into(), "Options".into(), "Total".into()],
        rows,
    }
}

/// The structure's modules, first definition of each code, in structure
/// order.
fn structure_modules<'a>(ws: &'a Workspace, s: &Structure) -> Vec<&'a Module> {
    let mut out: Vec<&Module> = Vec::new();
    for e in &s.entries {
        if let Some(m) = e.module().and_then(|m| ws.modules.get(m)) {
            if !out.iter().any(|x| x.code.value == m.code.value) {
                out.push(m);
            }
        }
    }
    out
}

fn prerequisite_graph(d: &mut Document, ws: &Workspace, modules: &[&Module]) {
    let mut nodes: Vec<Node> = modules
        .iter()
        .map(|m| Node {
            id: m.code.value.to_string(),
            title: m.title.to_string(),
            outside: false,
        })
        .collect();
    let mut edges = Vec::new();
    for (bi, m) in modules.iter().enumerate() {
        for r in &m.requires {
            let ai = match nodes.iter().position(|n| n.id == r.value) {
                Some(i) => i,
                None => {
                    nodes.push(Node {
                        id: r.value.to_string(),
                        title: ws
                            .module(&r.value)
                            .map(|m| m.title.to_string())
                            .unwrap_or_else(|| "(not defined)".into()),
                        outside: true,
                    });
                    nodes.len() - 1
                }
            };
            if !edges.contains(&(ai, bi)) {
                edges.push((ai, bi));
            }
        }
    }
    if edges.is_empty() {
        d.para("No module of this programme requires another.");
        return;
    }
    let layout = super::layout::layout(nodes.len(), &edges);
    let apart: Vec<usize> = (0..nodes.len()).filter(|&i| layout.place[i].is_none()).collect();
    d.para("An arrow runs from a prerequisite to the module that requires it; dashed boxes are modules outside the programme's structure.");
    let apart_line = (!apart.is_empty()).then(|| {
        let mut line = Inline::text("Not connected to any other module: ");
        for (k, &i) in apart.iter().enumerate() {
            if k > 0 {
                line = line.then_text(", ");
            }
            line = line
                .then_code(nodes[i].id.clone())
                .then_text(format!(" {}", nodes[i].title));
        }
        line
    });
    d.push(Block::Graph(Graph {
        title: "Prerequisite graph".into(),
        nodes,
        edges,
        layout,
        apart,
    }));
    if let Some(l) = apart_line {
        d.note(l);
    }
}

fn module(d: &mut Document, m: &Module) {
    d.heading(3, Inline::code(m.code.value.clone()).then_text(format!(" {}", m.title)));
    let mut line = Inline::text(format!("{} credits, level {}.", m.credits(), m.level()));
    if !m.requires.is_empty() {
        line = line.then_text(" Requires ");
        for (i, r) in m.requires.iter().enumerate() {
            if i > 0 {
                line = line.then_text(", ");
            }
            line = line.then_code(r.value.clone());
        }
        line = line.then_text(".");
    }
    d.para(line);
    if !m.outcomes.is_empty() {
        d.push(Block::Table(Table {
            head: vec!["Outcome".into(), "Statement".into()],
            rows: m
                .outcomes
                .iter()
                .map(|o| {
                    Row::Cells(vec![
                        Inline::text(o.code.value.clone()),
                        Inline::text(o.text.value.clone()),
                    ])
                })
                .collect(),
        }));
    }
    if !m.assessments.is_empty() {
        let rows = m
            .assessments
            .iter()
            .map(|a| {
                let weight = a.weight.as_ref().map(|w| format!("{}%", w.value)).unwrap_or_else(|| {
                    if m.assessments.len() == 1 {
                        "100%".into()
                    } else {
                        "?".into()
                    }
                });
                Row::Cells(vec![
                    Inline::text(format!("{} {}", a.code.value, a.title.value)),
                    Inline::text(a.kind.as_ref().map(|k| k.value.clone()).unwrap_or_else(|| "?".into())),
                    Inline::text(weight),
                    Inline::text(a.covers.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", ")),
                ])
            })
            .collect();
        d.push(Block::Table(Table {
            head: vec!["Assessment".into(), "Kind".into(), "Weight".into(), "Covers".into()],
            rows,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_454), "2026-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}
