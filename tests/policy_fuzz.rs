//! The policy parser, compiler and evaluator never panic and never recurse
//! without bound, whatever the text: random policy-like text, mutations of
//! the real LJMU pack (compiled and, when they compile, evaluated), and
//! absurdly nested programme rules.

use std::sync::Arc;

use proptest::prelude::*;
use spec::analysis::{analyze, Input, Options, PolicyInput};
use spec::policy::compile::{compile, PackFile};
use spec::policy::embedded_files;

const LJMU: &str = include_str!("../policies/ljmu-pgt-2022.policy");
const CONFORMANCE: &str = include_str!("../../shared/conformance/msc-violations.pspec");

fn compile_text(text: &str) -> usize {
    let mut packs = embedded_files();
    packs.push(PackFile {
        name: "fuzz.policy".into(),
        path: None,
        text: text.into(),
        embedded: false,
    });
    compile(packs).errors.len()
}

/// The text alone (its includes and extends are then unknown names).
fn compile_alone(text: &str) -> usize {
    compile(vec![PackFile {
        name: "fuzz.policy".into(),
        path: None,
        text: text.into(),
        embedded: false,
    }])
    .errors
    .len()
}

fn token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "rule",
        "for",
        "in",
        "when",
        "require",
        "at",
        "message",
        "label",
        "help",
        "let",
        "all",
        "any",
        "sum(",
        "count(",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        ",",
        ".",
        "==",
        "<=",
        "and",
        "or",
        "not",
        "if",
        "then",
        "else",
        "m",
        "p",
        "programme",
        "modules",
        "pathways",
        "credits",
        "\"",
        "\"\"\"",
        "#",
        "\n",
        "1",
        "2024-01-01",
        "3 weeks",
        "..",
        "-",
        "*",
        "/",
        "%",
        "extend ljmu-pgt-2022\n",
        "framework f\n",
        "const x = ",
        "award A { credits 1..2 }",
        "reach(",
        "abs(",
        "{m.code}",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn random_policy_text_compiles_or_reports(tokens in prop::collection::vec(token(), 0..80)) {
        let text = tokens.join(" ");
        let _ = compile_alone(&text);
        let _ = compile_alone(&format!("framework f \"F\"\n{text}"));
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,300}") {
        let _ = compile_alone(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// A mutated copy of the LJMU pack, as a framework of its own: it either
    /// fails to compile (exit 2) or is evaluated over a conformance case.
    #[test]
    fn mutated_ljmu_pack_compiles_or_reports_and_evaluates(start in 0usize..60_000, len in 0usize..200, insert in token()) {
        let base = LJMU.replace("framework ljmu-pgt-2022", "framework fuzz-2022").replace("rule PG.", "rule FZ.").replace("criterion-rule PG.", "criterion-rule FZ.");
        let mut s = start % base.len().max(1);
        while !base.is_char_boundary(s) { s -= 1; }
        let mut e = (s + len).min(base.len());
        while !base.is_char_boundary(e) { e -= 1; }
        let mutated = format!("{}{}{}", &base[..s], insert, &base[e..]);
        let policy = PolicyInput { name: "fuzz.policy".into(), path: None, text: Arc::from(mutated.as_str()) };
        let options = Options { framework: Some("fuzz-2022".into()), policies: vec![policy], ..Options::default() };
        let input = Input { name: "c.pspec".into(), path: None, text: Arc::from(CONFORMANCE), primary: true };
        let a = analyze(vec![input], &options);
        if !a.policy_failed {
            // every diagnostic is located inside its source
            for d in &a.diagnostics {
                let len = a.sources.get(d.source).map(|s| s.text.len()).unwrap_or(0);
                prop_assert!(d.span.end() <= len && d.span.start() <= d.span.end());
            }
        }
    }
}

#[test]
fn the_unmutated_copy_compiles() {
    let base = LJMU
        .replace("framework ljmu-pgt-2022", "framework fuzz-2022")
        .replace("rule PG.", "rule FZ.")
        .replace("criterion-rule PG.", "criterion-rule FZ.");
    assert_eq!(compile_text(&base), 0);
}

#[test]
fn absurd_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}1{}", "(".repeat(20_000), ")".repeat(20_000));
    let nots = "not ".repeat(20_000);
    let pol = format!("extend ljmu-pgt-2022\nrule X/y {{ clause X \"t\" require {deep} == 1 message \"m\" }}\nrule X/z {{ clause X \"t\" require {nots} true message \"m\" }}\n");
    let mut packs = embedded_files();
    packs.push(PackFile {
        name: "deep.policy".into(),
        path: None,
        text: pol.as_str().into(),
        embedded: false,
    });
    let set = compile(packs);
    assert_eq!(
        set.errors
            .iter()
            .filter(|e| e.message.contains("nests too deeply"))
            .count(),
        2,
        "{:?}",
        set.errors
    );

    let spec = format!(
        "module A \"a\" {{ credits 20 level 7 outcomes {{ LO1 \"x\" }} assessment AS1 \"t\" {{ kind coursework covers LO1 }} }}\n\
         programme P \"p\" {{ award CPD framework ljmu-pgt-2022 credits 20 structure {{ core A semester 1 }}\n\
         rule P/deep {{ require {deep} == 1 message \"m\" }} }}\n"
    );
    let input = Input {
        name: "deep.pspec".into(),
        path: None,
        text: Arc::from(spec.as_str()),
        primary: true,
    };
    let a = analyze(vec![input], &Options::default());
    assert!(a
        .diagnostics
        .iter()
        .any(|d| d.code == "policy/syntax" && d.message.contains("nests too deeply")));
}
