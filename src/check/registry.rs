//! The metadata of every `spec/` rule, as [`crate::policy::RuleInfo`]: the
//! policy catalogue includes these under every framework.

use super::RULE_DOCS;
use crate::policy::RuleInfo;

/// The clause text shown for `spec/` rules, which have no regulation clause.
pub const CLAUSE_TEXT: &str = "language well-formedness (language.md)";

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
            summary: d.summary.to_string(),
            origin: None,
            example_fail: Some(d.example_fail.to_string()),
            example_pass: Some(d.example_pass.to_string()),
        })
        .collect()
}
