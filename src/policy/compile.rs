//! The policy compiler: syntax trees -> a [`PolicySet`] of frameworks,
//! awards and rules lowered to [`Ir`] (names resolved to variable slots,
//! fields to [`Field`]s, constants folded in). Every problem is a compile
//! diagnostic with a span in its policy file; nothing here panics.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::syntax::{self, AggKind, BinOp, Expr, ExprKind, Item, Pack, RuleAst, RuleProp, Sp};
use super::types::*;
use super::{RuleInfo, RuleScope};
use crate::diag::Severity;
use crate::span::Span;

/// The variance criteria a rule may admit: the language's.
pub use crate::syntax::vocab::CRITERIA;

/// A policy file as given to the compiler.
#[derive(Debug, Clone)]
pub struct PackFile {
    /// `policies/NAME.policy` for embedded packs, the path otherwise.
    pub name: String,
    pub path: Option<std::path::PathBuf>,
    pub text: Arc<str>,
    pub embedded: bool,
}

/// A compile diagnostic, located in pack `pack`.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub pack: usize,
    pub code: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Award {
    pub code: String,
    pub title: String,
    pub family: Option<String>,
    pub credits: Vec<(i64, i64)>,
    pub levels: Vec<(i64, Option<i64>)>,
    pub exits: Vec<String>,
    pub rpl: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub title: String,
    pub source_document: Option<String>,
    pub includes: Vec<String>,
    pub criterion_rule: Option<String>,
    pub awards: Vec<Award>,
    /// The file that declares it.
    pub pack: usize,
}

pub use super::ir::*;

const BUILTINS: &[(&str, Builtin)] = &[
    ("present", Builtin::Present),
    ("abs", Builtin::Abs),
    ("lower", Builtin::Lower),
    ("len", Builtin::Len),
    ("count", Builtin::Len),
    ("award", Builtin::Award),
    ("admits", Builtin::Admits),
    ("is_rule", Builtin::IsRule),
    ("closure", Builtin::Closure),
    ("reach", Builtin::Reach),
    ("starts_with", Builtin::StartsWith),
];

/// Compiled packs: frameworks, rules and the compile diagnostics.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub packs: Vec<PackFile>,
    pub frameworks: Vec<Framework>,
    pub rules: Vec<CompiledRule>,
    pub errors: Vec<CompileError>,
    pub fw_index: HashMap<String, usize>,
    /// Constants of each pack, by name.
    pub consts: Vec<HashMap<String, (Value, Ty)>>,
    /// The framework each pack belongs to (declares or extends).
    pub pack_framework: Vec<Option<String>>,
}

/// Levenshtein distance, for did-you-mean suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = if ca == *cb { 0 } else { 1 };
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The nearest candidate, if near enough.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(&word.to_lowercase(), &c.to_lowercase());
        if d <= (word.len().max(3) / 3).max(2) && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn suggest(word: &str, candidates: Vec<&str>) -> Option<String> {
    did_you_mean(word, candidates).map(|s| format!("did you mean `{s}`?"))
}

impl PolicySet {
    /// The framework ids whose rules are active under `framework`: itself and
    /// its includes, transitively, in a fixed order.
    pub fn closure(&self, framework: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut stack = vec![framework.to_string()];
        while let Some(f) = stack.pop() {
            if out.contains(&f) {
                continue;
            }
            if let Some(&i) = self.fw_index.get(&f) {
                for inc in self.frameworks[i].includes.iter().rev() {
                    stack.push(inc.clone());
                }
                out.push(f);
            }
        }
        out
    }

    /// Indices of the rules active under `framework`.
    pub fn active_rules(&self, framework: &str) -> Vec<usize> {
        let c = self.closure(framework);
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| c.contains(&r.info.framework))
            .map(|(i, _)| i)
            .collect()
    }

    /// Awards of a framework and its includes (first definition wins).
    pub fn awards(&self, framework: &str) -> Vec<Award> {
        let mut out: Vec<Award> = Vec::new();
        for f in self.closure(framework) {
            if let Some(&i) = self.fw_index.get(&f) {
                for a in &self.frameworks[i].awards {
                    if !out.iter().any(|x| x.code == a.code) {
                        out.push(a.clone());
                    }
                }
            }
        }
        out
    }

    pub fn criterion_rule(&self, framework: &str) -> Option<String> {
        self.closure(framework)
            .iter()
            .filter_map(|f| self.fw_index.get(f))
            .find_map(|&i| self.frameworks[i].criterion_rule.clone())
    }

    /// Looks a constant up from pack `pack`: its own, then those of its
    /// framework's closure.
    fn lookup_const(&self, pack: usize, name: &str) -> Option<(Value, Ty)> {
        if let Some(v) = self.consts.get(pack).and_then(|c| c.get(name)) {
            return Some(v.clone());
        }
        let fw = self.pack_framework.get(pack).cloned().flatten()?;
        for f in self.closure(&fw) {
            for (p, pf) in self.pack_framework.iter().enumerate() {
                if pf.as_deref() == Some(f.as_str()) {
                    if let Some(v) = self.consts.get(p).and_then(|c| c.get(name)) {
                        return Some(v.clone());
                    }
                }
            }
        }
        None
    }

    fn const_names(&self, pack: usize) -> Vec<String> {
        let mut out = Vec::new();
        let fw = self.pack_framework.get(pack).cloned().flatten();
        for (p, pf) in self.pack_framework.iter().enumerate() {
            if p == pack
                || (fw.is_some()
                    && pf
                        .as_ref()
                        .is_some_and(|f| fw.as_ref().is_some_and(|w| self.closure(w).contains(f))))
            {
                if let Some(c) = self.consts.get(p) {
                    out.extend(c.keys().cloned());
                }
            }
        }
        out.sort();
        out
    }

    fn err(&mut self, pack: usize, code: &'static str, span: Span, message: impl Into<String>, help: Option<String>) {
        self.errors.push(CompileError {
            pack,
            code,
            span,
            message: message.into(),
            help,
        });
    }
}

/// Compiles a set of policy files together (includes resolve across them).
/// Compiles policy files, in named phases: each reads what the earlier ones
/// built into the set and adds its own compile diagnostics.
pub fn compile(packs: Vec<PackFile>) -> PolicySet {
    let parsed: Vec<Pack> = packs.iter().map(|p| syntax::parse_pack(&p.text)).collect();
    let mut set = PolicySet {
        packs,
        ..PolicySet::default()
    };
    syntax_errors(&mut set, &parsed);
    let links = headers(&mut set, &parsed);
    resolve_links(&mut set, &links);
    awards(&mut set, &parsed);
    constants(&mut set, &parsed);
    rules(&mut set, &parsed);
    criterion_rules(&mut set, &parsed);
    set
}

/// The `include` and `extend` lines found by [`headers`], by pack.
struct Links {
    extends: Vec<(usize, Sp<String>)>,
    includes: Vec<(usize, Vec<Sp<String>>)>,
}

/// Phase 0: the parse errors of every file, as `policy/syntax`.
fn syntax_errors(set: &mut PolicySet, parsed: &[Pack]) {
    for (pi, pk) in parsed.iter().enumerate() {
        for e in &pk.errors {
            set.err(pi, "policy/syntax", e.span, e.message.clone(), e.help.clone());
        }
    }
}

/// Phase 1: each file's header (`framework` or `extend`), source document,
/// criterion rule and includes; the frameworks are declared here.
fn headers(set: &mut PolicySet, parsed: &[Pack]) -> Links {
    let mut extends: Vec<(usize, Sp<String>)> = Vec::new();
    let mut includes: Vec<(usize, Vec<Sp<String>>)> = Vec::new();
    set.pack_framework = vec![None; parsed.len()];
    set.consts = vec![HashMap::new(); parsed.len()];
    for (pi, pk) in parsed.iter().enumerate() {
        let mut fw: Option<Framework> = None;
        let mut source_doc = None;
        let mut crit = None;
        let mut incs = Vec::new();
        let mut header_seen = false;
        for item in &pk.items {
            match item {
                Item::Framework { id, title } if !header_seen => {
                    header_seen = true;
                    if set.fw_index.contains_key(&id.value) || set.frameworks.iter().any(|f| f.id == id.value) {
                        set.err(
                            pi,
                            "policy/duplicate",
                            id.span,
                            format!("framework `{}` is defined twice", id.value),
                            Some("to add rules to an existing framework, start the file with `extend ID`".into()),
                        );
                    } else {
                        fw = Some(Framework {
                            id: id.value.clone(),
                            title: title
                                .as_ref()
                                .map(|t| t.value.clone())
                                .unwrap_or_else(|| id.value.clone()),
                            source_document: None,
                            includes: Vec::new(),
                            criterion_rule: None,
                            awards: Vec::new(),
                            pack: pi,
                        });
                    }
                    set.pack_framework[pi] = Some(id.value.clone());
                }
                Item::Extend(id) if !header_seen => {
                    header_seen = true;
                    set.pack_framework[pi] = Some(id.value.clone());
                    extends.push((pi, id.clone()));
                }
                Item::Framework { id, .. } | Item::Extend(id) => {
                    set.err(
                        pi,
                        "policy/duplicate",
                        id.span,
                        "a policy file declares one framework",
                        Some("put each framework in its own file".into()),
                    );
                }
                Item::Source(s) => source_doc = Some(s.value.clone()),
                Item::Include(list) => incs.extend(list.iter().cloned()),
                Item::CriterionRule(r) => crit = Some(r.value.clone()),
                _ => {}
            }
        }
        if !header_seen {
            set.err(
                pi,
                "policy/syntax",
                Span::empty(0),
                "a policy file must start with `framework ID \"TITLE\"` or `extend ID`",
                Some("see docs/policies.md".into()),
            );
        }
        if let Some(mut f) = fw {
            f.source_document = source_doc;
            f.criterion_rule = crit;
            f.includes = incs.iter().map(|s| s.value.clone()).collect();
            set.fw_index.insert(f.id.clone(), set.frameworks.len());
            set.frameworks.push(f);
        }
        includes.push((pi, incs));
    }
    Links { extends, includes }
}

/// Phase 2: includes and extends must name known frameworks; an extension's
/// includes join its framework's.
fn resolve_links(set: &mut PolicySet, links: &Links) {
    let Links { extends, includes } = links;
    let known: Vec<String> = set.frameworks.iter().map(|f| f.id.clone()).collect();
    for (pi, incs) in includes.iter() {
        for i in incs {
            if !set.fw_index.contains_key(&i.value) {
                let help = suggest(&i.value, known.iter().map(|s| s.as_str()).collect())
                    .or(Some(format!("known packs: {}", known.join(", "))));
                set.err(
                    *pi,
                    "policy/unknown-name",
                    i.span,
                    format!("included pack `{}` is not defined", i.value),
                    help,
                );
            }
        }
    }
    for (pi, id) in extends.iter() {
        if !set.fw_index.contains_key(&id.value) {
            let help = suggest(&id.value, known.iter().map(|s| s.as_str()).collect());
            set.err(
                *pi,
                "policy/unknown-name",
                id.span,
                format!("extended framework `{}` is not defined", id.value),
                help,
            );
            set.pack_framework[*pi] = None;
        } else if let Some(&fi) = set.fw_index.get(&id.value) {
            // An extension's includes are added to the framework.
            if let Some((_, incs)) = includes.iter().find(|(p, _)| p == pi) {
                for i in incs {
                    if !set.frameworks[fi].includes.contains(&i.value) {
                        set.frameworks[fi].includes.push(i.value.clone());
                    }
                }
            }
        }
    }
}

/// Phase 3: the awards of each framework, and their exit awards.
fn awards(set: &mut PolicySet, parsed: &[Pack]) {
    for (pi, pk) in parsed.iter().enumerate() {
        let Some(fw) = set.pack_framework[pi].clone() else {
            continue;
        };
        let Some(&fi) = set.fw_index.get(&fw) else {
            continue;
        };
        for item in &pk.items {
            if let Item::Award(a) = item {
                if set.frameworks[fi].awards.iter().any(|x| x.code == a.code.value) {
                    set.err(
                        pi,
                        "policy/duplicate",
                        a.code.span,
                        format!("award `{}` is defined twice", a.code.value),
                        Some(
                            "award codes are unique in a framework: remove or rename one of the two definitions".into(),
                        ),
                    );
                    continue;
                }
                set.frameworks[fi].awards.push(Award {
                    code: a.code.value.clone(),
                    title: a
                        .title
                        .as_ref()
                        .map(|t| t.value.clone())
                        .unwrap_or_else(|| a.code.value.clone()),
                    family: a.family.as_ref().map(|f| f.value.clone()),
                    credits: a.credits.clone(),
                    levels: a.levels.clone(),
                    exits: a.exits.iter().map(|e| e.value.clone()).collect(),
                    rpl: a.rpl,
                });
            }
        }
    }
    for fi in 0..set.frameworks.len() {
        let codes: Vec<String> = set
            .awards(&set.frameworks[fi].id)
            .iter()
            .map(|a| a.code.clone())
            .collect();
        let pi = set.frameworks[fi].pack;
        for a in set.frameworks[fi].awards.clone() {
            for e in &a.exits {
                if !codes.contains(e) {
                    let span = find_in(&parsed[pi], &a.code);
                    set.err(
                        pi,
                        "policy/unknown-name",
                        span,
                        format!(
                            "exit award `{e}` of award `{}` is not an award of the framework",
                            a.code
                        ),
                        Some("define the exit award as an `award` of this framework, or correct its code".into()),
                    );
                }
            }
        }
    }
}

/// Phase 4: constants, in file order (a constant may use earlier ones).
fn constants(set: &mut PolicySet, parsed: &[Pack]) {
    for (pi, pk) in parsed.iter().enumerate() {
        for item in &pk.items {
            if let Item::Const { name, expr } = item {
                let mut cx = Cx::new(set, pi, false);
                let (ir, ty, _) = cx.expr(expr);
                let errs = std::mem::take(&mut cx.errors);
                let ok = errs.is_empty();
                set.errors.extend(errs);
                if set.consts[pi].contains_key(&name.value) {
                    set.err(
                        pi,
                        "policy/duplicate",
                        name.span,
                        format!("constant `{}` is defined twice", name.value),
                        Some("remove or rename one of the two `const` definitions".into()),
                    );
                    continue;
                }
                let v = if ok { super::eval::eval_const(&ir) } else { Value::None };
                set.consts[pi].insert(name.value.clone(), (v, ty));
            }
        }
    }
}

/// Phase 5: rules, type-checked and lowered to the IR ([`compile_rule`]);
/// rule ids are unique across the packs.
fn rules(set: &mut PolicySet, parsed: &[Pack]) {
    let mut seen: HashMap<String, (usize, Span)> = HashMap::new();
    for (pi, pk) in parsed.iter().enumerate() {
        let Some(fw) = set.pack_framework[pi].clone() else {
            continue;
        };
        for item in &pk.items {
            if let Item::Rule(r) = item {
                if let Some(&(fp, first)) = seen.get(&r.id.value) {
                    let (name, line) = set
                        .packs
                        .get(fp)
                        .map(|p| {
                            (
                                p.name.clone(),
                                p.text
                                    .get(..first.start())
                                    .map(|t| t.matches('\n').count() + 1)
                                    .unwrap_or(0),
                            )
                        })
                        .unwrap_or_default();
                    set.err(
                        pi,
                        "policy/duplicate",
                        r.id.span,
                        format!("rule `{}` is defined twice", r.id.value),
                        Some(format!(
                            "it is first defined at {name}:{line}; rule ids are unique across the packs"
                        )),
                    );
                    continue;
                }
                seen.insert(r.id.value.clone(), (pi, r.id.span));
                let mut errs = Vec::new();
                let rule = compile_rule(set, pi, &fw, r, false, &mut errs);
                set.errors.extend(errs);
                if let Some(rule) = rule {
                    set.rules.push(rule);
                }
            }
        }
    }
}

/// Phase 6: a framework's criterion rule must exist.
fn criterion_rules(set: &mut PolicySet, parsed: &[Pack]) {
    for fi in 0..set.frameworks.len() {
        if let Some(c) = set.frameworks[fi].criterion_rule.clone() {
            if !set.rules.iter().any(|r| r.info.id == c) {
                let pi = set.frameworks[fi].pack;
                let span = find_in(&parsed[pi], &c);
                set.err(
                    pi,
                    "policy/unknown-name",
                    span,
                    format!("criterion rule `{c}` is not defined"),
                    Some("define the rule the criterion names in this framework, or correct its id".into()),
                );
            }
        }
    }
}

fn find_in(pk: &Pack, what: &str) -> Span {
    for item in &pk.items {
        match item {
            Item::Award(a) if a.code.value == what => return a.code.span,
            Item::CriterionRule(r) if r.value == what => return r.span,
            _ => {}
        }
    }
    Span::empty(0)
}

/// Compiles one rule. `programme_rule`: a PG.A1.8 rule written in a spec
/// (scope: its own programme; spans in `errs` point into that spec).
pub fn compile_rule(
    set: &PolicySet,
    pack: usize,
    framework: &str,
    r: &RuleAst,
    programme_rule: bool,
    errs: &mut Vec<CompileError>,
) -> Option<CompiledRule> {
    let mut cx = Cx::new(set, pack, true);
    let mut clause = None;
    let mut clause_text = String::new();
    let mut severity = None;
    let mut severities = Vec::new();
    let mut admits: Option<Vec<String>> = None;
    let mut root = Root::Programme;
    let mut root_slot = None;
    let mut bindings = Vec::new();
    let mut steps = Vec::new();
    let mut requires: Vec<Require> = Vec::new();
    let mut at = None;
    let mut message = None;
    let mut help = None;
    let mut label = None;
    let mut summary = None;
    let mut example_fail = None;
    let mut example_pass = None;
    let mut first_for = true;
    let mut message_src = String::new();
    let mut deferred_sev: Vec<(Severity, &Expr)> = Vec::new();
    for prop in &r.props {
        match prop {
            RuleProp::Clause { clause: c, text } => {
                clause = Some(c.value.clone());
                clause_text = text.as_ref().map(|t| t.value.clone()).unwrap_or_default();
            }
            RuleProp::Severity { level, when } => {
                let sev = match level.value.as_str() {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    other => {
                        cx.err(
                            "policy/unknown-name",
                            level.span,
                            format!("unknown severity `{other}`"),
                            suggest(other, vec!["error", "warning", "info"]),
                        );
                        Severity::Error
                    }
                };
                match when {
                    Some(w) => deferred_sev.push((sev, w)),
                    None => severity = Some(sev),
                }
            }
            RuleProp::Admits(list, _) => {
                let mut v = Vec::new();
                for c in list {
                    if !CRITERIA.contains(&c.value.as_str()) {
                        cx.err(
                            "policy/unknown-name",
                            c.span,
                            format!("unknown variance criterion `{}`", c.value),
                            suggest(&c.value, CRITERIA.to_vec()).or(Some(format!(
                                "criteria are {}",
                                crate::syntax::vocab::listed(CRITERIA, "and")
                            ))),
                        );
                    } else {
                        v.push(c.value.clone());
                    }
                }
                admits = Some(v);
            }
            RuleProp::For(list) => {
                for (var, coll) in list {
                    if first_for {
                        first_for = false;
                        if let ExprKind::Name(n) = &coll.kind {
                            if programme_rule && n == "modules" {
                                cx.err(
                                    "policy/unknown-name",
                                    coll.span,
                                    "a programme rule ranges over its own modules: `for m in programme.modules`",
                                    Some("`modules` (every module of the framework) is for framework packs".into()),
                                );
                                continue;
                            }
                            if n == "modules" || n == "pathways" {
                                let (r0, ty, dep) = if n == "modules" {
                                    (Root::Modules, Ty::Module, false)
                                } else {
                                    (Root::Pathways, Ty::Pathway, true)
                                };
                                root = r0;
                                if r0 == Root::Modules {
                                    cx.has_programme = false;
                                }
                                let slot = cx.bind(&var.value, ty, dep);
                                if dep {
                                    cx.path_slot = Some(slot);
                                }
                                root_slot = Some(slot);
                                continue;
                            }
                        }
                        if let ExprKind::Field(obj, f) = &coll.kind {
                            if matches!(&obj.kind, ExprKind::Name(n) if n == "programme") {
                                if f.value == "modules" {
                                    root = Root::ProgrammeModules;
                                } else if f.value == "variances" {
                                    root = Root::Variances;
                                }
                            }
                        }
                    }
                    first_for = false;
                    let (ir, ty, dep) = cx.expr(coll);
                    if dep {
                        cx.err("policy/type", coll.span, "a `for` binding cannot range over a pathway's modules", Some("bind the pathway with `for p in pathways` and use `all m in p: ...` or `sum(m in p ...)`".into()));
                    }
                    let elem = match &ty {
                        Ty::List(t) => (**t).clone(),
                        Ty::Any => Ty::Any,
                        other => {
                            cx.err(
                                "policy/type",
                                coll.span,
                                format!("`for` needs a list, found {}", other.name()),
                                Some("iterate over a list: a collection such as `programme.modules`, or a literal such as `[1, 2, 3]`".into()),
                            );
                            Ty::Any
                        }
                    };
                    let slot = cx.bind(&var.value, elem, false);
                    bindings.push((slot, ir));
                }
            }
            RuleProp::Let(var, e) => {
                let (ir, ty, dep) = cx.expr(e);
                let slot = cx.bind(&var.value, ty, dep);
                steps.push(Step::Let(slot, ir));
            }
            RuleProp::When(e) => {
                let ir = cx.bool_expr(e, "`when`");
                steps.push(Step::When(ir));
            }
            RuleProp::Require(e) => {
                let (ir, ty, _) = cx.expr(e);
                if !ty.fits(&Ty::Bool) {
                    cx.err(
                        "policy/type",
                        e.span,
                        format!("`require` needs a condition (bool), found {}", ty.name()),
                        Some("write a test that is true or false, e.g. `require m.credits <= 30`".into()),
                    );
                }
                requires.push(Require {
                    expr: ir,
                    at: None,
                    message: None,
                    label: None,
                    help: None,
                });
            }
            RuleProp::At(e) => {
                let ir = cx.at_expr(e);
                match requires.last_mut() {
                    Some(rq) => rq.at = Some(ir),
                    None => at = Some(ir),
                }
            }
            RuleProp::Message(t) => {
                let tx = cx.text(t);
                match requires.last_mut() {
                    Some(rq) => rq.message = Some(tx),
                    None => {
                        message_src = t.value.clone();
                        message = Some(tx)
                    }
                }
            }
            RuleProp::Label(t) => {
                let tx = cx.text(t);
                match requires.last_mut() {
                    Some(rq) => rq.label = Some(tx),
                    None => label = Some(tx),
                }
            }
            RuleProp::Help(t) => {
                let tx = cx.text(t);
                match requires.last_mut() {
                    Some(rq) => rq.help = Some(tx),
                    None => help = Some(tx),
                }
            }
            RuleProp::Summary(t) => summary = Some(t.value.clone()),
            RuleProp::Example { fail, text } => {
                if *fail {
                    example_fail = Some(text.value.clone());
                } else {
                    example_pass = Some(text.value.clone());
                }
            }
        }
    }
    for (sev, w) in deferred_sev {
        let ir = cx.bool_expr(w, "a severity condition");
        severities.push((sev, ir));
    }
    if requires.is_empty() {
        cx.err(
            "policy/missing",
            r.id.span,
            format!("rule `{}` has no `require`", r.id.value),
            Some("add `require CONDITION`: the rule fires where it is false".into()),
        );
    }
    if message.is_none() && (requires.is_empty() || requires.iter().any(|q| q.message.is_none())) {
        cx.err(
            "policy/missing",
            r.id.span,
            format!("rule `{}` has no `message`", r.id.value),
            Some("add `message \"...\"` saying what is wrong".into()),
        );
    }
    if !programme_rule {
        if clause.is_none() {
            cx.err(
                "policy/missing",
                r.id.span,
                format!("rule `{}` has no `clause`", r.id.value),
                Some("add `clause ID \"TEXT\"` quoting the regulation".into()),
            );
        }
        let prefix = r.id.value.split('/').next().unwrap_or("");
        if r.id.value.starts_with("spec/") {
            cx.err(
                "policy/type",
                r.id.span,
                "`spec/` rule ids are reserved for the language's own checks",
                Some("give the rule an id of your own framework, e.g. `LOCAL.1/my-rule`".into()),
            );
        }
        let _ = prefix;
    }
    errs.append(&mut cx.errors);
    let scope = match root {
        Root::Programme => RuleScope::Programme,
        Root::ProgrammeModules => RuleScope::ProgrammeModule,
        Root::Variances => RuleScope::Variance,
        Root::Modules => RuleScope::ModuleItself,
        Root::Pathways => RuleScope::Pathway,
    };
    let info = RuleInfo {
        id: r.id.value.clone(),
        clause: clause
            .clone()
            .unwrap_or_else(|| r.id.value.split('/').next().unwrap_or("").to_string()),
        clause_text,
        severity: severity.unwrap_or(Severity::Error),
        admits: admits.unwrap_or_default(),
        scope,
        framework: framework.to_string(),
        summary: summary.unwrap_or(message_src),
        origin: None,
        example_fail,
        example_pass,
    };
    Some(CompiledRule {
        info,
        pack,
        span: r.span,
        root,
        root_slot,
        bindings,
        steps,
        requires,
        at,
        message: message.unwrap_or_default(),
        label,
        help,
        severities,
        nslots: cx.nslots,
    })
}

struct Var {
    name: String,
    slot: usize,
    ty: Ty,
    dep: bool,
}

/// The compile context of one rule (or constant).
struct Cx<'a> {
    set: &'a PolicySet,
    pack: usize,
    vars: Vec<Var>,
    nslots: usize,
    has_programme: bool,
    path_slot: Option<usize>,
    /// Inside `all d in p: ...`: (d's slot), and whether `reach` was used.
    reach_var: Option<usize>,
    reach_used: bool,
    /// Compiling an `at` or a message interpolation, which see the failing
    /// pathway as a concrete list (`first` and `codes` may range over it).
    concrete: bool,
    errors: Vec<CompileError>,
}

impl<'a> Cx<'a> {
    fn new(set: &'a PolicySet, pack: usize, in_rule: bool) -> Cx<'a> {
        let mut cx = Cx {
            set,
            pack,
            vars: Vec::new(),
            nslots: 0,
            has_programme: in_rule,
            path_slot: None,
            reach_var: None,
            reach_used: false,
            concrete: false,
            errors: Vec::new(),
        };
        if in_rule {
            // slot 0 is always the programme
            cx.bind("programme", Ty::Programme, false);
        }
        cx
    }

    fn err(&mut self, code: &'static str, span: Span, message: impl Into<String>, help: Option<String>) {
        self.errors.push(CompileError {
            pack: self.pack,
            code,
            span,
            message: message.into(),
            help,
        });
    }

    fn bind(&mut self, name: &str, ty: Ty, dep: bool) -> usize {
        let slot = self.nslots;
        self.nslots += 1;
        self.vars.push(Var {
            name: name.to_string(),
            slot,
            ty,
            dep,
        });
        slot
    }

    fn bool_expr(&mut self, e: &Expr, what: &str) -> Ir {
        let (ir, ty, dep) = self.expr(e);
        if !ty.fits(&Ty::Bool) {
            self.err(
                "policy/type",
                e.span,
                format!("{what} needs a condition (bool), found {}", ty.name()),
                Some("write a test that is true or false, e.g. `m.credits > 0`".into()),
            );
        }
        if dep {
            self.err(
                "policy/type",
                e.span,
                format!("{what} cannot depend on the pathway"),
                Some("move the pathway condition into `require`".into()),
            );
        }
        ir
    }

    fn at_expr(&mut self, e: &Expr) -> Ir {
        let first = |k: &ExprKind| {
            matches!(
                k,
                ExprKind::Agg {
                    kind: AggKind::First,
                    ..
                }
            )
        };
        let ok = match &e.kind {
            ExprKind::Name(_) => true,
            k if first(k) => true,
            ExprKind::Field(o, _) => matches!(o.kind, ExprKind::Name(_) | ExprKind::Field(..)) || first(&o.kind),
            _ => false,
        };
        if !ok {
            self.err(
                "policy/type",
                e.span,
                "`at` takes a variable or a property (`at m.credits`)",
                Some("point `at` at a variable (`at m`), one of its properties (`at m.credits`), or the first element that passes a test (`at first(m in p where m.dissertation).core`)".into()),
            );
        }
        let (ir, _, _) = self.expr_concrete(e);
        ir
    }

    fn text(&mut self, t: &Sp<String>) -> Text {
        let s = &t.value;
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut rest = s.as_str();
        let base = t.span.start() + 1;
        let mut off = 0usize;
        while let Some(i) = rest.find('{') {
            lit.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            match after.find('}') {
                Some(j) => {
                    let inner = &after[..j];
                    if !lit.is_empty() {
                        segs.push(Seg::Lit(std::mem::take(&mut lit)));
                    }
                    match syntax::parse_expr(inner, base + off + i + 1) {
                        Ok(e) => {
                            let (ir, _, _) = self.expr_concrete(&e);
                            segs.push(Seg::Expr(ir));
                        }
                        Err(pe) => self.err(
                            "policy/syntax",
                            t.span,
                            format!("in `{{{inner}}}`: {}", pe.message),
                            Some("interpolations are expressions: `{m.code}`".into()),
                        ),
                    }
                    off += i + 1 + j + 1;
                    rest = &after[j + 1..];
                }
                None => {
                    self.err(
                        "policy/syntax",
                        t.span,
                        "unclosed `{` in text",
                        Some("interpolations are written `{expression}`".into()),
                    );
                    rest = "";
                }
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit));
        }
        Text { segs }
    }

    /// An expression evaluated on a concrete pathway (messages): pathway
    /// restrictions do not apply.
    fn expr_concrete(&mut self, e: &Expr) -> (Ir, Ty, bool) {
        let saved: Vec<bool> = self.vars.iter().map(|v| v.dep).collect();
        for v in &mut self.vars {
            v.dep = false;
        }
        let ps = self.path_slot.take();
        let was = std::mem::replace(&mut self.concrete, true);
        let r = self.expr(e);
        self.concrete = was;
        self.path_slot = ps;
        for (v, d) in self.vars.iter_mut().zip(saved) {
            v.dep = d;
        }
        r
    }

    fn lookup(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    fn expr(&mut self, e: &Expr) -> (Ir, Ty, bool) {
        let any = (Ir::Const(Value::None), Ty::Any, false);
        match &e.kind {
            ExprKind::Error => any,
            ExprKind::Int(v) => (Ir::Const(Value::Int(*v)), Ty::Int, false),
            ExprKind::Str(s) => (Ir::Const(Value::str(s)), Ty::Str, false),
            ExprKind::Bool(b) => (Ir::Const(Value::Bool(*b)), Ty::Bool, false),
            ExprKind::Date(d) => (Ir::Const(Value::Date(*d)), Ty::Date, false),
            ExprKind::Dur(n, u) => {
                let d = match u {
                    crate::model::Unit::Day => Dur::Days(*n),
                    crate::model::Unit::Week => Dur::Days(n * 7),
                    crate::model::Unit::Month => Dur::Months(*n),
                    crate::model::Unit::Year => Dur::Months(n * 12),
                };
                (Ir::Const(Value::Dur(d)), Ty::Dur, false)
            }
            ExprKind::List(elems) => {
                let mut out = Vec::new();
                let mut ety = Ty::Any;
                for (a, b) in elems {
                    let (ia, ta, _) = self.expr(a);
                    let ib = b.as_ref().map(|b| {
                        let (ib, tb, _) = self.expr(b);
                        if !ta.fits(&Ty::Int) || !tb.fits(&Ty::Int) {
                            self.err(
                                "policy/type",
                                a.span.cover(b.span),
                                "ranges `a..b` are of integers",
                                Some("write both ends as integers, e.g. `[1..3]`".into()),
                            );
                        }
                        ib
                    });
                    if ety == Ty::Any {
                        ety = ta.clone();
                    } else if !ta.fits(&ety) {
                        self.err(
                            "policy/type",
                            a.span,
                            format!(
                                "list elements must have one type: found {} after {}",
                                ta.name(),
                                ety.name()
                            ),
                            Some("give every element the same type, or use two lists".into()),
                        );
                    }
                    out.push((ia, ib));
                }
                (Ir::List(out), Ty::List(Box::new(ety)), false)
            }
            ExprKind::Name(n) => {
                if let Some(v) = self.lookup(n) {
                    if n == "programme" && !self.has_programme {
                        self.err(
                            "policy/unknown-name",
                            e.span,
                            "`programme` is not available in a rule over `modules`",
                            Some("rules `for m in modules` run once per module, whatever programme lists it".into()),
                        );
                        return any;
                    }
                    return (Ir::Var(v.slot), v.ty.clone(), v.dep);
                }
                if let Some((val, ty)) = self.set.lookup_const(self.pack, n) {
                    return (Ir::Const(val), ty, false);
                }
                let mut cands: Vec<String> = self.vars.iter().map(|v| v.name.clone()).collect();
                cands.extend(self.set.const_names(self.pack));
                let help = suggest(n, cands.iter().map(|s| s.as_str()).collect());
                let msg = if n == "modules" || n == "pathways" {
                    format!("`{n}` can only be the first `for` binding of a policy rule")
                } else {
                    format!("unknown name `{n}`")
                };
                self.err("policy/unknown-name", e.span, msg, help);
                any
            }
            ExprKind::Field(obj, f) => {
                let (io, to, dep) = self.expr(obj);
                if to == Ty::Any {
                    return any;
                }
                let table = fields(&to);
                match table.iter().find(|(n, _, _)| *n == f.value) {
                    Some((_, field, ty)) => (Ir::Field(Box::new(io), *field), ty.clone(), dep),
                    None => {
                        let help = suggest(&f.value, table.iter().map(|(n, _, _)| *n).collect()).or_else(|| {
                            if table.is_empty() {
                                None
                            } else {
                                Some(format!(
                                    "fields of {}: {}",
                                    to.name(),
                                    table.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
                                ))
                            }
                        });
                        self.err(
                            "policy/unknown-name",
                            f.span,
                            format!("{} has no field `{}`", to.name(), f.value),
                            help,
                        );
                        any
                    }
                }
            }
            ExprKind::Not(x) => {
                let (ix, tx, dep) = self.expr(x);
                self.want(&tx, &Ty::Bool, x.span, "`not`");
                if dep {
                    self.err("policy/type", e.span, "`not` of a pathway condition is not supported", Some("pathway requirements are conjunctions of comparisons of sums: rewrite with the opposite comparison".into()));
                }
                (Ir::Not(Box::new(ix)), Ty::Bool, false)
            }
            ExprKind::Neg(x) => {
                let (ix, tx, dep) = self.expr(x);
                self.want(&tx, &Ty::Int, x.span, "`-`");
                (Ir::Neg(Box::new(ix)), Ty::Int, dep)
            }
            ExprKind::If(c, t, f) => {
                let (ic, tc, dc) = self.expr(c);
                self.want(&tc, &Ty::Bool, c.span, "`if`");
                if dc {
                    self.err(
                        "policy/type",
                        c.span,
                        "an `if` condition cannot depend on the pathway",
                        Some("compute the pathway-dependent value first (`sum` or `count` over the pathway) and test the result; see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                    );
                }
                let (it, tt, dt) = self.expr(t);
                let (ie, te, de) = self.expr(f);
                if !tt.fits(&te) {
                    self.err(
                        "policy/type",
                        e.span,
                        format!("`then` gives {} but `else` gives {}", tt.name(), te.name()),
                        Some("make both branches give the same type".into()),
                    );
                }
                let ty = if tt == Ty::Any { te } else { tt };
                (Ir::If(Box::new(ic), Box::new(it), Box::new(ie)), ty, dt || de)
            }
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span),
            ExprKind::Quant {
                all,
                var,
                coll,
                filter,
                body,
            } => {
                let (ic, tc, dc) = self.expr(coll);
                let elem = self.elem_ty(&tc, coll.span);
                let over_path = tc == Ty::Pathway;
                if dc && !over_path {
                    self.err(
                        "policy/type",
                        coll.span,
                        "cannot quantify over this pathway-dependent list",
                        Some("see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                    );
                }
                if over_path && !*all {
                    self.err(
                        "policy/type",
                        e.span,
                        "`any` over a pathway is not supported (requirements must hold on every pathway)",
                        Some("use `all m in p: ...` or compare `count(m in p where ...)` with a number".into()),
                    );
                }
                let n = self.vars.len();
                let slot = self.bind(&var.value, elem, false);
                let saved_reach = (self.reach_var, self.reach_used);
                if over_path {
                    self.reach_var = Some(slot);
                    self.reach_used = false;
                }
                let ifl = filter.as_ref().map(|f| {
                    let (i, t, d) = self.expr(f);
                    self.want(&t, &Ty::Bool, f.span, "`where`");
                    if d {
                        self.err(
                            "policy/type",
                            f.span,
                            "a `where` filter cannot depend on the pathway",
                            Some("a filter may test the module (e.g. `where m.level == 7`), not the pathway; see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                        );
                    }
                    Box::new(i)
                });
                let (ib, tb, db) = self.expr(body);
                self.want(&tb, &Ty::Bool, body.span, "a quantifier body");
                let reach = over_path && self.reach_used;
                if reach && db {
                    self.err(
                        "policy/type",
                        body.span,
                        "`reach(d, p)` cannot be combined with other pathway sums in one body",
                        Some("test `reach(d, p)` in a `require` of its own".into()),
                    );
                }
                if !*all && db {
                    self.err(
                        "policy/type",
                        body.span,
                        "`any` with a pathway-dependent body is not supported",
                        Some("write it as `count(m in p where F) > 0`; see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                    );
                }
                (self.reach_var, self.reach_used) = saved_reach;
                self.vars.truncate(n);
                (
                    Ir::Quant {
                        all: *all,
                        slot,
                        coll: Box::new(ic),
                        filter: ifl,
                        body: Box::new(ib),
                        reach,
                    },
                    Ty::Bool,
                    dc || db || reach,
                )
            }
            ExprKind::Agg {
                kind,
                var,
                coll,
                filter,
                body,
            } => {
                let (ic, tc, dc) = self.expr(coll);
                let elem = self.elem_ty(&tc, coll.span);
                let over_path = tc == Ty::Pathway;
                if over_path && matches!(kind, AggKind::Min | AggKind::Max) {
                    self.err(
                        "policy/type",
                        e.span,
                        "`min`/`max` over a pathway are not supported",
                        Some("compare `sum(...)` or `count(...)` with a bound, or use `all m in p: ...`".into()),
                    );
                }
                let listing = matches!(kind, AggKind::First | AggKind::Codes);
                if over_path && listing && !self.concrete {
                    self.err(
                        "policy/type",
                        e.span,
                        format!("`{}` over a pathway can be used only in `at`, `message`, `label` and `help`", agg_name(*kind)),
                        Some("these see the failing pathway; in `require` and `when` use `count(...)`, `sum(...)` or `all m in p: ...`".into()),
                    );
                }
                let n = self.vars.len();
                let slot = self.bind(&var.value, elem.clone(), false);
                let ifl = filter.as_ref().map(|f| {
                    let (i, t, d) = self.expr(f);
                    self.want(&t, &Ty::Bool, f.span, "`where`");
                    if d {
                        self.err(
                            "policy/type",
                            f.span,
                            "a `where` filter cannot depend on the pathway",
                            Some("a filter may test the module (e.g. `where m.level == 7`), not the pathway; see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                        );
                    }
                    Box::new(i)
                });
                let ib = match body {
                    Some(b) => {
                        let (i, t, d) = self.expr(b);
                        if matches!(kind, AggKind::Count | AggKind::First | AggKind::Codes) {
                            let k = agg_name(*kind);
                            self.err(
                                "policy/type",
                                b.span,
                                format!("`{k}` takes no `: value`"),
                                Some(format!("write `{k}(x in C where CONDITION)`")),
                            );
                        } else {
                            self.want(&t, &Ty::Int, b.span, "an aggregate value");
                        }
                        if d {
                            self.err(
                                "policy/type",
                                b.span,
                                "an aggregate value cannot depend on the pathway",
                                Some("aggregate a value of the module only (e.g. `m.credits`); see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                            );
                        }
                        Some(Box::new(i))
                    }
                    None => {
                        if !matches!(kind, AggKind::Count | AggKind::First | AggKind::Codes) && !elem.fits(&Ty::Int) {
                            self.err(
                                "policy/type",
                                e.span,
                                format!("`{}` over {} needs `: value`", agg_name(*kind), elem.name()),
                                Some("e.g. `sum(m in p: m.credits)`".into()),
                            );
                        }
                        None
                    }
                };
                self.vars.truncate(n);
                let ty = match kind {
                    AggKind::First => elem,
                    AggKind::Codes => Ty::Str,
                    _ => Ty::Int,
                };
                (
                    Ir::Agg {
                        kind: *kind,
                        slot,
                        coll: Box::new(ic),
                        filter: ifl,
                        body: ib,
                    },
                    ty,
                    // In `at` and messages the pathway is a concrete list.
                    dc || (over_path && !self.concrete),
                )
            }
            ExprKind::Call(name, args) => self.call(name, args, e.span),
        }
    }

    fn want(&mut self, got: &Ty, want: &Ty, span: Span, what: &str) {
        if !got.fits(want) {
            self.err(
                "policy/type",
                span,
                format!("{what} needs {}, found {}", want.name(), got.name()),
                Some("change the operand to the type shown (see docs/policies.md, \"Expressions\")".into()),
            );
        }
    }

    fn elem_ty(&mut self, t: &Ty, span: Span) -> Ty {
        match t {
            Ty::List(e) => (**e).clone(),
            Ty::Pathway => Ty::Module,
            Ty::Any => Ty::Any,
            other => {
                self.err(
                    "policy/type",
                    span,
                    format!("expected a list, found {}", other.name()),
                    Some(
                        "give a list: a collection such as `programme.modules`, or a literal such as `[1, 2, 3]`"
                            .into(),
                    ),
                );
                Ty::Any
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span) -> (Ir, Ty, bool) {
        let (ia, ta, da) = self.expr(a);
        let (ib, tb, db) = self.expr(b);
        let dep = da || db;
        let ty = match op {
            BinOp::And | BinOp::Or => {
                self.want(&ta, &Ty::Bool, a.span, "`and`/`or`");
                self.want(&tb, &Ty::Bool, b.span, "`and`/`or`");
                if op == BinOp::Or && dep {
                    self.err("policy/type", span, "`or` of pathway conditions is not supported", Some("a pathway requirement is a conjunction (`and`) of comparisons; split the rule or use `if` on a programme property".into()));
                }
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if !ta.fits(&tb) {
                    self.err(
                        "policy/type",
                        span,
                        format!("cannot compare {} with {}", ta.name(), tb.name()),
                        Some("compare values of one type (a number with a number, a string with a string)".into()),
                    );
                } else if !matches!(op, BinOp::Eq | BinOp::Ne)
                    && !matches!(ta, Ty::Int | Ty::Date | Ty::Dur | Ty::Str | Ty::Any)
                {
                    self.err(
                        "policy/type",
                        span,
                        format!("{} values are not ordered", ta.name()),
                        Some("only numbers are ordered: compare with `==` or `!=` instead".into()),
                    );
                }
                if dep && op == BinOp::Ne {
                    self.err(
                        "policy/type",
                        span,
                        "`!=` on a pathway sum is not supported",
                        Some("use `<`, `<=`, `>`, `>=` or `==`".into()),
                    );
                }
                Ty::Bool
            }
            BinOp::In | BinOp::NotIn => {
                match &tb {
                    Ty::List(e) => {
                        if !ta.fits(e) {
                            self.err(
                                "policy/type",
                                span,
                                format!("cannot look for {} in a {}", ta.name(), tb.name()),
                                Some("look for a value of the list's element type".into()),
                            );
                        }
                    }
                    Ty::Any => {}
                    other => self.err(
                        "policy/type",
                        b.span,
                        format!("`in` needs a list, found {}", other.name()),
                        Some("put a list on the right of `in`, e.g. `m.level in [6, 7]`".into()),
                    ),
                }
                if dep {
                    self.err(
                        "policy/type",
                        span,
                        "`in` on a pathway value is not supported",
                        Some("see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                    );
                }
                Ty::Bool
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                self.want(&ta, &Ty::Int, a.span, "arithmetic");
                self.want(&tb, &Ty::Int, b.span, "arithmetic");
                if (op == BinOp::Mul && da && db) || (matches!(op, BinOp::Div | BinOp::Rem) && dep) {
                    self.err(
                        "policy/type",
                        span,
                        "pathway sums can only be added, subtracted and multiplied by a number",
                        Some("add or subtract pathway sums, or multiply one by a number, then compare the result; see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
                    );
                }
                Ty::Int
            }
        };
        (Ir::Bin(op, Box::new(ia), Box::new(ib)), ty, dep)
    }

    fn call(&mut self, name: &Sp<String>, args: &[Expr], span: Span) -> (Ir, Ty, bool) {
        let Some(&(_, b)) = BUILTINS.iter().find(|(n, _)| *n == name.value) else {
            let help = suggest(&name.value, BUILTINS.iter().map(|(n, _)| *n).collect());
            self.err(
                "policy/unknown-name",
                name.span,
                format!("unknown function `{}`", name.value),
                help,
            );
            for a in args {
                self.expr(a);
            }
            return (Ir::Const(Value::None), Ty::Any, false);
        };
        // reach(d, p): special, only inside `all d in p: ...`
        if b == Builtin::Reach {
            let ok = args.len() == 2
                && matches!(&args[0].kind, ExprKind::Name(n) if self.lookup(n).map(|v| Some(v.slot)) == Some(self.reach_var))
                && matches!(&args[1].kind, ExprKind::Name(n) if self.lookup(n).is_some_and(|v| v.ty == Ty::Pathway));
            let irs: Vec<Ir> = args.iter().map(|a| self.expr_concrete(a).0).collect();
            if !ok && self.path_slot.is_some() {
                self.err(
                    "policy/type",
                    span,
                    "`reach(d, p)` takes the variable of an enclosing `all d in p` and the pathway `p`",
                    Some(
                        "use it as `all d in p where ...: reach(d, p)`, with `p` the pathway of `for p in pathways`"
                            .into(),
                    ),
                );
            }
            self.reach_used = true;
            return (Ir::Call(b, irs), Ty::List(Box::new(Ty::Module)), false);
        }
        let mut irs = Vec::new();
        let mut tys = Vec::new();
        let mut dep = false;
        for a in args {
            let (i, t, d) = self.expr(a);
            irs.push(i);
            tys.push((t, a.span));
            dep |= d;
        }
        let arity = match b {
            Builtin::StartsWith => 2,
            _ => 1,
        };
        if args.len() != arity {
            self.err(
                "policy/type",
                span,
                format!(
                    "`{}` takes {arity} argument{}",
                    name.value,
                    if arity == 1 { "" } else { "s" }
                ),
                Some("see docs/policies.md, \"Expressions\", for the functions and their arguments".into()),
            );
            return (Ir::Const(Value::None), Ty::Any, false);
        }
        let t0 = tys[0].0.clone();
        let s0 = tys[0].1;
        if dep && b != Builtin::Abs {
            self.err(
                "policy/type",
                span,
                format!("`{}` of a pathway value is not supported", name.value),
                Some("see docs/policies.md, \"Pathways\", for what a pathway rule can compute".into()),
            );
        }
        let ty = match b {
            Builtin::Present => Ty::Bool,
            Builtin::Abs => {
                self.want(&t0, &Ty::Int, s0, "`abs`");
                Ty::Int
            }
            Builtin::Lower => {
                self.want(&t0, &Ty::Str, s0, "`lower`");
                Ty::Str
            }
            Builtin::Len => {
                if !matches!(t0, Ty::List(_) | Ty::Any) {
                    self.err(
                        "policy/type",
                        s0,
                        format!("`{}` needs a list, found {}", name.value, t0.name()),
                        Some("to count matching items write `count(x in C where CONDITION)`".into()),
                    );
                }
                Ty::Int
            }
            Builtin::Award => {
                self.want(&t0, &Ty::Str, s0, "`award`");
                Ty::Award
            }
            Builtin::Admits => {
                self.want(&t0, &Ty::Str, s0, "`admits`");
                Ty::List(Box::new(Ty::Str))
            }
            Builtin::IsRule => {
                self.want(&t0, &Ty::Str, s0, "`is_rule`");
                Ty::Bool
            }
            Builtin::Closure => {
                self.want(&t0, &Ty::Module, s0, "`closure`");
                Ty::List(Box::new(Ty::Module))
            }
            Builtin::StartsWith => {
                self.want(&t0, &Ty::Str, s0, "`starts_with`");
                if let Some((t1, s1)) = tys.get(1).cloned() {
                    self.want(&t1, &Ty::Str, s1, "`starts_with`");
                }
                Ty::Bool
            }
            Builtin::Reach => Ty::Any,
        };
        (Ir::Call(b, irs), ty, dep)
    }
}

fn agg_name(k: AggKind) -> &'static str {
    match k {
        AggKind::Sum => "sum",
        AggKind::Count => "count",
        AggKind::Min => "min",
        AggKind::Max => "max",
        AggKind::First => "first",
        AggKind::Codes => "codes",
    }
}

/// The ids of rules named in a set, for did-you-mean.
pub fn rule_ids(set: &PolicySet) -> HashSet<&str> {
    set.rules.iter().map(|r| r.info.id.as_str()).collect()
}
