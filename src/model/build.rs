//! Syntax trees -> [`Workspace`], with the well-formedness diagnostics that
//! belong to reading values: `spec/syntax`, `spec/duplicate`,
//! `spec/missing-property`, `spec/invalid-value`, `spec/unknown-reference`.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::diag::{Diagnostic, SourceId};
use crate::syntax::ast::{
    self, AssessmentKind, Item, ModuleKind, PeriodSyntax, ProgrammeKind, SourceFile, StructureLine,
};
use crate::syntax::did_you_mean;
use crate::syntax::parser::PROGRAMME_KEYWORDS;

pub const KINDS: &[&str] = &[
    "coursework",
    "exam",
    "test",
    "presentation",
    "practical",
    "portfolio",
    "project",
];
pub const MODES: &[&str] = &["full-time", "part-time", "distance", "online"];
pub const DELIVERIES: &[&str] = &["semesterised", "year-long", "block"];
pub const PARTNER_MODELS: &[&str] = &["franchise", "validated", "joint", "dual"];
pub const CRITERIA: &[&str] = &["psrb", "discipline", "validation", "joint-award"];
pub const MAX_INT: u64 = 99_999;

struct Ctx<'a> {
    diags: &'a mut Vec<Diagnostic>,
    options: &'a BuildOptions,
}

/// What the workspace configuration changes in model building.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `spec.toml` sets `policy.framework`: a programme may omit `framework`.
    pub default_framework: bool,
}

impl Ctx<'_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn duplicate_prop(&mut self, src: SourceId, what: &str, second: Span, first: Span) {
        self.push(
            Diagnostic::error("spec/duplicate", src, second, format!("`{what}` is given twice"))
                .with_label("second value")
                .with_secondary(src, first, "first given here")
                .with_help(format!("`{what}` takes one value: remove one of them")),
        );
    }

    fn int(&mut self, src: SourceId, what: &str, v: &Spanned<u64>) {
        if v.value > MAX_INT {
            self.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    v.span,
                    format!("`{what}` is {}, over the largest allowed number", v.value),
                )
                .with_help(format!("numbers go up to {MAX_INT}")),
            );
        }
    }

    fn keyword_value(&mut self, src: SourceId, what: &str, v: &Spanned<String>, allowed: &[&str]) -> bool {
        if allowed.contains(&v.value.as_str()) {
            return true;
        }
        let mut help = format!("`{what}` is one of {}", list(allowed));
        if let Some(s) = did_you_mean(&v.value, allowed) {
            help = format!("did you mean `{s}`? {help}");
        }
        self.push(
            Diagnostic::error(
                "spec/invalid-value",
                src,
                v.span,
                format!("`{}` is not a known `{what}`", v.value),
            )
            .with_help(help),
        );
        false
    }
}

pub(crate) fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Sets a single-valued property, reporting a second value as `spec/duplicate`.
fn set_once<T>(ctx: &mut Ctx, src: SourceId, slot: &mut Option<(T, Span)>, value: T, keyword: &Spanned<String>) {
    match slot {
        Some((_, first)) => ctx.duplicate_prop(src, &keyword.value, keyword.span, *first),
        None => *slot = Some((value, keyword.span)),
    }
}

/// Builds the workspace model from parsed files (given in a deterministic
/// order) and reports well-formedness diagnostics.
pub fn build_workspace(files: &[(SourceId, &SourceFile)], diags: &mut Vec<Diagnostic>) -> Workspace {
    build_workspace_with(files, diags, &BuildOptions::default())
}

/// [`build_workspace`] under a workspace configuration.
pub fn build_workspace_with(
    files: &[(SourceId, &SourceFile)],
    diags: &mut Vec<Diagnostic>,
    options: &BuildOptions,
) -> Workspace {
    let mut ctx = Ctx { diags, options };
    let mut ws = Workspace::default();
    for (src, file) in files {
        for e in &file.errors {
            let mut d = Diagnostic::error("spec/syntax", *src, e.span, e.message.clone());
            d.help = e.help.clone();
            ctx.push(d);
        }
        for item in &file.items {
            match item {
                Item::Module(m) => {
                    let module = build_module(&mut ctx, *src, m);
                    ws.modules.push(module);
                }
                Item::Programme(p) => {
                    let programme = build_programme(&mut ctx, *src, p);
                    ws.programmes.push(programme);
                }
            }
        }
    }
    // Codes: first definition wins, later ones are duplicates.
    ws.module_index.reserve(ws.modules.len());
    ws.programme_index.reserve(ws.programmes.len());
    for (i, m) in ws.modules.iter().enumerate() {
        if let Some(&first) = ws.module_index.get(&m.code.value) {
            let f = &ws.modules[first];
            ctx.push(
                Diagnostic::error(
                    "spec/duplicate",
                    m.source,
                    m.code.span,
                    format!("module `{}` is defined twice", m.code.value),
                )
                .with_label("second definition")
                .with_secondary(f.source, f.code.span, "first defined here")
                .with_help("module codes are unique in a workspace: rename or remove one definition"),
            );
        } else {
            ws.module_index.insert(m.code.value.clone(), i);
        }
    }
    for (i, p) in ws.programmes.iter().enumerate() {
        if let Some(&first) = ws.programme_index.get(&p.code.value) {
            let f = &ws.programmes[first];
            ctx.push(
                Diagnostic::error(
                    "spec/duplicate",
                    p.source,
                    p.code.span,
                    format!("programme `{}` is defined twice", p.code.value),
                )
                .with_label("second definition")
                .with_secondary(f.source, f.code.span, "first defined here")
                .with_help("programme codes are unique in a workspace: rename or remove one definition"),
            );
        } else {
            ws.programme_index.insert(p.code.value.clone(), i);
        }
    }
    resolve_references(&mut ctx, &mut ws);
    ws
}

fn build_module(ctx: &mut Ctx, src: SourceId, m: &ast::ModuleItem) -> Module {
    let mut credits = None;
    let mut level = None;
    let mut weeks = None;
    let mut pass_mark = None;
    let mut rs = None;
    let mut diss = None;
    let mut placement = None;
    let mut pass_fail = None;
    let mut requires: Option<(Vec<Spanned<String>>, Span)> = None;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut assessments: Vec<Assessment> = Vec::new();
    for p in &m.props {
        match &p.kind {
            ModuleKind::Credits(v) => set_once(ctx, src, &mut credits, v.clone(), &p.keyword),
            ModuleKind::Level(v) => set_once(ctx, src, &mut level, v.clone(), &p.keyword),
            ModuleKind::Weeks(v) => set_once(ctx, src, &mut weeks, v.clone(), &p.keyword),
            ModuleKind::PassMark(v) => set_once(ctx, src, &mut pass_mark, v.clone(), &p.keyword),
            ModuleKind::Flag => {
                let slot = match p.keyword.value.as_str() {
                    "research-skills" => &mut rs,
                    "dissertation" => &mut diss,
                    "placement" => &mut placement,
                    _ => &mut pass_fail,
                };
                set_once(ctx, src, slot, p.keyword.span, &p.keyword);
            }
            ModuleKind::Requires(codes) => match &requires {
                Some((_, first)) => ctx.duplicate_prop(src, "requires", p.keyword.span, *first),
                None => requires = Some((codes.clone(), p.span)),
            },
            ModuleKind::Outcomes { outcomes: os, .. } => {
                for o in os {
                    outcomes.push(Outcome {
                        span: o.span,
                        code: o.code.clone(),
                        text: o.text.clone(),
                    });
                }
            }
            ModuleKind::Assessment(a) => assessments.push(build_assessment(ctx, src, p.span, a)),
        }
    }
    let credits = credits.map(|c| c.0);
    let level = level.map(|c| c.0);
    let weeks = weeks.map(|c| c.0);
    let pass_mark = pass_mark.map(|c| c.0);
    let module = Module {
        source: src,
        span: m.span,
        code: m.code.clone(),
        title: m.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        credits,
        level,
        weeks,
        pass_mark,
        research_skills: rs.map(|x| x.0),
        dissertation: diss.map(|x| x.0),
        placement: placement.map(|x| x.0),
        pass_fail: pass_fail.map(|x| x.0),
        requires_span: requires.as_ref().map(|r| r.1),
        requires: requires.map(|r| r.0).unwrap_or_default(),
        outcomes,
        assessments,
        broken: m.broken,
    };
    if !m.broken {
        check_module_values(ctx, &module);
    }
    module
}

fn build_assessment(ctx: &mut Ctx, src: SourceId, span: Span, a: &ast::Assessment) -> Assessment {
    let mut kind = None;
    let mut weight = None;
    let mut covers: Option<(Vec<Spanned<String>>, Span)> = None;
    let mut competency = None;
    for p in &a.props {
        match &p.kind {
            AssessmentKind::Kind(k) => set_once(ctx, src, &mut kind, k.clone(), &p.keyword),
            AssessmentKind::Weight(w) => set_once(ctx, src, &mut weight, w.clone(), &p.keyword),
            AssessmentKind::Covers(c) => match &covers {
                Some((_, first)) => ctx.duplicate_prop(src, "covers", p.keyword.span, *first),
                None => covers = Some((c.clone(), p.span)),
            },
            AssessmentKind::Competency => set_once(ctx, src, &mut competency, p.keyword.span, &p.keyword),
        }
    }
    Assessment {
        span,
        code: a.code.clone(),
        title: a.title.clone(),
        kind: kind.map(|k| k.0),
        weight: weight.map(|w| w.0),
        covers_span: covers.as_ref().map(|c| c.1),
        covers: covers.map(|c| c.0).unwrap_or_default(),
        competency: competency.map(|c| c.0),
    }
}

fn check_module_values(ctx: &mut Ctx, m: &Module) {
    let src = m.source;
    let code = &m.code.value;
    match &m.credits {
        None => ctx.push(
            Diagnostic::error(
                "spec/missing-property",
                src,
                m.code.span,
                format!("module `{code}` has no `credits`"),
            )
            .with_help("add `credits N` to the module, e.g. `credits 20`"),
        ),
        // `credits 0` is a non-credit-bearing unit: valid here, judged by
        // the framework's rules (rules.md, spec/invalid-value).
        Some(c) => ctx.int(src, "credits", c),
    }
    match &m.level {
        None => ctx.push(
            Diagnostic::error(
                "spec/missing-property",
                src,
                m.code.span,
                format!("module `{code}` has no `level`"),
            )
            .with_help("add `level N` to the module, e.g. `level 7`"),
        ),
        Some(l) if !(3..=8).contains(&l.value) => ctx.push(
            Diagnostic::error(
                "spec/invalid-value",
                src,
                l.span,
                format!("level `{}` is not between 3 and 8", l.value),
            )
            .with_help("levels of the framework for higher education qualifications run from 3 to 8"),
        ),
        _ => {}
    }
    for (what, v) in [("weeks", &m.weeks), ("pass-mark", &m.pass_mark)] {
        if let Some(v) = v {
            ctx.int(src, what, v);
        }
    }
    if let Some(pm) = &m.pass_mark {
        if pm.value > 100 {
            ctx.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    pm.span,
                    format!("pass mark {} is over 100", pm.value),
                )
                .with_help("a pass mark is a mark out of 100"),
            );
        }
    }
    if let Some(w) = &m.weeks {
        if w.value == 0 {
            ctx.push(
                Diagnostic::error("spec/invalid-value", src, w.span, "`weeks` is 0")
                    .with_help("a module is taught for at least one week"),
            );
        }
    }
    // Outcome and assessment codes are unique within the module.
    let mut seen = FirstSeen::new();
    for o in &m.outcomes {
        if let Some(first) = seen.get(o.code.value.as_str()) {
            ctx.push(
                Diagnostic::error(
                    "spec/duplicate",
                    src,
                    o.code.span,
                    format!("outcome `{}` is defined twice in module `{code}`", o.code.value),
                )
                .with_label("second definition")
                .with_secondary(src, *first, "first defined here")
                .with_help("give each outcome its own code"),
            );
        } else {
            seen.insert(&o.code.value, o.code.span);
        }
    }
    let mut seen = FirstSeen::new();
    let several = m.assessments.len() > 1;
    for a in &m.assessments {
        if let Some(first) = seen.get(a.code.value.as_str()) {
            ctx.push(
                Diagnostic::error(
                    "spec/duplicate",
                    src,
                    a.code.span,
                    format!("assessment `{}` is defined twice in module `{code}`", a.code.value),
                )
                .with_label("second definition")
                .with_secondary(src, *first, "first defined here")
                .with_help("give each assessment its own code"),
            );
        } else {
            seen.insert(&a.code.value, a.code.span);
        }
        if let Some(k) = &a.kind {
            ctx.keyword_value(src, "kind", k, KINDS);
        }
        match &a.weight {
            Some(w) if w.value == 0 => ctx.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    w.span,
                    format!("assessment `{}` has weight 0%", a.code.value),
                )
                .with_help("remove the assessment or give it a share of the module mark"),
            ),
            Some(w) if w.value > 100 => ctx.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    w.span,
                    format!("assessment `{}` has weight {}%, over 100%", a.code.value, w.value),
                )
                .with_help("weights are shares of the module mark and sum to 100%"),
            ),
            None if several => ctx.push(
                Diagnostic::error(
                    "spec/missing-property",
                    src,
                    a.code.span,
                    format!("assessment `{}` has no `weight`", a.code.value),
                )
                .with_help("a module with more than one assessment gives each a `weight`, e.g. `weight 40%`"),
            ),
            _ => {}
        }
        for c in &a.covers {
            if m.outcome(&c.value).is_none() {
                let codes: Vec<&str> = m.outcomes.iter().map(|o| o.code.value.as_str()).collect();
                let mut d = Diagnostic::error(
                    "spec/unknown-reference",
                    src,
                    c.span,
                    format!("module `{code}` has no outcome `{}`", c.value),
                );
                d.help = Some(match did_you_mean(&c.value, &codes) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if codes.is_empty() => {
                        "the module defines no outcomes: add an `outcomes { ... }` block".into()
                    }
                    None => format!("the module's outcomes are {}", list(&codes)),
                });
                ctx.push(d);
            }
        }
    }
}

fn build_programme(ctx: &mut Ctx, src: SourceId, p: &ast::ProgrammeItem) -> Programme {
    let mut award = None;
    let mut framework = None;
    let mut credits = None;
    let mut modes = None;
    let mut language = None;
    let mut delivery = None;
    let mut starts = None;
    let mut validated = None;
    let mut previous = None;
    let mut erasmus = None;
    let mut accreditations = Vec::new();
    let mut exit_awards = Vec::new();
    let mut rpl: Option<(Rpl, Span)> = None;
    let mut partners = Vec::new();
    let mut attendance: Option<(Attendance, Span)> = None;
    let mut engagement: Option<(Engagement, Span)> = None;
    let mut structure: Option<(Structure, Span)> = None;
    let mut variances = Vec::new();
    let mut rules = Vec::new();
    // A broken programme is still checked on every property that parsed.
    let check = true;
    for prop in &p.props {
        let kw = &prop.keyword;
        match &prop.kind {
            ProgrammeKind::Award(v) => set_once(ctx, src, &mut award, v.clone(), kw),
            ProgrammeKind::Framework(v) => set_once(ctx, src, &mut framework, v.clone(), kw),
            ProgrammeKind::Credits(v) => set_once(ctx, src, &mut credits, v.clone(), kw),
            ProgrammeKind::Mode(v) => {
                if check {
                    for m in v {
                        ctx.keyword_value(src, "mode", m, MODES);
                    }
                }
                set_once(ctx, src, &mut modes, v.clone(), kw)
            }
            ProgrammeKind::Language(v) => set_once(ctx, src, &mut language, v.clone(), kw),
            ProgrammeKind::Delivery(v) => {
                if check {
                    ctx.keyword_value(src, "delivery", v, DELIVERIES);
                }
                set_once(ctx, src, &mut delivery, v.clone(), kw)
            }
            ProgrammeKind::Date(d) => {
                let slot = match kw.value.as_str() {
                    "starts" => &mut starts,
                    "validated" => &mut validated,
                    _ => &mut previous,
                };
                if check {
                    check_date(ctx, src, d);
                }
                set_once(ctx, src, slot, d.clone(), kw)
            }
            ProgrammeKind::ErasmusMundus => set_once(ctx, src, &mut erasmus, kw.span, kw),
            ProgrammeKind::Accreditation(a) => accreditations.push(a.clone()),
            ProgrammeKind::ExitAward { award, credits } => {
                if check {
                    ctx.int(src, "exit-award", credits);
                    if credits.value == 0 {
                        ctx.push(
                            Diagnostic::error(
                                "spec/invalid-value",
                                src,
                                credits.span,
                                format!("exit award `{}` has 0 credits", award.value),
                            )
                            .with_help("write the credits the exit award needs, e.g. `exit-award PGCert 60`"),
                        );
                    }
                }
                exit_awards.push(ExitAward {
                    span: prop.span,
                    award: award.clone(),
                    credits: credits.clone(),
                })
            }
            ProgrammeKind::Rpl(block) => {
                let mut r = Rpl {
                    span: prop.span,
                    certificated: None,
                    experiential: None,
                };
                let mut cert = None;
                let mut exp = None;
                for q in &block.items {
                    let ast::RplKind::Credits(v) = &q.kind;
                    if check {
                        ctx.int(src, &q.keyword.value, v);
                    }
                    let slot = if q.keyword.value == "certificated" {
                        &mut cert
                    } else {
                        &mut exp
                    };
                    set_once(ctx, src, slot, v.clone(), &q.keyword);
                }
                r.certificated = cert.map(|c| c.0);
                r.experiential = exp.map(|c| c.0);
                set_once(ctx, src, &mut rpl, r, kw)
            }
            ProgrammeKind::Partner { name, block } => {
                let mut model = None;
                let mut lt = None;
                let mut pl = None;
                let mut of = None;
                for q in &block.items {
                    match &q.kind {
                        ast::PartnerKind::Model(m) => {
                            if check {
                                ctx.keyword_value(src, "model", m, PARTNER_MODELS);
                            }
                            set_once(ctx, src, &mut model, m.clone(), &q.keyword)
                        }
                        ast::PartnerKind::Text(t) => {
                            let slot = match q.keyword.value.as_str() {
                                "link-tutor" => &mut lt,
                                "programme-leader" => &mut pl,
                                _ => &mut of,
                            };
                            set_once(ctx, src, slot, t.clone(), &q.keyword)
                        }
                    }
                }
                partners.push(Partner {
                    span: prop.span,
                    name: name.clone(),
                    model: model.map(|x| x.0),
                    link_tutor: lt.map(|x| x.0),
                    programme_leader: pl.map(|x| x.0),
                    operational_framework: of.map(|x| x.0),
                })
            }
            ProgrammeKind::Attendance(block) => {
                let mut first = None;
                let mut second = None;
                let mut interview = None;
                let mut agreements = None;
                for q in &block.items {
                    match &q.kind {
                        ast::AttendanceKind::Duration(d) => {
                            let v = duration(ctx, src, &q.keyword.value, d, &[Unit::Day, Unit::Week], check);
                            let slot = match q.keyword.value.as_str() {
                                "first-contact" => &mut first,
                                "second-contact" => &mut second,
                                _ => &mut interview,
                            };
                            if let Some(v) = v {
                                set_once(ctx, src, slot, v, &q.keyword)
                            }
                        }
                        ast::AttendanceKind::Agreements(n) => {
                            if check {
                                ctx.int(src, "agreements-per-year", n);
                            }
                            set_once(ctx, src, &mut agreements, n.clone(), &q.keyword)
                        }
                    }
                }
                let a = Attendance {
                    span: prop.span,
                    first_contact: first.map(|x| x.0),
                    second_contact: second.map(|x| x.0),
                    interview: interview.map(|x| x.0),
                    agreements_per_year: agreements.map(|x| x.0),
                };
                set_once(ctx, src, &mut attendance, a, kw)
            }
            ProgrammeKind::Engagement(block) => {
                let mut shared = None;
                let mut retention = None;
                for q in &block.items {
                    match &q.kind {
                        ast::EngagementKind::SharedWith(roles) => {
                            set_once(ctx, src, &mut shared, roles.clone(), &q.keyword)
                        }
                        ast::EngagementKind::Retention(d) => {
                            if let Some(v) = duration(ctx, src, "retention", d, &[Unit::Month, Unit::Year], check) {
                                set_once(ctx, src, &mut retention, v, &q.keyword)
                            }
                        }
                    }
                }
                let e = Engagement {
                    span: prop.span,
                    shared_with: shared.map(|x| x.0).unwrap_or_default(),
                    retention: retention.map(|x| x.0),
                };
                set_once(ctx, src, &mut engagement, e, kw)
            }
            ProgrammeKind::Structure(block) => {
                let s = build_structure(ctx, src, prop.span, block, check);
                set_once(ctx, src, &mut structure, s, kw)
            }
            ProgrammeKind::Variance { rule, block } => {
                variances.push(build_variance(ctx, src, prop.span, kw.span, rule, block, check))
            }
            ProgrammeKind::Rule { id, body } => rules.push(ProgrammeRule {
                span: prop.span,
                id: id.clone(),
                body: body.clone(),
            }),
        }
    }
    let programme = Programme {
        source: src,
        span: p.span,
        code: p.code.clone(),
        title: p.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        award: award.map(|x| x.0),
        framework: framework.map(|x| x.0),
        credits: credits.map(|x| x.0),
        modes: modes.map(|x| x.0).unwrap_or_default(),
        language: language.map(|x| x.0),
        delivery: delivery.map(|x| x.0),
        starts: starts.map(|x| x.0),
        validated: validated.map(|x| x.0),
        previous_validation: previous.map(|x| x.0),
        erasmus_mundus: erasmus.map(|x| x.0),
        accreditations,
        exit_awards,
        rpl: rpl.map(|x| x.0),
        partners,
        attendance: attendance.map(|x| x.0),
        engagement: engagement.map(|x| x.0),
        structure: structure.map(|x| x.0),
        variances,
        rules,
        broken: p.broken,
        unread: p
            .unread
            .iter()
            .filter_map(|u| {
                let w = u.keyword.value.as_str();
                let keyword = if PROGRAMME_KEYWORDS.contains(&w) {
                    w
                } else {
                    did_you_mean(w, PROGRAMME_KEYWORDS)?
                };
                Some(crate::model::UnreadProperty {
                    keyword: keyword.to_string(),
                    written: u.keyword.clone(),
                    argument: u.argument.clone(),
                })
            })
            .collect(),
    };
    if check {
        check_programme_values(ctx, &programme);
    }
    programme
}

fn check_date(ctx: &mut Ctx, src: SourceId, d: &Spanned<ast::Date>) {
    let ast::Date { year, month, day } = d.value;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    if day == 0 || day > days {
        ctx.push(
            Diagnostic::error(
                "spec/invalid-value",
                src,
                d.span,
                format!("`{}` is not a calendar date", d.value),
            )
            .with_help("dates are ISO dates: `YYYY-MM-DD`"),
        );
    }
}

fn duration(
    ctx: &mut Ctx,
    src: SourceId,
    what: &str,
    d: &ast::Duration,
    allowed: &[Unit],
    check: bool,
) -> Option<DurationValue> {
    let unit = Unit::parse(&d.unit.value);
    if check {
        ctx.int(src, what, &d.amount);
    }
    match unit {
        Some(u) if allowed.contains(&u) => Some(DurationValue {
            span: d.span,
            amount: d.amount.value,
            unit: u,
        }),
        _ => {
            if check {
                let names: Vec<&str> = allowed
                    .iter()
                    .map(|u| match u {
                        Unit::Day => "day(s)",
                        Unit::Week => "week(s)",
                        Unit::Month => "month(s)",
                        Unit::Year => "year(s)",
                    })
                    .collect();
                let msg = if unit.is_some() {
                    format!("`{what}` does not take `{}`", d.unit.value)
                } else {
                    format!("`{}` is not a unit of time", d.unit.value)
                };
                ctx.push(
                    Diagnostic::error("spec/invalid-value", src, d.unit.span, msg)
                        .with_help(format!("`{what}` is written in {}", names.join(" or "))),
                );
            }
            None
        }
    }
}

fn build_structure(
    ctx: &mut Ctx,
    src: SourceId,
    span: Span,
    block: &ast::Block<StructureLine>,
    check: bool,
) -> Structure {
    let mut s = Structure {
        span,
        entries: Vec::new(),
        groups: Vec::new(),
        stages: Vec::new(),
    };
    let mut stage_seen: HashMap<u64, Span> = HashMap::new();
    for line in &block.items {
        add_line(ctx, src, &mut s, line, None, &mut stage_seen, check);
    }
    if check {
        // A module listed twice in one structure.
        let mut seen = FirstSeen::new();
        for e in &s.entries {
            if let Some(first) = seen.get(e.code.value.as_str()) {
                ctx.push(
                    Diagnostic::error(
                        "spec/duplicate",
                        src,
                        e.code.span,
                        format!("module `{}` is listed twice in the structure", e.code.value),
                    )
                    .with_label("listed again")
                    .with_secondary(src, *first, "first listed here")
                    .with_help("a module is taken once: remove one of the listings"),
                );
            } else {
                seen.insert(&e.code.value, e.code.span);
            }
        }
    }
    s
}

fn add_line(
    ctx: &mut Ctx,
    src: SourceId,
    s: &mut Structure,
    line: &StructureLine,
    stage: Option<u64>,
    stage_seen: &mut HashMap<u64, Span>,
    check: bool,
) {
    match line {
        StructureLine::Core(g) => add_group(ctx, src, s, g, Membership::Core, stage, check),
        StructureLine::Option {
            span,
            title,
            choose,
            group,
            ..
        } => {
            let gi = s.groups.len();
            if check {
                ctx.int(src, "choose", choose);
                if choose.value == 0 {
                    ctx.push(
                        Diagnostic::error("spec/invalid-value", src, choose.span, format!("option `{}` chooses 0 credits", title.value))
                            .with_help("an option chooses at least 1 credit; list optional modules as an option with a positive total"),
                    );
                }
            }
            s.groups.push(OptionGroup {
                span: *span,
                title: title.clone(),
                choose: choose.clone(),
                entries: Vec::new(),
                stage,
            });
            let first = s.entries.len();
            add_group(ctx, src, s, group, Membership::Option(gi), stage, check);
            let last = s.entries.len();
            s.groups[gi].entries = (first..last).collect();
        }
        StructureLine::Stage {
            span,
            number,
            title,
            lines,
            ..
        } => {
            if check {
                if let Some(first) = stage_seen.get(&number.value) {
                    ctx.push(
                        Diagnostic::error(
                            "spec/duplicate",
                            src,
                            number.span,
                            format!("stage {} is given twice", number.value),
                        )
                        .with_label("second stage with this number")
                        .with_secondary(src, *first, "first given here")
                        .with_help("number the stages 1, 2, 3, ..."),
                    );
                } else {
                    stage_seen.insert(number.value, number.span);
                }
            }
            s.stages.push(Stage {
                span: *span,
                number: number.clone(),
                title: title.clone(),
            });
            for l in lines {
                add_line(ctx, src, s, l, Some(number.value), stage_seen, check);
            }
        }
    }
}

fn add_group(
    ctx: &mut Ctx,
    src: SourceId,
    s: &mut Structure,
    g: &ast::Group,
    membership: Membership,
    stage: Option<u64>,
    check: bool,
) {
    let shared = g
        .placement
        .as_ref()
        .map(|p| (resolve_placement(ctx, src, p, check), p.span));
    for e in &g.entries {
        let own = e
            .placement
            .as_ref()
            .map(|p| (resolve_placement(ctx, src, p, check), p.span));
        let (period, placement_span) = match own.or(shared) {
            Some((period, span)) => (period, Some(span)),
            None => (None, None),
        };
        s.entries.push(Entry {
            code: e.code.clone(),
            module: None,
            period,
            placement_span,
            stage,
            membership,
            line_span: g.span,
        });
    }
}

fn resolve_placement(ctx: &mut Ctx, src: SourceId, p: &ast::Placement, check: bool) -> Option<Period> {
    let year = p.year.as_ref().map(|y| y.value).unwrap_or(1);
    if let Some(y) = &p.year {
        if check && (y.value == 0 || y.value > 10) {
            ctx.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    y.span,
                    format!("study year {} is out of range", y.value),
                )
                .with_help("study years count from 1"),
            );
            return None;
        }
    }
    let sem_ok = |ctx: &mut Ctx, v: &Spanned<u64>| {
        if (1..=3).contains(&v.value) {
            true
        } else {
            if check {
                ctx.push(
                    Diagnostic::error(
                        "spec/invalid-value",
                        src,
                        v.span,
                        format!("semester `{}` is not 1, 2 or 3", v.value),
                    )
                    .with_help("semesters are 1, 2 and 3 (summer)"),
                );
            }
            false
        }
    };
    match &p.period {
        PeriodSyntax::Semester(n) => sem_ok(ctx, n).then_some(Period {
            year,
            start: n.value,
            end: n.value,
        }),
        PeriodSyntax::Semesters(a, b) => {
            let ok_a = sem_ok(ctx, a);
            let ok_b = sem_ok(ctx, b);
            if !(ok_a && ok_b) {
                return None;
            }
            if a.value > b.value {
                if check {
                    ctx.push(
                        Diagnostic::error(
                            "spec/invalid-value",
                            src,
                            a.span.cover(b.span),
                            format!("`semesters {}-{}` runs backwards", a.value, b.value),
                        )
                        .with_help(format!("write `semesters {}-{}`", b.value, a.value)),
                    );
                }
                return None;
            }
            Some(Period {
                year,
                start: a.value,
                end: b.value,
            })
        }
        PeriodSyntax::YearLong => Some(Period { year, start: 1, end: 2 }),
    }
}

#[allow(clippy::too_many_arguments)]
fn build_variance(
    ctx: &mut Ctx,
    src: SourceId,
    span: Span,
    kw: Span,
    rule: &Spanned<String>,
    block: &ast::Block<ast::Prop<ast::VarianceKind>>,
    check: bool,
) -> Variance {
    let mut applies: Option<(Vec<Spanned<String>>, Span)> = None;
    let mut criterion = None;
    let mut rationale = None;
    let mut alternative = None;
    let mut evidence = None;
    let mut submitted = None;
    let mut approved = None;
    for q in &block.items {
        match &q.kind {
            ast::VarianceKind::AppliesTo(codes) => match &applies {
                Some((_, first)) => ctx.duplicate_prop(src, "applies-to", q.keyword.span, *first),
                None => applies = Some((codes.clone(), q.keyword.span)),
            },
            ast::VarianceKind::Criterion { name, body } => {
                if check {
                    ctx.keyword_value(src, "criterion", name, CRITERIA);
                }
                let c = Criterion {
                    span: q.span,
                    name: name.clone(),
                    body: body.clone(),
                };
                set_once(ctx, src, &mut criterion, c, &q.keyword)
            }
            ast::VarianceKind::Text(t) => {
                let slot = match q.keyword.value.as_str() {
                    "rationale" => &mut rationale,
                    "alternative" => &mut alternative,
                    _ => &mut evidence,
                };
                set_once(ctx, src, slot, t.clone(), &q.keyword)
            }
            ast::VarianceKind::Submitted(d) => {
                if check {
                    check_date(ctx, src, d);
                }
                set_once(ctx, src, &mut submitted, d.clone(), &q.keyword)
            }
            ast::VarianceKind::Approved { by, date } => {
                if let (true, Some(d)) = (check, date) {
                    check_date(ctx, src, d);
                }
                let a = Approval {
                    span: q.span,
                    by: by.clone(),
                    date: date.clone(),
                };
                set_once(ctx, src, &mut approved, a, &q.keyword)
            }
        }
    }
    let head = kw.cover(rule.span);
    if check && criterion.is_none() {
        ctx.push(
            Diagnostic::error("spec/missing-property", src, head, format!("variance `{}` has no `criterion`", rule.value))
                .with_help("add the criterion it is granted under: `criterion psrb \"BODY\"`, `criterion discipline`, `criterion validation` or `criterion joint-award`"),
        );
    }
    Variance {
        span,
        head,
        rule: rule.clone(),
        applies_to: applies.map(|a| a.0).unwrap_or_default(),
        criterion: criterion.map(|x| x.0),
        rationale: rationale.map(|x| x.0),
        alternative: alternative.map(|x| x.0),
        evidence: evidence.map(|x| x.0),
        submitted: submitted.map(|x| x.0),
        approved: approved.map(|x| x.0),
    }
}

fn check_programme_values(ctx: &mut Ctx, p: &Programme) {
    let src = p.source;
    let code = &p.code.value;
    for (what, present) in [
        ("award", p.award.is_some()),
        ("framework", p.framework.is_some() || ctx.options.default_framework),
        ("credits", p.credits.is_some()),
    ] {
        if !present && !p.unread(what) {
            let example = match what {
                "award" => "award MSc",
                "framework" => "framework ljmu-pgt-2022",
                _ => "credits 180",
            };
            ctx.push(
                Diagnostic::error(
                    "spec/missing-property",
                    src,
                    p.code.span,
                    format!("programme `{code}` has no `{what}`"),
                )
                .with_help(format!("add `{example}` (or the programme's own value)")),
            );
        }
    }
    if let Some(c) = &p.credits {
        if c.value == 0 {
            ctx.push(
                Diagnostic::error(
                    "spec/invalid-value",
                    src,
                    c.span,
                    format!("programme `{code}` has 0 credits"),
                )
                .with_help("write the programme's total credits, e.g. `credits 180`"),
            );
        } else {
            ctx.int(src, "credits", c);
        }
    }
    if let Some(s) = &p.structure {
        let block = p.delivery() == "block";
        for e in &s.entries {
            if e.placement_span.is_none() && !(block && e.stage.is_some()) {
                ctx.push(
                    Diagnostic::error("spec/missing-property", src, e.code.span, format!("module `{}` has no placement", e.code.value))
                        .with_help("place it, e.g. `semester 1`, `semesters 1-3` or `year-long`; only modules in a `stage` of a `block`-delivered programme may omit it"),
                );
            }
        }
    }
}

/// The first occurrence of each code among a few (the outcomes of a module,
/// the entries of a structure): a linear scan while there are few, which
/// beats hashing for the handful a block usually has, and a hash map beyond.
struct FirstSeen<'a> {
    few: Vec<(&'a str, Span)>,
    many: HashMap<&'a str, Span>,
}

impl<'a> FirstSeen<'a> {
    const FEW: usize = 16;

    fn new() -> Self {
        FirstSeen {
            few: Vec::new(),
            many: HashMap::new(),
        }
    }

    fn get(&self, code: &str) -> Option<&Span> {
        if self.many.is_empty() {
            self.few.iter().find(|(c, _)| *c == code).map(|(_, s)| s)
        } else {
            self.many.get(code)
        }
    }

    /// Records `code` (not seen before: callers ask [`FirstSeen::get`] first).
    fn insert(&mut self, code: &'a str, span: Span) {
        if self.many.is_empty() {
            if self.few.len() < Self::FEW {
                self.few.push((code, span));
                return;
            }
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(code, span);
    }
}

/// Second pass: references between items.
/// The help of "module `X` is not defined": the nearest of the workspace's
/// module `codes` (sorted, distinct), else how to define it. It depends on
/// every module code of the workspace, so an incremental re-analysis
/// recomputes it ([`crate::analysis::incremental`]).
pub fn unknown_module_help(code: &str, codes: &[&str]) -> String {
    match did_you_mean(code, codes) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "define it with `module CODE \"Title\" { ... }` in a `.pspec` file of this workspace".into(),
    }
}

/// The distinct module codes of `ws`, sorted: the candidates of
/// [`unknown_module_help`].
pub fn module_codes(ws: &Workspace) -> Vec<&str> {
    let mut v: Vec<&str> = ws.modules.iter().map(|m| m.code.value.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn resolve_references(ctx: &mut Ctx, ws: &mut Workspace) {
    let known: HashSet<&str> = ws.modules.iter().map(|m| m.code.value.as_str()).collect();
    let codes: Vec<&str> = {
        let mut v: Vec<&str> = known.iter().copied().collect();
        v.sort_unstable();
        v
    };
    let unknown = |ctx: &mut Ctx, src: SourceId, c: &Spanned<String>, context: &str| {
        let mut d = Diagnostic::error(
            "spec/unknown-reference",
            src,
            c.span,
            format!("module `{}` is not defined{context}", c.value),
        );
        d.help = Some(unknown_module_help(&c.value, &codes));
        ctx.push(d);
    };
    for m in &ws.modules {
        if m.broken {
            continue;
        }
        for r in &m.requires {
            if !known.contains(r.value.as_str()) {
                unknown(ctx, m.source, r, "");
            }
        }
    }
    let index = ws.module_index.clone();
    for p in &mut ws.programmes {
        let src = p.source;
        if let Some(s) = &mut p.structure {
            for e in &mut s.entries {
                e.module = index.get(&e.code.value).copied();
                if e.module.is_none() {
                    unknown(ctx, src, &e.code, "");
                }
            }
        }
        if p.unread("structure") {
            continue; // every `applies-to` would name a module of no structure
        }
        for v in &p.variances {
            for a in &v.applies_to {
                let listed = p.structure.as_ref().is_some_and(|s| s.entry(&a.value).is_some());
                if !listed {
                    let mut d = Diagnostic::error(
                        "spec/unknown-reference",
                        src,
                        a.span,
                        format!(
                            "`applies-to` names module `{}`, which is not in the structure of programme `{}`",
                            a.value, p.code.value
                        ),
                    );
                    let listed: Vec<&str> = p
                        .structure
                        .as_ref()
                        .map(|s| s.entries.iter().map(|e| e.code.value.as_str()).collect())
                        .unwrap_or_default();
                    d.help = Some(match did_you_mean(&a.value, &listed) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "a variance covers modules of its own programme's structure".into(),
                    });
                    ctx.push(d.with_programme(p.code.value.clone()));
                }
            }
        }
    }
}
