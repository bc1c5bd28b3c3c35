//! A user policy directory adds a whole new framework and extends an
//! embedded one, with no Rust change; a broken user pack stops the check
//! (exit 2).

mod support;

use std::path::Path;
use std::sync::Arc;

use spec::analysis::{analyze, Input, Options, PolicyInput};
use spec::policy::{Catalogue, RuleCatalogue};
use spec::source::Sources;

const ACME: &str = r#"# ACME University: a small framework of its own
framework acme-2025 "ACME University taught framework 2025"
source "ACME Academic Regulations 2025, section 3"

award MSc "Master of Science" { family masters credits 180 level 7 exits PGCert }
award PGCert "Postgraduate Certificate" { family pgcert credits 60 level 7 }

const max_module = 40

rule ACME.3/module-cap {
  clause ACME.3 "No taught module exceeds 40 credits."
  severity error
  admits discipline
  for m in programme.modules
  when not m.dissertation
  require m.credits <= max_module
  at m.credits
  message "module `{m.code}` is {m.credits} credits; ACME caps taught modules at {max_module}"
  help "split the module in two"
  example fail """
    module A1 "Big" { credits 60 level 7 outcomes { LO1 "x" } assessment AS1 "t" { kind coursework covers LO1 } }
    programme P "PGCert" { award PGCert framework acme-2025 credits 60 structure { core A1 semester 1 } }
    """
  example pass """
    module A1 "Small" { credits 40 level 7 outcomes { LO1 "x" } assessment AS1 "t" { kind coursework covers LO1 } }
    module A2 "Small" { credits 20 level 7 outcomes { LO1 "x" } assessment AS1 "t" { kind coursework covers LO1 } }
    programme P "PGCert" { award PGCert framework acme-2025 credits 60 structure { core A1, A2 semester 1 } }
    """
}
"#;

const LOCAL: &str = r#"# A faculty's extra rule on top of the LJMU framework
extend ljmu-pgt-2022

rule FACULTY/weeks-given {
  clause FACULTY "Every module states its teaching weeks."
  severity warning
  admits discipline
  for m in modules
  require present(m.weeks)
  at m.code
  message "module `{m.code}` does not state its teaching weeks"
  help "add `weeks N`"
}
"#;

const SPEC: &str = r#"
module A1 "Big" { credits 60 level 7 outcomes { LO1 "x" } assessment AS1 "t" { kind coursework covers LO1 } }
programme P "PGCert" { award PGCert framework acme-2025 credits 60 structure { core A1 semester 1 } }

module 7001AB "Analytics" { credits 20 level 7 outcomes { LO1 "Analyse data" } assessment AS1 "Report" { kind coursework covers LO1 } }
programme CPDAB "CPD Analytics" { award CPD framework ljmu-pgt-2022 credits 20 structure { core 7001AB semester 1 } }
"#;

fn policy(name: &str, text: &str) -> PolicyInput {
    PolicyInput {
        name: name.into(),
        path: None,
        text: Arc::from(text),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn a_user_directory_adds_a_framework_and_extends_one() {
    let policies = vec![policy("acme.policy", ACME), policy("local.policy", LOCAL)];
    let options = Options {
        policies: policies.clone(),
        ..Options::default()
    };
    let input = Input {
        name: "spec.pspec".into(),
        path: None,
        text: Arc::from(SPEC),
        primary: true,
    };
    let a = analyze(vec![input], &options);
    assert!(!a.policy_failed);
    let mut ids: Vec<(&str, Option<&str>)> = a
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), d.programme.as_deref()))
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![("ACME.3/module-cap", Some("P")), ("FACULTY/weeks-given", None)],
        "{:#?}",
        a.diagnostics
    );
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == "ACME.3/module-cap")
        .expect("acme");
    assert_eq!(d.clause.as_deref(), Some("ACME.3"));
    assert_eq!(d.message, "module `A1` is 60 credits; ACME caps taught modules at 40");
    // the origin points into the user's file
    let origin = d.origin.as_ref().expect("origin");
    assert!(a.sources.name(origin.source).ends_with("acme.policy"));

    // the catalogue knows the new framework, its award table and rules
    let mut sources = Sources::new();
    let (cat, errors) = Catalogue::compile(&mut sources, &policies);
    assert!(errors.is_empty());
    assert!(cat.frameworks().contains(&"acme-2025"));
    assert!(cat.rule("acme-2025", "ACME.3/module-cap").is_some());
    assert!(cat.rule("acme-2025", "PG.A4.2/module-size").is_none());
    assert!(cat.rule("ljmu-pgt-2022", "FACULTY/weeks-given").is_some());
    assert!(!cat.has_criterion_rule("acme-2025"));
    // an award outside the new table is unknown under it
    let bad = SPEC.replace("award PGCert framework acme-2025", "award PGDip framework acme-2025");
    let input = Input {
        name: "spec.pspec".into(),
        path: None,
        text: Arc::from(bad.as_str()),
        primary: true,
    };
    let b = analyze(vec![input], &options);
    assert!(b.diagnostics.iter().any(|d| d.code == "spec/unknown-award"));
}

#[test]
fn the_cli_takes_policy_directories_and_stops_on_a_broken_pack() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pol = tmp.path().join("policies");
    std::fs::create_dir(&pol).expect("mkdir");
    write(&pol, "acme.policy", ACME);
    write(tmp.path(), "spec.pspec", SPEC);
    let out = support::bin()
        .args(["check", "--format", "json", "--policy"])
        .arg(&pol)
        .arg(tmp.path().join("spec.pspec"))
        .run();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["ACME.3/module-cap"]);

    // without the directory, the framework is unknown (with a suggestion list)
    let out = support::bin()
        .args(["check", "--format", "json"])
        .arg(tmp.path().join("spec.pspec"))
        .run();
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .any(|d| d["code"] == "spec/unknown-reference"));

    // a broken pack: the check cannot run
    write(
        &pol,
        "broken.policy",
        "extend ljmu-pgt-2022\nrule X/y { clause X \"t\" require m.credits > 1 message \"m\" }\n",
    );
    let out = support::bin()
        .args(["check", "--policy"])
        .arg(&pol)
        .arg(tmp.path().join("spec.pspec"))
        .run();
    assert_eq!(out.code, Some(2));
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("policy/unknown-name"), "{all}");
}
