//! Every policy rule of the embedded packs against its own failing and
//! passing examples (the ones `spec explain` shows), plus the fixtures in
//! `tests/fixtures/rules/` (each with an `# expect-policy:` header: the
//! exact set of framework rule ids reported unwaived; `# expect-spec:` the
//! spec/ ids, none when absent). The rendered framework diagnostics are
//! snapshotted.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use spec::analysis::{Analysis, Options};
use spec::policy::{Catalogue, RuleCatalogue};
use spec::render::human::render_one;
use spec::source::Sources;
use support::{rules_md, Header};

fn analyse(text: &str) -> Analysis {
    support::analyse_as("example.pspec", text, &Options::default())
}

/// The frameworks of the embedded packs, as rules.md names them.
const EMBEDDED: &[&str] = &[
    "ljmu-pgt-2022",
    "ljmu-partnerships",
    "ljmu-attendance",
    "ljmu-engagement",
    "ntu-online-2018",
];

fn policy_ids(a: &Analysis) -> BTreeSet<String> {
    a.diagnostics
        .iter()
        .filter(|d| !d.code.starts_with("spec/") && !d.is_waived())
        .map(|d| d.code.clone())
        .collect()
}

fn spec_ids(a: &Analysis) -> BTreeSet<String> {
    a.diagnostics
        .iter()
        .filter(|d| d.code.starts_with("spec/"))
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
    // every rule of rules.md for the embedded packs, and no other
    let contract: BTreeSet<String> = rules_md()
        .into_iter()
        .filter(|r| EMBEDDED.contains(&r.framework.as_str()))
        .map(|r| r.id)
        .collect();
    assert!(!contract.is_empty());
    assert_eq!(seen, contract, "the embedded rules are rules.md's");
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
    // Every rule of the ljmu-pgt-2022 table, with its admits column.
    let pgt: Vec<_> = rules_md()
        .into_iter()
        .filter(|r| r.framework == "ljmu-pgt-2022")
        .collect();
    assert!(!pgt.is_empty());
    for r in &pgt {
        let admits = r.admits.clone().unwrap_or_default();
        let admits: Vec<&str> = admits
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "joint-award")
            .collect();
        pg(&r.id, &admits);
    }
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
    // The severity column of every one-letter row, under its framework.
    for r in rules_md().iter().filter(|r| EMBEDDED.contains(&r.framework.as_str())) {
        let Some(letter) = r.severity else { continue };
        let fw = if r.framework == "ntu-online-2018" {
            "ntu-online-2018"
        } else {
            "ljmu-pgt-2022"
        };
        let want = match letter {
            'E' => Error,
            'W' => Warning,
            _ => Info,
        };
        let got = cat.rule(fw, &r.id).unwrap_or_else(|| panic!("{} missing", r.id));
        assert_eq!(got.severity, want, "{}", r.id);
        if let (Some(admits), false) = (&r.admits, r.framework == "ljmu-pgt-2022") {
            assert_eq!(&got.admits, admits, "{}", r.id);
        }
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
    support::pspec_files(dir)
}

#[test]
fn fixtures_report_exactly_their_expected_rules() {
    let paths = fixtures();
    assert!(paths.len() >= 10);
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read");
        let want = Header::parse(&text).require("expect-policy", &path);
        let a = analyse(&text);
        assert_eq!(policy_ids(&a), want, "{}\n{}", path.display(), rendered(&a, None));
        // The snapshot shows the framework's findings only, so a fixture
        // must not hide spec/ findings of its own: their ids are declared
        // (`# expect-spec:`, none when absent).
        let spec_want = Header::parse(&text).get("expect-spec").cloned().unwrap_or_default();
        assert_eq!(spec_ids(&a), spec_want, "{}: spec/ findings", path.display());
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("fixture")
            .to_string();
        insta::assert_snapshot!(format!("fixture__{name}"), rendered(&a, None));
    }
}
