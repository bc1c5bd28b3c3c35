//! Byte spans into a source text, and line/column conversion.

use std::num::NonZeroU32;

use serde::Serialize;

/// A half-open byte range `[start, end)` into one file's text.
///
/// Eight bytes with a niche: `end` is kept as `end + 1` in a `NonZeroU32`,
/// so an `Option<Span>` is eight bytes too and an `Option<Spanned<u64>>`
/// sixteen, not twelve and twenty-four (D151). Offsets are clamped to
/// `u32::MAX - 1`; an input file is at most 16 MiB.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    start: u32,
    end1: NonZeroU32,
}

/// The largest offset a span holds.
const MAX_OFFSET: usize = (u32::MAX - 1) as usize;

impl Default for Span {
    fn default() -> Span {
        Span::empty(0)
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Span")
            .field("start", &self.start)
            .field("end", &self.end())
            .finish()
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Span", 2)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end())?;
        st.end()
    }
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let start = start.min(MAX_OFFSET) as u32;
        let end = (end.min(MAX_OFFSET) as u32).max(start);
        Span {
            start,
            end1: NonZeroU32::MIN.saturating_add(end),
        }
    }
    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }
    /// The first byte.
    pub fn start(self) -> usize {
        self.start as usize
    }
    /// One past the last byte.
    pub fn end(self) -> usize {
        (self.end1.get() - 1) as usize
    }
    pub fn len(self) -> usize {
        self.end() - self.start()
    }
    pub fn is_empty(self) -> bool {
        self.end() == self.start()
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end1: self.end1.max(other.end1),
        }
    }
    pub fn contains(self, offset: usize) -> bool {
        self.start() <= offset && offset <= self.end()
    }
}

/// The string of the syntax tree and the model: a code, a title, a keyword,
/// a text. Up to 23 bytes sit inline (every code and keyword of a usual
/// catalogue); a longer one is shared, so lowering a tree into the model and
/// reading a field in a policy copy no text (D146).
pub use ecow::EcoString as Str;

/// A value with the span it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// Line starts of a text, for offset -> (line, column) conversion.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Scalar values before each [`MARK`]-byte block: a column on a line of
    /// any length costs at most one block, not the line (issue 8).
    marks: Vec<u32>,
}

/// Block size of [`LineIndex`]'s scalar-value marks.
const MARK: usize = 4096;

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i as u32 + 1);
            }
        }
        let mut marks = Vec::with_capacity(text.len() / MARK + 1);
        let mut chars = 0u32;
        for block in text.as_bytes().chunks(MARK) {
            marks.push(chars);
            chars += block.iter().filter(|&&b| !is_continuation(b)).count() as u32;
        }
        LineIndex { starts, marks }
    }

    /// 0-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(0) as usize
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and 1-based column counted in Unicode scalar values.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char(text, offset);
        let line = self.line(offset);
        let start = self.line_start(line).min(offset);
        let col = self.chars_before(text, offset) - self.chars_before(text, start);
        (line + 1, col + 1)
    }

    /// Scalar values in `text[..offset]` (`offset` on a char boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / MARK;
        let base = self.marks.get(block).copied().unwrap_or(0) as usize;
        let from = (block * MARK).min(offset);
        base + text.as_bytes()[from..offset]
            .iter()
            .filter(|&&b| !is_continuation(b))
            .count()
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The largest char boundary not after `offset`.
pub fn clamp_to_char(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_has_a_niche_and_reads_back_what_it_was_given() {
        // D151: the optional forms cost no tag.
        assert_eq!(std::mem::size_of::<Span>(), 8);
        assert_eq!(std::mem::size_of::<Option<Span>>(), 8);
        assert_eq!(std::mem::size_of::<Option<Spanned<u64>>>(), 16);
        assert_eq!(std::mem::size_of::<Option<Spanned<Str>>>(), 24);
        let s = Span::new(3, 9);
        assert_eq!((s.start(), s.end(), s.len(), s.range()), (3, 9, 6, 3..9));
        assert!(Span::empty(0).is_empty() && Span::default() == Span::empty(0));
        // An end before the start is the start; offsets past u32 clamp.
        assert_eq!(Span::new(7, 2), Span::empty(7));
        let far = Span::new(usize::MAX, usize::MAX);
        assert_eq!((far.start(), far.end()), (MAX_OFFSET, MAX_OFFSET));
        assert_eq!(Span::new(2, 4).cover(Span::new(1, 3)), Span::new(1, 4));
        assert!(Span::new(1, 4) < Span::new(1, 5) && Span::new(1, 5) < Span::new(2, 2));
        // What snapshots, `spec fmt`'s span stripping and JSON print.
        assert_eq!(format!("{:?}", Span::new(1, 2)), "Span { start: 1, end: 2 }");
        assert_eq!(
            serde_json::to_string(&Span::new(1, 2)).unwrap(),
            r#"{"start":1,"end":2}"#
        );
    }
}
