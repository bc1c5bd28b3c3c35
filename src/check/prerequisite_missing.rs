//! `spec/prerequisite-missing` (error): on some pathway, a module requires a
//! module that is not on that pathway.
//!
//! A pathway rule, decided without listing pathways: for a listed module `m`
//! requiring `r`, the rule fires when some pathway takes `m` and leaves out
//! every listing of `r` (`PathwaySpace::pathway_with(include=[m],
//! exclude=[r])`, one knapsack question per option group). One diagnostic
//! per (programme, module, missing requirement), naming that pathway. Not
//! reported for a requirement inside a cycle (`spec/prerequisite-cycle`),
//! for an undefined requirement (`spec/unknown-reference`), nor when the
//! programme's pathway rules are blocked (a listed module undefined, broken
//! or without credits, or an unsatisfiable option).
//!
//! A core requirement is on every pathway and a core module with an unlisted
//! requirement fails on every pathway, so only requirements that involve
//! options cost a knapsack question: nothing is quadratic in the modules.
//!
//! The diagnostic points at the `requires` entry in the module and labels the
//! module's listing in the structure when both are in one file.

use std::collections::{HashMap, HashSet};

use super::graph::PrereqGraph;
use super::{CheckCtx, RuleDoc};
use crate::diag::{Diagnostic, Severity};
use crate::model::pathways::PathwaySpace;
use crate::model::Membership;
use crate::policy::RuleScope;

pub const ID: &str = "spec/prerequisite-missing";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::Pathway,
    summary: "on some pathway, a module requires a module that is not on that pathway (not reported for requirements inside a cycle)",
    example_fail: r#"module M1 "Statistics" {
  credits 20
  level 7
  outcomes { LO1 "Apply statistical methods" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}

module M2 "Machine Learning" {
  credits 20
  level 7
  requires M1
  outcomes { LO1 "Train and evaluate models" }
  assessment AS1 "Project" { kind project covers LO1 }
}

module M3 "Data Engineering" {
  credits 20
  level 7
  outcomes { LO1 "Build data pipelines" }
  assessment AS1 "Portfolio" { kind portfolio covers LO1 }
}

module M4 "Data Ethics" {
  credits 20
  level 7
  outcomes { LO1 "Analyse the ethics of data use" }
  assessment AS1 "Essay" { kind coursework covers LO1 }
}

programme PGC "PGCert Data Science" {
  award PGCert
  framework ljmu-pgt-2022
  credits 60
  structure {
    core M3 semester 1
    option "Foundations" choose 20 credits from M1, M4 semester 1
    core M2 semester 2
  }
}
"#,
    example_pass: r#"module M1 "Statistics" {
  credits 20
  level 7
  outcomes { LO1 "Apply statistical methods" }
  assessment AS1 "Exam" { kind exam covers LO1 }
}

module M2 "Machine Learning" {
  credits 20
  level 7
  requires M1
  outcomes { LO1 "Train and evaluate models" }
  assessment AS1 "Project" { kind project covers LO1 }
}

module M3 "Data Engineering" {
  credits 20
  level 7
  outcomes { LO1 "Build data pipelines" }
  assessment AS1 "Portfolio" { kind portfolio covers LO1 }
}

module M4 "Data Ethics" {
  credits 20
  level 7
  outcomes { LO1 "Analyse the ethics of data use" }
  assessment AS1 "Essay" { kind coursework covers LO1 }
}

programme PGC "PGCert Data Science" {
  award PGCert
  framework ljmu-pgt-2022
  credits 60
  structure {
    core M1 semester 1
    option "Foundations" choose 20 credits from M3, M4 semester 1
    core M2 semester 2
  }
}
"#,
};

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    let graph = PrereqGraph::new(ws);
    for p in &ws.programmes {
        if p.broken {
            continue;
        }
        let Some(s) = &p.structure else {
            continue;
        };
        let Ok(space) = PathwaySpace::new(ws, p) else {
            continue;
        };
        // Code -> every entry listing it.
        let mut listings: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in s.entries.iter().enumerate() {
            listings.entry(e.code.value.as_str()).or_default().push(i);
        }
        let mut seen: HashSet<(&str, &str)> = HashSet::new();
        let mut any_pathway: Option<Option<Vec<usize>>> = None;
        for (ei, e) in s.entries.iter().enumerate() {
            let Some(mid) = e.module else {
                continue;
            };
            let Some(m) = ws.modules.get(mid) else {
                continue;
            };
            for r in &m.requires {
                let Some(rid) = ws.module_id(&r.value) else {
                    continue; // spec/unknown-reference
                };
                if graph.in_cycle(mid, rid) || rid == mid {
                    continue; // spec/prerequisite-cycle
                }
                if !seen.insert((e.code.value.as_str(), r.value.as_str())) {
                    continue;
                }
                let exclude: &[usize] = listings.get(r.value.as_str()).map(Vec::as_slice).unwrap_or(&[]);
                if exclude
                    .iter()
                    .any(|&x| s.entries.get(x).is_some_and(|x| x.membership == Membership::Core))
                {
                    continue; // a core requirement is on every pathway
                }
                // Without options involved the answer is any pathway: ask once.
                let pathway = if exclude.is_empty() && e.membership == Membership::Core {
                    any_pathway.get_or_insert_with(|| space.pathway_with(&[], &[])).clone()
                } else {
                    space.pathway_with(&[ei], exclude)
                };
                let Some(pathway) = pathway else {
                    continue;
                };
                let listed = !exclude.is_empty();
                let message = if listed {
                    format!(
                        "module `{}` requires `{}`, which is not on every pathway of programme `{}` that takes `{}`",
                        m.code.value, r.value, p.code.value, m.code.value
                    )
                } else {
                    format!(
                        "module `{}` requires `{}`, which is not in the structure of programme `{}`",
                        m.code.value, r.value, p.code.value
                    )
                };
                let taken = match e.membership {
                    Membership::Core => "core",
                    Membership::Option(_) => "optional",
                };
                let help = if listed {
                    format!(
                        "make `{}` core, or change the options so that every choice with `{}` also takes `{}`",
                        r.value, m.code.value, r.value
                    )
                } else {
                    format!(
                        "add `{}` to the structure of `{}` before `{}`, or drop the requirement",
                        r.value, p.code.value, m.code.value
                    )
                };
                let mut d = Diagnostic::error(ID, m.source, r.span, message)
                    .with_label(format!("`{}` is required here", r.value))
                    .with_secondary(
                        p.source,
                        e.code.span,
                        format!("`{}` is {taken} in `{}`", m.code.value, p.code.value),
                    )
                    .with_help(help)
                    .with_programme(p.code.value.clone())
                    .with_module(m.code.value.clone())
                    .with_pathway(PathwaySpace::codes(s, &pathway));
                if let Some(&first) = exclude.first() {
                    if let Some(re) = s.entries.get(first) {
                        d = d.with_secondary(p.source, re.code.span, format!("`{}` is optional here", r.value));
                    }
                }
                out.push(d);
            }
        }
    }
}
