//! `spec report PROGRAMME-FILE [--format html|markdown] [-o FILE]`: the
//! programme specification as a readable document.
//!
//! For every programme defined in the file: its key facts, the structure
//! (stages, core lines, option groups with their modules), credits per
//! study period (core credits plus the least and greatest option credits
//! over all pathways, computed with the pathway space, never by listing
//! pathways), the prerequisite graph, the modules with their outcomes and
//! assessments, the variances, and the check result.
//!
//! Markdown uses tables, a text bar chart and a mermaid graph; HTML is one
//! self-contained file with inline CSS and inline SVG (bar chart and graph).
//!
//! `-o` is written with [`crate::write::write_file`] (a temporary file
//! renamed over the target: a full disk never truncates an old report) and
//! is refused when it names an input (a spec, policy or `spec.toml`).
//!
//! Exit status: 0 written, 2 the report could not be made (unreadable path,
//! no programme in the file, output not writable or naming an input). Diagnostics do not stop
//! the report: they are listed in it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::analysis::{analyze, Analysis};
use crate::diag::Severity;
use crate::model::pathways::PathwaySpace;
use crate::model::{Membership, Module, Programme, Structure, Workspace};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Markdown,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// A `.pspec` file defining one or more programmes (`-`: stdin).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: ReportArgs) -> u8 {
    let loaded = match super::check::load(std::slice::from_ref(&args.file), &[]) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e.0),
    };
    // `-o` never names an input: the report would replace the spec it
    // describes (or a policy or `spec.toml` it was checked with).
    if let Some(out) = &args.output {
        if let Some(input) = names_an_input(out, &loaded) {
            return super::fatal(&format!(
                "`{}` is an input of this report (`{}`); choose another output file",
                out.display(),
                crate::workspace::display(&input)
            ));
        }
    }
    let analysis = analyze(loaded.inputs, &loaded.options);
    // `-` is stdin, which `check::load` names `<stdin>`.
    let primary_name = if args.file.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        crate::workspace::display(&args.file)
    };
    let primary: Vec<&Programme> = analysis
        .workspace
        .programmes
        .iter()
        .filter(|p| analysis.sources.get(p.source).is_some_and(|s| s.name == primary_name))
        .collect();
    if primary.is_empty() {
        return super::fatal(&format!("`{}` defines no programme", args.file.display()));
    }
    let reports: Vec<ProgrammeReport> = primary.iter().map(|p| ProgrammeReport::new(&analysis, p)).collect();
    let text = match args.format {
        ReportFormat::Markdown => markdown(&reports),
        ReportFormat::Html => html(&reports),
    };
    match &args.output {
        Some(path) => match crate::write::write_file(path, text.as_bytes(), crate::write::Expect::Any) {
            Ok(()) => 0,
            Err(e) => super::fatal(&e.to_string()),
        },
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                return 2;
            }
            0
        }
    }
}

/// The input `out` would overwrite, if any: a `.pspec` read, a policy file
/// or directory entry, or the workspace's `spec.toml` (compared as
/// canonical paths, so links and `./` spellings are seen through).
fn names_an_input(out: &std::path::Path, loaded: &super::check::Loaded) -> Option<PathBuf> {
    let out_c = std::fs::canonicalize(out).ok()?;
    let mut candidates: Vec<PathBuf> = loaded.inputs.iter().filter_map(|i| i.path.clone()).collect();
    for p in &loaded.options.policy_paths {
        if p.is_dir() {
            candidates.extend(crate::workspace::files_with_ext(p, "policy").unwrap_or_default());
        } else {
            candidates.push(p.clone());
        }
    }
    if let Some(root) = out_c.parent().and_then(crate::workspace::find_root) {
        candidates.push(root.join("spec.toml"));
    }
    candidates
        .into_iter()
        .find(|c| std::fs::canonicalize(c).is_ok_and(|c| c == out_c))
}

/// Where a module's credits fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    /// Study year and semester.
    Semester(u64, u64),
    /// A stage without placements (block delivery).
    Stage(u64),
    Unplaced,
}

impl Slot {
    fn label(self) -> String {
        match self {
            Slot::Semester(y, s) => format!("Year {y}, semester {s}"),
            Slot::Stage(n) => format!("Stage {n}"),
            Slot::Unplaced => "Unplaced".into(),
        }
    }
}

/// Credits in one slot, in sixths of a credit (a module spanning 2 or 3
/// semesters is split evenly).
#[derive(Debug, Clone)]
struct SlotCredits {
    slot: Slot,
    core: i64,
    option_min: i64,
    option_max: i64,
}

struct Row {
    stage: Option<u64>,
    line: String,
    code: String,
    title: String,
    credits: String,
    level: String,
    placement: String,
    flags: String,
}

struct ProgrammeReport<'a> {
    ws: &'a Workspace,
    p: &'a Programme,
    rows: Vec<Row>,
    slots: Vec<SlotCredits>,
    /// Why option ranges could not be computed.
    slots_note: Option<String>,
    pathways: Option<u128>,
    /// (prerequisite, module) among the structure's modules, plus
    /// prerequisites outside the structure.
    edges: Vec<(String, String)>,
    modules: Vec<&'a Module>,
    diagnostics: Vec<(String, String, String, bool)>,
    errors: usize,
    warnings: usize,
    waived: usize,
}

fn sixths(credits: u64, semesters: u64) -> i64 {
    (credits.saturating_mul(6) / semesters.max(1)).min(i64::MAX as u64) as i64
}

fn fmt_sixths(v: i64) -> String {
    if v % 6 == 0 {
        format!("{}", v / 6)
    } else {
        format!("{:.1}", v as f64 / 6.0)
    }
}

impl<'a> ProgrammeReport<'a> {
    fn new(a: &'a Analysis, p: &'a Programme) -> ProgrammeReport<'a> {
        let ws = &a.workspace;
        let mut rows = Vec::new();
        let mut modules = Vec::new();
        let mut edges = Vec::new();
        let mut slots = Vec::new();
        let mut slots_note = None;
        let mut pathways = None;
        if let Some(s) = &p.structure {
            for e in &s.entries {
                let m = e.module.and_then(|i| ws.modules.get(i));
                let line = match e.membership {
                    Membership::Core => "core".to_string(),
                    Membership::Option(g) => s
                        .groups
                        .get(g)
                        .map(|g| format!("option \"{}\" (choose {} credits)", g.title.value, g.choose.value))
                        .unwrap_or_else(|| "option".into()),
                };
                let placement = match e.period {
                    Some(per) => {
                        let sem = if per.spanning() {
                            format!("semesters {}-{}", per.start, per.end)
                        } else {
                            format!("semester {}", per.start)
                        };
                        format!("year {}, {sem}", per.year)
                    }
                    None => "-".into(),
                };
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
                    for r in &m.requires {
                        edges.push((r.value.clone(), m.code.value.clone()));
                    }
                    if !modules.iter().any(|x: &&Module| x.code.value == m.code.value) {
                        modules.push(m);
                    }
                }
                rows.push(Row {
                    stage: e.stage,
                    line,
                    code: e.code.value.clone(),
                    title: m.map(|m| m.title.clone()).unwrap_or_else(|| "(not defined)".into()),
                    credits: m
                        .and_then(|m| m.credits.as_ref())
                        .map(|c| c.value.to_string())
                        .unwrap_or_else(|| "?".into()),
                    level: m
                        .and_then(|m| m.level.as_ref())
                        .map(|c| c.value.to_string())
                        .unwrap_or_else(|| "?".into()),
                    placement,
                    flags: flags.join(", "),
                });
            }
            match PathwaySpace::new(ws, p) {
                Ok(space) => {
                    pathways = Some(space.count());
                    slots = slot_credits(ws, s, Some(&space));
                }
                Err(why) => {
                    slots_note = Some(format!("option credit ranges not computed: {why:?}"));
                    slots = slot_credits(ws, s, None);
                }
            }
        }
        let mut diagnostics = Vec::new();
        let (mut errors, mut warnings, mut waived) = (0, 0, 0);
        for d in &a.diagnostics {
            let ours = d.programme.as_deref() == Some(p.code.value.as_str())
                || (d.source == p.source && d.span.start >= p.span.start && d.span.end <= p.span.end);
            if !ours {
                continue;
            }
            if d.is_waived() {
                waived += 1;
            } else {
                match d.severity {
                    Severity::Error => errors += 1,
                    Severity::Warning => warnings += 1,
                    Severity::Info => {}
                }
            }
            diagnostics.push((
                d.severity.as_str().to_string(),
                d.code.clone(),
                d.message.clone(),
                d.is_waived(),
            ));
        }
        ProgrammeReport {
            ws,
            p,
            rows,
            slots,
            slots_note,
            pathways,
            edges,
            modules,
            diagnostics,
            errors,
            warnings,
            waived,
        }
    }

    fn facts(&self) -> Vec<(&'static str, String)> {
        let p = self.p;
        let v = |x: &Option<crate::span::Spanned<String>>| x.as_ref().map(|x| x.value.clone());
        let mut out = vec![("Code", p.code.value.clone())];
        if let Some(a) = v(&p.award) {
            out.push(("Award", a));
        }
        if let Some(f) = v(&p.framework) {
            out.push(("Framework", f));
        }
        if let Some(c) = &p.credits {
            out.push(("Credits", c.value.to_string()));
        }
        if !p.modes.is_empty() {
            out.push((
                "Mode",
                p.modes.iter().map(|m| m.value.as_str()).collect::<Vec<_>>().join(", "),
            ));
        }
        out.push(("Delivery", p.delivery().to_string()));
        if let Some(l) = v(&p.language) {
            out.push(("Language", l));
        }
        if let Some(d) = &p.starts {
            out.push(("First intake", d.value.to_string()));
        }
        if let Some(d) = &p.validated {
            out.push(("Validated", d.value.to_string()));
        }
        if let Some(d) = &p.previous_validation {
            out.push(("Previous validation", d.value.to_string()));
        }
        if !p.accreditations.is_empty() {
            out.push((
                "Accreditation",
                p.accreditations
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        if !p.exit_awards.is_empty() {
            out.push((
                "Exit awards",
                p.exit_awards
                    .iter()
                    .map(|e| format!("{} ({} credits)", e.award.value, e.credits.value))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        for partner in &p.partners {
            let model = partner
                .model
                .as_ref()
                .map(|m| format!(" ({})", m.value))
                .unwrap_or_default();
            out.push(("Partner", format!("{}{model}", partner.name.value)));
        }
        if let Some(n) = self.pathways {
            out.push(("Pathways", n.to_string()));
        }
        out
    }

    fn title(&self) -> String {
        format!("{} ({})", self.p.title, self.p.code.value)
    }

    fn stage_title(&self, n: u64) -> String {
        let title = self
            .p
            .structure
            .as_ref()
            .and_then(|s| s.stages.iter().find(|st| st.number.value == n))
            .and_then(|st| st.title.as_ref())
            .map(|t| format!(": {}", t.value))
            .unwrap_or_default();
        format!("Stage {n}{title}")
    }

    fn status(&self) -> String {
        let mut s = format!(
            "{} error{}, {} warning{}",
            self.errors,
            if self.errors == 1 { "" } else { "s" },
            self.warnings,
            if self.warnings == 1 { "" } else { "s" }
        );
        if self.waived > 0 {
            let _ = write!(s, ", {} waived by variances", self.waived);
        }
        s
    }

    /// Modules in graph order: structure order, then prerequisites outside it.
    fn graph_nodes(&self) -> Vec<String> {
        let mut nodes: Vec<String> = Vec::new();
        for r in &self.rows {
            if !nodes.contains(&r.code) {
                nodes.push(r.code.clone());
            }
        }
        for (a, _) in &self.edges {
            if !nodes.contains(a) {
                nodes.push(a.clone());
            }
        }
        nodes
    }
}

/// Credits per slot: core credits, and the least and greatest option credits
/// over all pathways (with `space`), or every option module's credits as the
/// maximum when pathways cannot be formed.
fn slot_credits(ws: &Workspace, s: &Structure, space: Option<&PathwaySpace>) -> Vec<SlotCredits> {
    // entry -> [(slot, sixths)]
    let mut shares: Vec<Vec<(Slot, i64)>> = Vec::with_capacity(s.entries.len());
    let mut all_slots = BTreeSet::new();
    for e in &s.entries {
        let credits = e
            .module
            .and_then(|m| ws.modules.get(m))
            .map(|m| m.credits())
            .unwrap_or(0);
        let mut v = Vec::new();
        match (e.period, e.stage) {
            (Some(per), _) => {
                let n = per.semesters();
                for sem in per.start..=per.end {
                    v.push((Slot::Semester(per.year, sem), sixths(credits, n)));
                }
            }
            (None, Some(st)) => v.push((Slot::Stage(st), sixths(credits, 1))),
            (None, None) => v.push((Slot::Unplaced, sixths(credits, 1))),
        }
        for (slot, _) in &v {
            all_slots.insert(*slot);
        }
        shares.push(v);
    }
    let in_slot = |e: usize, slot: Slot| -> i64 {
        shares
            .get(e)
            .map(|v| v.iter().filter(|(s, _)| *s == slot).map(|(_, c)| *c).sum())
            .unwrap_or(0)
    };
    all_slots
        .into_iter()
        .map(|slot| {
            let core: i64 = s.core_entries().map(|(i, _)| in_slot(i, slot)).sum();
            let (option_min, option_max) = match space {
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
                    let all: i64 = s
                        .entries
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.membership != Membership::Core)
                        .map(|(i, _)| in_slot(i, slot))
                        .sum();
                    (0, all)
                }
            };
            SlotCredits {
                slot,
                core,
                option_min,
                option_max,
            }
        })
        .collect()
}

// ------------------------------------------------------------------ markdown

fn md(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ")
}

/// A mermaid node id: codes may contain `-`, which mermaid accepts; prefix
/// to avoid ids starting with a digit being misread.
fn node_id(code: &str) -> String {
    format!("m_{}", code.replace('-', "_"))
}

fn markdown(reports: &[ProgrammeReport]) -> String {
    let mut o = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            o.push_str("\n---\n\n");
        }
        let _ = writeln!(o, "# {}\n", md(&r.title()));
        let _ = writeln!(o, "Check result: **{}**.\n", r.status());
        let _ = writeln!(o, "| | |\n|---|---|");
        for (k, v) in r.facts() {
            let _ = writeln!(o, "| {k} | {} |", md(&v));
        }
        o.push('\n');

        let _ = writeln!(o, "## Structure\n");
        if r.rows.is_empty() {
            let _ = writeln!(o, "No structure is given.\n");
        } else {
            // A programme without stages gets no Stage column (it was all `-`).
            let staged = r.rows.iter().any(|row| row.stage.is_some());
            if staged {
                let _ = writeln!(o, "| Stage | Line | Module | Title | Credits | Level | Placement | Notes |\n|---|---|---|---|---|---|---|---|");
            } else {
                let _ = writeln!(
                    o,
                    "| Line | Module | Title | Credits | Level | Placement | Notes |\n|---|---|---|---|---|---|---|"
                );
            }
            for row in &r.rows {
                let stage = row.stage.map(|n| r.stage_title(n)).unwrap_or_else(|| "-".into());
                let stage_cell = if staged {
                    format!("| {} ", md(&stage))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    o,
                    "{}| {} | `{}` | {} | {} | {} | {} | {} |",
                    stage_cell,
                    md(&row.line),
                    row.code,
                    md(&row.title),
                    row.credits,
                    row.level,
                    row.placement,
                    md(&row.flags)
                );
            }
            o.push('\n');
        }

        let _ = writeln!(o, "## Credits per period\n");
        if !r.slots.is_empty() {
            let _ = writeln!(o, "Options: the least and greatest credits over all pathways.\n");
            let _ = writeln!(o, "| Period | Core | Options | Total | |\n|---|---|---|---|---|");
            for s in &r.slots {
                let lo = s.core + s.option_min;
                let hi = s.core + s.option_max;
                let range = |a: i64, b: i64| {
                    if a == b {
                        fmt_sixths(a)
                    } else {
                        format!("{}-{}", fmt_sixths(a), fmt_sixths(b))
                    }
                };
                let bar = "█".repeat((lo / 60).max(0) as usize) + &"░".repeat(((hi - lo) / 60).max(0) as usize);
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {bar} |",
                    s.slot.label(),
                    fmt_sixths(s.core),
                    range(s.option_min, s.option_max),
                    range(lo, hi)
                );
            }
            let _ = writeln!(
                o,
                "\n(█ = 10 core or guaranteed credits, ░ = 10 credits that depend on the options chosen)\n"
            );
        }
        if let Some(n) = &r.slots_note {
            let _ = writeln!(o, "Note: {n}.\n");
        }

        let _ = writeln!(o, "## Prerequisites\n");
        if r.edges.is_empty() {
            let _ = writeln!(o, "No module of this programme requires another.\n");
        } else {
            let _ = writeln!(o, "An arrow runs from a prerequisite to the module that requires it.\n");
            let _ = writeln!(o, "```mermaid\ngraph LR");
            for n in r.graph_nodes() {
                let title = r
                    .modules
                    .iter()
                    .find(|m| m.code.value == n)
                    .map(|m| format!(" {}", m.title))
                    .unwrap_or_default();
                let _ = writeln!(o, "  {}[\"{}{}\"]", node_id(&n), n, title.replace(['"', '`'], "'"));
            }
            for (a, b) in &r.edges {
                let _ = writeln!(o, "  {} --> {}", node_id(a), node_id(b));
            }
            let _ = writeln!(o, "```\n");
        }

        let _ = writeln!(o, "## Modules\n");
        for m in &r.modules {
            let _ = writeln!(o, "### {} {}\n", m.code.value, md(&m.title));
            let _ = writeln!(
                o,
                "{} credits, level {}.{}\n",
                m.credits(),
                m.level(),
                if m.requires.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Requires {}.",
                        m.requires
                            .iter()
                            .map(|r| format!("`{}`", r.value))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
            if !m.outcomes.is_empty() {
                let _ = writeln!(o, "| Outcome | Statement |\n|---|---|");
                for out in &m.outcomes {
                    let _ = writeln!(o, "| {} | {} |", out.code.value, md(&out.text.value));
                }
                o.push('\n');
            }
            if !m.assessments.is_empty() {
                let _ = writeln!(o, "| Assessment | Kind | Weight | Covers |\n|---|---|---|---|");
                for a in &m.assessments {
                    let weight = a.weight.as_ref().map(|w| format!("{}%", w.value)).unwrap_or_else(|| {
                        if m.assessments.len() == 1 {
                            "100%".into()
                        } else {
                            "?".into()
                        }
                    });
                    let _ = writeln!(
                        o,
                        "| {} {} | {} | {weight} | {} |",
                        a.code.value,
                        md(&a.title.value),
                        a.kind.as_ref().map(|k| k.value.as_str()).unwrap_or("?"),
                        a.covers.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", ")
                    );
                }
                o.push('\n');
            }
        }

        if !r.p.variances.is_empty() {
            let _ = writeln!(o, "## Variances\n");
            let _ = writeln!(o, "| Rule | Applies to | Criterion | Status |\n|---|---|---|---|");
            for v in &r.p.variances {
                let _ = writeln!(
                    o,
                    "| `{}` | {} | {} | {} |",
                    v.rule.value,
                    applies(v),
                    md(&criterion(v)),
                    md(&approval(v))
                );
            }
            o.push('\n');
        }

        let _ = writeln!(o, "## Check result\n");
        if r.diagnostics.is_empty() {
            let _ = writeln!(o, "No diagnostics.\n");
        } else {
            let _ = writeln!(o, "| Severity | Rule | Message |\n|---|---|---|");
            for (sev, code, msg, waived) in &r.diagnostics {
                let sev = if *waived {
                    format!("{sev} (waived)")
                } else {
                    sev.clone()
                };
                let _ = writeln!(o, "| {sev} | `{code}` | {} |", md(msg));
            }
            o.push('\n');
        }
        let _ = r.ws;
    }
    o
}

fn applies(v: &crate::model::Variance) -> String {
    if v.applies_to.is_empty() {
        "whole programme".into()
    } else {
        v.applies_to
            .iter()
            .map(|a| a.value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn criterion(v: &crate::model::Variance) -> String {
    match &v.criterion {
        Some(c) => match &c.body {
            Some(b) => format!("{} \"{}\"", c.name.value, b.value),
            None => c.name.value.clone(),
        },
        None => "-".into(),
    }
}

fn approval(v: &crate::model::Variance) -> String {
    match &v.approved {
        Some(a) => match &a.date {
            Some(d) => format!("approved by {} on {}", a.by.value, d.value),
            None => format!("approved by {}", a.by.value),
        },
        None => "pending".into(),
    }
}

// ------------------------------------------------------------------ html

/// `esc`, and the message convention's `backticked` user input as
/// `<code>` (the backticks were shown literally); an odd number of
/// backticks leaves the text as it is.
fn esc_code_spans(s: &str) -> String {
    let e = esc(s);
    let parts: Vec<&str> = e.split('`').collect();
    if parts.len() < 3 || parts.len().is_multiple_of(2) {
        return e;
    }
    let mut o = String::with_capacity(e.len() + parts.len() * 6);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(o, "<code>{part}</code>");
        } else {
            o.push_str(part);
        }
    }
    o
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}\
table{border-collapse:collapse;margin:0.5rem 0 1.2rem}td,th{border:1px solid #ccc;padding:0.25rem 0.5rem;text-align:left;vertical-align:top}\
th{background:#f2f2f2}code{background:#f4f4f4;padding:0 0.2rem;font-family:ui-monospace,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;font-size:0.9em}.ok{color:#176117}.bad{color:#a4161a}.note{color:#555}.rule{white-space:nowrap}\
svg text{font-family:system-ui,sans-serif;font-size:12px}";

fn html(reports: &[ProgrammeReport]) -> String {
    let mut o = String::new();
    let title = reports.first().map(|r| r.title()).unwrap_or_default();
    let _ = write!(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n", esc(&title));
    for r in reports {
        let _ = writeln!(o, "<h1>{}</h1>", esc(&r.title()));
        let class = if r.errors > 0 { "bad" } else { "ok" };
        let _ = writeln!(
            o,
            "<p>Check result: <strong class=\"{class}\">{}</strong>.</p>",
            esc(&r.status())
        );
        let _ = writeln!(o, "<table>");
        for (k, v) in r.facts() {
            let _ = writeln!(o, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
        }
        let _ = writeln!(o, "</table>");

        let _ = writeln!(o, "<h2>Structure</h2>");
        if r.rows.is_empty() {
            let _ = writeln!(o, "<p>No structure is given.</p>");
        } else {
            // A programme without stages gets no Stage column (it was all `-`).
            let staged = r.rows.iter().any(|row| row.stage.is_some());
            let stage_th = if staged { "<th>Stage</th>" } else { "" };
            let _ = writeln!(o, "<table><tr>{stage_th}<th>Line</th><th>Module</th><th>Title</th><th>Credits</th><th>Level</th><th>Placement</th><th>Notes</th></tr>");
            for row in &r.rows {
                let stage = row.stage.map(|n| r.stage_title(n)).unwrap_or_else(|| "-".into());
                let stage_td = if staged {
                    format!("<td>{}</td>", esc(&stage))
                } else {
                    String::new()
                };
                let _ = writeln!(
                    o,
                    "<tr>{}<td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    stage_td,
                    esc(&row.line),
                    esc(&row.code),
                    esc(&row.title),
                    esc(&row.credits),
                    esc(&row.level),
                    esc(&row.placement),
                    esc(&row.flags)
                );
            }
            let _ = writeln!(o, "</table>");
        }

        let _ = writeln!(o, "<h2>Credits per period</h2>");
        if !r.slots.is_empty() {
            o.push_str(&bar_chart_svg(&r.slots));
            if r.slots.iter().any(|s| s.option_max > 0) {
                let _ = writeln!(
                    o,
                    "<p class=\"note\">Dark: core credits. Light: the range of option credits over all pathways.</p>"
                );
            } else {
                let _ = writeln!(o, "<p class=\"note\">Core credits per period (no options).</p>");
            }
        }
        if let Some(n) = &r.slots_note {
            let _ = writeln!(o, "<p class=\"note\">Note: {}.</p>", esc(n));
        }

        let _ = writeln!(o, "<h2>Prerequisites</h2>");
        if r.edges.is_empty() {
            let _ = writeln!(o, "<p>No module of this programme requires another.</p>");
        } else {
            o.push_str(&graph_svg(r));
            let _ = writeln!(
                o,
                "<p class=\"note\">An arrow runs from a prerequisite to the module that requires it.</p>"
            );
        }

        let _ = writeln!(o, "<h2>Modules</h2>");
        for m in &r.modules {
            let _ = writeln!(o, "<h3><code>{}</code> {}</h3>", esc(&m.code.value), esc(&m.title));
            let req = if m.requires.is_empty() {
                String::new()
            } else {
                format!(
                    " Requires {}.",
                    m.requires
                        .iter()
                        .map(|r| format!("<code>{}</code>", esc(&r.value)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let _ = writeln!(o, "<p>{} credits, level {}.{req}</p>", m.credits(), m.level());
            if !m.outcomes.is_empty() {
                let _ = writeln!(o, "<table><tr><th>Outcome</th><th>Statement</th></tr>");
                for out in &m.outcomes {
                    let _ = writeln!(
                        o,
                        "<tr><td>{}</td><td>{}</td></tr>",
                        esc(&out.code.value),
                        esc(&out.text.value)
                    );
                }
                let _ = writeln!(o, "</table>");
            }
            if !m.assessments.is_empty() {
                let _ = writeln!(
                    o,
                    "<table><tr><th>Assessment</th><th>Kind</th><th>Weight</th><th>Covers</th></tr>"
                );
                for a in &m.assessments {
                    let weight = a.weight.as_ref().map(|w| format!("{}%", w.value)).unwrap_or_else(|| {
                        if m.assessments.len() == 1 {
                            "100%".into()
                        } else {
                            "?".into()
                        }
                    });
                    let _ = writeln!(
                        o,
                        "<tr><td>{} {}</td><td>{}</td><td>{weight}</td><td>{}</td></tr>",
                        esc(&a.code.value),
                        esc(&a.title.value),
                        esc(a.kind.as_ref().map(|k| k.value.as_str()).unwrap_or("?")),
                        esc(&a.covers.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", "))
                    );
                }
                let _ = writeln!(o, "</table>");
            }
        }

        if !r.p.variances.is_empty() {
            let _ = writeln!(
                o,
                "<h2>Variances</h2>\n<table><tr><th>Rule</th><th>Applies to</th><th>Criterion</th><th>Status</th></tr>"
            );
            for v in &r.p.variances {
                let _ = writeln!(
                    o,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&v.rule.value),
                    esc(&applies(v)),
                    esc(&criterion(v)),
                    esc(&approval(v))
                );
            }
            let _ = writeln!(o, "</table>");
        }

        let _ = writeln!(o, "<h2>Check result</h2>");
        if r.diagnostics.is_empty() {
            let _ = writeln!(o, "<p>No diagnostics.</p>");
        } else {
            let _ = writeln!(o, "<table><tr><th>Severity</th><th>Rule</th><th>Message</th></tr>");
            for (sev, code, msg, waived) in &r.diagnostics {
                let sev = if *waived {
                    format!("{sev} (waived)")
                } else {
                    sev.clone()
                };
                let _ = writeln!(
                    o,
                    "<tr><td>{}</td><td><code class=\"rule\">{}</code></td><td>{}</td></tr>",
                    esc(&sev),
                    esc(code),
                    esc_code_spans(msg)
                );
            }
            let _ = writeln!(o, "</table>");
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// Horizontal bars: one per period, core (dark) then the option range (light).
fn bar_chart_svg(slots: &[SlotCredits]) -> String {
    let label_w = 150.0;
    let bar_h = 22.0;
    let gap = 8.0;
    let chart_w = 420.0;
    let max = slots.iter().map(|s| s.core + s.option_max).max().unwrap_or(1).max(1) as f64;
    let scale = chart_w / max;
    let h = slots.len() as f64 * (bar_h + gap) + gap;
    let w = label_w + chart_w + 90.0;
    let mut o = String::new();
    let _ = writeln!(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"credits per period\">");
    for (i, s) in slots.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let core_w = s.core.max(0) as f64 * scale;
        let lo_w = s.option_min.max(0) as f64 * scale;
        let range_w = (s.option_max - s.option_min).max(0) as f64 * scale;
        let _ = writeln!(
            o,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + bar_h * 0.7,
            esc(&s.slot.label())
        );
        let _ = writeln!(o, "<rect x=\"{label_w:.1}\" y=\"{y:.1}\" width=\"{core_w:.1}\" height=\"{bar_h:.1}\" fill=\"#2b5c8a\"><title>core {} credits</title></rect>", fmt_sixths(s.core));
        if lo_w > 0.0 {
            let _ = writeln!(o, "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{lo_w:.1}\" height=\"{bar_h:.1}\" fill=\"#5b8fc0\"><title>options, at least {} credits</title></rect>", label_w + core_w, fmt_sixths(s.option_min));
        }
        if range_w > 0.0 {
            let _ = writeln!(
                o,
                "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{range_w:.1}\" height=\"{bar_h:.1}\" fill=\"#c9dcef\" stroke=\"#5b8fc0\" stroke-dasharray=\"3 2\"><title>options, up to {} credits</title></rect>",
                label_w + core_w + lo_w,
                fmt_sixths(s.option_max)
            );
        }
        let lo = s.core + s.option_min;
        let hi = s.core + s.option_max;
        let total = if lo == hi {
            fmt_sixths(lo)
        } else {
            format!("{}-{}", fmt_sixths(lo), fmt_sixths(hi))
        };
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\">{total}</text>",
            label_w + core_w + lo_w + range_w + 6.0,
            y + bar_h * 0.7
        );
    }
    o.push_str("</svg>\n");
    o
}

/// The prerequisite graph, laid out in columns by depth (longest chain of
/// prerequisites); the first column in structure order, later columns
/// ordered by their prerequisites' rows.
fn graph_svg(r: &ProgrammeReport) -> String {
    let nodes = r.graph_nodes();
    let index: BTreeMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    // Depth by relaxation, bounded by the node count (cycles stop there).
    let mut depth = vec![0usize; nodes.len()];
    for _ in 0..nodes.len() {
        let mut changed = false;
        for (a, b) in &r.edges {
            if let (Some(&ia), Some(&ib)) = (index.get(a.as_str()), index.get(b.as_str())) {
                if depth[ib] < depth[ia] + 1 && depth[ia] + 1 < nodes.len() {
                    depth[ib] = depth[ia] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let (box_w, box_h, col_gap, row_gap) = (110.0, 26.0, 60.0, 12.0);
    let mut rows_in_col: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pos = vec![(0.0, 0.0); nodes.len()];
    // Row of each placed node. The first column keeps structure order; each
    // later column is ordered by the mean row of its prerequisites (then
    // structure order), which avoids most crossing arrows.
    let mut row_of: Vec<Option<f64>> = vec![None; nodes.len()];
    let max_depth = depth.iter().max().copied().unwrap_or(0);
    for d in 0..=max_depth {
        let mut col: Vec<(f64, usize)> = (0..nodes.len())
            .filter(|&i| depth[i] == d)
            .map(|i| {
                let preds: Vec<f64> = r
                    .edges
                    .iter()
                    .filter(|(_, b)| index.get(b.as_str()) == Some(&i))
                    .filter_map(|(a, _)| index.get(a.as_str()).and_then(|&ia| row_of[ia]))
                    .collect();
                let key = if d == 0 || preds.is_empty() {
                    f64::MAX
                } else {
                    preds.iter().sum::<f64>() / preds.len() as f64
                };
                (key, i)
            })
            .collect();
        if d > 0 {
            col.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        }
        for (_, i) in col {
            let row = rows_in_col.entry(d).or_insert(0);
            pos[i] = (
                10.0 + d as f64 * (box_w + col_gap),
                10.0 + *row as f64 * (box_h + row_gap),
            );
            row_of[i] = Some(*row as f64);
            *row += 1;
        }
    }
    let w = 20.0 + (depth.iter().max().copied().unwrap_or(0) + 1) as f64 * (box_w + col_gap);
    let h = 20.0 + rows_in_col.values().max().copied().unwrap_or(1) as f64 * (box_h + row_gap);
    let mut o = String::new();
    let _ = writeln!(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-label=\"prerequisite graph\">");
    let _ = writeln!(o, "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#444\"/></marker></defs>");
    for (a, b) in &r.edges {
        if let (Some(&ia), Some(&ib)) = (index.get(a.as_str()), index.get(b.as_str())) {
            let (x1, y1) = (pos[ia].0 + box_w, pos[ia].1 + box_h / 2.0);
            let (x2, y2) = (pos[ib].0, pos[ib].1 + box_h / 2.0);
            let _ = writeln!(o, "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"#444\" marker-end=\"url(#arrow)\"/>");
        }
    }
    for (i, n) in nodes.iter().enumerate() {
        let (x, y) = pos[i];
        let in_structure = r.rows.iter().any(|row| &row.code == n);
        let fill = if in_structure { "#eef4fa" } else { "#f6f6f6" };
        let _ = writeln!(o, "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{box_w:.1}\" height=\"{box_h:.1}\" rx=\"4\" fill=\"{fill}\" stroke=\"#2b5c8a\"/>");
        let _ = writeln!(
            o,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x + box_w / 2.0,
            y + box_h * 0.65,
            esc(n)
        );
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixths_split_spanning_credits_evenly() {
        assert_eq!(fmt_sixths(sixths(30, 2)), "15");
        assert_eq!(fmt_sixths(sixths(20, 3)), "6.7");
        assert_eq!(fmt_sixths(sixths(60, 1)), "60");
    }

    #[test]
    fn html_escapes_user_text() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(md("a|b\nc"), "a\\|b c");
    }
}
