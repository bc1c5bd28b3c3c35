//! `spec/missing-property` (error): a required property is missing.
//!
//! Fires when a required property is missing: module `credits`/`level`;
//! programme `award`/`framework`/`credits`; an assessment `weight` when the
//! module has more than one assessment; a placement where one is required
//! (language.md); a variance's `criterion`.
//!
//! Reported while the model is built (`model::build`), at the item's code:
//! module `credits` or `level`; programme `award`, `framework` or `credits`;
//! an assessment's `weight` when the module has more than one assessment; a
//! structure entry's placement (optional only inside a `stage` of a
//! `block`-delivered programme); a variance's `criterion`.

use crate::diag::{Diagnostic, Severity, SourceId};
use crate::model::{Assessment, Entry, Module, Programme};
use crate::rules::{RuleDoc, RuleScope};
use crate::span::{Span, Spanned, Str};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/missing-property",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("missing_property.rs"),
    example_fail: include_str!("examples/missing_property.fail.pspec"),
    example_pass: include_str!("examples/missing_property.pass.pspec"),
};

/// Module `m` has no `credits`.
pub fn module_credits(m: &Module) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        m.source,
        m.code.span,
        format!("module `{}` has no `credits`", m.code.value),
    )
    .with_help("add `credits N` to the module, e.g. `credits 20`")
}

/// Module `m` has no `level`.
pub fn module_level(m: &Module) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        m.source,
        m.code.span,
        format!("module `{}` has no `level`", m.code.value),
    )
    .with_help("add `level N` to the module, e.g. `level 7`")
}

/// Assessment `a`, one of several in its module, has no `weight`.
pub fn assessment_weight(src: SourceId, a: &Assessment) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        a.code.span,
        format!("assessment `{}` has no `weight`", a.code.value),
    )
    .with_help("a module with more than one assessment gives each a `weight`, e.g. `weight 40%`")
}

/// The variance of `rule` (headed at `head`) has no `criterion`.
pub fn variance_criterion(src: SourceId, head: Span, rule: &Spanned<Str>) -> Diagnostic {
    use crate::syntax::vocab::{criterion_example, listed, CRITERIA};
    let lines: Vec<String> = CRITERIA
        .iter()
        .map(|c| format!("`criterion {}`", criterion_example(c)))
        .collect();
    Diagnostic::error(
        RULE.id,
        src,
        head,
        format!("variance `{}` has no `criterion`", rule.value),
    )
    .with_help(format!(
        "add the criterion it is granted under: {}",
        listed(&lines, "or")
    ))
}

/// Programme `p` has no `what` (`award`, `framework` or `credits`).
pub fn programme_property(p: &Programme, what: &str) -> Diagnostic {
    let example = match what {
        "award" => "award MSc",
        "framework" => "framework ljmu-pgt-2022",
        _ => "credits 180",
    };
    Diagnostic::error(
        RULE.id,
        p.source,
        p.code.span,
        format!("programme `{}` has no `{what}`", p.code.value),
    )
    .with_help(format!("add `{example}` (or the programme's own value)"))
}

/// Structure entry `e` has no placement where one is required.
pub fn placement(src: SourceId, e: &Entry) -> Diagnostic {
    Diagnostic::error(RULE.id, src, e.code.span, format!("module `{}` has no placement", e.code.value))
        .with_help("place it, e.g. `semester 1`, `semesters 1-3` or `year-long`; only modules in a `stage` of a `block`-delivered programme may omit it")
}
