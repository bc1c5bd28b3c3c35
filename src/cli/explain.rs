//! `spec explain RULE`: a rule's clause text, what fires it, its severity,
//! the criteria that can waive it, where it is defined, and its failing and
//! passing examples, checked: both are run through [`analysis::analyze`] and
//! the diagnostics they produce are printed.
//!
//! An unknown id prints a did-you-mean and exits 2; a bare clause
//! (`PG.A4.2`) lists its checks.
//!
//! [`analysis::analyze`]: crate::analysis::analyze

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::analysis::{analyze, Analysis, Input, Options, PolicyInput};
use crate::diag::Severity;
use crate::policy::{RuleCatalogue, RuleInfo};
use crate::source::Sources;

use super::rules::{collect, is_spec, load_catalogue, origin, scope_name};

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// A rule id (`PG.A4.2/module-size`, `spec/credit-total`) or a clause (`PG.A4.2`).
    pub rule: String,
    /// Show the rule as active under this framework.
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Add a policy file or directory.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Do not run the examples.
    #[arg(long)]
    pub no_check: bool,
}

/// What `spec explain` found for an id.
pub enum Lookup<'c> {
    /// The rule, and the frameworks it is active under.
    Rule(&'c RuleInfo, Vec<String>),
    /// A clause: its checks.
    Clause(Vec<&'c RuleInfo>),
    /// Unknown: the nearest id, if any.
    Unknown(Option<String>),
}

pub fn lookup<'c>(cat: &'c dyn RuleCatalogue, id: &str, framework: Option<&str>) -> Lookup<'c> {
    let all = collect(cat, framework);
    if let Some((r, fws)) = all.get(id) {
        return Lookup::Rule(r, fws.clone());
    }
    let clause: Vec<&RuleInfo> = all
        .values()
        .map(|(r, _)| *r)
        .filter(|r| {
            !is_spec(&r.id) && (r.clause == id || r.id.strip_prefix(id).is_some_and(|rest| rest.starts_with('/')))
        })
        .collect();
    if !clause.is_empty() {
        return Lookup::Clause(clause);
    }
    let infos: Vec<&RuleInfo> = all.values().map(|(r, _)| *r).collect();
    // Ids and clauses are case-sensitive; a different case is the likeliest slip.
    let same_but_case = infos
        .iter()
        .flat_map(|r| [r.id.as_str(), r.clause.as_str()])
        .find(|c| !c.is_empty() && c.eq_ignore_ascii_case(id))
        .map(str::to_string);
    if same_but_case.is_some() {
        return Lookup::Unknown(same_but_case);
    }
    Lookup::Unknown(crate::check::variance_unknown_rule::nearest_rule(id, &infos).map(str::to_string))
}

/// The clauses below a section id (`PG.A4` -> `PG.A4.1`, `PG.A4.2`, ...),
/// sorted, for the hint of an unknown id.
fn clauses_under(cat: &dyn RuleCatalogue, id: &str, framework: Option<&str>) -> Vec<String> {
    let prefix = format!("{id}.");
    let mut v: Vec<String> = collect(cat, framework)
        .values()
        .map(|(r, _)| r.clause.clone())
        .filter(|c| !c.is_empty() && c.starts_with(&prefix))
        .collect();
    v.sort();
    v.dedup();
    v
}

fn indent(text: &str, by: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.trim().is_empty() {
                format!("{}\n", by.trim_end())
            } else {
                format!("{by}{l}\n")
            }
        })
        .collect()
}

/// The diagnostics an example produces, one line each.
fn example_report(a: &Analysis) -> Vec<String> {
    a.diagnostics
        .iter()
        .map(|d| {
            let (line, col) = a
                .sources
                .get(d.source)
                .map(|s| s.line_col(d.span.start()))
                .unwrap_or((0, 0));
            format!(
                "{}[{}] {line}:{col}: {}",
                d.severity.as_str(),
                d.code,
                crate::render::phrase::headline(d, &a.sources)
            )
        })
        .collect()
}

/// Runs an example workspace text through the analysis.
pub fn check_example(text: &str, policies: &[PolicyInput]) -> Analysis {
    let input = Input {
        name: "example.pspec".into(),
        path: None,
        text: Arc::from(text),
        primary: true,
    };
    let options = Options {
        policies: policies.to_vec(),
        ..Options::default()
    };
    analyze(vec![input], &options)
}

/// The text of `spec explain` for one rule. `check` runs the examples with
/// the given policy paths.
pub fn explain_rule(r: &RuleInfo, frameworks: &[String], sources: &Sources, check: Option<&[PolicyInput]>) -> String {
    let mut s = String::new();
    s.push_str(&format!("{}\n\n", r.id));
    let level = match r.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    s.push_str(&format!("  severity    {level}\n"));
    if is_spec(&r.id) {
        s.push_str("  clause      none: a `spec/` rule, the language's own well-formedness check\n");
        s.push_str("  frameworks  all\n");
    } else {
        s.push_str(&format!("  clause      {}\n", r.clause));
        s.push_str(&format!("  frameworks  {}\n", frameworks.join(", ")));
    }
    s.push_str(&format!("  scope       {}\n", scope_name(r.scope)));
    if r.admits.is_empty() {
        s.push_str("  waivable    not waivable\n");
    } else {
        s.push_str(&format!(
            "  waivable    by a variance with criterion {}\n",
            r.admits.join(", ")
        ));
    }
    if let Some(o) = origin(sources, r) {
        s.push_str(&format!("  defined in  {o}\n"));
    }
    s.push('\n');
    if !r.summary.is_empty() {
        s.push_str(&format!("Fires when {}.\n\n", r.summary.trim_end_matches('.')));
    }
    if !r.clause_text.is_empty() && !is_spec(&r.id) {
        s.push_str(&format!("{}:\n\n", r.clause));
        s.push_str(&indent(&r.clause_text, "  > "));
        s.push('\n');
    }
    if !r.admits.is_empty() {
        s.push_str(&format!(
            "To waive it, the programme declares a variance (PG.A1.6):\n\n  variance {} {{\n    criterion {}\n    rationale \"...\"\n    alternative \"...\"\n    evidence \"...\"\n    submitted YYYY-MM-DD\n  }}\n\n",
            r.id,
            crate::syntax::vocab::criterion_example(&r.admits[0])
        ));
    }
    for (what, example, should_fire) in [
        ("Failing example", &r.example_fail, true),
        ("Passing example", &r.example_pass, false),
    ] {
        let Some(text) = example else { continue };
        s.push_str(&format!("{what}:\n\n"));
        s.push_str(&indent(text, "  | "));
        s.push('\n');
        if let Some(paths) = check {
            let a = check_example(text, paths);
            let report = example_report(&a);
            let fires = a.diagnostics.iter().any(|d| d.code == r.id && !d.is_waived());
            let verdict = match (should_fire, fires) {
                (true, true) => format!("`{}` fires, as it should", r.id),
                (false, false) => format!("`{}` is quiet, as it should be", r.id),
                (true, false) => {
                    format!("WARNING: `{}` does not fire on its failing example", r.id)
                }
                (false, true) => format!("WARNING: `{}` fires on its passing example", r.id),
            };
            s.push_str(&format!("  spec check: {verdict}\n"));
            for line in report {
                s.push_str(&format!("    {line}\n"));
            }
            s.push('\n');
        }
    }
    while s.ends_with("\n\n") {
        s.pop();
    }
    s.push('\n');
    s
}

/// The text for a bare clause: its checks.
pub fn explain_clause(id: &str, checks: &[&RuleInfo]) -> String {
    let mut s = format!("`{id}` is a clause; its checks:\n\n");
    let width = checks.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for r in checks {
        let line = format!(
            "  {:width$}  {:7}  {}",
            r.id,
            r.severity.as_str(),
            super::rules::fires_when(r)
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s.push_str("\nrun `spec explain ID` for one of them\n");
    s
}

/// The diagnostics of policy compilation (docs/policies.md, "Compile
/// diagnostics"): not rules of a pack, but every one of them ends with "see
/// `spec explain ID`", so `spec explain` knows them.
pub const POLICY_DIAGNOSTICS: &[(&str, &str, &str)] = &[
    (
        "policy/syntax",
        "error",
        "the text of a policy file does not parse (one per broken item; the next item is still read), a file without a `framework`/`extend` line, or text outside an item",
    ),
    (
        "policy/unknown-name",
        "error",
        "an unknown variable, constant, field, function, included or extended pack, criterion or severity; the message suggests the nearest name",
    ),
    ("policy/type", "error", "a type error, or a pathway requirement outside the decidable fragment"),
    ("policy/duplicate", "error", "a rule id, framework, award or constant defined twice"),
    ("policy/missing", "error", "a rule without `require`, `message` or `clause`"),
    ("policy/io", "error", "a policy path cannot be read"),
    (
        "policy/limit",
        "warning",
        "at evaluation, a rule spent its evaluation budget on one programme or module, or a `reach` search exceeded its bound; the rule is not evaluated there",
    ),
];

/// `spec explain` for a policy compile diagnostic.
pub fn explain_policy_diagnostic(id: &str, severity: &str, when: &str) -> String {
    format!(
        "{id}\n\n  severity    {severity}\n  clause      none: a diagnostic of the policy compiler\n  waivable    no: fix the policy file\n\nFires when {when}.\n\n{}\n",
        if severity == "error" {
            "Any such error in a policy pack stops `spec check` (exit 2): the check cannot run.\nThe policy language is described in docs/policies.md."
        } else {
            "The policy language is described in docs/policies.md."
        }
    )
}

pub fn run(args: ExplainArgs) -> u8 {
    if let Some((id, severity, when)) = POLICY_DIAGNOSTICS.iter().find(|(id, _, _)| *id == args.rule) {
        let out = explain_policy_diagnostic(id, severity, when);
        let mut stdout = std::io::stdout().lock();
        if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
            return 2;
        }
        return 0;
    }
    let loaded = match load_catalogue(&args.policy) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e),
    };
    let cat = loaded.catalogue.as_ref();
    if let Some(f) = &args.framework {
        if let Err(e) = super::rules::check_framework(cat, f) {
            return super::fatal(&e);
        }
    }
    let out = match lookup(cat, &args.rule, args.framework.as_deref()) {
        Lookup::Rule(r, fws) => {
            let check = (!args.no_check).then_some(loaded.policies.as_slice());
            explain_rule(r, &fws, &loaded.sources, check)
        }
        Lookup::Clause(checks) => explain_clause(&args.rule, &checks),
        Lookup::Unknown(near) => {
            let within = args
                .framework
                .as_deref()
                .map(|f| format!(" in framework `{f}`"))
                .unwrap_or_default();
            let under = clauses_under(cat, &args.rule, args.framework.as_deref());
            // Under `--framework`, a rule of another framework is named as such.
            let elsewhere = match (&args.framework, lookup(cat, &args.rule, None)) {
                (Some(_), Lookup::Rule(_, fws)) => Some(fws),
                (Some(_), Lookup::Clause(checks)) => {
                    let mut fws: Vec<String> = checks
                        .iter()
                        .flat_map(|r| {
                            collect(cat, None)
                                .get(&r.id)
                                .map(|(_, f)| f.clone())
                                .unwrap_or_default()
                        })
                        .collect();
                    fws.sort();
                    fws.dedup();
                    Some(fws)
                }
                _ => None,
            };
            let hint = match (near, elsewhere) {
                (_, Some(fws)) if !fws.is_empty() => {
                    let list: Vec<String> = fws.iter().map(|f| format!("`{f}`")).collect();
                    let noun = if fws.len() == 1 { "framework" } else { "frameworks" };
                    format!("; it is active under {noun} {}", list.join(", "))
                }
                (near, _) => match near {
                    Some(n) => format!("; did you mean `{n}`?"),
                    None if !under.is_empty() => {
                        let list: Vec<String> = under.iter().map(|c| format!("`{c}`")).collect();
                        format!("; clauses under it: {}", list.join(", "))
                    }
                    None => "; run `spec rules` for the catalogue".to_string(),
                },
            };
            return super::fatal(&format!("no rule `{}`{within}{hint}", args.rule));
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return 2;
    }
    0
}
