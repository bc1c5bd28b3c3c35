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

/// How much of a programme's pathway checking is held back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathwaysHeld {
    pub reason: String,
    /// The pathways cannot be built: `spec/credit-total` and
    /// `spec/prerequisite-missing` are held back too.
    pub no_space: bool,
    /// A module listed twice, or credits out of range: `spec/credit-total`
    /// is held back too.
    pub credit_total: bool,
}

/// Why the pathway rules of `p` cannot run, if they cannot. `None` when the
/// programme has no structure (nothing to evaluate) or every pathway rule runs.
pub fn pathways_held(ws: &Workspace, p: &Programme) -> Option<PathwaysHeld> {
    let s = p.structure.as_ref()?;
    let held = |reason: String, no_space: bool, credit_total: bool| {
        Some(PathwaysHeld {
            reason,
            no_space,
            credit_total,
        })
    };
    match PathwaySpace::new(ws, p) {
        Err(Blocked::NoStructure) => return None,
        Err(Blocked::Module(code)) => {
            let reason = match ws.module_id(&code).and_then(|m| ws.modules.get(m)) {
                None => format!("its structure lists module `{code}`, which is not defined"),
                Some(m) if m.broken => format!("its structure lists module `{code}`, whose definition does not parse"),
                Some(_) => format!("its structure lists module `{code}`, which has no `credits`"),
            };
            return held(reason, true, false);
        }
        Err(Blocked::Unsatisfiable(g)) => {
            let title = s.groups.get(g).map(|g| g.title.value.as_str()).unwrap_or("");
            return held(format!("option `{title}` has no valid choice of modules"), true, false);
        }
        Ok(_) => {}
    }
    let mut codes = std::collections::HashSet::new();
    if let Some(e) = s.entries.iter().find(|e| !codes.insert(e.code.value.as_str())) {
        return held(
            format!("its structure lists module `{}` twice", e.code.value),
            false,
            true,
        );
    }
    let mut stages = std::collections::HashSet::new();
    if let Some(st) = s.stages.iter().find(|st| !stages.insert(st.number.value)) {
        return held(
            format!("its structure repeats stage `{}`", st.number.value),
            false,
            false,
        );
    }
    let mut reason = None;
    let mut credits_out = false;
    for e in &s.entries {
        let Some(m) = e.module.and_then(|m| ws.modules.get(m)) else {
            continue;
        };
        if !super::invalid_value::valid_credits(m.credits.as_ref()) {
            credits_out = true;
            reason.get_or_insert_with(|| format!("the credits of module `{}` are out of range", m.code.value));
        }
        if !super::invalid_value::valid_level(m.level.as_ref()) {
            let why = if m.level.is_some() {
                "is out of range"
            } else {
                "is missing"
            };
            reason.get_or_insert_with(|| format!("the level of module `{}` {why}", m.code.value));
        }
    }
    held(reason?, false, credits_out)
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
