//! The human output of `spec check` on real-sized catalogues: repeated
//! findings of one rule in one programme are grouped (the first in full, the
//! rest one line each), and the run ends with the counts per rule. JSON
//! keeps one diagnostic per subject. Runs the real binary.

mod support;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/human");

fn check(args: &[&str]) -> (Option<i32>, String) {
    let out = support::spec(args).dir(FIXTURES).no_color().run();
    (out.code, out.stdout)
}

/// A snippet starts with its `╭─[file:line:col]` header.
fn snippets(out: &str) -> usize {
    out.matches("╭─[").count()
}

#[test]
fn fifteen_module_size_findings_show_one_snippet_and_fourteen_lines() {
    let (code, out) = check(&["check", "fifteen-module-size.pspec"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(snippets(&out) <= 3, "{} snippets:\n{out}", snippets(&out));
    assert_eq!(snippets(&out), 1, "{out}");
    assert!(
        out.contains("  14 more PG.A4.2/module-size findings in programme `MSCMGT`, one per line:\n"),
        "{out}"
    );
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("    fifteen-module-size.pspec:") && l.contains("  PG.A4.2/module-size  `15`"))
        .collect();
    assert_eq!(lines.len(), 14, "{out}");
    // Every module but the one shown in full is named once.
    for i in 2..=15 {
        let m = format!("(module `EFIMM{i:04}`)");
        assert_eq!(lines.iter().filter(|l| l.contains(&m)).count(), 1, "{m}\n{out}");
    }
    assert!(
        out.contains("findings per rule:\n  15  PG.A4.2/module-size  error\n"),
        "{out}"
    );
    assert!(
        out.ends_with("checked 1 file, 1 programme, 16 modules: 15 errors, 0 warnings\n"),
        "{out}"
    );
    insta::assert_snapshot!("fifteen_module_size", out);
}

#[test]
fn json_keeps_one_diagnostic_per_subject() {
    let (_, out) = check(&["check", "--format", "json", "fifteen-module-size.pspec"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let n = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "PG.A4.2/module-size")
        .count();
    assert_eq!(n, 15, "{out}");
}
