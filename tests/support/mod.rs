//! The one test harness of the integration tests, used as `mod support;`:
//!
//! - [`analyse`] and [`analyse_as`]: a text through the analysis, as one
//!   primary file, without the binary;
//! - [`spec`]: the `spec` binary, run to completion ([`Spec`], [`Run`]);
//! - [`copy_dir`] and [`FakeCatalogue`], which several crates need;
//! - [`Header`]: the `# KEY: id, id` header comments of every fixture
//!   (`expect`, `waived`, `expect-include`, `expect-spec`, `expect-policy`);
//! - [`rules_md`]: the rule tables of the contract's rules.md, from which the
//!   rule lists and counts of the tests are derived;
//! - [`pspec_files_under`] (every `.pspec` under a folder, sorted) and [`Rng`]
//!   (the seeded generator of the random-edit tests).
//!
//! Each test crate uses only part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use spec::analysis::{analyze, Analysis, Input, Options};
use spec::rules::{RuleCatalogue, RuleInfo};

/// The `spec` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_spec");
/// The crate's root directory.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

// ------------------------------------------------------------ analysis

/// `text` as `fixture.pspec`, under the default options.
pub fn analyse(text: &str) -> Analysis {
    analyse_as("fixture.pspec", text, &Options::default())
}

/// `text` as `fixture.pspec`, under `options`.
pub fn analyse_with(text: &str, options: &Options) -> Analysis {
    analyse_as("fixture.pspec", text, options)
}

/// `text` as the one primary file `name`, under `options`.
pub fn analyse_as(name: &str, text: &str, options: &Options) -> Analysis {
    let input = Input {
        name: name.to_string(),
        path: None,
        text: Arc::from(text),
        primary: true,
    };
    analyze(vec![input], options)
}

// ------------------------------------------------------------ the binary

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit status, -1 when killed by a signal.
    pub fn status(&self) -> i32 {
        self.code.unwrap_or(-1)
    }

    /// Stdout as JSON; panics with both streams if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr))
    }
}

/// A run of the binary being set up: stdin is empty unless given.
pub struct Spec {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// `spec ARGS`, in the test's working directory.
pub fn spec<S: AsRef<OsStr>>(args: &[S]) -> Spec {
    bin().args(args)
}

/// `spec`, arguments to come.
pub fn bin() -> Spec {
    Spec {
        cmd: Command::new(BIN),
        stdin: None,
    }
}

impl Spec {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Spec {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Spec {
        self.cmd.args(args);
        self
    }

    /// Run in `dir`.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Spec {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Spec {
        self.cmd.env(key, value);
        self
    }

    pub fn envs(mut self, vars: &[(&str, &str)]) -> Spec {
        for (k, v) in vars {
            self.cmd.env(k, v);
        }
        self
    }

    pub fn env_remove(mut self, key: &str) -> Spec {
        self.cmd.env_remove(key);
        self
    }

    /// `NO_COLOR=1`: plain output whatever the terminal.
    pub fn no_color(self) -> Spec {
        self.env("NO_COLOR", "1")
    }

    /// Feed `input` on stdin (`None`: stdin is empty).
    pub fn stdin(mut self, input: Option<&[u8]>) -> Spec {
        self.stdin = input.map(<[u8]>::to_vec);
        self
    }

    /// Runs it to completion.
    pub fn run(mut self) -> Run {
        let piped = self.stdin.is_some();
        self.cmd
            .stdin(if piped { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("spec runs");
        if let Some(input) = &self.stdin {
            child
                .stdin
                .take()
                .expect("stdin is piped")
                .write_all(input)
                .expect("stdin written");
        }
        let out = child.wait_with_output().expect("spec finishes");
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The `.pspec` files directly in `dir`, sorted (a fixture folder, the
/// conformance suite).
pub fn pspec_files(dir: impl AsRef<Path>) -> Vec<std::path::PathBuf> {
    let dir = dir.as_ref();
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pspec"))
        .collect();
    files.sort();
    files
}

/// Copies the tree `from` into `to` (made if missing).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

// ------------------------------------------------------------ a fake catalogue

/// A rule catalogue made by hand: the rules of each framework (sorted by
/// id, as the real one gives them), and the frameworks with a criterion rule
/// of their own.
pub struct FakeCatalogue {
    pub rules: std::collections::HashMap<String, Vec<RuleInfo>>,
    pub criterion_rule: std::collections::HashSet<String>,
}

impl RuleCatalogue for FakeCatalogue {
    fn rule(&self, framework: &str, id: &str) -> Option<&RuleInfo> {
        self.rules.get(framework)?.iter().find(|r| r.id == id)
    }
    fn rules(&self, framework: &str) -> Vec<&RuleInfo> {
        self.rules
            .get(framework)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }
    fn frameworks(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rules.keys().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
    fn has_criterion_rule(&self, framework: &str) -> bool {
        self.criterion_rule.contains(framework)
    }
}

// ------------------------------------------------------------ fixture headers

/// The header comments of a fixture or conformance case: every comment line
/// `# KEY: A, B` (any line of the file; a repeated key adds up; `# KEY:`
/// alone gives the empty set).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Header {
    keys: BTreeMap<String, BTreeSet<String>>,
}

/// The keys a header may hold (a comment with another word before its
/// colon is prose).
pub const HEADER_KEYS: &[&str] = &["expect", "expect-include", "waived", "expect-spec", "expect-policy"];

impl Header {
    pub fn parse(text: &str) -> Header {
        let mut h = Header::default();
        for line in text.lines() {
            let Some(comment) = line.trim_start().strip_prefix('#') else {
                continue;
            };
            let Some((key, rest)) = comment.trim().split_once(':') else {
                continue;
            };
            if HEADER_KEYS.contains(&key) {
                h.keys.entry(key.to_string()).or_default().extend(ids(rest));
            }
        }
        h
    }

    /// The ids under `key`, `None` when the header has no such line.
    pub fn get(&self, key: &str) -> Option<&BTreeSet<String>> {
        self.keys.get(key)
    }

    /// The ids under `key`; panics, naming `what`, when there is no such line.
    pub fn require(&self, key: &str, what: &Path) -> BTreeSet<String> {
        self.get(key)
            .cloned()
            .unwrap_or_else(|| panic!("{} has no `# {key}:` line", what.display()))
    }
}

/// `A, B, ` -> {A, B}.
pub fn ids(list: &str) -> BTreeSet<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

// ------------------------------------------------------------ rules.md

/// One row of a rule table of rules.md.
#[derive(Debug, Clone)]
pub struct MdRule {
    pub id: String,
    /// The framework (pack) of the section the table is in; `spec` for the
    /// `spec/` table.
    pub framework: String,
    /// `E`, `W` or `I`, when the cell is one letter (PG.C1.4/assessment-count
    /// chooses per case).
    pub severity: Option<char>,
    /// The "fires when" cell.
    pub fires: String,
    /// The "admits" cell (`-`: none); `None` in a table without the column.
    pub admits: Option<Vec<String>>,
}

/// The rules.md of the shared contract.
pub fn rules_md_text() -> String {
    std::fs::read_to_string(format!("{ROOT}/../shared/design/rules.md")).expect("rules.md")
}

/// Every rule row of rules.md, in order.
pub fn rules_md() -> Vec<MdRule> {
    let mut out = Vec::new();
    let mut framework = String::new();
    let mut with_admits = false;
    for line in rules_md_text().lines() {
        if line.starts_with('#') {
            // `## `ljmu-pgt-2022` — ...`, `### `ljmu-attendance` — ...`
            if let Some(name) = line.split('`').nth(1) {
                framework = name.trim_end_matches('/').to_string();
            }
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[0].is_empty() {
            continue;
        }
        if cells[1] == "id" {
            with_admits = cells.contains(&"admits");
            continue;
        }
        let id = cells[1];
        if !id.contains('/') || id.starts_with("---") {
            continue;
        }
        let inner: Vec<&str> = cells[1..cells.len() - 1].to_vec();
        let severity = match inner.get(1).map(|s| s.chars().collect::<Vec<_>>()) {
            Some(c) if c.len() == 1 => Some(c[0]),
            _ => None,
        };
        let admits = with_admits.then(|| {
            let cell = inner.last().copied().unwrap_or("-");
            if cell == "-" {
                Vec::new()
            } else {
                cell.split(',').map(|s| s.trim().to_string()).collect()
            }
        });
        out.push(MdRule {
            id: id.to_string(),
            framework: if id.starts_with("spec/") {
                "spec".to_string()
            } else {
                framework.clone()
            },
            severity,
            fires: inner.get(2).copied().unwrap_or("").to_string(),
            admits,
        });
    }
    out
}

// ------------------------------------------------------------ corpora

/// Every `.pspec` file under `dir`, in every subfolder, sorted.
pub fn pspec_files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "pspec") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// A seeded xorshift generator: the same sequence on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
