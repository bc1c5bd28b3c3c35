//! The evaluator: compiled rules over a [`Workspace`]. Total: every
//! collection is finite, there is no recursion in the language, absent
//! values are `None` (a `when` that is not true skips the subject; a
//! `require` that is not false holds).
//!
//! Pathway rules are evaluated symbolically: inside `for p in pathways`,
//! `sum(m in p ...)` and `count(m in p ...)` are linear forms over the
//! structure's entries, comparisons of them are constraints, and each
//! constraint is decided with [`PathwaySpace::extreme`] (least or greatest
//! value over all pathways, per option group by dynamic programming), so no
//! pathway is ever enumerated. See docs/policies.md, "Pathways".

use std::collections::HashMap;
use std::sync::Arc;

use super::compile::{Award, Builtin, CompiledRule, Ir, Root, Seg, Text};
use super::syntax::{AggKind, BinOp};
use super::types::*;
use crate::diag::Severity;
use crate::model::pathways::PathwaySpace;
use crate::model::{Membership, ModuleId, ProgrammeId, Workspace};
use crate::span::Str;

/// Projections explored for one `reach` quantifier before giving up.
pub const REACH_LIMIT: usize = 1 << 16;

/// The evaluation budget: steps one rule may take for one subject (one
/// programme, or one module for module rules). A step is one element of a
/// quantifier, aggregate or `for` binding (a range counts each of its
/// numbers), one module visited by `closure` or `reach`, one combination of
/// the exact `reach` search. A rule that runs out stops and is reported as
/// `policy/limit`; see docs/policies.md, "Evaluation budget".
pub const BUDGET: u64 = 1_000_000;

/// The most steps any one rule run has taken in this process (for the
/// benchmark that shows the shipped rules stay far below [`BUDGET`]).
static PEAK_STEPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// See [`PEAK_STEPS`].
pub fn peak_steps() -> u64 {
    PEAK_STEPS.load(std::sync::atomic::Ordering::Relaxed)
}

pub struct Ctx<'a> {
    pub ws: &'a Workspace,
    pub prog: Option<ProgrammeId>,
    pub awards: &'a [Award],
    /// Criteria admitted by each rule active under the framework.
    pub admits: &'a HashMap<String, Vec<String>>,
    pub space: Option<&'a PathwaySpace>,
    /// Set when a `reach` projection exceeded [`REACH_LIMIT`].
    pub limit_hit: std::cell::Cell<bool>,
    /// Steps left in the current rule run (see [`BUDGET`]); set by
    /// [`run_rule`].
    pub fuel: std::cell::Cell<u64>,
    /// `programme.modules` of [`Ctx::prog`], built once per programme
    /// (every rule and every nested quantifier shares the list).
    pub prog_modules: std::cell::OnceCell<Value>,
}

impl Ctx<'_> {
    /// Takes one step of the budget; false once it is spent.
    #[inline]
    fn tick(&self) -> bool {
        match self.fuel.get() {
            0 => false,
            n => {
                self.fuel.set(n - 1);
                true
            }
        }
    }

    /// True once the current rule run has spent its budget.
    pub fn exhausted(&self) -> bool {
        self.fuel.get() == 0
    }
}

/// One failed requirement.
#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Severity,
    pub loc: Option<Loc>,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    pub module: Option<String>,
    pub pathway: Option<Vec<String>>,
    /// Secondary locations: the option modules chosen on the failing pathway.
    pub labels: Vec<(Loc, String)>,
}

/// Evaluates a constant expression (no workspace).
pub fn eval_const(ir: &Ir) -> Value {
    let ws = Workspace::default();
    let admits = HashMap::new();
    let ctx = Ctx {
        ws: &ws,
        prog: None,
        awards: &[],
        admits: &admits,
        space: None,
        limit_hit: Default::default(),
        fuel: std::cell::Cell::new(BUDGET),
        prog_modules: Default::default(),
    };
    let mut env = Vec::new();
    let v = eval(ir, &ctx, &mut env);
    if ctx.exhausted() {
        Value::None
    } else {
        v
    }
}

fn n_entries(ctx: &Ctx) -> usize {
    ctx.prog
        .and_then(|p| ctx.ws.programmes.get(p))
        .and_then(|p| p.structure.as_ref())
        .map(|s| s.entries.len())
        .unwrap_or(0)
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

pub(super) fn list_of(v: Vec<Value>) -> Value {
    Value::List(Arc::new(v))
}

pub(super) fn sstr(s: &Str, loc: Option<Loc>) -> Value {
    Value::Str(s.clone(), loc)
}

pub(super) fn opt_str(s: Option<&crate::span::Spanned<Str>>, src: usize) -> Value {
    match s {
        Some(x) => sstr(
            &x.value,
            Some(Loc {
                source: src,
                span: x.span,
            }),
        ),
        None => Value::None,
    }
}

pub(super) fn opt_int(s: Option<&crate::span::Spanned<u64>>) -> Value {
    opt_int_in(s, 0, crate::model::build::MAX_INT)
}

/// An integer property, or `none` when its value is outside `lo..=hi`: such
/// a value is already reported as `spec/invalid-value`, and a framework rule
/// reading it would only report the same fault again (a 0-credit module is
/// not "0 credits, not 10, 20 or 30"; a level-9 module does not make the
/// levels of a pathway miss the award).
pub(super) fn opt_int_in(s: Option<&crate::span::Spanned<u64>>, lo: u64, hi: u64) -> Value {
    match s {
        Some(x) if (lo..=hi).contains(&x.value) => Value::Int(x.value as i64),
        _ => Value::None,
    }
}

pub(super) fn dur(d: Option<&crate::model::DurationValue>) -> Value {
    match d {
        Some(d) => {
            let n = d.amount.min(1 << 40) as i64;
            Value::Dur(match d.unit {
                crate::model::Unit::Day => Dur::Days(n),
                crate::model::Unit::Week => Dur::Days(n * 7),
                crate::model::Unit::Month => Dur::Months(n),
                crate::model::Unit::Year => Dur::Months(n * 12),
            })
        }
        None => Value::None,
    }
}

/// `programme.modules`: the structure's entries as modules in the
/// programme; broken modules (syntax errors) feed no rule.
pub(super) fn programme_modules(ws: &Workspace, pid: ProgrammeId) -> Value {
    match ws.programmes.get(pid).and_then(|p| p.structure.as_ref()) {
        Some(s) => list_of(
            s.entries
                .iter()
                .enumerate()
                .filter_map(|(i, e)| {
                    e.module()
                        .filter(|&m| ws.modules.get(m).is_some_and(|x| !x.broken))
                        .map(|m| Value::Module(m, Some((pid, i))))
                })
                .collect(),
        ),
        None => list_of(Vec::new()),
    }
}

pub use super::schema::{field, field_loc};

/// The "head" location of a value: a record's code, a string's literal.
pub fn value_loc(ctx: &Ctx, v: &Value) -> Option<Loc> {
    let ws = ctx.ws;
    match v {
        Value::Str(_, l) => *l,
        Value::Module(mid, _) => ws.modules.get(*mid).map(|m| Loc {
            source: m.source,
            span: m.code.span,
        }),
        Value::Programme(pid) => ws.programmes.get(*pid).map(|p| Loc {
            source: p.source,
            span: p.code.span,
        }),
        Value::ExitAward(pid, i) => ws.programmes.get(*pid).and_then(|p| {
            p.exit_awards.get(*i).map(|x| Loc {
                source: p.source,
                span: x.span,
            })
        }),
        Value::Partner(pid, i) => ws.programmes.get(*pid).and_then(|p| {
            p.partners.get(*i).map(|x| Loc {
                source: p.source,
                span: x.name.span,
            })
        }),
        Value::Variance(pid, i) => ws.programmes.get(*pid).and_then(|p| {
            p.variances.get(*i).map(|x| Loc {
                source: p.source,
                span: x.head,
            })
        }),
        Value::Assessment(mid, i) => ws.modules.get(*mid).and_then(|m| {
            m.assessments.get(*i).map(|a| Loc {
                source: m.source,
                span: a.code.span,
            })
        }),
        Value::Outcome(mid, i) => ws.modules.get(*mid).and_then(|m| {
            m.outcomes.get(*i).map(|o| Loc {
                source: m.source,
                span: o.code.span,
            })
        }),
        _ => None,
    }
}

fn at_loc(ir: &Ir, ctx: &Ctx, env: &mut Vec<Value>) -> Option<Loc> {
    match ir {
        Ir::Var(s) => {
            let v = env.get(*s).cloned().unwrap_or(Value::None);
            value_loc(ctx, &v)
        }
        Ir::Field(obj, f) => {
            let o = eval(obj, ctx, env);
            field_loc(ctx, &o, *f)
                .or_else(|| value_loc(ctx, &o))
                .or_else(|| at_loc(obj, ctx, env))
        }
        Ir::Agg { .. } => {
            let v = eval(ir, ctx, env);
            value_loc(ctx, &v)
        }
        _ => None,
    }
}

/// A list value as a slice (a [`Value::Seq`] built; anything else empty).
fn as_list<'v>(ws: &Workspace, v: &'v Value) -> std::borrow::Cow<'v, [Value]> {
    match v {
        Value::List(l) => std::borrow::Cow::Borrowed(l.as_slice()),
        Value::Seq(s) => std::borrow::Cow::Owned(s.to_list(ws)),
        _ => std::borrow::Cow::Borrowed(&[]),
    }
}

fn values_eq(ws: &Workspace, a: &Value, b: &Value) -> Option<bool> {
    Some(match (a, b) {
        (Value::None, _) | (_, Value::None) => return None,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x, _), Value::Str(y, _)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::Dur(x), Value::Dur(y)) => return dur_cmp(x, y).map(|o| o == std::cmp::Ordering::Equal),
        (Value::Module(x, _), Value::Module(y, _)) => x == y,
        (Value::Int(x), Value::Range(lo, hi)) | (Value::Range(lo, hi), Value::Int(x)) => lo <= x && x <= hi,
        (Value::Assessment(a1, b1), Value::Assessment(a2, b2)) | (Value::Outcome(a1, b1), Value::Outcome(a2, b2)) => {
            a1 == a2 && b1 == b2
        }
        (Value::Programme(x), Value::Programme(y)) | (Value::Award(x), Value::Award(y)) => x == y,
        (Value::Seq(x), Value::Seq(y)) if x == y => true,
        (Value::List(_) | Value::Seq(_), Value::List(_) | Value::Seq(_)) => {
            let (x, y) = (as_list(ws, a), as_list(ws, b));
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| values_eq(ws, a, b) == Some(true))
        }
        _ => false,
    })
}

fn dur_cmp(a: &Dur, b: &Dur) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Dur::Days(x), Dur::Days(y)) | (Dur::Months(x), Dur::Months(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn values_cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Dur(x), Value::Dur(y)) => dur_cmp(x, y),
        (Value::Str(x, _), Value::Str(y, _)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn to_lin(v: &Value, n: usize) -> Option<Lin> {
    match v {
        Value::Int(c) => Some(Lin { w: vec![0; n], c: *c }),
        Value::Lin(l) => Some((**l).clone()),
        _ => None,
    }
}

fn lin_combine(a: &Lin, b: &Lin, sign: i64) -> Lin {
    let n = a.w.len().max(b.w.len());
    let mut w = vec![0i64; n];
    for (i, x) in w.iter_mut().enumerate() {
        *x =
            a.w.get(i)
                .copied()
                .unwrap_or(0)
                .saturating_add(sign.saturating_mul(b.w.get(i).copied().unwrap_or(0)));
    }
    Lin {
        w,
        c: a.c.saturating_add(sign.saturating_mul(b.c)),
    }
}

fn lin_scale(a: &Lin, k: i64) -> Lin {
    Lin {
        w: a.w.iter().map(|x| x.saturating_mul(k)).collect(),
        c: a.c.saturating_mul(k),
    }
}

fn atom(lin: Lin, le: bool) -> Atom {
    Atom::Lin {
        lin,
        le,
        include: Vec::new(),
        exclude: Vec::new(),
    }
}

/// `a OP b` where one side is a linear form: the constraints it means.
fn lin_compare(op: BinOp, a: &Value, b: &Value, n: usize) -> Value {
    if let Value::AbsLin(l) = a {
        // abs(l) <= b  <=>  l - b <= 0 and -l - b <= 0
        let Some(r) = to_lin(b, n) else {
            return Value::None;
        };
        let off = match op {
            BinOp::Le => 0,
            BinOp::Lt => 1,
            _ => return Value::None,
        };
        let mut x = lin_combine(l, &r, -1);
        x.c = x.c.saturating_add(off);
        let mut y = lin_combine(&lin_scale(l, -1), &r, -1);
        y.c = y.c.saturating_add(off);
        return Value::Cons(Arc::new(vec![atom(x, true), atom(y, true)]));
    }
    let (Some(l), Some(r)) = (to_lin(a, n), to_lin(b, n)) else {
        return Value::None;
    };
    let mut d = lin_combine(&l, &r, -1); // a - b
    let atoms = match op {
        BinOp::Le => vec![atom(d, true)],
        BinOp::Lt => {
            d.c = d.c.saturating_add(1);
            vec![atom(d, true)]
        }
        BinOp::Ge => vec![atom(d, false)],
        BinOp::Gt => {
            d.c = d.c.saturating_sub(1);
            vec![atom(d, false)]
        }
        BinOp::Eq => vec![atom(d.clone(), true), atom(d, false)],
        _ => return Value::None,
    };
    Value::Cons(Arc::new(atoms))
}

fn and(a: Value, b: impl FnOnce() -> Value) -> Value {
    match a {
        Value::Bool(false) => Value::Bool(false),
        a => {
            let b = b();
            match (a, b) {
                (_, Value::Bool(false)) => Value::Bool(false),
                (Value::Bool(true), b) => b,
                (a, Value::Bool(true)) => a,
                (Value::Cons(x), Value::Cons(y)) => {
                    let mut v = (*x).clone();
                    v.extend(y.iter().cloned());
                    Value::Cons(Arc::new(v))
                }
                (Value::Cons(x), Value::None) | (Value::None, Value::Cons(x)) => Value::Cons(x),
                _ => Value::None,
            }
        }
    }
}

impl Seq {
    pub(super) fn len(self, ws: &Workspace) -> usize {
        match self {
            Seq::Outcomes(m) => ws.modules.get(m).map_or(0, |m| m.outcomes.len()),
            Seq::Assessments(m) => ws.modules.get(m).map_or(0, |m| m.assessments.len()),
            Seq::Covers(m, a) => ws
                .modules
                .get(m)
                .and_then(|m| m.assessments.get(a))
                .map_or(0, |a| a.covers.len()),
        }
    }

    /// Element `i`, as the list field would hold it.
    pub(super) fn get(self, ws: &Workspace, i: usize) -> Option<Value> {
        match self {
            Seq::Outcomes(m) => (i < self.len(ws)).then_some(Value::Outcome(m, i)),
            Seq::Assessments(m) => (i < self.len(ws)).then_some(Value::Assessment(m, i)),
            Seq::Covers(m, a) => {
                let m = ws.modules.get(m)?;
                let c = m.assessments.get(a)?.covers.get(i)?;
                Some(opt_str(Some(c), m.source))
            }
        }
    }

    /// The list it reads, built (equality and display only).
    fn to_list(self, ws: &Workspace) -> Vec<Value> {
        (0..self.len(ws)).filter_map(|i| self.get(ws, i)).collect()
    }
}

/// The elements of a collection, ranges expanded (`[1..3, 7]` is 1, 2, 3
/// and 7), borrowed from the list or read in place from the model: only the
/// current element is copied.
struct Elements<'v> {
    items: &'v [Value],
    seq: Option<(Seq, &'v Workspace)>,
    next: usize,
    range: Option<(i64, i64)>,
}

impl Iterator for Elements<'_> {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        if let Some((s, ws)) = self.seq {
            let x = s.get(ws, self.next)?;
            self.next += 1;
            return Some(x);
        }
        loop {
            if let Some((lo, hi)) = self.range {
                // lo < hi whenever a range is kept, so lo + 1 cannot overflow
                self.range = (lo < hi).then(|| (lo + 1, hi));
                return Some(Value::Int(lo));
            }
            let x = self.items.get(self.next)?;
            self.next += 1;
            match x {
                Value::Range(lo, hi) if lo <= hi => self.range = Some((*lo, *hi)),
                Value::Range(..) => {}
                v => return Some(v.clone()),
            }
        }
    }
}

fn elements<'v>(ctx: &Ctx<'v>, v: &'v Value) -> Elements<'v> {
    Elements {
        items: match v {
            Value::List(l) => l,
            _ => &[],
        },
        seq: match v {
            Value::Seq(s) => Some((*s, ctx.ws)),
            _ => None,
        },
        next: 0,
        range: None,
    }
}

fn set_slot(env: &mut Vec<Value>, slot: usize, v: Value) {
    if env.len() <= slot {
        env.resize(slot + 1, Value::None);
    }
    env[slot] = v;
}

/// The module (and entry) values of a programme's structure.
fn entry_value(ctx: &Ctx, e: usize) -> Option<Value> {
    let pid = ctx.prog?;
    let s = ctx.ws.programmes.get(pid)?.structure.as_ref()?;
    s.entries.get(e)?.module().map(|m| Value::Module(m, Some((pid, e))))
}

pub fn eval(ir: &Ir, ctx: &Ctx, env: &mut Vec<Value>) -> Value {
    match ir {
        Ir::Const(v) => v.clone(),
        Ir::Var(s) => env.get(*s).cloned().unwrap_or(Value::None),
        Ir::Field(o, f) => {
            // A field of a variable: borrow the slot rather than clone it.
            if let Ir::Var(s) = **o {
                return match env.get(s) {
                    Some(v) => field(ctx, v, *f),
                    None => field(ctx, &Value::None, *f),
                };
            }
            let v = eval(o, ctx, env);
            field(ctx, &v, *f)
        }
        Ir::List(elems) => {
            let mut out = Vec::with_capacity(elems.len());
            for (a, b) in elems {
                let va = eval(a, ctx, env);
                match b {
                    Some(b) => match (va, eval(b, ctx, env)) {
                        (Value::Int(lo), Value::Int(hi)) => out.push(Value::Range(lo, hi)),
                        _ => out.push(Value::None),
                    },
                    None => out.push(va),
                }
            }
            list_of(out)
        }
        Ir::Not(x) => match eval(x, ctx, env) {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::None,
        },
        Ir::Neg(x) => match eval(x, ctx, env) {
            Value::Int(i) => Value::Int(i.saturating_neg()),
            Value::Lin(l) => Value::Lin(Arc::new(lin_scale(&l, -1))),
            _ => Value::None,
        },
        Ir::If(c, t, e) => match eval(c, ctx, env) {
            Value::Bool(true) => eval(t, ctx, env),
            Value::Bool(false) => eval(e, ctx, env),
            _ => Value::None,
        },
        Ir::Bin(op, a, b) => binop(*op, a, b, ctx, env),
        Ir::Quant {
            all,
            slot,
            coll,
            filter,
            body,
            reach,
        } => {
            let c = eval(coll, ctx, env);
            if let Value::PathSym = c {
                return quant_path(*slot, filter.as_deref(), body, *reach, ctx, env, coll);
            }
            let mut acc = Value::Bool(*all);
            for item in elements(ctx, &c) {
                if !ctx.tick() {
                    return Value::None;
                }
                set_slot(env, *slot, item);
                if let Some(f) = filter {
                    if truthy(&eval(f, ctx, env)) != Some(true) {
                        continue;
                    }
                }
                let v = eval(body, ctx, env);
                if *all {
                    acc = and(acc, || v);
                    if let Value::Bool(false) = acc {
                        return acc;
                    }
                } else {
                    match v {
                        Value::Bool(true) => return Value::Bool(true),
                        Value::Bool(false) => {}
                        _ => acc = Value::None,
                    }
                }
            }
            acc
        }
        Ir::Agg {
            kind,
            slot,
            coll,
            filter,
            body,
        } => {
            let c = eval(coll, ctx, env);
            if matches!(kind, AggKind::First | AggKind::Codes) {
                // Concrete collections only: the compiler allows these over a
                // pathway only where it is a list (`at`, messages).
                let mut codes = Vec::new();
                for item in elements(ctx, &c) {
                    if !ctx.tick() {
                        return Value::None;
                    }
                    set_slot(env, *slot, item.clone());
                    if let Some(f) = filter {
                        if truthy(&eval(f, ctx, env)) != Some(true) {
                            continue;
                        }
                    }
                    if *kind == AggKind::First {
                        return item;
                    }
                    codes.push(format!("`{}`", display(ctx, &item)));
                }
                return match codes.split_last() {
                    _ if *kind == AggKind::First => Value::None,
                    None => Value::str("none"),
                    Some((last, [])) => Value::str(last),
                    Some((last, rest)) => Value::str(&format!("{} and {last}", rest.join(", "))),
                };
            }
            if let Value::PathSym = c {
                let n = n_entries(ctx);
                let mut w = vec![0i64; n];
                for (e, we) in w.iter_mut().enumerate() {
                    if !ctx.tick() {
                        return Value::None;
                    }
                    let Some(v) = entry_value(ctx, e) else {
                        continue;
                    };
                    set_slot(env, *slot, v);
                    if let Some(f) = filter {
                        if truthy(&eval(f, ctx, env)) != Some(true) {
                            continue;
                        }
                    }
                    *we = match body {
                        Some(b) => match eval(b, ctx, env) {
                            Value::Int(i) => i,
                            _ => 0,
                        },
                        None => 1,
                    };
                }
                return Value::Lin(Arc::new(Lin { w, c: 0 }));
            }
            let mut acc: Option<i64> = None;
            let mut count = 0i64;
            for item in elements(ctx, &c) {
                if !ctx.tick() {
                    return Value::None;
                }
                set_slot(env, *slot, item.clone());
                if let Some(f) = filter {
                    if truthy(&eval(f, ctx, env)) != Some(true) {
                        continue;
                    }
                }
                count += 1;
                let v = match body {
                    Some(b) => eval(b, ctx, env),
                    None => item,
                };
                let Value::Int(i) = v else { continue };
                acc = Some(match (kind, acc) {
                    (_, None) => i,
                    (AggKind::Sum, Some(a)) => a.saturating_add(i),
                    (AggKind::Min, Some(a)) => a.min(i),
                    (AggKind::Max, Some(a)) => a.max(i),
                    (AggKind::Count | AggKind::First | AggKind::Codes, Some(a)) => a,
                });
            }
            match kind {
                AggKind::Count => Value::Int(count),
                AggKind::Sum => Value::Int(acc.unwrap_or(0)),
                _ => acc.map(Value::Int).unwrap_or(Value::None),
            }
        }
        Ir::Call(b, args) => call(*b, args, ctx, env),
    }
}

fn binop(op: BinOp, a: &Ir, b: &Ir, ctx: &Ctx, env: &mut Vec<Value>) -> Value {
    match op {
        BinOp::And => {
            let va = eval(a, ctx, env);
            return and(va, || eval(b, ctx, env));
        }
        BinOp::Or => {
            let va = eval(a, ctx, env);
            if let Value::Bool(true) = va {
                return va;
            }
            let vb = eval(b, ctx, env);
            return match (va, vb) {
                (_, Value::Bool(true)) => Value::Bool(true),
                (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                _ => Value::None,
            };
        }
        _ => {}
    }
    let va = eval(a, ctx, env);
    let vb = eval(b, ctx, env);
    let symbolic = matches!(va, Value::Lin(_) | Value::AbsLin(_)) || matches!(vb, Value::Lin(_));
    if symbolic {
        let n = n_entries(ctx);
        return match op {
            BinOp::Add | BinOp::Sub => match (to_lin(&va, n), to_lin(&vb, n)) {
                (Some(x), Some(y)) => Value::Lin(Arc::new(lin_combine(&x, &y, if op == BinOp::Add { 1 } else { -1 }))),
                _ => Value::None,
            },
            BinOp::Mul => match (&va, &vb) {
                (Value::Lin(l), Value::Int(k)) | (Value::Int(k), Value::Lin(l)) => {
                    Value::Lin(Arc::new(lin_scale(l, *k)))
                }
                _ => Value::None,
            },
            BinOp::Eq | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => lin_compare(op, &va, &vb, n),
            _ => Value::None,
        };
    }
    use std::cmp::Ordering::*;
    match op {
        BinOp::Eq => values_eq(ctx.ws, &va, &vb).map(Value::Bool).unwrap_or(Value::None),
        BinOp::Ne => values_eq(ctx.ws, &va, &vb)
            .map(|b| Value::Bool(!b))
            .unwrap_or(Value::None),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match values_cmp(&va, &vb) {
            Some(o) => Value::Bool(match op {
                BinOp::Lt => o == Less,
                BinOp::Le => o != Greater,
                BinOp::Gt => o == Greater,
                _ => o != Less,
            }),
            None => Value::None,
        },
        BinOp::In | BinOp::NotIn => {
            if let Value::None = va {
                return Value::None;
            }
            let found = match &vb {
                Value::List(l) => l.iter().any(|x| values_eq(ctx.ws, &va, x) == Some(true)),
                Value::Seq(_) => elements(ctx, &vb).any(|x| values_eq(ctx.ws, &va, &x) == Some(true)),
                _ => return Value::None,
            };
            Value::Bool(if op == BinOp::In { found } else { !found })
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => match (va, vb) {
            (Value::Int(x), Value::Int(y)) => match op {
                BinOp::Add => Value::Int(x.saturating_add(y)),
                BinOp::Sub => Value::Int(x.saturating_sub(y)),
                BinOp::Mul => Value::Int(x.saturating_mul(y)),
                BinOp::Div => x.checked_div(y).map(Value::Int).unwrap_or(Value::None),
                _ => x.checked_rem(y).map(Value::Int).unwrap_or(Value::None),
            },
            _ => Value::None,
        },
        _ => Value::None,
    }
}

/// Transitive prerequisites of a module over the whole workspace.
/// One step of the budget per module visited; `None` once it is spent.
fn closure_of(ctx: &Ctx, mid: ModuleId) -> Option<Vec<ModuleId>> {
    let ws = ctx.ws;
    let mut seen: foldhash::HashSet<ModuleId> = [mid].into_iter().collect();
    let mut stack = vec![mid];
    while let Some(m) = stack.pop() {
        if !ctx.tick() {
            return None;
        }
        let Some(module) = ws.modules.get(m) else {
            continue;
        };
        for r in &module.requires {
            if let Some(id) = ws.module_id(&r.value) {
                if seen.insert(id) {
                    stack.push(id);
                }
            }
        }
    }
    let mut out: Vec<ModuleId> = seen.into_iter().filter(|&x| x != mid).collect();
    out.sort_unstable();
    Some(out)
}

/// `reach(d, p)` on a concrete pathway: the modules on `p` that `d`
/// requires directly or through a chain of `requires` between modules on `p`.
fn reach_concrete(ctx: &Ctx, d: &Value, p: &Value) -> Value {
    let Value::Module(dmid, _) = d else {
        return Value::None;
    };
    let Value::List(on) = p else {
        return list_of(Vec::new());
    };
    // the modules on `p`, by code (the first entry of a code wins)
    let mut by_code: foldhash::HashMap<&str, &Value> =
        foldhash::HashMap::with_capacity_and_hasher(on.len(), Default::default());
    for v in on.iter() {
        if let Value::Module(m, _) = v {
            if let Some(m) = ctx.ws.modules.get(*m) {
                by_code.entry(m.code.value.as_str()).or_insert(v);
            }
        }
    }
    let mut out: Vec<Value> = Vec::new();
    let mut stack = vec![*dmid];
    let mut seen: foldhash::HashSet<ModuleId> = [*dmid].into_iter().collect();
    while let Some(m) = stack.pop() {
        if !ctx.tick() {
            return Value::None;
        }
        let Some(module) = ctx.ws.modules.get(m) else {
            continue;
        };
        for r in &module.requires {
            if let Some(&v) = by_code.get(r.value.as_str()) {
                if let Value::Module(id, _) = v {
                    if seen.insert(*id) {
                        stack.push(*id);
                        out.push(v.clone());
                    }
                }
            }
        }
    }
    list_of(out)
}

fn call(b: Builtin, args: &[Ir], ctx: &Ctx, env: &mut Vec<Value>) -> Value {
    // Every argument is evaluated, in order (each costs its steps of the
    // budget); no builtin reads more than two, so no list is built.
    let mut rest = args.iter();
    let a0 = rest.next().map(|a| eval(a, ctx, env)).unwrap_or(Value::None);
    let a1 = rest.next().map(|a| eval(a, ctx, env));
    for a in rest {
        eval(a, ctx, env);
    }
    match b {
        Builtin::Present => Value::Bool(match &a0 {
            Value::None => false,
            Value::Str(s, _) => !s.trim().is_empty(),
            _ => true,
        }),
        Builtin::Abs => match a0 {
            Value::Int(i) => Value::Int(i.saturating_abs()),
            Value::Lin(l) => Value::AbsLin(l),
            _ => Value::None,
        },
        Builtin::Lower => match a0 {
            Value::Str(s, l) => Value::Str(s.to_lowercase(), l),
            _ => Value::None,
        },
        Builtin::Len => match a0 {
            Value::List(l) => Value::Int(l.len() as i64),
            Value::Seq(s) => Value::Int(s.len(ctx.ws) as i64),
            _ => Value::None,
        },
        Builtin::Award => match a0 {
            Value::Str(s, _) => ctx
                .awards
                .iter()
                .position(|a| *a.code == *s)
                .map(Value::Award)
                .unwrap_or(Value::None),
            _ => Value::None,
        },
        Builtin::Admits => match a0 {
            Value::Str(s, _) => ctx
                .admits
                .get(&*s)
                .map(|v| list_of(v.iter().map(|c| Value::str(c)).collect()))
                .unwrap_or(Value::None),
            _ => Value::None,
        },
        Builtin::IsRule => match a0 {
            Value::Str(s, _) => Value::Bool(ctx.admits.contains_key(&*s)),
            _ => Value::None,
        },
        Builtin::Closure => match a0 {
            Value::Module(m, _) => match closure_of(ctx, m) {
                Some(ms) => list_of(ms.into_iter().map(|m| Value::Module(m, None)).collect()),
                None => Value::None,
            },
            _ => Value::None,
        },
        Builtin::Reach => reach_concrete(ctx, &a0, a1.as_ref().unwrap_or(&Value::None)),
        Builtin::StartsWith => match (&a0, a1.as_ref()) {
            (Value::Str(s, _), Some(Value::Str(p, _))) => Value::Bool(s.starts_with(&**p)),
            _ => Value::None,
        },
    }
}

/// `all d in p where F: B` on the symbolic pathway.
fn quant_path(
    slot: usize,
    filter: Option<&Ir>,
    body: &Ir,
    reach: bool,
    ctx: &Ctx,
    env: &mut Vec<Value>,
    coll: &Ir,
) -> Value {
    let n = n_entries(ctx);
    let mut atoms: Vec<Atom> = Vec::new();
    let pslot = match coll {
        Ir::Var(s) => Some(*s),
        _ => None,
    };
    for e in 0..n {
        if !ctx.tick() {
            return Value::None;
        }
        let Some(v) = entry_value(ctx, e) else {
            continue;
        };
        set_slot(env, slot, v);
        if let Some(f) = filter {
            if truthy(&eval(f, ctx, env)) != Some(true) {
                continue;
            }
        }
        if reach {
            if let Some(w) = reach_search(e, slot, body, pslot, ctx, env) {
                atoms.push(Atom::Fail(w));
            }
            continue;
        }
        match eval(body, ctx, env) {
            Value::Bool(false) => {
                let mut w = vec![0i64; n];
                w[e] = 1;
                atoms.push(atom(Lin { w, c: 0 }, true));
            }
            Value::Cons(list) => {
                for a in list.iter() {
                    match a {
                        Atom::Lin {
                            lin,
                            le,
                            include,
                            exclude,
                        } => {
                            let mut inc = include.clone();
                            inc.push(e);
                            atoms.push(Atom::Lin {
                                lin: lin.clone(),
                                le: *le,
                                include: inc,
                                exclude: exclude.clone(),
                            });
                        }
                        Atom::Fail(w) => atoms.push(Atom::Fail(w.clone())),
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(p) = pslot {
        set_slot(env, p, Value::PathSym);
    }
    if atoms.is_empty() {
        Value::Bool(true)
    } else {
        Value::Cons(Arc::new(atoms))
    }
}

/// The exact search behind `reach`: restricted to the entries in `d`'s full
/// prerequisite closure within the structure (R), enumerate the distinct
/// feasible projections of the option groups' choices onto R, and evaluate
/// the body on each. Returns a failing pathway, if any.
fn reach_search(
    d: usize,
    dslot: usize,
    body: &Ir,
    pslot: Option<usize>,
    ctx: &Ctx,
    env: &mut Vec<Value>,
) -> Option<Vec<usize>> {
    let pid = ctx.prog?;
    let s = ctx.ws.programmes.get(pid)?.structure.as_ref()?;
    let space = ctx.space?;
    let pslot = pslot?;
    // R: d and its prerequisite closure, as structure entries
    let entry_of = |code: &str| s.entries.iter().position(|e| e.code.value == code);
    let mut r = vec![d];
    let mut stack = vec![d];
    while let Some(e) = stack.pop() {
        if !ctx.tick() {
            return None;
        }
        let Some(m) = s.entries[e].module().and_then(|m| ctx.ws.modules.get(m)) else {
            continue;
        };
        for q in &m.requires {
            if let Some(x) = entry_of(&q.value) {
                if !r.contains(&x) {
                    r.push(x);
                    stack.push(x);
                }
            }
        }
    }
    r.sort_unstable();
    // per touched group: the feasible projections onto R
    let mut fixed: Vec<usize> = r.iter().copied().filter(|e| space.core.contains(e)).collect();
    let mut choices: Vec<Vec<(Vec<usize>, Vec<usize>)>> = Vec::new();
    for g in &space.groups {
        let items: Vec<usize> = g.entries().filter(|e| r.contains(e)).collect();
        if items.is_empty() {
            continue;
        }
        if items.len() > 16 {
            ctx.limit_hit.set(true);
            return None;
        }
        let mut feasible = Vec::new();
        for mask in 0u32..(1u32 << items.len()) {
            let inc: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, &e)| e)
                .collect();
            let exc: Vec<usize> = items
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) == 0)
                .map(|(_, &e)| e)
                .collect();
            if exc.contains(&d) {
                continue;
            }
            if g.choice_with(&inc, &exc).is_some() {
                feasible.push((inc, exc));
            }
        }
        if feasible.is_empty() {
            return None; // d cannot be on any pathway
        }
        choices.push(feasible);
    }
    let total: usize = choices.iter().fold(1usize, |a, c| a.saturating_mul(c.len()));
    if total > REACH_LIMIT {
        ctx.limit_hit.set(true);
        return None;
    }
    fixed.sort_unstable();
    let mut idx = vec![0usize; choices.len()];
    loop {
        if !ctx.tick() {
            return None;
        }
        let mut present = fixed.clone();
        let mut absent = Vec::new();
        for (g, &i) in idx.iter().enumerate() {
            present.extend(choices[g][i].0.iter().copied());
            absent.extend(choices[g][i].1.iter().copied());
        }
        present.sort_unstable();
        let plist: Vec<Value> = present.iter().filter_map(|&e| entry_value(ctx, e)).collect();
        set_slot(env, pslot, list_of(plist));
        if let Some(v) = entry_value(ctx, d) {
            set_slot(env, dslot, v);
        }
        let ok = eval(body, ctx, env);
        if let Value::Bool(false) = ok {
            let inc: Vec<usize> = present.iter().copied().filter(|e| !space.core.contains(e)).collect();
            return space.pathway_with(&inc, &absent);
        }
        // next combination
        let mut k = 0;
        loop {
            if k == idx.len() {
                return None;
            }
            idx[k] += 1;
            if idx[k] < choices[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

/// Decides a conjunction of pathway constraints: a failing pathway, if any.
pub fn decide(atoms: &[Atom], space: &PathwaySpace) -> Option<Vec<usize>> {
    decide_explained(atoms, space).map(|(w, _)| w)
}

/// [`decide`], with the entries the failed constraint depends on: the
/// modules of options whose choice changes the constrained sum (their
/// coefficients differ), and those it requires in or out of the pathway. For
/// a failure decided earlier (`reach`) every entry of the witness counts.
pub fn decide_explained(atoms: &[Atom], space: &PathwaySpace) -> Option<(Vec<usize>, Vec<usize>)> {
    for a in atoms {
        match a {
            // Decided earlier (`reach`): which options matter is not known
            // here, so every entry counts (as before).
            Atom::Fail(w) => return Some((w.clone(), w.clone())),
            Atom::Lin {
                lin,
                le,
                include,
                exclude,
            } => {
                let w = |e: usize| lin.w.get(e).copied().unwrap_or(0);
                if let Some((v, path)) = space.extreme(&w, *le, include, exclude) {
                    let v = v.saturating_add(lin.c);
                    if (*le && v > 0) || (!*le && v < 0) {
                        // An option matters when its choice changes the
                        // constrained quantity: its modules weigh differently.
                        let mut relevant: Vec<usize> = space
                            .groups
                            .iter()
                            .filter(|g| {
                                let mut ws = g.entries().map(w);
                                let first = ws.next();
                                ws.any(|x| Some(x) != first)
                            })
                            .flat_map(|g| g.entries())
                            .chain(include.iter().copied())
                            .chain(exclude.iter().copied())
                            .collect();
                        relevant.sort_unstable();
                        relevant.dedup();
                        return Some((path, relevant));
                    }
                }
            }
        }
    }
    None
}

pub fn display(ctx: &Ctx, v: &Value) -> String {
    match v {
        Value::None => "none".into(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Str(s, _) => s.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Dur(Dur::Days(d)) => {
            if d % 7 == 0 && *d != 0 {
                format!("{} week{}", d / 7, if d / 7 == 1 { "" } else { "s" })
            } else {
                format!("{d} day{}", if *d == 1 { "" } else { "s" })
            }
        }
        Value::Dur(Dur::Months(m)) => format!("{m} month{}", if *m == 1 { "" } else { "s" }),
        Value::List(_) | Value::Seq(_) => {
            // "10, 20 or 30"; "none" when empty
            let items: Vec<String> = as_list(ctx.ws, v).iter().map(|x| display(ctx, x)).collect();
            match items.split_last() {
                None => "none".into(),
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            }
        }
        Value::Range(a, b) => format!("{a} to {b}"),
        Value::Module(m, _) => ctx
            .ws
            .modules
            .get(*m)
            .map(|m| m.code.value.to_string())
            .unwrap_or_default(),
        Value::Award(i) => ctx.awards.get(*i).map(|a| a.code.clone()).unwrap_or_default(),
        other => {
            let f = match other {
                Value::Assessment(..) => Field::ACode,
                Value::Outcome(..) => Field::OCode,
                Value::Programme(..) => Field::PCode,
                Value::ExitAward(..) => Field::XAward,
                Value::Partner(..) => Field::RName,
                Value::Variance(..) => Field::VRule,
                _ => return "?".into(),
            };
            display(ctx, &field(ctx, other, f))
        }
    }
}

fn render(ctx: &Ctx, t: &Text, env: &mut Vec<Value>) -> String {
    let mut out = String::new();
    for s in &t.segs {
        match s {
            Seg::Lit(l) => out.push_str(l),
            Seg::Expr(ir) => {
                let v = eval(ir, ctx, env);
                out.push_str(&display(ctx, &v));
            }
        }
    }
    out
}

/// Runs one rule for one subject: `root` is the value of the rule's first
/// binding for module and pathway rules (`Value::PathSym` for pathways).
///
/// Returns false when the rule spent its [`BUDGET`]: it stopped, `out` is
/// left empty, and the caller reports `policy/limit`.
#[must_use]
pub fn run_rule(rule: &CompiledRule, ctx: &Ctx, root: Option<Value>, out: &mut Vec<Finding>) -> bool {
    ctx.fuel.set(BUDGET);
    // Reuse one environment buffer per thread instead of allocating per run.
    let mut env = ENV_BUF.with(|b| std::mem::take(&mut *b.borrow_mut()));
    env.clear();
    env.resize(rule.nslots.max(1), Value::None);
    if let Some(p) = ctx.prog {
        env[0] = Value::Programme(p);
    }
    if let (Some(slot), Some(v)) = (rule.root_slot, root) {
        set_slot(&mut env, slot, v);
    }
    bind(rule, ctx, &mut env, 0, out);
    env.clear();
    ENV_BUF.with(|b| *b.borrow_mut() = env);
    let spent = BUDGET - ctx.fuel.get();
    // Read before writing: a new peak is rare, and a write on every run
    // makes the threads fight over the counter's cache line.
    if spent > PEAK_STEPS.load(std::sync::atomic::Ordering::Relaxed) {
        PEAK_STEPS.fetch_max(spent, std::sync::atomic::Ordering::Relaxed);
    }
    if ctx.exhausted() {
        out.clear();
        return false;
    }
    true
}

thread_local! {
    static ENV_BUF: std::cell::RefCell<Vec<Value>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn bind(rule: &CompiledRule, ctx: &Ctx, env: &mut Vec<Value>, i: usize, out: &mut Vec<Finding>) -> bool {
    if rule.root == Root::Pathways && !out.is_empty() {
        return true; // one diagnostic per programme
    }
    match rule.bindings.get(i) {
        Some((slot, coll)) => {
            let c = eval(coll, ctx, env);
            for item in elements(ctx, &c) {
                if !ctx.tick() {
                    return true; // the caller reports the spent budget
                }
                set_slot(env, *slot, item);
                if bind(rule, ctx, env, i + 1, out) {
                    return true;
                }
            }
            false
        }
        None => {
            leaf(rule, ctx, env, out);
            rule.root == Root::Pathways && !out.is_empty()
        }
    }
}

fn leaf(rule: &CompiledRule, ctx: &Ctx, env: &mut Vec<Value>, out: &mut Vec<Finding>) {
    for st in &rule.steps {
        match st {
            super::compile::Step::Let(s, ir) => {
                let v = eval(ir, ctx, env);
                set_slot(env, *s, v);
            }
            super::compile::Step::When(ir) => {
                if truthy(&eval(ir, ctx, env)) != Some(true) {
                    return;
                }
            }
        }
    }
    let first = out.len();
    for rq in &rule.requires {
        let v = eval(&rq.expr, ctx, env);
        let witness = match v {
            Value::Bool(false) => None::<(Vec<usize>, Vec<usize>)>,
            Value::Cons(atoms) => match ctx.space.and_then(|s| decide_explained(&atoms, s)) {
                Some(w) => Some(w),
                None => continue,
            },
            _ => continue,
        };
        let mut pathway = None;
        let mut labels = Vec::new();
        if let (Some((w, relevant)), Some(pslot)) = (&witness, rule.root_slot) {
            // messages see the failing pathway as a concrete list
            let plist: Vec<Value> = w.iter().filter_map(|&e| entry_value(ctx, e)).collect();
            set_slot(env, pslot, list_of(plist));
            for st in &rule.steps {
                if let super::compile::Step::Let(s, ir) = st {
                    let v = eval(ir, ctx, env);
                    set_slot(env, *s, v);
                }
            }
            if let (Some(pid), true) = (ctx.prog, rule.root == Root::Pathways) {
                if let Some(p) = ctx.ws.programmes.get(pid) {
                    if let Some(s) = p.structure.as_ref() {
                        pathway = Some(PathwaySpace::codes(s, w));
                        // Only the options the failed constraint depends on.
                        for &e in w.iter().filter(|e| relevant.contains(e)) {
                            if let Some(en) = s.entries.get(e).filter(|en| en.membership != Membership::Core) {
                                labels.push((
                                    Loc {
                                        source: p.source,
                                        span: en.code.span,
                                    },
                                    "chosen on the failing pathway".to_string(),
                                ));
                            }
                        }
                    }
                }
            }
        }
        let loc = rq
            .at
            .as_ref()
            .or(rule.at.as_ref())
            .and_then(|a| at_loc(a, ctx, env))
            .or_else(|| subject_loc(rule, ctx, env));
        // One finding per subject and place: when a second `require` fails
        // at the span of an earlier one (PG.B1.5's exit award 70 credits is
        // both not under the programme's and outside its award's range),
        // the first written is the one reported; fixing it is read first.
        if loc.is_some() && out[first..].iter().any(|f| f.loc == loc) {
            continue;
        }
        let message = render(ctx, rq.message.as_ref().unwrap_or(&rule.message), env);
        let help = rq.help.as_ref().or(rule.help.as_ref()).map(|h| render(ctx, h, env));
        let label = rq.label.as_ref().or(rule.label.as_ref()).map(|h| render(ctx, h, env));
        let mut severity = rule.info.severity;
        for (sev, cond) in &rule.severities {
            if truthy(&eval(cond, ctx, env)) == Some(true) {
                severity = *sev;
                break;
            }
        }
        let module = subject_module(rule, ctx, env);
        out.push(Finding {
            severity,
            loc,
            message,
            label,
            help,
            module,
            pathway,
            labels,
        });
        if rule.root == Root::Pathways {
            return;
        }
        if let Some(pslot) = rule.root_slot {
            if rule.root == Root::Pathways {
                set_slot(env, pslot, Value::PathSym);
            }
        }
    }
}

fn first_subject(rule: &CompiledRule, env: &[Value]) -> Option<Value> {
    if rule.root == Root::Modules {
        return rule.root_slot.and_then(|s| env.get(s).cloned());
    }
    rule.bindings.first().and_then(|(s, _)| env.get(*s).cloned())
}

fn subject_loc(rule: &CompiledRule, ctx: &Ctx, env: &[Value]) -> Option<Loc> {
    if rule.root == Root::Pathways {
        let p = ctx.ws.programmes.get(ctx.prog?)?;
        return Some(Loc {
            source: p.source,
            span: p.structure.as_ref().map(|s| s.span).unwrap_or(p.code.span),
        });
    }
    // the innermost bound subject
    for (s, _) in rule.bindings.iter().rev() {
        if let Some(l) = env.get(*s).and_then(|v| value_loc(ctx, v)) {
            return Some(l);
        }
    }
    if let Some(l) = first_subject(rule, env).and_then(|v| value_loc(ctx, &v)) {
        return Some(l);
    }
    env.first().and_then(|v| value_loc(ctx, v))
}

fn subject_module(rule: &CompiledRule, ctx: &Ctx, env: &[Value]) -> Option<String> {
    match first_subject(rule, env)? {
        Value::Module(m, _) | Value::Assessment(m, _) | Value::Outcome(m, _) => {
            ctx.ws.modules.get(m).map(|m| m.code.value.to_string())
        }
        _ => None,
    }
}
