//! The IR of compiled rules: what [`super::compile`] produces and
//! [`super::eval`] runs. Names are resolved to variable slots, fields to
//! [`Field`]s and constants folded in, so evaluation never looks a name up.

use super::syntax::{AggKind, BinOp};
use super::types::{Field, Value};
use super::RuleInfo;
use crate::diag::Severity;
use crate::span::Span;

/// The IR: what rules evaluate.
#[derive(Debug, Clone)]
pub enum Ir {
    Const(Value),
    Var(usize),
    Field(Box<Ir>, Field),
    List(Vec<(Ir, Option<Ir>)>),
    Not(Box<Ir>),
    Neg(Box<Ir>),
    Bin(BinOp, Box<Ir>, Box<Ir>),
    If(Box<Ir>, Box<Ir>, Box<Ir>),
    Quant {
        all: bool,
        slot: usize,
        coll: Box<Ir>,
        filter: Option<Box<Ir>>,
        body: Box<Ir>,
        reach: bool,
    },
    Agg {
        kind: AggKind,
        slot: usize,
        coll: Box<Ir>,
        filter: Option<Box<Ir>>,
        body: Option<Box<Ir>>,
    },
    Call(Builtin, Vec<Ir>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Present,
    Abs,
    Lower,
    Len,
    Award,
    Admits,
    IsRule,
    Closure,
    Reach,
    StartsWith,
}

/// What a rule's first `for` binding ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Programme,
    ProgrammeModules,
    Variances,
    Modules,
    Pathways,
}

#[derive(Debug, Clone)]
pub enum Seg {
    Lit(String),
    Expr(Ir),
}

#[derive(Debug, Clone, Default)]
pub struct Text {
    pub segs: Vec<Seg>,
}

#[derive(Debug, Clone)]
pub enum Step {
    Let(usize, Ir),
    When(Ir),
}

#[derive(Debug, Clone)]
pub struct Require {
    pub expr: Ir,
    pub at: Option<Ir>,
    pub message: Option<Text>,
    pub label: Option<Text>,
    pub help: Option<Text>,
}

#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub info: RuleInfo,
    pub pack: usize,
    pub span: Span,
    pub root: Root,
    /// Slot and collection of the `for` bindings after the root one.
    pub root_slot: Option<usize>,
    pub bindings: Vec<(usize, Ir)>,
    pub steps: Vec<Step>,
    pub requires: Vec<Require>,
    pub at: Option<Ir>,
    pub message: Text,
    /// The text under the primary span (default: the renderer's).
    pub label: Option<Text>,
    pub help: Option<Text>,
    /// Conditional severities, checked in order; then `info.severity`.
    pub severities: Vec<(Severity, Ir)>,
    pub nslots: usize,
}
