//! Hover: what a code, rule id, award or framework under the cursor means.

use std::fmt::Write;

use spec_lsp::host::HoverInfo;

use super::{Snapshot, Sym};
use crate::diag::SourceId;
use crate::model::{Membership, Period};

pub fn period(p: &Period) -> String {
    let mut s = if p.start == p.end {
        format!("semester {}", p.start)
    } else {
        format!("semesters {}-{}", p.start, p.end)
    };
    if p.year != 1 {
        let _ = write!(s, " year {}", p.year);
    }
    s
}

pub fn hover(snap: &Snapshot, source: SourceId, offset: usize) -> Option<HoverInfo> {
    let occ = snap.index.at(source, offset)?;
    let markdown = describe(snap, &occ.sym)?;
    Some(HoverInfo {
        start: occ.span.start(),
        end: occ.span.end(),
        markdown,
    })
}

pub fn describe(snap: &Snapshot, sym: &Sym) -> Option<String> {
    let ws = &snap.analysis.workspace;
    let mut md = String::new();
    match sym {
        Sym::Module(code) => {
            let Some(m) = ws.module(code) else {
                return Some(format!("module `{code}` is not defined in the workspace"));
            };
            let _ = writeln!(md, "**module `{}`** {}\n", m.code.value, m.title);
            let credits = m
                .credits
                .as_ref()
                .map(|c| c.value.to_string())
                .unwrap_or_else(|| "?".into());
            let level = m
                .level
                .as_ref()
                .map(|c| c.value.to_string())
                .unwrap_or_else(|| "?".into());
            let _ = write!(md, "{credits} credits, level {level}");
            if let Some(w) = &m.weeks {
                let _ = write!(md, ", {} weeks", w.value);
            }
            let flags: Vec<&str> = [
                (m.research_skills.is_some(), "research skills"),
                (m.dissertation.is_some(), "dissertation"),
                (m.placement.is_some(), "placement"),
                (m.pass_fail.is_some(), "pass/fail"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
            if !flags.is_empty() {
                let _ = write!(md, "; {}", flags.join(", "));
            }
            md.push('\n');
            if !m.requires.is_empty() {
                let req: Vec<String> = m.requires.iter().map(|r| format!("`{}`", r.value)).collect();
                let _ = writeln!(md, "\nprerequisites: {}", req.join(", "));
            }
            let mut placed = Vec::new();
            for p in &ws.programmes {
                let Some(s) = &p.structure else { continue };
                for e in s.entries.iter().filter(|e| e.code.value == *code) {
                    let how = match e.membership {
                        Membership::Core => "core".to_string(),
                        Membership::Option(g) => s
                            .groups
                            .get(g as usize)
                            .map(|g| format!("option \"{}\"", g.title.value))
                            .unwrap_or_else(|| "option".into()),
                    };
                    let when = e
                        .period
                        .as_ref()
                        .map(period)
                        .or_else(|| e.stage.map(|s| format!("stage {s}")))
                        .unwrap_or_else(|| "unplaced".into());
                    placed.push(format!("- `{}`: {how}, {when}", p.code.value));
                }
            }
            if !placed.is_empty() {
                let _ = writeln!(md, "\nplaced in:\n{}", placed.join("\n"));
            }
            let los: Vec<String> = m.outcomes.iter().map(|o| format!("`{}`", o.code.value)).collect();
            if !los.is_empty() {
                let _ = writeln!(md, "\noutcomes: {}", los.join(", "));
            }
        }
        Sym::Outcome(module, code) => {
            let m = ws.module(module)?;
            let o = m.outcome(code);
            match o {
                Some(o) => {
                    let _ = writeln!(md, "**outcome `{code}`** of module `{module}`\n\n{}", o.text.value);
                    let by: Vec<String> = m
                        .assessments
                        .iter()
                        .filter(|a| a.covers.iter().any(|c| c.value == *code))
                        .map(|a| format!("`{}`", a.code.value))
                        .collect();
                    if by.is_empty() {
                        let _ = writeln!(md, "\nassessed by no assessment");
                    } else {
                        let _ = writeln!(md, "\nassessed by {}", by.join(", "));
                    }
                }
                None => {
                    let _ = write!(md, "outcome `{code}` is not defined in module `{module}`");
                }
            }
        }
        Sym::Assessment(module, code) => {
            let m = ws.module(module)?;
            let a = m.assessments.iter().find(|a| a.code.value == *code)?;
            let _ = writeln!(md, "**assessment `{code}`** {} (module `{module}`)\n", a.title.value);
            if let Some(k) = &a.kind {
                let _ = write!(md, "{}", k.value);
            }
            if let Some(w) = &a.weight {
                let _ = write!(md, ", weight {}%", w.value);
            }
            if !a.covers.is_empty() {
                let c: Vec<String> = a.covers.iter().map(|c| format!("`{}`", c.value)).collect();
                let _ = write!(md, ", covers {}", c.join(", "));
            }
        }
        Sym::Programme(code) => {
            let p = ws.programme(code.as_str())?;
            let _ = writeln!(md, "**programme `{code}`** {}\n", p.title);
            if let Some(a) = &p.award {
                let _ = write!(md, "{} ", a.value);
            }
            let _ = write!(md, "{} credits", p.credits());
            if let Some(f) = &p.framework {
                let _ = write!(md, ", framework `{}`", f.value);
            }
            if let Ok(space) = crate::model::pathways::PathwaySpace::new(ws, p) {
                let n = space.count();
                let _ = write!(md, "\n\n{n} {}", if n == 1 { "pathway" } else { "pathways" });
            }
        }
        Sym::Rule(id) => {
            let _ = writeln!(md, "**rule `{id}`**");
            match snap.rules.get(id) {
                Some(r) => {
                    if let Some(c) = &r.clause {
                        let _ = writeln!(md, "\nclause {c}");
                    }
                    if let Some(t) = &r.clause_text {
                        let _ = writeln!(md, "\n> {}", t.replace('\n', "\n> "));
                    }
                    if let Some(s) = &r.summary {
                        let _ = writeln!(md, "\n{s}");
                    }
                    if let Some(sev) = r.severity {
                        let _ = writeln!(md, "\nseverity: {sev}");
                    }
                    if r.admits_known {
                        if r.admits.is_empty() {
                            let _ = writeln!(md, "\nnot waivable");
                        } else {
                            let _ = writeln!(md, "\nadmitted criteria: {}", r.admits.join(", "));
                        }
                    }
                    if let Some(f) = &r.framework {
                        let _ = writeln!(md, "\nframework `{f}`");
                    }
                }
                None => {
                    let _ = writeln!(md, "\nno active policy pack defines this rule");
                }
            }
            // Where it is cited and what it found: the same on a variance
            // and on the rule's own line in its policy file.
            let mut cited: Vec<String> = ws
                .programmes
                .iter()
                .filter(|p| p.variances.iter().any(|v| v.rule.value == *id))
                .map(|p| format!("`{}`", p.code.value))
                .collect();
            cited.dedup();
            if !cited.is_empty() {
                let _ = writeln!(md, "\ncited by variances in {}", cited.join(", "));
            }
            let found: Vec<_> = snap.analysis.diagnostics.iter().filter(|d| d.code == *id).collect();
            if !found.is_empty() {
                let waived = found.iter().filter(|d| d.is_waived()).count();
                let _ = writeln!(md, "\nfindings: {} ({waived} waived)", found.len());
            }
        }
        Sym::Award(a) => {
            let _ = writeln!(md, "**award `{a}`**");
            let users: Vec<String> = ws
                .programmes
                .iter()
                .filter(|p| p.award.as_ref().is_some_and(|x| x.value == *a))
                .map(|p| format!("- `{}`: {} credits", p.code.value, p.credits()))
                .collect();
            if let Some(req) = snap.rules.award_requirements(a) {
                let _ = writeln!(md, "\n{req}");
            }
            if !users.is_empty() {
                let _ = writeln!(md, "\nprogrammes:\n{}", users.join("\n"));
            }
        }
        Sym::Framework(f) => {
            let _ = writeln!(md, "**framework `{f}`**");
            let users: Vec<String> = ws
                .programmes
                .iter()
                .filter(|p| p.framework.as_ref().is_some_and(|x| x.value == *f))
                .map(|p| format!("`{}`", p.code.value))
                .collect();
            if !users.is_empty() {
                let _ = writeln!(md, "\nprogrammes: {}", users.join(", "));
            }
        }
    }
    Some(md.trim_end().to_string())
}
