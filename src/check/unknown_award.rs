//! `spec/unknown-award` (error): the award, or an exit award, is not an
//! award of the programme's framework.
//!
//! Fires when the award (or an exit award) is not an award of the programme's
//! framework.
//!
//! Reported by the policy engine, which knows each framework's awards: it
//! calls [`check`] for the award and every exit award of a programme whose
//! framework is known.

use crate::diag::{Diagnostic, Severity};
use crate::model::Programme;
use crate::rules::{RuleDoc, RuleScope};
use crate::span::{Spanned, Str};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/unknown-award",
    severity: Severity::Error,
    scope: RuleScope::Programme,
    source: include_str!("unknown_award.rs"),
    example_fail: include_str!("examples/unknown_award.fail.pspec"),
    example_pass: include_str!("examples/unknown_award.pass.pspec"),
};

/// The diagnostic, if `code` (the `what`, "award" or "exit award", of
/// programme `p`) is not one of `codes`, the awards of framework `fw`.
/// `near` is the nearest award code, by the policy engine's name matcher.
pub fn check(
    p: &Programme,
    code: &Spanned<Str>,
    what: &str,
    fw: &str,
    codes: &[&str],
    near: Option<&str>,
) -> Option<Diagnostic> {
    if codes.contains(&code.value.as_str()) {
        return None;
    }
    let help = match near {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("awards of `{fw}`: {}", codes.join(", ")),
    };
    Some(
        Diagnostic::error(
            RULE.id,
            p.source,
            code.span,
            format!("{what} `{}` is not an award of framework `{fw}`", code.value),
        )
        .with_programme(p.code.value.clone())
        .with_help(help),
    )
}
