//! Runs every conformance case in `../shared/conformance` (the folder is
//! iterated, so new cases are picked up) through the binary, as
//! `spec check --format json FILE`, and compares the sets of rule ids with the
//! case's header comments (see that folder's README.md):
//!
//! - `# expect: A, B`: exactly these ids are reported unwaived (errors or
//!   warnings); `# expect:` alone means a clean file;
//! - `# waived: A`: exactly these ids are reported as waived (a case with
//!   `# expect:` and no `# waived:` expects nothing waived);
//! - `# expect-include: A`: these ids are among the reported ones.
//!
//! Every case is run and every mismatch is reported before the test fails.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::{ids, Header};

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");

#[derive(Debug, Default)]
struct Expectation {
    expect: Option<BTreeSet<String>>,
    waived: Option<BTreeSet<String>>,
    include: BTreeSet<String>,
}

/// Reads the `# expect:`, `# waived:` and `# expect-include:` headers (any
/// comment line of the file; repeated headers add up): [`Header`].
fn expectation(text: &str) -> Expectation {
    let h = Header::parse(text);
    Expectation {
        expect: h.get("expect").cloned(),
        waived: h.get("waived").cloned(),
        include: h.get("expect-include").cloned().unwrap_or_default(),
    }
}

fn cases() -> Vec<PathBuf> {
    support::pspec_files(CONFORMANCE)
}

fn show(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        "(none)".into()
    } else {
        set.iter().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Runs one case; returns its problems (empty when it conforms).
fn run_case(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("conformance case is readable UTF-8");
    let exp = expectation(&text);
    let mut problems = Vec::new();
    if exp.expect.is_none() && exp.waived.is_none() && exp.include.is_empty() {
        problems.push("has no `# expect:`, `# waived:` or `# expect-include:` header".into());
        return problems;
    }
    // Each case is a self-contained workspace: run it from its folder.
    let dir = path.parent().expect("case has a folder");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("case has a UTF-8 name");
    let out = support::spec(&["check", "--no-color", "--format", "json", name])
        .dir(dir)
        .run();
    let code = out.code;
    if code != Some(0) && code != Some(1) {
        problems.push(format!(
            "`spec check` could not run (exit {code:?}): {}",
            out.stderr.trim()
        ));
        return problems;
    }
    let json: serde_json::Value = match serde_json::from_str(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("output is not JSON: {e}"));
            return problems;
        }
    };
    let mut reported = BTreeSet::new();
    let mut waived = BTreeSet::new();
    let mut all = BTreeSet::new();
    for d in json["diagnostics"].as_array().into_iter().flatten() {
        let code = d["code"].as_str().unwrap_or("<no code>").to_string();
        let severity = d["severity"].as_str().unwrap_or("");
        all.insert(code.clone());
        if d["waived"].as_bool() == Some(true) {
            waived.insert(code);
        } else if severity == "error" || severity == "warning" {
            reported.insert(code);
        }
    }
    if let Some(expect) = &exp.expect {
        if &reported != expect {
            let missing: BTreeSet<_> = expect.difference(&reported).cloned().collect();
            let extra: BTreeSet<_> = reported.difference(expect).cloned().collect();
            problems.push(format!(
                "reported (unwaived) {{{}}}, expected {{{}}}; missing: {}; unexpected: {}",
                show(&reported),
                show(expect),
                show(&missing),
                show(&extra)
            ));
        }
    }
    if exp.waived.is_some() || exp.expect.is_some() {
        let expect_waived = exp.waived.clone().unwrap_or_default();
        if waived != expect_waived {
            problems.push(format!(
                "waived {{{}}}, expected waived {{{}}}",
                show(&waived),
                show(&expect_waived)
            ));
        }
    }
    let missing: BTreeSet<_> = exp.include.difference(&all).cloned().collect();
    if !missing.is_empty() {
        problems.push(format!(
            "`# expect-include:` ids not reported: {} (reported: {})",
            show(&missing),
            show(&all)
        ));
    }
    // The exit status agrees with the summary (cli.md).
    let errors = json["summary"]["errors"].as_u64().unwrap_or(0);
    let want = if errors > 0 { 1 } else { 0 };
    if code != Some(want) {
        problems.push(format!(
            "summary has {errors} errors but the exit status is {code:?}, not {want}"
        ));
    }
    problems
}

#[test]
fn header_parsing() {
    let e = expectation(
        "# A case.\n# expect: spec/variance-unused, spec/variance-pending\n# waived: PG.A4.2/module-size\nmodule X \"x\" {}\n",
    );
    assert_eq!(e.expect, Some(ids("spec/variance-pending,spec/variance-unused")));
    assert_eq!(e.waived, Some(ids("PG.A4.2/module-size")));
    assert!(e.include.is_empty());
    let clean = expectation("# expect:\n");
    assert_eq!(clean.expect, Some(BTreeSet::new()));
    let inc = expectation("# expect-include: spec/syntax\n");
    assert_eq!(inc.expect, None);
    assert_eq!(inc.include, ids("spec/syntax"));
}

#[test]
fn every_conformance_case() {
    let cases = cases();
    assert!(!cases.is_empty(), "no .pspec cases found in {CONFORMANCE}");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let problems = run_case(case);
        if problems.is_empty() {
            eprintln!("conformance: {name}: ok");
        } else {
            for p in &problems {
                eprintln!("conformance: {name}: {p}");
            }
            failures.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} conformance cases failed:\n  {}",
        failures.len(),
        cases.len(),
        failures.join("\n  ")
    );
}
