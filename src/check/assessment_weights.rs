//! `spec/assessment-weights` (error): a module's assessment weights do not
//! sum to 100%.
//!
//! Fires when a module's assessment weights do not sum to 100%.
//!
//! Every module in the workspace is checked once. A module with a single
//! assessment may leave out its `weight` (it carries the whole mark); if it
//! gives one, it must be 100%. When a weight is missing from a module with
//! several assessments (`spec/missing-property`) or is over 100%
//! (`spec/invalid-value`), the sum is not checked, so one mistake is
//! reported once. A module whose text does not parse is not checked.
//!
//! The diagnostic points at the first weight, labels the others, and says
//! the actual sum and by how much it is off.

use super::CheckCtx;
use crate::diag::{Diagnostic, Severity};
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/assessment-weights";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("assessment_weights.rs"),
    example_fail: include_str!("examples/assessment_weights.fail.pspec"),
    example_pass: include_str!("examples/assessment_weights.pass.pspec"),
};

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    for m in &ctx.ws.modules {
        if m.broken || m.assessments.is_empty() {
            continue;
        }
        let weights: Vec<_> = m
            .assessments
            .iter()
            .filter_map(|a| a.weight.as_ref().map(|w| (a, w)))
            .collect();
        if weights.is_empty() && m.assessments.len() == 1 {
            continue; // a single assessment carries the whole mark
        }
        if weights.len() < m.assessments.len() || weights.iter().any(|(_, w)| w.value > 100) {
            continue; // spec/missing-property or spec/invalid-value says why
        }
        let sum: u64 = weights.iter().map(|(_, w)| w.value).sum();
        if sum == 100 {
            continue;
        }
        let Some(&(first_a, first)) = weights.first() else {
            continue;
        };
        let parts: Vec<String> = weights
            .iter()
            .map(|(a, w)| format!("`{}` {}%", a.code.value, w.value))
            .collect();
        let help = if weights.len() == 1 {
            format!(
                "the only assessment carries the whole mark: write `weight 100%` or leave the weight out (it is {}% off)",
                sum.abs_diff(100)
            )
        } else if sum < 100 {
            format!(
                "the weights are {}% short of 100%: raise one or more of them ({}) so they sum to 100%",
                100 - sum,
                parts.join(", ")
            )
        } else {
            format!(
                "the weights are {}% over 100%: lower one or more of them ({}) so they sum to 100%",
                sum - 100,
                parts.join(", ")
            )
        };
        let message = if weights.len() == 1 {
            format!(
                "the only assessment of module `{}` has weight {sum}%, not 100%",
                m.code.value
            )
        } else {
            format!(
                "the assessment weights of module `{}` sum to {sum}%, not 100%",
                m.code.value
            )
        };
        let mut d = Diagnostic::error(ID, m.source, first.span, message)
            .with_label(format!(
                "`{}` {}%; the weights sum to {sum}%",
                first_a.code.value, first.value
            ))
            .with_help(help)
            .with_module(m.code.value.clone());
        for (a, w) in weights.iter().skip(1) {
            d = d.with_secondary(m.source, w.span, format!("`{}` {}%", a.code.value, w.value));
        }
        out.push(d);
    }
}
