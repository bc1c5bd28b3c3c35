//! Policy as data: the `.policy` language, its compiler and evaluator, and
//! the framework packs embedded in the binary.
//!
//! This file holds the interface the rest of the crate uses (rule metadata,
//! frameworks, awards); the language lives in the submodules.

pub mod variance;

use crate::diag::RuleOrigin;

pub use crate::rules::{RuleCatalogue, RuleInfo, RuleScope};

pub mod compile;
pub mod eval;
pub mod ir;
pub mod schema;
pub mod syntax;
pub mod types;

use std::collections::HashMap;

use rayon::prelude::*;
use std::sync::{Arc, OnceLock};

use crate::analysis::{Options, PolicyInput};
use crate::check::not_evaluated::Pathways;
use crate::check::unknown_reference;
use crate::diag::Diagnostic;
use crate::model::Workspace;
use crate::source::{Source, SourceKind, Sources};
use compile::{did_you_mean, PackFile, PolicySet, Root};
use eval::{Ctx, Finding};
use types::Value;

/// The result of loading, compiling and evaluating the policy packs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyRun {
    /// A policy file did not compile (its diagnostics are in the output).
    pub failed: bool,
}

/// The packs embedded in the binary: (file name, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "ljmu-pgt-2022.policy",
        include_str!("../../policies/ljmu-pgt-2022.policy"),
    ),
    (
        "ljmu-partnerships.policy",
        include_str!("../../policies/ljmu-partnerships.policy"),
    ),
    (
        "ljmu-attendance.policy",
        include_str!("../../policies/ljmu-attendance.policy"),
    ),
    (
        "ljmu-engagement.policy",
        include_str!("../../policies/ljmu-engagement.policy"),
    ),
    (
        "ntu-online-2018.policy",
        include_str!("../../policies/ntu-online-2018.policy"),
    ),
];

/// The embedded packs as compiler input.
pub fn embedded_files() -> Vec<PackFile> {
    EMBEDDED
        .iter()
        .map(|(name, text)| PackFile {
            name: format!("policies/{name}"),
            path: None,
            text: Arc::from(*text),
            embedded: true,
        })
        .collect()
}

/// The embedded packs, compiled once per process.
pub fn embedded_set() -> Arc<PolicySet> {
    static SET: OnceLock<Arc<PolicySet>> = OnceLock::new();
    SET.get_or_init(|| Arc::new(compile::compile(embedded_files()))).clone()
}

/// The embedded packs with the user's, compiled; the last such set is kept,
/// so an editor re-checking on every keystroke recompiles only when a policy
/// file changed.
fn user_set(user: Vec<PackFile>) -> Arc<PolicySet> {
    type Key = Vec<(String, Arc<str>)>;
    type Last = std::sync::Mutex<Option<(Key, Arc<PolicySet>)>>;
    static LAST: OnceLock<Last> = OnceLock::new();
    let key: Key = user.iter().map(|p| (p.name.clone(), p.text.clone())).collect();
    let cache = LAST.get_or_init(|| std::sync::Mutex::new(None));
    if let Ok(guard) = cache.lock() {
        if let Some((k, set)) = guard.as_ref() {
            if *k == key {
                return set.clone();
            }
        }
    }
    let mut all = embedded_files();
    all.extend(user);
    let set = Arc::new(compile::compile(all));
    if let Ok(mut guard) = cache.lock() {
        *guard = Some((key, set.clone()));
    }
    set
}

/// A compiled policy set with its sources registered: the rule catalogue.
#[derive(Clone)]
pub struct Catalogue {
    pub set: Arc<PolicySet>,
    /// Source id of each pack of `set`.
    pub pack_sources: Vec<crate::diag::SourceId>,
    /// Rule metadata, origins filled in, in `set.rules` order.
    infos: Vec<RuleInfo>,
    spec: Vec<RuleInfo>,
}

impl Catalogue {
    /// Compiles the embedded packs and the user's texts, registering every
    /// pack in `sources`. Compile problems are returned as diagnostics. No
    /// file is read: the user's files arrive as texts (from
    /// [`crate::workspace`] or an editor's buffers).
    pub fn compile(sources: &mut Sources, user: &[PolicyInput]) -> (Catalogue, Vec<Diagnostic>) {
        let user: Vec<PackFile> = user
            .iter()
            .map(|p| PackFile {
                name: p.name.clone(),
                path: p.path.clone(),
                text: p.text.clone(),
                embedded: false,
            })
            .collect();
        let set = if user.is_empty() {
            embedded_set()
        } else {
            user_set(user)
        };
        let pack_sources: Vec<usize> = set
            .packs
            .iter()
            .map(|p| {
                sources.add(Source::new(
                    p.name.clone(),
                    p.path.clone(),
                    p.text.clone(),
                    if p.embedded {
                        SourceKind::EmbeddedPolicy
                    } else {
                        SourceKind::Policy
                    },
                ))
            })
            .collect();
        let diags = set
            .errors
            .iter()
            .map(|e| {
                let mut d = Diagnostic::error(
                    e.code,
                    pack_sources.get(e.pack).copied().unwrap_or(0),
                    e.span,
                    e.message.clone(),
                );
                if let Some(h) = &e.help {
                    d = d.with_help(h.clone());
                }
                d
            })
            .collect();
        let infos = set
            .rules
            .iter()
            .map(|r| {
                let mut i = r.info.clone();
                i.origin = pack_sources
                    .get(r.pack)
                    .map(|&source| RuleOrigin { source, span: r.span });
                i
            })
            .collect();
        let spec = crate::check::registry::spec_rules();
        (
            Catalogue {
                set,
                pack_sources,
                infos,
                spec,
            },
            diags,
        )
    }

    fn admits_map(&self, framework: &str) -> HashMap<String, Vec<String>> {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for r in &self.spec {
            m.insert(r.id.clone(), Vec::new());
        }
        for i in self.set.active_rules(framework) {
            if let Some(info) = self.infos.get(i) {
                m.insert(info.id.clone(), info.admits.clone());
            }
        }
        m
    }
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("packs", &self.set.packs.len())
            .field("rules", &self.infos.len())
            .finish()
    }
}

impl RuleCatalogue for Catalogue {
    fn rule(&self, framework: &str, id: &str) -> Option<&RuleInfo> {
        if let Some(r) = self.spec.iter().find(|r| r.id == id) {
            return Some(r);
        }
        self.set
            .active_rules(framework)
            .into_iter()
            .filter_map(|i| self.infos.get(i))
            .find(|r| r.id == id)
    }
    fn rules(&self, framework: &str) -> Vec<&RuleInfo> {
        let mut v: Vec<&RuleInfo> = self.spec.iter().collect();
        v.extend(
            self.set
                .active_rules(framework)
                .into_iter()
                .filter_map(|i| self.infos.get(i)),
        );
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }
    fn frameworks(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.set.frameworks.iter().map(|f| f.id.as_str()).collect();
        v.sort_unstable();
        v
    }
    fn has_criterion_rule(&self, framework: &str) -> bool {
        self.set.criterion_rule(framework).is_some()
    }
}

/// Evaluates every applicable rule of the compiled catalogue `cat` (which
/// compiled without errors) over the workspace and applies variances, in
/// three phases: [`programme_frameworks`], [`evaluate`], then the variances
/// ([`variance::check_and_waive`]).
pub fn check(
    cat: &Catalogue,
    sources: &mut Sources,
    ws: &Workspace,
    pathways: &[Pathways],
    options: &Options,
    diags: &mut Vec<Diagnostic>,
) -> PolicyRun {
    let set = cat.set.clone();
    let known: Vec<&str> = set.frameworks.iter().map(|f| f.id.as_str()).collect();
    if let Some(f) = &options.framework {
        if !set.fw_index.contains_key(f) {
            let id = sources.add(Source::new("--framework", None, f.clone(), SourceKind::Policy));
            let near = did_you_mean(f, known.iter().copied());
            diags.push(unknown_reference::option_framework(id, f, &known, near));
            return PolicyRun { failed: true };
        }
    }
    if let Some(f) = options
        .default_framework
        .as_ref()
        .filter(|f| !set.fw_index.contains_key(*f))
    {
        let id = sources.add(Source::new("spec.toml", None, f.clone(), SourceKind::Policy));
        let near = did_you_mean(f, known.iter().copied());
        diags.push(unknown_reference::default_framework(id, f, &known, near));
        return PolicyRun { failed: true };
    }
    let frameworks = programme_frameworks(&set, ws, options, &known, diags);
    let first_finding = diags.len();
    let held_back = evaluate(cat, &set, ws, pathways, &frameworks, diags);
    trim_spans(sources, &mut diags[..], first_finding);
    // Phase 3: variances, their own checks, then waiving.
    let input = variance::VarianceInput {
        ws,
        catalogue: cat,
        frameworks: &frameworks,
        require_approved: options.require_approved_variances,
        held_back: &held_back,
    };
    variance::check_and_waive(&input, diags);
    PolicyRun { failed: false }
}

/// Phase 1: each programme's framework (`--framework`, its own line, or the
/// workspace default), and its award and exit awards known to it.
fn programme_frameworks(
    set: &PolicySet,
    ws: &Workspace,
    options: &Options,
    known: &[&str],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Option<String>> {
    let mut frameworks: Vec<Option<String>> = vec![None; ws.programmes.len()];
    // The award codes of each framework, computed once rather than per programme.
    let mut award_codes: HashMap<String, Vec<String>> = HashMap::new();
    for (pi, p) in ws.programmes.iter().enumerate() {
        let fw = if let Some(f) = &options.framework {
            Some(f.clone())
        } else if let Some(f) = &p.framework {
            if set.fw_index.contains_key(f.value.as_str()) {
                Some(f.value.to_string())
            } else {
                let near = did_you_mean(&f.value, known.iter().copied());
                diags.push(unknown_reference::programme_framework(p, f, known, near));
                None
            }
        } else {
            options
                .default_framework
                .clone()
                .filter(|f| set.fw_index.contains_key(f))
        };
        let Some(fw) = fw else {
            if p.framework.is_none() && p.unread("framework") {
                let why = unread_reason(p, "framework");
                diags.push(crate::check::not_evaluated::diagnostic(
                    p,
                    &["every rule of its framework".to_string()],
                    &[why],
                ));
            }
            continue;
        };
        let codes: Vec<&str> = award_codes
            .entry(fw.clone())
            .or_insert_with(|| set.awards(&fw).into_iter().map(|a| a.code).collect())
            .iter()
            .map(String::as_str)
            .collect();
        let mut check_award = |code: &crate::span::Spanned<crate::span::Str>, what: &str| {
            // The suggestion only for an unknown code (a Levenshtein pass
            // over the award table was 4% of a catalogue's check).
            if codes.contains(&code.value.as_str()) {
                return;
            }
            let near = did_you_mean(&code.value, codes.iter().copied());
            diags.extend(crate::check::unknown_award::check(p, code, what, &fw, &codes, near));
        };
        if let Some(a) = &p.award {
            check_award(a, "award");
        }
        for x in &p.exit_awards {
            check_award(&x.award, "exit award");
        }
        frameworks[pi] = Some(fw);
    }
    frameworks
}

/// Phase 2: every active rule of each framework over its programmes (and,
/// for rules about a module itself, the modules they list); what was held
/// back, by programme, for the variance checks.
fn evaluate(
    cat: &Catalogue,
    set: &PolicySet,
    ws: &Workspace,
    pathways: &[Pathways],
    frameworks: &[Option<String>],
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, Vec<String>> {
    let mut held_back: HashMap<String, Vec<String>> = HashMap::new();
    let mut fws: Vec<String> = frameworks.iter().flatten().cloned().collect();
    fws.sort();
    fws.dedup();
    for fw in &fws {
        let awards = set.awards(fw);
        let admits = cat.admits_map(fw);
        let active = set.active_rules(fw);
        // The modules the framework's programmes list, by module id: one
        // flag each, not a list of every entry to sort.
        let mut listed = vec![false; ws.modules.len()];
        for (pi, p) in ws.programmes.iter().enumerate() {
            if frameworks[pi].as_deref() != Some(fw.as_str()) {
                continue;
            }
            if let Some(s) = &p.structure {
                for mid in s.entries.iter().filter_map(|e| e.module()) {
                    if let Some(l) = listed.get_mut(mid) {
                        *l = true;
                    }
                }
            }
        }
        // Programmes are independent: evaluated in parallel, merged in
        // programme order.
        let runs: Vec<ProgrammeRun> = ws
            .programmes
            .par_iter()
            .enumerate()
            .filter(|(pi, _)| frameworks[*pi].as_deref() == Some(fw.as_str()))
            .map(|(pi, p)| {
                let env = FrameworkEnv {
                    cat,
                    set,
                    ws,
                    pathways,
                    fw,
                    awards: &awards,
                    admits: &admits,
                    active: &active,
                };
                evaluate_programme(&env, pi, p)
            })
            .collect();
        for run in runs {
            diags.extend(run.diags);
            if let Some((code, held)) = run.held {
                held_back.insert(code, held);
            }
        }
        for &ri in &active {
            let rule = &set.rules[ri];
            if rule.root != Root::Modules {
                continue;
            }
            // The modules in parallel (each with its own budget), merged in
            // module order, into one list: not a list per module.
            let found: Vec<Diagnostic> = (0..listed.len())
                .into_par_iter()
                .filter(|&mid| listed[mid])
                .flat_map_iter(|mid| {
                    let mut out = Vec::new();
                    let Some(m) = ws.modules.get(mid).filter(|m| !m.broken) else {
                        return out;
                    };
                    let ctx = Ctx {
                        ws,
                        prog: None,
                        awards: &awards,
                        admits: &admits,
                        space: None,
                        limit_hit: Default::default(),
                        fuel: Default::default(),
                        prog_modules: Default::default(),
                    };
                    let mut found = Vec::new();
                    if !eval::run_rule(rule, &ctx, Some(Value::Module(mid, None)), &mut found) {
                        out.push(over_budget(
                            &rule.info.id,
                            "module",
                            &m.code.value,
                            m.source,
                            m.code.span,
                        ));
                    }
                    emit(
                        cat,
                        ri,
                        &rule.info.id,
                        Some(&rule.info.clause),
                        None,
                        found,
                        m.source,
                        &mut out,
                    );
                    out
                })
                .collect();
            diags.extend(found);
        }
    }
    held_back
}

/// What one framework's evaluation shares across its programmes.
struct FrameworkEnv<'a> {
    cat: &'a Catalogue,
    set: &'a PolicySet,
    ws: &'a Workspace,
    /// By programme id ([`crate::check::not_evaluated::all_pathways`]).
    pathways: &'a [Pathways],
    fw: &'a str,
    awards: &'a [compile::Award],
    admits: &'a HashMap<String, Vec<String>>,
    active: &'a [usize],
}

/// One programme's findings, and the rules held back for it.
struct ProgrammeRun {
    diags: Vec<Diagnostic>,
    held: Option<(String, Vec<String>)>,
}

/// Every active rule of the framework (but those about a module itself)
/// over programme `pi`, and its own programme rules.
fn evaluate_programme(env: &FrameworkEnv, pi: usize, p: &crate::model::Programme) -> ProgrammeRun {
    let FrameworkEnv {
        cat,
        set,
        ws,
        pathways,
        fw,
        awards,
        admits,
        active,
    } = *env;
    let mut out = Vec::new();
    let diags = &mut out;
    // The pathway rules run only on pathways that can be read; when
    // they cannot, every pathway rule (spec/credit-total and
    // spec/prerequisite-missing among them) is held back and
    // spec/not-evaluated says so (rules.md, Scope and counting).
    let (space, pathways_held) = match crate::check::not_evaluated::of(pathways, pi) {
        Pathways::Run(space) => (Some(space), None),
        Pathways::Held(why) => (None, Some(why)),
        Pathways::None => (None, None),
    };
    let mut held: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    if let Some(why) = pathways_held {
        reasons.push(why.clone());
        held.push(crate::check::credit_total::ID.to_string());
        held.push(crate::check::prerequisite_missing::ID.to_string());
    }
    let unread_fields: Vec<types::Field> = p.unread.iter().flat_map(|u| fields_of(&u.keyword)).collect();
    let unread_rules: Vec<&str> = p
        .unread
        .iter()
        .filter(|u| u.keyword == "variance")
        .filter_map(|u| u.argument.as_deref())
        .collect();
    let structure_unread = p.unread("structure");
    let ctx = Ctx {
        ws,
        prog: Some(pi),
        awards,
        admits,
        space,
        limit_hit: Default::default(),
        fuel: Default::default(),
        prog_modules: Default::default(),
    };
    for &ri in active {
        let rule = &set.rules[ri];
        if rule.root == Root::Modules {
            continue;
        }
        if p.broken {
            let cited = unread_rules
                .iter()
                .find(|&&r| r == rule.info.id || rule.info.id.strip_prefix(r).is_some_and(|t| t.starts_with('/')));
            let needs = if let Some(r) = cited {
                Some(format!("its `variance {r}` line does not parse"))
            } else if structure_unread && matches!(rule.root, Root::ProgrammeModules | Root::Pathways) {
                Some(unread_reason(p, "structure"))
            } else {
                let reads = rule_fields(rule);
                unread_fields
                    .iter()
                    .find(|f| reads.contains(f))
                    .and_then(|f| p.unread.iter().find(|u| fields_of(&u.keyword).contains(f)))
                    .map(|u| unread_reason(p, &u.keyword))
            };
            if let Some(why) = needs {
                held.push(rule.info.id.clone());
                if !reasons.contains(&why) {
                    reasons.push(why);
                }
                continue;
            }
        }
        let root = match rule.root {
            Root::Pathways => {
                if space.is_none() {
                    if pathways_held.is_some() {
                        held.push(rule.info.id.clone());
                    }
                    continue;
                }
                Some(Value::PathSym)
            }
            _ => None,
        };
        let mut found = Vec::new();
        if !eval::run_rule(rule, &ctx, root, &mut found) {
            diags.push(
                over_budget(&rule.info.id, "programme", &p.code.value, p.source, p.code.span)
                    .with_programme(p.code.value.clone()),
            );
        }
        emit(
            cat,
            ri,
            &rule.info.id,
            Some(&rule.info.clause),
            Some(p),
            found,
            p.source,
            diags,
        );
    }
    if ctx.limit_hit.get() {
        diags.push(Diagnostic::warning("policy/limit", p.source, p.code.span, format!("a pathway rule of programme `{}` was not evaluated: too many option combinations touch one dissertation's prerequisites", p.code.value)).with_programme(p.code.value.clone()).with_help(format!("the exact search explores at most {} combinations; see docs/policies.md", eval::REACH_LIMIT)));
    }
    if p.unread("rule") {
        for u in p.unread.iter().filter(|u| u.keyword == "rule") {
            held.push(u.argument.clone().unwrap_or_else(|| "a rule of the programme".into()));
            let why = "its `rule` line does not parse".to_string();
            if !reasons.contains(&why) {
                reasons.push(why);
            }
        }
    }
    if !held.is_empty() {
        diags.push(crate::check::not_evaluated::diagnostic(p, &held, &reasons));
    }
    programme_rules(cat, fw, ws, pi, &ctx, diags);
    let held = (!held.is_empty()).then(|| (p.code.value.to_string(), held));
    ProgrammeRun { diags: out, held }
}

/// Spans of the findings from `first` on end at their last non-blank
/// character (some model spans carry trailing blanks).
fn trim_spans(sources: &Sources, diags: &mut [Diagnostic], first: usize) {
    for d in diags.iter_mut().skip(first) {
        if let Some(src) = sources.get(d.source) {
            let text = src.text.as_bytes();
            while d.span.end() > d.span.start() && text.get(d.span.end() - 1).is_some_and(|c| c.is_ascii_whitespace()) {
                d.span = crate::span::Span::new(d.span.start(), d.span.end() - 1);
            }
        }
    }
}

/// `policy/limit`: a rule spent its evaluation budget on one subject and
/// was stopped (its findings for that subject are dropped, not guessed).
fn over_budget(rule: &str, what: &str, subject: &str, source: usize, span: crate::span::Span) -> Diagnostic {
    Diagnostic::warning(
        "policy/limit",
        source,
        span,
        format!("rule `{rule}` was not evaluated for {what} `{subject}`: it exceeded the evaluation budget"),
    )
    .with_label("evaluation stopped here")
    .with_help(format!(
        "a rule may take {} steps per subject (quantifier, aggregate and `for` elements, `closure` and `reach` steps); nest fewer quantifiers over large collections, see docs/policies.md",
        eval::BUDGET
    ))
}

#[allow(clippy::too_many_arguments)]
fn emit(
    cat: &Catalogue,
    ri: usize,
    id: &str,
    clause: Option<&str>,
    p: Option<&crate::model::Programme>,
    found: Vec<Finding>,
    fallback: usize,
    diags: &mut Vec<Diagnostic>,
) {
    for f in found {
        let loc = f.loc.unwrap_or(types::Loc {
            source: p.map(|p| p.source).unwrap_or(fallback),
            span: p.map(|p| p.code.span).unwrap_or_default(),
        });
        let mut d = Diagnostic::new(id, f.severity, loc.source, loc.span, f.message);
        d.clause = clause.filter(|c| !c.is_empty()).map(str::to_string);
        d.programme = p.map(|p| p.code.value.to_string());
        d.module = f.module;
        d.pathway = f.pathway;
        d.help = f.help;
        d.label = f.label;
        d.labels = f
            .labels
            .into_iter()
            .map(|(l, message)| crate::diag::Label {
                source: l.source,
                span: l.span,
                message,
            })
            .collect();
        d.origin = cat.infos.get(ri).and_then(|i| i.origin.clone());
        diags.push(d);
    }
}

/// PG.A1.8 programme rules: compiled from the spec's own text; errors point
/// into the spec; findings carry the programme's code as their clause.
fn programme_rules(cat: &Catalogue, fw: &str, ws: &Workspace, pi: usize, ctx: &Ctx, diags: &mut Vec<Diagnostic>) {
    let Some(p) = ws.programmes.get(pi) else {
        return;
    };
    let pack = cat
        .set
        .fw_index
        .get(fw)
        .map(|&i| cat.set.frameworks[i].pack)
        .unwrap_or(0);
    for r in &p.rules {
        let (ast, perrs) = syntax::parse_rule_body(
            crate::span::Spanned::new(r.id.value.to_string(), r.id.span),
            &r.body.value,
            r.body.span.start(),
            r.span,
        );
        let mut errs: Vec<Diagnostic> = perrs
            .into_iter()
            .map(|e| {
                let mut d = Diagnostic::error("policy/syntax", p.source, e.span, e.message)
                    .with_programme(p.code.value.clone());
                d.help = e.help;
                d
            })
            .collect();
        let compiled = ast.and_then(|ast| {
            let mut ce = Vec::new();
            let c = compile::compile_rule(&cat.set, pack, fw, &ast, true, &mut ce);
            for e in ce {
                let mut d = Diagnostic::error(e.code, p.source, e.span, e.message).with_programme(p.code.value.clone());
                d.help = e.help;
                errs.push(d);
            }
            c
        });
        if !errs.is_empty() {
            diags.extend(errs);
            continue;
        }
        let Some(rule) = compiled else { continue };
        let mut found = Vec::new();
        let root = match rule.root {
            Root::Pathways if ctx.space.is_none() => continue,
            Root::Pathways => Some(Value::PathSym),
            _ => None,
        };
        if !eval::run_rule(&rule, ctx, root, &mut found) {
            diags.push(
                over_budget(&r.id.value, "programme", &p.code.value, p.source, r.id.span)
                    .with_programme(p.code.value.clone()),
            );
        }
        for f in found {
            let loc = f.loc.unwrap_or(types::Loc {
                source: p.source,
                span: r.id.span,
            });
            let mut d = Diagnostic::new(r.id.value.clone(), f.severity, loc.source, loc.span, f.message)
                .with_programme(p.code.value.clone())
                .with_clause(p.code.value.clone());
            d.module = f.module;
            d.help = f.help;
            d.label = f.label;
            d.pathway = f.pathway;
            d.labels = f
                .labels
                .into_iter()
                .map(|(l, message)| crate::diag::Label {
                    source: l.source,
                    span: l.span,
                    message,
                })
                .collect();
            d.origin = Some(RuleOrigin {
                source: p.source,
                span: r.span,
            });
            diags.push(d);
        }
    }
}

/// "its `langauge` line does not parse", for the first unread property
/// spelt `keyword`.
fn unread_reason(p: &crate::model::Programme, keyword: &str) -> String {
    let written = p
        .unread
        .iter()
        .find(|u| u.keyword == keyword)
        .map(|u| u.written.value.as_str())
        .unwrap_or(keyword);
    format!("its `{written}` line does not parse")
}

/// The programme fields a property of the language sets.
fn fields_of(keyword: &str) -> Vec<types::Field> {
    programme_fields(keyword).unwrap_or_default()
}

/// The programme fields a programme property sets; `None` for a word that
/// is no programme property. Every keyword of `vocab::PROGRAMME` has an arm
/// (a test checks it), so a property added to the language and forgotten
/// here fails a test rather than leaving its rules unread.
fn programme_fields(keyword: &str) -> Option<Vec<types::Field>> {
    use types::Field::*;
    Some(match keyword {
        "award" => vec![PAward],
        "framework" => vec![PFramework],
        "credits" => vec![PCredits],
        "mode" => vec![PModes],
        "language" => vec![PLanguage],
        "delivery" => vec![PDelivery],
        "starts" => vec![PStarts],
        "validated" => vec![PValidated],
        "previous-validation" => vec![PPreviousValidation],
        "erasmus-mundus" => vec![PErasmusMundus],
        "accreditation" => vec![PAccreditations],
        "exit-award" => vec![PExitAwards],
        "rpl" => vec![PRplCertificated, PRplExperiential],
        "partner" => vec![PPartners],
        "attendance" => vec![PFirstContact, PSecondContact, PInterview, PAgreementsPerYear],
        "engagement" => vec![PSharedWith, PRetention],
        "structure" => vec![PStructure, PModules, PYears, PStages],
        // read by the variance checks and the rule compiler, not a field of the programme
        "variance" | "rule" => Vec::new(),
        _ => return None,
    })
}

/// Every programme field a rule reads (the `award(...)` builtin reads the
/// programme's award).
fn rule_fields(rule: &compile::CompiledRule) -> Vec<types::Field> {
    fn walk(ir: &compile::Ir, out: &mut Vec<types::Field>) {
        use compile::Ir;
        match ir {
            Ir::Const(_) | Ir::Var(_) => {}
            Ir::Field(x, f) => {
                out.push(*f);
                walk(x, out);
            }
            Ir::List(items) => {
                for (a, b) in items {
                    walk(a, out);
                    if let Some(b) = b {
                        walk(b, out);
                    }
                }
            }
            Ir::Not(x) | Ir::Neg(x) => walk(x, out),
            Ir::Bin(_, a, b) => {
                walk(a, out);
                walk(b, out);
            }
            Ir::If(a, b, c) => {
                walk(a, out);
                walk(b, out);
                walk(c, out);
            }
            Ir::Quant { coll, filter, body, .. } => {
                walk(coll, out);
                if let Some(f) = filter {
                    walk(f, out);
                }
                walk(body, out);
            }
            Ir::Agg { coll, filter, body, .. } => {
                walk(coll, out);
                if let Some(f) = filter {
                    walk(f, out);
                }
                if let Some(b) = body {
                    walk(b, out);
                }
            }
            Ir::Call(b, args) => {
                if *b == compile::Builtin::Award {
                    out.push(types::Field::PAward);
                }
                for a in args {
                    walk(a, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (_, ir) in &rule.bindings {
        walk(ir, &mut out);
    }
    for step in &rule.steps {
        match step {
            compile::Step::Let(_, ir) | compile::Step::When(ir) => walk(ir, &mut out),
        }
    }
    for r in &rule.requires {
        walk(&r.expr, &mut out);
        if let Some(at) = &r.at {
            walk(at, &mut out);
        }
    }
    if let Some(at) = &rule.at {
        walk(at, &mut out);
    }
    for (_, ir) in &rule.severities {
        walk(ir, &mut out);
    }
    match rule.root {
        Root::ProgrammeModules | Root::Pathways => out.push(types::Field::PStructure),
        Root::Variances => out.push(types::Field::PVariances),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every programme property of the vocabulary has its arm in
    /// [`programme_fields`]: a word added to `vocab::PROGRAMME` and
    /// forgotten there fails here.
    #[test]
    fn every_programme_property_maps_to_its_fields() {
        for k in crate::syntax::vocab::PROGRAMME {
            assert!(programme_fields(k).is_some(), "`{k}` has no arm in programme_fields");
        }
        assert_eq!(programme_fields("langauge"), None);
        assert!(fields_of("langauge").is_empty());
        assert_eq!(fields_of("erasmus-mundus"), vec![types::Field::PErasmusMundus]);
    }
}
