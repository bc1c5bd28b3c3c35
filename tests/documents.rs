//! End-to-end tests of the committee's documents: `spec report` gives
//! exactly `spec check`'s result (every conformance case, the failing
//! examples of issue 11), `spec variances`, `spec diff` (paths and
//! `--git`), `spec impact`, and `report -o`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::copy_dir;
use support::Run;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A fixed clock, so the documents' dates are reproducible.
fn spec(dir: &Path, args: &[&str]) -> Run {
    support::spec(args)
        .dir(dir)
        .env("SOURCE_DATE_EPOCH", "1764633600")
        .run()
}

fn examples_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join("examples"), d.path());
    d
}

fn replace_first(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The rows of the report's "Check result" table: (severity, rule, where,
/// message) as written, one per diagnostic.
fn report_rows(markdown: &str) -> Vec<(String, String, String)> {
    let section = markdown
        .split("## Check result")
        .nth(1)
        .unwrap_or_else(|| panic!("no check result section:\n{markdown}"));
    section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
        .map(|l| {
            let cells: Vec<String> = l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect();
            let rule = cells[1].trim_matches('`').to_string();
            let at = cells[2].trim_matches('`').to_string();
            (cells[0].clone(), rule, at)
        })
        .collect()
}

/// `spec check --format json` diagnostics as the report writes them.
fn check_rows(v: &Value, files: Option<&[&str]>) -> Vec<(String, String, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| files.is_none_or(|f| f.contains(&d["file"].as_str().unwrap())))
        .map(|d| {
            let sev = d["severity"].as_str().unwrap().to_string();
            let sev = if d["waived"].as_bool().unwrap() {
                format!("{sev} (waived)")
            } else {
                sev
            };
            let at = format!("{}:{}", d["file"].as_str().unwrap(), d["range"]["start"]["line"]);
            (sev, d["code"].as_str().unwrap().to_string(), at)
        })
        .collect()
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

fn summary_line(markdown: &str) -> String {
    markdown
        .lines()
        .find(|l| l.starts_with("Check result: "))
        .unwrap_or_default()
        .to_string()
}

/// Every conformance case (each a workspace of one file), as given and with
/// a syntax error added: the report lists exactly what `spec check` lists,
/// counts what it counts and exits as it exits.
#[test]
fn report_equals_check_on_every_conformance_case() {
    let dir = Path::new(ROOT).join("../shared/conformance");
    let cases = support::pspec_files(&dir);
    assert!(cases.len() >= 4, "conformance cases: {cases:?}");
    let mut compared = 0;
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        if !text.contains("programme ") {
            continue;
        }
        let broken = format!("{text}\nmodule 7999XX \"Broken\" {{ credits }}\n");
        for (label, body) in [("as given", text.clone()), ("with a syntax error", broken)] {
            let d = tempfile::tempdir().unwrap();
            std::fs::write(d.path().join("case.pspec"), &body).unwrap();
            let check = spec(d.path(), &["check", "--format", "json", "case.pspec"]);
            let report = spec(d.path(), &["report", "case.pspec"]);
            let want = check_rows(&check.json(), None);
            let got = report_rows(&report.stdout);
            assert_eq!(
                sorted(got),
                sorted(want),
                "{} {label}:\n{}",
                case.display(),
                report.stdout
            );
            assert_eq!(report.code, check.code, "{} {label}: exit status", case.display());
            let s = &check.json()["summary"];
            let mut line = format!(
                "Check result: {} error{}, {} warning{}",
                s["errors"],
                if s["errors"] == 1 { "" } else { "s" },
                s["warnings"],
                if s["warnings"] == 1 { "" } else { "s" }
            );
            if s["waived"].as_u64().unwrap() > 0 {
                line.push_str(&format!(", {} waived by variances", s["waived"]));
            }
            assert_eq!(summary_line(&report.stdout), line, "{} {label}", case.display());
            compared += 1;
        }
    }
    assert!(compared >= 8, "compared {compared} cases");
}

/// Issue 11: a weight changed in a module file. `spec check .` fails; the
/// report of the programme using the module fails the same way; the report
/// of a programme that does not use it stays clean.
#[test]
fn report_counts_the_errors_of_its_modules_files() {
    let d = examples_copy();
    replace_first(&d.path().join("modules/data-science.pspec"), "weight 60%", "weight 50%");
    let check = spec(d.path(), &["check", "--format", "json", "."]);
    assert_eq!(check.code, Some(1));
    let files = ["programmes/msc-data-science.pspec", "modules/data-science.pspec"];
    let want = check_rows(&check.json(), Some(&files));
    assert!(want.iter().any(|r| r.1 == "spec/assessment-weights"), "{want:?}");
    let report = spec(d.path(), &["report", "programmes/msc-data-science.pspec"]);
    assert_eq!(report.code, Some(1), "{}", report.stdout);
    assert_eq!(sorted(report_rows(&report.stdout)), sorted(want));
    assert!(
        summary_line(&report.stdout).starts_with("Check result: 1 error,"),
        "{}",
        report.stdout
    );
    let other = spec(d.path(), &["report", "programmes/pgcert-academic-practice.pspec"]);
    assert_eq!(other.code, Some(0), "{}", other.stdout);
    assert!(!other.stdout.contains("spec/assessment-weights"));
    // A syntax error in the module file is the programme's too.
    std::fs::write(
        d.path().join("modules/data-science.pspec"),
        std::fs::read_to_string(d.path().join("modules/data-science.pspec")).unwrap() + "\nmodule {\n",
    )
    .unwrap();
    let check = spec(d.path(), &["check", "--format", "json", "."]);
    let want = check_rows(&check.json(), Some(&files));
    assert!(want.iter().any(|r| r.1 == "spec/syntax"), "{want:?}");
    let report = spec(d.path(), &["report", "programmes/msc-data-science.pspec"]);
    assert_eq!(sorted(report_rows(&report.stdout)), sorted(want));
    assert_eq!(report.code, Some(1));
}

#[test]
fn report_content_variances_provenance_chart_and_placements() {
    let ex = Path::new(ROOT).join("examples");
    let pg = spec(&ex, &["report", "programmes/pgcert-academic-practice.pspec"]);
    assert_eq!(pg.code, Some(0), "{}", pg.stderr);
    for want in [
        "| Rationale | Reflective practice must be evidenced across a full academic year of teaching. |",
        "| Submitted | 2024-03-01 |",
        "| Approved by | Academic Quality and Standards Committee |",
        "| Approved on | 2024-04-10 |",
        "| Status | approved |",
        "| Generated | 2025-12-02 |",
        "| Tool | spec 0.1.0 |",
        "| Framework | `ljmu-pgt-2022` |",
    ] {
        assert!(pg.stdout.contains(want), "missing `{want}`:\n{}", pg.stdout);
    }
    // A one-year programme has no year in its placements.
    assert!(!pg.stdout.contains("year 1"), "{}", pg.stdout);
    assert!(!pg.stdout.contains("Year 1"), "{}", pg.stdout);
    // One scale: a 60-credit semester is 12 glyphs in either programme.
    let ds = spec(&ex, &["report", "programmes/msc-data-science.pspec"]);
    assert!(ds.stdout.contains("Semester 1  ████████████ 60"), "{}", ds.stdout);
    assert!(ds
        .stdout
        .contains("█ core credits · ▓ option credits every pathway takes"));
    // Option groups are a heading row, not a label on every row.
    assert_eq!(ds.stdout.matches("Specialist electives").count(), 1, "{}", ds.stdout);
    // The graph has titles; unconnected modules are apart.
    assert!(
        ds.stdout.contains("n1[\"7002DS Statistical Learning\"]"),
        "{}",
        ds.stdout
    );
    assert!(ds
        .stdout
        .contains("Not connected to any other module: `7003DS` Data Engineering"));
    // A staged programme shows its stages as placements.
    let ba = spec(&ex, &["report", "programmes/msc-business-analytics-online.pspec"]);
    assert!(
        ba.stdout
            .contains("| `7001BA` | Business Analytics Foundations | 10 | 7 | stage 1 |"),
        "{}",
        ba.stdout
    );
    assert!(ba.stdout.contains("| **Stage 1: Taught modules** |"), "{}", ba.stdout);
    // HTML: the same legend text.
    let html = spec(
        &ex,
        &["report", "--format", "html", "programmes/msc-data-science.pspec"],
    );
    assert!(
        html.stdout.contains("core credits</li>") && html.stdout.contains("option credits every pathway takes</li>")
    );
}

#[test]
fn report_output_file_is_written_whole_and_never_over_an_input() {
    let d = examples_copy();
    let r = spec(
        d.path(),
        &[
            "report",
            "programmes/msc-data-science.pspec",
            "-o",
            "modules/data-science.pspec",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("is an input of this document"), "{}", r.stderr);
    let before = std::fs::read_to_string(Path::new(ROOT).join("examples/modules/data-science.pspec")).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.path().join("modules/data-science.pspec")).unwrap(),
        before
    );
    let r = spec(
        d.path(),
        &[
            "report",
            "--format",
            "html",
            "programmes/msc-data-science.pspec",
            "-o",
            "out.html",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let html = std::fs::read_to_string(d.path().join("out.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    let leftovers: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn html_escapes_user_text_by_construction() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.pspec"),
        "module 7001XX \"<script>alert(1)</script> & co\" { credits 60 level 7 outcomes { LO1 \"<b>x</b>\" } assessment AS1 \"A\" { kind exam covers LO1 } }\n\
         programme PX \"P <i>&</i>\" { award PGCert framework ljmu-pgt-2022 credits 60 structure { core 7001XX semester 1 } }\n",
    )
    .unwrap();
    let r = spec(d.path(), &["report", "--format", "html", "p.pspec"]);
    assert!(!r.stdout.contains("<script>"), "{}", r.stdout);
    assert!(!r.stdout.contains("<b>x</b>"));
    assert!(r.stdout.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(r.stdout.contains("P &lt;i&gt;&amp;&lt;/i&gt;"));
}

#[test]
fn variances_of_the_examples_list_the_approved_year_long_variance() {
    let ex = Path::new(ROOT).join("examples");
    let r = spec(&ex, &["variances", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v = r.json();
    let all = v["variances"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{v}");
    let x = &all[0];
    assert_eq!(x["programme"], "PGCAP");
    assert_eq!(x["rule"], "PG.A4.5/year-long");
    assert_eq!(x["clause"], "PG.A4.5");
    assert_eq!(x["scope"], serde_json::json!(["7103AP"]));
    assert_eq!(x["criterion"], "validation");
    assert_eq!(x["status"], "approved");
    assert_eq!(x["submitted"], "2024-03-01");
    assert_eq!(x["approved_by"], "Academic Quality and Standards Committee");
    assert_eq!(x["approved_on"], "2024-04-10");
    assert_eq!(x["validated"], "2024-06-12");
    assert_eq!(x["waives"], 1);
    assert_eq!(x["resubmit"], true);
    let table = spec(&ex, &["variances"]);
    assert!(
        table.stdout.contains("PG.A4.5/year-long") && table.stdout.contains("2024-04-10"),
        "{}",
        table.stdout
    );
    let csv = spec(&ex, &["variances", "--format", "csv"]);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next().unwrap(), "programme,rule,clause,scope,criterion,status,submitted,approved by,approved on,validated,previous validation,waives,resubmit,file");
    assert_eq!(
        lines.next().unwrap(),
        "PGCAP,PG.A4.5/year-long,PG.A4.5,7103AP,validation,approved,2024-03-01,Academic Quality and Standards Committee,2024-04-10,2024-06-12,-,1,yes,programmes/pgcert-academic-practice.pspec:20"
    );
    let md = spec(&ex, &["variances", "--format", "markdown"]);
    assert!(
        md.stdout
            .contains("| `PGCAP` | `PG.A4.5/year-long` | PG.A4.5 | 7103AP |"),
        "{}",
        md.stdout
    );
}

/// Each status comes from the check's own findings: a variance with an
/// error of its own is invalid (with the error), one without `approved` is
/// pending, one that waives nothing is unused.
#[test]
fn variance_statuses_follow_the_check() {
    let conf = Path::new(ROOT).join("../shared/conformance");
    let r = spec(&conf, &["variances", "--format", "json", "msc-variances.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let check = spec(&conf, &["check", "--format", "json", "msc-variances.pspec"]).json();
    let waived_total = check["summary"]["waived"].as_u64().unwrap();
    let v = r.json();
    let rows = v["variances"].as_array().unwrap();
    assert!(!rows.is_empty());
    let waived: u64 = rows.iter().map(|x| x["waives"].as_u64().unwrap()).sum();
    assert_eq!(waived, waived_total, "{v}");
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.pspec"),
        "module 7001XX \"A\" { credits 15 level 7 outcomes { LO1 \"x\" } assessment AS1 \"A\" { kind exam covers LO1 } }\n\
         module 7002XX \"B\" { credits 165 level 7 dissertation outcomes { LO1 \"x\" } assessment AS1 \"A\" { kind exam covers LO1 } }\n\
         programme PX \"P\" { award MSc framework ljmu-pgt-2022 credits 180 validated 2024-06-12\n\
           structure { core 7001XX semester 1 core 7002XX semester 2 }\n\
           variance PG.A4.2/module-size { applies-to 7001XX criterion discipline \"maths\" rationale \"r\" alternative \"a\" evidence \"e\" submitted 2024-01-01 }\n\
           variance PG.A4.5/year-long { criterion validation rationale \"r\" alternative \"a\" evidence \"e\" submitted 2024-01-01 approved \"AQSC\" 2024-02-01 }\n\
           variance PG.A4.2/module-size { applies-to 7002XX criterion discipline \"maths\" rationale \"r\" alternative \"a\" evidence \"e\" }\n\
         }\n",
    )
    .unwrap();
    let v = spec(d.path(), &["variances", "--format", "json", "p.pspec"]).json();
    let st: Vec<&str> = v["variances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(st, ["pending", "unused", "invalid"], "{v}");
    let invalid = &v["variances"][2];
    assert!(
        invalid["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e.as_str().unwrap().starts_with("PG.A1.7/variance-timing")),
        "{invalid}"
    );
    assert_eq!(v["variances"][1]["resubmit"], false);
}

/// Issue 11: one module of a copy of the examples goes from 20 to 15
/// credits.
#[test]
fn diff_reports_the_module_change_and_the_new_module_size_error() {
    let new = examples_copy();
    replace_first(
        &new.path().join("modules/data-science.pspec"),
        "credits 20",
        "credits 15",
    );
    let old = Path::new(ROOT).join("examples");
    let cwd = new.path().parent().unwrap();
    let r = spec(
        cwd,
        &[
            "diff",
            "--format",
            "json",
            old.to_str().unwrap(),
            new.path().to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["modules_changed"][0]["key"], "7002DS", "{v}");
    assert_eq!(
        v["modules_changed"][0]["changes"],
        serde_json::json!([{ "field": "credits", "before": "20", "after": "15" }])
    );
    let introduced = v["introduced"].as_array().unwrap();
    let size = introduced
        .iter()
        .find(|d| d["code"] == "PG.A4.2/module-size")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(size["file"], "modules/data-science.pspec");
    assert_eq!(size["severity"], "error");
    assert!(v["resolved"].as_array().unwrap().is_empty());
    let md = spec(cwd, &["diff", old.to_str().unwrap(), new.path().to_str().unwrap()]);
    assert_eq!(md.code, Some(1));
    assert!(md.stdout.contains("| credits | 20 | 15 |"), "{}", md.stdout);
    assert!(md.stdout.contains("`PG.A4.2/module-size`"), "{}", md.stdout);
    // No change: nothing introduced, exit 0.
    let same = spec(
        cwd,
        &["diff", "--format", "json", old.to_str().unwrap(), old.to_str().unwrap()],
    );
    assert_eq!(same.code, Some(0), "{}", same.stdout);
    assert!(same.json()["introduced"].as_array().unwrap().is_empty());
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .expect("git runs");
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn diff_against_a_git_revision() {
    let d = examples_copy();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "examples"]);
    replace_first(
        &d.path().join("programmes/pgcert-academic-practice.pspec"),
        "approved \"Academic Quality and Standards Committee\" 2024-04-10",
        "",
    );
    std::fs::write(
        d.path().join("modules/extra.pspec"),
        "module 7050DS \"Extra\" { credits 10 level 7 outcomes { LO1 \"x\" } assessment AS1 \"A\" { kind exam covers LO1 } }\n",
    )
    .unwrap();
    let r = spec(d.path(), &["diff", "--git", "HEAD", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let v = r.json();
    assert_eq!(v["modules_added"][0]["code"], "7050DS", "{v}");
    let changed = &v["variances_changed"][0];
    assert_eq!(changed["key"], "PGCAP PG.A4.5/year-long [7103AP]");
    let fields: Vec<&str> = changed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"approved by") && fields.contains(&"status"),
        "{changed}"
    );
    let intro: Vec<&str> = v["introduced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(intro.contains(&"spec/variance-pending"), "{v}");
    let bad = spec(d.path(), &["diff", "--git", "no-such-rev"]);
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);

    // One file given: its workspace is compared on both sides, so nothing
    // else shows as added (it listed every other module before).
    let one = spec(
        d.path(),
        &[
            "diff",
            "--git",
            "HEAD",
            "--format",
            "json",
            "programmes/pgcert-academic-practice.pspec",
        ],
    );
    let v1 = one.json();
    let added: Vec<&str> = v1["modules_added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(added, ["7050DS"], "{v1}");
    assert!(v1["modules_removed"].as_array().unwrap().is_empty(), "{v1}");
    // The default path is named `.`, not left empty.
    let md = spec(d.path(), &["diff", "--git", "HEAD"]);
    assert!(md.stdout.contains("| Before | `. at HEAD` |"), "{}", md.stdout);
}

#[test]
fn impact_of_another_framework_per_programme() {
    let ex = Path::new(ROOT).join("examples");
    let r = spec(&ex, &["impact", "--framework", "ntu-online-2018", "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v = r.json();
    let by: BTreeMap<&str, &Value> = v["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["programme"].as_str().unwrap(), p))
        .collect();
    assert_eq!(by.len(), 3, "{v}");
    // Its own framework: nothing changes.
    assert!(by["MSCBAO"]["added"].as_array().unwrap().is_empty());
    assert!(by["MSCBAO"]["removed"].as_array().unwrap().is_empty());
    // Each added finding is one `spec check --framework` reports.
    let check = spec(
        &ex,
        &["check", "--format", "json", "--framework", "ntu-online-2018", "."],
    )
    .json();
    for p in by.values() {
        for f in p["added"].as_array().unwrap() {
            assert!(
                check["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|d| d["code"] == f["code"] && d["message"] == f["message"]),
                "{f}"
            );
        }
    }
    assert!(
        by["PGCAP"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "spec/variance-unknown-rule"),
        "{v}"
    );
    assert!(
        by["PGCAP"]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "PG.A4.5/year-long"),
        "{v}"
    );
    let md = spec(&ex, &["impact", "--framework", "ntu-online-2018"]);
    assert!(md.stdout.starts_with("# Impact of `ntu-online-2018`"), "{}", md.stdout);
    let bad = spec(&ex, &["impact", "--framework", "no-such-framework"]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("framework `no-such-framework` is not defined"),
        "{}",
        bad.stderr
    );
}

/// Two files of two copies of a workspace: names are matched relative to
/// each workspace's root, so an unchanged (waived) finding in another
/// directory is neither introduced nor resolved.
#[test]
fn diff_of_two_files_matches_the_rest_of_their_workspaces() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join("examples"), &d.path().join("old"));
    copy_dir(&Path::new(ROOT).join("examples"), &d.path().join("new"));
    replace_first(
        &d.path().join("new/modules/data-science.pspec"),
        "weight 60%",
        "weight 50%",
    );
    let r = spec(
        d.path(),
        &[
            "diff",
            "--format",
            "json",
            "old/programmes/pgcert-academic-practice.pspec",
            "new/programmes/pgcert-academic-practice.pspec",
        ],
    );
    let v = r.json();
    let codes = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes("introduced"), ["spec/assessment-weights"], "{v}");
    assert!(codes("resolved").is_empty(), "{v}");
    assert_eq!(r.code, Some(1));
}

/// A change to a programme's own property (here its title) is reported as
/// a change, with the property before and after, not as `unchanged`.
#[test]
fn diff_reports_a_programme_property_change() {
    let d = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join("examples"), &d.path().join("old"));
    copy_dir(&Path::new(ROOT).join("examples"), &d.path().join("new"));
    replace_first(
        &d.path().join("new/programmes/msc-data-science.pspec"),
        "\"MSc Data Science\"",
        "\"MSc in Data Science\"",
    );
    let r = spec(d.path(), &["diff", "--format", "json", "old", "new"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v = r.json();
    let p = v["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "MSCDS")
        .expect("MSCDS");
    assert_eq!(p["status"], "changed", "{p}");
    assert_eq!(
        p["changes"],
        serde_json::json!([{"field": "title", "before": "MSc Data Science", "after": "MSc in Data Science"}])
    );
}
