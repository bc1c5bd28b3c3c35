//! `spec`: compiler, linter and language server for programme specifications.
//!
//! Stages: text -> [`syntax`] tree -> [`model`] -> checks -> diagnostics ->
//! renderers. See `docs/architecture.md`.
#![forbid(unsafe_code)]

pub mod span;
pub mod syntax;
