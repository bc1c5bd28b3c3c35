//! Inlay hints: credits per semester and per study year, and per stage of a
//! staged (e.g. block-delivered) structure, after `structure {`; each
//! stage's credits after its `stage N "Title" {`; and the number of ways to
//! choose each option group.

use std::collections::BTreeMap;

use spec_lsp::host::Hint;

use super::Snapshot;
use crate::diag::SourceId;
use crate::model::pathways::PathwaySpace;
use crate::model::Membership;

/// Credits as written: whole numbers plainly, halves (a spanning module's
/// even split) with one decimal.
fn num(c: f64) -> String {
    if (c - c.round()).abs() < 1e-9 {
        format!("{}", c.round() as i64)
    } else {
        format!("{c:.1}")
    }
}

pub fn inlay_hints(snap: &Snapshot, source: SourceId, start: usize, end: usize) -> Vec<Hint> {
    let ws = &snap.analysis.workspace;
    let text = snap.text(source);
    let mut out = Vec::new();
    for p in ws.programmes.iter().filter(|p| p.source == source) {
        let Some(s) = &p.structure else { continue };
        if (s.span.end()) < start || (s.span.start()) > end {
            continue;
        }
        // Credits per (year, semester): core modules, plus option groups
        // whose modules all run in one period (their `choose` credits).
        let mut per: BTreeMap<(u64, u64), f64> = BTreeMap::new();
        let mut spread: u64 = 0;
        let credits_of = |i: usize| {
            s.entries[i]
                .module()
                .and_then(|m| ws.modules.get(m))
                .map(|m| m.credits())
                .unwrap_or(0)
        };
        for (i, e) in s.entries.iter().enumerate() {
            if e.membership != Membership::Core {
                continue;
            }
            let Some(per_) = &e.period else { continue };
            let c = credits_of(i);
            let n = per_.semesters().max(1);
            for sem in per_.start..=per_.end {
                *per.entry((per_.year.into(), sem.into())).or_default() += c as f64 / n as f64;
            }
        }
        for g in &s.groups {
            let periods: Vec<_> = g.entries.iter().filter_map(|&i| s.entries[i].period).collect();
            match periods.first() {
                Some(first) if periods.len() == g.entries.len() && periods.iter().all(|x| x == first) => {
                    let n = first.semesters().max(1);
                    for sem in first.start..=first.end {
                        *per.entry((first.year.into(), sem.into())).or_default() += g.choose.value as f64 / n as f64;
                    }
                }
                // A stage's options placed nowhere (block delivery) count
                // in their stage, not as spread across periods.
                None if g.stage.is_some() => {}
                _ => spread += g.choose.value,
            }
        }
        // Credits per stage: its core modules and its options' `choose`.
        let mut stages: BTreeMap<u64, u64> = s.stages.iter().map(|st| (st.number.value, 0)).collect();
        for (i, e) in s.entries.iter().enumerate() {
            if let (Membership::Core, Some(st)) = (e.membership, e.stage) {
                *stages.entry(st).or_default() += credits_of(i);
            }
        }
        for g in &s.groups {
            if let Some(st) = g.stage {
                *stages.entry(st).or_default() += g.choose.value;
            }
        }
        if !per.is_empty() || spread > 0 || !stages.is_empty() {
            let mut years: BTreeMap<u64, Vec<String>> = BTreeMap::new();
            for ((y, sem), c) in &per {
                years.entry(*y).or_default().push(format!("S{sem} {}", num(*c)));
            }
            let mut parts: Vec<String> = years
                .iter()
                .map(|(y, v)| {
                    let total: f64 = per.iter().filter(|((yy, _), _)| yy == y).map(|(_, c)| c).sum();
                    format!("year {y}: {} = {}", v.join(", "), num(total))
                })
                .collect();
            if spread > 0 {
                parts.push(format!("+{spread} option credits across periods"));
            }
            if !stages.is_empty() {
                let each: Vec<String> = stages.iter().map(|(n, c)| format!("stage {n} {c}")).collect();
                let total: u64 = stages.values().sum();
                parts.push(format!("{} = {total}", each.join(", ")));
            }
            if let Ok(space) = PathwaySpace::new(ws, p) {
                let n = space.count();
                parts.push(if n == 1 {
                    "1 pathway".into()
                } else {
                    format!("{n} pathways")
                });
            }
            // After `structure {`.
            let at = text[s.span.start()..s.span.end()]
                .find('{')
                .map(|i| s.span.start() + i + 1)
                .unwrap_or(s.span.start());
            out.push(Hint {
                offset: at,
                label: format!("credits {}", parts.join("; ")),
            });
        }
        // Each stage's credits, after its `{`.
        for st in &s.stages {
            if (st.span.end()) < start || (st.span.start()) > end {
                continue;
            }
            let Some(c) = stages.get(&st.number.value) else {
                continue;
            };
            // The brace after the title (which may itself hold one).
            let from = st.title.as_ref().map(|t| t.span.end()).unwrap_or(st.number.span.end());
            let Some(head) = text.get(from..st.span.end()) else {
                continue;
            };
            let Some(i) = head.find('{') else { continue };
            out.push(Hint {
                offset: from + i + 1,
                label: format!("credits {c}"),
            });
        }
        // Pathways per option group.
        let groups = PathwaySpace::groups_of(ws, s);
        for (g, space) in s.groups.iter().zip(groups.iter()) {
            if (g.span.end()) < start || (g.span.start()) > end {
                continue;
            }
            let n = space.count();
            let line_end = text[g.span.start()..]
                .find('\n')
                .map(|i| g.span.start() + i)
                .unwrap_or(text.len());
            let at = line_end.min(g.span.end());
            let at = text[..at].trim_end_matches(['\r', ' ', '\t']).len();
            out.push(Hint {
                offset: at,
                label: if n == 1 {
                    "1 way to choose".into()
                } else {
                    format!("{n} ways to choose")
                },
            });
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}
