//! `spec/variance-unused` (warning): a valid variance waives nothing.
//!
//! Fires when a (valid) variance waives nothing.
//!
//! Reported by the variance checks once every rule has run.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Programme, Variance};
use crate::rules::{RuleDoc, RuleScope};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-unused",
    severity: Severity::Warning,
    scope: RuleScope::Variance,
    source: include_str!("variance_unused.rs"),
    example_fail: include_str!("examples/variance_unused.fail.pspec"),
    example_pass: include_str!("examples/variance_unused.pass.pspec"),
};

/// Why a valid variance waived nothing, as the variance checks found it.
pub enum Why<'a> {
    /// The cited rule is about a module itself, and this other programme
    /// lists the module without a covering variance.
    BlockedBy(&'a str),
    /// The rule fired about this subject, outside the `applies-to` scope.
    Outside(&'a str),
    /// The rule reported nothing the variance covers.
    Nothing,
    /// The cited rule does not admit the variance's criterion.
    NotAdmitted,
}

/// The diagnostic for variance `v` of `p`, which waived nothing.
pub fn diagnostic(p: &Programme, v: &Variance, why: Why) -> Diagnostic {
    let scope = if v.applies_to.is_empty() {
        format!("programme `{}`", p.code.value)
    } else {
        let mods: Vec<String> = v.applies_to.iter().map(|a| format!("`{}`", a.value)).collect();
        format!("{} in programme `{}`", mods.join(", "), p.code.value)
    };
    let why = match why {
        Why::BlockedBy(other) => format!(
            "`{}` is about a module itself, and programme `{other}` also lists the module without a variance covering it; every programme under the framework that lists it must hold one",
            v.rule.value
        ),
        Why::Outside(subject) => format!(
            "`{}` fires about {subject} in programme `{}`, which its `applies-to` does not cover, and about nothing it covers",
            v.rule.value, p.code.value
        ),
        Why::Nothing => format!("`{}` reports nothing about {scope}", v.rule.value),
        Why::NotAdmitted => {
            let crit = v.criterion.as_ref().map(|c| c.name.value.as_str()).unwrap_or("");
            format!(
                "`{}` does not admit criterion `{crit}`, so the variance cannot waive it",
                v.rule.value
            )
        }
    };
    Diagnostic::warning(
        RULE.id,
        p.source,
        v.head,
        format!("variance for `{}` waives nothing", v.rule.value),
    )
    .with_label("this variance waives no diagnostic")
    .with_help(format!(
        "{why}; remove the variance, or correct its rule id or `applies-to` scope"
    ))
    .with_programme(p.code.value.clone())
}
