//! End-to-end tests for command-line bugs found while checking the CLI and
//! the documentation as a user would. Each test runs the real binary in a
//! temporary directory.

mod support;

use std::path::Path;
use support::Run;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

fn spec(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    support::spec(args).dir(dir).no_color().stdin(stdin).run()
}

/// `spec init` without a directory suggested "`spec check `" (with a
/// trailing space); the hint must be a command that can be pasted as is.
#[test]
fn init_in_current_directory_suggests_a_clean_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = spec(dir.path(), &["init"], None);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(run.stdout.contains("next: `spec check`\n"), "stdout: {}", run.stdout);
    assert!(run.stdout.contains("created spec.toml\n"), "stdout: {}", run.stdout);

    let sub = spec(dir.path(), &["init", "sub"], None);
    assert_eq!(sub.code, Some(0), "stderr: {}", sub.stderr);
    assert!(
        sub.stdout.contains("next: `spec check sub`\n"),
        "stdout: {}",
        sub.stdout
    );

    // A directory the shell would split is quoted in the hint.
    let spaced = spec(dir.path(), &["init", "my dir"], None);
    assert_eq!(spaced.code, Some(0), "stderr: {}", spaced.stderr);
    assert!(
        spaced.stdout.contains("next: `spec check 'my dir'`\n"),
        "stdout: {}",
        spaced.stdout
    );

    // Refusing to overwrite names the files as the other messages do
    // (relative, no `./` prefix) and exits 2 writing nothing.
    let again = spec(dir.path(), &["init"], None);
    assert_eq!(again.code, Some(2));
    assert!(again.stdout.is_empty());
    assert!(
        again
            .stderr
            .contains("refusing to overwrite `spec.toml`, `modules/example-modules.pspec`"),
        "stderr: {}",
        again.stderr
    );
    assert!(!again.stderr.contains("`./"), "stderr: {}", again.stderr);
}

/// `spec report -` read stdin but then looked for a programme in a file named
/// `-` and failed with "`-` defines no programme".
#[test]
fn report_reads_a_programme_from_stdin() {
    let text = std::fs::read(Path::new(EXAMPLES).join("programmes/msc-data-science.pspec")).expect("example");
    let run = spec(Path::new(EXAMPLES), &["report", "-"], Some(&text));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(
        run.stdout.starts_with("# MSc Data Science (MSCDS)\n"),
        "stdout: {}",
        run.stdout
    );
    // The modules resolve against the workspace around the current directory.
    assert!(
        run.stdout.contains("Check result: 0 errors, 0 warnings"),
        "stdout: {}",
        run.stdout
    );

    let empty = spec(Path::new(EXAMPLES), &["report", "-"], Some(b""));
    assert_eq!(empty.code, Some(2));
    assert!(empty.stdout.is_empty());
    assert!(
        empty.stderr.contains("defines no programme"),
        "stderr: {}",
        empty.stderr
    );
}

/// The structure table of a programme without stages had a Stage column
/// holding only `-` in every row; the structure is now grouped by heading
/// rows (stage, then each core line and option group), in both formats.
#[test]
fn report_structure_is_grouped_by_stage_and_line() {
    let ex = Path::new(EXAMPLES);
    let md = spec(ex, &["report", "programmes/msc-data-science.pspec"], None);
    assert_eq!(md.code, Some(0), "stderr: {}", md.stderr);
    assert!(md.stdout.contains("| Module | Title | Credits | Level | Placement | Notes |\n|---|---|---|---|---|---|\n| **Core**, semester 1 | | | | | |\n| `7001DS` |"), "stdout: {}", md.stdout);
    assert!(!md.stdout.contains("| Stage |"), "stdout: {}", md.stdout);

    let html = spec(
        ex,
        &["report", "--format", "html", "programmes/msc-data-science.pspec"],
        None,
    );
    assert_eq!(html.code, Some(0), "stderr: {}", html.stderr);
    assert!(
        html.stdout.contains("<tr class=\"group\"><th colspan=\"6\" scope=\"colgroup\"><strong>Option &quot;Specialist electives&quot;</strong>: choose 30 credits, semester 2</th></tr>"),
        "stdout: {}",
        html.stdout
    );

    let staged = spec(ex, &["report", "programmes/msc-business-analytics-online.pspec"], None);
    assert_eq!(staged.code, Some(0), "stderr: {}", staged.stderr);
    assert!(
        staged
            .stdout
            .contains("| **Stage 1: Taught modules** | | | | | |\n| **Core** | | | | | |\n| `7001BA` |"),
        "stdout: {}",
        staged.stdout
    );
}

/// The HTML chart legend spoke of "light" option bars on programmes that
/// have no options (no light bars are drawn); it now says so only when some
/// period has option credits.
#[test]
fn report_html_chart_legend_matches_the_bars() {
    let ex = Path::new(EXAMPLES);
    let no_options = spec(
        ex,
        &[
            "report",
            "--format",
            "html",
            "programmes/msc-business-analytics-online.pspec",
        ],
        None,
    );
    assert_eq!(no_options.code, Some(0), "stderr: {}", no_options.stderr);
    assert!(
        no_options
            .stdout
            .contains("<li><span class=\"swatch seg-core\"></span>core credits</li></ul>"),
        "stdout: {}",
        no_options.stdout
    );
    assert!(!no_options.stdout.contains("option credits"));

    let options = spec(
        ex,
        &["report", "--format", "html", "programmes/msc-data-science.pspec"],
        None,
    );
    assert_eq!(options.code, Some(0), "stderr: {}", options.stderr);
    assert!(
        options
            .stdout
            .contains("<span class=\"swatch seg-always\"></span>option credits every pathway takes</li>"),
        "stdout: {}",
        options.stdout
    );
    // The Markdown legend says the same.
    let md = spec(ex, &["report", "programmes/msc-data-science.pspec"], None);
    assert!(
        md.stdout
            .contains("█ core credits · ▓ option credits every pathway takes"),
        "{}",
        md.stdout
    );
}

/// `spec explain` with a wrongly cased id or a section above the clauses
/// only said "run `spec rules`"; it now names what was meant, still exit 2.
#[test]
fn explain_unknown_ids_get_a_useful_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let case = spec(dir.path(), &["explain", "pg.a4.2/module-size"], None);
    assert_eq!(case.code, Some(2));
    assert!(case.stdout.is_empty());
    assert!(
        case.stderr.contains("did you mean `PG.A4.2/module-size`?"),
        "stderr: {}",
        case.stderr
    );

    let clause = spec(dir.path(), &["explain", "pg.a4.2"], None);
    assert_eq!(clause.code, Some(2));
    assert!(
        clause.stderr.contains("did you mean `PG.A4.2`?"),
        "stderr: {}",
        clause.stderr
    );

    let section = spec(dir.path(), &["explain", "PG.A4"], None);
    assert_eq!(section.code, Some(2));
    assert!(
        section.stderr.contains("clauses under it: `PG.A4.2`, `PG.A4.3`"),
        "stderr: {}",
        section.stderr
    );

    let unknown = spec(dir.path(), &["explain", "FOO/bar"], None);
    assert_eq!(unknown.code, Some(2));
    assert!(
        unknown.stderr.contains("run `spec rules` for the catalogue"),
        "stderr: {}",
        unknown.stderr
    );

    // The hinted ids work.
    let ok = spec(dir.path(), &["explain", "--no-check", "PG.A4.2"], None);
    assert_eq!(ok.code, Some(0), "stderr: {}", ok.stderr);
    assert!(ok.stdout.starts_with("`PG.A4.2` is a clause"), "stdout: {}", ok.stdout);
}

/// Every policy compile diagnostic ends with "see `spec explain ID`", but
/// `spec explain policy/syntax` said "no rule". Each `policy/` code the
/// source emits must be explained.
#[test]
fn explain_knows_every_policy_diagnostic() {
    let mut codes = std::collections::BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source readable");
                for (i, _) in text.match_indices("\"policy/") {
                    let rest = &text[i + 1..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_lowercase() || c == '/' || c == '-'))
                        .unwrap_or(rest.len());
                    if rest[end..].starts_with('"') && end > "policy/".len() {
                        codes.insert(rest[..end].to_string());
                    }
                }
            }
        }
    }
    assert!(
        codes.contains("policy/syntax") && codes.len() >= 5,
        "codes found: {codes:?}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    for code in &codes {
        let run = spec(dir.path(), &["explain", code], None);
        assert_eq!(run.code, Some(0), "`spec explain {code}`: {}", run.stderr);
        assert!(run.stdout.starts_with(&format!("{code}\n")), "stdout: {}", run.stdout);
        assert!(run.stdout.contains("Fires when"), "stdout: {}", run.stdout);
    }
}

/// The HTML report's check-result table showed the messages' backticks
/// literally (`` `MSCDS` ``); user input is now set as code, escaped.
#[test]
fn report_html_sets_backticked_input_as_code() {
    let text = std::fs::read_to_string(Path::new(EXAMPLES).join("programmes/msc-data-science.pspec"))
        .expect("example")
        .replace("credits 180", "credits 170");
    let run = spec(
        Path::new(EXAMPLES),
        &["report", "--format", "html", "-"],
        Some(text.as_bytes()),
    );
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    assert!(
        run.stdout.contains(
            "<td><code>spec/credit-total</code></td><td><code>&lt;stdin&gt;:8</code></td><td>programme <code>MSCDS</code> is 170 credits"
        ),
        "stdout: {}",
        run.stdout
    );
    let table = &run.stdout[run.stdout.find("<h2>Check result</h2>").expect("check result section")..];
    assert!(!table.contains('`'), "literal backticks left: {table}");
}

/// The prerequisite graph of the MSc example drew its two arrows crossing
/// (7001DS -> 7099DS over 7002DS -> 7004DS) because later columns kept
/// structure order; they are now ordered by their prerequisites' rows, so
/// both arrows run straight across.
#[test]
fn report_prerequisite_arrows_do_not_cross_in_the_example() {
    let run = spec(
        Path::new(EXAMPLES),
        &["report", "--format", "html", "programmes/msc-data-science.pspec"],
        None,
    );
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let attr = |line: &str, name: &str| -> f64 {
        let key = format!(" {name}=\"");
        let start = line.find(&key).expect("attribute") + key.len();
        line[start..].split('"').next().expect("value").parse().expect("number")
    };
    let _ = attr;
    let paths: Vec<&str> = run
        .stdout
        .split("<path class=\"edge\" d=\"")
        .skip(1)
        .map(|p| p.split('"').next().expect("d"))
        .collect();
    assert_eq!(paths.len(), 2, "arrows: {paths:?}");
    for d in &paths {
        let nums: Vec<&str> = d.split(' ').filter(|t| t.parse::<f64>().is_ok()).collect();
        let ys: Vec<&str> = nums.iter().skip(1).step_by(2).copied().collect();
        assert!(ys.windows(2).all(|w| w[0] == w[1]), "arrow not straight: {d}");
    }
}

/// `spec explain ID --framework F` for a rule of another framework only
/// said "run `spec rules`"; it now names the frameworks the rule is active
/// under (still exit 2: it is not active under F).
#[test]
fn explain_names_the_framework_of_a_rule_from_elsewhere() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = spec(
        dir.path(),
        &["explain", "PG.A4.2/module-size", "--framework", "ntu-online-2018"],
        None,
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains(
            "no rule `PG.A4.2/module-size` in framework `ntu-online-2018`; it is active under framework `ljmu-pgt-2022`"
        ),
        "stderr: {}",
        run.stderr
    );
    let clause = spec(
        dir.path(),
        &["explain", "PG.A4.2", "--framework", "ntu-online-2018"],
        None,
    );
    assert_eq!(clause.code, Some(2));
    assert!(
        clause.stderr.contains("it is active under framework `ljmu-pgt-2022`"),
        "stderr: {}",
        clause.stderr
    );
}

/// The outcomes table of each module had an empty header over the outcome
/// statements; it is headed "Statement" in both formats.
#[test]
fn report_outcome_tables_have_named_columns() {
    let ex = Path::new(EXAMPLES);
    let md = spec(ex, &["report", "programmes/pgcert-academic-practice.pspec"], None);
    assert_eq!(md.code, Some(0), "stderr: {}", md.stderr);
    assert!(
        md.stdout.contains("| Outcome | Statement |\n|---|---|\n| LO1 |"),
        "stdout: {}",
        md.stdout
    );
    assert!(!md.stdout.contains("| Outcome | |"));
    let html = spec(
        ex,
        &[
            "report",
            "--format",
            "html",
            "programmes/pgcert-academic-practice.pspec",
        ],
        None,
    );
    assert_eq!(html.code, Some(0), "stderr: {}", html.stderr);
    assert!(
        html.stdout
            .contains("<tr><th scope=\"col\">Outcome</th><th scope=\"col\">Statement</th></tr>"),
        "stdout: {}",
        html.stdout
    );
    assert!(!html.stdout.contains("<th></th>"));
}
