//! The syntax layer: text -> tree + errors. Knows nothing of rules or editors.

pub mod ast;
pub(crate) mod errors;
mod fast;
pub mod parser;
pub mod vocab;

pub use errors::{did_you_mean, levenshtein};
pub use parser::{dedent, item_bounds, parse, parse_counting_fast, parse_pest_only};
