//! Conversion of the host's answers to protocol types (positions in the
//! negotiated encoding, diagnostics, edits, symbols, semantic tokens).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::lsp_types::*;

use crate::convert::{self, path_of, uri_of, Encoding, Lines};
use crate::host::{self, Host};

/// Our diagnostics as LSP, per file.
pub(crate) fn convert_files(
    h: &dyn Host,
    enc: Encoding,
    all: Vec<host::FileDiags>,
) -> Vec<(PathBuf, Uri, Vec<Diagnostic>)> {
    let mut texts: HashMap<PathBuf, Option<Arc<str>>> = HashMap::new();
    let mut text_of = |p: &Path| texts.entry(p.to_path_buf()).or_insert_with(|| h.text(p)).clone();
    let mut out = Vec::new();
    for f in all {
        let Some(uri) = uri_of(&f.path) else { continue };
        let text = text_of(&f.path).unwrap_or_else(|| Arc::from(""));
        let lines = Lines::new(&text, enc);
        let mut related_lines: HashMap<PathBuf, Arc<str>> = HashMap::new();
        for d in &f.diags {
            for r in &d.related {
                if !related_lines.contains_key(&r.loc.path) {
                    if let Some(t) = text_of(&r.loc.path) {
                        related_lines.insert(r.loc.path.clone(), t);
                    }
                }
            }
        }
        let indexes: HashMap<&PathBuf, Lines> = related_lines.iter().map(|(p, t)| (p, Lines::new(t, enc))).collect();
        let related = |loc: &host::Loc| -> Option<(Uri, Range)> {
            let l = indexes.get(&loc.path)?;
            Some((uri_of(&loc.path)?, l.range(loc.start, loc.end)))
        };
        let diags = f
            .diags
            .iter()
            .map(|d| convert::diagnostic(&lines, d, &related))
            .collect::<Vec<_>>();
        out.push((f.path, uri, diags));
    }
    out
}

/// The path and byte offset of a text document position.
pub(crate) fn at(h: &dyn Host, enc: Encoding, path: &Path, pos: Position) -> Option<usize> {
    let text = h.text(path)?;
    Some(Lines::new(&text, enc).offset(pos))
}

pub(crate) fn loc_to_lsp(
    h: &dyn Host,
    enc: Encoding,
    cache: &mut HashMap<PathBuf, Option<Arc<str>>>,
    loc: &host::Loc,
) -> Option<Location> {
    let text = cache
        .entry(loc.path.clone())
        .or_insert_with(|| h.text(&loc.path))
        .clone()?;
    Some(Location::new(
        uri_of(&loc.path)?,
        Lines::new(&text, enc).range(loc.start, loc.end),
    ))
}

#[allow(clippy::mutable_key_type)] // lsp_types keys `changes` by Uri
pub(crate) fn edits_to_lsp(h: &dyn Host, enc: Encoding, edits: &[host::Edit]) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut cache: HashMap<PathBuf, Option<Arc<str>>> = HashMap::new();
    for e in edits {
        let Some(text) = cache.entry(e.path.clone()).or_insert_with(|| h.text(&e.path)).clone() else {
            continue;
        };
        let Some(uri) = uri_of(&e.path) else { continue };
        let range = Lines::new(&text, enc).range(e.start, e.end);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, e.new_text.clone()));
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

pub(crate) fn symbol_kind(k: host::SymbolKind) -> SymbolKind {
    match k {
        host::SymbolKind::Module => SymbolKind::MODULE,
        host::SymbolKind::Programme => SymbolKind::PACKAGE,
        host::SymbolKind::Outcome => SymbolKind::ENUM_MEMBER,
        host::SymbolKind::Assessment => SymbolKind::EVENT,
        host::SymbolKind::Structure => SymbolKind::STRUCT,
        host::SymbolKind::Stage => SymbolKind::NAMESPACE,
        host::SymbolKind::OptionGroup => SymbolKind::ARRAY,
        host::SymbolKind::Variance => SymbolKind::KEY,
        host::SymbolKind::Rule => SymbolKind::FUNCTION,
        host::SymbolKind::Property => SymbolKind::PROPERTY,
    }
}

#[allow(deprecated)]
pub(crate) fn document_symbol(lines: &Lines, s: &host::Symbol) -> DocumentSymbol {
    let range = lines.range(s.start, s.end);
    let mut sel = lines.range(s.sel_start, s.sel_end);
    if sel.start < range.start || sel.end > range.end {
        sel = range;
    }
    DocumentSymbol {
        name: if s.name.is_empty() { "?".into() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: sel,
        children: Some(s.children.iter().map(|c| document_symbol(lines, c)).collect()),
    }
}

pub const TOKEN_TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM,
];

pub(crate) fn token_type(k: host::TokenKind) -> u32 {
    host::TokenKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u32
}

pub(crate) fn semantic_tokens(text: &str, enc: Encoding, mut tokens: Vec<host::Token>) -> Vec<SemanticToken> {
    tokens.sort_by_key(|t| t.start);
    let lines = Lines::new(text, enc);
    let mut out = Vec::new();
    let (mut prev_line, mut prev_char) = (0u32, 0u32);
    let mut last_end = 0usize;
    for t in tokens {
        if t.start < last_end || t.start >= text.len() || t.len == 0 {
            continue;
        }
        let end = (t.start + t.len).min(text.len());
        // A token must cut the text at character boundaries (never trust
        // offsets to be from this text).
        let Some(body) = text.get(t.start..end) else {
            continue;
        };
        last_end = end;
        // One token per line for multi-line tokens (text blocks).
        let mut s = t.start;
        while s < end {
            let line_end = body[s - t.start..].find('\n').map(|i| s + i).unwrap_or(end);
            if line_end > s {
                let a = lines.position(s);
                let b = lines.position(line_end);
                let length = b.character.saturating_sub(a.character);
                if length > 0 {
                    let delta_line = a.line - prev_line;
                    let delta_start = if delta_line == 0 {
                        a.character - prev_char
                    } else {
                        a.character
                    };
                    out.push(SemanticToken {
                        delta_line,
                        delta_start,
                        length,
                        token_type: token_type(t.kind),
                        token_modifiers_bitset: u32::from(t.definition),
                    });
                    prev_line = a.line;
                    prev_char = a.character;
                }
            }
            s = line_end + 1;
        }
    }
    out
}

pub(crate) fn completion_kind(k: host::CompletionKind) -> CompletionItemKind {
    match k {
        host::CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        host::CompletionKind::Module => CompletionItemKind::MODULE,
        host::CompletionKind::Outcome => CompletionItemKind::ENUM_MEMBER,
        host::CompletionKind::Rule => CompletionItemKind::FUNCTION,
        host::CompletionKind::Award => CompletionItemKind::CONSTANT,
        host::CompletionKind::Framework => CompletionItemKind::FOLDER,
        host::CompletionKind::Criterion => CompletionItemKind::ENUM,
        host::CompletionKind::Value => CompletionItemKind::VALUE,
        host::CompletionKind::Programme => CompletionItemKind::CLASS,
    }
}

pub(crate) fn doc_path(doc: &TextDocumentIdentifier) -> Option<PathBuf> {
    path_of(&doc.uri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Token, TokenKind};

    pub(crate) fn tok(start: usize, len: usize, kind: TokenKind) -> Token {
        Token {
            start,
            len,
            kind,
            definition: false,
        }
    }

    #[test]
    pub(crate) fn semantic_tokens_are_relative_split_per_line_and_skip_overlaps() {
        let text = "module A\n\"\"\"two\nlines\"\"\" é x\n";
        let s = text.find("\"\"\"").unwrap();
        let e = text.rfind("\"\"\"").unwrap() + 3;
        let x = text.rfind('x').unwrap();
        let toks = vec![
            tok(x, 1, TokenKind::Module),
            tok(0, 6, TokenKind::Keyword),
            tok(s, e - s, TokenKind::String),
            tok(2, 2, TokenKind::Number), // overlaps `module`: dropped
        ];
        let out = semantic_tokens(text, Encoding::Utf16, toks);
        let rows: Vec<[u32; 4]> = out
            .iter()
            .map(|t| [t.delta_line, t.delta_start, t.length, t.token_type])
            .collect();
        let kw = token_type(TokenKind::Keyword);
        let st = token_type(TokenKind::String);
        let md = token_type(TokenKind::Module);
        // `module`; `"""two` (line 1); `lines"""` (line 2); `x` after ` é ` (utf-16: 1 unit for é).
        assert_eq!(rows, vec![[0, 0, 6, kw], [1, 0, 6, st], [1, 0, 8, st], [0, 11, 1, md]]);
    }
}
