//! The policy schema, declared once: for every record type a rule can read
//! (module, programme, exit award, partner, variance, assessment, outcome,
//! award, level requirement), each field's name in the rule language, its
//! [`Field`], its [`Ty`], how its value is read from the model (`get`) and
//! where it was written, for `at` (`at`). The [`Field`] enum, the compiler's
//! field table ([`fields`]) and the evaluator's [`field`] and [`field_loc`]
//! are all generated from the one table below, so a field cannot be named
//! in one and forgotten in another.
//!
//! Each record type first binds what its rows read (`bind (...) = ...`):
//! `None` there (a dangling index) reads every field as absent.

use super::eval::{dur, list_of, opt_int, opt_int_in, opt_str, programme_modules, sstr, Ctx};
use super::types::{Loc, Seq, Ty, Value};
use crate::model::build::MAX_INT;
use crate::model::{Entry, Membership, Programme};
use crate::span::{Span, Spanned, Str};

fn list(t: Ty) -> Ty {
    Ty::List(Box::new(t))
}

fn at(source: usize, span: Span) -> Option<Loc> {
    Some(Loc { source, span })
}

/// Where an optional property was written (absent: nowhere).
fn at_opt<T>(source: usize, x: Option<&Spanned<T>>) -> Option<Loc> {
    x.and_then(|c| at(source, c.span))
}

/// Where a module's placement in a structure was written (its code there
/// when the line has no placement).
fn placement(ep: Option<(&Programme, &Entry)>) -> Option<Loc> {
    ep.and_then(|(p, e)| at(p.source, e.placement_span.unwrap_or(e.code.span)))
}

macro_rules! schema {
    (
        ($ctx:ident)
        $(
            $ty:ident: $pat:pat => bind ($($b:pat),+) = $prelude:expr;
            { $( $name:literal $var:ident: $fty:expr, get $get:expr, at $at:expr; )* }
        )*
    ) => {
        /// A field of a record type, resolved from its name at compile time
        /// (so evaluation never looks a name up).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Field {
            $($($var,)*)*
        }

        /// The fields of a type: name, field, type.
        pub fn fields(ty: &Ty) -> Vec<(&'static str, Field, Ty)> {
            match ty {
                $( Ty::$ty => vec![$(($name, Field::$var, $fty)),*], )*
                _ => Vec::new(),
            }
        }

        /// Reads a field (absent: [`Value::None`]).
        #[allow(unused_variables, unused_parens)]
        pub fn field($ctx: &Ctx, v: &Value, f: Field) -> Value {
            match v {
                $( $pat => {
                    let Some(($($b),+)) = $prelude else {
                        return Value::None;
                    };
                    match f {
                        $( Field::$var => $get, )*
                        #[allow(unreachable_patterns)]
                        _ => Value::None,
                    }
                } )*
                _ => Value::None,
            }
        }

        /// Where a field of a record was written (for `at`).
        #[allow(unused_variables, unused_parens)]
        pub fn field_loc($ctx: &Ctx, v: &Value, f: Field) -> Option<Loc> {
            match v {
                $( $pat => {
                    let ($($b),+) = $prelude?;
                    match f {
                        $( Field::$var => $at, )*
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                } )*
                _ => None,
            }
        }
    };
}

schema! {
    (ctx)

    // A module, and with `(programme, entry)` its placement in a structure.
    Module: Value::Module(mid, entry) => bind (m, s, ep, period) = ctx.ws.modules.get(*mid).map(|m| {
        let ep = entry.and_then(|(p, e)| {
            let p = ctx.ws.programmes.get(p)?;
            Some((p, p.structure.as_ref()?.entries.get(e)?))
        });
        (m, m.source, ep, ep.and_then(|(_, e)| e.period))
    });
    {
        "code" MCode: Ty::Str,
            get sstr(&m.code.value, at(s, m.code.span)),
            at at(s, m.code.span);
        "title" MTitle: Ty::Str,
            get sstr(&m.title, None),
            at at(s, m.code.span);
        "credits" MCredits: Ty::Int,
            get opt_int_in(m.credits.as_ref(), 0, MAX_INT),
            at at_opt(s, m.credits.as_ref());
        "level" MLevel: Ty::Int,
            get opt_int_in(m.level.as_ref(), 3, 8),
            at at_opt(s, m.level.as_ref());
        "weeks" MWeeks: Ty::Int,
            get opt_int_in(m.weeks.as_ref(), 1, MAX_INT),
            at at_opt(s, m.weeks.as_ref());
        "pass_mark" MPassMark: Ty::Int,
            get opt_int_in(m.pass_mark.as_ref(), 0, 100),
            at at_opt(s, m.pass_mark.as_ref());
        "research_skills" MResearchSkills: Ty::Bool,
            get Value::Bool(m.research_skills.is_some()),
            at m.research_skills.and_then(|c| at(s, c));
        "dissertation" MDissertation: Ty::Bool,
            get Value::Bool(m.dissertation.is_some()),
            at m.dissertation.and_then(|c| at(s, c));
        "placement" MPlacement: Ty::Bool,
            get Value::Bool(m.placement.is_some()),
            at m.placement.and_then(|c| at(s, c));
        "pass_fail" MPassFail: Ty::Bool,
            get Value::Bool(m.pass_fail.is_some()),
            at m.pass_fail.and_then(|c| at(s, c));
        "requires" MRequires: list(Ty::Str),
            get list_of(m.requires.iter().map(|r| sstr(&r.value, at(s, r.span))).collect()),
            at m.requires_span.and_then(|c| at(s, c));
        "prerequisites" MPrerequisites: list(Ty::Module),
            get list_of(
                m.requires
                    .iter()
                    .filter_map(|r| ctx.ws.module_id(&r.value))
                    .map(|id| Value::Module(id, None))
                    .collect(),
            ),
            at m.requires_span.and_then(|c| at(s, c));
        "outcomes" MOutcomes: list(Ty::Outcome),
            get Value::Seq(Seq::Outcomes(*mid)),
            at at(s, m.code.span);
        "assessments" MAssessments: list(Ty::Assessment),
            get Value::Seq(Seq::Assessments(*mid)),
            at at(s, m.code.span);
        // The placement, for a module of a structure: at its placement (or
        // its code in the structure when it has none).
        "stage" EStage: Ty::Int,
            get ep.and_then(|(_, e)| e.stage).map(|x| Value::Int(x as i64)).unwrap_or(Value::None),
            at placement(ep);
        "year" EYear: Ty::Int,
            get period.map(|x| Value::Int(x.year as i64)).unwrap_or(Value::None),
            at placement(ep);
        "start" EStart: Ty::Int,
            get period.map(|x| Value::Int(x.start as i64)).unwrap_or(Value::None),
            at placement(ep);
        "end" EEnd: Ty::Int,
            get period.map(|x| Value::Int(x.end as i64)).unwrap_or(Value::None),
            at placement(ep);
        "semesters" ESemesters: Ty::Int,
            get period
                .map(|x| Value::Int(x.semesters() as i64))
                .unwrap_or(Value::None),
            at placement(ep);
        "spanning" ESpanning: Ty::Bool,
            get period.map(|x| Value::Bool(x.spanning())).unwrap_or(Value::None),
            at placement(ep);
        // Whether the module is core is said by the `core` or `option` line
        // that lists it.
        "core" ECore: Ty::Bool,
            get ep
                .map(|(_, e)| Value::Bool(e.membership == Membership::Core))
                .unwrap_or(Value::None),
            at ep.and_then(|(p, e)| at(p.source, e.line_span));
    }

    Programme: Value::Programme(pid) => bind (p, s) = ctx.ws.programmes.get(*pid).map(|p| (p, p.source));
    {
        "code" PCode: Ty::Str,
            get sstr(&p.code.value, at(s, p.code.span)),
            at None;
        "title" PTitle: Ty::Str,
            get sstr(&p.title, None),
            at None;
        "award" PAward: Ty::Str,
            get opt_str(p.award.as_ref(), s),
            at at_opt(s, p.award.as_ref());
        "framework" PFramework: Ty::Str,
            get opt_str(p.framework.as_ref(), s),
            at at_opt(s, p.framework.as_ref());
        "credits" PCredits: Ty::Int,
            get opt_int_in(p.credits.as_ref(), 1, MAX_INT),
            at at_opt(s, p.credits.as_ref());
        "modes" PModes: list(Ty::Str),
            get list_of(p.modes.iter().map(|m| opt_str(Some(m), s)).collect()),
            at None;
        "language" PLanguage: Ty::Str,
            get opt_str(p.language.as_ref(), s),
            at at_opt(s, p.language.as_ref());
        // No `delivery` line: semesterised.
        "delivery" PDelivery: Ty::Str,
            get match &p.delivery {
                Some(d) => opt_str(Some(d), s),
                None => Value::Str(Str::inline("semesterised"), None),
            },
            at at_opt(s, p.delivery.as_ref());
        "starts" PStarts: Ty::Date,
            get p.starts.as_ref().map(|d| Value::Date(d.value)).unwrap_or(Value::None),
            at at_opt(s, p.starts.as_ref());
        "validated" PValidated: Ty::Date,
            get p.validated.as_ref().map(|d| Value::Date(d.value)).unwrap_or(Value::None),
            at at_opt(s, p.validated.as_ref());
        "previous_validation" PPreviousValidation: Ty::Date,
            get p.previous_validation.as_ref().map(|d| Value::Date(d.value)).unwrap_or(Value::None),
            at at_opt(s, p.previous_validation.as_ref());
        "erasmus_mundus" PErasmusMundus: Ty::Bool,
            get Value::Bool(p.erasmus_mundus.is_some()),
            at p.erasmus_mundus.and_then(|c| at(s, c));
        "accreditations" PAccreditations: list(Ty::Str),
            get list_of(p.accreditations.iter().map(|a| opt_str(Some(a), s)).collect()),
            at None;
        "exit_awards" PExitAwards: list(Ty::ExitAward),
            get list_of((0..p.exit_awards.len()).map(|i| Value::ExitAward(*pid, i)).collect()),
            at None;
        "rpl_certificated" PRplCertificated: Ty::Int,
            get opt_int(p.rpl.as_ref().and_then(|r| r.certificated.as_ref())),
            at p.rpl
                .as_ref()
                .and_then(|r| r.certificated.as_ref().map(|c| c.span).or(Some(r.span)))
                .and_then(|c| at(s, c));
        "rpl_experiential" PRplExperiential: Ty::Int,
            get opt_int(p.rpl.as_ref().and_then(|r| r.experiential.as_ref())),
            at p.rpl
                .as_ref()
                .and_then(|r| r.experiential.as_ref().map(|c| c.span).or(Some(r.span)))
                .and_then(|c| at(s, c));
        "partners" PPartners: list(Ty::Partner),
            get list_of((0..p.partners.len()).map(|i| Value::Partner(*pid, i)).collect()),
            at None;
        "first_contact" PFirstContact: Ty::Dur,
            get dur(p.attendance.as_ref().and_then(|a| a.first_contact.as_ref())),
            at p.attendance.as_ref().and_then(|a| a.first_contact.as_ref()).and_then(|c| at(s, c.span));
        "second_contact" PSecondContact: Ty::Dur,
            get dur(p.attendance.as_ref().and_then(|a| a.second_contact.as_ref())),
            at p.attendance.as_ref().and_then(|a| a.second_contact.as_ref()).and_then(|c| at(s, c.span));
        "interview" PInterview: Ty::Dur,
            get dur(p.attendance.as_ref().and_then(|a| a.interview.as_ref())),
            at p.attendance.as_ref().and_then(|a| a.interview.as_ref()).and_then(|c| at(s, c.span));
        "agreements_per_year" PAgreementsPerYear: Ty::Int,
            get opt_int(p.attendance.as_ref().and_then(|a| a.agreements_per_year.as_ref())),
            at p.attendance
                .as_ref()
                .and_then(|a| a.agreements_per_year.as_ref())
                .and_then(|c| at(s, c.span));
        "shared_with" PSharedWith: list(Ty::Str),
            get list_of(
                p.engagement
                    .as_ref()
                    .map(|e| e.shared_with.iter().map(|x| opt_str(Some(x), s)).collect())
                    .unwrap_or_default(),
            ),
            at p.engagement.as_ref().and_then(|a| at(s, a.span));
        "retention" PRetention: Ty::Dur,
            get dur(p.engagement.as_ref().and_then(|e| e.retention.as_ref())),
            at p.engagement.as_ref().and_then(|a| a.retention.as_ref()).and_then(|c| at(s, c.span));
        // The evaluated programme's list is built once (every rule and every
        // nested quantifier shares it).
        "modules" PModules: list(Ty::Module),
            get if ctx.prog == Some(*pid) {
                ctx.prog_modules.get_or_init(|| programme_modules(ctx.ws, *pid)).clone()
            } else {
                programme_modules(ctx.ws, *pid)
            },
            at structure_head(p, s);
        "years" PYears: list(Ty::Int),
            get {
                let mut ys: Vec<u64> = p
                    .structure
                    .iter()
                    .flat_map(|st| st.entries.iter().filter_map(|e| e.period.map(|x| u64::from(x.year))))
                    .collect();
                ys.sort_unstable();
                ys.dedup();
                list_of(ys.into_iter().map(|y| Value::Int(y as i64)).collect())
            },
            at structure_head(p, s);
        "stages" PStages: list(Ty::Int),
            get list_of(
                p.structure
                    .iter()
                    .flat_map(|st| st.stages.iter().map(|x| Value::Int(x.number.value as i64)))
                    .collect(),
            ),
            at structure_head(p, s);
        "variances" PVariances: list(Ty::Variance),
            get list_of((0..p.variances.len()).map(|i| Value::Variance(*pid, i)).collect()),
            at None;
        "structure" PStructure: Ty::Bool,
            get Value::Bool(p.structure.is_some()),
            at structure_head(p, s);
    }

    ExitAward: Value::ExitAward(pid, i) => bind (x, s) = ctx
        .ws
        .programmes
        .get(*pid)
        .and_then(|p| p.exit_awards.get(*i).map(|x| (x, p.source)));
    {
        "award" XAward: Ty::Str,
            get opt_str(Some(&x.award), s),
            at at(s, x.award.span);
        "credits" XCredits: Ty::Int,
            get opt_int_in(Some(&x.credits), 1, MAX_INT),
            at at(s, x.credits.span);
    }

    Partner: Value::Partner(pid, i) => bind (x, s) = ctx
        .ws
        .programmes
        .get(*pid)
        .and_then(|p| p.partners.get(*i).map(|x| (x, p.source)));
    {
        "name" RName: Ty::Str,
            get opt_str(Some(&x.name), s),
            at at(s, x.name.span);
        "model" RModel: Ty::Str,
            get opt_str(x.model.as_ref(), s),
            at at_opt(s, x.model.as_ref());
        "link_tutor" RLinkTutor: Ty::Str,
            get opt_str(x.link_tutor.as_ref(), s),
            at at_opt(s, x.link_tutor.as_ref());
        "programme_leader" RProgrammeLeader: Ty::Str,
            get opt_str(x.programme_leader.as_ref(), s),
            at at_opt(s, x.programme_leader.as_ref());
        "operational_framework" ROperationalFramework: Ty::Str,
            get opt_str(x.operational_framework.as_ref(), s),
            at at_opt(s, x.operational_framework.as_ref());
    }

    Variance: Value::Variance(pid, i) => bind (v, s) = ctx
        .ws
        .programmes
        .get(*pid)
        .and_then(|p| p.variances.get(*i).map(|x| (x, p.source)));
    {
        "rule" VRule: Ty::Str,
            get opt_str(Some(&v.rule), s),
            at at(s, v.rule.span);
        "applies_to" VAppliesTo: list(Ty::Str),
            get list_of(v.applies_to.iter().map(|a| opt_str(Some(a), s)).collect()),
            at None;
        "criterion" VCriterion: Ty::Str,
            get opt_str(v.criterion.as_ref().map(|c| &c.name), s),
            at v.criterion.as_ref().and_then(|c| at(s, c.span));
        "psrb" VPsrb: Ty::Str,
            get opt_str(v.criterion.as_ref().and_then(|c| c.body.as_ref()), s),
            at v.criterion.as_ref().and_then(|c| at(s, c.span));
        "rationale" VRationale: Ty::Str,
            get opt_str(v.rationale.as_ref(), s),
            at at_opt(s, v.rationale.as_ref());
        "alternative" VAlternative: Ty::Str,
            get opt_str(v.alternative.as_ref(), s),
            at at_opt(s, v.alternative.as_ref());
        "evidence" VEvidence: Ty::Str,
            get opt_str(v.evidence.as_ref(), s),
            at at_opt(s, v.evidence.as_ref());
        "submitted" VSubmitted: Ty::Date,
            get v.submitted.as_ref().map(|d| Value::Date(d.value)).unwrap_or(Value::None),
            at at_opt(s, v.submitted.as_ref());
        "approved" VApproved: Ty::Bool,
            get Value::Bool(v.approved.is_some()),
            at v.approved.as_ref().and_then(|c| at(s, c.span));
        "approved_on" VApprovedOn: Ty::Date,
            get v
                .approved
                .as_ref()
                .and_then(|a| a.date.as_ref())
                .map(|d| Value::Date(d.value))
                .unwrap_or(Value::None),
            at v.approved.as_ref().and_then(|c| at(s, c.span));
        "approved_by" VApprovedBy: Ty::Str,
            get opt_str(v.approved.as_ref().map(|a| &a.by), s),
            at v.approved.as_ref().and_then(|c| at(s, c.span));
    }

    Assessment: Value::Assessment(mid, i) => bind (a, s, am, ai) = ctx
        .ws
        .modules
        .get(*mid)
        .and_then(|m| m.assessments.get(*i).map(|a| (a, m.source, *mid, *i)));
    {
        "code" ACode: Ty::Str,
            get opt_str(Some(&a.code), s),
            at at(s, a.code.span);
        "title" ATitle: Ty::Str,
            get opt_str(Some(&a.title), s),
            at at(s, a.code.span);
        "kind" AKind: Ty::Str,
            get opt_str(a.kind.as_ref(), s),
            at at_opt(s, a.kind.as_ref());
        "weight" AWeight: Ty::Int,
            get opt_int(a.weight.as_ref()),
            at at_opt(s, a.weight.as_ref());
        "covers" ACovers: list(Ty::Str),
            get Value::Seq(Seq::Covers(am, ai)),
            at a.covers_span.and_then(|c| at(s, c));
        "competency" ACompetency: Ty::Bool,
            get Value::Bool(a.competency.is_some()),
            at a.competency.and_then(|c| at(s, c));
        "module" AModule: Ty::Module,
            get Value::Module(*mid, None),
            at None;
    }

    Outcome: Value::Outcome(mid, i) => bind (o, s) = ctx
        .ws
        .modules
        .get(*mid)
        .and_then(|m| m.outcomes.get(*i).map(|o| (o, m.source)));
    {
        "code" OCode: Ty::Str,
            get opt_str(Some(&o.code), s),
            at at(s, o.code.span);
        "text" OText: Ty::Str,
            get opt_str(Some(&o.text), s),
            at at(s, o.text.span);
        "module" OModule: Ty::Module,
            get Value::Module(*mid, None),
            at at(s, o.code.span);
    }

    // An award of the evaluating framework (no source: never an `at`).
    Award: Value::Award(i) => bind (a, _none) = ctx.awards.get(*i).map(|a| (a, ()));
    {
        "code" WCode: Ty::Str,
            get Value::str(&a.code),
            at None;
        "title" WTitle: Ty::Str,
            get Value::str(&a.title),
            at None;
        "family" WFamily: Ty::Str,
            get a.family.as_deref().map(Value::str).unwrap_or(Value::None),
            at None;
        "credits" WCredits: list(Ty::Int),
            get list_of(
                a.credits
                    .iter()
                    .map(|&(lo, hi)| if lo == hi { Value::Int(lo) } else { Value::Range(lo, hi) })
                    .collect(),
            ),
            at None;
        "levels" WLevels: list(Ty::Level),
            get list_of(a.levels.iter().map(|&(l, c)| Value::Level(l, c)).collect()),
            at None;
        "exits" WExits: list(Ty::Str),
            get list_of(a.exits.iter().map(|e| Value::str(e)).collect()),
            at None;
        "rpl_certificated" WRplCertificated: Ty::Int,
            get a.rpl.map(|r| Value::Int(r.0)).unwrap_or(Value::None),
            at None;
        "rpl_experiential" WRplExperiential: Ty::Int,
            get a.rpl.map(|r| Value::Int(r.1)).unwrap_or(Value::None),
            at None;
    }

    // One `level N credits C` requirement of an award.
    Level: Value::Level(l, c) => bind (l, c) = Some((*l, *c));
    {
        "level" LLevel: Ty::Int,
            get Value::Int(l),
            at None;
        "credits" LCredits: Ty::Int,
            get c.map(Value::Int).unwrap_or(Value::None),
            at None;
    }
}

/// The `structure` keyword of a programme: the block is the subject, its
/// head the span.
fn structure_head(p: &crate::model::Programme, s: usize) -> Option<Loc> {
    p.structure.as_ref().and_then(|x| {
        at(
            s,
            Span::new(x.span.start(), (x.span.start() + "structure".len()).min(x.span.end())),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name given twice in one record type would hide the second field.
    #[test]
    fn field_names_are_unique_per_type() {
        for ty in [
            Ty::Module,
            Ty::Programme,
            Ty::ExitAward,
            Ty::Partner,
            Ty::Variance,
            Ty::Assessment,
            Ty::Outcome,
            Ty::Award,
            Ty::Level,
        ] {
            let names: Vec<&str> = fields(&ty).iter().map(|(n, _, _)| *n).collect();
            assert!(!names.is_empty(), "{ty:?}");
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{ty:?}: {names:?}");
        }
    }
}
