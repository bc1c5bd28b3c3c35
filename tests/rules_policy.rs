//! Every policy rule of the embedded packs against its own failing and
//! passing examples (the ones `spec explain` shows), plus the fixtures in
//! `tests/fixtures/rules/` (each with an `# expect-policy:` header: the
//! exact set of framework rule ids reported unwaived). The rendered
//! diagnostics are snapshotted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use spec::analysis::{analyze, Analysis, Input, Options};
use spec::policy::{Catalogue, RuleCatalogue};
use spec::render::human::render_one;
use spec::source::Sources;

fn analyse(text: &str) -> Analysis {
    let input = Input {
        name: "example.pspec".to_string(),
        path: None,
        text: Arc::from(text),
        primary: true,
    };
    analyze(vec![input], &Options::default())
}

fn policy_ids(a: &Analysis) -> BTreeSet<String> {
    a.diagnostics
        .iter()
        .filter(|d| !d.code.starts_with("spec/") && !d.is_waived())
        .map(|d| d.code.clone())
        .collect()
}

fn rendered(a: &Analysis, only: Option<&str>) -> String {
    let mut out = String::new();
    for d in a
        .diagnostics
        .iter()
        .filter(|d| !d.code.starts_with("spec/") && only.is_none_or(|o| d.code == o))
    {
        out.push_str(&render_one(d, &a.sources, false));
    }
    if out.is_empty() {
        out.push_str("(no policy diagnostics)\n");
    }
    out
}

fn snapshot_name(id: &str) -> String {
    id.replace(['/', '.'], "_")
}

#[test]
fn every_policy_rule_fires_on_its_failing_example_and_not_on_its_passing_one() {
    let mut sources = Sources::new();
    let (cat, errors) = Catalogue::compile(&mut sources, &[]);
    assert!(errors.is_empty(), "embedded packs compile: {errors:?}");
    let mut seen = BTreeSet::new();
    for fw in cat.frameworks() {
        for r in cat.rules(fw) {
            if r.id.starts_with("spec/") || !seen.insert(r.id.clone()) {
                continue;
            }
            let fail = r
                .example_fail
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no failing example", r.id));
            let pass = r
                .example_pass
                .as_deref()
                .unwrap_or_else(|| panic!("{} has no passing example", r.id));
            let a = analyse(fail);
            assert!(
                policy_ids(&a).contains(&r.id),
                "{}: the failing example does not fire it: {:?}",
                r.id,
                policy_ids(&a)
            );
            insta::assert_snapshot!(
                format!("example_fail__{}", snapshot_name(&r.id)),
                rendered(&a, Some(&r.id))
            );
            let b = analyse(pass);
            assert!(
                !policy_ids(&b).contains(&r.id),
                "{}: the passing example fires it:\n{}",
                r.id,
                rendered(&b, Some(&r.id))
            );
            assert!(!r.clause_text.trim().is_empty(), "{} quotes no clause text", r.id);
        }
    }
    // every rule of rules.md for the embedded packs
    assert_eq!(seen.len(), 26 + 3 + 2 + 2 + 7, "rules: {seen:?}");
}

/// The id sets of rules.md, pack by pack (ids, severities and admitted
/// criteria are part of the contract).
#[test]
fn rule_metadata_matches_rules_md() {
    let mut sources = Sources::new();
    let (cat, _) = Catalogue::compile(&mut sources, &[]);
    let get = |id: &str| cat.rule("ljmu-pgt-2022", id).unwrap_or_else(|| panic!("{id} missing"));
    let pg = |id: &str, admits: &[&str]| {
        let mut want: Vec<String> = admits.iter().map(|s| s.to_string()).collect();
        if !id.starts_with("PG.A1.6/") && !id.starts_with("PG.A1.7/") {
            want.push("joint-award".into());
        }
        let mut got = get(id).admits.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{id}");
    };
    pg("PG.A1.11/language", &[]);
    pg("PG.A1.6/variance-criterion", &[]);
    pg("PG.A1.6/variance-evidence", &[]);
    pg("PG.A1.6/variance-psrb", &[]);
    pg("PG.A1.7/variance-timing", &[]);
    pg("PG.A2.2.4/rpl-limit", &["psrb", "validation"]);
    pg("PG.A3.1/proforma", &["psrb"]);
    pg("PG.A4.2/module-size", &["psrb", "discipline"]);
    pg("PG.A4.2/dissertation-credits", &["psrb", "discipline"]);
    pg("PG.A4.2/dissertation-required", &["psrb"]);
    pg("PG.A4.3/research-skills", &["psrb"]);
    pg("PG.A4.4/delivery", &["psrb", "discipline"]);
    pg("PG.A4.4/semester-balance", &["psrb", "discipline"]);
    pg("PG.A4.4/semester-length", &["psrb", "discipline"]);
    pg("PG.A4.5/year-long", &["psrb", "validation"]);
    pg("PG.B1.5/exit-award", &["psrb"]);
    pg("PG.B2/credits", &["psrb"]);
    pg("PG.B2/level", &["psrb"]);
    pg("PG.B2.4/erasmus-mobility", &["psrb"]);
    pg("PG.B3.1/cpd-module-size", &["psrb"]);
    pg("PG.C1.3/assessment-aligned", &["psrb"]);
    pg("PG.C1.4/outcome-assessed", &["psrb"]);
    pg("PG.C1.4/assessment-count", &["psrb"]);
    pg("PG.C2.4.2/pass-mark", &["psrb"]);
    pg("PG.C2.5/competency", &["psrb", "validation"]);
    pg("PG.C8.3/exit-award-reachable", &["psrb"]);
    use spec::diag::Severity::*;
    for (id, sev) in [
        ("PG.A4.4/delivery", Warning),
        ("PG.A4.4/semester-balance", Warning),
        ("PG.C8.3/exit-award-reachable", Warning),
        ("PG.A4.2/module-size", Error),
        ("COLLAB/link-tutor", Error),
        ("ATT/thresholds", Error),
        ("LDE/retention", Error),
    ] {
        assert_eq!(get(id).severity, sev, "{id}");
    }
    for (id, admits) in [
        ("ATT/thresholds", vec!["psrb"]),
        ("ATT/agreements", vec!["psrb"]),
        ("LDE/access", vec![]),
        ("COLLAB/operational-framework", vec![]),
    ] {
        assert_eq!(get(id).admits, admits, "{id}");
    }
    let ntu = |id: &str| {
        cat.rule("ntu-online-2018", id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .admits
            .clone()
    };
    assert_eq!(ntu("NTU.10E/major-piece"), vec!["discipline"]);
    assert_eq!(ntu("NTU.10E/stage-1"), vec!["discipline"]);
    assert!(ntu("NTU.10E/credits").is_empty());
    // LJMU rules are not active under NTU, and vice versa
    assert!(cat.rule("ntu-online-2018", "PG.A4.2/module-size").is_none());
    assert!(cat.rule("ljmu-pgt-2022", "NTU.10E/stages").is_none());
    assert!(cat.has_criterion_rule("ljmu-pgt-2022"));
    assert!(!cat.has_criterion_rule("ntu-online-2018"));
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pspec"))
        .collect();
    v.sort();
    v
}

#[test]
fn fixtures_report_exactly_their_expected_rules() {
    let paths = fixtures();
    assert!(paths.len() >= 10);
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read");
        let want: BTreeSet<String> = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect-policy:"))
            .unwrap_or_else(|| panic!("{} has no `# expect-policy:` line", path.display()))
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let a = analyse(&text);
        assert_eq!(policy_ids(&a), want, "{}\n{}", path.display(), rendered(&a, None));
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("fixture")
            .to_string();
        insta::assert_snapshot!(format!("fixture__{name}"), rendered(&a, None));
    }
}
