//! `spec/variance-criterion` (error): a variance's criterion is not admitted
//! by the rule it cites.
//!
//! Fires when under a framework that has no criterion rule of its own (LJMU's
//! is PG.A1.6/variance-criterion), a variance's criterion is not admitted by
//! the rule it cites.
//!
//! Only under a framework with no criterion rule of its own: LJMU checks this
//! with `PG.A1.6/variance-criterion`, so this rule stays quiet there (the
//! example uses `ntu-online-2018`, where `NTU.10E/credits` admits nothing).
//! Reported by the variance checks.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Programme, Variance};
use crate::rules::{RuleDoc, RuleInfo, RuleScope};
use crate::syntax::vocab::CRITERIA;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-criterion",
    severity: Severity::Error,
    scope: RuleScope::Variance,
    source: include_str!("variance_criterion.rs"),
    example_fail: include_str!("examples/variance_criterion.fail.pspec"),
    example_pass: include_str!("examples/variance_criterion.pass.pspec"),
};

/// The diagnostic, if the criterion of `v` is a known criterion that `rule`
/// (the rule it cites) does not admit. The caller asks only under a
/// framework without a criterion rule of its own.
pub fn check(p: &Programme, v: &Variance, rule: &RuleInfo) -> Option<Diagnostic> {
    let cited = v.rule.value.as_str();
    let c = v.criterion.as_ref()?;
    // An unknown criterion keyword is spec/invalid-value already.
    if !CRITERIA.contains(&c.name.value.as_str()) || rule.admits.iter().any(|a| *a == c.name.value) {
        return None;
    }
    let help = if rule.admits.is_empty() {
        format!("`{cited}` admits no criterion: it cannot be waived; meet the rule instead")
    } else {
        let list: Vec<String> = rule.admits.iter().map(|a| format!("`{a}`")).collect();
        format!("`{cited}` can be waived under {}", list.join(", "))
    };
    Some(
        Diagnostic::error(
            RULE.id,
            p.source,
            c.span,
            format!("criterion `{}` is not admitted by `{cited}`", c.name.value),
        )
        .with_label("not admitted by the cited rule")
        .with_help(help)
        .with_programme(p.code.value.clone()),
    )
}
