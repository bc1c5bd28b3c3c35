//! Renderers: one per output format, all reading the same [`Diagnostic`]s.
//!
//! [`Diagnostic`]: crate::diag::Diagnostic

pub mod github;
pub mod human;
pub mod json;
pub mod phrase;
pub mod sarif;

/// The text under a span as renderers quote it: whole, or when longer than
/// [`human::LONG_LABEL`] bytes only its first [`human::WINDOW`] bytes (a
/// span over a 10 MB line is not copied into every finding, D55).
pub fn excerpt(text: &str, span: crate::span::Span) -> &str {
    use crate::span::clamp_to_char;
    let start = clamp_to_char(text, span.start());
    let mut end = clamp_to_char(text, span.end()).max(start);
    if end - start > human::LONG_LABEL {
        end = clamp_to_char(text, start + human::WINDOW).max(start);
    }
    &text[start..end]
}
