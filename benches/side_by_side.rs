//! `spec check` against regorus, side by side, on the shared benchmark
//! catalogue (`../shared/bench/`, see its README).
//!
//! ```sh
//! cargo bench --features peer-bench --bench side_by_side    # 2,000 and 20,000 programmes, 3 runs each
//! cargo bench --features peer-bench --bench side_by_side -- --programmes 2000 --runs 5
//! ```
//!
//! For each size it, in one run:
//! - writes the catalogue with `gen_catalogue.py N DIR` (`.pspec` files and
//!   the same catalogue as one JSON document) under `target/`;
//! - times the release `spec check --format json DIR/pspec` cold, in a fresh
//!   process each run, under `/usr/bin/time` for its peak RSS, the binary
//!   dropped from the page cache first (`evict`);
//! - times regorus evaluating `core_rules.rego` (query
//!   `data.spec.violations`) over `DIR/catalogue.json`, also in a fresh
//!   process each run (this benchmark re-executed with `--regorus`: read the
//!   JSON, parse the policy, evaluate);
//! - checks that both report the same violations: the multiset of (rule,
//!   programme) pairs of the five core rules (a `spec` diagnostic's
//!   programme is its file's, one programme per file);
//! - times the floor: pest alone parsing every file with a minimal grammar
//!   (tokens and balanced braces, no AST), in one thread and on all cores,
//!   and spec's own parser (the tree the check builds) the same way;
//! - prints the ratio regorus / spec, peak RSS over source bytes, and the
//!   time of the largest size over the smallest.
//!
//! Nothing here asserts a timing; the results go in docs/performance.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pest::Parser;
use rayon::prelude::*;

/// The rules `core_rules.rego` implements, by their `spec` ids.
const CORE: &[&str] = &[
    "PG.A4.2/module-size",
    "PG.A4.2/dissertation-credits",
    "PG.A4.3/research-skills",
    "PG.A4.4/semester-balance",
    "spec/credit-total",
];

#[derive(pest_derive::Parser)]
#[grammar_inline = r#"
WHITESPACE = _{ " " | "\t" | "\r" | "\n" }
COMMENT = _{ "//" ~ (!"\n" ~ ANY)* }
file = { SOI ~ item* ~ EOI }
item = _{ block | token }
block = { "{" ~ item* ~ "}" }
token = _{ string | word | punct }
string = @{ "\"" ~ (!"\"" ~ ANY)* ~ "\"" }
word = @{ (ASCII_ALPHANUMERIC | "." | "-" | "_" | "%")+ }
punct = @{ "," | "=" | "(" | ")" | "[" | "]" | ":" }
"#]
struct Floor;

type Violations = BTreeMap<(String, String), usize>;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut sizes = vec![2000usize, 20000];
    let mut runs = 3usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--regorus" => {
                let json = args.next().expect("--regorus JSON");
                regorus_child(Path::new(&json));
                return;
            }
            "--programmes" => {
                sizes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|s| s.trim().parse().ok())
                    .collect();
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs).max(1),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/bench");
    let spec = PathBuf::from(env!("CARGO_BIN_EXE_spec"));
    println!(
        "side by side: {runs} runs each, {} cores, {} build, load average {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        if cfg!(debug_assertions) { "debug" } else { "release" },
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    let mut spec_min = Vec::new();
    for &n in &sizes {
        let dir = root.join(format!("target/bench-side-by-side-{n}"));
        let status = Command::new("python3")
            .arg(shared.join("gen_catalogue.py"))
            .arg(n.to_string())
            .arg(&dir)
            .stdout(Stdio::null())
            .status()
            .expect("python3 runs gen_catalogue.py");
        assert!(status.success(), "gen_catalogue.py failed");
        let pspec = dir.join("pspec");
        let files = pspec_files(&pspec);
        let bytes: u64 = files.iter().map(|f| f.metadata().map(|m| m.len()).unwrap_or(0)).sum();
        println!(
            "\n== {n} programmes: {} files, {:.2} MB of .pspec, catalogue.json {:.2} MB",
            files.len(),
            bytes as f64 / 1e6,
            dir.join("catalogue.json").metadata().map(|m| m.len()).unwrap_or(0) as f64 / 1e6
        );

        let mut spec_runs = Vec::new();
        let mut spec_rss = Vec::new();
        let mut spec_v = Violations::new();
        evict(&spec);
        for _ in 0..runs {
            let (t, rss, out) = timed(Command::new(&spec).args(["check", "--format", "json"]).arg(&pspec));
            spec_runs.push(t);
            spec_rss.push(rss);
            spec_v = spec_violations(&out);
        }
        let mut rego_runs = Vec::new();
        let mut rego_rss = Vec::new();
        let mut rego_v = Violations::new();
        let me = std::env::current_exe().expect("own path");
        for _ in 0..runs {
            let (t, rss, out) = timed(Command::new(&me).arg("--regorus").arg(dir.join("catalogue.json")));
            rego_runs.push(t);
            rego_rss.push(rss);
            rego_v = rego_violations(&out);
        }
        let (floor1, floor_par) = floor(&files, runs);
        let (own1, own_par) = own_parse(&files, runs);
        let steps = peak_steps(&files);

        let total = |v: &Violations| v.values().sum::<usize>();
        let same = spec_v == rego_v;
        let (smin, smed) = stats(&spec_runs);
        let (rmin, rmed) = stats(&rego_runs);
        let srss = *spec_rss.iter().max().unwrap_or(&0);
        let rrss = *rego_rss.iter().max().unwrap_or(&0);
        println!(
            "{:<46} min {:>9}  median {:>9}  peak RSS {:>7.1} MB ({:.1}x source)",
            "spec check --format json (cold)",
            ms(smin),
            ms(smed),
            srss as f64 / 1e6,
            srss as f64 / bytes as f64
        );
        println!(
            "{:<46} min {:>9}  median {:>9}  peak RSS {:>7.1} MB",
            "regorus core_rules.rego (cold)",
            ms(rmin),
            ms(rmed),
            rrss as f64 / 1e6
        );
        println!(
            "{:<46} min {:>9}  (all cores: {})",
            "floor: pest, minimal grammar",
            ms(floor1),
            ms(floor_par)
        );
        println!(
            "{:<46} min {:>9}  (all cores: {})",
            "spec's parser alone (syntax::parse, the tree)",
            ms(own1),
            ms(own_par)
        );
        println!(
            "violations: spec {}, regorus {}, {}",
            total(&spec_v),
            total(&rego_v),
            if same {
                "the same (rule, programme) pairs".to_string()
            } else {
                format!("DIFFERENT: {}", diff(&spec_v, &rego_v))
            }
        );
        for code in CORE {
            let c = |v: &Violations| v.iter().filter(|((k, _), _)| k == code).map(|(_, n)| n).sum::<usize>();
            println!("  {code:<32} spec {:>5}  regorus {:>5}", c(&spec_v), c(&rego_v));
        }
        println!(
            "ratio regorus / spec (min): {:.1}x",
            rmin.as_secs_f64() / smin.as_secs_f64()
        );
        println!(
            "evaluation budget: the largest rule run took {steps} steps of {} ({:.4}%)",
            spec::policy::eval::BUDGET,
            steps as f64 * 100.0 / spec::policy::eval::BUDGET as f64
        );
        spec_min.push((n, smin));
    }
    if let (Some((n0, t0)), Some((n1, t1))) = (spec_min.first(), spec_min.last()) {
        if n1 > n0 {
            println!(
                "\nscaling: {n1} programmes take {:.1}x the time of {n0} ({:.1}x the programmes)",
                t1.as_secs_f64() / t0.as_secs_f64(),
                *n1 as f64 / *n0 as f64
            );
        }
    }
}

/// Drops the `spec` binary from the page cache (`sync`, then `dd
/// iflag=nocache`), so its first run reads it back in the same way whatever
/// wrote it. How many of its code pages a run maps depends on that state:
/// two copies of one build differed by up to 0.9 MiB of peak RSS
/// (docs/performance.md, session 24). Best effort: on failure, says so.
fn evict(bin: &Path) {
    let ok = Command::new("sync").arg(bin).status().is_ok_and(|s| s.success())
        && Command::new("dd")
            .arg(format!("if={}", bin.display()))
            .args(["iflag=nocache", "count=0", "status=none"])
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        println!(
            "(could not drop {} from the page cache; RSS may vary by a megabyte)",
            bin.display()
        );
    }
}

/// Runs a command under `/usr/bin/time`: wall time, peak RSS in bytes, stdout.
fn timed(cmd: &mut Command) -> (Duration, u64, Vec<u8>) {
    let rss_file = std::env::temp_dir().join(format!("side-by-side-rss-{}", std::process::id()));
    let prog = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&rss_file)
        .arg(prog)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .expect("/usr/bin/time runs (apt-get install time)");
    let t = t.elapsed();
    let kb: u64 = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0);
    let _ = std::fs::remove_file(&rss_file);
    (t, kb * 1024, out.stdout)
}

fn spec_violations(out: &[u8]) -> Violations {
    let json: serde_json::Value = serde_json::from_slice(out).expect("spec check prints JSON");
    let mut v = Violations::new();
    for d in json["diagnostics"].as_array().into_iter().flatten() {
        let code = d["code"].as_str().unwrap_or_default();
        if !CORE.contains(&code) || d["waived"].as_bool() == Some(true) {
            continue;
        }
        // one programme per file: `p00042.pspec` holds `P00042`
        let file = d["file"].as_str().unwrap_or_default();
        let stem = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        *v.entry((code.to_string(), stem.to_uppercase())).or_default() += 1;
    }
    v
}

fn rego_violations(out: &[u8]) -> Violations {
    let json: serde_json::Value = serde_json::from_slice(out).expect("the regorus child prints JSON");
    let mut v = Violations::new();
    for d in json.as_array().into_iter().flatten() {
        let code = d["code"].as_str().unwrap_or_default().to_string();
        let p = d["programme"].as_str().unwrap_or_default().to_string();
        *v.entry((code, p)).or_default() += 1;
    }
    v
}

fn diff(a: &Violations, b: &Violations) -> String {
    let mut out = Vec::new();
    for (k, n) in a {
        let m = b.get(k).copied().unwrap_or(0);
        if *n != m {
            out.push(format!("{} {}: spec {n}, regorus {m}", k.0, k.1));
        }
    }
    for (k, m) in b {
        if !a.contains_key(k) {
            out.push(format!("{} {}: spec 0, regorus {m}", k.0, k.1));
        }
    }
    out.truncate(10);
    out.join("; ")
}

/// The regorus side, in its own process: read, parse, evaluate, print.
fn regorus_child(json: &Path) {
    let rego = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/core_rules.rego");
    let mut engine = regorus::Engine::new();
    engine
        .add_policy(
            "core_rules.rego".into(),
            std::fs::read_to_string(&rego).expect("core_rules.rego readable"),
        )
        .expect("core_rules.rego parses");
    let input = std::fs::read_to_string(json).expect("catalogue.json readable");
    engine.set_input_json(&input).expect("catalogue.json is JSON");
    let v = engine
        .eval_rule("data.spec.violations".into())
        .expect("data.spec.violations evaluates");
    println!("{}", v.to_json_str().expect("violations as JSON"));
}

/// pest alone over every file: one thread, then all cores (min over runs).
fn floor(files: &[PathBuf], runs: usize) -> (Duration, Duration) {
    parse_times(files, runs, |t| {
        let pairs = Floor::parse(Rule::file, t).expect("the floor grammar accepts the catalogue");
        pairs.flatten().count()
    })
}

/// spec's own parser (`syntax::parse`: the fast path, the whole tree) over
/// every file: one thread, then all cores (min over runs). What the
/// parsing step of `spec check` costs, against the pest floor above.
fn own_parse(files: &[PathBuf], runs: usize) -> (Duration, Duration) {
    parse_times(files, runs, |t| spec::syntax::parse(t).items.len())
}

/// `parse` over every file's text: one thread, then all cores, min over
/// `runs` (both must count the same).
fn parse_times(files: &[PathBuf], runs: usize, parse: impl Fn(&String) -> usize + Sync) -> (Duration, Duration) {
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).expect("catalogue file readable"))
        .collect();
    let mut one = Vec::new();
    let mut par = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let n: usize = texts.iter().map(&parse).sum();
        one.push(t.elapsed());
        let t = Instant::now();
        let m: usize = texts.par_iter().map(&parse).sum();
        par.push(t.elapsed());
        assert_eq!(n, m);
    }
    (stats(&one).0, stats(&par).0)
}

/// The most steps any one rule run takes on the catalogue, analysed in
/// this process (docs/policies.md, "Evaluation budget").
fn peak_steps(files: &[PathBuf]) -> u64 {
    let inputs = files
        .iter()
        .map(|f| spec::analysis::Input {
            name: f.display().to_string(),
            path: Some(f.clone()),
            text: std::sync::Arc::from(std::fs::read_to_string(f).expect("catalogue file readable")),
            primary: true,
        })
        .collect();
    let a = spec::analysis::analyze(inputs, &spec::analysis::Options::default());
    assert!(!a.diagnostics.iter().any(|d| d.code == "policy/limit"));
    spec::policy::eval::peak_steps()
}

fn pspec_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("catalogue directory readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pspec"))
        .collect();
    v.sort();
    v
}

fn stats(xs: &[Duration]) -> (Duration, Duration) {
    let mut xs = xs.to_vec();
    xs.sort();
    (xs[0], xs[xs.len() / 2])
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}
