//! The `spec/` rules: the language's own well-formedness checks, which apply
//! whatever the framework. One file per rule; each rule's doc comment is its
//! documentation.
//!
//! `spec/syntax`, `spec/duplicate`, `spec/missing-property`,
//! `spec/invalid-value` and most of `spec/unknown-reference` are reported
//! while the model is built (`model::build`); the rules here run on the
//! finished model.

use crate::diag::Diagnostic;
use crate::model::Workspace;

pub mod registry;

/// What a check sees.
pub struct CheckCtx<'a> {
    pub ws: &'a Workspace,
}

/// A `spec/` rule run over the whole workspace.
pub type Check = fn(&CheckCtx, &mut Vec<Diagnostic>);

/// Every model-level `spec/` check, in a fixed order.
pub const CHECKS: &[Check] = &[];

pub fn run_all(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    for check in CHECKS {
        check(ctx, out);
    }
}
