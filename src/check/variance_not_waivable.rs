//! `spec/variance-not-waivable` (error): a variance cites a `spec/` rule.
//!
//! Fires when a variance cites a `spec/` rule.
//!
//! The language's own well-formedness rules admit no exceptions. Reported
//! by the variance checks (`policy::variance`), which call [`check`] first
//! on every variance.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Programme, Variance};
use crate::rules::{is_spec, RuleDoc, RuleScope};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-not-waivable",
    severity: Severity::Error,
    scope: RuleScope::Variance,
    source: include_str!("variance_not_waivable.rs"),
    example_fail: include_str!("examples/variance_not_waivable.fail.pspec"),
    example_pass: include_str!("examples/variance_not_waivable.pass.pspec"),
};

/// The diagnostic, if `v` cites a `spec/` rule. The variance checks look no
/// further at such a variance.
pub fn check(p: &Programme, v: &Variance) -> Option<Diagnostic> {
    let cited = v.rule.value.as_str();
    if !is_spec(cited) {
        return None;
    }
    Some(
        Diagnostic::error(RULE.id, p.source, v.rule.span, format!("`{cited}` is a `spec/` rule, which no variance can waive"))
            .with_label("not waivable")
            .with_help("`spec/` rules are the language's own well-formedness checks; correct the specification instead of citing them in a variance")
            .with_programme(p.code.value.clone()),
    )
}
