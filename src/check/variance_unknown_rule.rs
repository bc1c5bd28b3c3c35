//! `spec/variance-unknown-rule` (error): a variance cites a rule that no
//! active pack defines.
//!
//! Fires when a variance cites a rule that no active pack defines (suggest
//! the nearest id; a bare clause such as `PG.A4.2` lists its checks).
//!
//! Reported by the variance checks, which know the active packs: suggests
//! the nearest rule id; for a bare clause such as `PG.A4.2` it lists the
//! checks of that clause.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Programme, Variance};
use crate::rules::{is_spec, RuleCatalogue, RuleDoc, RuleInfo, RuleScope};
use crate::syntax::levenshtein;

pub const RULE: RuleDoc = RuleDoc {
    id: "spec/variance-unknown-rule",
    severity: Severity::Error,
    scope: RuleScope::Variance,
    source: include_str!("variance_unknown_rule.rs"),
    example_fail: include_str!("examples/variance_unknown_rule.fail.pspec"),
    example_pass: include_str!("examples/variance_unknown_rule.pass.pspec"),
};

/// The diagnostic for a variance of `p` citing a rule that `framework` does
/// not define (the caller has looked it up).
pub fn diagnostic(cat: &dyn RuleCatalogue, framework: &str, p: &Programme, v: &Variance) -> Diagnostic {
    let (message, help) = unknown_rule_text(cat, framework, &v.rule.value);
    Diagnostic::error(RULE.id, p.source, v.rule.span, message)
        .with_label("unknown rule")
        .with_help(help)
        .with_programme(p.code.value.clone())
}

/// The message and help: a bare clause lists its checks, a rule of another
/// framework says so, else the nearest id.
fn unknown_rule_text(cat: &dyn RuleCatalogue, framework: &str, cited: &str) -> (String, String) {
    let rules: Vec<&RuleInfo> = cat.rules(framework).into_iter().filter(|r| !is_spec(&r.id)).collect();
    let checks: Vec<String> = rules
        .iter()
        .filter(|r| r.clause == cited || r.id.strip_prefix(cited).is_some_and(|rest| rest.starts_with('/')))
        .map(|r| format!("`{}`", r.id))
        .collect();
    if !checks.is_empty() {
        return (
            format!("`{cited}` is a clause, not a rule: a variance cites one of its checks"),
            format!("cite one of {}", checks.join(", ")),
        );
    }
    let message = format!("no rule `{cited}` in framework `{framework}`");
    if let Some(n) = nearest_rule(cited, &rules) {
        return (message, format!("did you mean `{n}`?"));
    }
    let elsewhere: Vec<&str> = cat
        .frameworks()
        .into_iter()
        .filter(|f| *f != framework && cat.rule(f, cited).is_some())
        .collect();
    if let Some(f) = elsewhere.first() {
        return (
            message,
            format!("`{cited}` is a rule of framework `{f}`; a variance cites the rules of its programme's framework (`{framework}`)"),
        );
    }
    (
        message,
        format!("run `spec rules --framework {framework}` for the rules a variance can cite"),
    )
}

/// The nearest rule id: by edit distance on the whole id or on its check
/// name, or the only rule whose check name matches exactly. `spec explain`
/// uses it for an unknown id too.
pub fn nearest_rule<'a>(cited: &str, rules: &[&'a RuleInfo]) -> Option<&'a str> {
    if cited.is_empty() {
        return None;
    }
    let lower = cited.to_ascii_lowercase();
    let tail = |id: &str| id.rsplit('/').next().unwrap_or(id).to_ascii_lowercase();
    let cited_tail = tail(&lower);
    let mut best: Option<(usize, &str)> = None;
    for r in rules {
        let id = r.id.to_ascii_lowercase();
        let whole = levenshtein(&lower, &id);
        let limit = (id.len() / 3).clamp(1, 4);
        // The same check name under a nearby clause, or the check name alone.
        let by_tail = if tail(&id) == cited_tail {
            Some(levenshtein(&lower, &id).min(2))
        } else {
            None
        };
        let d = match by_tail {
            Some(t) => t.min(whole),
            None if whole <= limit => whole,
            None => continue,
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, r.id.as_str()));
        }
    }
    best.map(|(_, id)| id)
}
