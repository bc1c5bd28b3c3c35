//! Semantic tokens, from a lexical scan of the text and the symbol index
//! (so half-typed text still gets colours).

use spec_lsp::host::{Token, TokenKind};

use super::{Snapshot, Sym};
use crate::diag::SourceId;
use crate::syntax::vocab;

pub fn tokens(snap: &Snapshot, source: Option<SourceId>, text: &str) -> Vec<Token> {
    let keywords: std::collections::HashSet<&str> = vocab::all_keywords().collect();
    let values: std::collections::HashSet<&str> = vocab::all_values().collect();
    let mut occs: std::collections::HashMap<usize, (usize, &Sym, bool)> = std::collections::HashMap::new();
    if let Some(src) = source {
        for o in snap.index.in_source(src) {
            occs.insert(o.span.start(), (o.span.len(), &o.sym, o.def));
        }
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/');
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            let s = i;
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            let e = if i > s && b[i - 1] == b'\r' { i - 1 } else { i };
            out.push(Token {
                start: s,
                len: e - s,
                kind: TokenKind::Comment,
                definition: false,
            });
        } else if c == b'"' {
            let s = i;
            if text[i..].starts_with("\"\"\"") {
                i = text[i + 3..].find("\"\"\"").map(|e| i + 3 + e + 3).unwrap_or(b.len());
            } else {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(b.len());
            }
            out.push(Token {
                start: s,
                len: i - s,
                kind: TokenKind::String,
                definition: false,
            });
        } else if is_word(c) {
            let s = i;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            let word = &text[s..i];
            let mut len = i - s;
            if i < b.len() && b[i] == b'%' {
                i += 1;
                len += 1;
            }
            let kind = if let Some((l, sym, def)) = occs.get(&s) {
                let kind = match sym {
                    Sym::Module(_) => TokenKind::Module,
                    Sym::Programme(_) => TokenKind::Programme,
                    Sym::Outcome(..) | Sym::Assessment(..) => TokenKind::Outcome,
                    Sym::Rule(_) => TokenKind::Rule,
                    Sym::Award(_) | Sym::Framework(_) => TokenKind::Value,
                };
                out.push(Token {
                    start: s,
                    len: (*l).max(1),
                    kind,
                    definition: *def,
                });
                continue;
            } else if keywords.contains(word) {
                TokenKind::Keyword
            } else if word.bytes().all(|c| c.is_ascii_digit() || c == b'-')
                && word.bytes().next().is_some_and(|c| c.is_ascii_digit())
            {
                TokenKind::Number
            } else if values.contains(word) {
                TokenKind::Value
            } else {
                continue;
            };
            out.push(Token {
                start: s,
                len,
                kind,
                definition: false,
            });
        } else {
            i += text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        }
    }
    out
}
