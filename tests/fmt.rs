//! The canonical formatter: snapshots of the fixtures under
//! `tests/fixtures/fmt/`, and, for every fixture and every conformance case,
//! idempotence, an unchanged model and surviving comments.

mod support;

use std::path::Path;

use spec::fmt::{format, format_file, FormatError};
use spec::syntax::parse;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fmt");
const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");

use support::pspec_files;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

// ------------------------------------------------------------------ oracles

/// The tree of a text without spans: an oracle independent of
/// `spec::fmt::syntax_fingerprint`. Rule bodies are compared with per-line
/// surrounding whitespace and blank lines ignored (the formatter re-indents
/// them).
fn model(text: &str) -> String {
    let file = parse(text);
    assert!(file.errors.is_empty(), "unexpected syntax errors: {:#?}", file.errors);
    let mut items = file.items.clone();
    for item in &mut items {
        if let spec::syntax::ast::Item::Programme(p) = item {
            for prop in &mut p.props {
                if let spec::syntax::ast::ProgrammeKind::Rule { body, .. } = &mut prop.kind {
                    body.value = body
                        .value
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n")
                        .into();
                }
            }
        }
    }
    // `{:#?}` prints each span as a `Span {`, `start: N,`, `end: N,`, `}`
    // run of lines; drop those runs.
    let pretty = format!("{items:#?}");
    let mut out = Vec::new();
    let mut lines = pretty.lines().peekable();
    while let Some(l) = lines.next() {
        if l.trim_end().ends_with("Span {") && lines.peek().is_some_and(|n| n.trim_start().starts_with("start: ")) {
            for n in lines.by_ref() {
                if n.trim() == "}," || n.trim() == "}" {
                    break;
                }
            }
            out.push(format!("{}_", l.trim_end().trim_end_matches("Span {")));
            continue;
        }
        out.push(l.to_string());
    }
    out.join("\n")
}

fn comments(text: &str) -> Vec<String> {
    parse(text)
        .comments
        .iter()
        .map(|c| c.text.trim_end().to_string())
        .collect()
}

/// Everything that must hold of a formatted text.
fn check_layout(name: &str, out: &str) {
    if out.is_empty() {
        return;
    }
    assert!(
        out.ends_with('\n') && !out.ends_with("\n\n"),
        "{name}: must end with exactly one newline"
    );
    assert!(!out.contains('\r'), "{name}: CR in output");
    assert!(!out.starts_with('\n'), "{name}: leading blank line");
    assert!(!out.contains("\n\n\n"), "{name}: two blank lines in a row");
    for (i, l) in out.lines().enumerate() {
        assert!(
            !l.ends_with([' ', '\t']),
            "{name}:{}: trailing whitespace: {l:?}",
            i + 1
        );
        let indent = l.len() - l.trim_start_matches(' ').len();
        assert!(
            !l.trim_start_matches(' ').starts_with('\t'),
            "{name}:{}: tab indentation",
            i + 1
        );
        assert!(indent % 2 == 0, "{name}:{}: odd indentation: {l:?}", i + 1);
    }
}

/// Formats `text` and checks idempotence, the model and the comments.
fn check_roundtrip(name: &str, text: &str) -> String {
    let out = check_roundtrip_verbatim(name, text);
    check_layout(name, &out);
    out
}

/// [`check_roundtrip`] without the layout checks, for texts whose rule
/// bodies are kept byte for byte.
fn check_roundtrip_verbatim(name: &str, text: &str) -> String {
    let out = format(text).unwrap_or_else(|e| panic!("{name}: not formatted: {e}"));
    let again = format(&out).unwrap_or_else(|e| panic!("{name}: formatted text not formatted again: {e}"));
    assert_eq!(again, out, "{name}: formatting is not idempotent");
    assert_eq!(model(&out), model(text), "{name}: formatting changed the model");
    assert_eq!(
        comments(&out),
        comments(text),
        "{name}: a comment was lost or moved out of order"
    );
    for c in comments(text) {
        assert!(out.contains(&c), "{name}: comment {c:?} missing");
    }
    // format_file on the parsed file is what `format` returns.
    assert_eq!(
        format_file(&parse(text), text),
        out,
        "{name}: format_file differs from format"
    );
    out
}

// ------------------------------------------------------------------ snapshots

fn snapshot(stem: &str) {
    let path = Path::new(FIXTURES).join(format!("{stem}.pspec"));
    let text = read(&path);
    let out = check_roundtrip(stem, &text);
    insta::with_settings!({
        snapshot_path => "fixtures/fmt/snapshots",
        prepend_module_to_snapshot => false,
        description => format!("spec fmt tests/fixtures/fmt/{stem}.pspec"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(stem, out);
    });
}

macro_rules! snapshots {
    ($($test:ident => $stem:literal,)*) => {
        $( #[test] fn $test() { snapshot($stem); } )*
        const SNAPSHOTTED: &[&str] = &[$($stem),*];
    };
}

snapshots! {
    snapshot_all_properties => "all-properties",
    snapshot_comments => "comments",
    snapshot_compact => "compact",
    snapshot_crlf => "crlf",
    snapshot_messy => "messy",
    snapshot_rule_bodies => "rule-bodies",
    snapshot_textblocks => "textblocks",
    snapshot_edge_comments => "edge-comments",
}

#[test]
fn every_fixture_has_a_snapshot_test() {
    let stems: Vec<String> = pspec_files(FIXTURES)
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    let mut expected: Vec<String> = SNAPSHOTTED.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(stems, expected);
}

// ------------------------------------------------------------------ corpus properties

#[test]
fn conformance_cases_are_stable() {
    let files = pspec_files(CONFORMANCE);
    assert!(!files.is_empty(), "no conformance cases in {CONFORMANCE}");
    for f in files {
        let text = read(&f);
        check_roundtrip(&f.display().to_string(), &text);
    }
}

#[test]
fn fixtures_are_stable_as_crlf_and_with_bom() {
    for f in pspec_files(FIXTURES) {
        let text = read(&f);
        let name = f.display().to_string();
        let out = check_roundtrip(&name, &text);
        let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(
            check_roundtrip(&format!("{name} (CRLF)"), &crlf),
            out,
            "{name}: CRLF input formats differently"
        );
        let bom = format!("\u{FEFF}{text}");
        if parse(&bom).errors.is_empty() {
            assert_eq!(
                check_roundtrip(&format!("{name} (BOM)"), &bom),
                out,
                "{name}: BOM input formats differently"
            );
        }
    }
}

#[test]
fn formatted_output_is_a_fixpoint_of_its_own_snapshot() {
    // The committed snapshots are canonical text: formatting them changes nothing.
    let dir = Path::new(FIXTURES).join("snapshots");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let snap = read(&e.path());
        // The snapshot body follows the `---` closing the front matter.
        let Some((_, body)) = snap.split_once("\n---\n") else {
            continue;
        };
        let body = body.trim_end_matches('\n').to_string() + "\n";
        assert_eq!(
            format(&body).as_deref().ok(),
            Some(body.as_str()),
            "{}",
            e.path().display()
        );
    }
}

// ------------------------------------------------------------------ refusals

#[test]
fn refuses_text_with_syntax_errors() {
    let text = "module 7001DS \"Research\" {\n  credits ten\n  level 7\n}\n";
    let err = format(text).expect_err("syntax errors must be refused");
    match &err {
        FormatError::Syntax(errors) => {
            assert!(!errors.is_empty());
            assert!(errors[0].message.contains("expected"), "{:?}", errors[0]);
        }
        other => panic!("expected FormatError::Syntax, got {other:?}"),
    }
    assert!(!err.errors().is_empty());
    assert!(err.to_string().contains("syntax error"), "{err}");

    for bad in [
        "module X \"T\" {",
        "stray text\nmodule X \"T\" { credits 10 }",
        "module X \"T\" { credits 10 } }",
        "programme P \"P\" { structure { core A semester } }",
        "module X \"bad \\q escape\" { credits 10 }",
        "module X \"unterminated { credits 10 }",
    ] {
        assert!(
            matches!(format(bad), Err(FormatError::Syntax(e)) if !e.is_empty()),
            "{bad:?}"
        );
    }
}

// ------------------------------------------------------------------ specific behaviour

fn fmt(text: &str) -> String {
    check_roundtrip(&format!("{text:?}"), text)
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("  \n\n\t\n"), "");
    assert_eq!(fmt("# only a comment"), "# only a comment\n");
    assert_eq!(fmt("\n\n# a   \n\n\n\n# b\n\n"), "# a\n\n# b\n");
}

#[test]
fn compact_blocks_are_expanded() {
    assert_eq!(
        fmt("module M \"T\" { outcomes { LO1 \"x\" } assessment AS1 \"Plan\" { kind coursework weight 100% covers LO1 } }"),
        "module M \"T\" {\n  outcomes {\n    LO1 \"x\"\n  }\n  assessment AS1 \"Plan\" {\n    kind coursework\n    weight 100%\n    covers LO1\n  }\n}\n"
    );
}

#[test]
fn trailing_comments_get_one_space_and_stay_on_their_line() {
    assert_eq!(
        fmt("module M \"T\" {\n  credits 15                      # PG.A4.2\n  level 7\n}"),
        "module M \"T\" {\n  credits 15 # PG.A4.2\n  level 7\n}\n"
    );
}

#[test]
fn comments_in_compact_blocks_survive_expansion() {
    assert_eq!(
        fmt("module M \"T\" { outcomes { LO1 \"x\" # first\n LO2 \"y\" } # after\n}"),
        "module M \"T\" {\n  outcomes {\n    LO1 \"x\" # first\n    LO2 \"y\"\n  } # after\n}\n"
    );
}

#[test]
fn comments_before_a_closing_brace_stay_inside_the_block() {
    assert_eq!(
        fmt("module M \"T\" {\n  outcomes {\n    LO1 \"x\"\n# end of outcomes\n  }\n    # end of module\n}\n"),
        "module M \"T\" {\n  outcomes {\n    LO1 \"x\"\n    # end of outcomes\n  }\n  # end of module\n}\n"
    );
}

#[test]
fn blank_lines_collapse_and_items_are_separated_by_one() {
    assert_eq!(
        fmt("module A \"A\" {\n\n\n  credits 10\n\n\n\n  level 7\n\n}\nmodule B \"B\" {\n  credits 20\n}\n\n\n\nmodule C \"C\" {\n  credits 30\n}"),
        "module A \"A\" {\n  credits 10\n\n  level 7\n}\n\nmodule B \"B\" {\n  credits 20\n}\n\nmodule C \"C\" {\n  credits 30\n}\n"
    );
}

#[test]
fn a_comment_right_before_an_item_stays_attached() {
    assert_eq!(
        fmt("module A \"A\" {\n  credits 10\n}\n# About B\nmodule B \"B\" {\n  credits 20\n}\n"),
        "module A \"A\" {\n  credits 10\n}\n\n# About B\nmodule B \"B\" {\n  credits 20\n}\n"
    );
}

#[test]
fn strings_are_escaped_canonically() {
    assert_eq!(
        fmt("programme P \"Tab\\there \\\"q\\\" back\\\\slash new\\nline\" { language \"Eng\tlish\" }"),
        "programme P \"Tab\\there \\\"q\\\" back\\\\slash new\\nline\" {\n  language \"Eng\\tlish\"\n}\n"
    );
}

#[test]
fn numbers_lose_leading_zeros() {
    assert_eq!(
        fmt("module M \"T\" { credits 010 level 07 assessment A \"a\" { weight 0100% } }"),
        "module M \"T\" {\n  credits 10\n  level 7\n  assessment A \"a\" {\n    weight 100%\n  }\n}\n"
    );
}

#[test]
fn text_blocks_get_a_canonical_indentation() {
    let out = fmt("module M \"T\" {\n outcomes {\n LO1 \"\"\"\n\t\t   one\n\t\t     two\n\t\t   \"\"\"\n }\n}\n");
    assert_eq!(
        out,
        "module M \"T\" {\n  outcomes {\n    LO1 \"\"\"\n      one\n        two\n    \"\"\"\n  }\n}\n"
    );
    // One-line text blocks stay on one line.
    assert_eq!(fmt("module M \"\"\"\n   T\n\"\"\" { }"), "module M \"\"\"T\"\"\" {}\n");
    // An empty text block.
    assert_eq!(fmt("module M \"\"\"  \"\"\" { }"), "module M \"\"\"\"\"\" {}\n");
}

#[test]
fn text_blocks_that_cannot_be_written_without_trailing_space_become_strings() {
    // The middle line holds two spaces after dedent.
    let text = "module M \"T\" { outcomes { LO1 \"\"\"\n  a\n    \n  b\n  \"\"\" } }";
    let out = fmt(text);
    assert!(out.contains("LO1 \"a\\n  \\nb\""), "{out}");
}

#[test]
fn empty_blocks_print_on_one_line_unless_they_hold_a_comment() {
    assert_eq!(
        fmt("programme P \"P\" { attendance { } engagement {\n # later\n } rpl { } # none\n}"),
        "programme P \"P\" {\n  attendance {}\n  engagement {\n    # later\n  }\n  rpl {} # none\n}\n"
    );
}

#[test]
fn property_order_is_kept() {
    assert_eq!(
        fmt("module M \"T\" { level 7 credits 10 requires B, A }"),
        "module M \"T\" {\n  level 7\n  credits 10\n  requires B, A\n}\n"
    );
}

#[test]
fn rule_bodies_keep_their_text() {
    assert_eq!(
        fmt("programme P \"P\" {\n        rule X.1/y {   require  a  }\n}"),
        "programme P \"P\" {\n  rule X.1/y { require  a }\n}\n"
    );
    assert_eq!(
        fmt("programme P \"P\" { rule X.1/y {} }"),
        "programme P \"P\" {\n  rule X.1/y {}\n}\n"
    );
    assert_eq!(
        fmt("programme P \"P\" {\nrule X.1/y {\n        a {\n          b\n        }\n\n\n        c }\n}"),
        "programme P \"P\" {\n  rule X.1/y {\n    a {\n      b\n    }\n\n    c\n  }\n}\n"
    );
    // A multi-line text block inside a body: the body is kept byte for byte.
    let text =
        "programme P \"P\" {\n      rule X.1/y {\n      message \"\"\"\n         keep   \n       this\"\"\"\n   }\n}\n";
    let out = check_roundtrip_verbatim("text block in a rule", text);
    assert!(
        out.contains("rule X.1/y {\n      message \"\"\"\n         keep   \n       this\"\"\"\n   }"),
        "{out}"
    );
}

#[test]
fn comments_inside_a_multi_line_property_go_before_it() {
    assert_eq!(
        fmt("module M \"T\" {\n  requires A, # one\n    B, # two\n    C\n  level 7\n}"),
        "module M \"T\" {\n  # one\n  # two\n  requires A, B, C\n  level 7\n}\n"
    );
    assert_eq!(
        fmt("module M \"T\" {\n  requires A, # one\n    # two\n    B # three\n}"),
        "module M \"T\" {\n  # one\n  # two\n  requires A, B # three\n}\n"
    );
}

/// Issue 8: a stray CR before a line break inside a rule body with a text
/// block. The first pass used to turn `"""\r\r\n` into `"""\r\n`, which the
/// second pass changed again (`fmt` then `fmt --check` exited 1).
#[test]
fn stray_carriage_returns_in_a_rule_body_format_once() {
    for text in [
        "programme P \"P\" {\n  rule X.1/y {\n    message \"\"\"\r\r\n      x\r\n      \"\"\"\n  }\n}\n",
        "programme P \"P\" {\r\r\n  rule X.1/y {\r\r\r\n    require true\r\r\n    message \"\"\"\r\r\n x\r\r\r\n \"\"\"\r\n  }\r\n}\r\n",
        "programme P \"P\" { rule X.1/y { require\rtrue message \"\"\"\r\r\n\"\"\" } }",
    ] {
        // Formats twice and compares (and the model, and the comments).
        let once = check_roundtrip_verbatim(&format!("{text:?}"), text);
        assert!(!once.contains("\r\n"), "{once:?}");
    }
}
