//! `spec.toml`'s `policy.framework`: a default framework makes a
//! programme's `framework` optional (docs/decisions.md, D11).

mod support;

const MODULES: &str = r#"
module 7001AA "Research Methods" {
  credits 60
  level 6
  research-skills
  outcomes { LO1 "Plan research" }
  assessment AS1 "Proposal" { kind coursework covers LO1 }
}
"#;

fn programme(framework_line: &str) -> String {
    format!(
        "programme PGCAA \"PGCert Research\" {{\n  award PGCert\n  {framework_line}\n  credits 60\n  structure {{\n    core 7001AA semester 1\n  }}\n}}\n"
    )
}

fn check(dir: &std::path::Path) -> serde_json::Value {
    let out = support::bin().args(["check", "--format", "json", "."]).dir(dir).run();
    serde_json::from_str(&out.stdout).expect("json")
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    let mut c: Vec<String> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn without_a_default_the_framework_is_required() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("p.pspec"), format!("{MODULES}{}", programme(""))).expect("write");
    let v = check(d.path());
    assert!(codes(&v).contains(&"spec/missing-property".to_string()), "{v}");
}

#[test]
fn a_default_framework_makes_it_optional_and_applies() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("spec.toml"), "[policy]\nframework = \"ljmu-pgt-2022\"\n").expect("write");
    std::fs::write(d.path().join("p.pspec"), format!("{MODULES}{}", programme(""))).expect("write");
    let v = check(d.path());
    let c = codes(&v);
    assert!(!c.contains(&"spec/missing-property".to_string()), "{v}");
    // The programme is checked under the default: a level-6 module in a
    // PGCert breaks PG.B2/level.
    assert!(c.contains(&"PG.B2/level".to_string()), "ljmu rules ran: {v}");
}

#[test]
fn a_named_framework_wins_over_the_default() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("spec.toml"),
        "[policy]\nframework = \"ntu-online-2018\"\n",
    )
    .expect("write");
    std::fs::write(
        d.path().join("p.pspec"),
        format!("{MODULES}{}", programme("framework ljmu-pgt-2022")),
    )
    .expect("write");
    let v = check(d.path());
    let c = codes(&v);
    assert!(c.contains(&"PG.B2/level".to_string()), "{v}");
    assert!(!c.iter().any(|c| c.starts_with("NTU.")), "{v}");
}

#[test]
fn an_unknown_deny_value_in_spec_toml_cannot_run() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("spec.toml"), "[output]\ndeny = [\"errors\"]\n").expect("write");
    std::fs::write(d.path().join("p.pspec"), MODULES).expect("write");
    let out = support::bin().args(["check", "."]).dir(d.path()).run();
    assert_eq!(out.code, Some(2));
    let err = out.stderr.as_str();
    assert!(err.contains("`deny = [\"errors\"]`"), "{err}");
}

#[test]
fn a_broken_policy_pack_shows_its_errors_and_no_check_summary() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        d.path().join("bad.policy"),
        "framework x \"X\"\nrule A/b { clause A \"t\" severity error require programme.credit > 1 message \"m\" }\n",
    )
    .expect("write");
    std::fs::write(d.path().join("p.pspec"), MODULES).expect("write");
    let out = support::bin()
        .args(["check", "--no-color", "--policy", "bad.policy", "p.pspec"])
        .dir(d.path())
        .run();
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = out.stderr.as_str();
    assert!(err.contains("policy/unknown-name"), "{err}");
    assert!(err.contains("bad.policy:2:"), "{err}");
    assert!(err.contains("the check did not run"), "{err}");
    assert!(
        !err.contains("checked "),
        "no summary of a check that did not run: {err}"
    );
}

#[test]
fn a_nested_workspace_is_checked_on_its_own_not_merged() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("p.pspec"), MODULES).expect("write");
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(sub.join("spec.toml"), "").expect("write");
    // The same module code in the nested workspace: merged, it would be a
    // spec/duplicate.
    std::fs::write(sub.join("q.pspec"), MODULES).expect("write");
    let out = support::bin()
        .args(["check", "--format", "json", "."])
        .dir(d.path())
        .run();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(!codes(&v).contains(&"spec/duplicate".to_string()), "{v}");
    // Both files checked, each in its own workspace, and each named.
    assert_eq!(v["summary"]["files"], 2, "{v}");
    let roots: Vec<&str> = v["workspaces"]
        .as_array()
        .expect("workspaces")
        .iter()
        .map(|w| w["root"].as_str().expect("root"))
        .collect();
    assert_eq!(roots, ["(no spec.toml)", "sub"], "{v}");
    // Checked on its own, the nested workspace is checked.
    let out = support::bin()
        .args(["check", "--format", "json", "sub"])
        .dir(d.path())
        .run();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["summary"]["files"], 1, "{v}");
}
