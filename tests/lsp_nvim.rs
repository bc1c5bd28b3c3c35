//! End to end in a real editor: headless Neovim's built-in LSP client runs
//! `spec lsp`, opens a spec with known violations, and we check what Neovim
//! received: the diagnostics (rule ids and lines), a hover and a go to
//! definition. Every test runs in two Neovims: Debian bookworm's packaged
//! `nvim` (0.7.2) and a newer one (0.10, `scripts/install-nvim-new.sh`;
//! `SPEC_NVIM_NEW` names another). Fails (never skips) when either is
//! missing: run `scripts/install-test-deps.sh`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const MODULES: &str = r#"module 7101EN "Research Skills for Engineers" {
  credits 10
  level 7
  research-skills
  outcomes { LO1 "Plan an engineering investigation" }
  assessment AS1 "Plan" { kind coursework weight 100% covers LO1 }
}
"#;

const SPEC: &str = r#"# Known violations, one per module.
module 7102EN "Engineering Analysis" {
  credits 20
  level 12
  requires 7101EN
  outcomes { LO1 "Analyse engineering systems" }
  assessment AS1 "Exam" { kind exam weight 100% covers LO1 }
}

module 7105EN "Project Management" {
  credits 20
  level 7
  outcomes {
    LO1 "Plan projects"
    LO2 "Manage risk"
  }
  assessment AS1 "Plan" { kind coursework weight 60% covers LO1 }
  assessment AS2 "Risk register" { kind coursework weight 30% covers LO2 }
}

programme MSCEN "MSc Engineering Management" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  structure {
    core 7101EN, 7102EN, 7105EN, 7999EN semester 1
  }
}
"#;

fn nvim_version(nvim: &Path) -> Option<String> {
    let out = Command::new(nvim).arg("--version").output().ok()?;
    String::from_utf8(out.stdout).ok()?.lines().next().map(str::to_string)
}

/// The two Neovims every test runs in, with their versions: the packaged
/// one on PATH and the newer one that scripts/install-nvim-new.sh unpacks.
fn neovims() -> Vec<(PathBuf, String)> {
    let new = std::env::var_os("SPEC_NVIM_NEW").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/spec-test-tools/nvim-new/nvim")
    });
    let all: Vec<(PathBuf, String)> = [PathBuf::from("nvim"), new]
        .into_iter()
        .map(|n| {
            let v = nvim_version(&n)
                .unwrap_or_else(|| panic!("`{}` does not run: run scripts/install-test-deps.sh", n.display()));
            (n, v)
        })
        .collect();
    assert_ne!(all[0].1, all[1].1, "the two Neovims are the same version");
    all
}

#[test]
fn neovim_receives_diagnostics_hover_and_definition() {
    for (nvim, version) in neovims() {
        receives_diagnostics_hover_and_definition(&nvim, &version);
    }
}

fn receives_diagnostics_hover_and_definition(nvim: &Path, version: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::write(root.join("spec.toml"), "").unwrap();
    std::fs::write(root.join("modules.pspec"), MODULES).unwrap();
    let file = root.join("programme.pspec");
    std::fs::write(&file, SPEC).unwrap();
    let out = root.join("nvim-result.json");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/e2e.lua");
    // 0-based positions: `7101EN` in `requires` (line 4) and in the structure (line 25).
    let started = Instant::now();
    let status = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", script.display()))
        .current_dir(&root)
        .env("SPEC_BIN", env!("CARGO_BIN_EXE_spec"))
        .env("SPEC_FILE", &file)
        .env("SPEC_ROOT", &root)
        .env("SPEC_OUT", &out)
        .env("SPEC_EXPECT", "4")
        .env("SPEC_HOVER", "4:12")
        .env("SPEC_DEF", "25:11")
        .env("XDG_CACHE_HOME", root.join(".cache"))
        .env("XDG_STATE_HOME", root.join(".state"))
        .env("XDG_DATA_HOME", root.join(".data"))
        .env("XDG_CONFIG_HOME", root.join(".config"))
        .status()
        .expect("run nvim");
    assert!(status.success(), "{version} exited with {status}");
    assert!(started.elapsed() < Duration::from_secs(60), "{version}");
    let text = std::fs::read_to_string(&out).expect("the Lua script wrote its results");
    let r: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(r["errors"], serde_json::json!([]), "{version}: {r:#}");
    assert_eq!(r["client"], true);

    let mut diags: Vec<(String, u64)> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("?").to_string(),
                d["lnum"].as_u64().unwrap(),
            )
        })
        .collect();
    diags.sort();
    let expected: Vec<(String, u64)> = vec![
        ("spec/assessment-weights".into(), 16),
        ("spec/invalid-value".into(), 3),
        ("spec/unknown-reference".into(), 25),
    ];
    for e in &expected {
        assert!(diags.contains(e), "{version}: missing {e:?} in {diags:?}");
    }

    let hover = r["hover"].as_str().expect("a hover");
    assert!(
        hover.contains("Research Skills for Engineers") && hover.contains("10 credits, level 7"),
        "{version}: {hover}"
    );
    let def = &r["definition"];
    assert_eq!(
        def["uri"],
        format!("file://{}", root.join("modules.pspec").display()),
        "{version}"
    );
    assert_eq!(def["line"], 0, "{version}");
}

/// Runs the configuration docs/editors.md gives, as written (extracted from
/// the page), in the installed Neovim on a workspace holding MODULES and
/// `programme.pspec` = `spec`, with `script` (under tests/nvim) run after
/// the file is open. The cache (where built-in packs are materialised) is
/// outside the workspace, as `~/.cache` is. Returns what the script wrote.
fn run_documented_config(nvim: &Path, spec: &str, script: &str, env: &[(&str, &str)]) -> Value {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/editors.md")).unwrap();
    let section = docs.split("## Neovim").nth(1).expect("a Neovim section");
    let config = section
        .split("```lua\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a lua block in the Neovim section");
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = std::fs::canonicalize(home.path()).unwrap();
    std::fs::write(root.join("spec.toml"), "").unwrap();
    std::fs::write(root.join("modules.pspec"), MODULES).unwrap();
    let file = root.join("programme.pspec");
    std::fs::write(&file, spec).unwrap();
    let init = home.join("init.lua");
    std::fs::write(&init, config).unwrap();
    let out = home.join("result.json");
    // `spec` on PATH, as the configuration expects.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_spec")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let check = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim").join(script);
    let mut cmd = Command::new(nvim);
    cmd.args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .arg(&file)
        .arg("-c")
        .arg(format!("luafile {}", check.display()))
        .current_dir(&root)
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("SPEC_OUT", &out);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("nvim runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{} did not finish in 60 s", nvim.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&out).expect("the script wrote its results");
    serde_json::from_str(&text).expect("json")
}

/// The configuration docs/editors.md gives, run as written in the installed
/// Neovim (Debian's 0.7.2 on CI): `.pspec` gets its filetype, `spec lsp`
/// starts and Neovim receives its diagnostics.
#[test]
fn the_documented_neovim_configuration_starts_the_server() {
    for (nvim, version) in neovims() {
        let v = run_documented_config(&nvim, SPEC, "check.lua", &[("SPEC_EXPECT", "4")]);
        assert_eq!(v["filetype"], "pspec", "{version}: {v}");
        assert_eq!(v["clients"], serde_json::json!(["spec"]), "{version}: {v}");
        let codes: Vec<&str> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&"spec/invalid-value"), "{version}: {v}");
        assert!(codes.len() >= 4, "{version}: {v}");
    }
}

/// Issue 9 point 5: go to definition on a rule id opens the built-in pack
/// (a read-only copy under the cache directory, outside the workspace);
/// with the documented configuration it is served by the server that
/// showed it, and no second `spec lsp` starts.
#[test]
fn opening_an_embedded_pack_by_go_to_definition_starts_no_second_server() {
    let spec = SPEC.replace(
        "    core 7101EN, 7102EN, 7105EN, 7999EN semester 1\n  }\n",
        "    core 7101EN, 7102EN, 7105EN, 7999EN semester 1\n  }\n  variance PG.A4.2/module-size {\n    criterion discipline\n  }\n",
    );
    let line = spec
        .lines()
        .position(|l| l.contains("variance PG.A4.2/module-size"))
        .unwrap();
    let def = format!("{line}:12");
    for (nvim, version) in neovims() {
        embedded_pack_in_one_server(&nvim, &version, &spec, &def);
    }
}

fn embedded_pack_in_one_server(nvim: &Path, version: &str, spec: &str, def: &str) {
    let v = run_documented_config(nvim, spec, "embedded.lua", &[("SPEC_EXPECT", "4"), ("SPEC_DEF", def)]);
    assert_eq!(v["errors"], serde_json::json!([]), "{version}: {v}");
    let pack = v["pack"]
        .as_str()
        .unwrap_or_else(|| panic!("{version}: no pack opened: {v}"));
    assert!(
        pack.ends_with("/embedded/policies/ljmu-pgt-2022.policy"),
        "{version}: {v}"
    );
    assert_eq!(v["pack_filetype"], "spec-policy", "{version}: {v}");
    assert_eq!(
        v["clients"],
        serde_json::json!(["spec"]),
        "{version}: a second server started: {v}"
    );
    assert_eq!(v["pack_clients"], v["spec_clients"], "{version}: {v}");
    assert_eq!(v["pack_clients"].as_array().map(Vec::len), Some(1), "{version}: {v}");
}
