//! Quality-officer regression tests: realistic workspaces that probe the
//! edges of rules.md (tests/fixtures/qa/), each with the findings it must
//! and must not give. Every test here failed before the fix it guards.

mod support;

use std::collections::BTreeSet;

use spec::analysis::Analysis;
use support::analyse;

fn fixture(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qa/").to_string() + name;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (code, message) of every unwaived diagnostic.
fn findings(a: &Analysis) -> Vec<(String, String)> {
    a.diagnostics
        .iter()
        .filter(|d| !d.is_waived())
        .map(|d| (d.code.clone(), d.message.clone()))
        .collect()
}

/// No two diagnostics read the same: a reader must tell them apart.
fn assert_distinct(a: &Analysis) {
    let mut seen = BTreeSet::new();
    for d in &a.diagnostics {
        let key = (d.code.clone(), d.message.clone(), d.span.start(), d.span.end());
        assert!(
            seen.insert(key),
            "two diagnostics read the same: {} {}",
            d.code,
            d.message
        );
    }
}

#[test]
fn a_module_in_two_programmes_is_reported_once_per_programme_naming_it() {
    let a = analyse(&fixture("module-in-two-programmes.pspec"));
    let sizes: Vec<_> = findings(&a)
        .into_iter()
        .filter(|(c, _)| c == "PG.A4.2/module-size")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(sizes.len(), 4, "{sizes:#?}");
    for (module, prog) in [
        ("7002DA", "MSCDA"),
        ("7002DA", "MSCDS"),
        ("7003ST", "MSCDA"),
        ("7003ST", "MSCDS"),
    ] {
        assert!(
            sizes
                .iter()
                .any(|m| m.contains(&format!("`{module}`")) && m.contains(&format!("`{prog}`"))),
            "no module-size finding for {module} in {prog}: {sizes:#?}"
        );
    }
    assert_distinct(&a);
}

/// The exact set of codes reported unwaived.
fn codes(a: &Analysis) -> BTreeSet<String> {
    findings(a).into_iter().map(|(c, _)| c).collect()
}

#[test]
fn out_of_range_values_are_reported_once_not_again_by_framework_rules() {
    let a = analyse(&fixture("invalid-values-no-cascade.pspec"));
    assert_eq!(
        codes(&a),
        BTreeSet::from(["spec/invalid-value".to_string(), "spec/not-evaluated".to_string()]),
        "{:#?}",
        findings(&a)
    );
    // Four values, and the one note that the pathway rules wait for them.
    assert_eq!(findings(&a).len(), 5, "{:#?}", findings(&a));
    let a = analyse(&fixture("level-out-of-range.pspec"));
    assert_eq!(
        findings(&a),
        vec![
            (
                "spec/invalid-value".to_string(),
                "level `9` is not between 3 and 8".to_string()
            ),
            (
                "spec/not-evaluated".to_string(),
                "programme `MSCDA` was not checked against 7 rules: the level of module `7001RM` is out of range"
                    .to_string(),
            ),
        ]
    );
}

#[test]
fn pathway_rules_wait_while_the_structure_repeats_a_module_or_a_stage() {
    let a = analyse(&fixture("module-listed-twice.pspec"));
    assert_eq!(
        codes(&a),
        BTreeSet::from(["spec/duplicate".to_string(), "spec/not-evaluated".to_string()]),
        "{:#?}",
        findings(&a)
    );
    let a = analyse(&fixture("duplicate-stage.pspec"));
    let policy: Vec<_> = findings(&a)
        .into_iter()
        .filter(|(c, _)| !c.starts_with("spec/"))
        .collect();
    assert!(policy.is_empty(), "{policy:#?}");
    assert!(codes(&a).contains("spec/duplicate"));
    let held: Vec<_> = findings(&a)
        .into_iter()
        .filter(|(c, _)| c == "spec/not-evaluated")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        held,
        vec!["programme `NTUA` was not checked against 6 rules: its structure repeats stage `1`".to_string()]
    );
}

#[test]
fn semester_balance_rounds_split_credits_and_says_so() {
    let a = analyse(&fixture("semester-balance-thirds.pspec"));
    let balance: Vec<_> = findings(&a)
        .into_iter()
        .filter(|(c, _)| c == "PG.A4.4/semester-balance")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(balance.len(), 1, "{:#?}", findings(&a));
    assert!(
        balance[0].contains("semester 1 carries 87 credits and semester 2 carries 17 (rounded"),
        "{}",
        balance[0]
    );
}

#[test]
fn a_variance_on_an_unwaivable_rule_says_it_cannot_be_waived() {
    let a = analyse(&fixture("variance-unwaivable-rule.pspec"));
    assert_eq!(
        codes(&a),
        BTreeSet::from([
            "COLLAB/link-tutor".to_string(),
            "PG.A1.6/variance-criterion".to_string()
        ]),
        "{:#?}",
        findings(&a)
    );
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "PG.A1.6/variance-criterion")
        .expect("the criterion finding");
    let help = d.help.as_deref().unwrap_or("");
    assert!(
        help.contains("admits no criterion: it cannot be waived") && !help.contains("none"),
        "{help}"
    );
}

#[test]
fn cpd_credits_boundaries_and_a_help_that_fits_the_award() {
    let a = analyse(&fixture("cpd-credit-boundaries.pspec"));
    let credits: Vec<_> = a.diagnostics.iter().filter(|d| d.code == "PG.B2/credits").collect();
    let progs: Vec<_> = credits.iter().filter_map(|d| d.programme.as_deref()).collect();
    assert_eq!(progs, vec!["CPD70", "CPD5"], "{:#?}", findings(&a));
    for d in credits {
        let help = d.help.as_deref().unwrap_or("");
        assert!(!help.contains("Erasmus"), "{help}");
        assert!(d.message.contains("10 to 60 credits"), "{}", d.message);
    }
}

#[test]
fn semester_rules_wait_for_a_missing_placement() {
    let a = analyse(&fixture("placement-missing.pspec"));
    assert_eq!(
        codes(&a),
        BTreeSet::from(["spec/missing-property".to_string(), "PG.A4.5/year-long".to_string()]),
        "{:#?}",
        findings(&a)
    );
}

#[test]
fn ntu_major_piece_prerequisites_ignore_undefined_modules_and_name_the_dissertation() {
    let a = analyse(&fixture("ntu-undefined-prerequisite.pspec"));
    let ntu: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "NTU.10E/major-piece-prerequisites")
        .collect();
    assert_eq!(ntu.len(), 1, "{:#?}", findings(&a));
    assert_eq!(ntu[0].programme.as_deref(), Some("NTUB"));
    assert!(ntu[0].message.contains("`798DS`"), "{}", ntu[0].message);
    let text = fixture("ntu-undefined-prerequisite.pspec");
    assert_eq!(
        text.get(ntu[0].span.start()..ntu[0].span.end()),
        Some("requires 720NT"),
        "the finding points at the dissertation's `requires`"
    );
}

#[test]
fn variance_timing_without_validated_checks_only_submitted() {
    let a = analyse(&fixture("variance-timing-without-validated.pspec"));
    let timing: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "PG.A1.7/variance-timing")
        .filter_map(|d| d.programme.as_deref())
        .collect();
    assert_eq!(timing, vec!["MSCDS"], "{:#?}", findings(&a));
    let waived: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.is_waived())
        .filter_map(|d| d.programme.as_deref())
        .collect();
    assert_eq!(waived, vec!["MSCDA", "MSCDA"], "MSCDA's variance is valid and waives");
}

#[test]
fn a_one_credit_module_reads_one_credit() {
    let text = "module 7001RM \"Research Methods\" { credits 20 level 7 research-skills outcomes { LO1 \"Plan\" } assessment AS1 \"P\" { kind coursework covers LO1 } }
module 7002DA \"Induction\" { credits 1 level 7 outcomes { LO1 \"Start\" } assessment AS1 \"R\" { kind coursework covers LO1 } }
module 7003ST \"Statistics\" { credits 39 level 7 outcomes { LO1 \"Model\" } assessment AS1 \"E\" { kind exam covers LO1 } }
module 7004ML \"Machine Learning\" { credits 30 level 7 outcomes { LO1 \"Train\" } assessment AS1 \"P\" { kind project covers LO1 } }
module 7005DV \"Visualisation\" { credits 30 level 7 outcomes { LO1 \"Show\" } assessment AS1 \"P\" { kind portfolio covers LO1 } }
module 7099DS \"Dissertation\" { credits 60 level 7 dissertation requires 7001RM outcomes { LO1 \"Investigate\" } assessment AS1 \"D\" { kind project covers LO1 } }
programme MSCDA \"MSc Data Analytics\" { award MSc framework ljmu-pgt-2022 credits 180
  structure { core 7001RM, 7002DA, 7003ST semester 1 core 7004ML, 7005DV semester 2 core 7099DS semester 3 }
}
";
    let a = analyse(text);
    let size: Vec<_> = findings(&a)
        .into_iter()
        .filter(|(c, _)| c == "PG.A4.2/module-size")
        .map(|(_, m)| m)
        .collect();
    assert!(
        size.iter().any(|m| m.starts_with("module `7002DA` is 1 credit;")),
        "{size:#?}"
    );
    assert!(
        size.iter().any(|m| m.starts_with("module `7003ST` is 39 credits;")),
        "{size:#?}"
    );
}
