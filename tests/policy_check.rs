//! `policy::check` around the rules: choosing each programme's framework
//! (`--framework`, the programme's own, the default), unknown frameworks and
//! awards with suggestions, the embedded packs compiled once, and no
//! framework number hard-wired in Rust.

mod support;

use std::sync::Arc;

use spec::analysis::Options;
use support::analyse_with;

const MODULE: &str = r#"module 7001AB "Analytics" { credits 20 level 7 outcomes { LO1 "Analyse data" } assessment AS1 "Report" { kind coursework covers LO1 } }
"#;

#[test]
fn unknown_framework_and_award_are_reported_with_a_suggestion() {
    let text = format!(
        "{MODULE}programme CPDAB \"CPD\" {{ award CPD framework ljmu-pgt-2023 credits 20 structure {{ core 7001AB semester 1 }} }}\n\
         programme CPDAC \"CPD\" {{ award Cpd framework ljmu-pgt-2022 credits 20 exit-award PGCERT 10 structure {{ core 7001AB semester 1 }} }}\n"
    );
    let a = analyse_with(&text, &Options::default());
    let fw = a
        .diagnostics
        .iter()
        .find(|d| d.code == "spec/unknown-reference")
        .expect("unknown framework");
    assert_eq!(&text[fw.span.range()], "ljmu-pgt-2023");
    assert_eq!(fw.help.as_deref(), Some("did you mean `ljmu-pgt-2022`?"));
    let awards: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/unknown-award")
        .collect();
    assert_eq!(awards.len(), 2, "{:#?}", a.diagnostics);
    assert_eq!(&text[awards[0].span.range()], "Cpd");
    assert_eq!(awards[0].help.as_deref(), Some("did you mean `CPD`?"));
    assert_eq!(&text[awards[1].span.range()], "PGCERT");
    assert_eq!(awards[1].help.as_deref(), Some("did you mean `PGCert`?"));
    // the programme with an unknown framework runs no framework rule
    assert!(a
        .diagnostics
        .iter()
        .all(|d| d.programme.as_deref() != Some("CPDAB") || d.code.starts_with("spec/")));
}

#[test]
fn framework_option_overrides_for_impact_analysis() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/ntu-online-msc.pspec"
    ))
    .expect("read");
    let own = analyse_with(&text, &Options::default());
    assert!(own.diagnostics.is_empty(), "{:#?}", own.diagnostics);
    let options = Options {
        framework: Some("ljmu-pgt-2022".into()),
        ..Options::default()
    };
    let ljmu = analyse_with(&text, &options);
    let ids: std::collections::BTreeSet<&str> = ljmu.diagnostics.iter().map(|d| d.code.as_str()).collect();
    // 180 credits delivered in blocks: LJMU expects semesters
    assert!(ids.contains("PG.A4.4/delivery"), "{ids:?}");
    assert!(!ids.iter().any(|i| i.starts_with("NTU.")), "{ids:?}");
    // an unknown --framework stops the check
    let bad = Options {
        framework: Some("ljmu-pgt-2033".into()),
        ..Options::default()
    };
    let b = analyse_with(&text, &bad);
    assert!(b.policy_failed);
    assert!(b
        .diagnostics
        .iter()
        .any(|d| d.help.as_deref() == Some("did you mean `ljmu-pgt-2022`?")));
}

#[test]
fn default_framework_applies_where_none_is_named() {
    let text =
        format!("{MODULE}programme CPDAB \"CPD\" {{ award CPD credits 25 structure {{ core 7001AB semester 1 }} }}\n");
    let options = Options {
        default_framework: Some("ljmu-pgt-2022".into()),
        ..Options::default()
    };
    let a = analyse_with(&text, &options);
    assert!(a
        .diagnostics
        .iter()
        .any(|d| d.code == "PG.B3.1/cpd-module-size" || d.code == "PG.B2/credits" || d.code == "spec/credit-total"));
    let without = analyse_with(&text, &Options::default());
    assert!(
        without.diagnostics.iter().all(|d| d.code.starts_with("spec/")),
        "{:#?}",
        without.diagnostics
    );
}

#[test]
fn embedded_packs_are_compiled_once() {
    let a = spec::policy::embedded_set();
    let b = spec::policy::embedded_set();
    assert!(Arc::ptr_eq(&a, &b));
}

#[test]
fn broken_programmes_and_modules_are_not_evaluated() {
    // a module whose text does not parse: its properties feed no rule, and
    // the programme's pathway rules do not run
    let text = "module 7001AB \"Analytics\" { credits 15 level 7 outcomes { LO1 \"x\" } assessment AS1 \"t\" { kind coursework covers LO1 } @@@ }\n\
                programme CPDAB \"CPD\" { award CPD framework ljmu-pgt-2022 credits 20 structure { core 7001AB semester 1 } }\n";
    let a = analyse_with(text, &Options::default());
    assert!(a.diagnostics.iter().any(|d| d.code == "spec/syntax"));
    assert!(
        !a.diagnostics.iter().any(|d| d.code.starts_with("PG.")),
        "{:#?}",
        a.diagnostics
    );
}

/// A programme with one broken line is still checked against its framework
/// on everything that parsed (rules.md, "Scope and counting"; D90): only the
/// rules that read the unread property are held back, and one
/// `spec/not-evaluated` names them.
#[test]
fn a_broken_programme_line_holds_back_only_the_rules_that_read_it() {
    let module = "module 7001AB \"Analytics\" { credits 15 level 7 outcomes { LO1 \"x\" } assessment AS1 \"t\" { kind coursework covers LO1 } }\n";
    // `langauge` does not parse; PG.B3.1/cpd-module-size (15 credits in a CPD)
    // still fires, PG.A1.11/language (which reads `language`) is held back.
    let text = format!(
        "{module}programme CPDAB \"CPD\" {{\n  award CPD\n  framework ljmu-pgt-2022\n  credits 15\n  langauge \"Welsh\"\n  structure {{ core 7001AB semester 1 }}\n}}\n"
    );
    let a = analyse_with(&text, &Options::default());
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"spec/syntax"), "{codes:?}");
    assert!(codes.contains(&"PG.B3.1/cpd-module-size"), "{codes:?}");
    assert!(!codes.contains(&"PG.A1.11/language"), "{codes:?}");
    let held: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/not-evaluated")
        .collect();
    assert_eq!(held.len(), 1, "{codes:?}");
    assert_eq!(held[0].severity, spec::diag::Severity::Info);
    assert_eq!(
        held[0].message,
        "programme `CPDAB` was not checked against 1 rule: its `langauge` line does not parse"
    );
    assert_eq!(
        held[0].help.as_deref(),
        Some("not evaluated: PG.A1.11/language; they run once the cause is corrected")
    );
    // A broken `credits` line: no spec/missing-property for it, and the rules
    // reading the programme's credits wait.
    let text = format!(
        "{module}programme CPDAB \"CPD\" {{\n  award CPD\n  framework ljmu-pgt-2022\n  credits fifteen\n  structure {{ core 7001AB semester 1 }}\n}}\n"
    );
    let a = analyse_with(&text, &Options::default());
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(!codes.contains(&"spec/missing-property"), "{codes:?}");
    assert!(!codes.contains(&"PG.B2/credits"), "{codes:?}");
    assert!(codes.contains(&"PG.B3.1/cpd-module-size"), "{codes:?}");
    let held = a
        .diagnostics
        .iter()
        .find(|d| d.code == "spec/not-evaluated")
        .expect("held back");
    assert!(held.help.as_deref().unwrap_or("").contains("PG.B2/credits"), "{held:?}");
    // A broken variance line holds back the rule it cites: its finding is
    // not shown unwaived while the author types.
    let text = format!(
        "{module}programme CPDAB \"CPD\" {{\n  award CPD\n  framework ljmu-pgt-2022\n  credits 15\n  structure {{ core 7001AB semester 1 }}\n  variance PG.B3.1/cpd-module-size {{ criterion psrb \"X\" rationale }}\n}}\n"
    );
    let a = analyse_with(&text, &Options::default());
    let codes: Vec<&str> = a.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"spec/syntax"), "{codes:?}");
    assert!(!codes.contains(&"PG.B3.1/cpd-module-size"), "{codes:?}");
    assert!(codes.contains(&"spec/not-evaluated"), "{codes:?}");
}

/// Framework numbers (credits, marks, weeks) belong in `policies/`, never in
/// the Rust source of the policy engine or the checks.
#[test]
fn no_framework_numbers_hard_wired_in_rust() {
    let forbidden = ["15", "50", "60", "90", "120", "180", "240", "360", "540"];
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/policy");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(root).expect("src/policy") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let mut in_tests = false;
        for (n, line) in text.lines().enumerate() {
            if line.contains("#[cfg(test)]") {
                in_tests = true;
            }
            let code = line.split("//").next().unwrap_or("");
            // drop string literals
            let mut stripped = String::new();
            let mut in_str = false;
            for c in code.chars() {
                if c == '"' {
                    in_str = !in_str;
                } else if !in_str {
                    stripped.push(c);
                }
            }
            for tok in stripped.split(|c: char| !c.is_ascii_alphanumeric() && c != '_') {
                if !in_tests && forbidden.contains(&tok) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "framework numbers in Rust:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn user_packs_are_recompiled_only_when_they_change() {
    let pack = "extend ljmu-pgt-2022\nrule CACHE/x { clause CACHE \"t\" require true message \"m\" }\n";
    let texts = |t: &str| {
        vec![spec::analysis::PolicyInput {
            name: "x.policy".into(),
            path: None,
            text: Arc::from(t),
        }]
    };
    let mut sources = spec::source::Sources::new();
    let (a, _) = spec::policy::Catalogue::compile(&mut sources, &texts(pack));
    let (b, _) = spec::policy::Catalogue::compile(&mut sources, &texts(pack));
    assert!(Arc::ptr_eq(&a.set, &b.set));
    let (c, _) = spec::policy::Catalogue::compile(&mut sources, &texts(&pack.replace("CACHE/x", "CACHE/y")));
    assert!(!Arc::ptr_eq(&a.set, &c.set));
    assert!(c.set.rules.iter().any(|r| r.info.id == "CACHE/y"));
}

#[test]
fn an_unknown_default_framework_stops_the_check() {
    let text =
        format!("{MODULE}programme CPDAB \"CPD\" {{ award CPD credits 20 structure {{ core 7001AB semester 1 }} }}\n");
    let options = Options {
        default_framework: Some("ljmu-pgt-2021".into()),
        ..Options::default()
    };
    let a = analyse_with(&text, &options);
    assert!(a.policy_failed);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "spec/unknown-reference")
        .expect("reported");
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.starts_with("did you mean `ljmu-pgt-2022`?")));
}
