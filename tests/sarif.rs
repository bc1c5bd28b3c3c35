//! `--format sarif` and `--format github`: snapshots of a synthetic analysis
//! (real spec/ diagnostics plus hand-made policy ones: waived, pending,
//! pathway, info, secondary labels), structural checks of the SARIF log,
//! fingerprint stability, GitHub escaping, and the CLI end to end.

mod support;

use std::sync::Arc;

use serde_json::Value;
use spec::analysis::{analyze, sort_diagnostics, Analysis, Input, Options};
use spec::diag::{Diagnostic, Severity, WaivedBy};
use spec::policy::{RuleCatalogue, RuleInfo, RuleScope};
use spec::render::{github, sarif};
use spec::span::Span;

const TEXT: &str = r#"module 7001DS "Data, Science" {
  credits 15
  level 7
  outcomes { LO1 "Explain" }
  assessment AS1 "Essay" { kind coursework weight 100% covers LO1 }
}

module 7001DS "Duplicate" {
  credits 20
  level 7
}

programme MSCDS "MSc Data Science" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  structure {
    core 7001DS semester 1
  }
  variance PG.A4.2/module-size {
    criterion psrb "X"
  }
}
"#;

fn span_of(text: &str, needle: &str) -> Span {
    let start = text.find(needle).expect("needle");
    Span::new(start, start + needle.len())
}

/// A real analysis of `text` (spec/ diagnostics from the model) plus
/// hand-made policy diagnostics, as `policy::check` will add them.
fn analysis(text: &str) -> Analysis {
    let mut a = support::analyse_as("programmes/msc data,science.pspec", text, &Options::default());
    // Keep the model's own spec/ diagnostics; the policy ones are made up
    // below, so these snapshots test the renderers, not the packs' wording.
    a.diagnostics.retain(|d| d.code.starts_with("spec/"));
    let variance = span_of(text, "variance PG.A4.2/module-size");
    let mut size = Diagnostic::error(
        "PG.A4.2/module-size",
        0,
        // `credits 15` (or whatever value the test wrote there).
        Span::new(
            span_of(text, "credits 1").start(),
            span_of(text, "credits 1").start() + 10,
        ),
        "module `7001DS` is 15 credits; modules in programmes over 120 credits are 10, 20 or 30 credits",
    )
    .with_clause("PG.A4.2")
    .with_programme("MSCDS")
    .with_module("7001DS")
    .with_help("make it 10, 20 or 30 credits, or cite a variance");
    size.waived_by = Some(WaivedBy {
        rule: "PG.A4.2/module-size".into(),
        source: 0,
        span: variance,
        pending: true,
    });
    let mut approved = Diagnostic::warning("PG.A4.4/delivery", 0, span_of(text, "credits 180"), "approved waiver")
        .with_clause("PG.A4.4")
        .with_programme("MSCDS");
    approved.waived_by = Some(WaivedBy {
        rule: "PG.A4.4/delivery".into(),
        source: 0,
        span: variance,
        pending: false,
    });
    let pathway = Diagnostic::error(
        "PG.B2/level",
        0,
        span_of(text, "structure"),
        "on pathway 1, 15 credits are not level 7: 100%, 50%",
    )
    .with_clause("PG.B2")
    .with_programme("MSCDS")
    .with_pathway(vec!["7001DS".into()])
    .with_secondary(0, span_of(text, "level 7"), "level: here");
    let pending = Diagnostic::warning(
        "spec/variance-pending",
        0,
        variance,
        "variance for `PG.A4.2/module-size` is pending: it has no `approved` line",
    )
    .with_programme("MSCDS");
    let info = Diagnostic::new(
        "PG.C8.3/exit-award-reachable",
        Severity::Info,
        0,
        span_of(text, "MSCDS"),
        "an informational note",
    );
    a.diagnostics.extend([size, approved, pathway, pending, info]);
    sort_diagnostics(&a.sources, &mut a.diagnostics);
    a
}

struct OneRule(RuleInfo);

impl RuleCatalogue for OneRule {
    fn rule(&self, framework: &str, id: &str) -> Option<&RuleInfo> {
        (framework == self.0.framework && id == self.0.id).then_some(&self.0)
    }
    fn rules(&self, _framework: &str) -> Vec<&RuleInfo> {
        vec![&self.0]
    }
    fn frameworks(&self) -> Vec<&str> {
        vec![self.0.framework.as_str()]
    }
    fn has_criterion_rule(&self, _framework: &str) -> bool {
        true
    }
}

fn catalogue() -> OneRule {
    OneRule(RuleInfo {
        id: "PG.A4.2/module-size".into(),
        clause: "PG.A4.2".into(),
        clause_text: "Modules are normally 10, 20 or 30 credits.".into(),
        severity: Severity::Error,
        admits: vec!["psrb".into(), "discipline".into()],
        scope: RuleScope::ProgrammeModule,
        framework: "ljmu-pgt-2022".into(),
        summary: "a module in a programme over 120 credits is not 10, 20 or 30 credits".into(),
        origin: None,
        example_fail: None,
        example_pass: None,
    })
}

fn sarif_json(a: &Analysis) -> Value {
    let cat = catalogue();
    serde_json::from_str(&sarif::render_with(a, Some(&cat))).expect("valid JSON")
}

#[test]
fn sarif_snapshot() {
    let cat = catalogue();
    insta::assert_snapshot!("sarif", sarif::render_with(&analysis(TEXT), Some(&cat)));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", github::render(&analysis(TEXT)));
}

#[test]
fn sarif_log_is_well_formed() {
    let a = analysis(TEXT);
    let v = sarif_json(&a);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "spec");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .is_some_and(|s| s.starts_with("https://")));
    let rules = driver["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), a.diagnostics.len());
    // Every rule that appears is described once, sorted by id.
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted);
    for (r, d) in results.iter().zip(&a.diagnostics) {
        assert_eq!(r["ruleId"], d.code.as_str());
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], d.code.as_str());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(region["startColumn"].as_u64().is_some_and(|c| c >= 1));
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "programmes/msc%20data%2Cscience.pspec"
        );
        let expected_level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        assert_eq!(r["level"], expected_level);
        match &d.waived_by {
            Some(w) => {
                assert_eq!(r["suppressions"][0]["kind"], "external");
                assert_eq!(
                    r["suppressions"][0]["status"],
                    if w.pending { "underReview" } else { "accepted" }
                );
            }
            None => assert!(r.get("suppressions").is_none()),
        }
    }
    // Catalogue metadata for the rule it knows.
    let size = rules
        .iter()
        .find(|r| r["id"] == "PG.A4.2/module-size")
        .expect("module-size rule");
    assert_eq!(
        size["fullDescription"]["text"],
        "Modules are normally 10, 20 or 30 credits."
    );
    assert_eq!(size["properties"]["clause"], "PG.A4.2");
    assert_eq!(size["properties"]["admits"], serde_json::json!(["psrb", "discipline"]));
    assert_eq!(size["defaultConfiguration"]["level"], "error");
    assert!(size["helpUri"]
        .as_str()
        .is_some_and(|u| u.ends_with("docs/rules.md#pga42module-size")));
    // The pathway is a property.
    let level = results
        .iter()
        .find(|r| r["ruleId"] == "PG.B2/level")
        .expect("level result");
    assert_eq!(level["properties"]["pathway"], serde_json::json!(["7001DS"]));
    assert_eq!(level["relatedLocations"][0]["message"]["text"], "level: here");
    // Info is a note.
    assert!(results.iter().any(|r| r["level"] == "note"));
}

#[test]
fn sarif_is_deterministic() {
    let cat = catalogue();
    assert_eq!(
        sarif::render_with(&analysis(TEXT), Some(&cat)),
        sarif::render_with(&analysis(TEXT), Some(&cat))
    );
}

fn fingerprints(v: &Value) -> Vec<(String, String)> {
    v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                r["partialFingerprints"]["specSubject/v1"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_moving_but_not_the_subject_changing() {
    let a = sarif_json(&analysis(TEXT));
    let moved_text = format!("# a new comment\n\n\n{TEXT}");
    let b = sarif_json(&analysis(&moved_text));
    assert_ne!(
        a["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        b["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    );
    let fa = fingerprints(&a);
    let fb = fingerprints(&b);
    assert_eq!(fa, fb);
    // Unique within a log.
    let mut uniq: Vec<&String> = fa.iter().map(|(_, f)| f).collect();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), fa.len());
    // A different subject (the module's credits value) is a different finding.
    let changed = sarif_json(&analysis(&TEXT.replace("credits 15", "credits 16")));
    let size = |f: &[(String, String)]| {
        f.iter()
            .find(|(r, _)| r == "PG.A4.2/module-size")
            .map(|(_, f)| f.clone())
    };
    assert!(size(&fa).is_some());
    assert_ne!(size(&fa), size(&fingerprints(&changed)));
}

#[test]
fn sarif_without_a_catalogue_describes_rules_from_the_diagnostics() {
    let v: Value = serde_json::from_str(&sarif::render_with(&analysis(TEXT), None)).expect("json");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let size = rules.iter().find(|r| r["id"] == "PG.A4.2/module-size").expect("rule");
    assert_eq!(size["properties"]["clause"], "PG.A4.2");
    assert_eq!(size["shortDescription"]["text"], "PG.A4.2/module-size");
}

#[test]
fn github_escapes_data_and_properties() {
    assert_eq!(github::escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
    assert_eq!(github::escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
}

#[test]
fn github_commands_are_one_per_diagnostic_with_waived_as_notices() {
    let a = analysis(TEXT);
    let out = github::render(&a);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), a.diagnostics.len());
    for (line, d) in lines.iter().zip(&a.diagnostics) {
        let kind = if d.is_waived() || d.severity == Severity::Info {
            "::notice "
        } else if d.severity == Severity::Error {
            "::error "
        } else {
            "::warning "
        };
        assert!(line.starts_with(kind), "{line}");
        assert!(
            line.contains("file=programmes/msc data%2Cscience.pspec,line="),
            "{line}"
        );
        assert!(
            line.contains(&format!(",title={}", d.code.replace(':', "%3A"))),
            "{line}"
        );
    }
    assert!(out.contains("::notice file=programmes/msc data%2Cscience.pspec,line=2,col=3,endLine=2,endColumn=13,title=PG.A4.2/module-size::module `7001DS` is 15 credits; modules in programmes over 120 credits are 10, 20 or 30 credits (an error, waived by the pending variance at programmes/msc data,science.pspec:20)%0Ahelp: "));
}

// ---------------------------------------------------------------- CLI end to end

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn cli_sarif_and_github_on_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "a.pspec", TEXT);
    let out = support::bin().args(["check", "--format", "sarif"]).arg(&f).run();
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "spec/duplicate"), "{v}");
    let out = support::bin().args(["check", "--format", "github"]).arg(&f).run();
    assert_eq!(out.code, Some(1));
    let text = out.stdout.as_str();
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error ") && l.contains("title=spec/duplicate::")),
        "{text}"
    );
}

#[test]
fn cli_clean_file_is_an_empty_sarif_run_and_no_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "ok.pspec",
        "module M1 \"One\" {\n  credits 20\n  level 7\n  outcomes { LO1 \"x\" }\n  assessment AS1 \"A\" { kind coursework weight 100% covers LO1 }\n}\n",
    );
    let out = support::bin().args(["check", "--format", "sarif"]).arg(&f).run();
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
    let out = support::bin().args(["check", "--format", "github"]).arg(&f).run();
    assert_eq!(out.code, Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_bad_format_exits_2_and_writes_nothing() {
    let out = support::bin().args(["check", "--format", "xml", "."]).run();
    assert_eq!(out.code, Some(2));
    assert!(out.stdout.is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    /// Any text: the SARIF is JSON with one result per diagnostic and 1-based
    /// regions, and the GitHub output is one command line per diagnostic.
    #[test]
    fn renderers_never_break(text in "(module|programme|M1|\"é\"|\\{|\\}|credits|level|7|\n|\r\n| |%|:|,|variance|structure|core|semester 1)*") {
        let input = Input { name: "a:b,c%.pspec".into(), path: None, text: Arc::from(text.as_str()), primary: true };
        let a = analyze(vec![input], &Options::default());
        let v: Value = serde_json::from_str(&sarif::render_with(&a, None)).expect("json");
        let results = v["runs"][0]["results"].as_array().expect("results");
        proptest::prop_assert_eq!(results.len(), a.diagnostics.len());
        for r in results {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            proptest::prop_assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
            proptest::prop_assert!(region["endColumn"].as_u64().is_some_and(|c| c >= 1));
        }
        let gh = github::render(&a);
        proptest::prop_assert_eq!(gh.lines().count(), a.diagnostics.len());
        for line in gh.lines() {
            proptest::prop_assert!(line.starts_with("::error file=a%3Ab%2Cc%25.pspec,") || line.starts_with("::warning file=") || line.starts_with("::notice file="), "{}", line);
        }
    }
}

#[test]
fn cli_sarif_carries_pack_metadata_and_variance_suppressions() {
    let case = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance/msc-variances.pspec");
    let out = support::bin().args(["check", "--format", "sarif", case]).run();
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let size = rules
        .iter()
        .find(|r| r["id"] == "PG.A4.2/module-size")
        .expect("module-size described");
    assert_eq!(size["properties"]["clause"], "PG.A4.2");
    assert!(
        size["properties"]["admits"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c == "psrb")),
        "{size:#}"
    );
    assert!(
        size["fullDescription"]["text"].as_str().is_some_and(|t| t.len() > 20),
        "{size:#}"
    );
    let results = v["runs"][0]["results"].as_array().expect("results");
    let waived: Vec<&Value> = results
        .iter()
        .filter(|r| r["ruleId"] == "PG.A4.2/module-size")
        .collect();
    assert!(!waived.is_empty());
    for r in waived {
        assert_eq!(r["suppressions"][0]["status"], "accepted", "{r:#}");
    }
    let pending = results
        .iter()
        .find(|r| r["ruleId"] == "spec/variance-pending")
        .expect("pending");
    assert_eq!(pending["level"], "warning");
    assert!(pending.get("suppressions").is_none());
}

#[test]
fn cli_broken_policy_exits_2_and_writes_no_sarif() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "a.pspec", TEXT);
    let p = write(dir.path(), "broken.policy", "this is not a policy {");
    for format in ["sarif", "github"] {
        let out = support::bin()
            .args(["check", "--format", format, "--policy"])
            .arg(&p)
            .arg(&f)
            .run();
        assert_eq!(out.code, Some(2), "{format}");
        assert!(out.stdout.is_empty(), "{format}: {}", out.stdout);
        assert!(!out.stderr.is_empty());
    }
}
