//! What the editor knows about rules, frameworks and awards: the policy
//! catalogue where it is available, programme `rule` items, and what the
//! analysis reported (a diagnostic's clause and the rule's origin).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::Analysis;
use crate::diag::SourceId;
use crate::span::Span;

/// The variance criteria of the language (language.md).
pub const CRITERIA: [&str; 4] = ["psrb", "discipline", "validation", "joint-award"];

#[derive(Debug, Clone, Default)]
pub struct RuleView {
    pub id: String,
    pub clause: Option<String>,
    pub clause_text: Option<String>,
    pub summary: Option<String>,
    pub admits: Vec<String>,
    pub framework: Option<String>,
    pub severity: Option<&'static str>,
    /// Where the rule is defined.
    pub origin: Option<(SourceId, Span)>,
    /// Whether `admits` is known (from the catalogue) or guessed.
    pub admits_known: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub rules: BTreeMap<String, RuleView>,
    pub frameworks: BTreeSet<String>,
    pub awards: BTreeSet<String>,
}

impl Rules {
    pub fn collect(a: &Analysis) -> Rules {
        let mut r = Rules::default();
        for p in &a.workspace.programmes {
            if let Some(f) = &p.framework {
                r.frameworks.insert(f.value.clone());
            }
            if let Some(aw) = &p.award {
                r.awards.insert(aw.value.clone());
            }
            for e in &p.exit_awards {
                r.awards.insert(e.award.value.clone());
            }
            for rule in &p.rules {
                let v = r.rules.entry(rule.id.value.clone()).or_insert_with(|| RuleView {
                    id: rule.id.value.clone(),
                    ..Default::default()
                });
                v.origin.get_or_insert((p.source, rule.id.span));
                v.summary
                    .get_or_insert_with(|| format!("programme rule of `{}`", p.code.value));
            }
        }
        for d in &a.diagnostics {
            let v = r.rules.entry(d.code.clone()).or_insert_with(|| RuleView {
                id: d.code.clone(),
                ..Default::default()
            });
            if v.clause.is_none() {
                v.clause = d.clause.clone();
            }
            if v.origin.is_none() {
                v.origin = d.origin.as_ref().map(|o| (o.source, o.span));
            }
            v.severity.get_or_insert(d.severity.as_str());
        }
        r
    }

    pub fn get(&self, id: &str) -> Option<&RuleView> {
        self.rules.get(id)
    }

    /// Whether a variance can cite the rule, and the criteria to offer.
    pub fn waivable(&self, id: &str) -> Option<Vec<String>> {
        if id.starts_with("spec/") {
            return None;
        }
        match self.get(id) {
            Some(v) if v.admits_known => (!v.admits.is_empty()).then(|| v.admits.clone()),
            _ => Some(CRITERIA.iter().map(|c| c.to_string()).collect()),
        }
    }
}

impl Rules {
    /// An award's credit and level requirements, as the framework states them.
    pub fn award_requirements(&self, award: &str) -> Option<String> {
        let credits = match award {
            "MArch" => "240 credits",
            "MA" | "MBA" | "MBS" | "MEd" | "MFA" | "LLM" | "MPA" | "MRes" | "MSc" => {
                "180 or 240 credits (LJMU PG.B2); MSc 180 (NTU)"
            }
            "PGDip" | "PGDip-Res" => "120 credits",
            "PGCert" | "PGCert-Res" => "60 credits",
            "CPD" => "10 to 60 credits",
            "DSportExSci" | "DArch" | "DArtDes" | "DBA" | "DBAEngTech" | "DCJ" | "EdD" | "EngD" | "DHealthPsy"
            | "DNurs" | "DPol" | "DPSCJ" | "DSportExPsy" => "540 credits: exactly 180 at level 7 and 360 at level 8",
            _ => return None,
        };
        let level = if credits.contains("level") {
            ""
        } else {
            ", all at level 7"
        };
        Some(format!("requires {credits}{level}"))
    }
}
