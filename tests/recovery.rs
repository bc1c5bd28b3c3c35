//! Parser recovery: broken text still yields a tree, precise `spec/syntax`
//! spans, and the semantic diagnostics of the healthy items, with no
//! cascades. Plus a property test: the analysis never panics on mutations
//! of the conformance files.

mod support;

use std::collections::BTreeSet;

use proptest::prelude::*;
use spec::analysis::Analysis;
use spec::diag::Diagnostic;
use spec::render::human::render_one;
use support::analyse;

fn spec_diags(a: &Analysis) -> Vec<&Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code.starts_with("spec/")).collect()
}

fn codes(a: &Analysis) -> BTreeSet<&str> {
    spec_diags(a).iter().map(|d| d.code.as_str()).collect()
}

fn syntax_errors(a: &Analysis) -> Vec<&Diagnostic> {
    a.diagnostics.iter().filter(|d| d.code == "spec/syntax").collect()
}

/// The source text under a diagnostic's span.
fn at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    text.get(d.span.range()).unwrap_or("<bad span>")
}

fn rendered(a: &Analysis) -> String {
    let mut out = String::new();
    for d in spec_diags(a) {
        out.push_str(&render_one(d, &a.sources, false));
    }
    out
}

fn module(code: &str, credits: &str, extra: &str) -> String {
    format!(
        "module {code} \"Module {code}\" {{\n  credits {credits}\n  level 7\n{extra}  outcomes {{ LO1 \"Do things\" }}\n  assessment AS1 \"Essay\" {{ kind coursework covers LO1 }}\n}}\n\n"
    )
}

const PROGRAMME: &str = r#"programme PGC "PGCert" {
  award PGCert
  framework ljmu-pgt-2022
  credits 60
  structure {
    core M1, M2, M3 semester 1
  }
}
"#;

#[test]
fn three_broken_modules_and_healthy_items() {
    let mut text = String::new();
    text.push_str(&module("M1", "twenty", ""));
    text.push_str(&module("M2", "20", "  level seven\n"));
    text.push_str(&module("M3", "20", "  requires M1,\n"));
    // Healthy items with semantic errors of their own.
    text.push_str(
        "module M4 \"Weights\" {\n  credits 20\n  level 7\n  outcomes { LO1 \"x\" LO2 \"y\" }\n  assessment AS1 \"A\" { kind exam weight 60% covers LO1 }\n  assessment AS2 \"B\" { kind exam weight 30% covers LO2 }\n}\n\n",
    );
    text.push_str(&module("M5", "20", "  requires M9\n"));
    text.push_str(PROGRAMME);
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert!(errors.len() >= 3, "{}", rendered(&a));
    let found: Vec<&str> = errors.iter().map(|d| at(&text, d)).collect();
    assert!(found.contains(&"twenty"), "{found:?}");
    assert!(found.contains(&"seven"), "{found:?}");
    // The third: `requires M1,` has a dangling comma; the error is on the
    // next token (what is in the way of a code), on the line after.
    let third = errors
        .iter()
        .find(|d| !["twenty", "seven"].contains(&at(&text, d)))
        .expect("a third syntax error");
    let m3 = text.find("module M3").expect("M3");
    let m4 = text.find("module M4").expect("M4");
    assert!(
        (m3..m4).contains(&(third.span.start())),
        "third error at {:?}",
        third.span
    );
    // Healthy items still checked: M4's weights and M5's undefined requirement.
    let ids = codes(&a);
    assert!(ids.contains("spec/assessment-weights"), "{ids:?}");
    let unknown: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/unknown-reference")
        .map(|d| at(&text, d))
        .collect();
    assert_eq!(unknown, vec!["M9"], "broken M1..M3 still count as defined");
    // The programme lists broken modules: its pathway rules are not evaluated.
    assert!(!ids.contains("spec/credit-total"), "{ids:?}");
    insta::assert_snapshot!(rendered(&a));
}

#[test]
fn broken_property_inside_an_assessment() {
    let text = "module M1 \"A\" {\n  credits 20\n  level 7\n  outcomes { LO1 \"x\" LO2 \"y\" }\n  assessment AS1 \"A\" {\n    kind exam\n    weight sixty\n    covers LO1\n  }\n  assessment AS2 \"B\" { kind exam weight 40% covers LO2 }\n}\n\nmodule M2 \"B\" {\n  credits 20\n  level 11\n}\n";
    let a = analyse(text);
    let errors = syntax_errors(&a);
    assert_eq!(errors.len(), 1, "{}", rendered(&a));
    assert_eq!(at(text, errors[0]), "sixty");
    // M1 is broken: its weights are not summed; M2 is still checked.
    let ids = codes(&a);
    assert!(!ids.contains("spec/assessment-weights"), "{ids:?}");
    let invalid: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/invalid-value")
        .map(|d| at(text, d))
        .collect();
    assert_eq!(invalid, vec!["11"]);
    insta::assert_snapshot!(rendered(&a));
}

#[test]
fn missing_closing_brace() {
    let text = format!(
        "module M1 \"A\" {{\n  credits 20\n  level 7\n  outcomes {{ LO1 \"x\" }}\n  assessment AS1 \"A\" {{ kind exam covers LO1 }}\n\n{}{}{}",
        module("M2", "20", ""),
        module("M3", "20", ""),
        PROGRAMME
    );
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert!(!errors.is_empty(), "{}", rendered(&a));
    // The error is reported inside M1 (up to where M2 starts), not at M2.
    let m2 = text.find("module M2").expect("M2");
    assert!(errors.iter().all(|d| (d.span.start()) <= m2), "{}", rendered(&a));
    // M2, M3 and the programme still parse: no cascade.
    assert!(!codes(&a).contains("spec/unknown-reference"), "{}", rendered(&a));
    assert!(a.workspace.module("M2").is_some_and(|m| !m.broken));
    assert!(a.workspace.module("M3").is_some_and(|m| !m.broken));
    insta::assert_snapshot!(rendered(&a));
}

#[test]
fn garbage_between_items() {
    let text = format!(
        "{}@@ stray text ~~\n\n{}{}{}",
        module("M1", "20", ""),
        module("M2", "20", ""),
        module("M3", "20", ""),
        PROGRAMME
    );
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert_eq!(errors.len(), 1, "{}", rendered(&a));
    let start = text.find("@@").expect("garbage");
    assert_eq!(errors[0].span.start(), start, "points at the garbage");
    let stray = at(&text, errors[0]);
    assert!(!stray.is_empty() && "@@ stray text ~~".starts_with(stray), "{stray:?}");
    assert_eq!(codes(&a), BTreeSet::from(["spec/syntax"]), "{}", rendered(&a));
    insta::assert_snapshot!(rendered(&a));
}

#[test]
fn unterminated_string() {
    let text = format!(
        "module M1 \"A\" {{\n  credits 20\n  level 7\n  outcomes {{ LO1 \"never closed }}\n  assessment AS1 \"A\" {{ kind exam covers LO1 }}\n}}\n\n{}{}{}",
        module("M2", "20", ""),
        module("M3", "20", ""),
        PROGRAMME
    );
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert!(!errors.is_empty(), "{}", rendered(&a));
    let m2 = text.find("module M2").expect("M2");
    assert!(errors.iter().all(|d| (d.span.start()) < m2), "{}", rendered(&a));
    assert_eq!(errors[0].message, "this text has no closing `\"`");
    assert_eq!(at(&text, errors[0]), "\"never closed }");
    assert!(a.workspace.module("M1").is_some_and(|m| m.broken));
    assert!(a.workspace.module("M2").is_some_and(|m| !m.broken), "{}", rendered(&a));
    assert!(!codes(&a).contains("spec/unknown-reference"), "{}", rendered(&a));
    insta::assert_snapshot!(rendered(&a));
}

#[test]
fn text_blocks_parse() {
    let text = "module M1 \"A\" {\n  credits 20\n  level 7\n  outcomes {\n    LO1 \"\"\"\n      Design a research project\n      with \"appropriate\" methods\n    \"\"\"\n  }\n  assessment AS1 \"A\" { kind exam covers LO1 }\n}\n";
    let a = analyse(text);
    assert!(spec_diags(&a).is_empty(), "{}", rendered(&a));
    let m = a.workspace.module("M1").expect("M1");
    assert_eq!(m.outcomes.len(), 1);
    assert_eq!(
        m.outcomes[0].text.value,
        "Design a research project\nwith \"appropriate\" methods"
    );
}

fn conformance(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../shared/conformance/{name}", env!("CARGO_MANIFEST_DIR")))
        .expect("conformance file")
}

#[test]
fn crlf_and_bom_input() {
    let lf = conformance("msc-data-science.pspec");
    let crlf = lf.replace('\n', "\r\n");
    assert!(spec_diags(&analyse(&crlf)).is_empty(), "{}", rendered(&analyse(&crlf)));
    let bom = format!("\u{feff}{lf}");
    assert!(spec_diags(&analyse(&bom)).is_empty(), "{}", rendered(&analyse(&bom)));
    let both = format!("\u{feff}{crlf}");
    assert!(spec_diags(&analyse(&both)).is_empty());
    // Spans stay exact with CRLF and a BOM: they point at the token.
    let broken = format!(
        "\u{feff}{}",
        lf.replace("credits 30", "credits thirty")
            .replace("weight 40%", "weight 30%")
            .replace('\n', "\r\n")
    );
    let a = analyse(&broken);
    let errors = syntax_errors(&a);
    assert_eq!(errors.len(), 1, "{}", rendered(&a));
    assert_eq!(at(&broken, errors[0]), "thirty");
    let weights: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "spec/assessment-weights")
        .collect();
    assert_eq!(weights.len(), 1);
    assert_eq!(at(&broken, weights[0]), "60%");
    let (line, col) = a
        .sources
        .get(weights[0].source)
        .expect("source")
        .line_col(weights[0].span.start());
    let lf_line = lf.lines().position(|l| l.contains("weight 60%")).expect("line") + 1;
    assert_eq!((line, col), (lf_line, 12));
}

#[test]
fn broken_item_still_defines_its_code() {
    let programme = PROGRAMME.replace(
        "core M1, M2, M3 semester 1",
        "core M1, M3 semester 1\n    core M2 semester 2",
    );
    let text = format!(
        "{}{}{}{}",
        module("M1", "20", "  weeks ten\n"),
        module("M2", "20", "  requires M1\n"),
        module("M3", "20", ""),
        programme
    );
    let a = analyse(&text);
    assert_eq!(syntax_errors(&a).len(), 1, "{}", rendered(&a));
    assert!(a.workspace.module("M1").is_some_and(|m| m.broken));
    // M2's requirement and the structure resolve to the broken M1: no
    // cascade, and the programme's pathway rules are not evaluated (and
    // spec/not-evaluated says so).
    assert_eq!(
        codes(&a),
        BTreeSet::from(["spec/syntax", "spec/not-evaluated"]),
        "{}",
        rendered(&a)
    );
}

#[test]
fn misspelt_keyword_gets_a_suggestion() {
    let text = format!(
        "{}{}{}{}",
        module("M1", "20", "  requirs M2\n"),
        module("M2", "20", ""),
        module("M3", "20", ""),
        PROGRAMME
    );
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert_eq!(errors.len(), 1, "{}", rendered(&a));
    assert_eq!(at(&text, errors[0]), "requirs");
    let help = errors[0].help.as_deref().unwrap_or("");
    assert!(help.contains("did you mean `requires`"), "help: {help}");
    insta::assert_snapshot!(rendered(&a));
}

/// A random edit of a text: delete, insert, duplicate or swap a range.
fn mutate(text: &str, ops: &[(u8, usize, usize, String)]) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for (op, a, b, ins) in ops {
        if s.is_empty() {
            break;
        }
        let i = a % s.len();
        let j = (i + b % 64).min(s.len());
        match op % 4 {
            0 => {
                s.drain(i..j);
            }
            1 => {
                for (k, c) in ins.chars().enumerate() {
                    s.insert(i + k, c);
                }
            }
            2 => {
                let piece: Vec<char> = s[i..j].to_vec();
                for (k, c) in piece.into_iter().enumerate() {
                    s.insert(j + k, c);
                }
            }
            _ => {
                let piece: Vec<char> = s[i..j].iter().rev().copied().collect();
                s.splice(i..j, piece);
            }
        }
    }
    s.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn analysis_never_panics_on_mutations(
        file in prop::sample::select(vec!["msc-data-science.pspec", "msc-variances.pspec", "msc-violations.pspec", "ntu-online-msc.pspec"]),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), "[{}\"#%,\\-a-z0-9 \\r\\n\u{feff}é]{0,8}"), 1..6),
    ) {
        let text = mutate(&conformance(file), &ops);
        let a = analyse(&text);
        // Deterministic: a second run gives the same diagnostics in the same order.
        prop_assert_eq!(&analyse(&text).diagnostics, &a.diagnostics);
        for d in &a.diagnostics {
            // Spans are inside the text, and every diagnostic renders.
            let src = a.sources.get(d.source).expect("source");
            prop_assert!(d.span.end() <= src.text.len());
            prop_assert!(!render_one(d, &a.sources, false).is_empty());
            prop_assert!(!d.message.is_empty());
        }
    }
}

#[test]
fn misspelt_item_keyword_gets_a_suggestion() {
    let text = format!(
        "modul M0 \"A\" {{\n  credits 20\n  level 7\n}}\n\n{}",
        module("M1", "20", "")
    );
    let a = analyse(&text);
    let errors = syntax_errors(&a);
    assert_eq!(errors.len(), 1, "{}", rendered(&a));
    assert_eq!(at(&text, errors[0]), "modul");
    let help = errors[0].help.as_deref().unwrap_or("");
    assert!(help.starts_with("did you mean `module`?"), "help: {help}");
    assert!(a.workspace.module("M1").is_some_and(|m| !m.broken));
}

#[test]
fn text_blocks_with_crlf() {
    let text = "module M1 \"A\" {\r\n  credits 20\r\n  level 7\r\n  outcomes {\r\n    LO1 \"\"\"\r\n      Design a research project\r\n      with appropriate methods\r\n    \"\"\"\r\n  }\r\n  assessment AS1 \"A\" { kind exam covers LO1 }\r\n}\r\n";
    let a = analyse(text);
    assert!(spec_diags(&a).is_empty(), "{}", rendered(&a));
    let m = a.workspace.module("M1").expect("M1");
    assert_eq!(
        m.outcomes[0].text.value,
        "Design a research project\nwith appropriate methods"
    );
}
