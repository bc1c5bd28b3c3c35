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

/// The module codes worth offering for `prefix`: every code near the
/// edited file ([`near`]) that [`rank`] keeps, and, of the others, the first
/// few in code order of each of rank's three tiers (as typed, ignoring case,
/// containing). Enough that the ranked list's first
/// [`COMPLETION_LIMIT`](spec_lsp::host::COMPLETION_LIMIT) (and one more,
/// so the server knows when it cuts) are the same as if every code were
/// offered: found by binary search in the snapshot's sorted codes, with a
/// scan only when fewer codes than that start with the prefix as typed
/// (issue 9 point 3).
fn modules(snap: &Snapshot, source: Option<SourceId>, prefix: &str) -> Vec<Completion> {
    // Two more than the server sends: one to know the list is cut, one for
    // the module being edited, which `requires` leaves out.
    let want = spec_lsp::host::COMPLETION_LIMIT + 2;
    let near = near(snap, source);
    let lower = prefix.to_lowercase();
    let mut out: Vec<&str> = near
        .keys()
        .copied()
        .filter(|c| tier(c, prefix, &lower).is_some())
        .collect();
    let codes = snap.module_codes();
    let mut as_typed = 0;
    for k in codes.lower_bound(prefix)..codes.len() {
        let c = codes.get(k);
        if !c.starts_with(prefix) || as_typed == want {
            break;
        }
        if !near.contains_key(c) {
            out.push(c);
            as_typed += 1;
        }
    }
    if as_typed < want {
        let (mut ci, mut within) = (0, 0);
        for c in codes.iter() {
            if near.contains_key(c) {
                continue;
            }
            match tier(c, prefix, &lower) {
                Some(1) if ci < want => {
                    out.push(c);
                    ci += 1;
                }
                Some(2) if within < want => {
                    out.push(c);
                    within += 1;
                }
                _ => {}
            }
            if ci == want && within == want {
                break;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out.into_iter()
        .map(|c| Completion {
            label: c.to_string(),
            kind: CompletionKind::Module,
            // Filled in by [`module_details`] for the items kept.
            detail: None,
            documentation: None,
        })
        .collect()
}

/// Rank's tier of `label` for `prefix` (`lower`: the prefix in lower case):
/// 0 starts with it as typed, 1 ignoring case, 2 contains it ignoring case,
/// `None` neither.
fn tier(label: &str, prefix: &str, lower: &str) -> Option<u8> {
    if label.starts_with(prefix) {
        return Some(0);
    }
    if label.is_ascii() && lower.is_ascii() {
        let l = label.as_bytes();
        let p = lower.as_bytes();
        if l.len() >= p.len() && l[..p.len()].eq_ignore_ascii_case(p) {
            return Some(1);
        }
        if !p.is_empty() && l.windows(p.len()).any(|w| w.eq_ignore_ascii_case(p)) {
            return Some(2);
        }
        return None;
    }
    let l = label.to_lowercase();
    if l.starts_with(lower) {
        Some(1)
    } else if !lower.is_empty() && l.contains(lower) {
        Some(2)
    } else {
        None
    }
}

/// How close each module code is to the edited file: 0 defined in it, 1
/// listed by one of its programmes.
fn near(snap: &Snapshot, source: Option<SourceId>) -> std::collections::HashMap<&str, u8> {
    let ws = &snap.analysis.workspace;
    let mut near = std::collections::HashMap::new();
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
    near
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
            let mut v = modules(snap, source, prefix_at(text, offset));
            v.retain(|c| Some(c.label.as_str()) != cx.module);
            return v;
        }
        Some("applies-to") if value_slot => return modules(snap, source, prefix_at(text, offset)),
        Some("core") if cx.block == "structure" || cx.block == "stage" => {
            if value_slot {
                return modules(snap, source, prefix_at(text, offset));
            }
            return items(PLACEMENTS, CompletionKind::Keyword);
        }
        Some("option") if cx.block == "structure" || cx.block == "stage" => {
            if has("from") {
                if matches!(cx.stmt.last(), Some(Tok::Word("from"))) || last_is_comma {
                    return modules(snap, source, prefix_at(text, offset));
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
                    label: o.code.value.to_string(),
                    kind: CompletionKind::Outcome,
                    detail: Some(o.text.value.to_string()),
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
        return modules(snap, source, prefix_at(text, offset));
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
    let near = near(snap, source);
    let mut scored: Vec<((u8, u8), Completion)> = items
        .into_iter()
        .filter_map(|c| {
            let tier = tier(&c.label, prefix, &lower)?;
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

    /// The bounded candidates of [`modules`] rank exactly as every code of
    /// the workspace would (the list before issue 9 point 3): same first
    /// COMPLETION_LIMIT + 1 items, for prefixes as typed, in other case,
    /// inside codes, empty and matching nothing, from a file with its own
    /// modules and a programme.
    #[test]
    fn bounded_candidates_rank_as_all_codes_would() {
        use crate::analysis::{analyze, Input, Options};
        let mut other = String::new();
        for i in 0..700 {
            let code = match i % 4 {
                0 => format!("CS{i:04}"),
                1 => format!("cs{i:04}x"),
                2 => format!("MA{i:04}CS"),
                _ => format!("Ab{i:04}"),
            };
            other.push_str(&format!("module {code} \"m\" {{\n  credits 20\n  level 7\n}}\n"));
        }
        let own = "module CS9999 \"o\" {\n  credits 20\n  level 7\n}\nmodule ZZ1 \"z\" {\n  credits 20\n  level 7\n}\n\
                   programme P \"p\" {\n  award msc\n  framework ljmu-pgt-2022\n  structure {\n    core MA0002CS, Ab0003\n  }\n}\n";
        let input = |name: &str, text: &str| Input {
            name: name.into(),
            path: None,
            text: text.into(),
            primary: true,
        };
        let analysis = analyze(
            vec![input("own.pspec", own), input("other.pspec", &other)],
            &Options::default(),
        );
        let snap = Snapshot::build(analysis, std::path::Path::new("/nonexistent-embedded"));
        let src = Some(0);
        let all: Vec<Completion> = snap
            .module_codes()
            .iter()
            .map(|c| Completion {
                label: c.to_string(),
                kind: CompletionKind::Module,
                detail: None,
                documentation: None,
            })
            .collect();
        let cut = spec_lsp::host::COMPLETION_LIMIT + 1;
        let labels = |v: Vec<Completion>| -> Vec<String> { v.into_iter().take(cut).map(|c| c.label).collect() };
        for prefix in [
            "", "C", "CS", "cs", "cS00", "CS06", "ma", "0001", "CS9", "x", "Z", "nothing", "Ab", "b0",
        ] {
            let bounded = labels(rank(&snap, src, prefix, modules(&snap, src, prefix)));
            let full = labels(rank(&snap, src, prefix, all.clone()));
            assert_eq!(bounded, full, "prefix `{prefix}`");
            assert!(
                modules(&snap, src, prefix).len() <= 3 * (cut + 1) + 3,
                "prefix `{prefix}`: too many candidates"
            );
        }
        // The file's own modules and its programme's come first.
        let first = labels(rank(&snap, src, "", modules(&snap, src, "")));
        assert_eq!(&first[..4], ["CS9999", "ZZ1", "Ab0003", "MA0002CS"]);
    }

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
