//! Input limits (issue 8, D54-D56): every nesting construct stops at the
//! documented depth with `spec/syntax` / `policy/syntax` at the first token
//! too deep while the rest of the file is still checked, and a line of any
//! length renders in every format without a panic. The inputs are generated
//! here (the reproducers of `shared/reliability/make.py`), never committed.

mod support;

use spec::analysis::{Analysis, Options};
use spec::syntax::parser::MAX_NESTING;

/// As `deep.pspec`, the name the rendered output is checked for.
fn analyse(text: &str) -> Analysis {
    support::analyse_as("deep.pspec", text, &Options::default())
}

const MODULE: &str = "module 7001AA \"Methods\" { credits 20 level 7 outcomes { LO1 \"a\" } assessment AS1 \"A\" { kind coursework covers LO1 } }\n";

/// A programme whose rule body nests `n` braces, then a module with an
/// unknown requirement (to show the rest of the file is still checked).
fn deep_rule(n: usize) -> String {
    format!(
        "{MODULE}programme P1 \"P\" {{ award PGCert framework ljmu-pgt-2022 credits 60\n  rule P1.1/deep {{ {}{} require true message \"x\" }}\n  structure {{ core 7001AA semester 1 }}\n}}\nmodule 7002AA \"Later\" {{ credits 20 level 7 requires NOPE outcomes {{ LO1 \"a\" }} assessment AS1 \"A\" {{ kind coursework covers LO1 }} }}\n",
        "{".repeat(n),
        "}".repeat(n)
    )
}

fn too_deep(a: &Analysis) -> Vec<&spec::diag::Diagnostic> {
    a.diagnostics
        .iter()
        .filter(|d| d.message.contains("nests too deeply"))
        .collect()
}

#[test]
fn braces_in_a_rule_body_stop_at_the_limit_and_the_rest_is_checked() {
    let text = deep_rule(100_000);
    let a = analyse(&text);
    let deep = too_deep(&a);
    assert_eq!(deep.len(), 1, "{:#?}", a.diagnostics);
    let d = deep[0];
    assert_eq!(d.code, "spec/syntax");
    // The programme's own `{` and the rule's `{` count: the first brace too
    // deep is number MAX_NESTING + 1 counted from the programme's.
    let body = text.find("P1.1/deep {").unwrap() + "P1.1/deep ".len();
    let first = body + 1 + (MAX_NESTING - 2) + 1;
    assert_eq!(d.span.start(), first, "{d:?}");
    assert_eq!(&text[d.span.range()], "{");
    // The half-read rule is not evaluated (no policy diagnostic of it), the
    // rest of the file is: the later module's unknown requirement.
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.code == "spec/unknown-reference" && text[d.span.range()] == *"NOPE"),
        "{:#?}",
        a.diagnostics
    );
    assert!(
        !a.diagnostics.iter().any(|d| d.code.starts_with("policy/")),
        "{:#?}",
        a.diagnostics
    );
}

#[test]
fn braces_at_the_limit_are_read() {
    // Programme brace + rule brace + (MAX_NESTING - 2) = MAX_NESTING: allowed.
    let a = analyse(&deep_rule(MAX_NESTING - 2));
    assert!(too_deep(&a).is_empty(), "{:#?}", a.diagnostics);
    let a = analyse(&deep_rule(MAX_NESTING - 1));
    assert_eq!(too_deep(&a).len(), 1, "{:#?}", a.diagnostics);
}

#[test]
fn braces_in_strings_and_comments_do_not_count() {
    let n = 200;
    let text = format!(
        "programme P1 \"P{}\" {{ award PGCert framework ljmu-pgt-2022 credits 60\n  # {}\n  language \"\"\"{}\"\"\"\n}}\n",
        "{".repeat(n),
        "{".repeat(n),
        "{".repeat(n)
    );
    let a = analyse(&text);
    assert!(too_deep(&a).is_empty(), "{:#?}", a.diagnostics);
}

#[test]
fn deep_braces_in_a_module_block_are_one_error() {
    let text = format!(
        "module 7001AA \"Methods\" {{ credits 20 level 7 outcomes {{ {}{} LO1 \"a\" }} }}\n{MODULE}",
        "{".repeat(50_000),
        "}".repeat(50_000)
    );
    let a = analyse(&text);
    let deep = too_deep(&a);
    assert_eq!(deep.len(), 1, "{:#?}", a.diagnostics);
    assert_eq!(deep[0].code, "spec/syntax");
}

#[test]
fn unclosed_deep_braces_end_at_the_next_item() {
    let text = format!(
        "programme P1 \"P\" {{ rule R {{ {}\nmodule 7002AA \"Later\" {{ credits 20 level 7 requires NOPE outcomes {{ LO1 \"a\" }} assessment AS1 \"A\" {{ kind coursework covers LO1 }} }}\n",
        "{".repeat(100_000)
    );
    let a = analyse(&text);
    assert_eq!(too_deep(&a).len(), 1, "{:#?}", a.diagnostics);
    assert!(a.diagnostics.iter().any(|d| d.code == "spec/unknown-reference"));
}

#[test]
fn long_operator_and_field_chains_stop_at_the_expression_depth_limit() {
    use spec::policy::syntax::{parse_pack, MAX_EXPR_DEPTH};
    let n = 200_000;
    for (what, expr) in [
        ("plus", format!("1{}", " + 1".repeat(n))),
        ("and", format!("true{}", " and true".repeat(n))),
        ("fields", format!("programme{}", ".x".repeat(n))),
    ] {
        let text = format!("framework fz \"x\"\nconst a = {expr}\nconst b = c +\n");
        let pack = parse_pack(&text);
        let deep: Vec<_> = pack
            .errors
            .iter()
            .filter(|e| e.message.contains("nests too deeply"))
            .collect();
        assert_eq!(deep.len(), 1, "{what}: {:?}", pack.errors);
        // At an operator of the first line, far before its end, not at its start.
        let at = deep[0].span.start();
        assert!(
            at > 1000 && at < text.find('\n').unwrap() + 2 * MAX_EXPR_DEPTH * 8,
            "{what}: {at}"
        );
        // The rest of the file is still read: the broken `const b` is reported too.
        assert!(pack.errors.len() >= 2, "{what}: {:?}", pack.errors);
    }
    // A chain within the limit builds without an error.
    let text = format!("framework fz \"x\"\nconst a = 1{}\n", " + 1".repeat(MAX_EXPR_DEPTH / 2));
    assert!(parse_pack(&text).errors.is_empty());
}

/// A pspec with an error at column 10,000,000 (make.py's `long-line.pspec`):
/// every renderer shows it without a panic, and quotes a bounded window.
#[test]
fn a_diagnostic_past_column_65535_renders_in_every_format() {
    let long = "x".repeat(10_000_000);
    let text = format!(
        "module 7001AA \"Methods\" {{ credits 15 level 9 outcomes {{ LO1 \"{long}\" }} assessment AS1 \"A\" {{ kind essay weight 120% covers LO1 }} }}\n"
    );
    let a = analyse(&text);
    assert!(a.diagnostics.len() >= 3, "{:#?}", a.diagnostics);
    let human = spec::render::human::render(&a, false);
    assert!(
        human.contains("deep.pspec:1:10000092"),
        "{}",
        &human[..human.len().min(3000)]
    );
    assert!(human.contains("kind essay"), "the window shows the span");
    let json = spec::render::json::render(&a);
    let sarif = spec::render::sarif::render(&a);
    let github = spec::render::github::render(&a);
    for (name, out) in [
        ("human", &human),
        ("json", &json),
        ("sarif", &sarif),
        ("github", &github),
    ] {
        assert!(out.len() < 100_000, "{name}: {} bytes", out.len());
    }
    // A label over the whole 10 MB line is quoted as a window, not copied.
    let mut d = a.diagnostics[0].clone();
    d.span = spec::span::Span::new(0, text.len());
    let one = spec::render::human::render_one(&d, &a.sources, false);
    assert!(one.len() < 10_000, "{} bytes", one.len());
}
