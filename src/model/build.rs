//! Syntax trees -> [`Workspace`], reporting the well-formedness diagnostics
//! that belong to reading values: `spec/syntax`, `spec/duplicate`,
//! `spec/missing-property`, `spec/invalid-value`, `spec/unknown-reference`.
//! Each rule's checks, messages and help are in its file under `src/check/`;
//! this file calls them where it reads the values.

use std::collections::HashMap;

use super::*;
use crate::check::{duplicate, invalid_value, missing_property, syntax, unknown_reference};
use crate::diag::{Diagnostic, SourceId};
use crate::syntax::ast::{
    self, AssessmentKind, Item, ModuleKind, PeriodSyntax, ProgrammeKind, SourceFile, StructureLine,
};
use crate::syntax::did_you_mean;
use crate::syntax::vocab::{CRITERIA, DELIVERIES, KINDS, MODES, PARTNER_MODELS, PROGRAMME as PROGRAMME_KEYWORDS};

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
        self.push(duplicate::given_twice(src, what, second, first));
    }

    fn int(&mut self, src: SourceId, what: &str, v: &Spanned<u64>) {
        self.diags.extend(invalid_value::int(src, what, v));
    }

    fn keyword_value(&mut self, src: SourceId, what: &str, v: &Spanned<Str>, allowed: &[&str]) {
        self.diags.extend(invalid_value::keyword(src, what, v, allowed));
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
fn set_once<T>(ctx: &mut Ctx, src: SourceId, slot: &mut Option<(T, Span)>, value: T, keyword: &Spanned<Str>) {
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
    let lowered = files
        .iter()
        .map(|(src, file)| lower_file(*src, file, options))
        .collect();
    link(lowered, diags)
}

/// One file's items as model records, before they are linked into a
/// workspace ([`link`]): what a file contributes, independent of every other
/// file, so files can be lowered in parallel and their trees dropped.
#[derive(Debug, Default)]
pub struct Lowered {
    pub modules: Vec<Module>,
    pub programmes: Vec<Programme>,
    pub diags: Vec<Diagnostic>,
}

/// Lowers one parsed file: its syntax errors and the well-formedness
/// diagnostics of its items.
pub fn lower_file(src: SourceId, file: &SourceFile, options: &BuildOptions) -> Lowered {
    // Exact capacities, here and in the builders below: a catalogue's
    // model is tens of thousands of small lists that live to the end of the
    // check, and a list grown by pushing keeps up to four times the room it
    // needs (D144).
    let modules = file.items.iter().filter(|i| matches!(i, Item::Module(_))).count();
    let mut out = Lowered {
        modules: Vec::with_capacity(modules),
        programmes: Vec::with_capacity(file.items.len() - modules),
        diags: Vec::new(),
    };
    let mut ctx = Ctx {
        diags: &mut out.diags,
        options,
    };
    for e in &file.errors {
        ctx.push(syntax::diagnostic(src, e));
    }
    for item in &file.items {
        match item {
            Item::Module(m) => out.modules.push(build_module(&mut ctx, src, m)),
            Item::Programme(p) => out.programmes.push(build_programme(&mut ctx, src, p)),
        }
    }
    out
}

/// Links lowered files (in a deterministic order) into the workspace: the
/// code indexes (the first definition wins; later ones are
/// `spec/duplicate`) and every reference resolved to an id.
pub fn link(lowered: Vec<Lowered>, diags: &mut Vec<Diagnostic>) -> Workspace {
    link_placed(Vec::new(), Vec::new(), lowered, diags)
}

/// [`link`], given the files' modules and programmes already gathered in
/// file order and taken out of `lowered` (D148); the lists left in
/// `lowered` follow them.
pub fn link_placed(
    modules: Vec<Module>,
    programmes: Vec<Programme>,
    lowered: Vec<Lowered>,
    diags: &mut Vec<Diagnostic>,
) -> Workspace {
    // Linking reads no option of the configuration (lowering did).
    let options = BuildOptions::default();
    let mut ctx = Ctx {
        diags,
        options: &options,
    };
    let mut ws = Workspace {
        modules,
        programmes,
        ..Workspace::default()
    };
    ws.modules.reserve(lowered.iter().map(|l| l.modules.len()).sum());
    ws.programmes.reserve(lowered.iter().map(|l| l.programmes.len()).sum());
    for l in lowered {
        ctx.diags.extend(l.diags);
        ws.modules.extend(l.modules);
        ws.programmes.extend(l.programmes);
    }
    // Codes: first definition wins, later ones are duplicates.
    let (modules_twice, programmes_twice) = ws.index();
    for (i, first) in modules_twice {
        ctx.push(duplicate::module_twice(&ws.modules[i], &ws.modules[first]));
    }
    for (i, first) in programmes_twice {
        ctx.push(duplicate::programme_twice(&ws.programmes[i], &ws.programmes[first]));
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
    let mut requires: Option<(Vec<Spanned<Str>>, Span)> = None;
    let (mut n_outcomes, mut n_assessments) = (0, 0);
    for p in &m.props {
        match &p.kind {
            ModuleKind::Outcomes { outcomes, .. } => n_outcomes += outcomes.len(),
            ModuleKind::Assessment(_) => n_assessments += 1,
            _ => {}
        }
    }
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(n_outcomes);
    let mut assessments: Vec<Assessment> = Vec::with_capacity(n_assessments);
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
        requires: requires.map(|r| r.0).unwrap_or_default().into(),
        outcomes: outcomes.into(),
        assessments: assessments.into(),
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
    let mut covers: Option<(Vec<Spanned<Str>>, Span)> = None;
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
        covers: covers.map(|c| c.0).unwrap_or_default().into(),
        competency: competency.map(|c| c.0),
    }
}

fn check_module_values(ctx: &mut Ctx, m: &Module) {
    let src = m.source;
    let code = &m.code.value;
    match &m.credits {
        None => ctx.push(missing_property::module_credits(m)),
        // `credits 0` is a non-credit-bearing unit: valid here, judged by
        // the framework's rules (rules.md, spec/invalid-value).
        Some(c) => ctx.int(src, "credits", c),
    }
    match &m.level {
        None => ctx.push(missing_property::module_level(m)),
        Some(l) => ctx.diags.extend(invalid_value::level(src, l)),
    }
    for (what, v) in [("weeks", &m.weeks), ("pass-mark", &m.pass_mark)] {
        if let Some(v) = v {
            ctx.int(src, what, v);
        }
    }
    if let Some(pm) = &m.pass_mark {
        ctx.diags.extend(invalid_value::pass_mark(src, pm));
    }
    if let Some(w) = &m.weeks {
        ctx.diags.extend(invalid_value::weeks(src, w));
    }
    // Outcome and assessment codes are unique within the module.
    let mut seen = FirstSeen::new();
    for o in &m.outcomes {
        if let Some(first) = seen.get(o.code.value.as_str()) {
            ctx.push(duplicate::twice_in_module(src, "outcome", code, &o.code, *first));
        } else {
            seen.insert(&o.code.value, o.code.span);
        }
    }
    let mut seen = FirstSeen::new();
    let several = m.assessments.len() > 1;
    for a in &m.assessments {
        if let Some(first) = seen.get(a.code.value.as_str()) {
            ctx.push(duplicate::twice_in_module(src, "assessment", code, &a.code, *first));
        } else {
            seen.insert(&a.code.value, a.code.span);
        }
        if let Some(k) = &a.kind {
            ctx.keyword_value(src, "kind", k, KINDS);
        }
        match &a.weight {
            Some(w) => ctx.diags.extend(invalid_value::weight(src, &a.code.value, w)),
            None if several => ctx.push(missing_property::assessment_weight(src, a)),
            _ => {}
        }
        for c in &a.covers {
            if m.outcome(&c.value).is_none() {
                let codes: Vec<&str> = m.outcomes.iter().map(|o| o.code.value.as_str()).collect();
                let d = unknown_reference::unknown_outcome(src, code, c, &codes);
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
                    ctx.diags
                        .extend(invalid_value::exit_award_credits(src, &award.value, credits));
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
                    shared_with: shared.map(|x| x.0).unwrap_or_default().into(),
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
        modes: modes.map(|x| x.0).unwrap_or_default().into(),
        language: language.map(|x| x.0),
        delivery: delivery.map(|x| x.0),
        starts: starts.map(|x| x.0),
        validated: validated.map(|x| x.0),
        previous_validation: previous.map(|x| x.0),
        erasmus_mundus: erasmus.map(|x| x.0),
        accreditations: accreditations.into(),
        exit_awards: exit_awards.into(),
        rpl: rpl.map(|x| Box::new(x.0)),
        partners: partners.into(),
        attendance: attendance.map(|x| Box::new(x.0)),
        engagement: engagement.map(|x| Box::new(x.0)),
        structure: structure.map(|x| x.0),
        variances: variances.into(),
        rules: rules.into(),
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
    ctx.diags.extend(invalid_value::calendar_date(src, d));
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
                ctx.push(invalid_value::duration_unit(src, what, &d.unit, unit.is_some(), &names));
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
    s.entries.shrink_to_fit();
    s.groups.shrink_to_fit();
    s.stages.shrink_to_fit();
    if check {
        // A module listed twice in one structure.
        let mut seen = FirstSeen::new();
        for e in &s.entries {
            if let Some(first) = seen.get(e.code.value.as_str()) {
                ctx.push(duplicate::listed_twice(src, &e.code, *first));
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
                ctx.diags.extend(invalid_value::choose(src, &title.value, choose));
            }
            s.groups.push(OptionGroup {
                span: *span,
                title: title.clone(),
                choose: choose.clone(),
                entries: Vec::new(),
                stage,
            });
            let first = s.entries.len();
            // A group index fits a `u32`: a file is at most 16 MiB.
            let membership = Membership::Option(u32::try_from(gi).unwrap_or(u32::MAX));
            add_group(ctx, src, s, group, membership, stage, check);
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
                    ctx.push(duplicate::stage_twice(src, number, *first));
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
        s.entries.push(Entry::new(
            e.code.clone(),
            period,
            placement_span,
            stage,
            membership,
            g.span,
        ));
    }
}

fn resolve_placement(ctx: &mut Ctx, src: SourceId, p: &ast::Placement, check: bool) -> Option<Period> {
    if let Some(y) = &p.year {
        if let Some(d) = invalid_value::study_year(src, y) {
            if check {
                ctx.push(d);
            }
            return None;
        }
    }
    // Validated: a study year of 1 to 10 and semesters of 1 to 3 (`Period`).
    let year = p.year.as_ref().map_or(Some(1), |y| u8::try_from(y.value).ok())?;
    let sem = |v: &Spanned<u64>| u8::try_from(v.value).ok();
    let sem_ok = |ctx: &mut Ctx, v: &Spanned<u64>| match invalid_value::semester(src, v) {
        None => true,
        Some(d) => {
            if check {
                ctx.push(d);
            }
            false
        }
    };
    match &p.period {
        PeriodSyntax::Semester(n) => sem_ok(ctx, n).then_some(Period {
            year,
            start: sem(n)?,
            end: sem(n)?,
        }),
        PeriodSyntax::Semesters(a, b) => {
            let ok_a = sem_ok(ctx, a);
            let ok_b = sem_ok(ctx, b);
            if !(ok_a && ok_b) {
                return None;
            }
            if let Some(d) = invalid_value::semesters_backwards(src, a, b) {
                if check {
                    ctx.push(d);
                }
                return None;
            }
            Some(Period {
                year,
                start: sem(a)?,
                end: sem(b)?,
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
    rule: &Spanned<Str>,
    block: &ast::Block<ast::Prop<ast::VarianceKind>>,
    check: bool,
) -> Variance {
    let mut applies: Option<(Vec<Spanned<Str>>, Span)> = None;
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
        ctx.push(missing_property::variance_criterion(src, head, rule));
    }
    Variance {
        span,
        head,
        rule: rule.clone(),
        applies_to: applies.map(|a| a.0).unwrap_or_default().into(),
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
            ctx.push(missing_property::programme_property(p, what));
        }
    }
    if let Some(c) = &p.credits {
        ctx.diags.extend(invalid_value::programme_credits(src, code, c));
    }
    if let Some(s) = &p.structure {
        let block = p.delivery() == "block";
        for e in &s.entries {
            if e.placement_span.is_none() && !(block && e.stage.is_some()) {
                ctx.push(missing_property::placement(src, e));
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
/// The distinct module codes of `ws`, sorted: the candidates of
/// [`crate::check::unknown_reference::unknown_module_help`].
pub fn module_codes(ws: &Workspace) -> Vec<&str> {
    let mut v: Vec<&str> = ws.modules.iter().map(|m| m.code.value.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn resolve_references(ctx: &mut Ctx, ws: &mut Workspace) {
    // Every defined code is in the index (the first definition of each).
    let index = &ws.module_index;
    let modules = &ws.modules;
    // The sorted codes, for did-you-mean: only when a code is unknown.
    let codes: std::cell::OnceCell<Vec<&str>> = std::cell::OnceCell::new();
    let sorted = || {
        let mut v: Vec<&str> = index.ids().map(|i| modules[i].code.value.as_str()).collect();
        v.sort_unstable();
        v
    };
    let unknown = |ctx: &mut Ctx, src: SourceId, c: &Spanned<Str>| {
        ctx.push(unknown_reference::unknown_module(src, c, codes.get_or_init(sorted)));
    };
    for m in modules {
        if m.broken {
            continue;
        }
        for r in &m.requires {
            if index.get(modules, r.value.as_str()).is_none() {
                unknown(ctx, m.source, r);
            }
        }
    }
    for p in &mut ws.programmes {
        let src = p.source;
        if let Some(s) = &mut p.structure {
            for e in &mut s.entries {
                e.set_module(index.get(modules, &e.code.value));
                if e.module().is_none() {
                    unknown(ctx, src, &e.code);
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
                    let listed: Vec<&str> = p
                        .structure
                        .as_ref()
                        .map(|s| s.entries.iter().map(|e| e.code.value.as_str()).collect())
                        .unwrap_or_default();
                    ctx.push(unknown_reference::applies_to_not_listed(p, a, &listed));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::build_workspace;
    use crate::syntax::{parse, vocab};

    /// The slot matches above (`"research-skills" => &mut rs`, ...) end in
    /// a catch-all arm for the group's last word. A source that writes
    /// every word of each such vocabulary group once must report no
    /// duplicate: a word added to the table and the grammar but forgotten
    /// in a match would fall to the last arm and be "given twice".
    #[test]
    fn every_word_of_a_group_sets_its_own_slot() {
        let mut s = String::from("module M1 \"M\" {\n  credits 20\n  level 7\n");
        for w in vocab::MODULE_FLAGS {
            s += &format!("  {w}\n");
        }
        s += "}\nprogramme P1 \"P\" {\n  award MSc\n  framework f\n  credits 180\n";
        for w in vocab::DATE_PROPERTIES {
            s += &format!("  {w} 2024-01-01\n");
        }
        s += "  rpl {\n";
        for w in vocab::RPL {
            s += &format!("    {w} 10\n");
        }
        s += "  }\n  partner \"X\" {\n    model franchise\n";
        for w in vocab::PARTNER_TEXTS {
            s += &format!("    {w} \"x\"\n");
        }
        s += "  }\n  attendance {\n";
        for w in vocab::ATTENDANCE_DURATIONS {
            s += &format!("    {w} 3 weeks\n");
        }
        s += "  }\n  variance PG.A1/x {\n    applies-to M1\n    criterion discipline\n";
        for w in vocab::VARIANCE_TEXTS {
            s += &format!("    {w} \"x\"\n");
        }
        s += "    submitted 2023-01-01\n  }\n}\n";
        let tree = parse(&s);
        assert!(tree.errors.is_empty(), "{:?}\n{s}", tree.errors);
        let mut diags = Vec::new();
        let ws = build_workspace(&[(0, &tree)], &mut diags);
        let dups: Vec<&str> = diags
            .iter()
            .filter(|d| d.code == crate::check::duplicate::RULE.id)
            .map(|d| d.message.as_str())
            .collect();
        assert!(dups.is_empty(), "{dups:?}");
        let m = &ws.modules[0];
        assert!(m.research_skills.is_some() && m.dissertation.is_some());
        assert!(m.placement.is_some() && m.pass_fail.is_some());
    }
}
