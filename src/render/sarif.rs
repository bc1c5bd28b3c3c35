//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
//! consumers.
//!
//! - One run; `tool.driver.rules` holds the metadata of every rule that
//!   appears in the results, sorted by id; each result names its rule by
//!   `ruleId` and `ruleIndex`.
//! - Regions are 1-based; columns count Unicode scalar values, as the run's
//!   `columnKind` (`unicodeCodePoints`) says.
//! - `partialFingerprints["specSubject/v1"]` is a stable hash (FNV-1a, fixed
//!   here, not the std hasher) of the rule id, file, programme, module and the
//!   source text at fault (whitespace-normalised), plus an occurrence number
//!   among equal keys: it survives lines moving and message rewording.
//! - Waived diagnostics keep their level and carry an external suppression:
//!   `accepted` for an approved variance, `underReview` for a pending one.
//! - Output is deterministic: same analysis, same bytes.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::policy::{RuleCatalogue, RuleInfo};
use crate::span::Span;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The project's home: `repository` in Cargo.toml when set.
pub fn information_uri() -> &'static str {
    match option_env!("CARGO_PKG_REPOSITORY") {
        Some(r) if !r.is_empty() => r,
        _ => "https://github.com/spec-lang/spec",
    }
}

/// Where a rule is documented: its section of the generated `docs/rules.md`.
pub fn help_uri(id: &str) -> String {
    format!("{}/blob/main/docs/rules.md#{}", information_uri(), anchor(id))
}

/// The GitHub-style heading anchor of a rule id heading (`### PG.A4.2/module-size`).
pub fn anchor(id: &str) -> String {
    id.chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A source name as a relative URI reference (or a `file:` URI for an
/// absolute path), percent-encoded.
pub fn uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if name.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

/// FNV-1a, 64 bits: stable across platforms and Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The text a diagnostic points at, whitespace-normalised (the subject).
fn subject(a: &Analysis, d: &Diagnostic) -> String {
    let text = a.sources.get(d.source).map(|s| &*s.text).unwrap_or("");
    let start = crate::span::clamp_to_char(text, d.span.start());
    let end = crate::span::clamp_to_char(text, d.span.end()).max(start);
    text.get(start..end)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn fingerprint_key(a: &Analysis, d: &Diagnostic) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        d.code,
        a.sources.name(d.source),
        d.programme.as_deref().unwrap_or(""),
        d.module.as_deref().unwrap_or(""),
        subject(a, d)
    )
}

/// `module-size` -> `ModuleSize`: SARIF's convention for a rule's friendly name.
pub fn pascal(check: &str) -> String {
    check
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn span_text(a: &Analysis, source: usize, span: Span) -> &str {
    let text = a.sources.get(source).map(|s| &*s.text).unwrap_or("");
    super::excerpt(text, span)
}

fn region(a: &Analysis, source: usize, span: Span) -> Value {
    let r = super::json::range(a, source, span);
    json!({
        "startLine": r.start.line,
        "startColumn": r.start.column,
        "endLine": r.end.line,
        "endColumn": r.end.column,
        "snippet": { "text": span_text(a, source, span) },
    })
}

fn location(a: &Analysis, source: usize, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(a.sources.name(source)) },
            "region": region(a, source, span),
        }
    })
}

/// The rule's metadata, from the catalogue when it knows the rule, else
/// from what the diagnostic says.
fn rule_descriptor(id: &str, info: Option<&RuleInfo>, first: &Diagnostic) -> Value {
    let clause = info.map(|r| r.clause.clone()).or_else(|| first.clause.clone());
    let severity = info.map(|r| r.severity).unwrap_or(first.severity);
    let short = match info {
        Some(r) if !r.summary.is_empty() => r.summary.clone(),
        _ => id.to_string(),
    };
    let full = match info {
        Some(r) if !r.clause_text.is_empty() => r.clause_text.clone(),
        _ => short.clone(),
    };
    let mut props = Map::new();
    if let Some(c) = &clause {
        props.insert("clause".into(), json!(c));
    }
    if let Some(r) = info {
        props.insert("admits".into(), json!(r.admits));
        props.insert("framework".into(), json!(r.framework));
        props.insert("waivable".into(), json!(!r.admits.is_empty()));
    }
    let tags: Vec<&str> = if id.starts_with("spec/") {
        vec!["spec", "well-formedness"]
    } else {
        vec!["policy"]
    };
    props.insert("tags".into(), json!(tags));
    let name = pascal(id.rsplit('/').next().unwrap_or(id));
    json!({
        "id": id,
        "name": name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "helpUri": help_uri(id),
        "help": { "text": format!("run `spec explain {id}` for the clause, what fires it, the criteria that can waive it and examples") },
        "defaultConfiguration": { "level": level(severity) },
        "properties": Value::Object(props),
    })
}

/// The first framework (sorted) that defines `id`.
fn lookup<'c>(catalogue: Option<&'c dyn RuleCatalogue>, id: &str) -> Option<&'c RuleInfo> {
    let cat = catalogue?;
    cat.frameworks().into_iter().find_map(|f| cat.rule(f, id))
}

/// Renders the analysis as a SARIF 2.1.0 log, with the rule metadata
/// (clause text, admitted criteria) of the catalogue the analysis compiled.
pub fn render(a: &Analysis) -> String {
    render_with(a, Some(a.catalogue.as_ref()))
}

/// [`render`] with the rule metadata of `catalogue`; without one, the rules
/// are described from the diagnostics alone.
pub fn render_with(a: &Analysis, catalogue: Option<&dyn RuleCatalogue>) -> String {
    render_runs(&[(a, catalogue)])
}

/// Several workspaces in one run (one tool, one upload): every result, and
/// each rule described once, from the catalogue of the first workspace
/// where it appears.
pub fn render_all(checked: &[&Analysis]) -> String {
    let items: Vec<(&Analysis, Option<&dyn RuleCatalogue>)> = checked
        .iter()
        .map(|a| (*a, Some(a.catalogue.as_ref() as &dyn RuleCatalogue)))
        .collect();
    render_runs(&items)
}

fn render_runs(items: &[(&Analysis, Option<&dyn RuleCatalogue>)]) -> String {
    // Rules that appear, sorted by id, with the first diagnostic of each.
    let mut firsts: BTreeMap<&str, (&Diagnostic, Option<&dyn RuleCatalogue>)> = BTreeMap::new();
    for (a, catalogue) in items {
        for d in &a.diagnostics {
            firsts.entry(d.code.as_str()).or_insert((d, *catalogue));
        }
    }
    let index: HashMap<&str, usize> = firsts.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let rules: Vec<Value> = firsts
        .iter()
        .map(|(id, (d, catalogue))| rule_descriptor(id, lookup(*catalogue, id), d))
        .collect();

    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = items
        .iter()
        .flat_map(|(a, _)| a.diagnostics.iter().map(move |d| (*a, d)))
        .map(|(a, d)| {
            let key = fingerprint_key(a, d);
            let n = seen.entry(key.clone()).or_insert(0);
            let occurrence = *n;
            *n += 1;
            let fp = format!("{:016x}:{occurrence}", fnv1a(key.as_bytes()));
            let text = super::phrase::plain(d, &a.sources, super::phrase::Related::Linked, false);
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": index.get(d.code.as_str()).copied().unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(a, d.source, d.span)],
                "partialFingerprints": { "specSubject/v1": fp },
            });
            let mut props = Map::new();
            if let Some(c) = &d.clause {
                props.insert("clause".into(), json!(c));
            }
            if let Some(p) = &d.programme {
                props.insert("programme".into(), json!(p));
            }
            if let Some(m) = &d.module {
                props.insert("module".into(), json!(m));
            }
            if let Some(pw) = &d.pathway {
                props.insert("pathway".into(), json!(pw));
            }
            if let Some(obj) = result.as_object_mut() {
                if !props.is_empty() {
                    obj.insert("properties".into(), Value::Object(props));
                }
                if !d.labels.is_empty() {
                    let related: Vec<Value> = d
                        .labels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let mut loc = location(a, l.source, l.span);
                            if let Some(o) = loc.as_object_mut() {
                                o.insert("id".into(), json!(i));
                                o.insert("message".into(), json!({ "text": l.message }));
                            }
                            loc
                        })
                        .collect();
                    obj.insert("relatedLocations".into(), Value::Array(related));
                }
                if let Some(w) = &d.waived_by {
                    let justification = super::phrase::waiver(d, &a.sources).unwrap_or_default();
                    obj.insert(
                        "suppressions".into(),
                        json!([{
                            "kind": "external",
                            "status": if w.pending { "underReview" } else { "accepted" },
                            "justification": justification,
                            "location": location(a, w.source, w.span),
                        }]),
                    );
                }
            }
            result
        })
        .collect();

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "spec",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": information_uri(),
                    "rules": rules,
                }
            },
            "invocations": [{ "executionSuccessful": items.iter().all(|(a, _)| !a.policy_failed) }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
