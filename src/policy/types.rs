//! Types, fields and values of the policy expression language. Field names
//! are resolved to [`Field`] at compile time, so evaluation never looks a
//! name up.

use std::sync::Arc;

use crate::diag::SourceId;
use crate::model::{ModuleId, ProgrammeId};
use crate::span::Span;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    // module (and module-in-programme)
    MCode,
    MTitle,
    MCredits,
    MLevel,
    MWeeks,
    MPassMark,
    MResearchSkills,
    MDissertation,
    MPlacement,
    MPassFail,
    MRequires,
    MPrerequisites,
    MOutcomes,
    MAssessments,
    EStage,
    EYear,
    EStart,
    EEnd,
    ESemesters,
    ESpanning,
    ECore,
    // programme
    PCode,
    PTitle,
    PAward,
    PFramework,
    PCredits,
    PModes,
    PLanguage,
    PDelivery,
    PStarts,
    PValidated,
    PPreviousValidation,
    PErasmusMundus,
    PAccreditations,
    PExitAwards,
    PRplCertificated,
    PRplExperiential,
    PPartners,
    PFirstContact,
    PSecondContact,
    PInterview,
    PAgreementsPerYear,
    PSharedWith,
    PRetention,
    PModules,
    PYears,
    PStages,
    PVariances,
    PStructure,
    // exit award
    XAward,
    XCredits,
    // partner
    RName,
    RModel,
    RLinkTutor,
    RProgrammeLeader,
    ROperationalFramework,
    // variance
    VRule,
    VAppliesTo,
    VCriterion,
    VPsrb,
    VRationale,
    VAlternative,
    VEvidence,
    VSubmitted,
    VApproved,
    VApprovedOn,
    VApprovedBy,
    // assessment
    ACode,
    ATitle,
    AKind,
    AWeight,
    ACovers,
    ACompetency,
    AModule,
    // outcome
    OCode,
    OText,
    OModule,
    // award
    WCode,
    WTitle,
    WFamily,
    WCredits,
    WLevels,
    WExits,
    WRplCertificated,
    WRplExperiential,
    // level requirement
    LLevel,
    LCredits,
}

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

/// The fields of a type: name, field, type.
pub fn fields(ty: &Ty) -> Vec<(&'static str, Field, Ty)> {
    use Field::*;
    match ty {
        Ty::Module => vec![
            ("code", MCode, Ty::Str),
            ("title", MTitle, Ty::Str),
            ("credits", MCredits, Ty::Int),
            ("level", MLevel, Ty::Int),
            ("weeks", MWeeks, Ty::Int),
            ("pass_mark", MPassMark, Ty::Int),
            ("research_skills", MResearchSkills, Ty::Bool),
            ("dissertation", MDissertation, Ty::Bool),
            ("placement", MPlacement, Ty::Bool),
            ("pass_fail", MPassFail, Ty::Bool),
            ("requires", MRequires, list(Ty::Str)),
            ("prerequisites", MPrerequisites, list(Ty::Module)),
            ("outcomes", MOutcomes, list(Ty::Outcome)),
            ("assessments", MAssessments, list(Ty::Assessment)),
            ("stage", EStage, Ty::Int),
            ("year", EYear, Ty::Int),
            ("start", EStart, Ty::Int),
            ("end", EEnd, Ty::Int),
            ("semesters", ESemesters, Ty::Int),
            ("spanning", ESpanning, Ty::Bool),
            ("core", ECore, Ty::Bool),
        ],
        Ty::Programme => vec![
            ("code", PCode, Ty::Str),
            ("title", PTitle, Ty::Str),
            ("award", PAward, Ty::Str),
            ("framework", PFramework, Ty::Str),
            ("credits", PCredits, Ty::Int),
            ("modes", PModes, list(Ty::Str)),
            ("language", PLanguage, Ty::Str),
            ("delivery", PDelivery, Ty::Str),
            ("starts", PStarts, Ty::Date),
            ("validated", PValidated, Ty::Date),
            ("previous_validation", PPreviousValidation, Ty::Date),
            ("erasmus_mundus", PErasmusMundus, Ty::Bool),
            ("accreditations", PAccreditations, list(Ty::Str)),
            ("exit_awards", PExitAwards, list(Ty::ExitAward)),
            ("rpl_certificated", PRplCertificated, Ty::Int),
            ("rpl_experiential", PRplExperiential, Ty::Int),
            ("partners", PPartners, list(Ty::Partner)),
            ("first_contact", PFirstContact, Ty::Dur),
            ("second_contact", PSecondContact, Ty::Dur),
            ("interview", PInterview, Ty::Dur),
            ("agreements_per_year", PAgreementsPerYear, Ty::Int),
            ("shared_with", PSharedWith, list(Ty::Str)),
            ("retention", PRetention, Ty::Dur),
            ("modules", PModules, list(Ty::Module)),
            ("years", PYears, list(Ty::Int)),
            ("stages", PStages, list(Ty::Int)),
            ("variances", PVariances, list(Ty::Variance)),
            ("structure", PStructure, Ty::Bool),
        ],
        Ty::ExitAward => vec![("award", XAward, Ty::Str), ("credits", XCredits, Ty::Int)],
        Ty::Partner => vec![
            ("name", RName, Ty::Str),
            ("model", RModel, Ty::Str),
            ("link_tutor", RLinkTutor, Ty::Str),
            ("programme_leader", RProgrammeLeader, Ty::Str),
            ("operational_framework", ROperationalFramework, Ty::Str),
        ],
        Ty::Variance => vec![
            ("rule", VRule, Ty::Str),
            ("applies_to", VAppliesTo, list(Ty::Str)),
            ("criterion", VCriterion, Ty::Str),
            ("psrb", VPsrb, Ty::Str),
            ("rationale", VRationale, Ty::Str),
            ("alternative", VAlternative, Ty::Str),
            ("evidence", VEvidence, Ty::Str),
            ("submitted", VSubmitted, Ty::Date),
            ("approved", VApproved, Ty::Bool),
            ("approved_on", VApprovedOn, Ty::Date),
            ("approved_by", VApprovedBy, Ty::Str),
        ],
        Ty::Assessment => vec![
            ("code", ACode, Ty::Str),
            ("title", ATitle, Ty::Str),
            ("kind", AKind, Ty::Str),
            ("weight", AWeight, Ty::Int),
            ("covers", ACovers, list(Ty::Str)),
            ("competency", ACompetency, Ty::Bool),
            ("module", AModule, Ty::Module),
        ],
        Ty::Outcome => vec![
            ("code", OCode, Ty::Str),
            ("text", OText, Ty::Str),
            ("module", OModule, Ty::Module),
        ],
        Ty::Award => vec![
            ("code", WCode, Ty::Str),
            ("title", WTitle, Ty::Str),
            ("family", WFamily, Ty::Str),
            ("credits", WCredits, list(Ty::Int)),
            ("levels", WLevels, list(Ty::Level)),
            ("exits", WExits, list(Ty::Str)),
            ("rpl_certificated", WRplCertificated, Ty::Int),
            ("rpl_experiential", WRplExperiential, Ty::Int),
        ],
        Ty::Level => vec![("level", LLevel, Ty::Int), ("credits", LCredits, Ty::Int)],
        _ => Vec::new(),
    }
}

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
    Str(Arc<str>, Option<Loc>),
    Date(Date),
    Dur(Dur),
    List(Arc<Vec<Value>>),
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

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s), None)
    }
}
