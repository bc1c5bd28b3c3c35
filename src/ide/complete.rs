//! Completion: the keywords valid at the cursor, and codes, rule ids,
//! awards, frameworks and criteria where a property takes them. The context
//! is read lexically from the text before the cursor, so it works on
//! half-typed text that does not parse.

use spec_lsp::host::{Completion, CompletionKind};

use super::Snapshot;
use crate::diag::SourceId;
use crate::syntax::vocab::{self, BLOCK_HEADS, CRITERIA, DELIVERIES, KINDS, MODES, PARTNER_MODELS, PLACEMENTS};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok<'a> {
    Word(&'a str),
    Str,
    Open,
    Close,
    Comma,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '%')
}

/// Tokens of `text` with their start offsets (comments skipped; a string
/// left open runs to the end).
fn lex(text: &str) -> Vec<(usize, Tok<'_>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
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
                out.push((start, Tok::Str));
            }
            b'{' => {
                out.push((i, Tok::Open));
                i += 1;
            }
            b'}' => {
                out.push((i, Tok::Close));
                i += 1;
            }
            b',' => {
                out.push((i, Tok::Comma));
                i += 1;
            }
            _ if (c as char).is_ascii() && is_word(c as char) => {
                let start = i;
                while i < b.len() && (b[i] as char).is_ascii() && is_word(b[i] as char) {
                    i += 1;
                }
                out.push((start, Tok::Word(&text[start..i])));
            }
            _ => {
                i += text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            }
        }
    }
    out
}

/// What the cursor is in.
#[derive(Debug, Default)]
struct Context<'a> {
    /// The kind of the innermost open block (`module`, `structure`, ...; "" at top level).
    block: &'a str,
    /// The code of the enclosing module, if any.
    module: Option<&'a str>,
    /// The tokens of the current statement before the cursor (the partial
    /// word under the cursor excluded).
    stmt: Vec<Tok<'a>>,
}

fn context(text: &str, offset: usize) -> Context<'_> {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let toks = lex(before);
    // Drop the partial word the cursor is in.
    let toks: Vec<(usize, Tok)> = match toks.last() {
        Some((s, Tok::Word(w))) if s + w.len() == offset => toks[..toks.len() - 1].to_vec(),
        _ => toks,
    };
    let mut stack: Vec<(&str, Option<&str>)> = Vec::new();
    let mut stmt_start = 0;
    for (i, (_, t)) in toks.iter().enumerate() {
        match t {
            Tok::Open => {
                // The block's head: the first block keyword of the statement.
                let head = toks[stmt_start..i]
                    .iter()
                    .rev()
                    .find_map(|(_, t)| match t {
                        Tok::Word(w) if BLOCK_HEADS.contains(w) => Some(*w),
                        _ => None,
                    })
                    .unwrap_or("?");
                let code = if head == "module" {
                    toks[stmt_start..i]
                        .iter()
                        .skip_while(|(_, t)| *t != Tok::Word("module"))
                        .nth(1)
                        .and_then(|(_, t)| match t {
                            Tok::Word(w) => Some(*w),
                            _ => None,
                        })
                } else {
                    None
                };
                stack.push((head, code));
                stmt_start = i + 1;
            }
            Tok::Close => {
                stack.pop();
                stmt_start = i + 1;
            }
            Tok::Word(w) if vocab::block_keywords(stack.last().map(|(h, _)| *h).unwrap_or("")).contains(w) => {
                stmt_start = i
            }
            _ => {}
        }
    }
    // On a fresh line (not after a comma) a new statement begins.
    let cursor_line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let ends_with_comma = matches!(toks.last(), Some((_, Tok::Comma)));
    let on_line = toks.last().is_some_and(|(p, _)| *p >= cursor_line_start);
    let stmt: Vec<Tok> = if on_line || ends_with_comma {
        toks[stmt_start.min(toks.len())..]
            .iter()
            .map(|(_, t)| t.clone())
            .collect()
    } else {
        Vec::new()
    };
    let block = stack.last().map(|(h, _)| *h).unwrap_or("");
    let module = stack
        .iter()
        .rev()
        .find_map(|(h, c)| (*h == "module").then_some(*c).flatten());
    Context { block, module, stmt }
}

fn items(labels: &[&str], kind: CompletionKind) -> Vec<Completion> {
    labels
        .iter()
        .map(|l| Completion {
            label: l.to_string(),
            kind,
            detail: None,
            documentation: None,
        })
        .collect()
}

fn modules(snap: &Snapshot) -> Vec<Completion> {
    let mut v: Vec<Completion> = snap
        .analysis
        .workspace
        .modules
        .iter()
        .map(|m| Completion {
            label: m.code.value.clone(),
            kind: CompletionKind::Module,
            // Filled in by [`module_details`] for the items kept: formatting
            // 20,000 details to send 200 was most of a completion's cost.
            detail: None,
            documentation: None,
        })
        .collect();
    v.sort_by(|a, b| a.label.cmp(&b.label));
    v.dedup_by(|a, b| a.label == b.label);
    v
}

/// The detail of each module item (title, credits, level of its first
/// definition), once the list is ranked and cut.
pub fn module_details(snap: &Snapshot, items: &mut [Completion]) {
    for c in items.iter_mut() {
        if c.kind == CompletionKind::Module && c.detail.is_none() {
            if let Some(m) = snap.analysis.workspace.module(&c.label) {
                c.detail = Some(format!("{} ({} credits, level {})", m.title, m.credits(), m.level()));
            }
        }
    }
}

pub fn complete(snap: &Snapshot, source: Option<SourceId>, text: &str, offset: usize) -> Vec<Completion> {
    let cx = context(text, offset);
    let first = match cx.stmt.first() {
        Some(Tok::Word(w)) => Some(*w),
        _ => None,
    };
    let has = |w: &str| cx.stmt.contains(&Tok::Word(w));
    let n = cx.stmt.len();
    let last_is_comma = matches!(cx.stmt.last(), Some(Tok::Comma));
    let value_slot = n == 1 || last_is_comma;
    match first {
        Some("requires") if value_slot => {
            let mut v = modules(snap);
            v.retain(|c| Some(c.label.as_str()) != cx.module);
            return v;
        }
        Some("applies-to") if value_slot => return modules(snap),
        Some("core") if cx.block == "structure" || cx.block == "stage" => {
            if value_slot {
                return modules(snap);
            }
            return items(PLACEMENTS, CompletionKind::Keyword);
        }
        Some("option") if cx.block == "structure" || cx.block == "stage" => {
            if has("from") {
                if matches!(cx.stmt.last(), Some(Tok::Word("from"))) || last_is_comma {
                    return modules(snap);
                }
                return items(PLACEMENTS, CompletionKind::Keyword);
            }
            if matches!(cx.stmt.last(), Some(Tok::Word("credits"))) {
                return items(&["from"], CompletionKind::Keyword);
            }
            return Vec::new();
        }
        Some("covers") if value_slot => {
            let Some(m) = cx.module.and_then(|c| snap.analysis.workspace.module(c)) else {
                return Vec::new();
            };
            return m
                .outcomes
                .iter()
                .map(|o| Completion {
                    label: o.code.value.clone(),
                    kind: CompletionKind::Outcome,
                    detail: Some(o.text.value.clone()),
                    documentation: None,
                })
                .collect();
        }
        Some("variance") if n == 1 && cx.block == "programme" => return variance_rules(snap, source, text, offset),
        Some("award" | "exit-award") if n == 1 => {
            return snap
                .rules
                .awards
                .iter()
                .map(|a| Completion {
                    label: a.clone(),
                    kind: CompletionKind::Award,
                    detail: snap.rules.award_requirements(a),
                    documentation: None,
                })
                .collect();
        }
        Some("framework") if n == 1 => {
            return items(
                &snap.rules.frameworks.iter().map(String::as_str).collect::<Vec<_>>(),
                CompletionKind::Framework,
            )
        }
        Some("criterion") if n == 1 => return items(CRITERIA, CompletionKind::Criterion),
        Some("kind") if n == 1 => return items(KINDS, CompletionKind::Value),
        Some("mode") if value_slot => return items(MODES, CompletionKind::Value),
        Some("delivery") if n == 1 => return items(DELIVERIES, CompletionKind::Value),
        Some("model") if n == 1 => return items(PARTNER_MODELS, CompletionKind::Value),
        Some(_) => return Vec::new(),
        None => {}
    }
    if matches!(cx.block, "core" | "option") {
        return modules(snap);
    }
    items(vocab::block_keywords(cx.block), CompletionKind::Keyword)
}

/// The `framework` written in the programme around `offset`, read from the
/// text (which may be newer than the analysis): the programme starts at the
/// last `programme` line before the cursor and ends at the next top-level
/// item.
pub fn framework_at(text: &str, offset: usize) -> Option<&str> {
    let offset = crate::span::clamp_to_char(text, offset.min(text.len()));
    let mut line_start = 0;
    let mut start = None;
    let mut found = None;
    for line in text.split_inclusive('\n') {
        let top = line.starts_with("programme ") || line.starts_with("module ");
        if line_start <= offset {
            if top {
                start = line.starts_with("programme ").then_some(line_start);
                found = None;
            }
        } else if top {
            break;
        }
        if start.is_some() && found.is_none() {
            let t = line.trim_start();
            if let Some(rest) = t.strip_prefix("framework") {
                if rest.starts_with([' ', '\t']) {
                    found = rest.split_whitespace().next().filter(|w| !w.starts_with('#'));
                }
            }
        }
        line_start += line.len();
    }
    start.and(found)
}

/// Rule ids after `variance `: the waivable rules of the programme's
/// framework and the packs it includes (a rule of another framework fails
/// with `spec/variance-unknown-rule`), and the programme's own rules; every
/// waivable rule when no known framework is written.
fn variance_rules(snap: &Snapshot, source: Option<SourceId>, text: &str, offset: usize) -> Vec<Completion> {
    use crate::policy::RuleCatalogue;
    let cat = &snap.analysis.catalogue;
    let fw = framework_at(text, offset).filter(|f| cat.frameworks().contains(f));
    let Some(fw) = fw else {
        return snap
            .rules
            .rules
            .values()
            .filter(|r| snap.rules.waivable(&r.id).is_some())
            .map(|r| Completion {
                label: r.id.clone(),
                kind: CompletionKind::Rule,
                detail: r.clause.clone(),
                documentation: r.summary.clone().or_else(|| r.clause_text.clone()),
            })
            .collect();
    };
    let mut out: Vec<Completion> = cat
        .rules(fw)
        .into_iter()
        .filter(|r| !r.id.starts_with("spec/") && !r.admits.is_empty())
        .map(|r| Completion {
            label: r.id.clone(),
            kind: CompletionKind::Rule,
            detail: Some(r.clause.clone()).filter(|c| !c.is_empty()),
            documentation: Some(r.summary.clone())
                .filter(|c| !c.is_empty())
                .or_else(|| Some(r.clause_text.clone()).filter(|c| !c.is_empty())),
        })
        .collect();
    // Programme rules written in this file.
    for r in snap.rules.rules.values() {
        let here = source.is_some() && r.origin.map(|(s, _)| s) == source;
        if here && !r.admits_known && !out.iter().any(|c| c.label == r.id) {
            out.push(Completion {
                label: r.id.clone(),
                kind: CompletionKind::Rule,
                detail: r.clause.clone(),
                documentation: r.summary.clone(),
            });
        }
    }
    out
}

/// The word being typed: the code characters just before `offset`.
pub fn prefix_at(text: &str, offset: usize) -> &str {
    let offset = offset.min(text.len());
    let Some(before) = text.get(..offset) else {
        return "";
    };
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        .last()
        .map(|(i, _)| i)
        .unwrap_or(offset);
    &before[start..]
}

/// Filters `items` by `prefix` and ranks them: labels that start with the
/// prefix as typed, then ignoring case, then labels that contain it
/// (ignoring case); within each, modules defined in the file being edited
/// first (a module file is usually one department's), then modules of the
/// programmes of this file, then by code; other items keep the order they
/// are offered in. Duplicates are dropped.
pub fn rank(snap: &Snapshot, source: Option<SourceId>, prefix: &str, items: Vec<Completion>) -> Vec<Completion> {
    let lower = prefix.to_lowercase();
    let ws = &snap.analysis.workspace;
    let mut near: std::collections::HashMap<&str, u8> = std::collections::HashMap::new();
    if let Some(src) = source {
        for p in ws.programmes.iter().filter(|p| p.source == src) {
            for e in p.structure.iter().flat_map(|s| s.entries.iter()) {
                near.entry(e.code.value.as_str()).or_insert(1);
            }
        }
        for m in ws.modules.iter().filter(|m| m.source == src) {
            near.insert(m.code.value.as_str(), 0);
        }
    }
    let mut scored: Vec<((u8, u8), Completion)> = items
        .into_iter()
        .filter_map(|c| {
            let tier = if c.label.starts_with(prefix) {
                0
            } else {
                let l = c.label.to_lowercase();
                if l.starts_with(&lower) {
                    1
                } else if !lower.is_empty() && l.contains(&lower) {
                    2
                } else {
                    return None;
                }
            };
            let closeness = if c.kind == CompletionKind::Module {
                near.get(c.label.as_str()).copied().unwrap_or(2)
            } else {
                0
            };
            Some(((tier, closeness), c))
        })
        .collect();
    // Stable: keywords keep the order they are offered in; codes sort.
    scored.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            if a.1.kind == CompletionKind::Module && b.1.kind == CompletionKind::Module {
                a.1.label.cmp(&b.1.label)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    let mut seen = std::collections::HashSet::new();
    scored
        .into_iter()
        .filter(|(_, c)| seen.insert(c.label.clone()))
        .map(|(_, c)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(text: &str) -> (String, Option<String>, usize) {
        let c = context(text, text.len());
        (c.block.to_string(), c.module.map(str::to_string), c.stmt.len())
    }

    #[test]
    fn block_and_statement_context() {
        assert_eq!(cx(""), ("".into(), None, 0));
        assert_eq!(cx("module A \"t\" {\n  cre"), ("module".into(), Some("A".into()), 0));
        assert_eq!(
            cx("module A \"t\" {\n  requires B, "),
            ("module".into(), Some("A".into()), 3)
        );
        assert_eq!(
            cx("module A \"t\" {\n  assessment X \"y\" {\n covers "),
            ("assessment".into(), Some("A".into()), 1)
        );
        assert_eq!(
            cx("programme P \"t\" {\n structure {\n  core A,\n   B, "),
            ("structure".into(), None, 5)
        );
        assert_eq!(cx("module A \"t\" { credits 10 }\n"), ("".into(), None, 0));
        assert_eq!(
            cx("module A \"t\" { # { not a block\n  "),
            ("module".into(), Some("A".into()), 0)
        );
    }
}
