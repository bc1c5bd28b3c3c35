//! `spec rules` and `spec explain`: rendering against a fake catalogue
//! (lookup, did-you-mean, clauses, checked examples, markdown and JSON).

mod support;

use std::collections::HashMap;

use spec::cli::explain::{explain_clause, explain_rule, lookup, Lookup};
use spec::cli::rules::{check_framework, json, markdown};
use spec::diag::Severity;
use spec::policy::{RuleCatalogue, RuleInfo, RuleScope};
use spec::source::Sources;
use support::FakeCatalogue;

fn info(framework: &str, id: &str, admits: &[&str], summary: &str) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        clause: if id.starts_with("spec/") {
            String::new()
        } else {
            id.split('/').next().unwrap_or(id).into()
        },
        clause_text: if id.starts_with("spec/") {
            "language well-formedness (language.md)".into()
        } else {
            format!("Clause text of {id}.\nSecond line | with a pipe.")
        },
        severity: if id.ends_with("balance") {
            Severity::Warning
        } else {
            Severity::Error
        },
        admits: admits.iter().map(|s| s.to_string()).collect(),
        scope: RuleScope::Programme,
        framework: framework.into(),
        summary: summary.into(),
        origin: None,
        example_fail: None,
        example_pass: None,
    }
}

const DUP_FAIL: &str =
    "module M1 \"One\" {\n  credits 20\n  level 7\n}\n\nmodule M1 \"Again\" {\n  credits 20\n  level 7\n}\n";
const DUP_PASS: &str = "module M1 \"One\" {\n  credits 20\n  level 7\n}\n";

fn fake() -> FakeCatalogue {
    let mut dup = info("spec", "spec/duplicate", &[], "a code repeats");
    dup.example_fail = Some(DUP_FAIL.into());
    dup.example_pass = Some(DUP_PASS.into());
    // A broken pack example: the "passing" example fails.
    let mut broken = info("spec", "spec/syntax", &[], "the text does not parse");
    broken.example_fail = Some("module {".into());
    broken.example_pass = Some("module {".into());
    let spec_rules = vec![dup, broken];
    let mut ljmu: Vec<RuleInfo> = spec_rules.clone();
    ljmu.extend([
        info(
            "ljmu",
            "PG.A4.2/module-size",
            &["psrb", "discipline"],
            "a module is not 10, 20 or 30 credits",
        ),
        info(
            "ljmu",
            "PG.A4.2/dissertation-credits",
            &["psrb"],
            "a dissertation is not 60 credits",
        ),
        info(
            "ljmu",
            "PG.A4.4/semester-balance",
            &["psrb"],
            "semesters are unbalanced",
        ),
        info("collab", "COLLAB/link-tutor", &[], "a partner has no link | tutor"),
    ]);
    ljmu.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ntu: Vec<RuleInfo> = spec_rules;
    ntu.push(info("ntu", "NTU.10E/stages", &[], "no stage 1 or 2"));
    ntu.sort_by(|a, b| a.id.cmp(&b.id));
    let mut rules = HashMap::new();
    rules.insert("ljmu".to_string(), ljmu);
    rules.insert("ntu".to_string(), ntu);
    FakeCatalogue {
        rules,
        criterion_rule: ["ljmu".to_string()].into_iter().collect(),
    }
}

#[test]
fn lookup_finds_rules_clauses_and_suggestions() {
    let cat = fake();
    match lookup(&cat, "PG.A4.2/module-size", None) {
        Lookup::Rule(r, fws) => {
            assert_eq!(r.id, "PG.A4.2/module-size");
            assert_eq!(fws, vec!["ljmu".to_string()]);
        }
        _ => panic!("expected a rule"),
    }
    match lookup(&cat, "PG.A4.2", None) {
        Lookup::Clause(c) => {
            let ids: Vec<&str> = c.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(ids, vec!["PG.A4.2/dissertation-credits", "PG.A4.2/module-size"]);
        }
        _ => panic!("expected a clause"),
    }
    match lookup(&cat, "PG.A4.2/modulesize", None) {
        Lookup::Unknown(n) => assert_eq!(n.as_deref(), Some("PG.A4.2/module-size")),
        _ => panic!("expected unknown"),
    }
    match lookup(&cat, "zzz", None) {
        Lookup::Unknown(n) => assert_eq!(n, None),
        _ => panic!("expected unknown"),
    }
    // Limited to a framework, another framework's rule is unknown.
    assert!(matches!(
        lookup(&cat, "NTU.10E/stages", Some("ljmu")),
        Lookup::Unknown(_)
    ));
    assert!(matches!(lookup(&cat, "NTU.10E/stages", Some("ntu")), Lookup::Rule(..)));
}

#[test]
fn explain_shows_clause_waivability_and_a_variance_stub() {
    let cat = fake();
    let r = cat.rule("ljmu", "PG.A4.2/module-size").expect("rule");
    let text = explain_rule(r, &["ljmu".to_string()], &Sources::new(), None);
    insta::assert_snapshot!("explain_module_size", text);
    assert!(text.contains("waivable    by a variance with criterion psrb, discipline"));
    let r = cat.rule("ljmu", "COLLAB/link-tutor").expect("rule");
    assert!(explain_rule(r, &["ljmu".to_string()], &Sources::new(), None).contains("not waivable"));
}

#[test]
fn explain_runs_the_examples_through_the_analysis() {
    let cat = fake();
    let r = cat.rule("ljmu", "spec/duplicate").expect("rule");
    let text = explain_rule(r, &[], &Sources::new(), Some(&[]));
    insta::assert_snapshot!("explain_duplicate_checked", text);
    assert!(text.contains("spec check: `spec/duplicate` fires, as it should"));
    assert!(text.contains("error[spec/duplicate] 6:8: module `M1` is defined twice"));
    assert!(text.contains("spec check: `spec/duplicate` is quiet, as it should be"));
    // A broken example is called out, not hidden.
    let r = cat.rule("ljmu", "spec/syntax").expect("rule");
    let text = explain_rule(r, &[], &Sources::new(), Some(&[]));
    assert!(
        text.contains("WARNING: `spec/syntax` fires on its passing example"),
        "{text}"
    );
}

#[test]
fn explain_clause_lists_its_checks() {
    let cat = fake();
    let Lookup::Clause(checks) = lookup(&cat, "PG.A4.2", None) else {
        panic!("clause")
    };
    let text = explain_clause("PG.A4.2", &checks);
    assert_eq!(
        text,
        "`PG.A4.2` is a clause; its checks:\n\n  PG.A4.2/dissertation-credits  error    a dissertation is not 60 credits\n  PG.A4.2/module-size           error    a module is not 10, 20 or 30 credits\n\nrun `spec explain ID` for one of them\n"
    );
}

#[test]
fn unknown_framework_suggests_one() {
    let cat = fake();
    assert!(check_framework(&cat, "ljmu").is_ok());
    assert_eq!(
        check_framework(&cat, "ljmuu"),
        Err("framework `ljmuu` is not defined; did you mean `ljmu`?".to_string())
    );
}

#[test]
fn markdown_catalogue() {
    let cat = fake();
    let md = markdown(&cat, &Sources::new(), None);
    insta::assert_snapshot!("rules_markdown", md);
    // One section per rule, even when active under several frameworks.
    assert_eq!(md.matches("\n### spec/duplicate\n").count(), 1);
    // Links resolve to the sections' GitHub anchors.
    assert!(md.contains("[`PG.A4.2/module-size`](#pga42module-size)"));
    // Pipes in cells are escaped.
    let row = md
        .lines()
        .find(|l| l.starts_with("| [`COLLAB/link-tutor`]"))
        .expect("row");
    assert_eq!(row.matches('|').count() - row.matches("\\|").count(), 6, "{row}");
    assert!(row.contains("link \\| tutor"), "{row}");
    let only = markdown(&cat, &Sources::new(), Some("ntu"));
    assert!(only.contains("### NTU.10E/stages"));
    assert!(!only.contains("PG.A4.2/module-size"));
}

#[test]
fn json_catalogue() {
    let cat = fake();
    let v: serde_json::Value = serde_json::from_str(&json(&cat, &Sources::new(), None)).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["frameworks"], serde_json::json!(["ljmu", "ntu"]));
    let rules = v["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let size = rules.iter().find(|r| r["id"] == "PG.A4.2/module-size").expect("rule");
    assert_eq!(size["admits"], serde_json::json!(["psrb", "discipline"]));
    assert_eq!(size["waivable"], true);
    assert_eq!(size["clause"], "PG.A4.2");
    assert_eq!(size["frameworks"], serde_json::json!(["ljmu"]));
    let dup = rules.iter().find(|r| r["id"] == "spec/duplicate").expect("rule");
    assert_eq!(dup["clause"], serde_json::Value::Null);
    assert_eq!(dup["waivable"], false);
}

// ---------------------------------------------------------------- the real packs

fn spec_rules_cmd(args: &[&str]) -> support::Run {
    support::bin().arg("rules").args(args).dir(support::ROOT).run()
}

/// docs/rules.md is generated: it must equal the command's output.
#[test]
fn docs_rules_md_is_up_to_date() {
    let out = spec_rules_cmd(&["--format", "markdown"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let fresh = out.stdout;
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/rules.md is stale; regenerate it with\n\n    cargo run -- rules --format markdown > docs/rules.md\n"
    );
}

#[test]
fn the_real_catalogue_lists_every_framework_and_rule_of_rules_md() {
    let out = spec_rules_cmd(&["--format", "json"]);
    assert_eq!(out.code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let frameworks: Vec<&str> = v["frameworks"]
        .as_array()
        .expect("frameworks")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(
        frameworks.contains(&"ljmu-pgt-2022") && frameworks.contains(&"ntu-online-2018"),
        "{frameworks:?}"
    );
    let ids: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    // Every id in the contract's tables (rules.md) is in the catalogue.
    let contract = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/design/rules.md"));
    let mut missing = Vec::new();
    for line in contract.lines() {
        let Some(first) = line.strip_prefix("| ").and_then(|l| l.split(" |").next()) else {
            continue;
        };
        if first.contains('/') && !first.contains(' ') && !ids.contains(&first) {
            missing.push(first);
        }
    }
    assert!(
        missing.is_empty(),
        "rules.md ids missing from `spec rules`: {missing:?}"
    );
    // With --framework: only that framework's rules (and the spec/ ones).
    let out = spec_rules_cmd(&["--framework", "ntu-online-2018", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let ids: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"NTU.10E/stages"));
    assert!(!ids.contains(&"PG.A4.2/module-size"));
    assert!(ids.contains(&"spec/credit-total"));
}

#[test]
fn rules_with_an_unknown_framework_exits_2_with_a_suggestion() {
    let out = spec_rules_cmd(&["--framework", "ljmu-pgt-2023"]);
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.is_empty());
    let err = out.stderr.as_str();
    assert!(err.contains("did you mean `ljmu-pgt-2022`?"), "{err}");
}

fn explain(args: &[&str]) -> (i32, String, String) {
    let out = support::bin().arg("explain").args(args).dir(support::ROOT).run();
    (out.status(), out.stdout, out.stderr)
}

#[test]
fn explain_a_real_rule_checks_its_examples() {
    let (code, out, err) = explain(&["PG.A4.2/module-size"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("  clause      PG.A4.2\n"), "{out}");
    assert!(
        out.contains("waivable    by a variance with criterion psrb, discipline"),
        "{out}"
    );
    assert!(out.contains("defined in  policies/ljmu-pgt-2022.policy:"), "{out}");
    assert!(
        out.contains("spec check: `PG.A4.2/module-size` fires, as it should"),
        "{out}"
    );
    assert!(out.contains("error[PG.A4.2/module-size] "), "{out}");
    assert!(
        out.contains("spec check: `PG.A4.2/module-size` is quiet, as it should be"),
        "{out}"
    );
    let (code, out, _) = explain(&["PG.A1.6/variance-evidence"]);
    assert_eq!(code, 0);
    assert!(out.contains("waivable    not waivable"), "{out}");
}

#[test]
fn every_rule_fires_on_its_failing_example_and_not_on_its_passing_one() {
    let out = spec_rules_cmd(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let mut bad = Vec::new();
    for r in v["rules"].as_array().expect("rules") {
        let id = r["id"].as_str().unwrap_or("");
        let (code, out, err) = explain(&[id]);
        if code != 0 || out.contains("WARNING:") || !out.contains("fires, as it should") {
            bad.push(format!("{id}: exit {code}\n{out}{err}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n---\n"));
}

#[test]
fn explain_unknown_ids_and_clauses() {
    let (code, out, err) = explain(&["PG.A4.2/modul-size"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("did you mean `PG.A4.2/module-size`?"), "{err}");
    let (code, out, _) = explain(&["PG.A4.2"]);
    assert_eq!(code, 0);
    for id in [
        "PG.A4.2/module-size",
        "PG.A4.2/dissertation-credits",
        "PG.A4.2/dissertation-required",
    ] {
        assert!(out.contains(id), "{out}");
    }
    let (code, _, err) = explain(&["nothing-like-it"]);
    assert_eq!(code, 2);
    assert!(err.contains("spec rules"), "{err}");
}
