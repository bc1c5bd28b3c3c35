//! Policy evaluation runs on a budget (docs/policies.md, "Evaluation
//! budget"): a rule that spends it is stopped and reported as
//! `policy/limit`, naming the rule and the programme, and the rest of the
//! check goes on. Ranges iterate over their numbers. The inputs are the
//! stalls found by fuzzing (`../shared/reliability/make.py`), generated
//! here; the tests assert the diagnostics, never a time.

mod support;

use spec::analysis::Analysis;
use spec::diag::{Diagnostic, Severity};
use support::analyse;

fn module(code: &str, credits: u64, requires: Option<&str>) -> String {
    let req = requires.map(|r| format!("requires {r} ")).unwrap_or_default();
    format!(
        "module {code} \"Module {code}\" {{ credits {credits} level 7 {req}outcomes {{ LO1 \"a\" }} assessment AS1 \"A\" {{ kind coursework covers LO1 }} }}\n"
    )
}

/// `n` modules of 10 credits, each requiring the one before, all core in
/// semester 1 of programme `P` (180-credit MSc), which carries `rule`.
fn chain(n: usize, rule_id: &str, rule: &str) -> String {
    let codes: Vec<String> = (0..n).map(|i| format!("M{i:04}")).collect();
    let mut s = String::new();
    for (i, c) in codes.iter().enumerate() {
        s.push_str(&module(c, 10, i.checked_sub(1).map(|j| codes[j].as_str())));
    }
    s.push_str(&format!(
        "programme P \"MSc P\" {{ award MSc framework ljmu-pgt-2022 credits 180\n  rule {rule_id} {{\n    {rule}\n    message \"never\"\n  }}\n  structure {{ core {} semester 1 }}\n}}\n",
        codes.join(", ")
    ));
    s
}

fn limits(a: &Analysis) -> Vec<&Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code == "policy/limit").collect()
}

/// The one `policy/limit` names the rule and the programme, is a warning
/// at the rule's id, and the framework's own rules still ran.
fn assert_stopped(text: &str, rule_id: &str) {
    let a = analyse(text);
    let l = limits(&a);
    assert_eq!(l.len(), 1, "{:#?}", a.diagnostics);
    let d = l[0];
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(d.programme.as_deref(), Some("P"));
    assert_eq!(
        d.message,
        format!("rule `{rule_id}` was not evaluated for programme `P`: it exceeded the evaluation budget")
    );
    let at = &text[d.span.start()..d.span.end()];
    assert_eq!(at, rule_id, "the diagnostic points at the rule's id");
    assert!(d.help.as_deref().is_some_and(|h| h.contains("docs/policies.md")));
    // the rule's own findings are dropped, not guessed
    assert!(!a.diagnostics.iter().any(|d| d.code == rule_id), "{:#?}", a.diagnostics);
    // the rest of the check went on: the framework's semester balance
    // (all credits in semester 1) is still reported
    assert!(
        a.diagnostics.iter().any(|d| d.code == "PG.A4.4/semester-balance"),
        "{:#?}",
        a.diagnostics
    );
}

/// Five nested quantifiers over 40 modules: 40^5 = 10^8 steps.
#[test]
fn five_nested_quantifiers_stop_at_the_budget() {
    let mut s = String::new();
    let codes: Vec<String> = (0..40).map(|i| format!("M{i:02}")).collect();
    for c in &codes {
        s.push_str(&module(c, 10, None));
    }
    s.push_str(&format!(
        "programme P \"P\" {{ award MSc framework ljmu-pgt-2022 credits 400\n  rule P2.1/nested {{\n    for m in programme.modules\n    require all a in programme.modules: all b in programme.modules: all c in programme.modules: all e in programme.modules: a.credits + b.credits + c.credits + e.credits + m.credits > 0\n    message \"never\"\n  }}\n  structure {{ core {} semester 1 }}\n}}\n",
        codes.join(", ")
    ));
    assert_stopped(&s, "P2.1/nested");
}

/// `closure` nested three deep on a 1,000-module prerequisite chain.
#[test]
fn nested_closures_on_a_long_chain_stop_at_the_budget() {
    let s = chain(
        1000,
        "P.1/closure",
        "for m in programme.modules\n    require all a in closure(m): all b in closure(a): all c in closure(b): c.credits > 0",
    );
    assert_stopped(&s, "P.1/closure");
}

/// `reach` nested three deep under `for p in pathways`.
#[test]
fn nested_reach_under_pathways_stops_at_the_budget() {
    let s = chain(
        100,
        "P.1/reach",
        "for p in pathways\n    require all d in p: all a in reach(d, p): all b in reach(d, p): all c in reach(d, p): a.credits + b.credits + c.credits > 0",
    );
    assert_stopped(&s, "P.1/reach");
}

/// A rule within the budget is evaluated as before: two nested
/// quantifiers over 100 modules (10^4 steps) report their finding.
#[test]
fn a_rule_within_the_budget_is_evaluated() {
    let s = chain(
        100,
        "P.1/pairs",
        "require not (all a in programme.modules: all b in programme.modules: a.credits == b.credits)",
    );
    let a = analyse(&s);
    assert!(limits(&a).is_empty(), "{:#?}", a.diagnostics);
    assert_eq!(a.diagnostics.iter().filter(|d| d.code == "P.1/pairs").count(), 1);
}

/// Ranges iterate over their numbers: `count(a in [1..5])` is 5 and
/// `sum(a in [1..5]: a)` is 15 (they were 1 and 0).
#[test]
fn ranges_iterate_over_their_numbers() {
    let s = format!(
        "{}programme P \"P\" {{ award PGCert framework ljmu-pgt-2022 credits 10\n  rule P.1/range {{\n    require count(a in [1..5]) != 5 and sum(a in [1..5]: a) != 15\n    message \"count {{count(a in [1..5])}} sum {{sum(a in [1..5]: a)}} min {{min(a in [3..5, 1]: a)}} max {{max(a in [3..5, 1]: a)}} any {{any a in [1..3]: a == 2}} all {{all a in [1..3]: a < 3}} empty {{count(a in [5..1])}}\"\n  }}\n  structure {{ core M1 semester 1 }}\n}}\n",
        module("M1", 10, None)
    );
    let a = analyse(&s);
    let d: Vec<_> = a.diagnostics.iter().filter(|d| d.code == "P.1/range").collect();
    assert_eq!(d.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(d[0].message, "count 5 sum 15 min 1 max 5 any true all false empty 0");
}
