//! Every `spec/` rule against its fixtures in `tests/fixtures/spec/<rule>/`:
//! each fixture's header says the exact set of `spec/` ids it must produce
//! (`# expect-spec: ...`, empty for a clean file); the rendered `spec/`
//! diagnostics are snapshotted. Framework rules are left out of both, so the
//! policy packs can change without changing these tests; the passing
//! fixtures are variants of the clean conformance programme and are checked
//! to be clean under their framework as well.
//!
//! Also: the registry against rules.md, the failing and passing examples of
//! every rule in the registry, the conformance cases' `spec/` ids, a large
//! workspace, and a brute-force comparison of the pathway rules.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use spec::analysis::Analysis;
use spec::check::registry::{spec_rules, RULE_DOCS};
use spec::render::human::render_one;
use support::{analyse, Header};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/spec")
}

fn spec_ids(a: &Analysis) -> BTreeSet<String> {
    a.diagnostics
        .iter()
        .filter(|d| d.code.starts_with("spec/") && !d.is_waived())
        .map(|d| d.code.clone())
        .collect()
}

fn rendered_spec(a: &Analysis) -> String {
    let mut out = String::new();
    for d in a.diagnostics.iter().filter(|d| d.code.starts_with("spec/")) {
        out.push_str(&render_one(d, &a.sources, false));
    }
    if out.is_empty() {
        out.push_str("(no spec/ diagnostics)\n");
    }
    out
}

/// Runs every fixture of one rule; returns (failing, passing) fixture counts.
fn run_rule(rule: &str) -> (usize, usize) {
    let dir = fixtures_dir().join(rule);
    let paths = support::pspec_files(&dir);
    let id = format!("spec/{rule}");
    let (mut fail, mut pass) = (0, 0);
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let want = Header::parse(&text).require("expect-spec", path);
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let a = analyse(&text);
        let got = spec_ids(&a);
        assert_eq!(got, want, "{}: spec/ rule ids", path.display());
        if name.starts_with("fail") {
            assert!(
                want.contains(&id),
                "{}: a failing fixture must expect {id}",
                path.display()
            );
            fail += 1;
        } else {
            assert!(
                want.is_empty(),
                "{}: a passing fixture expects no spec/ ids",
                path.display()
            );
            pass += 1;
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/rules_spec");
        settings.set_prepend_module_to_snapshot(false);
        settings.set_description(format!("tests/fixtures/spec/{rule}/{name}.pspec"));
        settings.bind(|| insta::assert_snapshot!(format!("{rule}__{name}"), rendered_spec(&a)));
    }
    assert!(
        fail >= 1 && pass >= 1,
        "{rule}: needs at least one failing and one passing fixture"
    );
    (fail, pass)
}

/// Every `spec/` rule of the registry has its fixtures: the list is the
/// registry's, not written here.
#[test]
fn every_rule_passes_its_fixtures() {
    let rules = spec_rules();
    assert!(!rules.is_empty());
    for r in &rules {
        let name = r.id.strip_prefix("spec/").expect("a spec/ id");
        run_rule(name);
    }
}

/// Every rule of rules.md's `spec/` table is in the registry, once, in
/// order, with its metadata.
#[test]
fn registry_lists_every_spec_rule() {
    let from_md: Vec<(String, String, String)> = support::rules_md()
        .into_iter()
        .filter(|r| r.id.starts_with("spec/"))
        .map(|r| (r.id, r.severity.map(String::from).unwrap_or_default(), r.fires))
        .collect();
    let registry = spec_rules();
    let ids: Vec<&str> = registry.iter().map(|r| r.id.as_str()).collect();
    let md_ids: Vec<&str> = from_md.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, md_ids);
    for (r, (_, sev, fires)) in registry.iter().zip(&from_md) {
        let want = match sev.as_str() {
            "E" => spec::diag::Severity::Error,
            "W" => spec::diag::Severity::Warning,
            "I" => spec::diag::Severity::Info,
            other => panic!("unknown severity {other}"),
        };
        assert_eq!(r.severity, want, "{}", r.id);
        assert_eq!(&r.summary, fires, "{}: summary is the rules.md text", r.id);
        assert_eq!(r.clause, "", "{}", r.id);
        assert_eq!(r.framework, "spec", "{}", r.id);
        assert!(r.admits.is_empty(), "{}: spec/ rules are not waivable", r.id);
        assert!(!r.clause_text.is_empty(), "{}", r.id);
    }
}

/// Each rule file documents itself: its `//!` doc opens with the id and
/// severity and holds the "Fires when" paragraph that `spec explain` prints.
#[test]
fn every_rule_file_documents_itself() {
    for d in RULE_DOCS {
        let opening = format!("//! `{}` ({})", d.id, d.severity.as_str());
        assert!(
            d.source.starts_with(&opening),
            "{}: the file opens with {opening:?}",
            d.id
        );
        assert!(!d.summary().is_empty(), "{}: no `Fires when` paragraph", d.id);
        assert!(!d.summary().contains("//!"), "{}", d.id);
    }
}

/// Each example_fail fires its rule; each example_pass is free of spec/
/// diagnostics.
fn check_examples() -> usize {
    let mut n = 0;
    for r in spec_rules() {
        let fail = r
            .example_fail
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no example_fail", r.id));
        let pass = r
            .example_pass
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no example_pass", r.id));
        let got = spec_ids(&analyse(fail));
        assert!(got.contains(&r.id), "{}: example_fail gives {got:?}", r.id);
        let got = spec_ids(&analyse(pass));
        assert!(got.is_empty(), "{}: example_pass gives {got:?}", r.id);
        n += 1;
    }
    n
}

#[test]
fn registry_examples_behave() {
    assert_eq!(check_examples(), spec_rules().len());
}

/// Every conformance case's `spec/` expectations hold (the framework ids are
/// the policy engine's tests' business).
#[test]
fn conformance_spec_ids() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");
    let paths = support::pspec_files(dir);
    assert!(!paths.is_empty());
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read");
        let header = Header::parse(&text);
        let ids = |key: &str| -> Option<BTreeSet<String>> {
            header
                .get(key)
                .map(|set| set.iter().filter(|s| s.starts_with("spec/")).cloned().collect())
        };
        let got = spec_ids(&analyse(&text));
        if let Some(want) = ids("expect") {
            assert_eq!(got, want, "{}", path.display());
        } else if let Some(want) = ids("expect-include") {
            assert!(
                want.is_subset(&got),
                "{}: {got:?} lacks some of {want:?}",
                path.display()
            );
        }
    }
}

/// A large workspace: thousands of small cycles, a long core chain placed in
/// one semester, and a large option whose modules require core modules.
/// Nothing is quadratic in the modules, so this stays fast; the counts check
/// that every rule still reports once per subject at scale.
#[test]
fn large_workspace() {
    use std::fmt::Write;
    let mut text = String::new();
    let module = |text: &mut String, code: &str, credits: u32, requires: &str| {
        let req = if requires.is_empty() {
            String::new()
        } else {
            format!("  requires {requires}\n")
        };
        let _ = write!(
            text,
            "module {code} \"M\" {{\n  credits {credits}\n  level 7\n{req}  outcomes {{ LO1 \"x\" }}\n  assessment AS1 \"A\" {{ kind exam covers LO1 }}\n}}\n"
        );
    };
    // 2,000 two-module cycles.
    for i in 0..2000 {
        module(&mut text, &format!("A{i}"), 10, &format!("B{i}"));
        module(&mut text, &format!("B{i}"), 10, &format!("A{i}"));
    }
    // A chain of 3,000 core modules, all in semester 1: each link is out of order.
    let n = 3000;
    for i in 0..n {
        let req = if i == 0 { String::new() } else { format!("C{}", i - 1) };
        module(&mut text, &format!("C{i}"), 10, &req);
    }
    // 300 optional modules, each requiring a core module (quiet), the last
    // one also requiring an unlisted module (missing on some pathway).
    for i in 0..300 {
        let req = if i == 299 {
            "C0, A0".to_string()
        } else {
            format!("C{i}")
        };
        module(&mut text, &format!("O{i}"), 10, &req);
    }
    let core: Vec<String> = (0..n).map(|i| format!("C{i}")).collect();
    let options: Vec<String> = (0..300).map(|i| format!("O{i}")).collect();
    let _ = write!(
        text,
        "programme BIG \"Big\" {{\n  award MSc\n  framework ljmu-pgt-2022\n  credits {}\n  structure {{\n    core {} semester 1\n    option \"Many\" choose 1000 credits from {} semester 2\n  }}\n}}\n",
        n * 10 + 1000,
        core.join(", "),
        options.join(", ")
    );
    let started = std::time::Instant::now();
    let a = analyse(&text);
    let elapsed = started.elapsed();
    eprintln!(
        "large workspace: {} modules, {} diagnostics, analysed in {elapsed:?}",
        a.workspace.modules.len(),
        a.diagnostics.len()
    );
    let count = |id: &str| a.diagnostics.iter().filter(|d| d.code == id).count();
    assert_eq!(count("spec/prerequisite-cycle"), 2000);
    assert_eq!(count("spec/prerequisite-order"), n - 1);
    assert_eq!(count("spec/prerequisite-missing"), 1);
    assert_eq!(count("spec/credit-total"), 0);
    assert_eq!(count("spec/option-unsatisfiable"), 0);
    assert_eq!(spec_ids(&a).len(), 3, "{:?}", spec_ids(&a));
}

/// A small random programme, checked against brute force: every pathway is
/// enumerated here (the rules never do) and the pathway rules must agree.
mod brute_force {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    struct Case {
        /// (credits, semester, requires: indices of lower modules, requires the unlisted module)
        modules: Vec<(u64, u64, Vec<usize>, bool)>,
        /// For each module: None = core, Some(g) = in option group g.
        membership: Vec<Option<usize>>,
        chooses: Vec<u64>,
        credits: u64,
    }

    fn case() -> impl Strategy<Value = Case> {
        (3usize..9, 0usize..3)
            .prop_flat_map(|(n, groups)| {
                let module = (
                    prop::sample::select(vec![10u64, 20, 30]),
                    1u64..4,
                    prop::collection::vec((any::<prop::sample::Index>(), prop::bool::weighted(0.15)), 0..3),
                    prop::bool::weighted(0.1),
                );
                (
                    prop::collection::vec(module, n),
                    prop::collection::vec(prop::option::weighted(0.5, 0..groups.max(1)), n),
                    prop::collection::vec(prop::sample::select(vec![10u64, 20, 30, 40, 50]), groups),
                    prop::sample::select(vec![60u64, 80, 100, 120]),
                )
            })
            .prop_map(|(raw, membership, chooses, credits)| {
                let membership: Vec<Option<usize>> = membership
                    .into_iter()
                    .map(|m| m.filter(|_| !chooses.is_empty()))
                    .collect();
                let n = raw.len();
                let modules = raw
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, sem, reqs, unlisted))| {
                        // Mostly requirements on earlier modules; now and
                        // then on any module, which makes cycles.
                        let mut r: Vec<usize> = reqs
                            .iter()
                            .filter_map(|(x, any)| {
                                if *any {
                                    Some(x.index(n))
                                } else {
                                    (i > 0).then(|| x.index(i))
                                }
                            })
                            .collect();
                        r.sort_unstable();
                        r.dedup();
                        (c, sem, r, unlisted)
                    })
                    .collect();
                Case {
                    modules,
                    membership,
                    chooses,
                    credits,
                }
            })
    }

    fn text(c: &Case) -> String {
        let mut t = String::new();
        let mut all = vec!["X".to_string()];
        for (i, (credits, _, reqs, unlisted)) in c.modules.iter().enumerate() {
            let mut r: Vec<String> = reqs.iter().map(|j| format!("M{j}")).collect();
            if *unlisted {
                r.push("X".into());
            }
            let req = if r.is_empty() {
                String::new()
            } else {
                format!("  requires {}\n", r.join(", "))
            };
            t.push_str(&format!(
                "module M{i} \"M\" {{\n  credits {credits}\n  level 7\n{req}}}\n"
            ));
            all.push(format!("M{i}"));
        }
        t.push_str("module X \"X\" {\n  credits 10\n  level 7\n}\n");
        t.push_str(&format!(
            "programme P \"P\" {{\n  award MSc\n  framework ljmu-pgt-2022\n  credits {}\n  structure {{\n",
            c.credits
        ));
        for (i, (_, sem, _, _)) in c.modules.iter().enumerate() {
            if c.membership[i].is_none() {
                t.push_str(&format!("    core M{i} semester {sem}\n"));
            }
        }
        for (g, choose) in c.chooses.iter().enumerate() {
            t.push_str(&format!("    option \"G{g}\" choose {choose} credits {{\n"));
            for (i, (_, sem, _, _)) in c.modules.iter().enumerate() {
                if c.membership[i] == Some(g) {
                    t.push_str(&format!("      M{i} semester {sem}\n"));
                }
            }
            t.push_str("    }\n");
        }
        t.push_str("  }\n}\n");
        t
    }

    /// Every pathway as a set of module indices (None: some group has no choice).
    fn pathways(c: &Case) -> Option<Vec<Vec<usize>>> {
        let core: Vec<usize> = (0..c.modules.len()).filter(|&i| c.membership[i].is_none()).collect();
        let mut paths = vec![core];
        for (g, &choose) in c.chooses.iter().enumerate() {
            let members: Vec<usize> = (0..c.modules.len()).filter(|&i| c.membership[i] == Some(g)).collect();
            let mut choices = Vec::new();
            for mask in 0u32..(1 << members.len()) {
                let pick: Vec<usize> = members
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| mask & (1 << b) != 0)
                    .map(|(_, &m)| m)
                    .collect();
                if pick.iter().map(|&m| c.modules[m].0).sum::<u64>() == choose {
                    choices.push(pick);
                }
            }
            if choices.is_empty() {
                return None;
            }
            paths = paths
                .iter()
                .flat_map(|p| choices.iter().map(move |ch| p.iter().chain(ch).copied().collect()))
                .collect();
        }
        Some(paths)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn pathway_rules_agree_with_enumeration(c in case()) {
            let src = text(&c);
            let a = analyse(&src);
            let count = |id: &str| a.diagnostics.iter().filter(|d| d.code == id).count();
            // Reachability by `requires` (Floyd-Warshall), for cycles.
            let n = c.modules.len();
            let mut reach = vec![vec![false; n]; n];
            for (m, (_, _, reqs, _)) in c.modules.iter().enumerate() {
                for &r in reqs {
                    reach[m][r] = true;
                }
            }
            for k in 0..n {
                for i in 0..n {
                    for j in 0..n {
                        if reach[i][k] && reach[k][j] {
                            reach[i][j] = true;
                        }
                    }
                }
            }
            let in_cycle = |m: usize, r: usize| reach[m][r] && reach[r][m];
            // One prerequisite-cycle per cyclic component: count the cyclic
            // modules that are the first of their component.
            let cycles = (0..n).filter(|&i| reach[i][i] && (0..i).all(|j| !(reach[i][j] && reach[j][i]))).count();
            prop_assert_eq!(count("spec/prerequisite-cycle"), cycles, "{}", src);
            let paths = pathways(&c);
            let unsat = c.chooses.iter().enumerate().filter(|&(g, &choose)| {
                let members: Vec<u64> = (0..c.modules.len()).filter(|&i| c.membership[i] == Some(g)).map(|i| c.modules[i].0).collect();
                !(0u32..(1 << members.len())).any(|mask| members.iter().enumerate().filter(|(b, _)| mask & (1 << b) != 0).map(|(_, &x)| x).sum::<u64>() == choose)
            }).count();
            prop_assert_eq!(count("spec/option-unsatisfiable"), unsat, "{}", src);
            let Some(paths) = paths else {
                prop_assert_eq!(count("spec/credit-total"), 0);
                prop_assert_eq!(count("spec/prerequisite-missing"), 0);
                return Ok(());
            };
            let bad_total = paths.iter().any(|p| p.iter().map(|&m| c.modules[m].0).sum::<u64>() != c.credits);
            prop_assert_eq!(count("spec/credit-total"), usize::from(bad_total), "{}", src);
            // (module, requirement) missing on some pathway, not inside a cycle.
            let mut want = BTreeSet::new();
            for p in &paths {
                for &m in p {
                    for &r in &c.modules[m].2 {
                        if !p.contains(&r) && !in_cycle(m, r) {
                            want.insert((format!("M{m}"), format!("M{r}")));
                        }
                    }
                    if c.modules[m].3 {
                        want.insert((format!("M{m}"), "X".to_string()));
                    }
                }
            }
            let got: BTreeSet<(String, String)> = a
                .diagnostics
                .iter()
                .filter(|d| d.code == "spec/prerequisite-missing")
                .map(|d| (d.module.clone().unwrap_or_default(), src[d.span.range()].to_string()))
                .collect();
            prop_assert_eq!(&got, &want, "{}", src);
            prop_assert_eq!(count("spec/prerequisite-missing"), want.len());
            // Every reported failing pathway really fails.
            for d in a.diagnostics.iter().filter(|d| d.code == "spec/prerequisite-missing") {
                let path = d.pathway.clone().unwrap_or_default();
                prop_assert!(d.module.as_ref().is_some_and(|m| path.contains(m)));
                prop_assert!(!path.contains(&src[d.span.range()].to_string()));
            }
            // Order: every listed requirement outside a cycle must end in an
            // earlier semester.
            let mut order = 0;
            for (m, (_, sem, reqs, _)) in c.modules.iter().enumerate() {
                order += reqs.iter().filter(|&&r| !in_cycle(m, r) && c.modules[r].1 >= *sem).count();
            }
            prop_assert_eq!(count("spec/prerequisite-order"), order, "{}", src);
        }
    }
}

/// The passing fixtures and examples are clean under their framework too
/// (no unwaived diagnostic of any rule), so they document good practice.
#[test]
fn passing_fixtures_and_examples_are_fully_clean() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for dir in std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| e.ok())
    {
        for f in std::fs::read_dir(dir.path()).expect("rule dir").filter_map(|e| e.ok()) {
            let p = f.path();
            if p.file_stem()
                .and_then(|s| s.to_str())
                .is_some_and(|s| s.starts_with("pass"))
            {
                texts.push((p.display().to_string(), std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    for r in spec_rules() {
        texts.push((
            format!("{} example_pass", r.id),
            r.example_pass.clone().unwrap_or_default(),
        ));
    }
    texts.sort();
    assert!(texts.len() > 40);
    // Every rule of the registry has a passing fixture and a passing example.
    assert!(texts.len() >= 2 * RULE_DOCS.len(), "{}", texts.len());
    for (name, text) in &texts {
        let a = analyse(text);
        let open: Vec<String> = a
            .diagnostics
            .iter()
            .filter(|d| !d.is_waived())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(open.is_empty(), "{name}: {open:#?}");
    }
}

/// Many small option groups: a prerequisite question involves at most two
/// of them, so thousands of groups stay cheap.
#[test]
fn many_option_groups() {
    let groups = 1500;
    let mut text = String::new();
    let mut lines = String::new();
    for i in 0..groups {
        // Gi_b requires the previous group's Gi_a: missing on the pathways
        // that choose G(i-1)_b instead (one diagnostic per link).
        let req_b = if i == 0 {
            String::new()
        } else {
            format!("  requires G{}a\n", i - 1)
        };
        text.push_str(&format!(
            "module G{i}a \"A\" {{\n  credits 10\n  level 7\n}}\nmodule G{i}b \"B\" {{\n  credits 10\n  level 7\n{req_b}}}\n"
        ));
        lines.push_str(&format!(
            "    option \"G{i}\" choose 10 credits from G{i}a, G{i}b semester 2\n"
        ));
    }
    text.push_str("module C0 \"C\" {\n  credits 10\n  level 7\n}\n");
    text.push_str(&format!(
        "programme P \"P\" {{\n  award MSc\n  framework ljmu-pgt-2022\n  credits {}\n  structure {{\n    core C0 semester 1\n{lines}  }}\n}}\n",
        groups * 10 + 10
    ));
    let started = std::time::Instant::now();
    let a = analyse(&text);
    eprintln!("{groups} option groups analysed in {:?}", started.elapsed());
    let missing: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/prerequisite-missing")
        .collect();
    assert_eq!(missing.len(), groups - 1);
    // Each named pathway really takes the module and leaves out its requirement.
    for d in missing {
        let path = d.pathway.clone().unwrap_or_default();
        assert_eq!(path.len(), groups + 1);
        let m = d.module.clone().unwrap_or_default();
        let r = format!(
            "G{}a",
            m[1..m.len() - 1].parse::<usize>().unwrap_or(0).saturating_sub(1)
        );
        assert!(path.contains(&m) && !path.contains(&r), "{m} {r} {path:?}");
    }
}
