//! The catalogue of built-in rules: every `spec/` rule, as
//! [`crate::rules::RuleInfo`]. The policy catalogue includes these under
//! every framework; the tests derive their lists and counts from
//! [`RULE_DOCS`].

use super::*;
use crate::rules::{RuleDoc, RuleInfo};

/// The clause text shown for `spec/` rules, which have no regulation clause.
pub const CLAUSE_TEXT: &str = "language well-formedness (language.md)";

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

/// Every `spec/` rule of rules.md, in rules.md order.
pub fn spec_rules() -> Vec<RuleInfo> {
    RULE_DOCS
        .iter()
        .map(|d| RuleInfo {
            id: d.id.to_string(),
            clause: String::new(),
            clause_text: CLAUSE_TEXT.to_string(),
            severity: d.severity,
            admits: Vec::new(),
            scope: d.scope,
            framework: "spec".to_string(),
            summary: d.summary(),
            origin: None,
            example_fail: Some(d.example_fail.to_string()),
            example_pass: Some(d.example_pass.to_string()),
        })
        .collect()
}
