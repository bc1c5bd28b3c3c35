//! `spec/prerequisite-missing` (error): on some pathway, a module requires a
//! module that is not on that pathway.
//!
//! Fires when on some pathway, a module requires a module that is not on that
//! pathway (not reported for requirements inside a cycle).
//!
//! A pathway rule, decided without listing pathways: for a listed module `m`
//! requiring `r`, the rule fires when some pathway takes `m` and leaves out
//! every listing of `r`. Each question is a knapsack question asked only of
//! the option groups that hold `m` or `r` (`GroupSpace::choice_with`); the
//! other groups take any choice. One diagnostic
//! per (programme, module, missing requirement), naming that pathway. Not
//! reported for a requirement inside a cycle (`spec/prerequisite-cycle`),
//! for an undefined requirement (`spec/unknown-reference`), nor when the
//! programme's pathway rules are blocked (a listed module undefined, broken
//! or without credits, or an unsatisfiable option).
//!
//! A core requirement is on every pathway and a core module with an unlisted
//! requirement fails on every pathway, so only requirements that involve
//! options cost a knapsack question, over the groups involved only; the
//! whole pathway is assembled only for a diagnostic.
//!
//! The diagnostic points at the `requires` entry in the module and labels the
//! module's listing in the structure when both are in one file.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::not_evaluated::Pathways;
use super::CheckCtx;
use crate::diag::{Diagnostic, Severity};
use crate::model::pathways::PathwaySpace;
use crate::model::{Membership, Structure};
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/prerequisite-missing";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::Pathway,
    source: include_str!("prerequisite_missing.rs"),
    example_fail: include_str!("examples/prerequisite_missing.fail.pspec"),
    example_pass: include_str!("examples/prerequisite_missing.pass.pspec"),
};

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    let graph = ctx.graph;
    for (pi, p) in ws.programmes.iter().enumerate() {
        let Some(s) = &p.structure else {
            continue;
        };
        // Held back with the other pathway rules (spec/not-evaluated).
        let Pathways::Run(space) = ctx.pathways(pi) else {
            continue;
        };
        // Code -> every entry listing it.
        let mut listings: HashMap<&str, Vec<usize>> = HashMap::with_capacity(s.entries.len());
        for (i, e) in s.entries.iter().enumerate() {
            listings.entry(e.code.value.as_str()).or_default().push(i);
        }
        let mut seen: HashSet<(&str, &str)> = HashSet::with_capacity(s.entries.len());
        let mut queries = Queries::new(space, s);
        for (ei, e) in s.entries.iter().enumerate() {
            let Some(mid) = e.module() else {
                continue;
            };
            let Some(m) = ws.modules.get(mid) else {
                continue;
            };
            for r in &m.requires {
                let Some(rid) = ws.module_id(&r.value) else {
                    continue; // spec/unknown-reference
                };
                if graph.in_cycle(mid, rid) || rid == mid {
                    continue; // spec/prerequisite-cycle
                }
                if !seen.insert((e.code.value.as_str(), r.value.as_str())) {
                    continue;
                }
                let exclude: &[usize] = listings.get(r.value.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                if exclude
                    .iter()
                    .any(|&x| s.entries.get(x).is_some_and(|x| x.membership == Membership::Core))
                {
                    continue; // a core requirement is on every pathway
                }
                let Some(pathway) = queries.pathway_with(ei, exclude) else {
                    continue;
                };
                let listed = !exclude.is_empty();
                let message = if listed {
                    format!(
                        "module `{}` requires `{}`, which is not on every pathway of programme `{}` that takes `{}`",
                        m.code.value, r.value, p.code.value, m.code.value
                    )
                } else {
                    format!(
                        "module `{}` requires `{}`, which is not in the structure of programme `{}`",
                        m.code.value, r.value, p.code.value
                    )
                };
                let taken = match e.membership {
                    Membership::Core => "core",
                    Membership::Option(_) => "optional",
                };
                let help = if listed {
                    format!(
                        "make `{}` core, or change the options so that every choice with `{}` also takes `{}`",
                        r.value, m.code.value, r.value
                    )
                } else {
                    format!(
                        "add `{}` to the structure of `{}` before `{}`, or drop the requirement",
                        r.value, p.code.value, m.code.value
                    )
                };
                let mut d = Diagnostic::error(ID, m.source, r.span, message)
                    .with_label(format!("`{}` is required here", r.value))
                    .with_secondary(
                        p.source,
                        e.code.span,
                        format!("`{}` is {taken} in `{}`", m.code.value, p.code.value),
                    )
                    .with_help(help)
                    .with_programme(p.code.value.clone())
                    .with_module(m.code.value.clone())
                    .with_pathway(PathwaySpace::codes(s, &pathway));
                if let Some(&first) = exclude.first() {
                    if let Some(re) = s.entries.get(first) {
                        d = d.with_secondary(p.source, re.code.span, format!("`{}` is optional here", r.value));
                    }
                }
                out.push(d);
            }
        }
    }
}

/// "Is there a pathway that takes entry `m` and none of `exclude`?", asking
/// only the option groups involved (at most a few knapsack tables per
/// question, whatever the number of groups); the full pathway is built only
/// for an answer that is reported.
struct Queries<'a> {
    space: &'a PathwaySpace,
    /// A default choice per group, computed on first use.
    defaults: Vec<Option<Option<Vec<usize>>>>,
    /// Entry -> position of its group in `space.groups` (`None`: core).
    group_of: Vec<Option<usize>>,
}

impl<'a> Queries<'a> {
    fn new(space: &'a PathwaySpace, s: &'a Structure) -> Self {
        let group_of = s
            .entries
            .iter()
            .map(|e| match e.membership {
                Membership::Core => None,
                Membership::Option(g) => space.groups.iter().position(|x| x.group == g as usize),
            })
            .collect();
        Queries {
            space,
            defaults: vec![None; space.groups.len()],
            group_of,
        }
    }

    /// The position in `space.groups` of an entry's group.
    fn group(&self, entry: usize) -> Option<usize> {
        self.group_of.get(entry).copied().flatten()
    }

    fn pathway_with(&mut self, m: usize, exclude: &[usize]) -> Option<Vec<usize>> {
        if exclude.iter().any(|&x| self.group(x).is_none()) {
            return None; // a core entry is on every pathway
        }
        // The groups involved, with their constraints.
        let mut involved: Vec<(usize, Vec<usize>, Vec<usize>)> = Vec::new();
        let mut add = |g: usize, inc: Option<usize>, exc: Option<usize>| {
            let at = match involved.iter().position(|(x, _, _)| *x == g) {
                Some(i) => i,
                None => {
                    involved.push((g, Vec::new(), Vec::new()));
                    involved.len() - 1
                }
            };
            involved[at].1.extend(inc);
            involved[at].2.extend(exc);
        };
        if let Some(g) = self.group(m) {
            add(g, Some(m), None);
        }
        for &x in exclude {
            if let Some(g) = self.group(x) {
                add(g, None, Some(x));
            }
        }
        let mut chosen: Vec<(usize, Vec<usize>)> = Vec::with_capacity(involved.len());
        for (g, inc, exc) in &involved {
            let c = self.space.groups.get(*g)?.choice_with(inc, exc)?;
            chosen.push((*g, c));
        }
        // It exists: assemble the whole pathway.
        let mut path = self.space.core.clone();
        for g in 0..self.space.groups.len() {
            match chosen.iter().find(|(x, _)| *x == g) {
                Some((_, c)) => path.extend(c.iter().copied()),
                None => {
                    let space = self.space;
                    let d = self.defaults[g].get_or_insert_with(|| space.groups[g].choice_with(&[], &[]));
                    path.extend(d.as_ref()?.iter().copied());
                }
            }
        }
        path.sort_unstable();
        Some(path)
    }
}
