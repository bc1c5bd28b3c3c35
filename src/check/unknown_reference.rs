//! `spec/unknown-reference` (error): something is named but not defined.
//!
//! Fires when a module, outcome or framework that is named but not defined;
//! an `applies-to` module that is not in the programme's structure.
//!
//! Reported while the model is built (`model::build`) for modules (in
//! `requires` and in a structure) and outcomes (in `covers`), with the
//! nearest defined code as a suggestion, and for an `applies-to` module that
//! is not in its programme's structure; an unknown `framework` is reported
//! by the policy engine, which knows the packs. A module whose definition
//! does not parse still counts as defined. Both call the constructors below,
//! which hold the messages and help.

use crate::diag::{Diagnostic, Severity, SourceId};
use crate::model::build::list;
use crate::model::Programme;
use crate::rules::{RuleDoc, RuleScope};
use crate::span::{Span, Spanned, Str};
use crate::syntax::did_you_mean;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/unknown-reference",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("unknown_reference.rs"),
    example_fail: include_str!("examples/unknown_reference.fail.pspec"),
    example_pass: include_str!("examples/unknown_reference.pass.pspec"),
};

/// Outcome `c`, in a `covers` of module `module`, is not one of `codes`.
pub fn unknown_outcome(src: SourceId, module: &str, c: &Spanned<Str>, codes: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(
        RULE.id,
        src,
        c.span,
        format!("module `{module}` has no outcome `{}`", c.value),
    );
    d.help = Some(match did_you_mean(&c.value, codes) {
        Some(s) => format!("did you mean `{s}`?"),
        None if codes.is_empty() => "the module defines no outcomes: add an `outcomes { ... }` block".into(),
        None => format!("the module's outcomes are {}", list(codes)),
    });
    d
}

/// Module `c` (in a `requires` or a structure) is not defined; `codes` are
/// the defined module codes, sorted.
pub fn unknown_module(src: SourceId, c: &Spanned<Str>, codes: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(RULE.id, src, c.span, format!("module `{}` is not defined", c.value));
    d.help = Some(unknown_module_help(&c.value, codes));
    d
}

/// The help of [`unknown_module`]: the nearest of the workspace's module
/// `codes` (sorted, distinct), else how to define it. It reads every module
/// code of the workspace, so an incremental re-analysis recomputes it
/// ([`crate::analysis::incremental`]).
pub fn unknown_module_help(code: &str, codes: &[&str]) -> String {
    match did_you_mean(code, codes) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "define it with `module CODE \"Title\" { ... }` in a `.pspec` file of this workspace".into(),
    }
}

/// `applies-to` module `a` of a variance of `p` is not in `listed`, the
/// modules of `p`'s structure.
pub fn applies_to_not_listed(p: &Programme, a: &Spanned<Str>, listed: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(
        RULE.id,
        p.source,
        a.span,
        format!(
            "`applies-to` names module `{}`, which is not in the structure of programme `{}`",
            a.value, p.code.value
        ),
    );
    d.help = Some(match did_you_mean(&a.value, listed) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "a variance covers modules of its own programme's structure".into(),
    });
    d.with_programme(p.code.value.clone())
}

/// The help of an unknown framework: the nearest of `known` (by the policy
/// engine's name matcher), or the list.
fn framework_help(known: &[&str], near: Option<&str>, after: &str) -> String {
    match near {
        Some(s) => format!("did you mean `{s}`?{after}"),
        None => format!("known frameworks: {}", known.join(", ")),
    }
}

/// `--framework f` names no framework of the packs.
pub fn option_framework(src: SourceId, f: &str, known: &[&str], near: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        Span::new(0, f.len()),
        format!("framework `{f}` is not defined"),
    )
    .with_help(framework_help(known, near, ""))
}

/// spec.toml's `[policy] framework = f` names no framework of the packs.
pub fn default_framework(src: SourceId, f: &str, known: &[&str], near: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        src,
        Span::new(0, f.len()),
        format!("default framework `{f}` is not defined"),
    )
    .with_help(framework_help(
        known,
        near,
        " (the `framework` of spec.toml's `[policy]`)",
    ))
}

/// The `framework` line of `p` names no framework of the packs.
pub fn programme_framework(p: &Programme, f: &Spanned<Str>, known: &[&str], near: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        RULE.id,
        p.source,
        f.span,
        format!("framework `{}` is not defined", f.value),
    )
    .with_programme(p.code.value.clone())
    .with_label("unknown framework")
    .with_help(framework_help(known, near, ""))
}
