//! Workspace semantics a CI gate can trust (issue 7, docs/language.md
//! "Files and workspace", docs/ci.md): every workspace under a directory is
//! checked, paths of different workspaces are never merged, no files is
//! exit 2, and `spec check FILE` covers what FILE's programmes depend on.

mod support;

use std::path::Path;
use support::{copy_dir, Run};

fn spec(dir: &Path, args: &[&str]) -> Run {
    support::spec(args).dir(dir).no_color().run()
}

fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// `spec init fac-a; spec init fac-b`, fac-b's modules made 15 credits.
fn two_faculties() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    for ws in ["fac-a", "fac-b"] {
        let r = spec(d.path(), &["init", ws]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    let modules = d.path().join("fac-b/modules/example-modules.pspec");
    let text = std::fs::read_to_string(&modules).expect("init wrote modules");
    let changed = text.replace("credits 20", "credits 15");
    assert_ne!(changed, text, "the starter modules have 20-credit modules");
    std::fs::write(&modules, changed).expect("write");
    d
}

#[test]
fn check_of_the_parent_checks_every_workspace_and_names_each() {
    let d = two_faculties();
    let r = spec(d.path(), &["check", "."]);
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("workspace `fac-a`:"), "{}", r.stdout);
    assert!(r.stdout.contains("workspace `fac-b`:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("2 workspaces (`fac-a`, `fac-b`): checked 4 files"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("skipped"), "{}", r.stderr);

    let v = json(&spec(d.path(), &["check", "--format", "json", "."]));
    let c = codes(&v);
    assert!(c.iter().any(|c| c == "PG.A4.2/module-size"), "{c:?}");
    assert!(!c.iter().any(|c| c == "spec/duplicate"), "{c:?}");
    assert_eq!(v["workspaces"].as_array().map(Vec::len), Some(2), "{v}");
    assert_eq!(v["workspaces"][0]["summary"]["errors"], 0, "{v}");
    assert!(v["workspaces"][1]["summary"]["errors"].as_u64() > Some(0), "{v}");

    // SARIF, which docs/ci.md recommends: the same findings, one run.
    let r = spec(d.path(), &["check", "--format", "sarif", "."]);
    assert_eq!(r.code, Some(1));
    let s: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
    assert_eq!(s["runs"].as_array().map(Vec::len), Some(1));
    let results = s["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), c.len(), "one result per diagnostic");
    assert!(results.iter().any(|x| x["ruleId"] == "PG.A4.2/module-size"));
}

#[test]
fn paths_of_two_workspaces_are_checked_apart_never_merged() {
    let d = two_faculties();
    let v = json(&spec(d.path(), &["check", "--format", "json", "fac-a", "fac-b"]));
    let c = codes(&v);
    assert!(!c.iter().any(|c| c == "spec/duplicate"), "{c:?}");
    assert!(c.iter().any(|c| c == "PG.A4.2/module-size"), "{c:?}");
    assert!(c.iter().any(|c| c == "spec/option-unsatisfiable"), "{c:?}");
    // The same files, one file of each workspace given.
    let v2 = json(&spec(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "fac-a/programmes/msc-example.pspec",
            "fac-b/programmes/msc-example.pspec",
        ],
    ));
    assert!(!codes(&v2).iter().any(|c| c == "spec/duplicate"), "{v2}");
}

#[test]
fn no_pspec_file_under_a_path_cannot_pass() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(d.path().join("emptydir")).expect("mkdir");
    std::fs::write(d.path().join("emptydir/notes.txt"), "nothing to check").expect("write");
    let r = spec(d.path(), &["check", "emptydir"]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(r.stderr.contains("no `.pspec` files under `emptydir`"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "nothing is written: {}", r.stdout);
    // The default path `.` too.
    let r = spec(&d.path().join("emptydir"), &["check", "--format", "sarif"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
}

#[test]
fn check_of_one_file_covers_the_modules_its_programmes_depend_on() {
    let d = tempfile::tempdir().expect("tempdir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let ws = d.path().join("examples");
    copy_dir(&examples, &ws);
    let m = ws.join("modules/data-science.pspec");
    let text = std::fs::read_to_string(&m).expect("read");
    std::fs::write(&m, text.replacen("weight 60%", "weight 50%", 1)).expect("write");
    let whole = spec(&ws, &["check", "."]);
    assert_eq!(whole.code, Some(1), "{}", whole.stdout);
    let one = spec(&ws, &["check", "--format", "json", "programmes/msc-data-science.pspec"]);
    assert_eq!(one.code, Some(1), "{}\n{}", one.stdout, one.stderr);
    let v = json(&one);
    let weights: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] == "modules/data-science.pspec")
        .collect();
    assert!(!weights.is_empty(), "the module's finding is reported: {v}");
    assert!(v["summary"]["errors"].as_u64() >= Some(1), "{v}");
}

#[test]
fn fmt_check_of_no_pspec_file_cannot_pass() {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(d.path().join("emptydir")).expect("mkdir");
    let r = spec(d.path(), &["fmt", "--check", "emptydir"]);
    assert_eq!(r.code, Some(2), "{}", r.stdout);
    assert!(r.stderr.contains("no `.pspec` files under `emptydir`"), "{}", r.stderr);
}
