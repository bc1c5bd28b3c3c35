//! Byte spans into a source text, and line/column conversion.

use serde::Serialize;

/// A half-open byte range `[start, end)` into one file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }
    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.end == self.start
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= (self.end as usize)
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
