//! `spec export`: the resolved model as a versioned JSON document (its
//! schema, generated from these types, is `docs/export.schema.json`) or as
//! the two CSV tables that `spec import csv` reads back.

use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use super::import::entry_rows;
use super::table::{Flags, Slot, Status, MODULE_COLUMNS, STRUCTURE_COLUMNS};
use crate::analysis::Analysis;
use crate::diag::{Diagnostic, Severity};
use crate::model::pathways::PathwaySpace;
use crate::model::{Module, Programme};

/// The version of the JSON document; bumped on an incompatible change.
pub const VERSION: u32 = 1;

/// `spec export --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Export {
    /// Always 1 for this layout. Fields may be added; none are removed.
    pub version: u32,
    pub tool: Tool,
    pub programmes: Vec<ProgrammeOut>,
    pub modules: Vec<ModuleOut>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// Diagnostics about an item (waived ones counted apart).
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Counts {
    pub errors: u64,
    pub warnings: u64,
    pub infos: u64,
    pub waived: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgrammeOut {
    pub code: String,
    pub title: String,
    /// The file that defines it, as `spec check` names it.
    pub file: String,
    pub award: Option<String>,
    pub framework: Option<String>,
    pub credits: Option<u64>,
    pub modes: Vec<String>,
    pub language: Option<String>,
    /// `semesterised` when not written.
    pub delivery: String,
    pub starts: Option<String>,
    pub validated: Option<String>,
    pub previous_validation: Option<String>,
    pub erasmus_mundus: bool,
    pub accreditations: Vec<String>,
    pub exit_awards: Vec<ExitAwardOut>,
    /// Recognition of prior learning: the most credits recognised.
    pub rpl: Option<RplOut>,
    /// Partner institutions, in order.
    pub partners: Vec<PartnerOut>,
    pub attendance: Option<AttendanceOut>,
    pub engagement: Option<EngagementOut>,
    /// Every module of the structure, in order.
    pub structure: Vec<EntryOut>,
    /// The option groups, indexed by `EntryOut.option`.
    pub options: Vec<OptionOut>,
    /// The number of pathways (complete choices of options), saturating;
    /// `null` when it cannot be counted (a module is missing or has no
    /// credits, or an option cannot be satisfied).
    pub pathways: Option<u64>,
    pub variances: Vec<VarianceOut>,
    pub diagnostics: Counts,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ExitAwardOut {
    pub award: String,
    pub credits: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RplOut {
    pub certificated: Option<u64>,
    pub experiential: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PartnerOut {
    pub name: String,
    pub model: Option<String>,
    pub link_tutor: Option<String>,
    pub programme_leader: Option<String>,
    pub operational_framework: Option<String>,
}

/// A duration as written: an amount and its unit (`day`, `week`, `month`,
/// `year`).
#[derive(Debug, Serialize, JsonSchema)]
pub struct DurationOut {
    pub amount: u64,
    pub unit: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AttendanceOut {
    pub first_contact: Option<DurationOut>,
    pub second_contact: Option<DurationOut>,
    pub interview: Option<DurationOut>,
    pub agreements_per_year: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EngagementOut {
    pub shared_with: Vec<String>,
    pub retention: Option<DurationOut>,
}

fn duration(d: &Option<crate::model::DurationValue>) -> Option<DurationOut> {
    d.as_ref().map(|d| DurationOut {
        amount: d.amount,
        unit: match d.unit {
            crate::model::Unit::Day => "day",
            crate::model::Unit::Week => "week",
            crate::model::Unit::Month => "month",
            crate::model::Unit::Year => "year",
        }
        .to_string(),
    })
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct EntryOut {
    pub module: String,
    /// `core` or `option`.
    pub status: String,
    /// Index into `options` for an option module.
    pub option: Option<usize>,
    /// First and last semester; `null` when no placement is written.
    pub semesters: Option<[u64; 2]>,
    pub year: Option<u64>,
    pub stage: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OptionOut {
    pub title: String,
    pub choose: u64,
    pub stage: Option<u64>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct VarianceOut {
    pub rule: String,
    pub applies_to: Vec<String>,
    pub criterion: Option<String>,
    /// The body named by a `psrb "BODY"` criterion.
    pub criterion_body: Option<String>,
    #[serde(flatten)]
    pub texts: crate::report::variances::VarianceTexts,
    /// `approved` or `pending`.
    pub status: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ModuleOut {
    pub code: String,
    pub title: String,
    pub file: String,
    /// The department (`DPT_CODE`): the defining file's name without extension.
    pub department: String,
    pub credits: Option<u64>,
    pub level: Option<u64>,
    pub weeks: Option<u64>,
    pub pass_mark: Option<u64>,
    pub research_skills: bool,
    pub dissertation: bool,
    pub placement: bool,
    pub pass_fail: bool,
    pub requires: Vec<String>,
    pub outcomes: Vec<OutcomeOut>,
    pub assessments: Vec<AssessmentOut>,
    pub diagnostics: Counts,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct OutcomeOut {
    pub code: String,
    pub text: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AssessmentOut {
    pub code: String,
    pub title: String,
    pub kind: Option<String>,
    /// Percent.
    pub weight: Option<u64>,
    pub covers: Vec<String>,
    pub competency: bool,
}

/// The JSON Schema of [`Export`], pretty-printed (what `docs/export.schema.json` holds).
pub fn schema() -> String {
    let s = schemars::schema_for!(Export);
    serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
}

fn count(c: &mut Counts, d: &Diagnostic) {
    if d.is_waived() {
        c.waived += 1;
    } else {
        match d.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
}

fn department(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The items to export: those defined in a primary file (`primary[source]`),
/// first definitions only.
fn items<'a>(a: &'a Analysis, primary: &'a [bool]) -> (Vec<&'a Module>, Vec<&'a Programme>) {
    let is_primary = |s: usize| primary.get(s).copied().unwrap_or(false);
    let modules = a
        .workspace
        .modules
        .iter()
        .enumerate()
        .filter(|(i, m)| is_primary(m.source) && a.workspace.module_id(&m.code.value) == Some(*i))
        .map(|(_, m)| m)
        .collect();
    let programmes = a
        .workspace
        .programmes
        .iter()
        .enumerate()
        .filter(|(i, p)| is_primary(p.source) && a.workspace.programme_id(&p.code.value) == Some(*i))
        .map(|(_, p)| p)
        .collect();
    (modules, programmes)
}

/// The JSON document of an analysis.
pub fn to_json(a: &Analysis, primary: &[bool]) -> Export {
    let (modules, programmes) = items(a, primary);
    let name = |s: usize| a.sources.name(s).to_string();
    let mut module_counts: Vec<Counts> = modules.iter().map(|_| Counts::default()).collect();
    let mut programme_counts: Vec<Counts> = programmes.iter().map(|_| Counts::default()).collect();
    for d in &a.diagnostics {
        // A diagnostic about a module counts for the module; else for the
        // programme it names; else for the item whose text it points into.
        if let Some(i) = d
            .module
            .as_deref()
            .and_then(|c| modules.iter().position(|m| m.code.value == c))
        {
            count(&mut module_counts[i], d);
        } else if let Some(i) = d
            .programme
            .as_deref()
            .and_then(|c| programmes.iter().position(|p| p.code.value == c))
        {
            count(&mut programme_counts[i], d);
        } else if let Some(i) = modules
            .iter()
            .position(|m| m.source == d.source && m.span.start() <= d.span.start() && d.span.end() <= m.span.end())
        {
            count(&mut module_counts[i], d);
        } else if let Some(i) = programmes
            .iter()
            .position(|p| p.source == d.source && p.span.start() <= d.span.start() && d.span.end() <= p.span.end())
        {
            count(&mut programme_counts[i], d);
        }
    }
    let sv = |s: &Option<crate::span::Spanned<crate::span::Str>>| s.as_ref().map(|v| v.value.to_string());
    let programmes_out = programmes
        .iter()
        .zip(programme_counts)
        .map(|(p, diagnostics)| {
            let (structure, options) = match &p.structure {
                None => (Vec::new(), Vec::new()),
                Some(s) => (
                    s.entries
                        .iter()
                        .map(|e| {
                            let (status, option) = match e.membership {
                                crate::model::Membership::Core => ("core", None),
                                crate::model::Membership::Option(g) => ("option", Some(g as usize)),
                            };
                            EntryOut {
                                module: e.code.value.to_string(),
                                status: status.to_string(),
                                option,
                                semesters: e.period.map(|p| [p.start.into(), p.end.into()]),
                                year: e.period.map(|p| p.year.into()),
                                stage: e.stage,
                            }
                        })
                        .collect(),
                    s.groups
                        .iter()
                        .map(|g| OptionOut {
                            title: g.title.value.to_string(),
                            choose: g.choose.value,
                            stage: g.stage,
                        })
                        .collect(),
                ),
            };
            let pathways = PathwaySpace::new(&a.workspace, p)
                .ok()
                .map(|s| u64::try_from(s.count()).unwrap_or(u64::MAX));
            ProgrammeOut {
                code: p.code.value.to_string(),
                title: p.title.to_string(),
                file: name(p.source),
                award: sv(&p.award),
                framework: sv(&p.framework),
                credits: p.credits.as_ref().map(|c| c.value),
                modes: p.modes.iter().map(|m| m.value.to_string()).collect(),
                language: sv(&p.language),
                delivery: p.delivery().to_string(),
                starts: p.starts.as_ref().map(|d| d.value.to_string()),
                validated: p.validated.as_ref().map(|d| d.value.to_string()),
                previous_validation: p.previous_validation.as_ref().map(|d| d.value.to_string()),
                erasmus_mundus: p.erasmus_mundus.is_some(),
                accreditations: p.accreditations.iter().map(|a| a.value.to_string()).collect(),
                exit_awards: p
                    .exit_awards
                    .iter()
                    .map(|e| ExitAwardOut {
                        award: e.award.value.to_string(),
                        credits: e.credits.value,
                    })
                    .collect(),
                rpl: p.rpl.as_ref().map(|r| RplOut {
                    certificated: r.certificated.as_ref().map(|c| c.value),
                    experiential: r.experiential.as_ref().map(|c| c.value),
                }),
                partners: p
                    .partners
                    .iter()
                    .map(|x| {
                        let s = |v: &Option<crate::span::Spanned<crate::span::Str>>| {
                            v.as_ref().map(|v| v.value.to_string())
                        };
                        PartnerOut {
                            name: x.name.value.to_string(),
                            model: s(&x.model),
                            link_tutor: s(&x.link_tutor),
                            programme_leader: s(&x.programme_leader),
                            operational_framework: s(&x.operational_framework),
                        }
                    })
                    .collect(),
                attendance: p.attendance.as_ref().map(|x| AttendanceOut {
                    first_contact: duration(&x.first_contact),
                    second_contact: duration(&x.second_contact),
                    interview: duration(&x.interview),
                    agreements_per_year: x.agreements_per_year.as_ref().map(|v| v.value),
                }),
                engagement: p.engagement.as_ref().map(|x| EngagementOut {
                    shared_with: x.shared_with.iter().map(|v| v.value.to_string()).collect(),
                    retention: duration(&x.retention),
                }),
                structure,
                options,
                pathways,
                variances: p
                    .variances
                    .iter()
                    .map(|v| VarianceOut {
                        rule: v.rule.value.to_string(),
                        applies_to: v.applies_to.iter().map(|c| c.value.to_string()).collect(),
                        criterion: v.criterion.as_ref().map(|c| c.name.value.to_string()),
                        criterion_body: v.criterion.as_ref().and_then(|c| sv(&c.body)),
                        texts: crate::report::variances::VarianceTexts::of(v),
                        status: if v.approved.is_some() { "approved" } else { "pending" }.to_string(),
                    })
                    .collect(),
                diagnostics,
            }
        })
        .collect();
    let modules_out = modules
        .iter()
        .zip(module_counts)
        .map(|(m, diagnostics)| ModuleOut {
            code: m.code.value.to_string(),
            title: m.title.to_string(),
            file: name(m.source),
            department: department(a.sources.name(m.source)),
            credits: m.credits.as_ref().map(|c| c.value),
            level: m.level.as_ref().map(|c| c.value),
            weeks: m.weeks.as_ref().map(|c| c.value),
            pass_mark: m.pass_mark.as_ref().map(|c| c.value),
            research_skills: m.research_skills.is_some(),
            dissertation: m.dissertation.is_some(),
            placement: m.placement.is_some(),
            pass_fail: m.pass_fail.is_some(),
            requires: m.requires.iter().map(|c| c.value.to_string()).collect(),
            outcomes: m
                .outcomes
                .iter()
                .map(|o| OutcomeOut {
                    code: o.code.value.to_string(),
                    text: o.text.value.to_string(),
                })
                .collect(),
            assessments: m
                .assessments
                .iter()
                .map(|s| AssessmentOut {
                    code: s.code.value.to_string(),
                    title: s.title.value.to_string(),
                    kind: sv(&s.kind),
                    weight: s.weight.as_ref().map(|w| w.value),
                    covers: s.covers.iter().map(|c| c.value.to_string()).collect(),
                    competency: s.competency.is_some(),
                })
                .collect(),
            diagnostics,
        })
        .collect();
    Export {
        version: VERSION,
        tool: Tool {
            name: "spec".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        programmes: programmes_out,
        modules: modules_out,
    }
}

/// The two CSV tables (`modules.csv`, `structure.csv`) of an analysis, with
/// the column headers of `mapping` (`[import.columns]`).
pub fn to_csv(
    a: &Analysis,
    primary: &[bool],
    mapping: &std::collections::BTreeMap<String, String>,
) -> (String, String) {
    let (modules, programmes) = items(a, primary);
    let opt = |o: Option<u64>| o.map(|n| n.to_string()).unwrap_or_default();
    let module_rows: Vec<Vec<String>> = modules
        .iter()
        .map(|m| {
            let flags = Flags {
                dissertation: m.dissertation.is_some(),
                research_skills: m.research_skills.is_some(),
                placement: m.placement.is_some(),
            };
            vec![
                m.code.value.to_string(),
                m.title.to_string(),
                opt(m.credits.as_ref().map(|c| c.value)),
                opt(m.level.as_ref().map(|c| c.value)),
                opt(m.weeks.as_ref().map(|c| c.value)),
                m.requires
                    .iter()
                    .map(|c| c.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                flags.to_cell(),
                department(a.sources.name(m.source)),
            ]
        })
        .collect();
    let mut structure_rows = Vec::new();
    for p in &programmes {
        let head = vec![
            p.code.value.to_string(),
            p.title.to_string(),
            p.award.as_ref().map(|a| a.value.to_string()).unwrap_or_default(),
            opt(p.credits.as_ref().map(|c| c.value)),
            p.framework.as_ref().map(|a| a.value.to_string()).unwrap_or_default(),
        ];
        let rows = p.structure.as_ref().map(entry_rows).unwrap_or_default();
        if rows.is_empty() {
            let mut r = head.clone();
            r.extend(std::iter::repeat_n(String::new(), STRUCTURE_COLUMNS.len() - head.len()));
            structure_rows.push(r);
        }
        for e in rows {
            let mut r = head.clone();
            let (name, credits) = e.option.clone().unwrap_or_default();
            r.extend([
                e.module.clone(),
                match e.status {
                    Status::Core => "C".to_string(),
                    Status::Option => "O".to_string(),
                },
                name,
                if e.status == Status::Option {
                    credits.to_string()
                } else {
                    String::new()
                },
                e.slot.map(Slot::to_cell).unwrap_or_default(),
                opt(e.year),
                opt(e.stage),
            ]);
            structure_rows.push(r);
        }
    }
    let header = |cols: &[&'static str]| -> Vec<String> {
        cols.iter()
            .map(|c| mapping.get(*c).cloned().unwrap_or_else(|| c.to_string()))
            .collect()
    };
    let mh = header(MODULE_COLUMNS);
    let sh = header(STRUCTURE_COLUMNS);
    let mh: Vec<&str> = mh.iter().map(|s| s.as_str()).collect();
    let sh: Vec<&str> = sh.iter().map(|s| s.as_str()).collect();
    (
        super::table::write_csv(&mh, &module_rows),
        super::table::write_csv(&sh, &structure_rows),
    )
}
