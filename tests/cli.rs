//! End-to-end tests of the `spec` binary: exit statuses, the JSON contract of
//! cli.md, determinism, stdin, workspaces and `spec.toml`, colour, and
//! recovery from broken text. Every test runs the real binary in a temporary
//! directory.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{Run, BIN};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

fn spec_in(dir: &Path, args: &[&str]) -> Run {
    spec_full(dir, args, None, &[])
}

/// Colour decided by the flags and the environment given, not the caller's.
fn spec_full(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    support::spec(args)
        .dir(dir)
        .env_remove("NO_COLOR")
        .envs(env)
        .stdin(stdin)
        .run()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write file");
}

/// A module that is clean under every framework rule that applies to it.
fn module(code: &str, credits: u32) -> String {
    format!(
        "module {code} \"Module {code}\" {{\n  credits {credits}\n  level 7\n  outcomes {{\n    LO1 \"Do the thing\"\n  }}\n  assessment AS1 \"Task\" {{\n    kind coursework\n    weight 100%\n    covers LO1\n  }}\n}}\n"
    )
}

/// A module whose `level` is out of range: one `spec/invalid-value`.
fn bad_level_module(code: &str) -> String {
    module(code, 20).replace("level 7", "level 9")
}

fn codes(json: &Value) -> Vec<String> {
    json["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
        .iter()
        .map(|d| d["code"].as_str().expect("code is a string").to_string())
        .collect()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

// ------------------------------------------------------------ exit status

#[test]
fn examples_check_clean_exit_0() {
    let r = spec_in(Path::new(EXAMPLES), &["check", "--format", "json", "."]);
    let json = r.json();
    assert_eq!(
        json["diagnostics"]
            .as_array()
            .map(|a| a.iter().filter(|d| d["waived"] != true).count()),
        Some(0),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert_eq!(json["summary"]["programmes"], 3);
    assert_eq!(json["summary"]["errors"], 0);
}

#[test]
fn errors_exit_1() {
    let d = tmp();
    write(d.path(), "a.pspec", &bad_level_module("7001AA"));
    let r = spec_in(d.path(), &["check", "a.pspec"]);
    assert_eq!(r.code, Some(1), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("spec/invalid-value"), "{}", r.stdout);
    assert!(r.stdout.contains("level `9` is not between 3 and 8"), "{}", r.stdout);
}

#[test]
fn syntax_errors_exit_1() {
    let d = tmp();
    write(d.path(), "a.pspec", "module 7001AA \"x\" {\n  credits ten\n}\n");
    let r = spec_in(d.path(), &["check", "--format", "json", "a.pspec"]);
    assert_eq!(r.code, Some(1));
    assert!(codes(&r.json()).contains(&"spec/syntax".to_string()));
}

#[test]
fn missing_path_exit_2_and_nothing_on_stdout() {
    let d = tmp();
    write(d.path(), "a.pspec", &module("7001AA", 20));
    let r = spec_in(d.path(), &["check", "--format", "json", "a.pspec", "nope.pspec"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "", "nothing is written when the check cannot run");
    assert!(r.stderr.contains("nope.pspec"), "stderr names the path: {}", r.stderr);
}

#[test]
fn bad_option_exit_2() {
    let d = tmp();
    let r = spec_in(d.path(), &["check", "--format", "yaml", "."]);
    assert_eq!(r.code, Some(2), "stderr: {}", r.stderr);
    let r = spec_in(d.path(), &["check", "--no-such-option"]);
    assert_eq!(r.code, Some(2), "stderr: {}", r.stderr);
}

#[test]
fn unreadable_file_exit_2() {
    let d = tmp();
    write(d.path(), "a.pspec", &module("7001AA", 20));
    let path = d.path().join("a.pspec");
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o000);
    std::fs::set_permissions(&path, perms).expect("chmod");
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reads. A directory in place
        // of a file's parent is unreadable for everyone, so use that instead.
        let r = spec_in(d.path(), &["check", "a.pspec/inner.pspec"]);
        assert_eq!(r.code, Some(2), "stderr: {}", r.stderr);
        assert_eq!(r.stdout, "");
        return;
    }
    let r = spec_in(d.path(), &["check", "a.pspec"]);
    assert_eq!(r.code, Some(2), "stderr: {}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("a.pspec"), "{}", r.stderr);
}

#[test]
fn non_utf8_file_exit_2_with_message() {
    let d = tmp();
    let mut bytes = module("7001AA", 20).into_bytes();
    bytes.splice(20..20, [0xff, 0xfe, b'x']);
    std::fs::write(d.path().join("latin.pspec"), bytes).expect("write");
    let r = spec_in(d.path(), &["check", "latin.pspec"]);
    assert_eq!(r.code, Some(2), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("latin.pspec") && r.stderr.contains("UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn crlf_is_accepted() {
    let d = tmp();
    write(d.path(), "crlf.pspec", &module("7001AA", 20).replace('\n', "\r\n"));
    let r = spec_in(d.path(), &["check", "--format", "json", "crlf.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["modules"], 1);
}

#[test]
fn utf8_bom_is_accepted() {
    let d = tmp();
    let text = format!("\u{feff}{}", module("7001AA", 20).replace('\n', "\r\n"));
    write(d.path(), "bom.pspec", &text);
    let r = spec_in(d.path(), &["check", "--format", "json", "bom.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["modules"], 1);
}

// ------------------------------------------------------------ JSON contract

#[test]
fn json_shape_matches_cli_md() {
    let d = tmp();
    write(d.path(), "a.pspec", &bad_level_module("7001AA"));
    let r = spec_in(d.path(), &["check", "--format", "json", "a.pspec"]);
    let json = r.json();
    let top: Vec<&str> = json.as_object().expect("object").keys().map(String::as_str).collect();
    for key in ["version", "tool", "diagnostics", "summary"] {
        assert!(top.contains(&key), "missing top-level `{key}`: {top:?}");
    }
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "spec");
    assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let diags = json["diagnostics"].as_array().expect("array");
    assert_eq!(diags.len(), 1, "{}", r.stdout);
    let d0 = &diags[0];
    for key in [
        "code",
        "severity",
        "message",
        "file",
        "range",
        "clause",
        "programme",
        "pathway",
        "waived",
        "waived_by",
        "help",
    ] {
        assert!(d0.get(key).is_some(), "diagnostic lacks `{key}`: {d0}");
    }
    assert_eq!(d0["code"], "spec/invalid-value");
    assert_eq!(d0["severity"], "error");
    assert_eq!(d0["file"], "a.pspec");
    assert_eq!(d0["clause"], Value::Null, "spec/ rules have no clause");
    assert_eq!(d0["waived"], false);
    assert_eq!(d0["waived_by"], Value::Null);
    assert!(d0["help"].is_string());
    // `level 9` is on line 3 (1-based); the span is the value `9`.
    assert_eq!(d0["range"]["start"]["line"], 3);
    assert_eq!(d0["range"]["start"]["column"], 9);
    assert_eq!(d0["range"]["end"]["line"], 3);
    assert_eq!(d0["range"]["end"]["column"], 10);
    let summary = &json["summary"];
    for key in ["files", "programmes", "modules", "errors", "warnings", "waived"] {
        assert!(summary[key].is_u64(), "summary lacks `{key}`: {summary}");
    }
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["modules"], 1);
    assert_eq!(summary["programmes"], 0);
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["warnings"], 0);
}

#[test]
fn json_columns_count_unicode_scalar_values() {
    let d = tmp();
    // Non-ASCII text on the same line before the span: `é`, `ü` are two bytes
    // each, `😀` four; columns count characters.
    let text = "module 7001AA \"Données ü 😀\" { credits 10 level 9 outcomes { LO1 \"a\" } assessment AS1 \"b\" { kind exam covers LO1 } }\n";
    write(d.path(), "u.pspec", text);
    let r = spec_in(d.path(), &["check", "--format", "json", "u.pspec"]);
    let json = r.json();
    let diag = json["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "spec/invalid-value"))
        .unwrap_or_else(|| panic!("no spec/invalid-value: {}", r.stdout));
    let byte = text.find("level 9").expect("in text") + "level ".len();
    let column = text[..byte].chars().count() + 1;
    assert_ne!(
        column,
        byte + 1,
        "the test line must have multi-byte characters before the span"
    );
    assert_eq!(diag["range"]["start"]["line"], 1);
    assert_eq!(diag["range"]["start"]["column"], column as u64);
    assert_eq!(diag["range"]["end"]["column"], column as u64 + 1);
}

#[test]
fn json_is_sorted_by_file_line_column_code() {
    let d = tmp();
    write(
        d.path(),
        "b.pspec",
        &format!("{}\n{}", bad_level_module("7002BB"), bad_level_module("7003BB")),
    );
    write(
        d.path(),
        "a.pspec",
        &format!(
            "{}\n{}",
            bad_level_module("7001AA"),
            module("7004AA", 100_000).replace("level 7", "level 2")
        ),
    );
    let r = spec_in(d.path(), &["check", "--format", "json", "b.pspec", "a.pspec"]);
    let json = r.json();
    let keys: Vec<(String, u64, u64, String)> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["column"].as_u64().unwrap_or(0),
                d["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(keys.len() >= 5, "expected diagnostics in both files: {keys:?}");
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "diagnostics are not in (file, line, column, code) order");
    assert_eq!(keys[0].0, "a.pspec");
    assert_eq!(keys.last().map(|k| k.0.as_str()), Some("b.pspec"));
}

#[test]
fn two_runs_are_byte_identical() {
    let d = tmp();
    for i in 0..12 {
        let text = if i % 3 == 0 {
            bad_level_module(&format!("70{i:02}CC"))
        } else {
            module(&format!("70{i:02}CC"), 20)
        };
        write(d.path(), &format!("dir{}/m{i}.pspec", i % 4), &text);
    }
    write(
        d.path(),
        "p.pspec",
        "programme P \"P\" {\n  award MSc\n  framework ljmu-pgt-2022\n  credits 180\n  structure {\n    core 7000CC, 7001CC, 7999CC semester 1\n  }\n}\n",
    );
    for format in ["json", "human"] {
        let a = spec_in(d.path(), &["check", "--no-color", "--format", format, "."]);
        let b = spec_in(d.path(), &["check", "--no-color", "--format", format, "."]);
        assert_eq!(a.code, Some(1));
        assert!(!a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "--format {format} differs between runs");
        assert_eq!(a.code, b.code);
    }
}

// ------------------------------------------------------------ inputs

#[test]
fn stdin_dash() {
    let d = tmp();
    let r = spec_full(
        d.path(),
        &["check", "--format", "json", "-"],
        Some(bad_level_module("7001AA").as_bytes()),
        &[],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let json = r.json();
    assert_eq!(codes(&json), vec!["spec/invalid-value"]);
    assert_eq!(json["diagnostics"][0]["file"], "<stdin>");
    let clean = spec_full(d.path(), &["check", "-"], Some(module("7001AA", 20).as_bytes()), &[]);
    assert_eq!(clean.code, Some(0), "{}", clean.stdout);
}

#[test]
fn many_files_and_directories_at_once() {
    let d = tmp();
    write(d.path(), "one/a.pspec", &bad_level_module("7001AA"));
    write(d.path(), "one/deeper/b.pspec", &module("7002AA", 20));
    write(d.path(), "two/c.pspec", &bad_level_module("7003AA"));
    write(d.path(), "two/notes.txt", "not a spec");
    write(d.path(), "d.pspec", &bad_level_module("7004AA"));
    write(d.path(), "e.pspec", &module("7005AA", 20));
    let r = spec_in(
        d.path(),
        &[
            "check",
            "--format",
            "json",
            "one",
            "two",
            "d.pspec",
            "e.pspec",
            "one/a.pspec",
        ],
    );
    assert_eq!(r.code, Some(1));
    let json = r.json();
    assert_eq!(
        json["summary"]["files"], 5,
        "a file given twice counts once; .txt is ignored: {}",
        json["summary"]
    );
    assert_eq!(json["summary"]["modules"], 5);
    let files: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert_eq!(files, vec!["d.pspec", "one/a.pspec", "two/c.pspec"]);
}

#[test]
fn cross_file_module_references() {
    let d = tmp();
    write(
        d.path(),
        "modules/m.pspec",
        &format!("{}\n{}", module("7001XF", 20), module("7002XF", 20)),
    );
    write(
        d.path(),
        "programmes/p.pspec",
        "programme PX \"Cross-file\" {\n  award PGCert\n  framework ljmu-pgt-2022\n  credits 60\n  structure {\n    core 7001XF semester 1\n    core 7002XF, 7404XF semester 2\n  }\n}\n",
    );
    let r = spec_in(d.path(), &["check", "--format", "json", "."]);
    let json = r.json();
    let unknown: Vec<&Value> = json["diagnostics"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "spec/unknown-reference")
        .collect();
    assert_eq!(unknown.len(), 1, "only the undefined module is unknown: {}", r.stdout);
    assert_eq!(unknown[0]["file"], "programmes/p.pspec");
    assert!(unknown[0]["message"].as_str().unwrap_or_default().contains("7404XF"));
    assert_eq!(r.code, Some(1));
}

// ------------------------------------------------------------ spec.toml

#[test]
fn spec_toml_is_discovered_from_a_nested_directory() {
    let d = tmp();
    // `spec.toml` asks for JSON output: seeing JSON proves it was read.
    write(d.path(), "spec.toml", "[output]\nformat = \"json\"\n");
    write(d.path(), "modules/m.pspec", &module("7001NS", 20));
    write(
        d.path(),
        "programmes/deep/er/p.pspec",
        "programme PN \"Nested\" {\n  award PGCert\n  framework ljmu-pgt-2022\n  credits 60\n  structure {\n    core 7001NS semester 1\n  }\n}\n",
    );
    let nested = d.path().join("programmes/deep/er");
    let r = spec_in(&nested, &["check", "p.pspec"]);
    let json = r.json();
    // The module in the workspace's other file resolves; it is context only,
    // so it is not counted or reported.
    assert!(
        !codes(&json).contains(&"spec/unknown-reference".to_string()),
        "{}",
        r.stdout
    );
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["summary"]["modules"], 0);
    assert_eq!(json["summary"]["programmes"], 1);

    // Without the workspace, the reference does not resolve.
    std::fs::remove_file(d.path().join("spec.toml")).expect("rm");
    let r = spec_in(&nested, &["check", "--format", "json", "p.pspec"]);
    assert!(
        codes(&r.json()).contains(&"spec/unknown-reference".to_string()),
        "{}",
        r.stdout
    );
}

#[test]
fn broken_spec_toml_exit_2_with_a_clear_message() {
    let d = tmp();
    write(d.path(), "a.pspec", &module("7001AA", 20));
    write(d.path(), "spec.toml", "[output]\nformat = \"json\"\n[policy\n");
    let r = spec_in(d.path(), &["check", "a.pspec"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("spec.toml") && r.stderr.contains("line 3"),
        "{}",
        r.stderr
    );

    write(d.path(), "spec.toml", "[output]\ncolour = true\n");
    let r = spec_in(d.path(), &["check", "a.pspec"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("spec.toml") && r.stderr.contains("colour"),
        "unknown key named: {}",
        r.stderr
    );

    write(d.path(), "spec.toml", "[output]\nformat = \"yaml\"\n");
    let r = spec_in(d.path(), &["check", "a.pspec"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("yaml"), "{}", r.stderr);
}

// ------------------------------------------------------------ colour

/// Runs `spec` under a pseudo-terminal (util-linux `script`), where colour
/// is on unless switched off.
fn spec_on_tty(dir: &Path, args: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("script");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .args(["-qec", &format!("'{BIN}' {args}"), "/dev/null"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .expect("`script` (util-linux) is needed to run spec under a terminal; install bsdutils/util-linux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_flag_and_env_give_plain_text() {
    let d = tmp();
    write(d.path(), "a.pspec", &bad_level_module("7001AA"));
    // On a terminal colour is on: this proves the checks below can fail.
    let coloured = spec_on_tty(d.path(), "check a.pspec", &[]);
    assert!(coloured.contains("spec/invalid-value"), "{coloured}");
    assert!(
        coloured.contains('\x1b'),
        "expected ANSI colour on a terminal: {coloured:?}"
    );

    let flag = spec_on_tty(d.path(), "check --no-color a.pspec", &[]);
    assert!(flag.contains("spec/invalid-value"), "{flag}");
    assert!(!flag.contains('\x1b'), "--no-color: {flag:?}");

    let global = spec_on_tty(d.path(), "--no-color check a.pspec", &[]);
    assert!(global.contains("spec/invalid-value"), "{global}");
    assert!(!global.contains('\x1b'), "global --no-color: {global:?}");

    let env = spec_on_tty(d.path(), "check a.pspec", &[("NO_COLOR", "1")]);
    assert!(env.contains("spec/invalid-value"), "{env}");
    assert!(!env.contains('\x1b'), "NO_COLOR: {env:?}");

    // Piped output is never coloured.
    let piped = spec_in(d.path(), &["check", "a.pspec"]);
    assert!(!piped.stdout.contains('\x1b'));
}

// ------------------------------------------------------------ recovery

#[test]
fn three_broken_modules_three_syntax_errors_and_the_healthy_items_still_checked() {
    let d = tmp();
    let text = r#"module 7001RA "One" {
  credits ten
  level 7
  outcomes { LO1 "a" }
  assessment AS1 "b" { kind exam covers LO1 }
}

module 7002RA "Two" {
  credits 20
  levle 7
  outcomes { LO1 "a" }
  assessment AS1 "b" { kind exam covers LO1 }
}

module 7003RA "Three" {
  credits 20
  level 7
  outcomes { LO1 "a }
  assessment AS1 "b" { kind exam covers LO1 }
}

module 7004RA "Healthy" {
  credits 20
  level 9
  outcomes { LO1 "a" }
  assessment AS1 "b" { kind exam covers LO1 }
}

programme PRA "Still checked" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  structure {
    core 7001RA, 7002RA, 7003RA, 7004RA, 7999RA semester 1
  }
}
"#;
    write(d.path(), "r.pspec", text);
    let r = spec_in(d.path(), &["check", "--format", "json", "r.pspec"]);
    assert_eq!(r.code, Some(1));
    let json = r.json();
    let diags = json["diagnostics"].as_array().expect("array");
    let syntax_lines: Vec<u64> = diags
        .iter()
        .filter(|d| d["code"] == "spec/syntax")
        .filter_map(|d| d["range"]["start"]["line"].as_u64())
        .collect();
    assert_eq!(
        syntax_lines,
        vec![2, 10, 18],
        "one syntax error per broken module, at the broken property: {}",
        r.stdout
    );
    // The healthy module and the programme are still checked...
    let line_of = |code: &str| {
        diags
            .iter()
            .find(|d| d["code"] == code)
            .and_then(|d| d["range"]["start"]["line"].as_u64())
    };
    assert_eq!(line_of("spec/invalid-value"), Some(24), "{}", r.stdout);
    assert_eq!(line_of("spec/unknown-reference"), Some(34), "{}", r.stdout);
    // ...and the broken modules still count as defined: only 7999RA is unknown.
    let unknown: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "spec/unknown-reference")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert!(unknown[0].contains("7999RA"));
    assert_eq!(json["summary"]["modules"], 4);
    assert_eq!(json["summary"]["programmes"], 1);
}

#[test]
fn human_output_names_rule_help_and_summary() {
    let d = tmp();
    write(d.path(), "a.pspec", &bad_level_module("7001AA"));
    let r = spec_in(d.path(), &["check", "--no-color", "a.pspec"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stdout.contains("spec/invalid-value"));
    assert!(r.stdout.contains("help:"), "{}", r.stdout);
    assert!(r.stdout.contains("spec explain spec/invalid-value"), "{}", r.stdout);
    assert!(r.stdout.contains("1 error"), "{}", r.stdout);
}

// ------------------------------------------------------------ spec init

#[test]
fn init_creates_a_workspace_that_checks_clean() {
    let d = tmp();
    let r = spec_in(d.path(), &["init", "ws"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for f in [
        "ws/spec.toml",
        "ws/modules/example-modules.pspec",
        "ws/programmes/msc-example.pspec",
    ] {
        assert!(d.path().join(f).is_file(), "{f} not created");
    }
    let r = spec_in(&d.path().join("ws"), &["check", "--format", "json"]);
    let json = r.json();
    assert_eq!(r.code, Some(0), "the starter workspace must check clean: {}", r.stdout);
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(0), "{}", r.stdout);
    assert_eq!(json["summary"]["programmes"], 1);
    assert_eq!(json["summary"]["modules"], 9);
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let d = tmp();
    write(d.path(), "programmes/msc-example.pspec", "# mine\n");
    let r = spec_in(d.path(), &["init"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("refusing to overwrite"), "{}", r.stderr);
    assert!(r.stderr.contains("msc-example.pspec"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(d.path().join("programmes/msc-example.pspec")).expect("read"),
        "# mine\n"
    );
    assert!(!d.path().join("spec.toml").exists(), "nothing is written when refusing");
    assert!(!d.path().join("modules").exists());
}

#[test]
fn two_items_on_one_line() {
    let d = tmp();
    let one = |c: &str| {
        format!("module {c} \"x\" {{ credits 10 level 7 outcomes {{ LO1 \"a\" }} assessment AS1 \"b\" {{ kind exam covers LO1 }} }}")
    };
    write(d.path(), "two.pspec", &format!("{} {}\n", one("7001TL"), one("7002TL")));
    let r = spec_in(d.path(), &["check", "--format", "json", "two.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["modules"], 2);
}

// ------------------------------------------------------------ spec report

#[test]
fn report_markdown_has_structure_credits_and_prerequisite_graph() {
    let r = spec_in(Path::new(EXAMPLES), &["report", "programmes/msc-data-science.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let md = &r.stdout;
    assert!(md.starts_with("# MSc Data Science (MSCDS)\n"), "{md}");
    for section in [
        "## Structure",
        "## Credits per period",
        "## Prerequisites",
        "## Modules",
        "## Check result",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    // Credits per period: 60 core in semester 1; 30 core + 30 from options in semester 2.
    assert!(md.contains("| Semester 1 | 60 | 0 | 60 |"), "{md}");
    assert!(md.contains("| Semester 2 | 30 | 30 | 60 |"), "{md}");
    assert!(md.contains("| Pathways | 4 |"), "{md}");
    // The prerequisite graph, prerequisite -> module.
    assert!(md.contains("```mermaid\ngraph LR\n"), "{md}");
    assert!(
        md.contains("- `7004DS` Deep Learning requires `7002DS` Statistical Learning"),
        "{md}"
    );
    assert!(
        md.contains("- `7099DS` Data Science Dissertation requires `7001DS` Research Methods for Data Science"),
        "{md}"
    );
}

#[test]
fn report_option_ranges_come_from_the_pathways() {
    let d = tmp();
    write(d.path(), "spec.toml", "");
    write(
        d.path(),
        "m.pspec",
        &["7001RP", "7002RP", "7003RP"]
            .iter()
            .map(|c| module(c, 20))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    write(
        d.path(),
        "p.pspec",
        "programme PRP \"Ranges\" {\n  award PGCert\n  framework ljmu-pgt-2022\n  credits 60\n  structure {\n    core 7001RP semester 1\n    option \"Either\" choose 40 credits {\n      7002RP semester 1\n      7003RP semester 2\n    }\n  }\n}\n",
    );
    let r = spec_in(d.path(), &["report", "p.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // Both option modules are always taken (40 of 40): no range.
    assert!(r.stdout.contains("| Semester 1 | 20 | 20 | 40 |"), "{}", r.stdout);
    assert!(r.stdout.contains("| Semester 2 | 0 | 20 | 20 |"), "{}", r.stdout);
    write(
        d.path(),
        "p.pspec",
        &std::fs::read_to_string(d.path().join("p.pspec"))
            .expect("read")
            .replace("choose 40", "choose 20"),
    );
    let r = spec_in(d.path(), &["report", "p.pspec"]);
    assert!(r.stdout.contains("| Semester 1 | 20 | 0-20 | 20-40 |"), "{}", r.stdout);
    assert!(r.stdout.contains("| Pathways | 2 |"), "{}", r.stdout);
}

#[test]
fn report_html_is_self_contained_with_inline_svg() {
    let d = tmp();
    let out = d.path().join("pgcert.html");
    let r = spec_in(
        Path::new(EXAMPLES),
        &[
            "report",
            "--format",
            "html",
            "-o",
            out.to_str().expect("utf-8 path"),
            "programmes/pgcert-academic-practice.pspec",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "", "-o writes the file, not stdout");
    let html = std::fs::read_to_string(&out).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "a bar chart and the prerequisite graph"
    );
    assert!(html.contains("Semester 1"));
    assert!(!html.contains("Year 1"), "a one-year programme has no year");
    assert!(html.contains("PG.A4.5/year-long"), "the variance is listed");
    // Self-contained: no external resources.
    for needle in ["<script src", "<link", "src=\"http", "href=\"http", "@import"] {
        assert!(!html.contains(needle), "external reference `{needle}`");
    }
}

#[test]
fn report_escapes_user_text_in_html() {
    let d = tmp();
    write(d.path(), "spec.toml", "");
    write(
        d.path(),
        "m.pspec",
        &module("7001ES", 20).replace("\"Module 7001ES\"", "\"<b>Bold</b> & co\""),
    );
    write(
        d.path(),
        "p.pspec",
        "programme PES \"Esc <script>\" {\n  award CPD\n  framework ljmu-pgt-2022\n  credits 20\n  structure {\n    core 7001ES semester 1\n  }\n}\n",
    );
    let r = spec_in(d.path(), &["report", "--format", "html", "p.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        !r.stdout.contains("<script>") && !r.stdout.contains("<b>Bold"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Esc &lt;script&gt;"));
    assert!(r.stdout.contains("&lt;b&gt;Bold&lt;/b&gt; &amp; co"));
}

#[test]
fn report_of_a_file_without_programmes_exit_2() {
    let r = spec_in(Path::new(EXAMPLES), &["report", "modules/data-science.pspec"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("defines no programme"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let r = spec_in(Path::new(EXAMPLES), &["report", "nope.pspec"]);
    assert_eq!(r.code, Some(2));
}

// ------------------------------------------------------------ spec fmt

const MESSY: &str = "module 7001FM \"Formatting\" { credits 20 level 7 outcomes { LO1 \"Do it\" } # why\n assessment AS1 \"Task\" { kind exam weight 100% covers LO1 } }\n";

#[test]
fn fmt_check_changes_nothing_and_lists_files_that_would_change() {
    let d = tmp();
    write(d.path(), "ws/a.pspec", MESSY);
    write(d.path(), "ws/sub/b.pspec", &module("7002FM", 20));
    let r = spec_in(d.path(), &["fmt", "--check", "ws"]);
    assert_eq!(r.code, Some(1), "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("would reformat ws/a.pspec"), "{}", r.stdout);
    assert!(r.stdout.contains("line 1:"), "a diff hint: {}", r.stdout);
    assert!(
        !r.stdout.contains("ws/sub/b.pspec"),
        "canonical files are not listed: {}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("ws/a.pspec")).expect("read"),
        MESSY,
        "--check wrote to the file"
    );
}

#[test]
fn fmt_rewrites_in_place_keeping_comments_then_check_passes() {
    let d = tmp();
    write(d.path(), "a.pspec", MESSY);
    let r = spec_in(d.path(), &["fmt", "a.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let after = std::fs::read_to_string(d.path().join("a.pspec")).expect("read");
    assert_ne!(after, MESSY);
    assert!(after.contains("# why"), "comment kept: {after}");
    assert!(after.contains("\n  credits 20\n"), "{after}");
    let r = spec_in(d.path(), &["fmt", "--check", "a.pspec"]);
    assert_eq!(r.code, Some(0), "formatting is a fixpoint: {}", r.stdout);
    // The meaning is unchanged: the same check result.
    let r = spec_in(d.path(), &["check", "--format", "json", "a.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
}

#[test]
fn fmt_refuses_a_file_with_syntax_errors() {
    let d = tmp();
    let broken = "module 7001FM \"Broken\" {\n  credits ten\n  level 7\n}\n";
    write(d.path(), "bad.pspec", broken);
    write(d.path(), "good.pspec", MESSY);
    let r = spec_in(d.path(), &["fmt", "--no-color", "bad.pspec", "good.pspec"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("spec/syntax"), "{}", r.stderr);
    assert!(
        r.stderr.contains("expected a whole number, found `ten`"),
        "rendered like spec check: {}",
        r.stderr
    );
    assert!(r.stderr.contains("bad.pspec:2:"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(d.path().join("bad.pspec")).expect("read"),
        broken
    );
    // The other file is still formatted.
    assert_ne!(
        std::fs::read_to_string(d.path().join("good.pspec")).expect("read"),
        MESSY
    );
}

#[test]
fn fmt_unreadable_path_exit_2_and_nothing_written() {
    let d = tmp();
    write(d.path(), "a.pspec", MESSY);
    let r = spec_in(d.path(), &["fmt", "a.pspec", "missing.pspec"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("missing.pspec"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(d.path().join("a.pspec")).expect("read"),
        MESSY,
        "nothing is written when a path is unreadable"
    );
}

#[test]
fn fmt_stdin_to_stdout() {
    let d = tmp();
    let r = spec_full(d.path(), &["fmt", "-"], Some(MESSY.as_bytes()), &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.starts_with("module 7001FM \"Formatting\" {\n  credits 20\n"),
        "{}",
        r.stdout
    );
    let again = spec_full(d.path(), &["fmt", "-"], Some(r.stdout.as_bytes()), &[]);
    assert_eq!(again.stdout, r.stdout, "idempotent");
    let check = spec_full(d.path(), &["fmt", "--check", "-"], Some(MESSY.as_bytes()), &[]);
    assert_eq!(check.code, Some(1));
}

#[test]
fn examples_and_init_output_are_canonically_formatted() {
    let r = spec_in(Path::new(EXAMPLES), &["fmt", "--check", "."]);
    assert_eq!(r.code, Some(0), "examples/ is not canonical:\n{}{}", r.stdout, r.stderr);
    let d = tmp();
    assert_eq!(spec_in(d.path(), &["init"]).code, Some(0));
    let r = spec_in(d.path(), &["fmt", "--check"]);
    assert_eq!(
        r.code,
        Some(0),
        "`spec init` output is not canonical:\n{}{}",
        r.stdout,
        r.stderr
    );
}

// ------------------------------------------------------------ waivers, options

const CONFORMANCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance");

#[test]
fn json_waived_diagnostic_names_its_variance() {
    let r = spec_in(
        Path::new(EXAMPLES),
        &["check", "--format", "json", "programmes/pgcert-academic-practice.pspec"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    let json = r.json();
    let d = json["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "PG.A4.5/year-long"))
        .unwrap_or_else(|| panic!("no PG.A4.5/year-long: {}", r.stdout));
    assert_eq!(d["waived"], true);
    assert_eq!(d["severity"], "error", "a waived diagnostic keeps its severity");
    assert_eq!(d["clause"], "PG.A4.5");
    assert_eq!(d["programme"], "PGCAP");
    assert_eq!(d["waived_by"]["rule"], "PG.A4.5/year-long");
    assert_eq!(d["waived_by"]["file"], "programmes/pgcert-academic-practice.pspec");
    // The `variance` line of the example.
    let text =
        std::fs::read_to_string(Path::new(EXAMPLES).join("programmes/pgcert-academic-practice.pspec")).expect("read");
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("variance PG.A4.5/year-long"))
        .expect("variance line")
        + 1;
    assert_eq!(d["waived_by"]["line"], line as u64);
    assert_eq!(json["summary"]["waived"], 1);
    assert_eq!(
        json["summary"]["errors"], 0,
        "waived diagnostics are not counted as errors"
    );
}

#[test]
fn deny_warnings_and_require_approved_variances() {
    let dir = Path::new(CONFORMANCE);
    // Two warnings (an unused and a pending variance), no errors.
    let r = spec_in(dir, &["check", "--format", "json", "msc-variances.pspec"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["warnings"], 2, "{}", r.stdout);
    let r = spec_in(dir, &["check", "--deny", "warnings", "msc-variances.pspec"]);
    assert_eq!(r.code, Some(1), "--deny warnings: {}", r.stdout);
    // The approved variance still waives under --require-approved-variances.
    let r = spec_in(
        dir,
        &[
            "check",
            "--require-approved-variances",
            "--format",
            "json",
            "msc-variances.pspec",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    assert_eq!(r.json()["summary"]["waived"], 2, "{}", r.stdout);
}

#[test]
fn pending_variance_waives_nothing_when_approval_is_required() {
    let d = tmp();
    let text = std::fs::read_to_string(Path::new(EXAMPLES).join("programmes/pgcert-academic-practice.pspec"))
        .expect("read")
        .replace(
            "    approved \"Academic Quality and Standards Committee\" 2024-04-10\n",
            "",
        );
    write(d.path(), "spec.toml", "");
    write(d.path(), "p.pspec", &text);
    let modules = std::fs::read_to_string(Path::new(EXAMPLES).join("modules/academic-practice.pspec")).expect("read");
    write(d.path(), "m.pspec", &modules);
    let r = spec_in(d.path(), &["check", "--format", "json", "p.pspec"]);
    assert_eq!(r.code, Some(0), "a pending variance waives: {}", r.stdout);
    assert!(
        codes(&r.json()).contains(&"spec/variance-pending".to_string()),
        "{}",
        r.stdout
    );
    let r = spec_in(
        d.path(),
        &["check", "--require-approved-variances", "--format", "json", "p.pspec"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let json = r.json();
    let d0 = json["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "PG.A4.5/year-long"))
        .expect("reported");
    assert_eq!(d0["waived"], false);
}

#[test]
fn json_pathway_names_the_failing_choice() {
    let d = tmp();
    write(d.path(), "spec.toml", "");
    let mut mods: Vec<String> = ["7001PW", "7002PW", "7004PW"].iter().map(|c| module(c, 20)).collect();
    // A level-6 option: the pathway that takes it breaks PG.B2/level.
    mods.push(module("7003PW", 20).replace("level 7", "level 6"));
    write(d.path(), "m.pspec", &mods.join("\n"));
    write(
        d.path(),
        "p.pspec",
        "programme PPW \"Pathways\" {\n  award PGCert\n  framework ljmu-pgt-2022\n  credits 60\n  structure {\n    core 7001PW, 7002PW semester 1\n    option \"Options\" choose 20 credits from 7003PW, 7004PW semester 2\n  }\n}\n",
    );
    let r = spec_in(d.path(), &["check", "--format", "json", "p.pspec"]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    let json = r.json();
    let d0 = json["diagnostics"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == "PG.B2/level"))
        .unwrap_or_else(|| panic!("no PG.B2/level: {}", r.stdout));
    let mut codes: Vec<&str> = d0["pathway"]
        .as_array()
        .expect("pathway is an array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec!["7001PW", "7002PW", "7003PW"],
        "the failing pathway takes the level-6 option"
    );
}
