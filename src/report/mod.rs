//! The quality committee's documents: `spec report`, `spec variances`,
//! `spec diff` and `spec impact` build one [`doc::Document`] model, which
//! the Markdown and HTML backends render. Everything here reads an
//! [`crate::analysis::Analysis`]: no file system, no second evaluation.

pub mod diff;
pub mod doc;
pub mod html;
pub mod impact;
pub mod layout;
pub mod markdown;
pub mod programme;
pub mod scope;
pub mod variances;

pub use doc::Document;
