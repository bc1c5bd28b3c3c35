//! `spec`: compiler, linter and language server for programme specifications.
//!
//! Stages: text -> [`syntax`] tree -> [`model`] -> checks -> diagnostics ->
//! renderers. See `docs/architecture.md`.
#![forbid(unsafe_code)]

pub mod analysis;
pub mod check;
pub mod cli;
pub mod diag;
pub mod fmt;
pub mod ide;
pub mod interchange;
pub mod model;
pub mod policy;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;
pub mod syntax;
pub mod workspace;
pub mod write;
