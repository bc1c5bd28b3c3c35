//! `spec/syntax` (error): the text does not parse.
//!
//! Fires when the text does not parse (one diagnostic per broken item at
//! least; the rest of the file is still checked).
//!
//! Reported by the parser (`syntax::parse`), at least once per broken item,
//! pointing at the token that is in the way, with the nearest keyword as a
//! suggestion. The rest of the file is still checked: a broken item still
//! defines its code (so references to it do not cascade into
//! `spec/unknown-reference`), but no rule evaluates its properties.

use crate::diag::{Diagnostic, Severity, SourceId};
use crate::rules::{RuleDoc, RuleScope};
use crate::syntax::ast::SyntaxError;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/syntax",
    severity: Severity::Error,
    scope: RuleScope::ModuleItself,
    source: include_str!("syntax.rs"),
    example_fail: include_str!("examples/syntax.fail.pspec"),
    example_pass: include_str!("examples/syntax.pass.pspec"),
};

/// The diagnostic of a parse error of source `src`: the parser's message
/// and help (`syntax::errors` words them).
pub fn diagnostic(src: SourceId, e: &SyntaxError) -> Diagnostic {
    let mut d = Diagnostic::error(RULE.id, src, e.span, e.message.clone());
    d.help = e.help.clone();
    d
}
