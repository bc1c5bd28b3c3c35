//! Renderers: one per output format, all reading the same [`Diagnostic`]s.
//!
//! [`Diagnostic`]: crate::diag::Diagnostic

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
