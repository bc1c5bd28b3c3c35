//! Property tests of the parser and the formatter.
//!
//! (a) The parser never panics: on arbitrary strings, on token soup, and on
//!     random edits of the conformance cases and formatter fixtures.
//! (b) Whenever such a text parses without errors, formatting it succeeds,
//!     is idempotent, keeps the model (the tree without spans) and keeps
//!     every comment, in order.
//!
//! Case counts are modest so that the suite stays quick on a small machine;
//! raise them with `PROPTEST_CASES`.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use spec::fmt::{comment_texts, format, format_file, syntax_fingerprint};
use spec::syntax::parse;

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fmt");

/// The conformance cases and the formatter fixtures.
fn corpus() -> &'static [String] {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut texts = Vec::new();
        for dir in [CONFORMANCE, FIXTURES] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pspec"))
                .collect();
            paths.sort();
            texts.extend(paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()));
        }
        assert!(!texts.is_empty(), "no corpus files found");
        texts
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        // Shrinking a failing edit list is cheap; keep it bounded anyway.
        max_shrink_iters: 2048,
        // Failing cases found so far are replayed first on every run.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/fmt/fmt_props.proptest-regressions"
        )))),
        ..ProptestConfig::default()
    }
}

/// Checks (b) for a text that parses without errors.
fn check_formatting(text: &str) -> Result<(), TestCaseError> {
    let file = parse(text);
    if !file.errors.is_empty() || item_word_starts_a_line(&file) {
        return Ok(());
    }
    let out = match format(text) {
        Ok(out) => out,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "clean text not formatted: {e}\n--- text:\n{text}"
            )))
        }
    };
    prop_assert_eq!(&format_file(&file, text), &out);
    let reparsed = parse(&out);
    prop_assert!(
        reparsed.errors.is_empty(),
        "output has syntax errors: {:?}\n{}",
        reparsed.errors,
        out
    );
    prop_assert_eq!(
        syntax_fingerprint(&reparsed),
        syntax_fingerprint(&file),
        "model changed\n--- in:\n{}\n--- out:\n{}",
        text,
        out
    );
    prop_assert_eq!(
        comment_texts(&reparsed),
        comment_texts(&file),
        "comments changed\n--- in:\n{}\n--- out:\n{}",
        text,
        out
    );
    let again = format(&out).map_err(|e| TestCaseError::fail(format!("output not formatted: {e}\n{out}")))?;
    prop_assert_eq!(&again, &out, "not idempotent\n--- in:\n{}", text);
    prop_assert!(out.is_empty() || (out.ends_with('\n') && !out.ends_with("\n\n")));
    prop_assert!(!out.contains("\r\n"));
    Ok(())
}

/// Known limitation of the parser's item scanner: the word `module` or
/// `programme` at the start of a line always starts a new item. The
/// canonical layout starts a line with an outcome code and with each module
/// code of a block-form `core`/`option`, so a code spelled like that cannot
/// be formatted; `format` then refuses (its self-check), which is what
/// `refuses_rather_than_breaking_a_file` below checks.
fn item_word_starts_a_line(file: &spec::syntax::ast::SourceFile) -> bool {
    use spec::syntax::ast::*;
    fn bad(code: &str) -> bool {
        code == "module" || code == "programme"
    }
    fn line_bad(l: &StructureLine) -> bool {
        match l {
            StructureLine::Core(g) | StructureLine::Option { group: g, .. } => {
                g.block && g.entries.iter().any(|e| bad(&e.code.value))
            }
            StructureLine::Stage { lines, .. } => lines.iter().any(line_bad),
        }
    }
    file.items.iter().any(|item| match item {
        Item::Module(m) => m.props.iter().any(|p| match &p.kind {
            ModuleKind::Outcomes { outcomes, .. } => outcomes.iter().any(|o| bad(&o.code.value)),
            _ => false,
        }),
        Item::Programme(p) => p.props.iter().any(|p| match &p.kind {
            ProgrammeKind::Structure(b) => b.items.iter().any(line_bad),
            _ => false,
        }),
    })
}

#[test]
fn a_code_spelled_module_in_a_block_is_not_an_item() {
    let text = "programme P \"P\" { structure { core { A semester 1 module } } }\n";
    let file = parse(text);
    assert!(file.errors.is_empty(), "{:?}", file.errors);
    assert!(item_word_starts_a_line(&file));
    // A code spelled `module` inside a block is not an item start (the
    // scanner only takes item keywords at depth 0 or column 1), so the
    // formatted file parses to the same tree.
    let once = format(text).expect("formats");
    assert_eq!(format(&once).expect("formats again"), once);
}

// ------------------------------------------------------------------ edits

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, String),
    Delete(usize, usize),
    Replace(usize, String),
}

/// Fragments that matter to the grammar, plus arbitrary characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "{",
            "}",
            "\"",
            "\"\"\"",
            "#",
            "# note\n",
            "\n",
            "\n\n",
            " ",
            ",",
            "-",
            "%",
            "\\",
            "\r\n",
            "\t",
            "module",
            "programme",
            "é",
            "\u{FEFF}",
            "\u{00A0}",
            "0",
            "9",
            "semester 1",
            "year-long",
            "{}",
            "\"x\"",
            "\"\"\"\n  a\n  \"\"\"",
        ])
        .prop_map(str::to_string),
        "[a-z0-9]{1,4}",
        any::<char>().prop_map(String::from),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), piece()).prop_map(|(p, s)| Edit::Insert(p, s)),
        (any::<usize>(), 1usize..12).prop_map(|(p, n)| Edit::Delete(p, n)),
        (any::<usize>(), piece()).prop_map(|(p, s)| Edit::Replace(p, s)),
    ]
}

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for e in edits {
        let at = |p: usize, s: &str| char_floor(s, p % (s.len() + 1));
        match e {
            Edit::Insert(p, piece) => {
                let i = at(*p, &s);
                s.insert_str(i, piece);
            }
            Edit::Delete(p, n) => {
                let i = at(*p, &s);
                let j = char_floor(&s, i + n);
                s.replace_range(i..j, "");
            }
            Edit::Replace(p, piece) => {
                let i = at(*p, &s);
                let j = s[i..].chars().next().map_or(i, |c| i + c.len_utf8());
                s.replace_range(i..j, piece);
            }
        }
    }
    s
}

// ------------------------------------------------------------------ layout shuffles

/// Whitespace a run between two tokens may become. Each holds a line break
/// except the first few; comments end with one.
const RUNS: &[&str] = &[
    " ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r\n",
    "\n      ",
    " # trailing note\n",
    "\n# own-line note\n",
    "\n\n  # after a blank line\n\n",
    " # a\n  # b\n",
];
const NEWLINE_RUNS: usize = 3; // RUNS[3..] hold a line break

/// Replaces every run of whitespace between tokens (outside strings, text
/// blocks and comments) with one of [`RUNS`]: a new layout, and new
/// comments, for the same tokens.
fn reshuffle(text: &str, choices: &[usize]) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() * 2);
    let mut i = 0;
    let mut k = 0;
    let mut after_comment = false;
    let mut copy_from = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                let s = i;
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
                    i += 1;
                }
                out.push_str(&text[copy_from..s]);
                copy_from = i;
                // A run after a comment needs a line break. Before the word
                // `module` or `programme`, a line break starts a new item (the
                // parser's item scanner looks for them at the start of a
                // line, even inside a rule body), so keep the run's kind.
                let rest = &text[i..];
                let had_newline = text[s..i].contains('\n');
                let before_item_word = rest.starts_with("module") || rest.starts_with("programme");
                let needs_newline = after_comment || (before_item_word && had_newline) || i == b.len();
                let c = choices.get(k % choices.len().max(1)).copied().unwrap_or(0);
                k += 1;
                let run = if needs_newline {
                    RUNS[NEWLINE_RUNS + c % (RUNS.len() - NEWLINE_RUNS)]
                } else if before_item_word {
                    RUNS[c % NEWLINE_RUNS]
                } else {
                    RUNS[c % RUNS.len()]
                };
                out.push_str(run);
                after_comment = false;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                after_comment = true;
            }
            b'"' => {
                after_comment = false;
                if b[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                        i += 1;
                    }
                    i = (i + 3).min(b.len());
                } else {
                    i += 1;
                    while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i = (i + 1).min(b.len());
                }
            }
            _ => {
                after_comment = false;
                i += 1;
            }
        }
    }
    out.push_str(&text[copy_from.min(text.len())..]);
    out
}

// ------------------------------------------------------------------ token soup

fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "module",
        "programme",
        "7001DS",
        "7002DS",
        "MSCDS",
        "\"Title\"",
        "\"\"\"\n  Text\n  \"\"\"",
        "{",
        "}",
        "credits",
        "10",
        "level",
        "7",
        "outcomes",
        "LO1",
        "\"out\"",
        "assessment",
        "AS1",
        "kind",
        "exam",
        "weight",
        "100%",
        "covers",
        "requires",
        ",",
        "award",
        "MSc",
        "framework",
        "ljmu-pgt-2022",
        "structure",
        "core",
        "option",
        "choose",
        "from",
        "semester",
        "1",
        "semesters",
        "1-2",
        "year-long",
        "year",
        "stage",
        "variance",
        "PG.A4.2/module-size",
        "applies-to",
        "criterion",
        "psrb",
        "approved",
        "2024-04-10",
        "rule",
        "X.1/y",
        "attendance",
        "first-contact",
        "3",
        "weeks",
        "engagement",
        "retention",
        "rpl",
        "certificated",
        "partner",
        "model",
        "franchise",
        "# comment\n",
        "\n",
        "dissertation",
        "competency",
        "erasmus-mundus",
        "starts",
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parser_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let file = parse(&s);
        // Spans stay inside the text.
        for e in &file.errors {
            prop_assert!(e.span.end() <= s.len());
        }
        let _ = format(&s);
    }

    #[test]
    fn parser_never_panics_on_pspec_like_strings(s in "[ -~\n\t\r\u{FEFF}é]{0,300}") {
        let _ = parse(&s);
        check_formatting(&s)?;
    }

    #[test]
    fn token_soup_parses_without_panic_and_formats_when_clean(
        tokens in prop::collection::vec(token(), 0..60),
        seps in prop::collection::vec(prop::sample::select(vec![" ", "\n", "  ", "\n\n"]), 60),
    ) {
        let mut s = String::new();
        for (t, sep) in tokens.iter().zip(seps.iter().cycle()) {
            s.push_str(t);
            s.push_str(sep);
        }
        check_formatting(&s)?;
    }

    #[test]
    fn random_edits_of_the_corpus(
        which in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..5),
    ) {
        let corpus = corpus();
        let text = apply(&corpus[which.index(corpus.len())], &edits);
        check_formatting(&text)?;
    }

    #[test]
    fn random_layouts_of_the_corpus(
        which in any::<prop::sample::Index>(),
        choices in prop::collection::vec(0usize..64, 1..200),
    ) {
        let corpus = corpus();
        let original = &corpus[which.index(corpus.len())];
        let text = reshuffle(original, &choices);
        let file = parse(&text);
        prop_assert!(file.errors.is_empty(), "a new layout broke the text: {:?}\n{}", file.errors, text);
        check_formatting(&text)?;
        // Layout and comments aside, the text means what the original does
        // (rule bodies aside: the shuffle also re-lays out their raw text).
        prop_assert_eq!(without_rule_bodies(&file), without_rule_bodies(&parse(original)));
    }
}

fn without_rule_bodies(file: &spec::syntax::ast::SourceFile) -> String {
    let mut file = file.clone();
    file.comments.clear();
    for item in &mut file.items {
        if let spec::syntax::ast::Item::Programme(p) = item {
            for prop in &mut p.props {
                if let spec::syntax::ast::ProgrammeKind::Rule { body, .. } = &mut prop.kind {
                    body.value = Default::default();
                }
            }
        }
    }
    syntax_fingerprint(&file)
}

#[test]
fn reshuffle_keeps_the_corpus_parseable() {
    for (i, text) in corpus().iter().enumerate() {
        let shuffled = reshuffle(text, &[0, 5, 9, 11, 2, 7]);
        let file = parse(&shuffled);
        assert!(file.errors.is_empty(), "corpus {i}: {:?}\n{shuffled}", file.errors);
    }
}
