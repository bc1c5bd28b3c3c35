//! `spec/option-unsatisfiable` (error): no choice of an option's modules
//! totals exactly its `choose N credits`.
//!
//! Fires when no choice of the listed modules totals exactly the option's
//! `choose N credits`.
//!
//! Decided per option group with a subset-sum table over the modules'
//! credits (`model::pathways::GroupSpace`), never by listing choices. Not
//! checked for an option that lists a module that is undefined, broken or
//! without valid credits (that is reported on its own), nor for `choose 0`.
//! When it fires, the programme has no pathway at all, so its pathway rules
//! (`spec/credit-total`, `spec/prerequisite-missing`, ...) are not evaluated.
//!
//! The diagnostic points at `N` in `choose N credits`, lists the modules'
//! credits and suggests the nearest totals that can be chosen.

use super::{and_list, CheckCtx};
use crate::diag::{Diagnostic, Severity};
use crate::model::build::MAX_INT;
use crate::model::pathways::PathwaySpace;
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/option-unsatisfiable";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::Programme,
    source: include_str!("option_unsatisfiable.rs"),
    example_fail: include_str!("examples/option_unsatisfiable.fail.pspec"),
    example_pass: include_str!("examples/option_unsatisfiable.pass.pspec"),
};

/// The largest table of reachable totals built for suggestions.
const MAX_TABLE: u64 = 1_000_000;

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    for p in &ws.programmes {
        let Some(s) = &p.structure else {
            continue;
        };
        let spaces = PathwaySpace::groups_of(ws, s);
        for (g, space) in s.groups.iter().zip(&spaces) {
            let target = g.choose.value;
            if target == 0 || target > MAX_INT {
                continue; // spec/invalid-value
            }
            // (code, credits) of the listed modules; skip the group when one
            // cannot be read.
            let mut items: Vec<(&str, u64)> = Vec::with_capacity(g.entries.len());
            let mut readable = true;
            for &e in &g.entries {
                let Some(entry) = s.entries.get(e) else {
                    readable = false;
                    break;
                };
                match entry.module().and_then(|m| ws.modules.get(m)) {
                    Some(m) if !m.broken => match &m.credits {
                        Some(c) if c.value <= MAX_INT => items.push((entry.code.value.as_str(), c.value)),
                        _ => readable = false,
                    },
                    _ => readable = false,
                }
            }
            if !readable || space.satisfiable() {
                continue;
            }
            let listed: Vec<String> = items.iter().map(|(c, n)| format!("`{c}` {n}")).collect();
            let message = format!(
                "no choice of the modules of option `{}` totals exactly {target} credits",
                g.title.value
            );
            let mut help = if items.is_empty() {
                "the option lists no modules: list modules whose credits can total the `choose`".to_string()
            } else {
                format!("the modules carry {} credits", and_list(&listed))
            };
            let (below, above) = nearest_totals(&items, target);
            let suggestions: Vec<String> = below
                .into_iter()
                .chain(above)
                .map(|t| format!("`choose {t} credits`"))
                .collect();
            if !suggestions.is_empty() {
                let alternatives = if suggestions.len() == 1 {
                    suggestions[0].clone()
                } else {
                    suggestions.join(" or ")
                };
                help.push_str(&format!(
                    "; choices can total {}: write {alternatives}, or list modules that can total {target} credits",
                    and_or(
                        &below
                            .into_iter()
                            .chain(above)
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                    )
                ));
            }
            out.push(
                Diagnostic::error(ID, p.source, g.choose.span, message)
                    .with_label(format!("no choice totals {target} credits"))
                    .with_help(help)
                    .with_programme(p.code.value.clone()),
            );
        }
    }
}

fn and_or(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// The achievable totals nearest to `target` (positive, below and above).
fn nearest_totals(items: &[(&str, u64)], target: u64) -> (Option<u64>, Option<u64>) {
    let max = items.iter().map(|&(_, c)| c).max().unwrap_or(0);
    let limit = target.saturating_add(max).min(MAX_TABLE);
    if limit < target {
        return (None, None);
    }
    let width = limit as usize + 1;
    let mut reach = vec![false; width];
    reach[0] = true;
    for &(_, c) in items {
        let c = c as usize;
        if c >= width {
            continue;
        }
        for s in (c..width).rev() {
            if reach[s - c] {
                reach[s] = true;
            }
        }
    }
    let t = target as usize;
    let below = (1..t.min(width)).rev().find(|&s| reach[s]).map(|s| s as u64);
    let above = (t + 1..width).find(|&s| reach[s]).map(|s| s as u64);
    (below, above)
}

#[cfg(test)]
mod tests {
    use super::nearest_totals;

    #[test]
    fn nearest() {
        assert_eq!(nearest_totals(&[("a", 20), ("b", 20)], 30), (Some(20), Some(40)));
        assert_eq!(nearest_totals(&[("a", 20), ("b", 20)], 50), (Some(40), None));
        assert_eq!(nearest_totals(&[("a", 40)], 30), (None, Some(40)));
    }
}
