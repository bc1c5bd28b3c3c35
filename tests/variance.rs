//! Variances (rules.md, "Variances", and the spec/variance-* rows): one test
//! per sentence of the contract, with a fake rule catalogue and hand-made
//! policy diagnostics, so the semantics are pinned independently of the packs.

mod support;

use std::collections::HashMap;

use proptest::prelude::*;
use spec::diag::{Diagnostic, Severity};
use spec::model::{build_workspace, Workspace};
use spec::policy::variance::{check_and_waive, VarianceInput};
use spec::policy::{RuleInfo, RuleScope};
use spec::span::Span;
use support::FakeCatalogue;

// ---------------------------------------------------------------- fakes

fn rule(framework: &str, id: &str, scope: RuleScope, admits: &[&str]) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        clause: id.split('/').next().unwrap_or(id).into(),
        clause_text: String::new(),
        severity: Severity::Error,
        admits: admits.iter().map(|s| s.to_string()).collect(),
        scope,
        framework: framework.into(),
        summary: String::new(),
        origin: None,
        example_fail: None,
        example_pass: None,
    }
}

/// `ljmu` (with a criterion rule of its own) and `ntu` (without one), plus
/// a `spec/` rule under both.
fn catalogue() -> FakeCatalogue {
    let mut rules = HashMap::new();
    let mut ljmu = vec![
        rule(
            "ljmu",
            "PG.A4.2/module-size",
            RuleScope::ProgrammeModule,
            &["psrb", "discipline", "joint-award"],
        ),
        rule(
            "ljmu",
            "PG.A4.2/dissertation-credits",
            RuleScope::ProgrammeModule,
            &["psrb", "discipline"],
        ),
        rule("ljmu", "PG.A4.2/dissertation-required", RuleScope::Pathway, &["psrb"]),
        rule(
            "ljmu",
            "PG.A4.4/semester-balance",
            RuleScope::Pathway,
            &["psrb", "discipline"],
        ),
        rule("ljmu", "PG.B2/credits", RuleScope::Programme, &["psrb"]),
        rule("ljmu", "PG.A3.1/proforma", RuleScope::ModuleItself, &["psrb"]),
        rule("ljmu", "PG.A1.6/variance-evidence", RuleScope::Variance, &[]),
        rule("ljmu", "spec/credit-total", RuleScope::Pathway, &[]),
    ];
    ljmu.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ntu = vec![
        rule("ntu", "NTU.10E/major-piece", RuleScope::Pathway, &["discipline"]),
        rule("ntu", "NTU.10E/credits", RuleScope::Programme, &[]),
        rule("ntu", "PG.A3.1/proforma", RuleScope::ModuleItself, &["psrb"]),
        rule("ntu", "spec/credit-total", RuleScope::Pathway, &[]),
    ];
    ntu.sort_by(|a, b| a.id.cmp(&b.id));
    rules.insert("ljmu".to_string(), ljmu);
    rules.insert("ntu".to_string(), ntu);
    FakeCatalogue {
        rules,
        criterion_rule: ["ljmu".to_string()].into_iter().collect(),
    }
}

// ---------------------------------------------------------------- harness

const MODULES: &str = r#"
module M1 "One" { credits 15 level 7 outcomes { LO1 "x" } assessment AS1 "A" { kind coursework weight 100% covers LO1 } }
module M2 "Two" { credits 25 level 7 outcomes { LO1 "x" } assessment AS1 "A" { kind coursework weight 100% covers LO1 } }
module M3 "Three" { credits 20 level 7 outcomes { LO1 "x" } assessment AS1 "A" { kind coursework weight 100% covers LO1 } }
"#;

/// A programme `code` under `framework` listing `modules`, with `body`
/// (its variances) inside.
fn programme(code: &str, framework: &str, modules: &str, body: &str) -> String {
    format!(
        "programme {code} \"P\" {{\n  award MSc\n  framework {framework}\n  credits 60\n  structure {{\n    core {modules} semester 1\n  }}\n{body}\n}}\n"
    )
}

fn variance(rule: &str, extra: &str) -> String {
    format!(
        "  variance {rule} {{\n{extra}    rationale \"r\"\n    alternative \"a\"\n    evidence \"e\"\n    submitted 2024-01-01\n  }}\n"
    )
}

fn approved(rule: &str, extra: &str) -> String {
    variance(rule, &format!("{extra}    approved \"Committee\" 2024-02-01\n"))
}

struct Case {
    text: String,
    ws: Workspace,
    /// Diagnostics from building the model (expected to be none, or the
    /// variance's own spec/ errors under test).
    built: Vec<Diagnostic>,
}

fn case(programmes: &[String]) -> Case {
    let text = format!("{MODULES}{}", programmes.concat());
    let tree = spec::syntax::parse(&text);
    let mut built = Vec::new();
    let ws = build_workspace(&[(0, &tree)], &mut built);
    Case { text, ws, built }
}

impl Case {
    fn frameworks(&self) -> Vec<Option<String>> {
        self.ws
            .programmes
            .iter()
            .map(|p| p.framework.as_ref().map(|f| f.value.to_string()))
            .collect()
    }

    /// Runs the variance pass over the model's own diagnostics plus `extra`.
    fn run_with(&self, extra: Vec<Diagnostic>, require_approved: bool) -> Vec<Diagnostic> {
        let cat = catalogue();
        let frameworks = self.frameworks();
        let input = VarianceInput {
            ws: &self.ws,
            catalogue: &cat,
            frameworks: &frameworks,
            require_approved,
            held_back: &Default::default(),
        };
        let mut diags = self.built.clone();
        diags.extend(extra);
        check_and_waive(&input, &mut diags);
        diags
    }

    fn run(&self, extra: Vec<Diagnostic>) -> Vec<Diagnostic> {
        self.run_with(extra, false)
    }

    /// The span of the `n`th occurrence (0-based) of `needle`.
    fn span_of(&self, needle: &str, n: usize) -> Span {
        let start = self
            .text
            .match_indices(needle)
            .nth(n)
            .map(|(i, _)| i)
            .expect("needle in text");
        Span::new(start, start + needle.len())
    }

    /// A policy diagnostic of `code` about `module` in `programme`.
    fn about(&self, code: &str, programme: Option<&str>, module: Option<&str>) -> Diagnostic {
        let span = match module {
            Some(m) => self.span_of(&format!("module {m} "), 0),
            None => self.span_of("programme ", 0),
        };
        let mut d = Diagnostic::error(code, 0, span, format!("{code} fired"));
        d.clause = Some(code.split('/').next().unwrap_or(code).to_string());
        d.programme = programme.map(str::to_string);
        d.module = module.map(str::to_string);
        d
    }
}

fn codes(diags: &[Diagnostic], code: &str) -> Vec<Diagnostic> {
    diags.iter().filter(|d| d.code == code).cloned().collect()
}

fn one(diags: &[Diagnostic], code: &str) -> Diagnostic {
    let found = codes(diags, code);
    assert_eq!(found.len(), 1, "expected one `{code}` in {diags:#?}");
    found.into_iter().next().expect("one")
}

fn waived_rule_line(c: &Case, d: &Diagnostic) -> Option<usize> {
    d.waived_by
        .as_ref()
        .map(|w| c.text[..w.span.start()].matches('\n').count() + 1)
}

// ---------------------------------------------------------------- spec/variance-unknown-rule

#[test]
fn unknown_rule_suggests_the_nearest_id() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/modul-size", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![]);
    let d = one(&out, "spec/variance-unknown-rule");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.message, "no rule `PG.A4.2/modul-size` in framework `ljmu`");
    assert_eq!(d.help.as_deref(), Some("did you mean `PG.A4.2/module-size`?"));
    assert_eq!(d.span, c.span_of("PG.A4.2/modul-size", 0));
    assert_eq!(d.programme.as_deref(), Some("P1"));
    assert_eq!(d.clause, None);
}

#[test]
fn unknown_rule_with_the_check_name_under_a_wrong_clause_suggests_it() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.3/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let d = one(&c.run(vec![]), "spec/variance-unknown-rule");
    assert_eq!(d.help.as_deref(), Some("did you mean `PG.A4.2/module-size`?"));
}

#[test]
fn a_bare_clause_lists_its_checks() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2", "    criterion psrb \"X\"\n"),
    )]);
    let d = one(&c.run(vec![]), "spec/variance-unknown-rule");
    assert_eq!(
        d.message,
        "`PG.A4.2` is a clause, not a rule: a variance cites one of its checks"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("cite one of `PG.A4.2/dissertation-credits`, `PG.A4.2/dissertation-required`, `PG.A4.2/module-size`")
    );
}

#[test]
fn a_rule_of_another_framework_is_unknown_and_says_where_it_is() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("NTU.10E/major-piece", "    criterion discipline\n"),
    )]);
    let d = one(&c.run(vec![]), "spec/variance-unknown-rule");
    assert_eq!(d.message, "no rule `NTU.10E/major-piece` in framework `ljmu`");
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("framework `ntu`")),
        "{d:?}"
    );
}

#[test]
fn an_unrelated_id_points_to_spec_rules() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("XYZ/qqqqqqqq", "    criterion psrb \"X\"\n"),
    )]);
    let d = one(&c.run(vec![]), "spec/variance-unknown-rule");
    assert_eq!(
        d.help.as_deref(),
        Some("run `spec rules --framework ljmu` for the rules a variance can cite")
    );
}

#[test]
fn a_variance_under_an_unknown_framework_is_not_checked_against_rules_and_waives_nothing() {
    let c = case(&[programme(
        "P1",
        "nosuch",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let frameworks = vec![None];
    let cat = catalogue();
    let mut diags = vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))];
    check_and_waive(
        &VarianceInput {
            ws: &c.ws,
            catalogue: &cat,
            frameworks: &frameworks,
            require_approved: false,
            held_back: &Default::default(),
        },
        &mut diags,
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(!diags[0].is_waived());
}

// ---------------------------------------------------------------- spec/variance-not-waivable

#[test]
fn citing_a_spec_rule_is_not_waivable_and_does_not_waive_it() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("spec/credit-total", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![c.about("spec/credit-total", Some("P1"), None)]);
    let d = one(&out, "spec/variance-not-waivable");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.span, c.span_of("spec/credit-total", 0));
    assert!(d.help.is_some());
    assert!(!one(&out, "spec/credit-total").is_waived());
    // An invalid variance is neither unused nor pending.
    assert!(codes(&out, "spec/variance-unused").is_empty());
}

// ---------------------------------------------------------------- spec/variance-criterion

#[test]
fn criterion_not_admitted_fires_under_a_framework_without_a_criterion_rule() {
    let c = case(&[programme(
        "P1",
        "ntu",
        "M1",
        &approved("NTU.10E/major-piece", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![c.about("NTU.10E/major-piece", Some("P1"), None)]);
    let d = one(&out, "spec/variance-criterion");
    assert_eq!(d.message, "criterion `psrb` is not admitted by `NTU.10E/major-piece`");
    assert_eq!(
        d.help.as_deref(),
        Some("`NTU.10E/major-piece` can be waived under `discipline`")
    );
    assert_eq!(d.span, c.span_of("criterion psrb \"X\"", 0));
    assert!(!one(&out, "NTU.10E/major-piece").is_waived());
}

#[test]
fn criterion_of_a_rule_admitting_nothing_says_it_cannot_be_waived() {
    let c = case(&[programme(
        "P1",
        "ntu",
        "M1",
        &approved("NTU.10E/credits", "    criterion discipline\n"),
    )]);
    let d = one(&c.run(vec![]), "spec/variance-criterion");
    assert!(
        d.help.as_deref().is_some_and(|h| h.contains("admits no criterion")),
        "{d:?}"
    );
}

#[test]
fn criterion_admitted_is_quiet_and_waives() {
    let c = case(&[programme(
        "P1",
        "ntu",
        "M1",
        &approved("NTU.10E/major-piece", "    criterion discipline\n"),
    )]);
    let out = c.run(vec![c.about("NTU.10E/major-piece", Some("P1"), None)]);
    assert!(codes(&out, "spec/variance-criterion").is_empty());
    assert!(one(&out, "NTU.10E/major-piece").is_waived());
}

#[test]
fn criterion_check_is_left_to_a_framework_with_its_own_rule() {
    // ljmu has a criterion rule of its own: spec/variance-criterion stays quiet ...
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.B2/credits", "    criterion discipline\n"),
    )]);
    let out = c.run(vec![c.about("PG.B2/credits", Some("P1"), None)]);
    assert!(codes(&out, "spec/variance-criterion").is_empty());
    // ... but a criterion the rule does not admit still waives nothing.
    assert!(!one(&out, "PG.B2/credits").is_waived());
    let unused = one(&out, "spec/variance-unused");
    assert!(
        unused
            .help
            .as_deref()
            .is_some_and(|h| h.contains("does not admit criterion `discipline`")),
        "{unused:?}"
    );
}

// ---------------------------------------------------------------- validity

#[test]
fn an_error_inside_the_variance_makes_it_waive_nothing() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let own = Diagnostic::error(
        "PG.A1.6/variance-evidence",
        0,
        c.span_of("rationale \"r\"", 0),
        "rationale is empty",
    );
    let out = c.run(vec![own, c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "PG.A4.2/module-size").is_waived());
    assert!(codes(&out, "spec/variance-unused").is_empty());
    assert!(codes(&out, "spec/variance-pending").is_empty());
}

#[test]
fn a_warning_inside_the_variance_or_an_error_outside_it_does_not_invalidate_it() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let warning = Diagnostic::warning("PG.A1.6/variance-evidence", 0, c.span_of("rationale \"r\"", 0), "short");
    let outside = Diagnostic::error("PG.B2/credits", 0, c.span_of("credits 60", 0), "credits");
    let out = c.run(vec![
        warning,
        outside,
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
    ]);
    assert!(one(&out, "PG.A4.2/module-size").is_waived());
}

#[test]
fn a_missing_criterion_makes_it_waive_nothing() {
    let c = case(&[programme("P1", "ljmu", "M1", &approved("PG.A4.2/module-size", ""))]);
    assert_eq!(one(&c.built, "spec/missing-property").code, "spec/missing-property");
    let out = c.run(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "PG.A4.2/module-size").is_waived());
    assert!(codes(&out, "spec/variance-unused").is_empty());
}

#[test]
fn an_applies_to_outside_the_structure_makes_it_waive_nothing() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved(
            "PG.A4.2/module-size",
            "    applies-to M1, M3\n    criterion psrb \"X\"\n",
        ),
    )]);
    assert_eq!(one(&c.built, "spec/unknown-reference").code, "spec/unknown-reference");
    let out = c.run(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "PG.A4.2/module-size").is_waived());
}

// ---------------------------------------------------------------- what is waived

#[test]
fn waives_exactly_the_rule_it_cites() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/dissertation-credits", Some("P1"), Some("M1")),
    ]);
    assert!(one(&out, "PG.A4.2/module-size").is_waived());
    assert!(!one(&out, "PG.A4.2/dissertation-credits").is_waived());
}

#[test]
fn applies_to_limits_the_scope_to_its_modules() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1, M2",
        &approved("PG.A4.2/module-size", "    applies-to M1\n    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/module-size", Some("P1"), Some("M2")),
    ]);
    let ds = codes(&out, "PG.A4.2/module-size");
    let by_module: HashMap<String, bool> = ds
        .iter()
        .map(|d| (d.module.clone().unwrap_or_default(), d.is_waived()))
        .collect();
    assert_eq!(by_module.get("M1"), Some(&true));
    assert_eq!(by_module.get("M2"), Some(&false));
}

#[test]
fn applies_to_does_not_cover_a_diagnostic_about_no_module() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.B2/credits", "    applies-to M1\n    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![c.about("PG.B2/credits", Some("P1"), None)]);
    assert!(!one(&out, "PG.B2/credits").is_waived());
    // Unused, and the help says why.
    let unused = one(&out, "spec/variance-unused");
    assert!(
        unused
            .help
            .as_deref()
            .is_some_and(|h| h.contains("fires about the programme as a whole in programme `P1`")),
        "{unused:?}"
    );
}

#[test]
fn without_applies_to_the_whole_programme_is_covered() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1, M2",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/module-size", Some("P1"), Some("M2")),
        c.about("PG.A4.4/semester-balance", Some("P1"), None),
    ]);
    assert!(codes(&out, "PG.A4.2/module-size").iter().all(|d| d.is_waived()));
    assert!(!one(&out, "PG.A4.4/semester-balance").is_waived());
}

#[test]
fn a_variance_covers_only_its_own_programme() {
    let c = case(&[
        programme(
            "P1",
            "ljmu",
            "M1",
            &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
        ),
        programme("P2", "ljmu", "M1", ""),
    ]);
    let out = c.run(vec![
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/module-size", Some("P2"), Some("M1")),
    ]);
    let ds = codes(&out, "PG.A4.2/module-size");
    let by_prog: HashMap<String, bool> = ds
        .iter()
        .map(|d| (d.programme.clone().unwrap_or_default(), d.is_waived()))
        .collect();
    assert_eq!(by_prog.get("P1"), Some(&true));
    assert_eq!(by_prog.get("P2"), Some(&false));
}

#[test]
fn the_first_valid_covering_variance_in_source_order_waives() {
    let body = [
        // Invalid (an error of its own below): skipped.
        approved(
            "PG.A4.2/module-size",
            "    applies-to M1\n    criterion psrb \"First\"\n",
        ),
        // Covers M2 only.
        approved(
            "PG.A4.2/module-size",
            "    applies-to M2\n    criterion psrb \"Second\"\n",
        ),
        // Whole programme: covers M1.
        approved("PG.A4.2/module-size", "    criterion psrb \"Third\"\n"),
        // Also whole programme, later: never used.
        approved("PG.A4.2/module-size", "    criterion psrb \"Fourth\"\n"),
    ]
    .concat();
    let c = case(&[programme("P1", "ljmu", "M1, M2", &body)]);
    let own = Diagnostic::error(
        "PG.A1.6/variance-psrb",
        0,
        c.span_of("psrb \"First\"", 0),
        "not accredited",
    );
    let out = c.run(vec![
        own,
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/module-size", Some("P1"), Some("M2")),
    ]);
    let ds = codes(&out, "PG.A4.2/module-size");
    let m1 = ds.iter().find(|d| d.module.as_deref() == Some("M1")).expect("M1");
    let m2 = ds.iter().find(|d| d.module.as_deref() == Some("M2")).expect("M2");
    let head = |n: usize| c.span_of("variance PG.A4.2/module-size", n);
    assert_eq!(m1.waived_by.as_ref().map(|w| w.span), Some(head(2)));
    assert_eq!(m2.waived_by.as_ref().map(|w| w.span), Some(head(1)));
    // The fourth waived nothing: unused, reported at its head.
    let unused = one(&out, "spec/variance-unused");
    assert_eq!(unused.span, head(3));
    assert_eq!(unused.severity, Severity::Warning);
}

#[test]
fn spec_diagnostics_are_never_waived() {
    // Even a hand-made spec/ diagnostic whose code a (not-waivable) variance cites.
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let mut d = c.about("spec/credit-total", Some("P1"), Some("M1"));
    d.code = "spec/credit-total".into();
    let out = c.run(vec![d, c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "spec/credit-total").is_waived());
}

#[test]
fn waived_diagnostics_keep_their_severity_and_name_the_variance() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let mut w = c.about("PG.A4.2/module-size", Some("P1"), Some("M1"));
    w.severity = Severity::Warning;
    let out = c.run(vec![w.clone()]);
    let d = one(&out, "PG.A4.2/module-size");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.message, w.message);
    let by = d.waived_by.as_ref().expect("waived");
    assert_eq!(by.rule, "PG.A4.2/module-size");
    assert_eq!(by.source, 0);
    assert_eq!(by.span, c.ws.programmes[0].variances[0].head);
    assert!(!by.pending);
    assert_eq!(
        waived_rule_line(&c, &d),
        Some(c.text[..c.span_of("variance PG", 0).start()].matches('\n').count() + 1)
    );
}

// ---------------------------------------------------------------- module itself

#[test]
fn a_module_itself_rule_is_waived_when_every_listing_programme_holds_a_variance() {
    let v = approved("PG.A3.1/proforma", "    applies-to M1\n    criterion psrb \"X\"\n");
    let c = case(&[programme("P1", "ljmu", "M1", &v), programme("P2", "ljmu", "M1, M2", &v)]);
    let out = c.run(vec![c.about("PG.A3.1/proforma", None, Some("M1"))]);
    let d = one(&out, "PG.A3.1/proforma");
    // Named by the first programme's variance.
    assert_eq!(
        d.waived_by.as_ref().map(|w| w.span),
        Some(c.ws.programmes[0].variances[0].head)
    );
    assert!(codes(&out, "spec/variance-unused").is_empty());
}

#[test]
fn a_module_itself_rule_is_not_waived_when_one_listing_programme_lacks_a_variance() {
    let v = approved("PG.A3.1/proforma", "    applies-to M1\n    criterion psrb \"X\"\n");
    let c = case(&[programme("P1", "ljmu", "M1", &v), programme("P2", "ljmu", "M1, M2", "")]);
    let out = c.run(vec![c.about("PG.A3.1/proforma", None, Some("M1"))]);
    assert!(!one(&out, "PG.A3.1/proforma").is_waived());
    let unused = one(&out, "spec/variance-unused");
    assert_eq!(unused.programme.as_deref(), Some("P1"));
    assert!(
        unused
            .help
            .as_deref()
            .is_some_and(|h| h.contains("programme `P2` also lists the module")),
        "{unused:?}"
    );
}

#[test]
fn a_module_itself_rule_ignores_programmes_under_another_framework_or_not_listing_it() {
    let v = approved("PG.A3.1/proforma", "    applies-to M1\n    criterion psrb \"X\"\n");
    // P2 is under ntu (which also defines PG.A3.1/proforma here, but the
    // fake ntu rule is a different framework's), P3 does not list M1.
    let mut cat_case = case(&[
        programme("P1", "ljmu", "M1", &v),
        programme("P2", "other", "M1", ""),
        programme("P3", "ljmu", "M2", ""),
    ]);
    let out = cat_case.run(vec![cat_case.about("PG.A3.1/proforma", None, Some("M1"))]);
    assert!(one(&out, "PG.A3.1/proforma").is_waived());
    // Under ntu, which defines the rule too, P2 must hold one as well.
    cat_case = case(&[programme("P1", "ljmu", "M1", &v), programme("P2", "ntu", "M1", "")]);
    let out = cat_case.run(vec![cat_case.about("PG.A3.1/proforma", None, Some("M1"))]);
    assert!(!one(&out, "PG.A3.1/proforma").is_waived());
}

#[test]
fn a_module_itself_rule_reported_with_a_programme_still_needs_every_programme() {
    // The evaluator may name a programme on a module-itself diagnostic: the
    // catalogue's scope decides.
    let v = approved("PG.A3.1/proforma", "    criterion psrb \"X\"\n");
    let c = case(&[programme("P1", "ljmu", "M1", &v), programme("P2", "ljmu", "M1", "")]);
    let out = c.run(vec![c.about("PG.A3.1/proforma", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "PG.A3.1/proforma").is_waived());
}

// ---------------------------------------------------------------- pending

#[test]
fn a_pending_variance_waives_and_is_reported_as_pending() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &variance("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    let d = one(&out, "PG.A4.2/module-size");
    assert!(d.waived_by.as_ref().is_some_and(|w| w.pending));
    let p = one(&out, "spec/variance-pending");
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.span, c.ws.programmes[0].variances[0].head);
    assert_eq!(p.programme.as_deref(), Some("P1"));
    assert_eq!(p.clause, None);
    assert!(p.help.is_some());
    assert!(codes(&out, "spec/variance-unused").is_empty());
}

#[test]
fn require_approved_makes_pending_variances_waive_nothing_but_still_reports_them() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &variance("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run_with(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))], true);
    assert!(!one(&out, "PG.A4.2/module-size").is_waived());
    let p = one(&out, "spec/variance-pending");
    assert!(p.help.as_deref().is_some_and(|h| h.contains("waives nothing")), "{p:?}");
    // It would have waived: pending, not unused.
    assert!(codes(&out, "spec/variance-unused").is_empty());
}

#[test]
fn require_approved_falls_through_to_a_later_approved_variance() {
    let body = [
        variance("PG.A4.2/module-size", "    criterion psrb \"X\"\n"),
        approved("PG.A4.2/module-size", "    criterion psrb \"Y\"\n"),
    ]
    .concat();
    let c = case(&[programme("P1", "ljmu", "M1", &body)]);
    let out = c.run_with(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))], true);
    let d = one(&out, "PG.A4.2/module-size");
    assert_eq!(
        d.waived_by.as_ref().map(|w| (w.span, w.pending)),
        Some((c.ws.programmes[0].variances[1].head, false))
    );
    // Without the flag the first (pending) one waives.
    let out = c.run(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    let d = one(&out, "PG.A4.2/module-size");
    assert_eq!(
        d.waived_by.as_ref().map(|w| (w.span, w.pending)),
        Some((c.ws.programmes[0].variances[0].head, true))
    );
    assert_eq!(
        one(&out, "spec/variance-unused").span,
        c.ws.programmes[0].variances[1].head
    );
}

#[test]
fn an_invalid_pending_variance_is_not_reported_as_pending() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &variance("PG.A4.2/nope", "    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![]);
    assert_eq!(
        one(&out, "spec/variance-unknown-rule").code,
        "spec/variance-unknown-rule"
    );
    assert!(codes(&out, "spec/variance-pending").is_empty());
}

// ---------------------------------------------------------------- unused

#[test]
fn a_valid_variance_that_waives_nothing_is_unused() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.4/semester-balance", "    criterion discipline\n"),
    )]);
    let out = c.run(vec![]);
    let d = one(&out, "spec/variance-unused");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.message, "variance for `PG.A4.4/semester-balance` waives nothing");
    assert_eq!(d.span, c.ws.programmes[0].variances[0].head);
    assert_eq!(d.programme.as_deref(), Some("P1"));
    assert_eq!(d.clause, None);
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("reports nothing about programme `P1`")),
        "{d:?}"
    );
}

#[test]
fn unused_is_computed_after_waiving() {
    // The variance is used by a diagnostic that comes after... everything:
    // whatever the order of `diags`, a variance that waives is not unused.
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1",
        &approved("PG.A4.4/semester-balance", "    criterion discipline\n"),
    )]);
    let out = c.run(vec![c.about("PG.A4.4/semester-balance", Some("P1"), None)]);
    assert!(one(&out, "PG.A4.4/semester-balance").is_waived());
    assert!(codes(&out, "spec/variance-unused").is_empty());
    assert!(codes(&out, "spec/variance-pending").is_empty());
}

// ---------------------------------------------------------------- properties

#[test]
fn output_is_deterministic() {
    let body = [
        approved("PG.A4.2/module-size", "    applies-to M1\n    criterion psrb \"X\"\n"),
        variance("PG.A4.2", "    criterion psrb \"X\"\n"),
        variance("spec/syntax", "    criterion psrb \"X\"\n"),
    ]
    .concat();
    let c = case(&[programme("P1", "ljmu", "M1, M2", &body)]);
    let input = vec![
        c.about("PG.A4.2/module-size", Some("P1"), Some("M1")),
        c.about("PG.A4.2/module-size", Some("P1"), Some("M2")),
    ];
    let a = c.run(input.clone());
    let b = c.run(input);
    assert_eq!(a, b);
    assert_eq!(codes(&a, "spec/variance-unknown-rule").len(), 1);
    assert_eq!(codes(&a, "spec/variance-not-waivable").len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// No input panics, frameworks slices of any length are accepted, and
    /// every emitted diagnostic is a spec/variance-* one with a programme.
    #[test]
    fn never_panics(body in "[ -~\n]{0,200}", rule_id in "[A-Za-z./-]{0,20}", fw in proptest::option::of("(ljmu|ntu|x)"), extra_frameworks in 0usize..3) {
        let text = format!("{MODULES}programme P1 \"P\" {{ framework ljmu structure {{ core M1 semester 1 }} variance {rule_id} {{ {body} }} }}");
        let tree = spec::syntax::parse(&text);
        let mut built = Vec::new();
        let ws = build_workspace(&[(0, &tree)], &mut built);
        let frameworks: Vec<Option<String>> = std::iter::repeat_n(fw.clone(), extra_frameworks).collect();
        let cat = catalogue();
        let before = built.len();
        let mut diags = built.clone();
        check_and_waive(&VarianceInput { ws: &ws, catalogue: &cat, frameworks: &frameworks, require_approved: false, held_back: &Default::default() }, &mut diags);
        for d in &diags[before..] {
            prop_assert!(d.code.starts_with("spec/variance-"));
            prop_assert!(d.programme.is_some());
            prop_assert!(d.help.is_some());
        }
    }
}

// ---------------------------------------------------------------- end to end (`spec check`)

mod cli {
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    const CASE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/msc-variances.pspec"
    ));

    /// The conformance case with the module-size variance's approval removed:
    /// the variance is pending, so it waives (and is reported) unless
    /// `--require-approved-variances`.
    fn pending_case() -> String {
        let out = CASE.replace(
            "    approved \"Academic Quality and Standards Committee\" 2024-04-10\n",
            "",
        );
        assert_ne!(out, CASE, "the conformance case changed: update this test");
        out
    }

    fn workspace(text: &str, toml: Option<&str>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("msc.pspec");
        std::fs::write(&f, text).expect("write");
        if let Some(t) = toml {
            std::fs::write(dir.path().join("spec.toml"), t).expect("write");
        }
        (dir, f)
    }

    fn check(file: &Path, args: &[&str]) -> (i32, Value) {
        let out = crate::support::bin()
            .arg("check")
            .args(args)
            .args(["--format", "json"])
            .arg(file)
            .run();
        let v: Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
        (out.status(), v)
    }

    /// (code, waived, pending) of every diagnostic.
    fn codes(v: &Value) -> Vec<(String, bool, bool)> {
        v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_string(),
                    d["waived"].as_bool().unwrap_or(false),
                    d["waived_by"]["pending"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    #[test]
    fn warnings_alone_pass_unless_denied() {
        let (_dir, f) = workspace(CASE, None);
        let (code, v) = check(&f, &[]);
        assert_eq!(code, 0, "{v:#}");
        assert_eq!(v["summary"]["errors"], 0);
        assert_eq!(v["summary"]["warnings"], 2, "{v:#}");
        let c = codes(&v);
        assert!(
            c.iter()
                .any(|(code, waived, pending)| code == "PG.A4.2/module-size" && *waived && !pending),
            "{c:?}"
        );
        assert!(c
            .iter()
            .any(|(code, waived, _)| code == "spec/variance-unused" && !waived));
        assert!(c
            .iter()
            .any(|(code, waived, _)| code == "spec/variance-pending" && !waived));
        let (code, _) = check(&f, &["--deny", "warnings"]);
        assert_eq!(code, 1);
    }

    #[test]
    fn deny_warnings_from_spec_toml() {
        let (_dir, f) = workspace(CASE, Some("[output]\ndeny = [\"warnings\"]\n"));
        assert_eq!(check(&f, &[]).0, 1);
    }

    #[test]
    fn a_pending_variance_waives_unless_approval_is_required() {
        let (_dir, f) = workspace(&pending_case(), None);
        let (code, v) = check(&f, &[]);
        assert_eq!(code, 0, "{v:#}");
        let c = codes(&v);
        assert!(
            c.iter()
                .any(|(code, waived, pending)| code == "PG.A4.2/module-size" && *waived && *pending),
            "{c:?}"
        );
        assert_eq!(
            c.iter().filter(|(code, _, _)| code == "spec/variance-pending").count(),
            2,
            "{c:?}"
        );

        let (code, v) = check(&f, &["--require-approved-variances"]);
        assert_eq!(code, 1, "{v:#}");
        let c = codes(&v);
        assert!(
            c.iter()
                .filter(|(code, _, _)| code == "PG.A4.2/module-size")
                .all(|(_, waived, _)| !waived),
            "{c:?}"
        );
        assert!(v["summary"]["errors"].as_u64().is_some_and(|e| e >= 2), "{v:#}");
        // Still reported as pending, not as unused.
        assert_eq!(
            c.iter().filter(|(code, _, _)| code == "spec/variance-pending").count(),
            2,
            "{c:?}"
        );
        assert_eq!(
            c.iter().filter(|(code, _, _)| code == "spec/variance-unused").count(),
            1,
            "{c:?}"
        );
    }

    #[test]
    fn require_approved_from_spec_toml() {
        let (_dir, f) = workspace(&pending_case(), Some("[output]\nrequire_approved_variances = true\n"));
        assert_eq!(check(&f, &[]).0, 1);
    }
}

#[test]
fn unused_help_names_a_subject_the_scope_left_out() {
    let c = case(&[programme(
        "P1",
        "ljmu",
        "M1, M2",
        &approved("PG.A4.2/module-size", "    applies-to M2\n    criterion psrb \"X\"\n"),
    )]);
    let out = c.run(vec![c.about("PG.A4.2/module-size", Some("P1"), Some("M1"))]);
    assert!(!one(&out, "PG.A4.2/module-size").is_waived());
    let unused = one(&out, "spec/variance-unused");
    assert!(
        unused
            .help
            .as_deref()
            .is_some_and(|h| h.contains("fires about module `M1` in programme `P1`")),
        "{unused:?}"
    );
}

/// The criterion checks with the real packs: a framework without a criterion
/// rule of its own gets spec/variance-criterion; LJMU reports its own rule.
mod criterion_e2e {

    use serde_json::Value;

    const NTU: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/ntu-online-msc.pspec"
    ));
    const LJMU: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/msc-variances.pspec"
    ));

    fn with_variance(case: &str, variance: &str) -> String {
        let end = case.rfind('}').expect("a programme");
        format!("{}{variance}}}\n", &case[..end])
    }

    fn codes(text: &str) -> Vec<(String, bool)> {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("a.pspec");
        std::fs::write(&f, text).expect("write");
        let out = crate::support::bin().args(["check", "--format", "json"]).arg(&f).run();
        let v: Value = serde_json::from_str(&out.stdout).expect("json");
        v["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_string(),
                    d["waived"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    const BODY: &str = "    rationale \"r\"\n    alternative \"a\"\n    evidence \"e\"\n    submitted 2024-01-01\n    approved \"Committee\" 2024-02-01\n  }\n";

    #[test]
    fn ntu_has_no_criterion_rule_so_spec_variance_criterion_fires() {
        let text = with_variance(
            NTU,
            &format!("  variance NTU.10E/major-piece {{\n    criterion psrb \"X\"\n{BODY}"),
        );
        let c = codes(&text);
        assert!(c.iter().any(|(code, _)| code == "spec/variance-criterion"), "{c:?}");
        assert!(!c.iter().any(|(code, _)| code == "spec/variance-unused"), "{c:?}");
        // Admitted: quiet, and (nothing to waive) unused.
        let text = with_variance(
            NTU,
            &format!("  variance NTU.10E/major-piece {{\n    criterion discipline\n{BODY}"),
        );
        let c = codes(&text);
        assert!(!c.iter().any(|(code, _)| code == "spec/variance-criterion"), "{c:?}");
        assert!(c.iter().any(|(code, _)| code == "spec/variance-unused"), "{c:?}");
    }

    #[test]
    fn ljmu_reports_its_own_criterion_rule_instead() {
        let text = with_variance(
            LJMU,
            &format!("  variance PG.B2/credits {{\n    criterion discipline\n{BODY}"),
        );
        let c = codes(&text);
        assert!(!c.iter().any(|(code, _)| code == "spec/variance-criterion"), "{c:?}");
        assert!(c.iter().any(|(code, _)| code == "PG.A1.6/variance-criterion"), "{c:?}");
    }

    #[test]
    fn citing_a_spec_rule_or_a_clause_with_the_real_packs() {
        let text = with_variance(
            LJMU,
            &format!("  variance spec/credit-total {{\n    criterion discipline\n{BODY}"),
        );
        assert!(codes(&text)
            .iter()
            .any(|(code, _)| code == "spec/variance-not-waivable"));
        let text = with_variance(
            LJMU,
            &format!("  variance PG.A4.2 {{\n    criterion discipline\n{BODY}"),
        );
        assert!(codes(&text)
            .iter()
            .any(|(code, _)| code == "spec/variance-unknown-rule"));
    }
}

// ---------------------------------------------------------------- invariants over random inputs

const RULES: &[&str] = &[
    "PG.A4.2/module-size",
    "PG.A4.4/semester-balance",
    "PG.A3.1/proforma",
    "PG.B2/credits",
    "spec/credit-total",
    "PG.A4.2",
];
const CRITERIA: &[&str] = &["psrb \"X\"", "discipline", "validation"];
const MODS: &[&str] = &["M1", "M2", "M3"];

/// (rule, applies-to mask, criterion, approved) per variance.
type VarSpec = (usize, u8, usize, bool);

fn random_case(programmes: &[(bool, Vec<VarSpec>)]) -> Case {
    let texts: Vec<String> = programmes
        .iter()
        .enumerate()
        .map(|(i, (ntu, vars))| {
            let body: String = vars
                .iter()
                .map(|&(r, mask, c, ok)| {
                    let applies: Vec<&str> = MODS
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| mask & (1 << k) != 0)
                        .map(|(_, m)| *m)
                        .collect();
                    let mut extra = String::new();
                    if !applies.is_empty() {
                        extra.push_str(&format!("    applies-to {}\n", applies.join(", ")));
                    }
                    extra.push_str(&format!("    criterion {}\n", CRITERIA[c % CRITERIA.len()]));
                    let rule = RULES[r % RULES.len()];
                    if ok {
                        approved(rule, &extra)
                    } else {
                        variance(rule, &extra)
                    }
                })
                .collect();
            programme(&format!("P{i}"), if *ntu { "ntu" } else { "ljmu" }, "M1, M2, M3", &body)
        })
        .collect();
    case(&texts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn waiving_invariants(
        programmes in proptest::collection::vec((any::<bool>(), proptest::collection::vec((0usize..6, 0u8..8, 0usize..3, any::<bool>()), 0..4)), 1..4),
        raw in proptest::collection::vec((0usize..6, proptest::option::of(0usize..4), proptest::option::of(0usize..3), any::<bool>()), 0..12),
        require_approved in any::<bool>(),
    ) {
        let c = random_case(&programmes);
        let extra: Vec<Diagnostic> = raw
            .iter()
            .map(|&(r, p, m, warn)| {
                let code = RULES[r % RULES.len()];
                let mut d = c.about(code, None, m.map(|m| MODS[m]));
                d.programme = p.map(|p| format!("P{p}"));
                if warn {
                    d.severity = Severity::Warning;
                }
                d
            })
            .collect();
        let out = c.run_with(extra.clone(), require_approved);
        // The input diagnostics are all still there, in order, unchanged but for `waived_by`.
        let before = c.built.len();
        for (i, d) in extra.iter().enumerate() {
            let mut o = out[before + i].clone();
            let by = o.waived_by.take();
            prop_assert_eq!(&o, d);
            if let Some(by) = by {
                prop_assert!(!d.code.starts_with("spec/"));
                prop_assert_eq!(&by.rule, &d.code);
                prop_assert!(!(require_approved && by.pending));
                // It names a variance of a programme (the diagnostic's own,
                // unless it is about a module itself).
                let owner = c.ws.programmes.iter().find(|p| p.variances.iter().any(|v| v.head == by.span));
                prop_assert!(owner.is_some());
                if let (Some(p), Some(owner)) = (&d.programme, owner) {
                    if d.code != "PG.A3.1/proforma" {
                        prop_assert_eq!(p, &owner.code.value);
                    }
                }
            }
        }
        // What is added is spec/variance-* only, each about a programme.
        for d in &out[before + extra.len()..] {
            prop_assert!(d.code.starts_with("spec/variance-"), "{}", d.code);
            prop_assert!(d.programme.is_some());
        }
        // Deterministic.
        prop_assert_eq!(out, c.run_with(extra, require_approved));
    }
}
