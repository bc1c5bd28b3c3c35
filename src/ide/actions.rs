//! Code actions: a `variance` stub for a waivable diagnostic, the missing
//! `covers` for an outcome no assessment assesses, and assessment weights
//! that do not sum to 100%.

use spec_lsp::host::{Action, Edit};

use super::Snapshot;
use crate::diag::{Diagnostic, SourceId};
use crate::model::Programme;
use crate::span::Span;

fn overlaps(span: Span, start: usize, end: usize) -> bool {
    (span.start as usize) <= end && start <= (span.end as usize)
}

/// The indentation of the line holding `offset`.
fn indent_at(text: &str, offset: usize) -> String {
    let offset = crate::span::clamp_to_char(text, offset);
    let line_start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// Where a new line goes just before a block's closing brace, and the
/// block's inner indentation.
fn before_close(text: &str, close: usize, outer_indent: &str) -> (usize, String) {
    let close = crate::span::clamp_to_char(text, close);
    let line_start = text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let only_ws = text[line_start..close].trim().is_empty();
    let inner = format!("{outer_indent}  ");
    if only_ws {
        (line_start, inner)
    } else {
        (close, inner)
    }
}

fn variance_stub(snap: &Snapshot, d: &Diagnostic, admits: &[String]) -> Option<Action> {
    let ws = &snap.analysis.workspace;
    let p: &Programme = d
        .programme
        .as_deref()
        .and_then(|c| ws.programme_index.get(c))
        .and_then(|&i| ws.programmes.get(i))?;
    let text = snap.text(p.source);
    let close = (p.span.end as usize).checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let outer = indent_at(text, p.span.start as usize);
    let (at, inner) = before_close(text, close, &outer);
    let criterion = admits.first().map(String::as_str).unwrap_or("validation");
    let criterion = if criterion == "psrb" {
        let body = p
            .accreditations
            .first()
            .map(|a| a.value.clone())
            .unwrap_or_else(|| "BODY".into());
        format!("psrb \"{}\"", body.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        criterion.to_string()
    };
    let mut stub = format!("\n{inner}variance {} {{\n", d.code);
    if let Some(m) = &d.module {
        stub.push_str(&format!("{inner}  applies-to {m}\n"));
    }
    stub.push_str(&format!("{inner}  criterion {criterion}\n"));
    stub.push_str(&format!("{inner}  rationale \"TODO: why the exception is needed\"\n"));
    stub.push_str(&format!("{inner}  alternative \"TODO: what is done instead\"\n"));
    stub.push_str(&format!("{inner}  evidence \"TODO: where the case is documented\"\n"));
    stub.push_str(&format!("{inner}}}\n"));
    let new_text = if at == close {
        format!("{stub}{outer}")
    } else {
        stub.trim_start_matches('\n').to_string()
    };
    let new_text = if at != close { format!("\n{new_text}") } else { new_text };
    let path = snap.path(p.source)?.clone();
    Some(Action {
        title: format!("add a variance for `{}` to programme `{}`", d.code, p.code.value),
        edits: vec![Edit {
            path,
            start: at,
            end: at,
            new_text,
        }],
        fixes: Some(d.code.clone()),
        preferred: false,
    })
}

pub fn code_actions(snap: &Snapshot, source: SourceId, start: usize, end: usize) -> Vec<Action> {
    let mut out = Vec::new();
    // Variance stubs for the waivable diagnostics in range.
    let mut seen = std::collections::HashSet::new();
    for d in &snap.analysis.diagnostics {
        if d.source != source || !overlaps(d.span, start, end) || d.is_waived() {
            continue;
        }
        let Some(admits) = snap.rules.waivable(&d.code) else {
            continue;
        };
        if d.programme.is_none() && d.module.is_some() {
            // A rule about a module itself: one stub per programme listing it.
            let ws = &snap.analysis.workspace;
            let module = d.module.as_deref().unwrap_or("");
            for p in ws
                .programmes
                .iter()
                .filter(|p| p.structure.as_ref().is_some_and(|s| s.entry(module).is_some()))
            {
                let mut d2 = d.clone();
                d2.programme = Some(p.code.value.clone());
                if seen.insert((d.code.clone(), p.code.value.clone(), d.module.clone())) {
                    out.extend(variance_stub(snap, &d2, &admits));
                }
            }
        } else if seen.insert((
            d.code.clone(),
            d.programme.clone().unwrap_or_default(),
            d.module.clone(),
        )) {
            out.extend(variance_stub(snap, d, &admits));
        }
    }
    let ws = &snap.analysis.workspace;
    let Some(path) = snap.path(source).cloned() else {
        return out;
    };
    for m in ws
        .modules
        .iter()
        .filter(|m| m.source == source && overlaps(m.span, start, end))
    {
        let text = snap.text(source);
        // Outcomes no assessment covers.
        for o in &m.outcomes {
            if !overlaps(o.span, start, end) {
                continue;
            }
            if m.assessments
                .iter()
                .any(|a| a.covers.iter().any(|c| c.value == o.code.value))
            {
                continue;
            }
            for (i, a) in m.assessments.iter().enumerate() {
                let edit = match a.covers.last() {
                    Some(last) => Edit {
                        path: path.clone(),
                        start: last.span.end as usize,
                        end: last.span.end as usize,
                        new_text: format!(", {}", o.code.value),
                    },
                    None => {
                        let close = (a.span.end as usize).saturating_sub(1);
                        if text.as_bytes().get(close) != Some(&b'}') {
                            continue;
                        }
                        let line_start = text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
                        if text[line_start..close].trim().is_empty() {
                            let outer = indent_at(text, a.span.start as usize);
                            Edit {
                                path: path.clone(),
                                start: line_start,
                                end: line_start,
                                new_text: format!("{outer}  covers {}\n", o.code.value),
                            }
                        } else {
                            Edit {
                                path: path.clone(),
                                start: close,
                                end: close,
                                new_text: format!("covers {} ", o.code.value),
                            }
                        }
                    }
                };
                out.push(Action {
                    title: format!("assess outcome `{}` in `{}`", o.code.value, a.code.value),
                    edits: vec![edit],
                    fixes: Some("PG.C1.4/outcome-assessed".into()),
                    preferred: i == 0,
                });
            }
        }
        // Weights: give one assessment the share that makes 100%.
        if m.assessments.len() > 1 {
            let total: u64 = m
                .assessments
                .iter()
                .filter_map(|a| a.weight.as_ref().map(|w| w.value))
                .sum();
            let missing = m.assessments.iter().filter(|a| a.weight.is_none()).count();
            for a in &m.assessments {
                if !overlaps(a.span, start, end) && !overlaps(m.code.span, start, end) {
                    continue;
                }
                let own = a.weight.as_ref().map(|w| w.value).unwrap_or(0);
                let others = total - own;
                let need_fix = total != 100 || missing > 0;
                let only_this_missing = missing == 0 || (missing == 1 && a.weight.is_none());
                if !need_fix || !only_this_missing || others >= 100 {
                    continue;
                }
                let share = 100 - others;
                let edit = match &a.weight {
                    Some(w) => {
                        // Replace the number (the `%` follows it).
                        let s = w.span.start as usize;
                        let e = text[s..(w.span.end as usize).min(text.len())]
                            .find('%')
                            .map(|i| s + i)
                            .unwrap_or(w.span.end as usize);
                        Edit {
                            path: path.clone(),
                            start: s,
                            end: e,
                            new_text: share.to_string(),
                        }
                    }
                    None => {
                        let at = a.title.span.end as usize;
                        let brace = text[at..].find('{').map(|i| at + i + 1);
                        let Some(b) = brace else { continue };
                        Edit {
                            path: path.clone(),
                            start: b,
                            end: b,
                            new_text: format!(" weight {share}%"),
                        }
                    }
                };
                out.push(Action {
                    title: format!("set the weight of `{}` to {share}% (weights sum to 100%)", a.code.value),
                    edits: vec![edit],
                    fixes: Some(if missing > 0 {
                        "spec/missing-property".into()
                    } else {
                        "spec/assessment-weights".into()
                    }),
                    preferred: a.weight.is_none(),
                });
            }
        }
    }
    out
}
