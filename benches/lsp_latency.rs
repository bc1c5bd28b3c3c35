//! Keystroke-to-publishDiagnostics latency of `spec lsp` (a benchmark, not a
//! test: nothing here asserts a timing).
//!
//! ```sh
//! cargo bench --bench lsp_latency                       # both scenarios
//! cargo bench --bench lsp_latency -- --keystrokes 40 --debounce 50
//! ```
//!
//! Scenarios, each in a fresh server over real stdio JSON-RPC:
//! - `300-module file`: one open file of 300 modules and a programme;
//! - `2,000-programme workspace`: the synthetic catalogue of
//!   `common/catalogue.rs` (2,000 MSc programmes, 22,000 modules, 400
//!   files), one programme file open.
//!
//! A keystroke is one `didChange` (full text) that types or deletes one
//! character in a module's `level` (`level 7` <-> `level 71`), so every
//! keystroke changes the diagnostics of the open file; the latency is from
//! writing the notification to reading the `publishDiagnostics` for that
//! file. Keystrokes are spaced beyond the debounce floor. Reports p50, p95
//! and max, and the time to the first diagnostics after `initialized`.
//!
//! Then `--hovers N` (default 10) times: one more keystroke with a hover on
//! the first module code written right behind it; the hover latency is from
//! writing the hover request to reading its answer (the server must answer
//! from the new text without waiting for the whole-workspace re-check).
//!
//! Then as many completions, each right after an edit, at the start of a
//! module code (after `requires ` or `core `): latency, items returned and
//! whether the list was cut (`isIncomplete`). Also reported: the time from
//! `initialize` to the opened file's first diagnostics, and the server's
//! RSS once the start-up analysis settled and at the end (after every
//! edit), read from `/proc/PID/status`.
//!
//! `SPEC_LSP_BENCH_BIN=/path/to/spec` measures another build (e.g. an
//! earlier commit) with this harness.

#[allow(dead_code, clippy::manual_is_multiple_of)] // shared with check_throughput; only `generate` is used here
#[path = "common/catalogue.rs"]
mod catalogue;
#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use lsp_client::{uri, Client};
use serde_json::json;

fn module(code: &str, level: &str) -> String {
    format!(
        "module {code} \"Module {code}\" {{\n  credits 20\n  level {level}\n  outcomes {{\n    LO1 \"Analyse a problem\"\n    LO2 \"Evaluate a solution\"\n  }}\n  assessment AS1 \"Coursework\" {{\n    kind coursework\n    weight 50%\n    covers LO1\n  }}\n  assessment AS2 \"Exam\" {{\n    kind exam\n    weight 50%\n    covers LO2\n  }}\n}}\n\n"
    )
}

/// One file: 300 modules (one with an invalid level, so the file always has
/// a diagnostic) and a programme listing some of them.
fn big_file(levels_of_150: &str) -> String {
    let mut s = String::new();
    for i in 0..300 {
        let level = if i == 150 { levels_of_150 } else { "7" };
        let m = module(&format!("M{i:04}"), level);
        // A permanent fault, so the file always has diagnostics.
        s.push_str(&if i == 299 {
            m.replace("credits 20", "credits 0")
        } else {
            m
        });
    }
    s.push_str(
        "programme P300 \"MSc Large\" {\n  award MSc\n  framework ljmu-pgt-2022\n  credits 180\n  structure {\n",
    );
    for sem in 0..3 {
        let codes: Vec<String> = (0..3).map(|j| format!("M{:04}", sem * 3 + j)).collect();
        let _ = writeln!(s, "    core {} semester {}", codes.join(", "), sem + 1);
    }
    s.push_str("  }\n}\n");
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Result {
    name: String,
    first: Duration,
    /// `initialize` to the opened file's first diagnostics.
    first_open: Duration,
    /// Completion after an edit: latency, items, and how many were cut.
    completions: Vec<Duration>,
    items: usize,
    incomplete: bool,
    /// Server RSS (kB) after the start-up analysis and at the end.
    rss_start: u64,
    rss_end: u64,
    samples: Vec<Duration>,
    missed: usize,
    hovers: Vec<Duration>,
}

/// Runs one scenario: opens `file` (its text is `text(false)`), then types
/// `keystrokes` times alternating `text(true)` / `text(false)`.
fn run(
    name: &str,
    root: &Path,
    file: &Path,
    text: &dyn Fn(bool) -> String,
    keystrokes: usize,
    hovers: usize,
    debounce: u64,
) -> Result {
    let bin = std::env::var("SPEC_LSP_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_spec").to_string());
    let bin = bin.as_str();
    let deb = debounce.to_string();
    let mut c = Client::start(bin, root, &[("SPEC_LSP_DEBOUNCE_MS", &deb)]);
    let t0 = Instant::now();
    c.initialize(Some(root), json!({}));
    let u = uri(file);
    c.open(file, &text(false));
    // The first diagnostics of the workspace (any file).
    let deadline = Instant::now() + Duration::from_secs(120);
    while c.publications.is_empty() && Instant::now() < deadline {
        c.drain(Duration::from_millis(20));
    }
    let Some(first) = c.publications.first().map(|(t, _, _)| *t - t0) else {
        eprintln!("{name}: no diagnostics within 120 s");
        return Result {
            name: name.into(),
            first: Duration::ZERO,
            first_open: Duration::ZERO,
            completions: Vec::new(),
            items: 0,
            incomplete: false,
            rss_start: 0,
            rss_end: 0,
            samples: Vec::new(),
            missed: keystrokes,
            hovers: Vec::new(),
        };
    };
    while !c.publications.iter().any(|(_, x, _)| *x == u) && Instant::now() < deadline {
        c.drain(Duration::from_millis(5));
    }
    let first_open = c
        .publications
        .iter()
        .find(|(_, x, _)| *x == u)
        .map(|(t, _, _)| *t - t0)
        .unwrap_or_default();
    // Let the start-up publications settle (the whole workspace's).
    c.drain(Duration::from_millis(1500));
    let rss_start = c.rss_kb().unwrap_or(0);
    let mut samples = Vec::new();
    let mut missed = 0;
    for k in 0..keystrokes {
        let t = text(k % 2 == 0);
        let sent = Instant::now();
        c.change(file, k as i64 + 2, &t);
        match c.next_publication(&u, Duration::from_secs(60)) {
            Some((at, _)) => samples.push(at - sent),
            None => missed += 1,
        }
        std::thread::sleep(Duration::from_millis(debounce + 30));
        c.drain(Duration::from_millis(10));
    }
    let mut hover_samples = Vec::new();
    for k in 0..hovers {
        let t = text(k % 2 == 0);
        let before = c.publications.len();
        c.change(file, (keystrokes + k) as i64 + 2, &t);
        let sent = Instant::now();
        let id = c.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": lsp_client::pos(&t, "module ", 7)}),
        );
        if c.response(id).is_ok_and(|v| !v.is_null()) {
            hover_samples.push(sent.elapsed());
        }
        // The edit's publication (it may have come before the answer).
        let deadline = Instant::now() + Duration::from_secs(60);
        while !c.publications[before..].iter().any(|(_, x, _)| *x == u) && Instant::now() < deadline {
            c.drain(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(debounce + 30));
        c.drain(Duration::from_millis(10));
    }
    // Completion right after an edit, at the start of a module code (after
    // `requires ` in a module file, `core ` in a structure).
    let mut completions = Vec::new();
    let (mut items, mut incomplete) = (0, false);
    for k in 0..hovers {
        let t = text(k % 2 == 0);
        c.change(file, (keystrokes + hovers + k) as i64 + 2, &t);
        let sent = Instant::now();
        let id = c.send_request(
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": if t.contains("requires ") {
                lsp_client::pos(&t, "requires ", 9)
            } else {
                lsp_client::pos(&t, "core ", 5)
            }}),
        );
        if let Ok(v) = c.response(id) {
            completions.push(sent.elapsed());
            items = v["items"].as_array().map_or(0, |a| a.len());
            incomplete = v["isIncomplete"].as_bool().unwrap_or(false);
        }
        std::thread::sleep(Duration::from_millis(debounce + 30));
        c.drain(Duration::from_millis(10));
    }
    c.drain(Duration::from_millis(1500));
    let rss_end = c.rss_kb().unwrap_or(0);
    c.shutdown();
    samples.sort();
    hover_samples.sort();
    completions.sort();
    Result {
        name: name.into(),
        first,
        first_open,
        completions,
        items,
        incomplete,
        rss_start,
        rss_end,
        samples,
        missed,
        hovers: hover_samples,
    }
}

fn main() {
    let mut keystrokes = 30;
    let mut hovers = 10;
    let mut debounces: Vec<u64> = vec![0];
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--keystrokes" => keystrokes = args.next().and_then(|v| v.parse().ok()).unwrap_or(keystrokes),
            "--hovers" => hovers = args.next().and_then(|v| v.parse().ok()).unwrap_or(hovers),
            "--debounce" => {
                debounces = args
                    .next()
                    .map(|v| v.split(',').filter_map(|x| x.parse().ok()).collect())
                    .unwrap_or(debounces)
            }
            "--only" => only = args.next(),
            "--bench" => {}
            other => {
                eprintln!("unknown argument `{other}` (--keystrokes N, --hovers N, --debounce MS[,MS], --only file|workspace)");
                std::process::exit(2);
            }
        }
    }
    let mut results = Vec::new();
    for &debounce in &debounces {
        if only.as_deref() != Some("workspace") {
            let dir = tempfile::tempdir().expect("tempdir");
            let root = std::fs::canonicalize(dir.path()).unwrap();
            std::fs::write(root.join("spec.toml"), "").unwrap();
            let file = root.join("large.pspec");
            std::fs::write(&file, big_file("7")).unwrap();
            let text = |typed: bool| big_file(if typed { "71" } else { "7" });
            results.push(run(
                &format!("300-module file, debounce {debounce} ms"),
                &root,
                &file,
                &text,
                keystrokes,
                hovers,
                debounce,
            ));
        }
        if only.as_deref() != Some("file") {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-lsp-workspace");
            if !dir.join("spec.toml").exists() {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(&dir).unwrap();
                catalogue::generate(
                    &dir,
                    catalogue::Size {
                        programmes: 2000,
                        per_file: 10,
                        faults: true,
                    },
                )
                .expect("generate the catalogue");
                if !dir.join("spec.toml").exists() {
                    std::fs::write(dir.join("spec.toml"), "").unwrap();
                }
            }
            let root = std::fs::canonicalize(&dir).unwrap();
            // The first module file: edit one `level 7` in it.
            let mut files: Vec<_> = walk(&root);
            files.sort();
            let file = files
                .into_iter()
                .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("level 7\n")))
                .expect("a module file");
            let original = std::fs::read_to_string(&file).unwrap();
            let typed = original.replacen("level 7\n", "level 71\n", 1);
            let text = |t: bool| if t { typed.clone() } else { original.clone() };
            results.push(run(
                &format!("2,000-programme workspace, debounce {debounce} ms"),
                &root,
                &file,
                &text,
                keystrokes,
                hovers,
                debounce,
            ));
        }
    }
    println!("\n| scenario | open file's first diagnostics | completion after an edit p50 / p95 | items (cut) | RSS after start | RSS at the end |");
    println!("|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} | {} / {} | {}{} | {} MB | {} MB |",
            r.name,
            ms(r.first_open),
            ms(percentile(&r.completions, 0.5)),
            ms(percentile(&r.completions, 0.95)),
            r.items,
            if r.incomplete { ", isIncomplete" } else { "" },
            r.rss_start / 1024,
            r.rss_end / 1024
        );
    }
    println!("\n| scenario | first diagnostics | keystrokes | p50 | p95 | max | hovers after an edit | hover p50 | hover p95 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &results {
        println!(
            "| {} | {} | {}{} | {} | {} | {} | {} | {} | {} |",
            r.name,
            ms(r.first),
            r.samples.len(),
            if r.missed > 0 {
                format!(" ({} missed)", r.missed)
            } else {
                String::new()
            },
            ms(percentile(&r.samples, 0.5)),
            ms(percentile(&r.samples, 0.95)),
            ms(r.samples.last().copied().unwrap_or_default()),
            r.hovers.len(),
            ms(percentile(&r.hovers, 0.5)),
            ms(percentile(&r.hovers, 0.95))
        );
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "pspec") {
            out.push(p);
        }
    }
    out
}
