//! `spec/duplicate` (error): something that must be unique is given twice.
//!
//! Fires when a module code repeats in the workspace, a programme code
//! repeats, an outcome or assessment code repeats in a module, a
//! single-valued property is given twice, a stage number repeats, or a module
//! is listed twice in one structure.
//!
//! Reported while the model is built (`model::build`, which calls the
//! constructors below), at the second occurrence with a label on the first.

use crate::diag::{Diagnostic, Severity, SourceId};
use crate::model::{Module, Programme};
use crate::rules::{RuleDoc, RuleScope};
use crate::span::{Span, Spanned, Str};

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/duplicate",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("duplicate.rs"),
    example_fail: include_str!("examples/duplicate.fail.pspec"),
    example_pass: include_str!("examples/duplicate.pass.pspec"),
};

/// A single-valued property `what` given twice: at `second`, first at `first`.
pub fn given_twice(src: SourceId, what: &str, second: Span, first: Span) -> Diagnostic {
    Diagnostic::error(RULE.id, src, second, format!("`{what}` is given twice"))
        .with_label("second value")
        .with_secondary(src, first, "first given here")
        .with_help(format!("`{what}` takes one value: remove one of them"))
}

/// Module `m` has the code of `first`, defined before it.
pub fn module_twice(m: &Module, first: &Module) -> Diagnostic {
    code_twice("module", (m.source, &m.code), (first.source, &first.code))
}

/// Programme `p` has the code of `first`, defined before it.
pub fn programme_twice(p: &Programme, first: &Programme) -> Diagnostic {
    code_twice("programme", (p.source, &p.code), (first.source, &first.code))
}

/// A `kind` (module or programme) code defined twice in the workspace.
fn code_twice(kind: &str, (src, code): (SourceId, &Spanned<Str>), first: (SourceId, &Spanned<Str>)) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        code.span,
        format!("{kind} `{}` is defined twice", code.value),
    )
    .with_label("second definition")
    .with_secondary(first.0, first.1.span, "first defined here")
    .with_help(format!(
        "{kind} codes are unique in a workspace: rename or remove one definition"
    ))
}

/// `what` (`outcome` or `assessment`) `code` is defined twice in `module`.
pub fn twice_in_module(src: SourceId, what: &str, module: &str, code: &Spanned<Str>, first: Span) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        code.span,
        format!("{what} `{}` is defined twice in module `{module}`", code.value),
    )
    .with_label("second definition")
    .with_secondary(src, first, "first defined here")
    .with_help(format!("give each {what} its own code"))
}

/// Module `code` is listed twice in one structure.
pub fn listed_twice(src: SourceId, code: &Spanned<Str>, first: Span) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        code.span,
        format!("module `{}` is listed twice in the structure", code.value),
    )
    .with_label("listed again")
    .with_secondary(src, first, "first listed here")
    .with_help("a module is taken once: remove one of the listings")
}

/// Stage `number` is given twice in one structure.
pub fn stage_twice(src: SourceId, number: &Spanned<u64>, first: Span) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        number.span,
        format!("stage {} is given twice", number.value),
    )
    .with_label("second stage with this number")
    .with_secondary(src, first, "first given here")
    .with_help("number the stages 1, 2, 3, ...")
}
