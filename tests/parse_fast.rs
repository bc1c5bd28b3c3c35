//! The parser's hand-written fast path (`src/syntax/fast.rs`, D142) builds
//! exactly the tree the pest path builds, and is the path taken on
//! well-formed files.
//!
//! Compared: every `.pspec` file of the repository and of the shared
//! contract (examples, conformance cases, fixtures, rule examples), a
//! generated catalogue, and a long seeded sequence of random edits of them
//! (deleted characters, inserted tokens that sit at the edges of the
//! grammar: quotes, escapes, text blocks, braces, commas, comments, a byte
//! order mark, line breaks, digits, keywords).

#[path = "../benches/common/catalogue.rs"]
#[allow(dead_code)]
mod catalogue;

mod support;

use std::path::PathBuf;

use spec::syntax::ast::{Item, SourceFile};
use spec::syntax::{item_bounds, parse, parse_counting_fast, parse_pest_only};
use support::{pspec_files_under as pspec_files, Rng};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> Vec<(String, String)> {
    let r = root();
    let mut out = Vec::new();
    for dir in [
        "examples",
        "tests/fixtures",
        "src/check/examples",
        "../shared/conformance",
    ] {
        for p in pspec_files(&r.join(dir)) {
            let text = std::fs::read_to_string(&p).unwrap();
            out.push((p.display().to_string(), text));
        }
    }
    assert!(out.len() > 150, "the corpus was not found: {} files", out.len());
    out
}

fn same(name: &str, text: &str) {
    let fast = parse(text);
    let pest = parse_pest_only(text);
    assert_eq!(fast, pest, "the two paths differ on {name}:\n{text}");
    bounds_hold(name, text, &fast);
}

/// `item_bounds` counts at least the modules and programmes the parser
/// finds: the slots `analyze_once` lowers a file's items into (D148).
fn bounds_hold(name: &str, text: &str, tree: &SourceFile) {
    let modules = tree.items.iter().filter(|i| matches!(i, Item::Module(_))).count();
    let programmes = tree.items.len() - modules;
    let (m, p) = item_bounds(text);
    assert!(
        m >= modules && p >= programmes,
        "{name}: bounds ({m}, {p}) under the items ({modules}, {programmes}):\n{text}"
    );
}

/// Keywords repeated in a string or a comment ask for no slots: the bound
/// stays near the items a file holds, not the words it spells.
#[test]
fn keywords_in_strings_and_comments_do_not_inflate_the_bounds() {
    let words = "module programme ".repeat(20_000);
    let text =
        format!("# {words}\nmodule M1 \"{words}\" {{\n  credits 20\n}}\nprogramme P1 \"P\" {{\n  award MSc\n}}\n");
    assert_eq!(item_bounds(&text), (1, 1));
    bounds_hold("repeated keywords", &text, &parse(&text));
}

#[test]
fn both_paths_build_the_same_tree_on_every_file() {
    for (name, text) in corpus() {
        same(&name, &text);
    }
}

#[test]
fn the_fast_path_reads_every_item_of_a_well_formed_file() {
    let mut files = 0;
    let mut items = 0;
    for (name, text) in corpus() {
        let (tree, fast) = parse_counting_fast(&text);
        if !tree.errors.is_empty() {
            continue;
        }
        files += 1;
        items += tree.items.len();
        assert_eq!(
            fast,
            tree.items.len(),
            "{name}: the fast path gave up on a well-formed item"
        );
    }
    // Most of the corpus is well formed; the test must not pass on nothing.
    assert!(files > 100 && items > 300, "{files} files, {items} items");
}

#[test]
fn both_paths_agree_on_a_generated_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let size = catalogue::Size {
        programmes: 120,
        per_file: 10,
        faults: true,
    };
    catalogue::generate(dir.path(), size).unwrap();
    let mut items = 0;
    for p in pspec_files(dir.path()) {
        let text = std::fs::read_to_string(&p).unwrap();
        same(&p.display().to_string(), &text);
        let (tree, fast) = parse_counting_fast(&text);
        assert!(tree.errors.is_empty());
        assert_eq!(fast, tree.items.len());
        items += fast;
    }
    assert!(items >= 120 * 12, "{items} items");
}

/// Tokens at the edges of the grammar.
const INSERTS: &[&str] = &[
    "{",
    "}",
    "\"",
    "\"\"\"",
    "\\",
    "\\n",
    "\\q",
    "#",
    "# c\n",
    ",",
    "-",
    "%",
    "/",
    "*",
    ".",
    "\n",
    "\r",
    "\t",
    " ",
    "\u{FEFF}",
    "0",
    "7",
    "12",
    "2024-01-01",
    "2024-1-01",
    "credits",
    "level 7",
    "semester",
    "semesters 1-2",
    "year",
    "year 2",
    "year-long",
    "from",
    "choose",
    "core",
    "option",
    "stage",
    "module",
    "programme",
    "rule",
    "variance",
    "approved",
    "criterion",
    "é",
    "\u{0}",
    "x",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(3) {
        // A char boundary near a random byte.
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        if rng.below(3) == 0 && at < s.len() {
            let mut e = at + 1 + rng.below(6);
            e = e.min(s.len());
            while !s.is_char_boundary(e) {
                e += 1;
            }
            s.replace_range(at..e, "");
        } else {
            s.insert_str(at, INSERTS[rng.below(INSERTS.len())]);
        }
    }
    s
}

#[test]
fn both_paths_agree_after_random_edits() {
    let corpus = corpus();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut fast_taken = 0;
    let mut gave_up = 0;
    for step in 0..6000 {
        let (name, text) = &corpus[rng.below(corpus.len())];
        if text.len() > 20_000 {
            continue;
        }
        let edited = mutate(&mut rng, text);
        let (fast, n) = parse_counting_fast(&edited);
        let pest = parse_pest_only(&edited);
        assert_eq!(
            fast, pest,
            "step {step}: the two paths differ on an edit of {name}:\n{edited}"
        );
        bounds_hold(name, &edited, &fast);
        fast_taken += n;
        gave_up += fast.items.len().saturating_sub(n);
    }
    // The edits exercise both: items the fast path reads and items it
    // leaves to pest.
    assert!(
        fast_taken > 1000 && gave_up > 1000,
        "fast {fast_taken}, left to pest {gave_up}"
    );
}
