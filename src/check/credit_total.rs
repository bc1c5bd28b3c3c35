//! `spec/credit-total` (error): on some pathway, the credits of the
//! structure differ from the programme's `credits`.
//!
//! Fires when on some pathway, the credits of the structure differ from the
//! programme's `credits`.
//!
//! A pathway rule: it must hold on every pathway and reports once per
//! programme, naming one failing pathway. Every valid choice of an option
//! totals exactly its `choose N credits`, so every pathway totals the core
//! credits plus each option's `N`: one sum decides the rule for all
//! pathways, with no enumeration. Not evaluated when the programme has no
//! `credits`, no structure, a listed module that is undefined, broken or
//! without credits, or an unsatisfiable option (rules.md, "Scope and
//! counting"), nor when an option chooses 0 credits or too many
//! (`spec/invalid-value`), a listed module's credits are over 99999
//! (`spec/invalid-value`) or a module is listed twice (`spec/duplicate`).
//!
//! The diagnostic points at the programme's `credits` value and labels the
//! `structure` keyword with the structure's total.

use super::not_evaluated::Pathways;
use super::CheckCtx;
use crate::diag::{Diagnostic, Severity};
use crate::model::build::MAX_INT;
use crate::model::pathways::PathwaySpace;
use crate::rules::RuleDoc;
use crate::rules::RuleScope;
use crate::span::Span;

pub const ID: &str = "spec/credit-total";

pub const RULE: RuleDoc = RuleDoc {
    id: ID,
    severity: Severity::Error,
    scope: RuleScope::Pathway,
    source: include_str!("credit_total.rs"),
    example_fail: include_str!("examples/credit_total.fail.pspec"),
    example_pass: include_str!("examples/credit_total.pass.pspec"),
};

pub fn check(ctx: &CheckCtx, out: &mut Vec<Diagnostic>) {
    let ws = ctx.ws;
    for (pi, p) in ws.programmes.iter().enumerate() {
        let (Some(credits), Some(s)) = (&p.credits, &p.structure) else {
            continue;
        };
        if credits.value == 0 || credits.value > MAX_INT {
            continue; // spec/invalid-value
        }
        if s.groups.iter().any(|g| g.choose.value == 0 || g.choose.value > MAX_INT) {
            continue; // spec/invalid-value
        }
        // Held back, and said so by spec/not-evaluated, while the pathways
        // cannot be read (a module listed twice, undefined, broken or out of
        // range; a repeated stage; an unsatisfiable option).
        let Pathways::Run(space) = ctx.pathways(pi) else {
            continue;
        };
        let core: u64 = space
            .core
            .iter()
            .filter_map(|&e| s.entries.get(e)?.module().and_then(|m| ws.modules.get(m)))
            .map(|m| m.credits())
            .fold(0u64, u64::saturating_add);
        let options: u64 = s.groups.iter().map(|g| g.choose.value).fold(0u64, u64::saturating_add);
        let total = core.saturating_add(options);
        if total == credits.value {
            continue;
        }
        let Some(pathway) = space.pathway_with(&[], &[]) else {
            continue;
        };
        let breakdown = if s.groups.is_empty() {
            format!("{core} core credits")
        } else {
            format!("{core} core credits plus {options} chosen in options")
        };
        let restate = if total > 0 {
            format!(", or set `credits {total}` if the programme is {total} credits")
        } else {
            String::new()
        };
        let help = if total < credits.value {
            format!(
                "the structure is {} credits short: add modules or raise an option's `choose`{}",
                credits.value - total,
                restate
            )
        } else {
            format!(
                "the structure is {} credits over: remove modules or lower an option's `choose`{}",
                total - credits.value,
                restate
            )
        };
        let keyword = Span::new(s.span.start(), s.span.start() + "structure".len());
        let mut d = Diagnostic::error(
            ID,
            p.source,
            credits.span,
            format!(
                "programme `{}` is {} credits, but its structure totals {total} on every pathway",
                p.code.value, credits.value
            ),
        )
        .with_label(format!("the programme is {} credits", credits.value))
        .with_secondary(
            p.source,
            keyword,
            format!("the structure totals {total} credits ({breakdown})"),
        )
        .with_help(help)
        .with_programme(p.code.value.clone());
        if !pathway.is_empty() {
            d = d.with_pathway(PathwaySpace::codes(s, &pathway));
        }
        out.push(d);
    }
}
