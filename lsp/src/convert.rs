//! The one place where byte offsets and our plain data become LSP types.

use tower_lsp_server::lsp_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, NumberOrString, Position, Range, Uri,
};
use tower_lsp_server::UriExt;

use crate::host::{Diag, Loc, Severity};

/// The negotiated position encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

/// Line starts of a text, for offset <-> position conversion.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    enc: Encoding,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str, enc: Encoding) -> Lines<'a> {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        Lines { text, starts, enc }
    }

    /// The position of a byte offset (clamped to the text, to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let seg = self.text.get(start..offset).unwrap_or("");
        let character = match self.enc {
            Encoding::Utf8 => seg.len(),
            Encoding::Utf16 => seg.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The byte offset of a position; a position past the end of a line
    /// means its end, a line past the end of the text means the text's end.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let want = pos.character as usize;
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match self.enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + line.len()
    }
}

pub fn uri_of(path: &std::path::Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub fn path_of(uri: &Uri) -> Option<std::path::PathBuf> {
    if uri.scheme().map(|s| s.as_str()) != Some("file") {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// Our diagnostic as LSP. `related_range` converts a location in another
/// file (it needs that file's text).
pub fn diagnostic(lines: &Lines, d: &Diag, related_range: &dyn Fn(&Loc) -> Option<(Uri, Range)>) -> lsp::Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let (uri, range) = related_range(&r.loc)?;
            Some(DiagnosticRelatedInformation {
                location: lsp::Location::new(uri, range),
                message: r.message.clone(),
            })
        })
        .collect();
    lsp::Diagnostic {
        range: lines.range(d.start, d.end),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.clone())),
        code_description: None,
        source: Some("spec".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: d.waived.then(|| vec![DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_positions_round_trip() {
        let text = "ab\n é𝄞x\r\nlast";
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let l = Lines::new(text, enc);
            for (i, _) in text.char_indices() {
                if text.as_bytes()[i] == b'\n' {
                    continue;
                }
                assert_eq!(l.offset(l.position(i)), i, "{enc:?} offset {i}");
            }
        }
        let l = Lines::new(text, Encoding::Utf16);
        // `x` follows ` é𝄞` = 1 + 1 + 2 UTF-16 units.
        let x = text.find('x').unwrap();
        assert_eq!(l.position(x), Position::new(1, 4));
        let l8 = Lines::new(text, Encoding::Utf8);
        assert_eq!(l8.position(x), Position::new(1, 1 + 2 + 4));
        // Out of range positions clamp.
        assert_eq!(l.offset(Position::new(99, 0)), text.len());
        assert_eq!(l.offset(Position::new(0, 99)), 2);
        assert_eq!(l.offset(Position::new(1, 99)), text.find('\r').unwrap());
    }
}
