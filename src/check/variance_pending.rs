//! `spec/variance-pending` (warning): an otherwise valid variance has no
//! `approved` line.
//!
//! Fires when an otherwise valid variance has no `approved` line.
//!
//! A pending variance still waives (so a submission can be checked before
//! the panel meets) unless `--require-approved-variances` is given. Reported
//! by the variance checks.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Programme, Variance};
use crate::rules::{RuleDoc, RuleScope};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-pending",
    severity: Severity::Warning,
    scope: RuleScope::Variance,
    source: include_str!("variance_pending.rs"),
    example_fail: include_str!("examples/variance_pending.fail.pspec"),
    example_pass: include_str!("examples/variance_pending.pass.pspec"),
};

/// The diagnostic for variance `v` of `p`, valid but with no `approved`
/// line; `require_approved` is `--require-approved-variances`.
pub fn diagnostic(p: &Programme, v: &Variance, require_approved: bool) -> Diagnostic {
    let help = if require_approved {
        "add `approved \"COMMITTEE\" YYYY-MM-DD` once the panel has approved it; under `--require-approved-variances` a pending variance waives nothing"
    } else {
        "add `approved \"COMMITTEE\" YYYY-MM-DD` once the panel has approved it; until then it waives, but `--require-approved-variances` makes it waive nothing"
    };
    Diagnostic::warning(
        RULE.id,
        p.source,
        v.head,
        format!("variance for `{}` is pending: it has no `approved` line", v.rule.value),
    )
    .with_label("not yet approved")
    .with_help(help)
    .with_programme(p.code.value.clone())
}
