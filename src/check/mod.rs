//! The `spec/` rules: the language's own well-formedness checks, which apply
//! whatever the framework. One file per rule; each rule's doc comment is its
//! documentation (its "Fires when" paragraph is what `spec explain` prints),
//! its [`RuleDoc`](crate::rules::RuleDoc) constant the metadata that
//! [`registry::spec_rules`] publishes (`spec explain`, `spec rules`, the
//! editor, the variance checks), and `examples/RULE.fail.pspec` and
//! `examples/RULE.pass.pspec` its examples.
//!
//! Every rule's logic, message and help are in its file. Where a rule is
//! checked is another matter: `spec/syntax`, `spec/duplicate`,
//! `spec/missing-property`, `spec/invalid-value` and most of
//! `spec/unknown-reference` belong to reading values, so `model::build` calls
//! their files' functions as it reads; `spec/unknown-award`,
//! `spec/not-evaluated` and the `spec/variance-*` rules need the framework
//! packs, so the policy engine (`policy`, `policy::variance`) calls theirs.
//! The rules in [`CHECKS`] run on the finished model.
//!
//! This module depends on [`crate::rules`] for metadata and never on
//! [`crate::policy`] (docs/decisions.md D110).

use crate::diag::Diagnostic;
use crate::model::Workspace;

pub mod graph;
pub mod registry;

// Reported while building the model.
pub mod duplicate;
pub mod invalid_value;
pub mod missing_property;
pub mod syntax;
pub mod unknown_reference;

// Model-level checks (this module).
pub mod assessment_weights;
pub mod credit_total;
pub mod option_unsatisfiable;
pub mod prerequisite_cycle;
pub mod prerequisite_missing;
pub mod prerequisite_order;

// Reported by the policy engine.
pub mod not_evaluated;
pub mod unknown_award;
pub mod variance_criterion;
pub mod variance_not_waivable;
pub mod variance_pending;
pub mod variance_unknown_rule;
pub mod variance_unused;

/// What a check sees.
pub struct CheckCtx<'a> {
    pub ws: &'a Workspace,
    /// Each programme's pathways, by programme id ([`not_evaluated::pathways`]),
    /// read once for the checks and the policy evaluation.
    pub pathways: &'a [not_evaluated::Pathways],
    /// The prerequisite graph, built once for the checks that read it.
    pub graph: &'a graph::PrereqGraph,
}

impl CheckCtx<'_> {
    /// The pathways of programme `pi`.
    pub fn pathways(&self, pi: usize) -> &not_evaluated::Pathways {
        not_evaluated::of(self.pathways, pi)
    }
}

/// A `spec/` rule run over the whole workspace.
pub type Check = fn(&CheckCtx, &mut Vec<Diagnostic>);

/// Every model-level `spec/` check, in a fixed order.
pub const CHECKS: &[Check] = &[
    assessment_weights::check,
    option_unsatisfiable::check,
    credit_total::check,
    prerequisite_cycle::check,
    prerequisite_missing::check,
    prerequisite_order::check,
];

/// Runs every check of [`CHECKS`], in parallel, and appends their findings
/// in the order of the list, so the result is the sequential one.
pub fn run_all(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let found: Vec<Vec<Diagnostic>> = CHECKS
        .par_iter()
        .map(|check| {
            let mut v = Vec::new();
            check(ctx, &mut v);
            v
        })
        .collect();
    out.extend(found.into_iter().flatten());
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
