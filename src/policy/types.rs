//! Types and values of the policy expression language. The fields of each
//! record type are declared in [`super::schema`].

use std::sync::Arc;

use crate::diag::SourceId;
use crate::model::{ModuleId, ProgrammeId};
use crate::span::{Span, Str};
use crate::syntax::ast::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Int,
    Bool,
    Str,
    Date,
    Dur,
    List(Box<Ty>),
    Module,
    Assessment,
    Outcome,
    Programme,
    ExitAward,
    Partner,
    Variance,
    Award,
    Level,
    Pathway,
    /// Unknown (after an error): fits anywhere, so errors do not cascade.
    Any,
}

impl Ty {
    pub fn name(&self) -> String {
        match self {
            Ty::Int => "int".into(),
            Ty::Bool => "bool".into(),
            Ty::Str => "string".into(),
            Ty::Date => "date".into(),
            Ty::Dur => "duration".into(),
            Ty::List(t) => format!("list of {}", t.name()),
            Ty::Module => "module".into(),
            Ty::Assessment => "assessment".into(),
            Ty::Outcome => "outcome".into(),
            Ty::Programme => "programme".into(),
            Ty::ExitAward => "exit award".into(),
            Ty::Partner => "partner".into(),
            Ty::Variance => "variance".into(),
            Ty::Award => "award".into(),
            Ty::Level => "level requirement".into(),
            Ty::Pathway => "pathway".into(),
            Ty::Any => "any".into(),
        }
    }
    /// `self` can be used where `want` is expected.
    pub fn fits(&self, want: &Ty) -> bool {
        match (self, want) {
            (Ty::Any, _) | (_, Ty::Any) => true,
            (Ty::List(a), Ty::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }
}

pub use super::schema::{fields, Field};

/// A location in a source: where `at` points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub source: SourceId,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dur {
    Days(i64),
    Months(i64),
}

/// A linear form over a programme's structure entries: `sum(w[e] for e in
/// pathway) + c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lin {
    pub w: Vec<i64>,
    pub c: i64,
}

/// One constraint that must hold on every pathway that includes `include`
/// and excludes `exclude`: `lin <= 0` (`le`) or `lin >= 0`.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    Lin {
        lin: Lin,
        le: bool,
        include: Vec<usize>,
        exclude: Vec<usize>,
    },
    /// Already decided to fail, with a witness pathway (entry indices).
    Fail(Vec<usize>),
}

#[derive(Debug, Clone)]
pub enum Value {
    /// An absent optional value.
    None,
    Int(i64),
    Bool(bool),
    /// Shares the model's string: reading a field copies no text (D146).
    Str(Str, Option<Loc>),
    Date(Date),
    Dur(Dur),
    List(Arc<Vec<Value>>),
    /// A list field of a module read in place: iterating, counting or
    /// testing membership copies nothing (D147).
    Seq(Seq),
    Range(i64, i64),
    /// A module; with `(programme, entry)` when it is a module of a
    /// programme's structure.
    Module(ModuleId, Option<(ProgrammeId, usize)>),
    Assessment(ModuleId, usize),
    Outcome(ModuleId, usize),
    Programme(ProgrammeId),
    ExitAward(ProgrammeId, usize),
    Partner(ProgrammeId, usize),
    Variance(ProgrammeId, usize),
    /// Index into the evaluating framework's award table.
    Award(usize),
    Level(i64, Option<i64>),
    /// The symbolic pathway of a pathway rule.
    PathSym,
    Lin(Arc<Lin>),
    /// `abs` of a linear form (only `abs(x) <= k` is supported).
    AbsLin(Arc<Lin>),
    /// A conjunction of pathway constraints.
    Cons(Arc<Vec<Atom>>),
}

/// A list of a module's own records or codes, by position in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seq {
    Outcomes(ModuleId),
    Assessments(ModuleId),
    /// The outcome codes assessment `.1` of the module covers.
    Covers(ModuleId, usize),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Str::from(s), None)
    }
}
