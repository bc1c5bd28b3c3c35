//! Check throughput on a synthetic catalogue (see `common/catalogue.rs`).
//!
//! ```sh
//! cargo bench --bench check_throughput                    # 5 MB and 10 MB, with and without faults
//! cargo bench --bench check_throughput -- --size 5mb --runs 5
//! cargo bench --bench check_throughput -- --generate-only DIR --size 5mb
//! ```
//!
//! For each catalogue it reports, as min / median over the runs:
//! - the cold command line, `spec check --format json DIR` in a fresh
//!   process (everything: file walk, reads, parse, model, checks, policy,
//!   sort, render, write), output to a pipe that is drained;
//! - the same work stage by stage in this process: read, parse (parallel),
//!   model, `spec/` checks, policy, sort and summary (the whole of
//!   `analyze_parsed`), JSON render, human render.
//!
//! The catalogue is generated into `target/bench-catalogue-SIZE/` and is not
//! part of the repository. Nothing here asserts a timing.

#[path = "common/catalogue.rs"]
mod catalogue;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use spec::analysis::{analyze_parsed, parse_inputs, Input, Options};
use spec::check::{run_all, CheckCtx};
use spec::model::build_workspace;
use spec::source::Sources;

struct Config {
    sizes: Vec<(&'static str, catalogue::Size)>,
    runs: usize,
    generate_only: Option<PathBuf>,
}

fn size_named(name: &str) -> Option<(&'static str, catalogue::Size)> {
    let size = |programmes, faults| catalogue::Size {
        programmes,
        per_file: 10,
        faults,
    };
    Some(match name {
        "5mb" => ("5mb", size(2000, true)),
        "5mb-clean" => ("5mb-clean", size(2000, false)),
        "10mb" => ("10mb", size(3400, true)),
        "10mb-clean" => ("10mb-clean", size(3400, false)),
        "small" => ("small", size(100, true)),
        _ => return None,
    })
}

fn config() -> Config {
    let mut sizes = Vec::new();
    let mut runs = 5;
    let mut generate_only = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => {
                let v = args.next().unwrap_or_default();
                match size_named(&v) {
                    Some(s) => sizes.push(s),
                    None => {
                        eprintln!("unknown --size `{v}` (5mb, 5mb-clean, 10mb, 10mb-clean, small)");
                        std::process::exit(2);
                    }
                }
            }
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs).max(1),
            "--generate-only" => generate_only = args.next().map(PathBuf::from),
            // `cargo bench` passes `--bench`; ignore it and any filter.
            _ => {}
        }
    }
    if sizes.is_empty() {
        sizes = ["5mb", "5mb-clean", "10mb", "10mb-clean"]
            .iter()
            .filter_map(|n| size_named(n))
            .collect();
    }
    Config {
        sizes,
        runs,
        generate_only,
    }
}

fn stats(mut xs: Vec<Duration>) -> (Duration, Duration) {
    xs.sort();
    (xs[0], xs[xs.len() / 2])
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn read_inputs(dir: &Path) -> Vec<Input> {
    let files = spec::workspace::pspec_files(dir).expect("catalogue readable");
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("catalogue file readable");
            Input {
                name: f.display().to_string(),
                path: Some(f),
                text: Arc::from(text),
                primary: true,
            }
        })
        .collect()
}

fn main() {
    let cfg = config();
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    if let Some(dir) = &cfg.generate_only {
        for (name, size) in &cfg.sizes {
            let g = catalogue::generate(&dir.join(name), *size).expect("generate");
            println!(
                "generated {}: {} files, {} bytes, {} programmes, {} modules",
                g.dir.display(),
                g.files,
                g.bytes,
                g.programmes,
                g.modules
            );
        }
        return;
    }
    println!(
        "check throughput: {} runs per measurement, {} cores, {} build",
        cfg.runs,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    for (name, size) in &cfg.sizes {
        let dir = target.join(format!("bench-catalogue-{name}"));
        let t = Instant::now();
        let g = catalogue::generate(&dir, *size).expect("generate catalogue");
        println!(
            "\n== {name}: {} programmes, {} modules, {} files, {:.1} MB (generated in {})",
            g.programmes,
            g.modules,
            g.files,
            g.bytes as f64 / 1e6,
            ms(t.elapsed())
        );

        // Cold command line.
        let mut cli = Vec::new();
        let mut summary = String::new();
        for _ in 0..cfg.runs {
            let t = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_spec"))
                .args(["check", "--format", "json"])
                .arg(&dir)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .output()
                .expect("spec runs");
            cli.push(t.elapsed());
            if summary.is_empty() {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
                summary = format!("exit {:?}, summary {}", out.status.code(), json["summary"]);
            }
        }
        let (min, med) = stats(cli);
        println!(
            "{:<44} min {:>8}  median {:>8}",
            "cold `spec check --format json DIR`",
            ms(min),
            ms(med)
        );
        println!("  ({summary})");

        // Stage by stage.
        let mut rows: Vec<(&str, Vec<Duration>)> = [
            "read files",
            "parse (parallel)",
            "model",
            "spec/ checks",
            "policy",
            "analyze_parsed (model..summary)",
            "render json",
            "render human",
        ]
        .into_iter()
        .map(|n| (n, Vec::new()))
        .collect();
        let mut diag_count = 0;
        for _ in 0..cfg.runs {
            let t = Instant::now();
            let inputs = read_inputs(&dir);
            rows[0].1.push(t.elapsed());

            let t = Instant::now();
            let parsed = parse_inputs(inputs);
            rows[1].1.push(t.elapsed());

            let refs: Vec<(usize, &spec::syntax::ast::SourceFile)> =
                parsed.iter().enumerate().map(|(i, p)| (i, p.tree.as_ref())).collect();
            let mut diags = Vec::new();
            let t = Instant::now();
            let ws = build_workspace(&refs, &mut diags);
            rows[2].1.push(t.elapsed());

            let t = Instant::now();
            let pathways = spec::check::not_evaluated::all_pathways(&ws);
            let graph = spec::check::graph::PrereqGraph::new(&ws);
            run_all(
                &CheckCtx {
                    ws: &ws,
                    pathways: &pathways,
                    graph: &graph,
                },
                &mut diags,
            );
            rows[3].1.push(t.elapsed());

            let mut sources = Sources::new();
            let t = Instant::now();
            let (catalogue, _) = spec::policy::Catalogue::compile(&mut sources, &[]);
            let _ = spec::policy::check(
                &catalogue,
                &mut sources,
                &ws,
                &pathways,
                &Options::default(),
                &mut diags,
            );
            rows[4].1.push(t.elapsed());
            drop(refs);

            let t = Instant::now();
            let analysis = analyze_parsed(parsed, &Options::default());
            rows[5].1.push(t.elapsed());
            diag_count = analysis.diagnostics.len();

            let t = Instant::now();
            let json = spec::render::json::render(&analysis);
            rows[6].1.push(t.elapsed());

            let t = Instant::now();
            let human = spec::render::human::render(&analysis, false);
            rows[7].1.push(t.elapsed());
            std::hint::black_box((json.len(), human.len()));
        }
        for (label, xs) in rows {
            let (min, med) = stats(xs);
            println!("{:<44} min {:>8}  median {:>8}", label, ms(min), ms(med));
        }
        println!("  ({diag_count} diagnostics)");
    }
}
