//! What the editor knows about rules, frameworks and awards: the policy
//! catalogue where it is available, programme `rule` items, and what the
//! analysis reported (a diagnostic's clause and the rule's origin).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::Analysis;
use crate::diag::SourceId;
use crate::span::Span;

use crate::syntax::vocab::CRITERIA;

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
    /// Award code -> its requirements, from the policy packs.
    pub award_info: std::collections::BTreeMap<String, String>,
}

impl Rules {
    pub fn collect(a: &Analysis) -> Rules {
        let mut r = Rules::default();
        for p in &a.workspace.programmes {
            if let Some(f) = &p.framework {
                r.frameworks.insert(f.value.to_string());
            }
            if let Some(aw) = &p.award {
                r.awards.insert(aw.value.to_string());
            }
            for e in &p.exit_awards {
                r.awards.insert(e.award.value.to_string());
            }
            for rule in &p.rules {
                let v = r.rules.entry(rule.id.value.to_string()).or_insert_with(|| RuleView {
                    id: rule.id.value.to_string(),
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
    /// An award's credit and level requirements, as its framework's policy
    /// pack declares them.
    pub fn award_requirements(&self, award: &str) -> Option<String> {
        self.award_info.get(award).cloned()
    }

    /// Adds what the compiled policy catalogue knows: every rule with its
    /// clause text and admitted criteria, frameworks, awards.
    pub fn add_catalogue(&mut self, cat: &crate::policy::Catalogue, frameworks_in_use: &[String]) {
        use crate::policy::RuleCatalogue;
        let mut fws: Vec<String> = cat.frameworks().iter().map(|s| s.to_string()).collect();
        fws.sort();
        // Rules of the frameworks in use first (their admits win), then the others.
        let mut order: Vec<String> = frameworks_in_use.to_vec();
        order.extend(fws.iter().filter(|f| !frameworks_in_use.contains(f)).cloned());
        for fw in &order {
            for info in cat.rules(fw) {
                let v = self.rules.entry(info.id.clone()).or_insert_with(|| RuleView {
                    id: info.id.clone(),
                    ..Default::default()
                });
                if v.admits_known {
                    continue;
                }
                v.clause = Some(info.clause.clone()).filter(|c| !c.is_empty()).or(v.clause.take());
                v.clause_text = Some(info.clause_text.clone()).filter(|c| !c.is_empty());
                v.summary = Some(info.summary.clone())
                    .filter(|c| !c.is_empty())
                    .or(v.summary.take());
                v.admits = info.admits.clone();
                v.admits_known = true;
                v.framework = Some(info.framework.clone()).filter(|c| !c.is_empty());
                v.severity = Some(info.severity.as_str());
                if let Some(o) = &info.origin {
                    v.origin = Some((o.source, o.span));
                }
            }
            for a in cat.set.awards(fw) {
                self.awards.insert(a.code.clone());
                self.award_info.entry(a.code.clone()).or_insert_with(|| {
                    let credits: Vec<String> = a
                        .credits
                        .iter()
                        .map(|(lo, hi)| {
                            if lo == hi {
                                lo.to_string()
                            } else {
                                format!("{lo} to {hi}")
                            }
                        })
                        .collect();
                    let levels: Vec<String> = a
                        .levels
                        .iter()
                        .map(|(l, c)| match c {
                            Some(c) => format!("{c} credits at level {l}"),
                            None => format!("all credits at level {l}"),
                        })
                        .collect();
                    let mut s = format!("{} (`{fw}`): {} credits", a.title, credits.join(" or "));
                    if !levels.is_empty() {
                        s.push_str(&format!("; {}", levels.join(", ")));
                    }
                    if !a.exits.is_empty() {
                        s.push_str(&format!("; exit awards {}", a.exits.join(", ")));
                    }
                    s
                });
            }
        }
        self.frameworks.extend(fws);
    }
}
