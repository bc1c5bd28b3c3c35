//! `spec/not-evaluated` (info): some of a programme's rules could not be
//! evaluated.
//!
//! Fires when some of a programme's rules could not be evaluated (see Scope
//! and counting): names the programme, the rules held back and the reason, so
//! a silent check is never mistaken for a passing one.
//!
//! Whenever rules are held back (rules.md, "Scope and counting"), one info
//! diagnostic on the programme's code names the rules not run and why, so a
//! quiet check is never mistaken for a passing one:
//!
//! - no pathway exists, or the pathways cannot be read: an option has no
//!   valid choice (`spec/option-unsatisfiable`); the structure lists a module
//!   that is undefined, whose definition does not parse, or whose `credits`
//!   or `level` is missing or out of range; the structure repeats a module
//!   or a stage number (`spec/duplicate`). The pathway rules are held back.
//! - a line of the programme does not parse (`spec/syntax`): the rules that
//!   read that property are held back (for a broken `variance` line, the
//!   rule it cites); every other rule is still evaluated on what parsed.
//!
//! Reported by the policy engine, which knows the framework's rules; the
//! reasons are found here.

use crate::diag::{Diagnostic, Severity};
use crate::model::pathways::{Blocked, PathwaySpace};
use crate::model::{Programme, Workspace};
use crate::rules::RuleDoc;
use crate::rules::RuleScope;

pub const ID: &str = "spec/not-evaluated";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Info,
    scope: RuleScope::Programme,
    source: include_str!("not_evaluated.rs"),
    example_fail: include_str!("examples/not_evaluated.fail.pspec"),
    example_pass: include_str!("examples/not_evaluated.pass.pspec"),
};

/// Whether the pathway rules of a programme run (rules.md, Scope and
/// counting): the pathway rules are spec/credit-total,
/// spec/prerequisite-missing and every framework rule over `pathways`.
pub enum Pathways {
    /// The programme has no structure: there is nothing to evaluate.
    None,
    /// Every pathway rule runs on these pathways.
    Run(PathwaySpace),
    /// No pathway rule runs; the reason, for the `spec/not-evaluated` message.
    Held(String),
}

/// Programme `pi`'s entry of [`all_pathways`].
pub fn of(all: &[Pathways], pi: usize) -> &Pathways {
    all.get(pi).unwrap_or(&Pathways::None)
}

/// [`pathways`] of every programme, by programme id, read in parallel: once
/// per analysis, shared by the checks ([`super::CheckCtx`]) and the policy
/// evaluation.
pub fn all_pathways(ws: &Workspace) -> Vec<Pathways> {
    use rayon::prelude::*;
    ws.programmes.par_iter().map(|p| pathways(ws, p)).collect()
}

/// The pathways of `p`, or why its pathway rules are held back. The one
/// place that decides it: spec/credit-total, spec/prerequisite-missing and
/// the policy engine all ask here, so what `spec/not-evaluated` lists is
/// exactly what did not run.
pub fn pathways(ws: &Workspace, p: &Programme) -> Pathways {
    let Some(s) = p.structure.as_ref() else {
        return Pathways::None;
    };
    let space = match PathwaySpace::new(ws, p) {
        Err(Blocked::NoStructure) => return Pathways::None,
        Err(Blocked::Module(code)) => {
            let reason = match ws.module_id(&code).and_then(|m| ws.modules.get(m)) {
                None => format!("its structure lists module `{code}`, which is not defined"),
                Some(m) if m.broken => format!("its structure lists module `{code}`, whose definition does not parse"),
                Some(_) => format!("its structure lists module `{code}`, which has no `credits`"),
            };
            return Pathways::Held(reason);
        }
        Err(Blocked::Unsatisfiable(g)) => {
            let title = s.groups.get(g).map(|g| g.title.value.as_str()).unwrap_or("");
            return Pathways::Held(format!("option `{title}` has no valid choice of modules"));
        }
        Ok(space) => space,
    };
    // The structure itself in doubt (spec/duplicate): a module listed twice
    // would count twice on a pathway, a repeated stage number leaves the
    // stages unknown.
    let mut codes = foldhash::HashSet::with_capacity_and_hasher(s.entries.len(), Default::default());
    if let Some(e) = s.entries.iter().find(|e| !codes.insert(e.code.value.as_str())) {
        return Pathways::Held(format!("its structure lists module `{}` twice", e.code.value));
    }
    let mut stages = foldhash::HashSet::with_capacity_and_hasher(s.stages.len(), Default::default());
    if let Some(st) = s.stages.iter().find(|st| !stages.insert(st.number.value)) {
        return Pathways::Held(format!("its structure repeats stage `{}`", st.number.value));
    }
    // A listed module whose credits or level is out of range
    // (spec/invalid-value) or missing (spec/missing-property).
    for e in &s.entries {
        let Some(m) = e.module().and_then(|m| ws.modules.get(m)) else {
            continue;
        };
        if !super::invalid_value::valid_credits(m.credits.as_ref()) {
            return Pathways::Held(format!("the credits of module `{}` are out of range", m.code.value));
        }
        if !super::invalid_value::valid_level(m.level.as_ref()) {
            let why = if m.level.is_some() {
                "is out of range"
            } else {
                "is missing"
            };
            return Pathways::Held(format!("the level of module `{}` {why}", m.code.value));
        }
    }
    Pathways::Run(space)
}

/// The one `spec/not-evaluated` diagnostic of a programme: `rules` held back
/// for `reasons` (both non-empty, in the order found).
pub fn diagnostic(p: &Programme, rules: &[String], reasons: &[String]) -> Diagnostic {
    let n = rules.len();
    let what = if n == 1 {
        "1 rule".to_string()
    } else {
        format!("{n} rules")
    };
    Diagnostic::new(
        ID,
        Severity::Info,
        p.source,
        p.code.span,
        format!(
            "programme `{}` was not checked against {what}: {}",
            p.code.value,
            super::and_list(reasons)
        ),
    )
    .with_programme(p.code.value.clone())
    .with_label("some rules held back")
    .with_help(format!(
        "not evaluated: {}; they run once the cause is corrected",
        rules.join(", ")
    ))
}
