//! Code actions: a `variance` stub for a waivable diagnostic, the missing
//! `covers` for an outcome no assessment assesses, and assessment weights
//! that do not sum to 100%.

use spec_lsp::host::{Action, Edit};

use super::Snapshot;
use crate::diag::{Diagnostic, SourceId};
use crate::model::Programme;
use crate::span::Span;
use crate::syntax::ast::Date;
use crate::syntax::vocab;

fn overlaps(span: Span, start: usize, end: usize) -> bool {
    (span.start()) <= end && start <= (span.end())
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

/// A string literal of the language (language.md: `\"` and `\\` escaped).
fn quoted(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t")
    )
}

/// Days since 1970-01-01 to a civil date (proleptic Gregorian).
fn civil(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Date {
        year: year.clamp(0, 9999) as u16,
        month: month as u8,
        day: day as u8,
    }
}

/// A civil date to days since 1970-01-01.
fn days(d: Date) -> i64 {
    let (m, y) = (i64::from(d.month), i64::from(d.year) - i64::from(d.month <= 2));
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The `submitted` date a stub proposes: the day before `validated` (the
/// latest date PG.A1.7/variance-timing accepts), else today (D101).
fn submitted_date(p: &Programme) -> Date {
    match &p.validated {
        Some(v) => civil(days(v.value) - 1),
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() / 86_400)
                .unwrap_or(0);
            civil(i64::try_from(now).unwrap_or(0))
        }
    }
}

/// The criteria a stub can be written with, as `criterion` line texts, with
/// a title for the action: every criterion the rule admits under the
/// programme's framework, `psrb` once per accreditation of the programme
/// and `joint-award` only for a joint partnership, since any other choice
/// raises PG.A1.6/variance-psrb or PG.A1.6/variance-criterion (D100).
fn criteria(p: &Programme, admits: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in admits {
        match c.as_str() {
            vocab::PSRB => {
                for a in &p.accreditations {
                    out.push((
                        format!("{} {}", vocab::PSRB, quoted(&a.value)),
                        format!("{} `{}`", vocab::PSRB, a.value),
                    ));
                }
            }
            vocab::JOINT_AWARD => {
                if p.partners
                    .iter()
                    .any(|x| x.model.as_ref().is_some_and(|m| m.value == vocab::JOINT))
                {
                    out.push((c.clone(), format!("`{c}`")));
                }
            }
            _ => out.push((c.clone(), format!("`{c}`"))),
        }
    }
    out
}

/// One `variance` stub per criterion the failing rule admits. The stub has
/// every property a valid variance needs (language.md, rules.md): what only
/// a person can write is a marked `"TODO: ..."` text, and `submitted` a
/// date the timing rule accepts, so the stub raises only
/// `spec/variance-pending` until the committee's `approved` line is added.
fn variance_stubs(snap: &Snapshot, d: &Diagnostic) -> Vec<Action> {
    let ws = &snap.analysis.workspace;
    let Some(p): Option<&Programme> = d.programme.as_deref().and_then(|c| ws.programme(c)) else {
        return Vec::new();
    };
    let admits: Vec<String> = {
        use crate::policy::RuleCatalogue;
        let fw = p.framework.as_ref().map(|f| f.value.as_str());
        match fw.and_then(|fw| snap.analysis.catalogue.rule(fw, &d.code)) {
            Some(r) => r.admits.clone(),
            None => snap.rules.waivable(&d.code).unwrap_or_default(),
        }
    };
    let text = snap.text(p.source);
    let Some(close) = (p.span.end()).checked_sub(1) else {
        return Vec::new();
    };
    if text.as_bytes().get(close) != Some(&b'}') {
        return Vec::new();
    }
    let Some(path) = snap.path(p.source).cloned() else {
        return Vec::new();
    };
    let outer = indent_at(text, p.span.start());
    let (at, inner) = before_close(text, close, &outer);
    let submitted = submitted_date(p);
    let mut out = Vec::new();
    for (criterion, title) in criteria(p, &admits) {
        let mut stub = format!("{inner}variance {} {{\n", d.code);
        if let Some(m) = &d.module {
            stub.push_str(&format!("{inner}  applies-to {m}\n"));
        }
        stub.push_str(&format!("{inner}  criterion {criterion}\n"));
        stub.push_str(&format!("{inner}  rationale \"TODO: why the exception is needed\"\n"));
        stub.push_str(&format!("{inner}  alternative \"TODO: what is done instead\"\n"));
        stub.push_str(&format!("{inner}  evidence \"TODO: where the case is documented\"\n"));
        stub.push_str(&format!(
            "{inner}  submitted {submitted}  # TODO: the date the application was submitted\n"
        ));
        stub.push_str(&format!("{inner}}}\n"));
        // The brace on its own line: insert a blank line and the stub at
        // that line's start; after other text: break the line before the
        // brace and re-indent it.
        let new_text = if at == close {
            format!("\n{stub}{outer}")
        } else {
            format!("\n{stub}")
        };
        out.push(Action {
            title: format!(
                "add a variance for `{}` to programme `{}` (criterion {title})",
                d.code, p.code.value
            ),
            edits: vec![Edit {
                path: path.clone(),
                start: at,
                end: at,
                new_text,
            }],
            fixes: Some(d.code.clone()),
            preferred: false,
        });
    }
    out
}

pub fn code_actions(snap: &Snapshot, source: SourceId, start: usize, end: usize) -> Vec<Action> {
    let mut out = Vec::new();
    // Variance stubs for the waivable diagnostics in range.
    let mut seen = std::collections::HashSet::new();
    for d in &snap.analysis.diagnostics {
        if d.source != source || !overlaps(d.span, start, end) || d.is_waived() {
            continue;
        }
        if snap.rules.waivable(&d.code).is_none() {
            continue;
        }
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
                d2.programme = Some(p.code.value.to_string());
                if seen.insert((d.code.clone(), p.code.value.to_string(), d.module.clone())) {
                    out.extend(variance_stubs(snap, &d2));
                }
            }
        } else if seen.insert((
            d.code.clone(),
            d.programme.clone().unwrap_or_default(),
            d.module.clone(),
        )) {
            out.extend(variance_stubs(snap, d));
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
                        start: last.span.end(),
                        end: last.span.end(),
                        new_text: format!(", {}", o.code.value),
                    },
                    None => {
                        let close = (a.span.end()).saturating_sub(1);
                        if text.as_bytes().get(close) != Some(&b'}') {
                            continue;
                        }
                        let line_start = text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
                        if text[line_start..close].trim().is_empty() {
                            let outer = indent_at(text, a.span.start());
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
                        let s = w.span.start();
                        let e = text[s..(w.span.end()).min(text.len())]
                            .find('%')
                            .map(|i| s + i)
                            .unwrap_or(w.span.end());
                        Edit {
                            path: path.clone(),
                            start: s,
                            end: e,
                            new_text: share.to_string(),
                        }
                    }
                    None => {
                        let at = a.title.span.end();
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
