//! End-to-end tests of `spec import csv` and `spec export` (issue 12,
//! docs/import.md): a messy student-records export imported and checked,
//! a bad row refused with nothing written, a re-import that keeps people's
//! work, and export -> import -> export as the identity on what the CSV
//! owns (examples/ and the conformance cases).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Run, BIN};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn spec(args: &[&str]) -> Run {
    support::spec(args).no_color().run()
}

fn fixture(name: &str) -> String {
    format!("{ROOT}/tests/fixtures/import/{name}")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file below `dir`, sorted, as `path` + contents.
fn tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

fn import(out: &Path) -> Run {
    spec(&[
        "import",
        "csv",
        &fixture("modules.csv"),
        &fixture("structure.csv"),
        "--out",
        s(out),
    ])
}

#[test]
fn messy_export_imports_checks_and_matches_snapshot() {
    let raw = std::fs::read(fixture("modules.csv")).unwrap();
    assert!(raw.starts_with(b"\xEF\xBB\xBF"), "the fixture has a BOM");
    assert!(raw.windows(2).any(|w| w == b"\r\n"), "the fixture has CRLF");

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    let r = import(&out);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("imported 42 modules and 4 programmes\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("42 modules without outcomes, 42 without assessments"),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("import_summary", r.stdout.replace(s(&out), "OUT"));

    let files = tree(&out);
    let rendered: String = files.iter().map(|(p, t)| format!("=== {p}\n{t}")).collect();
    insta::assert_snapshot!("import_workspace", rendered);

    // Every file is in `spec fmt` form.
    let fmt = spec(&["fmt", "--check", s(&out)]);
    assert_eq!(fmt.code, Some(0), "{}{}", fmt.stdout, fmt.stderr);
    // The result checks (errors are the work left to do, never "cannot run").
    let check = spec(&["check", "--format", "json", s(&out)]);
    assert!(check.code == Some(0) || check.code == Some(1), "{}", check.stderr);
    let v: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    assert_eq!(v["summary"]["programmes"], 4);
    assert_eq!(v["summary"]["modules"], 42);
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"PG.A3.1/proforma"), "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("spec/syntax")), "{codes:?}");
}

#[test]
fn a_bad_row_exits_2_names_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("modules.csv")).unwrap();
    // Line 5 of the file is 7004CMP's row.
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[4].contains("7004CMP"), "{}", lines[4]);
    let bad = text.replacen(",Deep Learning,20,", ",Deep Learning,ten,", 1);
    assert_ne!(bad, text);
    let bad_path = dir.path().join("modules.csv");
    std::fs::write(&bad_path, bad).unwrap();

    let out = dir.path().join("ws");
    let r = spec(&[
        "import",
        "csv",
        s(&bad_path),
        &fixture("structure.csv"),
        "--out",
        s(&out),
    ]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("line 5, column 3 (`MOD_CRDT`): credits `ten` is not a whole number"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("help: expected a whole number from 0 to 99999, e.g. `20`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!out.exists(), "nothing is written");

    // Into an existing workspace: it stays exactly as it was.
    assert_eq!(import(&out).code, Some(0));
    let before = tree(&out);
    let r = spec(&["import", "csv", s(&bad_path), "--out", s(&out)]);
    assert_eq!(r.code, Some(2));
    assert_eq!(tree(&out), before);
}

#[test]
fn reimport_keeps_peoples_work_and_lists_changes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    assert_eq!(import(&out).code, Some(0));

    // A person adds outcomes, an assessment, a comment and a variance.
    let cmp = out.join("modules/cmp.pspec");
    let text = std::fs::read_to_string(&cmp).unwrap();
    let edited = text.replacen(
        "module 7004CMP \"Deep Learning\" {\n  credits 20\n  level 7\n  weeks 12\n  requires 7002CMP\n}",
        "# Reviewed by the programme team.\nmodule 7004CMP \"Deep Learning\" {\n  credits 20\n  level 7\n  weeks 12\n  requires 7002CMP\n  pass-mark 50\n  outcomes {\n    LO1 \"Train and evaluate deep neural networks\"\n  }\n  assessment AS1 \"Project\" {\n    kind project\n    weight 100%\n    covers LO1\n  }\n}",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(&cmp, &edited).unwrap();
    let prog = out.join("programmes/mscds.pspec");
    let ptext = std::fs::read_to_string(&prog).unwrap();
    let pedited = ptext.replacen(
        "  credits 180\n",
        "  credits 180\n  mode full-time\n  variance PG.A4.2/module-size {\n    applies-to 7001CMP\n    criterion discipline\n    rationale \"Sector practice\"\n  }\n",
        1,
    );
    std::fs::write(&prog, &pedited).unwrap();

    // Re-importing the same export changes nothing.
    let same = import(&out);
    assert_eq!(same.code, Some(0), "{}", same.stderr);
    assert!(
        same.stdout.contains("changed: 0 items; unchanged: 46"),
        "{}",
        same.stdout
    );
    assert!(
        same.stdout.contains("files: wrote 0 new, 0 updated (nothing to do)"),
        "{}",
        same.stdout
    );
    assert_eq!(std::fs::read_to_string(&cmp).unwrap(), edited);

    // A new edition of the export: credits, a prerequisite and the structure change.
    // 7025CMP leaves the catalogue.
    let without = |t: String| {
        t.split("\r\n")
            .filter(|l| !l.contains("7025CMP"))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let modules = without(std::fs::read_to_string(fixture("modules.csv")).unwrap()).replacen(
        ",Deep Learning,20,7,12,7002CMP,",
        ",Deep Learning,30,7,12,7002CMP 7003CMP,",
        1,
    );
    let structure = without(std::fs::read_to_string(fixture("structure.csv")).unwrap());
    let m = dir.path().join("m.csv");
    let st = dir.path().join("s.csv");
    std::fs::write(&m, modules).unwrap();
    std::fs::write(&st, structure).unwrap();

    let dry = spec(&["import", "csv", s(&m), s(&st), "--out", s(&out), "--dry-run"]);
    assert_eq!(dry.code, Some(0), "{}", dry.stderr);
    assert!(dry.stdout.contains("dry run: nothing was written"), "{}", dry.stdout);
    assert_eq!(
        std::fs::read_to_string(&cmp).unwrap(),
        edited,
        "--dry-run writes nothing"
    );

    let r = spec(&["import", "csv", s(&m), s(&st), "--out", s(&out)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("    module 7004CMP: credits 20 -> 30\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("    module 7004CMP: requires 7002CMP -> 7002CMP, 7003CMP\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("    programme MSCDS: structure (13 modules -> 12 modules)\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  not in the CSV, left as they are: module 7025CMP\n"),
        "the dropped module is listed: {}",
        r.stdout
    );
    assert!(r.stdout.contains("updated modules/cmp.pspec"), "{}", r.stdout);

    let after = std::fs::read_to_string(&cmp).unwrap();
    for kept in [
        "# Reviewed by the programme team.",
        "pass-mark 50",
        "LO1 \"Train and evaluate deep neural networks\"",
        "assessment AS1 \"Project\"",
    ] {
        assert!(after.contains(kept), "`{kept}` was lost:\n{after}");
    }
    assert!(after.contains("  credits 30\n"), "{after}");
    assert!(after.contains("requires 7002CMP, 7003CMP"), "{after}");
    let pafter = std::fs::read_to_string(&prog).unwrap();
    assert!(
        pafter.contains("mode full-time") && pafter.contains("variance PG.A4.2/module-size"),
        "{pafter}"
    );
    assert!(
        pafter.contains("from 7020CMP, 7021CMP, 7022CMP, 7023CMP, 7024CMP semester 2"),
        "{pafter}"
    );
    assert!(!pafter.contains("7025CMP"), "{pafter}");
    assert!(
        after.contains("module 7025CMP"),
        "a module the CSV no longer has is kept: {after}"
    );
    // Still in `spec fmt` form.
    assert_eq!(spec(&["fmt", "--check", s(&out)]).code, Some(0));
}

fn export_csv(path: &str, out: &Path) -> (String, String) {
    let r = spec(&["export", path, "--format", "csv", "--out", s(out)]);
    assert_eq!(r.code, Some(0), "export {path}: {}", r.stderr);
    (
        std::fs::read_to_string(out.join("modules.csv")).unwrap(),
        std::fs::read_to_string(out.join("structure.csv")).unwrap(),
    )
}

/// export -> import -> export gives the same tables: the import restores
/// everything the CSV owns.
fn round_trip(path: &str) {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let (m1, s1) = export_csv(path, &first);
    assert!(m1.lines().count() > 1, "{path}: no modules exported");
    let ws = dir.path().join("ws");
    let r = spec(&[
        "import",
        "csv",
        s(&first.join("modules.csv")),
        s(&first.join("structure.csv")),
        "--out",
        s(&ws),
    ]);
    assert_eq!(r.code, Some(0), "import of the export of {path}: {}", r.stderr);
    let (m2, s2) = export_csv(s(&ws), &dir.path().join("second"));
    assert_eq!(m1, m2, "{path}: modules.csv differs after a round trip");
    assert_eq!(s1, s2, "{path}: structure.csv differs after a round trip");
}

#[test]
fn export_then_import_is_the_identity_on_examples() {
    round_trip(&format!("{ROOT}/examples"));
}

#[test]
fn export_then_import_is_the_identity_on_the_conformance_cases() {
    let dir = PathBuf::from(ROOT).join("../shared/conformance");
    let dir = if dir.exists() {
        dir
    } else {
        PathBuf::from(ROOT).join("tests/conformance")
    };
    let mut n = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.extension().is_some_and(|e| e == "pspec") {
            round_trip(s(&p));
            n += 1;
        }
    }
    assert!(n >= 4, "only {n} conformance cases found in {}", dir.display());
}

#[test]
fn import_of_the_fixture_exports_back_to_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    assert_eq!(import(&ws).code, Some(0));
    let (m, st) = export_csv(s(&ws), &dir.path().join("x"));
    // The messy cells come back clean.
    assert!(m.contains("7005CMP,\"Data, Ethics and Law\",10,7,12,,,cmp\n"), "{m}");
    assert!(
        m.contains("7000LIB,Information Literacy for Postgraduates,0,7,4,,,other\n"),
        "{m}"
    );
    assert!(
        m.contains("7006CMP,Big Data Systems,20,7,12,7003CMP 7002CMP,,cmp\n"),
        "{m}"
    );
    assert!(
        st.contains(
            "MSCDS,MSc Data Science,MSc,180,ljmu-pgt-2022,7020CMP,O,\"Specialist electives, semester 2\",20,S2,,\n"
        ),
        "{st}"
    );
    assert!(
        st.contains("MAHIS,MA History (part-time),MA,180,,7099HIS,C,,,S1-S3,3,\n"),
        "{st}"
    );
    assert!(
        st.contains("PGCAP,PGCert Academic Practice,PGCert,60,ljmu-pgt-2022,7003EDU,O,Specialism,20,YL,,\n"),
        "{st}"
    );
}

#[test]
fn json_export_is_versioned_and_its_schema_is_current() {
    let committed = std::fs::read_to_string(format!("{ROOT}/docs/export.schema.json")).unwrap_or_default();
    let current = spec::interchange::export::schema();
    if std::env::var_os("SPEC_UPDATE_SCHEMA").is_some() {
        std::fs::write(format!("{ROOT}/docs/export.schema.json"), &current).unwrap();
    } else {
        assert_eq!(
            committed, current,
            "docs/export.schema.json is out of date: run `SPEC_UPDATE_SCHEMA=1 cargo test --test import_export`"
        );
    }

    let r = spec(&["export", &format!("{ROOT}/examples"), "--format", "json"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let progs = v["programmes"].as_array().unwrap();
    assert_eq!(progs.len(), 3);
    let ds = progs.iter().find(|p| p["code"] == "MSCDS").unwrap();
    assert_eq!(ds["credits"], 180);
    assert_eq!(ds["framework"], "ljmu-pgt-2022");
    // Choose 30 credits from four modules of 10, 10, 10 and 20 credits... as counted by the model.
    assert!(ds["pathways"].as_u64().unwrap() >= 1);
    assert_eq!(ds["structure"].as_array().unwrap().len(), 10);
    let m = v["modules"].as_array().unwrap();
    let rm = m.iter().find(|m| m["code"] == "7001DS").unwrap();
    assert_eq!(rm["research_skills"], true);
    assert_eq!(rm["outcomes"].as_array().unwrap().len(), 2);
    assert_eq!(rm["department"], "data-science");
    // Diagnostic counts add up to the check's summary.
    let check = spec(&["check", "--format", "json", &format!("{ROOT}/examples")]);
    let c: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let sum = |k: &str| -> u64 {
        progs.iter().map(|p| p["diagnostics"][k].as_u64().unwrap()).sum::<u64>()
            + m.iter().map(|p| p["diagnostics"][k].as_u64().unwrap()).sum::<u64>()
    };
    assert_eq!(sum("waived"), c["summary"]["waived"].as_u64().unwrap());
    assert_eq!(sum("errors"), c["summary"]["errors"].as_u64().unwrap());
    assert_eq!(sum("warnings"), c["summary"]["warnings"].as_u64().unwrap());
}

#[test]
fn column_mapping_in_spec_toml() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("spec.toml"),
        "[policy]\nframework = \"ljmu-pgt-2022\"\n\n[import.columns]\nMOD_CODE = \"Module Code\"\nMOD_CRDT = \"Credits\"\n",
    )
    .unwrap();
    let csv = dir.path().join("m.csv");
    std::fs::write(&csv, "Module Code,MOD_NAME,Credits,MOD_LEVC\n7001X,Alpha,20,7\n").unwrap();
    let r = spec(&["import", "csv", s(&csv), "--out", s(&ws)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let t = std::fs::read_to_string(ws.join("modules/other.pspec")).unwrap();
    assert!(
        t.contains("module 7001X \"Alpha\" {\n  credits 20\n  level 7\n}"),
        "{t}"
    );
    // The export uses the same headers, so it imports back.
    let (m, _) = export_csv(s(&ws), &ws);
    assert!(m.starts_with("Module Code,MOD_NAME,Credits,MOD_LEVC,"), "{m}");

    // An unknown key is refused with the list of columns.
    std::fs::write(ws.join("spec.toml"), "[import.columns]\nMOD_CREDITS = \"Credits\"\n").unwrap();
    let r = spec(&["import", "csv", s(&csv), "--out", s(&ws)]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("unknown column `MOD_CREDITS`"), "{}", r.stderr);
}

/// Re-import writes through the shared writer (src/write.rs): a file the
/// user cannot write is refused, and then nothing of the set is written.
#[cfg(unix)]
#[test]
fn reimport_refuses_a_read_only_file_and_writes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    assert_eq!(import(&out).code, Some(0));
    // Change what the CSV owns in two files so the re-import has a set to write.
    let cmp = out.join("modules/cmp.pspec");
    let prog = out.join("programmes/mscds.pspec");
    let cmp_text = std::fs::read_to_string(&cmp)
        .unwrap()
        .replacen("credits 20", "credits 10", 1);
    let prog_text = std::fs::read_to_string(&prog)
        .unwrap()
        .replacen("credits 180", "credits 120", 1);
    std::fs::write(&cmp, &cmp_text).unwrap();
    std::fs::write(&prog, &prog_text).unwrap();
    std::fs::set_permissions(&cmp, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = tree(&out);

    let run = import(&out);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("cmp.pspec` is not writable"), "{}", run.stderr);
    assert_eq!(tree(&out), before, "nothing of the set was written");
    std::fs::set_permissions(&cmp, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// The JSON export carries RPL, partners, attendance and engagement.
#[test]
fn json_export_has_partners_attendance_engagement_and_rpl() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.pspec");
    std::fs::write(
        &file,
        "module 7001XX \"A\" {\n  credits 60\n  level 7\n}\n\
         programme PX \"P\" {\n  award PGCert\n  framework ljmu-pgt-2022\n  credits 60\n\
         \x20 rpl {\n    certificated 20\n    experiential 10\n  }\n\
         \x20 partner \"Example College\" {\n    model franchise\n    link-tutor \"Dr A. Example\"\n  }\n\
         \x20 attendance {\n    first-contact 1 week\n    interview 4 weeks\n    agreements-per-year 2\n  }\n\
         \x20 engagement {\n    shared-with personal-tutor, programme-leader\n    retention 6 months\n  }\n\
         \x20 structure {\n    core 7001XX semester 1\n  }\n}\n",
    )
    .unwrap();
    let r = spec(&["export", "--format", "json", s(&file)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let p = &v["programmes"][0];
    assert_eq!(
        p["rpl"],
        serde_json::json!({"certificated": 20, "experiential": 10}),
        "{p}"
    );
    assert_eq!(p["partners"][0]["name"], "Example College");
    assert_eq!(p["partners"][0]["model"], "franchise");
    assert_eq!(p["partners"][0]["link_tutor"], "Dr A. Example");
    assert_eq!(
        p["attendance"]["first_contact"],
        serde_json::json!({"amount": 1, "unit": "week"})
    );
    assert_eq!(p["attendance"]["agreements_per_year"], 2);
    assert_eq!(
        p["engagement"]["shared_with"],
        serde_json::json!(["personal-tutor", "programme-leader"])
    );
    assert_eq!(
        p["engagement"]["retention"],
        serde_json::json!({"amount": 6, "unit": "month"})
    );
}

/// More than 300 files: a progress bar on a terminal (run under `script`,
/// which gives the command a pseudo-terminal), none when stderr is a pipe.
#[test]
fn progress_bar_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut st) = (
        String::from("MOD_CODE,MOD_NAME,MOD_CRDT,MOD_LEVC\n"),
        String::from("PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,PRG_FRMW,MOD_CODE,MOD_STAT,OPT_NAME,OPT_CRDT,PSL_CODE\n"),
    );
    for i in 0..320 {
        m.push_str(&format!("7{i:03}XX,Module {i},60,7\n"));
        st.push_str(&format!(
            "P{i:03},PGCert {i},PGCert,60,ljmu-pgt-2022,7{i:03}XX,C,,,S1\n"
        ));
    }
    let (mp, sp) = (dir.path().join("m.csv"), dir.path().join("s.csv"));
    std::fs::write(&mp, m).unwrap();
    std::fs::write(&sp, st).unwrap();
    let piped = spec(&["import", "csv", s(&mp), s(&sp), "--out", s(&dir.path().join("a"))]);
    assert_eq!(piped.code, Some(0), "{}", piped.stderr);
    assert!(!piped.stderr.contains("/322 files"), "{}", piped.stderr);
    let cmd = format!(
        "{BIN} import csv {} {} --out {}",
        s(&mp),
        s(&sp),
        s(&dir.path().join("b"))
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(tty.contains("/322 files"), "{tty}");
    assert_eq!(std::fs::read_dir(dir.path().join("b/programmes")).unwrap().count(), 320);
}

/// Comments a person wrote inside a `structure` block survive a re-import
/// that rewrites the block: each goes with the module line it annotated.
#[test]
fn reimport_keeps_comments_inside_a_rewritten_structure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    assert_eq!(import(&out).code, Some(0));
    let prog = out.join("programmes/mscds.pspec");
    let text = std::fs::read_to_string(&prog).unwrap();
    let commented = text
        .replacen(
            "    core 7004CMP",
            "    # Taught by the visiting professor.\n    core 7004CMP",
            1,
        )
        .replacen(
            "core 7099CMP semester 3",
            "core 7099CMP semester 3 # the summer project",
            1,
        );
    assert_ne!(commented, text);
    std::fs::write(&prog, &commented).unwrap();
    // The export moves the dissertation to the year (a structure change).
    let structure = std::fs::read_to_string(fixture("structure.csv"))
        .unwrap()
        .replace("7099CMP,C,,,  S3 ,,", "7099CMP,C,,,YL,,");
    let csv = dir.path().join("structure.csv");
    std::fs::write(&csv, structure).unwrap();
    let r = spec(&["import", "csv", &fixture("modules.csv"), s(&csv), "--out", s(&out)]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("programme MSCDS: structure"), "{}", r.stdout);
    let after = std::fs::read_to_string(&prog).unwrap();
    assert!(after.contains("year-long"), "{after}");
    assert!(
        after.contains("    # Taught by the visiting professor.\n    core 7004CMP"),
        "{after}"
    );
    assert!(after.contains("core 7099CMP year-long # the summer project"), "{after}");
}
