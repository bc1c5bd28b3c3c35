//! `spec/prerequisite-order` (error): a prerequisite does not end strictly
//! before the module that requires it ends.
//!
//! Fires when a prerequisite does not end strictly before the module that
//! requires it ends (period order; with stages and no placements: it must be
//! in an earlier stage); not reported for requirements inside a cycle, which
//! spec/prerequisite-cycle reports once.
//!
//! A prerequisite must be passed before the module that requires it is
//! submitted, so it must end first in period order: study year first, then
//! semester (`semesters N-M` ends at M; `year-long` at 2). When neither
//! listing has a placement (stages of a `block`-delivered programme), the
//! prerequisite must be in an earlier stage. Checked for every module listed
//! in a programme's structure against every requirement listed in that
//! structure, once per (programme, module, requirement). Not reported for a
//! requirement inside a cycle (`spec/prerequisite-cycle`), nor for a broken
//! module; a requirement missing from the structure is
//! `spec/prerequisite-missing`'s.
//!
//! The diagnostic points at the requiring module's listing in the structure
//! and labels the prerequisite's listing.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::CheckCtx;
use crate::diag::{Diagnostic, Severity};
use crate::model::{Entry, Period};
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/prerequisite-order";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::ProgrammeModule,
    source: include_str!("prerequisite_order.rs"),
    example_fail: include_str!("examples/prerequisite_order.fail.pspec"),
    example_pass: include_str!("examples/prerequisite_order.pass.pspec"),
};

/// Where a listing ends, in words.
fn ends(e: &Entry) -> String {
    match (e.period, e.stage) {
        (Some(p), _) => period_end(p),
        (None, Some(s)) => format!("stage {s}"),
        (None, None) => "an unknown period".to_string(),
    }
}

fn period_end(p: Period) -> String {
    format!("semester {} of year {}", p.end, p.year)
}

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    let graph = ctx.graph;
    for p in &ws.programmes {
        let Some(s) = &p.structure else {
            continue;
        };
        // Code -> first listing.
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(s.entries.len());
        for (i, e) in s.entries.iter().enumerate() {
            first.entry(e.code.value.as_str()).or_insert(i);
        }
        let mut seen: HashSet<(&str, &str)> = HashSet::with_capacity(s.entries.len());
        for e in &s.entries {
            let Some(mid) = e.module() else {
                continue;
            };
            let Some(m) = ws.modules.get(mid) else {
                continue;
            };
            if m.broken {
                continue;
            }
            for r in &m.requires {
                let Some(rid) = ws.module_id(&r.value) else {
                    continue;
                };
                if rid == mid || graph.in_cycle(mid, rid) {
                    continue;
                }
                let Some(re) = first.get(r.value.as_str()).and_then(|&i| s.entries.get(i)) else {
                    continue; // spec/prerequisite-missing
                };
                if !seen.insert((e.code.value.as_str(), r.value.as_str())) {
                    continue;
                }
                let in_order = match (e.period, re.period, e.stage, re.stage) {
                    (Some(a), Some(b), _, _) => b.end_key() < a.end_key(),
                    (None, None, Some(a), Some(b)) => b < a,
                    (None, _, Some(a), Some(b)) | (_, None, Some(a), Some(b)) => b < a,
                    _ => true, // nothing to compare: spec/missing-property says why
                };
                if in_order {
                    continue;
                }
                let by_stage = e.period.is_none() || re.period.is_none();
                let help = if by_stage {
                    format!(
                        "put `{}` in an earlier stage than `{}`, or drop the requirement",
                        r.value, m.code.value
                    )
                } else {
                    format!(
                        "place `{}` so that it ends before `{}` ends (a prerequisite is passed before the module that requires it is submitted), or drop the requirement",
                        r.value, m.code.value
                    )
                };
                out.push(
                    Diagnostic::error(
                        ID,
                        p.source,
                        e.code.span,
                        format!(
                            "`{}` requires `{}`, which does not end before it in programme `{}`",
                            m.code.value, r.value, p.code.value
                        ),
                    )
                    .with_label(format!("`{}` ends in {}", m.code.value, ends(e)))
                    .with_secondary(p.source, re.code.span, format!("`{}` ends in {}", r.value, ends(re)))
                    .with_secondary(m.source, r.span, "required here")
                    .with_help(help)
                    .with_programme(p.code.value.clone())
                    .with_module(m.code.value.clone()),
                );
            }
        }
    }
}
