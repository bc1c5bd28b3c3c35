//! Text -> [`SourceFile`]. Parsing never fails.
//!
//! 1. [`scan`] walks the text once, collecting comments and the start of every
//!    top-level item (`module` / `programme` at the start of a line, outside
//!    strings and comments). Each item is parsed on its own.
//! 2. The fast path reads an item by hand (`fast.rs`): a recursive descent
//!    over the grammar that builds the same tree and gives up, leaving the
//!    item to pest, at the first thing it does not expect (D142).
//! 3. Otherwise pest parses the item in one call.
//! 4. When that fails, the item is re-parsed property by property: a broken
//!    property is reported and skipped up to the next line that starts with a
//!    keyword of the same block, so one typo costs one property and every
//!    other error in the item is still found.

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::*;
use super::errors::describe_error;
use crate::span::{Span, Spanned, Str};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/pspec.pest"]
pub struct PspecParser;

/// Parses one file. Never fails, never panics: errors are in the result.
pub fn parse(text: &str) -> SourceFile {
    parse_with(text, true).0
}

/// [`parse`] without the hand-written fast path: every item read by pest.
/// For the tests that compare the two paths (`tests/parse_fast.rs`).
#[doc(hidden)]
pub fn parse_pest_only(text: &str) -> SourceFile {
    parse_with(text, false).0
}

/// [`parse`], and how many items the fast path read. For the tests that
/// check the fast path is the one taken on well-formed files.
#[doc(hidden)]
pub fn parse_counting_fast(text: &str) -> (SourceFile, usize) {
    parse_with(text, true)
}

fn parse_with(text: &str, fast: bool) -> (SourceFile, usize) {
    let scan = scan(text);
    let mut file = SourceFile {
        comments: scan.comments,
        ..Default::default()
    };
    // Text before the first item.
    let first = scan.item_starts.first().copied().unwrap_or(text.len());
    report_stray(text, 0, first, &file.comments, &mut file.errors);
    // Braces nested past the limit are reported, then blanked out (same
    // length, so every span stays right) before pest sees the item.
    let (deep, masked) = nesting(text, &scan.item_starts);
    let parsed = masked.as_deref().unwrap_or(text);
    let mut fast_items = 0;
    for (i, &start) in scan.item_starts.iter().enumerate() {
        let end = scan.item_starts.get(i + 1).copied().unwrap_or(text.len());
        let errors_before = file.errors.len();
        fast_items += usize::from(parse_item(parsed, start, end, &mut file, fast));
        if let Some(at) = deep.iter().find(|d| (start..end).contains(&(d.start()))) {
            drop_deep(&mut file, *at, errors_before);
        }
    }
    (file, fast_items)
}

/// The deepest a `{ }` may nest in a `.pspec` item, the item's own braces
/// and a programme `rule { }` body's included: the same limit as brackets in
/// the policy language (D54).
pub const MAX_NESTING: usize = crate::policy::syntax::MAX_NESTING;

/// The first `{` past [`MAX_NESTING`] of each item, and the text with every
/// such brace and what it encloses blanked out (`None`: nothing too deep).
/// Strings, text blocks and comments are skipped as the grammar reads them.
fn nesting(text: &str, item_starts: &[usize]) -> (Vec<Span>, Option<String>) {
    let b = text.as_bytes();
    let mut deep = Vec::new();
    let mut blank: Vec<(usize, usize)> = Vec::new();
    for (n, &start) in item_starts.iter().enumerate() {
        let end = item_starts.get(n + 1).copied().unwrap_or(b.len());
        // Depth counts `{` bytes (outside strings and comments): an item
        // with no more of them than the limit cannot pass it, and counting
        // a byte is a fraction of the walk below.
        if b[start..end].iter().filter(|&&c| c == b'{').count() <= MAX_NESTING {
            continue;
        }
        let (mut i, mut depth, mut from) = (start, 0usize, None);
        while i < end {
            match b[i] {
                b'#' => {
                    while i < end && b[i] != b'\n' {
                        i += 1;
                    }
                    continue;
                }
                b'"' if b[i..end].starts_with(b"\"\"\"") => {
                    // Unterminated, pest reads `""` and goes on: so do we.
                    let close = (i + 3..end).find(|&j| b[j..end].starts_with(b"\"\"\""));
                    i = close.map_or(i + 2, |j| j + 3);
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < end && b[i] != b'"' && b[i] != b'\n' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i = (i + 1).min(end);
                    continue;
                }
                b'{' => {
                    depth += 1;
                    if depth > MAX_NESTING && from.is_none() {
                        if !deep.iter().any(|d: &Span| d.start() >= start) {
                            deep.push(Span::new(i, i + 1));
                        }
                        from = Some(i);
                    }
                }
                b'}' => {
                    if depth == MAX_NESTING + 1 {
                        if let Some(f) = from.take() {
                            blank.push((f, i + 1));
                        }
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
            i += 1;
        }
        if let Some(f) = from {
            blank.push((f, end));
        }
    }
    if blank.is_empty() {
        return (deep, None);
    }
    let mut out = b.to_vec();
    for (f, e) in blank {
        for c in &mut out[f..e] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    }
    // Only whole bytes were replaced by ASCII spaces: still UTF-8.
    (deep, Some(String::from_utf8_lossy(&out).into_owned()))
}

/// Reports the too-deep brace at `at` of the item just parsed and drops the
/// programme rule whose body holds it: a half-read rule is not evaluated.
fn drop_deep(file: &mut SourceFile, at: Span, errors_before: usize) {
    let message = "this text nests too deeply to check".to_string();
    file.errors.insert(
        errors_before.min(file.errors.len()),
        SyntaxError {
            span: at,
            message,
            help: Some(format!(
                "braces nest at most {MAX_NESTING} deep; split the rule or remove the extra braces"
            )),
        },
    );
    match file.items.last_mut() {
        Some(Item::Programme(p)) => {
            p.broken = true;
            p.props
                .retain(|prop| !(matches!(prop.kind, ProgrammeKind::Rule { .. }) && prop.span.contains(at.start())));
        }
        Some(Item::Module(m)) => m.broken = true,
        None => {}
    }
}

struct Scan {
    comments: Vec<Comment>,
    item_starts: Vec<usize>,
}

/// One pass over the text: comments and item starts.
///
/// An item starts at `module` or `programme` followed by whitespace, either
/// at brace depth 0 (anywhere, so two items may share a line) or first on a
/// line at column 1 (so a missing `}` does not swallow the next item, while
/// an indented line of a rule body or a code spelled `module` inside a block
/// is not taken for one).
fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut comments = Vec::new();
    let mut item_starts = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    let mut column0 = true;
    let mut depth: i64 = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                column0 = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => {
                // A run of blanks (indentation): one loop, not one match each.
                column0 = false;
                i += 1;
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
                    i += 1;
                }
            }
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                let s = i;
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                let mut e = i;
                if e > s && b[e - 1] == b'\r' {
                    e -= 1;
                }
                comments.push(Comment {
                    span: Span::new(s, e),
                    text: text.get(s..e).unwrap_or("").to_string(),
                });
            }
            b'"' => {
                line_start = false;
                if b[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    i = memchr::memmem::find(&b[i..], b"\"\"\"").map_or(b.len(), |n| i + n);
                    i = (i + 3).min(b.len());
                } else {
                    // To the closing quote or the line's end, a backslash
                    // escaping the byte after it (but a line break).
                    i += 1;
                    loop {
                        let Some(n) = memchr::memchr3(b'"', b'\n', b'\\', &b[i..]) else {
                            i = b.len();
                            break;
                        };
                        i += n;
                        if b[i] != b'\\' {
                            break;
                        }
                        i += if i + 1 < b.len() && b[i + 1] != b'\n' { 2 } else { 1 };
                    }
                    if i < b.len() && b[i] == b'"' {
                        i += 1;
                    }
                }
            }
            _ => {
                if after_gap(b, i)
                    && (depth <= 0 || (line_start && column0))
                    && (starts_keyword(b, i, b"module") || starts_keyword(b, i, b"programme"))
                {
                    item_starts.push(i);
                    depth = 0;
                }
                match c {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
                line_start = false;
                column0 = false;
                i += 1;
                // The rest of a word: no byte of it follows a gap, so none
                // starts an item, and none is a brace, quote, comment or
                // line break. Skip it in one tight loop.
                if is_idc(c) {
                    while i < b.len() && is_plain(b[i]) {
                        i += 1;
                    }
                }
            }
        }
    }
    Scan { comments, item_starts }
}

/// An ASCII byte that the scanner treats like a letter: not a gap before an
/// item (whitespace, `}`), not a brace, quote or comment start.
fn is_plain(c: u8) -> bool {
    c.is_ascii() && !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'"' | b'#')
}

/// At least as many modules and programmes as `text` holds once parsed: the
/// slots `analyze_once` lowers a file's items into (D148).
///
/// Counted first as every word `module` or `programme` where an item could
/// start, strings and comments included: one quick search. Where that finds
/// more than one per 64 bytes of text (strings or comments that repeat the
/// keywords could otherwise ask for a slot per word), the item starts
/// themselves are counted with [`scan`], at most one item per start.
pub fn item_bounds(text: &str) -> (usize, usize) {
    let b = text.as_bytes();
    let count = |w: &[u8]| {
        memchr::memmem::find_iter(b, w)
            .filter(|&i| after_gap(b, i) && starts_keyword(b, i, w))
            .count()
    };
    let (modules, programmes) = (count(b"module"), count(b"programme"));
    if modules.saturating_add(programmes).saturating_mul(64) <= text.len() {
        return (modules, programmes);
    }
    let starts = scan(text).item_starts;
    let modules = starts
        .iter()
        .filter(|&&i| b.get(i..).is_some_and(|r| r.starts_with(b"module")))
        .count();
    (modules, starts.len() - modules)
}

/// Whether `i` follows a gap, where an item keyword may start: the text's
/// start, whitespace, a `}`, or the last byte of a byte-order mark.
fn after_gap(b: &[u8], i: usize) -> bool {
    i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'}' | 0xBF)
}

/// `word` at `i` followed by a space or tab (an item keyword, not `module.x`).
fn starts_keyword(b: &[u8], i: usize, w: &[u8]) -> bool {
    b[i..].starts_with(w) && matches!(b.get(i + w.len()), Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// A code character of the grammar (`idc`): an ASCII letter or digit, `-`, `_`.
pub(super) fn is_idc(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn starts_word(b: &[u8], i: usize, w: &[u8]) -> bool {
    b[i..].starts_with(w) && b.get(i + w.len()).is_none_or(|&c| !is_idc(c))
}

/// Skips whitespace and comments from `pos`; returns the next significant offset.
/// The grammar's trivia: WHITESPACE (space, tab, line feed, carriage
/// return, U+FEFF) and `#` comments. Shared with the fast path (`fast.rs`).
pub(super) fn skip_trivia(text: &str, mut pos: usize, end: usize) -> usize {
    let b = text.as_bytes();
    while pos < end {
        match b[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < end && b[pos] != b'\n' {
                    pos += 1;
                }
            }
            // U+FEFF, by its bytes: 0xEF only ever starts a character.
            0xEF if b[pos..end].starts_with(&[0xEF, 0xBB, 0xBF]) => pos += 3,
            _ => break,
        }
    }
    pos
}

/// Reports anything but trivia in `[start, end)` as a stray-text error.
fn report_stray(text: &str, start: usize, end: usize, _comments: &[Comment], errors: &mut Vec<SyntaxError>) {
    let p = skip_trivia(text, start, end);
    if p < end {
        let tok_end = token_end(text, p, end);
        errors.push(SyntaxError {
            span: Span::new(p, tok_end),
            message: format!(
                "expected `module` or `programme`, found {}",
                found_text(text, p, tok_end)
            ),
            help: Some(match super::did_you_mean(text.get(p..tok_end).unwrap_or(""), super::vocab::TOP) {
                Some(k) => format!("did you mean `{k}`? a file holds `module` and `programme` items; text outside them is not allowed"),
                None => "a file holds `module` and `programme` items; text outside them is not allowed".into(),
            }),
        });
    }
}

/// The end of the token that starts at `p` (a word, a quoted string or one character).
pub(crate) fn token_end(text: &str, p: usize, end: usize) -> usize {
    let b = text.as_bytes();
    if p >= end {
        return p;
    }
    if is_idc(b[p]) || b[p] == b'.' || b[p] == b'/' || b[p] == b'%' {
        let mut e = p;
        while e < end && (is_idc(b[e]) || b[e] == b'.' || b[e] == b'/' || b[e] == b'%') {
            e += 1;
        }
        return e;
    }
    let mut e = p + 1;
    while e < end && !text.is_char_boundary(e) {
        e += 1;
    }
    e
}

pub(crate) fn found_text(text: &str, p: usize, e: usize) -> String {
    if p >= text.len() || p >= e {
        return "the end of the file".to_string();
    }
    let s = text.get(p..e).unwrap_or("?");
    match s {
        "\n" | "\r" => "the end of the line".into(),
        _ => format!("`{}`", s.chars().take(40).collect::<String>()),
    }
}

/// Parses the item in `[start, end)`; true when the fast path read it.
fn parse_item(text: &str, start: usize, end: usize, file: &mut SourceFile, fast: bool) -> bool {
    let chunk = &text[start..end];
    let is_module = chunk.starts_with("module");
    if fast {
        if let Some(item) = super::fast::item(text, start, end, is_module) {
            let item_end = item.span().end();
            file.items.push(item);
            report_stray(text, item_end, end, &file.comments, &mut file.errors);
            return true;
        }
    }
    let rule = if is_module {
        Rule::module_item
    } else {
        Rule::programme_item
    };
    if let Ok(mut pairs) = PspecParser::parse(rule, chunk) {
        if let Some(pair) = pairs.next() {
            let item_end = start + pair.as_span().end();
            let lw = Lower { text, base: start };
            let item = if is_module {
                Item::Module(lw.module_item(pair, &mut file.errors))
            } else {
                Item::Programme(lw.programme_item(pair, &mut file.errors))
            };
            file.items.push(item);
            report_stray(text, item_end, end, &file.comments, &mut file.errors);
            return false;
        }
    }
    recover_item(text, start, end, is_module, file);
    false
}

/// Which block a recovery loop is reading.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum BlockKind {
    Module,
    Programme,
}

/// Slow path: the item did not parse in one go.
fn recover_item(text: &str, start: usize, end: usize, is_module: bool, file: &mut SourceFile) {
    let lw = Lower { text, base: start };
    let chunk = &text[start..end];
    let kw_len = if is_module { 6 } else { 9 };
    let keyword = Span::new(start, start + kw_len);
    // Header: keyword, code, title.
    let (code, title, after_head) = match PspecParser::parse(Rule::item_head, chunk) {
        Ok(mut pairs) => {
            let head = pairs.next();
            let mut code = None;
            let mut title = None;
            let mut after = start + kw_len;
            if let Some(head) = head {
                after = start + head.as_span().end();
                for p in head.into_inner() {
                    match p.as_rule() {
                        Rule::code => code = Some(lw.string(&p)),
                        Rule::string | Rule::text_block => title = Some(lw.text(&p, &mut file.errors)),
                        _ => {}
                    }
                }
            }
            (code, title, after)
        }
        Err(_) => (None, None, start + kw_len),
    };
    let Some(code) = code else {
        // Not even a code: report and give up on this item.
        let p = skip_trivia(text, start + kw_len, end);
        let e = token_end(text, p, end);
        file.errors.push(SyntaxError {
            span: Span::new(p, e),
            message: format!(
                "expected a {} code, found {}",
                if is_module { "module" } else { "programme" },
                found_text(text, p, e)
            ),
            help: Some("codes are letters, digits, `-` and `_`, starting with a letter or digit, e.g. `7001DS`".into()),
        });
        return;
    };
    let mut errors_before = file.errors.len();
    let mut pos = skip_trivia(text, after_head, end);
    if title.is_none() {
        let e = token_end(text, pos, end);
        file.errors.push(SyntaxError {
            span: Span::new(pos, e),
            message: format!(
                "expected the {} title in double quotes, found {}",
                if is_module { "module" } else { "programme" },
                found_text(text, pos, e)
            ),
            help: Some(format!(
                "write `{} {} \"Title\" {{ ... }}`",
                if is_module { "module" } else { "programme" },
                code.value
            )),
        });
        errors_before = usize::MAX; // already reported
    }
    let mut mprops = Vec::new();
    let mut pprops = Vec::new();
    let mut unread = Vec::new();
    let mut close = None;
    if pos < end && text.as_bytes()[pos] == b'{' {
        pos += 1;
        let kind = if is_module {
            BlockKind::Module
        } else {
            BlockKind::Programme
        };
        loop {
            pos = skip_trivia(text, pos, end);
            if pos >= end {
                file.errors.push(SyntaxError {
                    span: Span::empty(trim_end(text, start, end)),
                    message: format!(
                        "expected `}}` to close {} `{}`",
                        if is_module { "module" } else { "programme" },
                        code.value
                    ),
                    help: Some("every `{` needs a matching `}`".into()),
                });
                break;
            }
            if text.as_bytes()[pos] == b'}' {
                close = Some(pos + 1);
                break;
            }
            let rule = if is_module {
                Rule::module_prop_one
            } else {
                Rule::programme_prop_one
            };
            match PspecParser::parse(rule, &text[pos..end]) {
                Ok(mut pairs) => {
                    let Some(one) = pairs.next() else { break };
                    let lwp = Lower { text, base: pos };
                    let len = one.as_span().end();
                    if let Some(inner) = one.into_inner().next() {
                        if is_module {
                            mprops.push(lwp.module_prop(inner, &mut file.errors));
                        } else {
                            pprops.push(lwp.programme_prop(inner, &mut file.errors));
                        }
                    }
                    pos += len.max(1);
                }
                Err(e) => {
                    file.errors.push(describe_error(text, pos, end, &e, kind));
                    if !is_module {
                        unread.push(unread_at(text, pos, end));
                    }
                    match resync(text, pos, end, kind) {
                        Resync::Property(p) => pos = p,
                        Resync::Close(p) => {
                            close = Some(p + 1);
                            break;
                        }
                        Resync::End => break,
                    }
                }
            }
        }
    } else if errors_before != usize::MAX {
        let e = token_end(text, pos, end);
        file.errors.push(SyntaxError {
            span: Span::new(pos, e),
            message: format!("expected `{{`, found {}", found_text(text, pos, e)),
            help: Some(format!(
                "the {} body goes in braces",
                if is_module { "module" } else { "programme" }
            )),
        });
    }
    let item_end = close.unwrap_or_else(|| trim_end(text, start, end));
    let span = Span::new(start, item_end);
    if is_module {
        file.items.push(Item::Module(ModuleItem {
            span,
            keyword,
            code,
            title,
            props: mprops,
            broken: true,
        }));
    } else {
        file.items.push(Item::Programme(ProgrammeItem {
            span,
            keyword,
            code,
            title,
            props: pprops,
            broken: true,
            unread,
        }));
    }
    if let Some(c) = close {
        report_stray(text, c, end, &file.comments, &mut file.errors);
    }
}

/// The keyword at `pos` of a property that did not parse, and the word
/// after it on the same line.
fn unread_at(text: &str, pos: usize, end: usize) -> Unread {
    let word_end = |from: usize| {
        let b = text.as_bytes();
        let mut e = from;
        while e < end && !b[e].is_ascii_whitespace() && !matches!(b[e], b'{' | b'}' | b'"' | b'#' | b',') {
            e += 1;
        }
        e
    };
    let k = word_end(pos);
    let keyword = Spanned::new(Str::from(text.get(pos..k).unwrap_or_default()), Span::new(pos, k));
    let b = text.as_bytes();
    let mut a = k;
    while a < end && (b[a] == b' ' || b[a] == b'\t') {
        a += 1;
    }
    let a_end = word_end(a);
    let argument = text.get(a..a_end).filter(|w| !w.is_empty()).map(str::to_string);
    Unread { keyword, argument }
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    let mut e = end;
    let b = text.as_bytes();
    while e > start && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    e
}

enum Resync {
    Property(usize),
    Close(usize),
    End,
}

/// After an error in the property starting at `from`: the next line, at the
/// same brace depth, that starts with a keyword of the block, or the brace
/// that closes the block.
fn resync(text: &str, from: usize, end: usize, kind: BlockKind) -> Resync {
    let keywords = match kind {
        BlockKind::Module => super::vocab::MODULE,
        BlockKind::Programme => super::vocab::PROGRAMME,
    };
    let b = text.as_bytes();
    let mut depth: i64 = 0;
    let mut i = from;
    let mut line_start = false;
    while i < end {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                line_start = false;
                if b[i..end].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < end && !b[i..end].starts_with(b"\"\"\"") {
                        i += 1;
                    }
                    i = (i + 3).min(end);
                } else {
                    i += 1;
                    while i < end && b[i] != b'"' && b[i] != b'\n' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i = (i + 1).min(end);
                }
                continue;
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth < 0 {
                    return Resync::Close(i);
                }
            }
            _ => {
                if line_start && depth == 0 && keywords.iter().any(|k| starts_word(b, i, k.as_bytes())) {
                    return Resync::Property(i);
                }
            }
        }
        line_start = false;
        i += 1;
    }
    Resync::End
}

/// Lowers pest pairs of one item to the syntax tree. `base` is the offset of
/// the parsed slice in the file.
struct Lower<'t> {
    #[allow(dead_code)]
    text: &'t str,
    base: usize,
}

impl<'t> Lower<'t> {
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(self.base + s.start(), self.base + s.end())
    }

    fn string(&self, p: &Pair<Rule>) -> Spanned<Str> {
        Spanned::new(Str::from(p.as_str()), self.span(p))
    }

    fn int(&self, p: &Pair<Rule>) -> Spanned<u64> {
        // Saturates: anything this large is `spec/invalid-value` anyway.
        let v = p.as_str().parse::<u64>().unwrap_or(u64::MAX);
        Spanned::new(v, self.span(p))
    }

    fn date(&self, p: &Pair<Rule>) -> Spanned<Date> {
        let s = p.as_str();
        let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0);
        Spanned::new(
            Date {
                year: num(0..4) as u16,
                month: num(5..7) as u8,
                day: num(8..10) as u8,
            },
            self.span(p),
        )
    }

    /// A `string` or `text_block` pair, unescaped.
    fn text(&self, p: &Pair<Rule>, errors: &mut Vec<SyntaxError>) -> Spanned<Str> {
        let span = self.span(p);
        let inner = p.clone().into_inner().next();
        let raw = inner.as_ref().map(|i| i.as_str()).unwrap_or("");
        let value = match p.as_rule() {
            Rule::text_block => dedent(raw),
            _ => unescape(raw, span.start() + 1, errors),
        };
        Spanned::new(Str::from(value), span)
    }

    fn codes(&self, p: Pair<Rule>) -> Vec<Spanned<Str>> {
        p.into_inner().map(|c| self.string(&c)).collect()
    }

    fn keyword(&self, p: &Pair<Rule>) -> Spanned<Str> {
        self.string(p)
    }

    fn module_item(&self, pair: Pair<Rule>, errors: &mut Vec<SyntaxError>) -> ModuleItem {
        let span = self.span(&pair);
        let before = errors.len();
        let mut it = pair.into_inner();
        let kw = it.next().map(|p| self.span(&p)).unwrap_or(span);
        let code = it
            .next()
            .map(|p| self.string(&p))
            .unwrap_or_else(|| Spanned::new(Str::default(), span));
        let title = it.next().map(|p| self.text(&p, errors));
        let mut props = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::lbrace | Rule::rbrace => {}
                _ => props.push(self.module_prop(p, errors)),
            }
        }
        ModuleItem {
            span,
            keyword: kw,
            code,
            title,
            props,
            broken: errors.len() > before,
        }
    }

    fn programme_item(&self, pair: Pair<Rule>, errors: &mut Vec<SyntaxError>) -> ProgrammeItem {
        let span = self.span(&pair);
        let before = errors.len();
        let mut it = pair.into_inner();
        let kw = it.next().map(|p| self.span(&p)).unwrap_or(span);
        let code = it
            .next()
            .map(|p| self.string(&p))
            .unwrap_or_else(|| Spanned::new(Str::default(), span));
        let title = it.next().map(|p| self.text(&p, errors));
        let mut props = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::lbrace | Rule::rbrace => {}
                _ => props.push(self.programme_prop(p, errors)),
            }
        }
        ProgrammeItem {
            span,
            keyword: kw,
            code,
            title,
            props,
            broken: errors.len() > before,
            unread: Vec::new(),
        }
    }

    fn module_prop(&self, p: Pair<Rule>, errors: &mut Vec<SyntaxError>) -> ModuleProp {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let kw_pair = it.next();
        let keyword = kw_pair
            .as_ref()
            .map(|k| self.keyword(k))
            .unwrap_or_else(|| Spanned::new(Str::default(), span));
        let kind = match rule {
            Rule::p_credits => ModuleKind::Credits(self.next_int(&mut it, span)),
            Rule::p_level => ModuleKind::Level(self.next_int(&mut it, span)),
            Rule::p_weeks => ModuleKind::Weeks(self.next_int(&mut it, span)),
            Rule::p_pass_mark => ModuleKind::PassMark(self.next_int(&mut it, span)),
            Rule::p_module_flag => ModuleKind::Flag,
            Rule::p_requires => ModuleKind::Requires(it.next().map(|c| self.codes(c)).unwrap_or_default()),
            Rule::p_outcomes => {
                let mut open = span;
                let mut close = span;
                let mut outcomes = Vec::new();
                for q in it {
                    match q.as_rule() {
                        Rule::lbrace => open = self.span(&q),
                        Rule::rbrace => close = self.span(&q),
                        Rule::outcome => {
                            let os = self.span(&q);
                            let mut oi = q.into_inner();
                            let code = oi
                                .next()
                                .map(|c| self.string(&c))
                                .unwrap_or_else(|| Spanned::new(Str::default(), os));
                            let text = oi
                                .next()
                                .map(|t| self.text(&t, errors))
                                .unwrap_or_else(|| Spanned::new(Str::default(), os));
                            outcomes.push(Outcome { span: os, code, text });
                        }
                        _ => {}
                    }
                }
                ModuleKind::Outcomes { open, outcomes, close }
            }
            Rule::p_assessment => {
                let code = it
                    .next()
                    .map(|c| self.string(&c))
                    .unwrap_or_else(|| Spanned::new(Str::default(), span));
                let title = it
                    .next()
                    .map(|t| self.text(&t, errors))
                    .unwrap_or_else(|| Spanned::new(Str::default(), span));
                let mut props = Vec::new();
                let mut close = span;
                for q in it {
                    let qs = self.span(&q);
                    let qr = q.as_rule();
                    if qr == Rule::rbrace {
                        close = qs;
                        continue;
                    }
                    if qr == Rule::lbrace {
                        continue;
                    }
                    let mut qi = q.into_inner();
                    let keyword = qi
                        .next()
                        .map(|k| self.keyword(&k))
                        .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                    let kind = match qr {
                        Rule::p_kind => AssessmentKind::Kind(
                            qi.next()
                                .map(|w| self.string(&w))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs)),
                        ),
                        Rule::p_weight => {
                            let v = qi
                                .next()
                                .and_then(|pc| {
                                    let s = self.span(&pc);
                                    pc.into_inner().next().map(|n| Spanned::new(self.int(&n).value, s))
                                })
                                .unwrap_or_else(|| Spanned::new(0, qs));
                            AssessmentKind::Weight(v)
                        }
                        Rule::p_covers => AssessmentKind::Covers(qi.next().map(|c| self.codes(c)).unwrap_or_default()),
                        _ => AssessmentKind::Competency,
                    };
                    props.push(Prop {
                        span: qs,
                        keyword,
                        kind,
                    });
                }
                ModuleKind::Assessment(Assessment {
                    code,
                    title,
                    props,
                    close,
                })
            }
            _ => ModuleKind::Flag,
        };
        Prop { span, keyword, kind }
    }

    fn next_int<'i>(&self, it: &mut impl Iterator<Item = Pair<'i, Rule>>, span: Span) -> Spanned<u64> {
        it.next().map(|n| self.int(&n)).unwrap_or_else(|| Spanned::new(0, span))
    }

    fn block<T>(
        &self,
        it: pest::iterators::Pairs<Rule>,
        span: Span,
        mut f: impl FnMut(Pair<Rule>) -> Option<T>,
    ) -> Block<T> {
        let mut open = span;
        let mut close = span;
        let mut items = Vec::new();
        for q in it {
            match q.as_rule() {
                Rule::lbrace => open = self.span(&q),
                Rule::rbrace => close = self.span(&q),
                _ => {
                    if let Some(x) = f(q) {
                        items.push(x)
                    }
                }
            }
        }
        Block { open, items, close }
    }

    fn duration(&self, p: Pair<Rule>) -> Duration {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let amount = it.next().map(|n| self.int(&n)).unwrap_or_else(|| Spanned::new(0, span));
        let unit = it
            .next()
            .map(|w| self.string(&w))
            .unwrap_or_else(|| Spanned::new(Str::default(), span));
        Duration { span, amount, unit }
    }

    fn programme_prop(&self, p: Pair<Rule>, errors: &mut Vec<SyntaxError>) -> ProgrammeProp {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let keyword = it
            .next()
            .map(|k| self.keyword(&k))
            .unwrap_or_else(|| Spanned::new(Str::default(), span));
        let empty = || Spanned::new(Str::default(), span);
        let kind = match rule {
            Rule::p_award => ProgrammeKind::Award(it.next().map(|c| self.string(&c)).unwrap_or_else(empty)),
            Rule::p_framework => ProgrammeKind::Framework(it.next().map(|c| self.string(&c)).unwrap_or_else(empty)),
            Rule::p_credits => ProgrammeKind::Credits(self.next_int(&mut it, span)),
            Rule::p_mode => ProgrammeKind::Mode(it.next().map(|c| self.codes(c)).unwrap_or_default()),
            Rule::p_language => ProgrammeKind::Language(it.next().map(|t| self.text(&t, errors)).unwrap_or_else(empty)),
            Rule::p_delivery => ProgrammeKind::Delivery(it.next().map(|c| self.string(&c)).unwrap_or_else(empty)),
            Rule::p_date => match it.next() {
                Some(d) => ProgrammeKind::Date(self.date(&d)),
                None => ProgrammeKind::ErasmusMundus,
            },
            Rule::p_erasmus => ProgrammeKind::ErasmusMundus,
            Rule::p_accreditation => {
                ProgrammeKind::Accreditation(it.next().map(|t| self.text(&t, errors)).unwrap_or_else(empty))
            }
            Rule::p_exit_award => {
                let award = it.next().map(|c| self.string(&c)).unwrap_or_else(empty);
                let credits = self.next_int(&mut it, span);
                ProgrammeKind::ExitAward { award, credits }
            }
            Rule::p_rpl => ProgrammeKind::Rpl(self.block(it, span, |q| {
                let qs = self.span(&q);
                let mut qi = q.into_inner();
                let keyword = qi
                    .next()
                    .map(|k| self.keyword(&k))
                    .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                let v = self.next_int(&mut qi, qs);
                Some(Prop {
                    span: qs,
                    keyword,
                    kind: RplKind::Credits(v),
                })
            })),
            Rule::p_partner => {
                let name = it.next().map(|t| self.text(&t, errors)).unwrap_or_else(empty);
                let mut errs = Vec::new();
                let block = self.block(it, span, |q| {
                    let qs = self.span(&q);
                    let qr = q.as_rule();
                    let mut qi = q.into_inner();
                    let keyword = qi
                        .next()
                        .map(|k| self.keyword(&k))
                        .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                    let val = qi.next();
                    let kind = match qr {
                        Rule::p_model => PartnerKind::Model(
                            val.map(|w| self.string(&w))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs)),
                        ),
                        _ => PartnerKind::Text(
                            val.map(|t| self.text(&t, &mut errs))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs)),
                        ),
                    };
                    Some(Prop {
                        span: qs,
                        keyword,
                        kind,
                    })
                });
                errors.extend(errs);
                ProgrammeKind::Partner { name, block }
            }
            Rule::p_attendance => ProgrammeKind::Attendance(self.block(it, span, |q| {
                let qs = self.span(&q);
                let qr = q.as_rule();
                let mut qi = q.into_inner();
                let keyword = qi
                    .next()
                    .map(|k| self.keyword(&k))
                    .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                let kind = match qr {
                    Rule::p_att_duration => AttendanceKind::Duration(qi.next().map(|d| self.duration(d))?),
                    _ => AttendanceKind::Agreements(self.next_int(&mut qi, qs)),
                };
                Some(Prop {
                    span: qs,
                    keyword,
                    kind,
                })
            })),
            Rule::p_engagement => ProgrammeKind::Engagement(self.block(it, span, |q| {
                let qs = self.span(&q);
                let qr = q.as_rule();
                let mut qi = q.into_inner();
                let keyword = qi
                    .next()
                    .map(|k| self.keyword(&k))
                    .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                let kind = match qr {
                    Rule::p_shared_with => {
                        EngagementKind::SharedWith(qi.next().map(|c| self.codes(c)).unwrap_or_default())
                    }
                    _ => EngagementKind::Retention(qi.next().map(|d| self.duration(d))?),
                };
                Some(Prop {
                    span: qs,
                    keyword,
                    kind,
                })
            })),
            Rule::p_structure => {
                ProgrammeKind::Structure(self.block(it, span, |q| Some(self.structure_line(q, errors))))
            }
            Rule::p_variance => {
                let rule = it.next().map(|c| self.string(&c)).unwrap_or_else(empty);
                let mut errs = Vec::new();
                let block = self.block(it, span, |q| {
                    let qs = self.span(&q);
                    let qr = q.as_rule();
                    let mut qi = q.into_inner();
                    let keyword = qi
                        .next()
                        .map(|k| self.keyword(&k))
                        .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                    let kind = match qr {
                        Rule::v_applies_to => {
                            VarianceKind::AppliesTo(qi.next().map(|c| self.codes(c)).unwrap_or_default())
                        }
                        Rule::v_criterion => {
                            let name = qi
                                .next()
                                .map(|w| self.string(&w))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                            let body = qi.next().map(|t| self.text(&t, &mut errs));
                            VarianceKind::Criterion { name, body }
                        }
                        Rule::v_text => VarianceKind::Text(
                            qi.next()
                                .map(|t| self.text(&t, &mut errs))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs)),
                        ),
                        Rule::v_submitted => VarianceKind::Submitted(qi.next().map(|d| self.date(&d))?),
                        _ => {
                            let by = qi
                                .next()
                                .map(|t| self.text(&t, &mut errs))
                                .unwrap_or_else(|| Spanned::new(Str::default(), qs));
                            let date = qi.next().map(|d| self.date(&d));
                            VarianceKind::Approved { by, date }
                        }
                    };
                    Some(Prop {
                        span: qs,
                        keyword,
                        kind,
                    })
                });
                errors.extend(errs);
                ProgrammeKind::Variance { rule, block }
            }
            Rule::p_rule => {
                let id = it.next().map(|c| self.string(&c)).unwrap_or_else(empty);
                let body = it
                    .next()
                    .map(|b| {
                        let bs = self.span(&b);
                        let inner = b.into_inner().next();
                        let (s, t) = match inner {
                            Some(i) => (self.span(&i), Str::from(i.as_str())),
                            None => (bs, Str::default()),
                        };
                        Spanned::new(t, s)
                    })
                    .unwrap_or_else(empty);
                ProgrammeKind::Rule { id, body }
            }
            _ => ProgrammeKind::ErasmusMundus,
        };
        Prop { span, keyword, kind }
    }

    fn placement(&self, p: Pair<Rule>) -> Placement {
        let span = self.span(&p);
        let mut period = PeriodSyntax::YearLong;
        let mut year = None;
        for q in p.into_inner() {
            let qs = self.span(&q);
            match q.as_rule() {
                Rule::pl_semester => {
                    let mut qi = q.into_inner();
                    qi.next();
                    period = PeriodSyntax::Semester(self.next_int(&mut qi, qs));
                }
                Rule::pl_semesters => {
                    let mut qi = q.into_inner();
                    qi.next();
                    let a = self.next_int(&mut qi, qs);
                    let b = self.next_int(&mut qi, qs);
                    period = PeriodSyntax::Semesters(a, b);
                }
                Rule::pl_year_long => period = PeriodSyntax::YearLong,
                Rule::pl_year => {
                    let mut qi = q.into_inner();
                    qi.next();
                    year = Some(self.next_int(&mut qi, qs));
                }
                _ => {}
            }
        }
        Placement { span, period, year }
    }

    fn group<'i>(&self, span: Span, keyword: Span, it: impl IntoIterator<Item = Pair<'i, Rule>>) -> Group {
        let mut g = Group {
            span,
            keyword,
            block: false,
            entries: Vec::new(),
            placement: None,
        };
        for q in it {
            match q.as_rule() {
                Rule::codes => {
                    g.entries = q
                        .into_inner()
                        .map(|c| PlacedModule {
                            code: self.string(&c),
                            placement: None,
                        })
                        .collect()
                }
                Rule::placement => g.placement = Some(self.placement(q)),
                Rule::placed_block => {
                    g.block = true;
                    for pm in q.into_inner() {
                        if pm.as_rule() != Rule::placed_module {
                            continue;
                        }
                        let mut pi = pm.into_inner();
                        let Some(code) = pi.next().map(|c| self.string(&c)) else {
                            continue;
                        };
                        let placement = pi.next().map(|pl| self.placement(pl));
                        g.entries.push(PlacedModule { code, placement });
                    }
                }
                _ => {}
            }
        }
        g
    }

    fn structure_line(&self, q: Pair<Rule>, errors: &mut Vec<SyntaxError>) -> StructureLine {
        let span = self.span(&q);
        let rule = q.as_rule();
        let mut it = q.into_inner();
        let keyword = it.next().map(|k| self.span(&k)).unwrap_or(span);
        match rule {
            Rule::s_option => {
                let title = it
                    .next()
                    .map(|t| self.text(&t, errors))
                    .unwrap_or_else(|| Spanned::new(Str::default(), span));
                it.next(); // choose
                let choose = self.next_int(&mut it, span);
                it.next(); // credits
                let rest: Vec<Pair<Rule>> = it.filter(|p| p.as_rule() != Rule::kw_from).collect();
                let gspan = span;
                let group = self.group_from(gspan, keyword, rest);
                StructureLine::Option {
                    span,
                    keyword,
                    title,
                    choose,
                    group,
                }
            }
            Rule::s_stage => {
                let number = self.next_int(&mut it, span);
                let mut title = None;
                let mut open = span;
                let mut close = span;
                let mut lines = Vec::new();
                for p in it {
                    match p.as_rule() {
                        Rule::string | Rule::text_block => title = Some(self.text(&p, errors)),
                        Rule::lbrace => open = self.span(&p),
                        Rule::rbrace => close = self.span(&p),
                        _ => lines.push(self.structure_line(p, errors)),
                    }
                }
                StructureLine::Stage {
                    span,
                    keyword,
                    number,
                    title,
                    open,
                    lines,
                    close,
                }
            }
            _ => {
                let rest: Vec<Pair<Rule>> = it.collect();
                StructureLine::Core(self.group_from(span, keyword, rest))
            }
        }
    }

    fn group_from(&self, span: Span, keyword: Span, rest: Vec<Pair<Rule>>) -> Group {
        self.group(span, keyword, rest)
    }
}

/// Unescapes the inside of a `"..."` string. `at` is the offset of its first
/// character, for error spans.
pub(super) fn unescape(raw: &str, at: usize, errors: &mut Vec<SyntaxError>) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((j, other)) => {
                errors.push(SyntaxError {
                    span: Span::new(at + i, at + j + other.len_utf8()),
                    message: format!("unknown escape `\\{other}`"),
                    help: Some("strings know `\\\"`, `\\\\`, `\\n` and `\\t`".into()),
                });
                out.push(other);
            }
            None => {}
        }
    }
    out
}

/// The text of a `"""..."""` block: a leading line break dropped, trailing
/// blank space dropped, and the indentation common to its lines removed.
pub fn dedent(raw: &str) -> String {
    let raw = raw
        .strip_prefix("\r\n")
        .or_else(|| raw.strip_prefix('\n'))
        .unwrap_or(raw);
    let raw = raw.trim_end();
    let lines: Vec<&str> = raw.lines().collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(raw.len());
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let l = l.trim_end_matches('\r');
        out.push_str(l.get(indent..).unwrap_or_else(|| l.trim_start()));
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// The scanner one byte per step, no run skipped: the oracle for the
    /// one that skips words, blanks, comments and strings in runs (with
    /// `memchr` since issue 7). Comments and item starts must come out the
    /// same for any text.
    fn scan_bytewise(text: &str) -> (Vec<(usize, usize)>, Vec<usize>) {
        let b = text.as_bytes();
        let (mut comments, mut starts) = (Vec::new(), Vec::new());
        let (mut i, mut line_start, mut column0, mut depth) = (0, true, true, 0i64);
        while i < b.len() {
            let c = b[i];
            match c {
                b'\n' => {
                    line_start = true;
                    column0 = true;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' => {
                    column0 = false;
                    i += 1;
                }
                0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
                b'#' => {
                    let s = i;
                    while i < b.len() && b[i] != b'\n' {
                        i += 1;
                    }
                    let e = if i > s && b[i - 1] == b'\r' { i - 1 } else { i };
                    comments.push((s, e));
                }
                b'"' => {
                    line_start = false;
                    if b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                            i += 1;
                        }
                        i = (i + 3).min(b.len());
                    } else {
                        i += 1;
                        while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                            if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] != b'\n' {
                                i += 1;
                            }
                            i += 1;
                        }
                        if i < b.len() && b[i] == b'"' {
                            i += 1;
                        }
                    }
                }
                _ => {
                    if super::after_gap(b, i)
                        && (depth <= 0 || (line_start && column0))
                        && (super::starts_keyword(b, i, b"module") || super::starts_keyword(b, i, b"programme"))
                    {
                        starts.push(i);
                        depth = 0;
                    }
                    match c {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    line_start = false;
                    column0 = false;
                    i += 1;
                }
            }
        }
        (comments, starts)
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "module ",
            "programme ",
            "module",
            "{",
            "}",
            "\"",
            "\"\"\"",
            "\\",
            "\\\"",
            "#",
            "# c",
            "\n",
            "\r\n",
            " ",
            "  ",
            "\t",
            "\r",
            "x",
            "M1",
            "é",
            "\u{feff}",
            "credits 10",
            ",",
            "LO1",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn scan_matches_the_bytewise_scanner(pieces in prop::collection::vec(piece(), 0..80)) {
            let text: String = pieces.concat();
            let got = super::scan(&text);
            let comments: Vec<(usize, usize)> =
                got.comments.iter().map(|c| (c.span.start(), c.span.end())).collect();
            prop_assert_eq!((comments, got.item_starts), scan_bytewise(&text), "text: {:?}", text);
        }
    }
}
