//! The `spec/` rules: the language's own well-formedness checks, which apply
//! whatever the framework. One file per rule; each rule's doc comment is its
//! documentation, and its [`RuleDoc`] constant the metadata that
//! [`registry::spec_rules`] publishes (`spec explain`, `spec rules`, the
//! editor, the variance checks).
//!
//! `spec/syntax`, `spec/duplicate`, `spec/missing-property`,
//! `spec/invalid-value` and most of `spec/unknown-reference` are reported
//! while the model is built (`model::build`); `spec/unknown-award` and the
//! `spec/variance-*` rules need the framework packs and are reported by the
//! policy engine. Their files here hold their documentation only. The rules
//! in [`CHECKS`] run on the finished model.

use crate::diag::{Diagnostic, Severity};
use crate::model::Workspace;
use crate::policy::RuleScope;

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

pub fn run_all(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    for check in CHECKS {
        check(ctx, out);
    }
}

/// A `spec/` rule's metadata, kept in the rule's own file.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub scope: RuleScope,
    /// What fires it (rules.md, "fires when").
    pub summary: &'static str,
    /// A complete `.pspec` text on which the rule fires.
    pub example_fail: &'static str,
    /// The same example, mended: the rule is quiet.
    pub example_pass: &'static str,
}

/// The rules' metadata, in rules.md order.
pub const RULE_DOCS: &[&RuleDoc] = &[
    &syntax::RULE,
    &duplicate::RULE,
    &missing_property::RULE,
    &invalid_value::RULE,
    &unknown_reference::RULE,
    &unknown_award::RULE,
    &assessment_weights::RULE,
    &credit_total::RULE,
    &option_unsatisfiable::RULE,
    &prerequisite_cycle::RULE,
    &prerequisite_missing::RULE,
    &prerequisite_order::RULE,
    &variance_unknown_rule::RULE,
    &variance_not_waivable::RULE,
    &variance_criterion::RULE,
    &variance_unused::RULE,
    &variance_pending::RULE,
    &not_evaluated::RULE,
];

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}
