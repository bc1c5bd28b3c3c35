//! Variances: waiving, and the order in which the `spec/variance-*` rules
//! run (rules.md, "Variances"). Each rule's logic, message and help are in
//! its file under `src/check/` (`variance_not_waivable.rs`, ...); this file
//! decides when each is asked.
//!
//! [`check_and_waive`] runs last, once every other diagnostic is known:
//!
//! 1. each variance's own checks: `spec/variance-not-waivable` (cites a
//!    `spec/` rule), `spec/variance-unknown-rule` (cites no rule of its
//!    programme's framework), `spec/variance-criterion` (criterion not
//!    admitted, under a framework with no criterion rule of its own);
//! 2. a variance is *valid* when no error-severity diagnostic lies inside its
//!    span (its own `spec/variance-*`, `PG.A1.6/*`, `PG.A1.7/*`, a missing
//!    criterion, an `applies-to` that is not in the structure, ...);
//! 3. waiving: a diagnostic of rule R about programme P is waived by the first
//!    valid variance of P, in source order, that cites R, whose criterion R
//!    admits and whose `applies-to` covers the diagnostic's module (or that
//!    has no `applies-to`). A rule about a module itself is waived only when
//!    every programme under the rule's framework that lists the module holds
//!    such a variance. Pending variances waive unless `require_approved`;
//! 4. `spec/variance-unused` (a valid variance waived nothing) and
//!    `spec/variance-pending` (a valid variance has no `approved` line).

use std::collections::HashMap;

use crate::check::{
    variance_criterion, variance_not_waivable, variance_pending, variance_unknown_rule, variance_unused,
};
use crate::diag::{Diagnostic, Severity, SourceId, WaivedBy};
use crate::model::{Programme, ProgrammeId, Variance, Workspace};
use crate::rules::{is_spec, RuleCatalogue, RuleInfo, RuleScope};
use crate::span::Span;

pub struct VarianceInput<'a> {
    pub ws: &'a Workspace,
    pub catalogue: &'a dyn RuleCatalogue,
    /// The framework id per programme index (`ws.programmes` order), `None`
    /// when missing or unknown.
    pub frameworks: &'a [Option<String>],
    /// `--require-approved-variances`: pending variances waive nothing.
    pub require_approved: bool,
    /// The rules held back per programme code (`spec/not-evaluated`): a
    /// variance citing one is not reported unused.
    pub held_back: &'a HashMap<String, Vec<String>>,
}

/// One variance with what the checks found about it.
struct Var<'a> {
    prog: ProgrammeId,
    programme: &'a Programme,
    v: &'a Variance,
    /// No error of its own.
    valid: bool,
    /// The cited rule admits the variance's criterion.
    admitted: bool,
    pending: bool,
    /// Waived at least one diagnostic.
    used: bool,
    /// Would have waived one, but is pending under `require_approved`.
    would_use: bool,
    /// Covered a diagnostic about a module itself that another programme
    /// listing the module (this one) does not waive.
    blocked_by: Option<String>,
    /// The subject of a diagnostic of the cited rule, in this programme,
    /// that the `applies-to` scope left out (for the unused help).
    outside: Option<String>,
}

impl Var<'_> {
    /// May waive anything at all (pending or not).
    fn eligible(&self) -> bool {
        self.valid && self.admitted
    }
    fn covers_module(&self, module: Option<&str>) -> bool {
        self.v.applies_to.is_empty() || module.is_some_and(|m| self.v.applies_to.iter().any(|a| a.value == m))
    }
    fn waived_by(&self) -> WaivedBy {
        WaivedBy {
            rule: self.v.rule.value.to_string(),
            source: self.programme.source,
            span: self.v.head,
            pending: self.pending,
        }
    }
}

/// The catalogue's rules for the frameworks in use, looked up once (a
/// catalogue may compute a framework's includes on every call).
struct Index<'c> {
    cat: &'c dyn RuleCatalogue,
    /// Framework -> (rule id -> rule, has a criterion rule of its own).
    by_framework: HashMap<String, (HashMap<&'c str, &'c RuleInfo>, bool)>,
}

impl<'c> Index<'c> {
    fn new(cat: &'c dyn RuleCatalogue, frameworks: &[Option<String>]) -> Index<'c> {
        let mut by_framework = HashMap::new();
        for f in frameworks.iter().flatten() {
            if !by_framework.contains_key(f) {
                let rules: HashMap<&str, &RuleInfo> = cat.rules(f).into_iter().map(|r| (r.id.as_str(), r)).collect();
                by_framework.insert(f.clone(), (rules, cat.has_criterion_rule(f)));
            }
        }
        Index { cat, by_framework }
    }
    fn rule(&self, framework: &str, id: &str) -> Option<&'c RuleInfo> {
        self.by_framework
            .get(framework)
            .and_then(|(rules, _)| rules.get(id).copied())
    }
    fn has_criterion_rule(&self, framework: &str) -> bool {
        self.by_framework.get(framework).is_some_and(|(_, c)| *c)
    }
}

/// Adds spec/variance-* diagnostics, then marks waived diagnostics in `diags`
/// (sets `waived_by`). Called after ALL other diagnostics are in `diags`.
pub fn check_and_waive(input: &VarianceInput, diags: &mut Vec<Diagnostic>) {
    let ws = input.ws;
    let framework_of = |i: ProgrammeId| input.frameworks.get(i).and_then(|f| f.as_deref());
    let index = Index::new(input.catalogue, input.frameworks);

    // 1. The variances' own checks.
    for (i, p) in ws.programmes.iter().enumerate() {
        for v in &p.variances {
            own_checks(&index, p, framework_of(i), v, diags);
        }
    }

    // 2. Validity: no error inside the variance. Error spans by source,
    // sorted, so each variance looks only at the errors starting inside it.
    let mut errors: HashMap<SourceId, Vec<(usize, usize)>> = HashMap::new();
    for d in diags.iter().filter(|d| d.severity == Severity::Error && !d.is_waived()) {
        errors.entry(d.source).or_default().push((d.span.start(), d.span.end()));
    }
    for spans in errors.values_mut() {
        spans.sort_unstable();
    }
    let has_error_inside = |source: SourceId, span: Span| {
        errors.get(&source).is_some_and(|spans| {
            let from = spans.partition_point(|&(start, _)| start < span.start());
            spans[from..]
                .iter()
                .take_while(|&&(start, _)| start <= span.end())
                .any(|&(_, end)| end <= span.end())
        })
    };
    let mut vars: Vec<Var> = Vec::new();
    for (i, p) in ws.programmes.iter().enumerate() {
        for v in &p.variances {
            let valid = !has_error_inside(p.source, v.span);
            let admitted = match (framework_of(i), &v.criterion) {
                (Some(f), Some(c)) => index
                    .rule(f, &v.rule.value)
                    .is_some_and(|r| !is_spec(&r.id) && r.admits.iter().any(|a| *a == c.name.value)),
                _ => false,
            };
            vars.push(Var {
                prog: i,
                programme: p,
                v,
                valid: valid && framework_of(i).is_some(),
                admitted,
                pending: v.approved.is_none(),
                used: false,
                would_use: false,
                blocked_by: None,
                outside: None,
            });
        }
    }

    // 3. Waiving.
    if !vars.is_empty() {
        waive(input, &index, &mut vars, diags);
    }

    // 4. Unused and pending, for valid variances of programmes that are checked.
    for var in &vars {
        if !var.valid {
            continue;
        }
        let p = var.programme;
        let v = var.v;
        let held = input.held_back.get(p.code.value.as_str()).is_some_and(|h| {
            h.iter().any(|r| {
                *r == v.rule.value
                    || r.strip_prefix(v.rule.value.as_str())
                        .is_some_and(|t| t.starts_with('/'))
            })
        });
        if !var.used && !var.would_use && !held {
            let why = if let Some(other) = &var.blocked_by {
                variance_unused::Why::BlockedBy(other)
            } else if let (true, Some(subject)) = (var.admitted, &var.outside) {
                variance_unused::Why::Outside(subject)
            } else if var.admitted {
                variance_unused::Why::Nothing
            } else {
                variance_unused::Why::NotAdmitted
            };
            diags.push(variance_unused::diagnostic(p, v, why));
        }
        if var.pending {
            diags.push(variance_pending::diagnostic(p, v, input.require_approved));
        }
    }
}

/// The variance's own rules, in order: spec/variance-not-waivable, then
/// (under a known framework) spec/variance-unknown-rule, then
/// spec/variance-criterion; the first that fires ends the checks.
fn own_checks(index: &Index, p: &Programme, framework: Option<&str>, v: &Variance, diags: &mut Vec<Diagnostic>) {
    if let Some(d) = variance_not_waivable::check(p, v) {
        diags.push(d);
        return;
    }
    // Without a known framework there is nothing to check the rule against
    // (the framework itself is reported elsewhere).
    let Some(framework) = framework else { return };
    let Some(rule) = index.rule(framework, &v.rule.value) else {
        diags.push(variance_unknown_rule::diagnostic(index.cat, framework, p, v));
        return;
    };
    if index.has_criterion_rule(framework) {
        return;
    }
    diags.extend(variance_criterion::check(p, v, rule));
}

/// Marks waived diagnostics and records which variances were used.
fn waive(input: &VarianceInput, index: &Index, vars: &mut [Var], diags: &mut [Diagnostic]) {
    let ws = input.ws;
    // The variances of each programme, in source order.
    let mut by_programme: HashMap<ProgrammeId, Vec<usize>> = HashMap::new();
    for (k, v) in vars.iter().enumerate() {
        by_programme.entry(v.prog).or_default().push(k);
    }
    for d in diags.iter_mut() {
        if d.is_waived() || is_spec(&d.code) {
            continue;
        }
        let module_itself = d.module.is_some()
            && match d.programme.as_deref() {
                None => true,
                Some(p) => ws
                    .programme_id(p)
                    .and_then(|i| input.frameworks.get(i).and_then(|f| f.as_deref()))
                    .and_then(|f| index.rule(f, &d.code))
                    .is_some_and(|r| r.scope == RuleScope::ModuleItself),
            };
        if module_itself {
            waive_module_itself(input, index, &by_programme, vars, d);
            continue;
        }
        let Some(prog) = d.programme.as_deref().and_then(|p| ws.programme_id(p)) else {
            continue;
        };
        let module = d.module.as_deref();
        let Some(own) = by_programme.get(&prog) else { continue };
        for &k in own {
            let Some(var) = vars.get_mut(k) else { continue };
            if var.v.rule.value != d.code || !var.eligible() {
                continue;
            }
            if !var.covers_module(module) {
                var.outside.get_or_insert_with(|| match module {
                    Some(m) => format!("module `{m}`"),
                    None => "the programme as a whole".to_string(),
                });
                continue;
            }
            if var.pending && input.require_approved {
                var.would_use = true;
                continue;
            }
            var.used = true;
            d.waived_by = Some(var.waived_by());
            break;
        }
    }
}

/// A rule about a module itself: waived only when every programme under a
/// framework defining the rule that lists the module holds a variance
/// covering it.
fn waive_module_itself(
    input: &VarianceInput,
    index: &Index,
    by_programme: &HashMap<ProgrammeId, Vec<usize>>,
    vars: &mut [Var],
    d: &mut Diagnostic,
) {
    let ws = input.ws;
    let Some(module) = d.module.as_deref() else {
        return;
    };
    let listing: Vec<ProgrammeId> = ws
        .programmes
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            let under = input
                .frameworks
                .get(*i)
                .and_then(|f| f.as_deref())
                .is_some_and(|f| index.rule(f, &d.code).is_some());
            under && p.structure.as_ref().is_some_and(|s| s.entry(module).is_some())
        })
        .map(|(i, _)| i)
        .collect();
    if listing.is_empty() {
        return;
    }
    // Per programme: the first covering variance that waives, or one that
    // would but is pending under `require_approved`.
    let mut chosen: Vec<usize> = Vec::new();
    let mut would: Vec<usize> = Vec::new();
    let mut missing: Option<&str> = None;
    for &prog in &listing {
        let mut found = None;
        let mut pending_found = None;
        for &k in by_programme.get(&prog).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(var) = vars.get(k) else { continue };
            if var.v.rule.value != d.code || !var.eligible() || !var.covers_module(Some(module)) {
                continue;
            }
            if var.pending && input.require_approved {
                pending_found.get_or_insert(k);
                continue;
            }
            found = Some(k);
            break;
        }
        match (found, pending_found) {
            (Some(k), _) => chosen.push(k),
            (None, Some(k)) => would.push(k),
            (None, None) => {
                if missing.is_none() {
                    missing = ws.programmes.get(prog).map(|p| p.code.value.as_str());
                }
            }
        }
    }
    if let Some(missing) = missing {
        // Some programme holds no variance: nothing is waived, and the
        // variances that covered it say why.
        for &k in chosen.iter().chain(&would) {
            if let Some(v) = vars.get_mut(k) {
                v.blocked_by.get_or_insert_with(|| missing.to_string());
            }
        }
    } else if would.is_empty() {
        for &k in &chosen {
            if let Some(v) = vars.get_mut(k) {
                v.used = true;
            }
        }
        if let Some(v) = chosen.first().and_then(|&k| vars.get(k)) {
            d.waived_by = Some(v.waived_by());
        }
    } else {
        // Every programme holds a variance, but some are pending under
        // `require_approved`: not waived; none of them is unused.
        for &k in chosen.iter().chain(&would) {
            if let Some(v) = vars.get_mut(k) {
                v.would_use = true;
            }
        }
    }
}
