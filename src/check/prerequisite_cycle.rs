//! `spec/prerequisite-cycle` (error): `requires` forms a cycle.
//!
//! Fires when `requires` forms a cycle.
//!
//! The prerequisite graph of the workspace's modules (first definitions,
//! modules that parse) is split into strongly connected components with
//! Tarjan's algorithm, in time linear in modules plus requirements. Each
//! cyclic component is reported once, at the `requires` entry of its first
//! module (in workspace order) that starts a shortest cycle back to it; the
//! message names that cycle, `A -> B -> A`, and the other `requires` entries
//! along it are labelled. `spec/prerequisite-missing` and
//! `spec/prerequisite-order` stay quiet about requirements inside a cycle.

use std::collections::VecDeque;

use super::graph::PrereqGraph;
use super::CheckCtx;
use crate::diag::{Diagnostic, Severity};
use crate::model::ModuleId;
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/prerequisite-cycle";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("prerequisite_cycle.rs"),
    example_fail: include_str!("examples/prerequisite_cycle.fail.pspec"),
    example_pass: include_str!("examples/prerequisite_cycle.pass.pspec"),
};

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    let g = ctx.graph;
    let mut reported = vec![false; g.comp_size.len()];
    let mut scratch = vec![None; ws.modules.len()];
    for start in 0..ws.modules.len() {
        if !g.cyclic(start) {
            continue;
        }
        let c = g.comp[start] as usize;
        if reported[c] {
            continue;
        }
        reported[c] = true;
        let Some(cycle) = shortest_cycle(g, start, &mut scratch) else {
            continue;
        };
        // cycle: the edges (module, index into its requires) from `start` back to it.
        let names: Vec<String> = cycle
            .iter()
            .map(|&(m, _)| ws.modules[m].code.value.to_string())
            .chain(std::iter::once(ws.modules[start].code.value.to_string()))
            .collect();
        let path = names.join(" -> ");
        let m = &ws.modules[start];
        let Some(&(_, k0)) = cycle.first() else {
            continue;
        };
        let Some(first) = m.requires.get(k0) else {
            continue;
        };
        let mut d = Diagnostic::error(
            ID,
            m.source,
            first.span,
            format!("modules require each other in a cycle: `{path}`"),
        )
        .with_label(format!("`{}` requires `{}`", m.code.value, first.value))
        .with_help(format!(
            "a module cannot be a prerequisite of itself, even indirectly: remove one of the requirements in `{path}`"
        ))
        .with_module(m.code.value.clone());
        for &(x, k) in cycle.iter().skip(1) {
            let xm = &ws.modules[x];
            if let Some(r) = xm.requires.get(k) {
                d = d.with_secondary(xm.source, r.span, format!("`{}` requires `{}`", xm.code.value, r.value));
            }
        }
        out.push(d);
    }
}

/// A shortest cycle through `start` (breadth-first inside its component):
/// the edges taken, as (module, index into its `requires`), in order.
/// `prev` is scratch space of one slot per module, all `None` on entry and
/// on return, so many small cycles cost no more than their size.
fn shortest_cycle(
    g: &PrereqGraph,
    start: ModuleId,
    prev: &mut [Option<(ModuleId, usize)>],
) -> Option<Vec<(ModuleId, usize)>> {
    let c = g.comp[start];
    // prev[v] = (u, k): reached v by u's k-th requirement.
    let mut touched = Vec::new();
    let mut queue = VecDeque::from([start]);
    let mut closing: Option<(ModuleId, usize)> = None;
    'bfs: while let Some(u) = queue.pop_front() {
        for (k, v) in g.edges(u) {
            if g.comp[v] != c {
                continue;
            }
            if v == start {
                closing = Some((u, k));
                break 'bfs;
            }
            if prev[v].is_none() {
                prev[v] = Some((u, k));
                touched.push(v);
                queue.push_back(v);
            }
        }
    }
    let mut edges = Vec::new();
    if let Some((mut u, k)) = closing {
        edges.push((u, k));
        while u != start {
            let Some((p, pk)) = prev[u] else {
                break;
            };
            edges.push((p, pk));
            u = p;
        }
        edges.reverse();
    }
    for v in touched {
        prev[v] = None;
    }
    (!edges.is_empty()).then_some(edges)
}
