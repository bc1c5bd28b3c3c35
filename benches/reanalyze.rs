//! The cost of one keystroke's whole-workspace pass in the editor: a fresh
//! `analyze_parsed` of the 2,000-programme catalogue against
//! `analysis::reanalyze` after the same edit, and the editor snapshot built
//! on it (`ide::Snapshot::build`: index and rule tables).
//!
//! ```sh
//! cargo bench --bench reanalyze                  # 2,000 programmes, 30 edits
//! cargo bench --bench reanalyze -- --edits 100
//! ```
//!
//! Each edit toggles one module's `level` in one module file (`level 7` <->
//! `level 71`), as `benches/lsp_latency.rs` types. Every re-analysis is
//! checked against the fresh one (same diagnostics), so a fast wrong answer
//! cannot pass as a result. CPU time is process CPU (user + system, all
//! threads) read from `/proc/self/stat`. Nothing here asserts a timing.

#[allow(dead_code, clippy::manual_is_multiple_of)] // shared with check_throughput; only `generate` is used here
#[path = "common/catalogue.rs"]
mod catalogue;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use spec::analysis::incremental::{reanalyze_with_reuse, Reuse};
use spec::analysis::{analyze_parsed, parse_input, parse_inputs, Input, Options, Parsed};

fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 (1-based) of the whole line.
    (ticks(11) + ticks(12)) * 10.0
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let mut edits = 30;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--edits" {
            edits = args.next().and_then(|v| v.parse().ok()).unwrap_or(edits);
        }
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-reanalyze");
    let size = catalogue::Size {
        programmes: 2000,
        per_file: 10,
        faults: true,
    };
    let g = catalogue::generate(&dir, size).expect("generate the catalogue");
    let mut paths: Vec<PathBuf> = ["modules", "programmes"]
        .iter()
        .flat_map(|d| std::fs::read_dir(dir.join(d)).unwrap().map(|e| e.unwrap().path()))
        .collect();
    paths.sort();
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input {
            name: p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned(),
            path: Some(p.clone()),
            text: Arc::from(std::fs::read_to_string(p).unwrap()),
            primary: true,
        })
        .collect();
    let options = Options::default();
    let mut parsed: Vec<Parsed> = parse_inputs(inputs);
    let mut prev = analyze_parsed(parsed.clone(), &options);
    println!(
        "catalogue: {} programmes, {} modules, {} files, {:.1} MB, {} diagnostics",
        g.programmes,
        g.modules,
        g.files,
        g.bytes as f64 / 1e6,
        prev.diagnostics.len()
    );
    let edited = 0; // modules/... is first
    let embedded = std::env::temp_dir().join("spec-bench-embedded");
    let (mut fresh_ms, mut fresh_cpu, mut inc_ms, mut inc_cpu, mut snap_ms) = (vec![], vec![], vec![], vec![], vec![]);
    let mut files_redone = vec![];
    for i in 0..edits {
        let old = parsed[edited].input.text.clone();
        let text = if i % 2 == 0 {
            old.replacen("level 7\n", "level 71\n", 1)
        } else {
            old.replacen("level 71\n", "level 7\n", 1)
        };
        let mut input = parsed[edited].input.clone();
        input.text = Arc::from(text);
        parsed[edited] = parse_input(input);

        let (t, c) = (Instant::now(), cpu_ms());
        let fresh = analyze_parsed(parsed.clone(), &options);
        fresh_ms.push(t.elapsed().as_secs_f64() * 1e3);
        fresh_cpu.push(cpu_ms() - c);

        let (t, c) = (Instant::now(), cpu_ms());
        let (inc, reuse) = reanalyze_with_reuse(&prev, parsed.clone(), &options);
        inc_ms.push(t.elapsed().as_secs_f64() * 1e3);
        inc_cpu.push(cpu_ms() - c);
        assert_eq!(inc.diagnostics, fresh.diagnostics, "edit {i}: the re-analysis differs");
        if let Reuse::Partial { files } = reuse {
            files_redone.push(files);
        }

        let t = Instant::now();
        let snap = spec::ide::Snapshot::build(inc, &embedded);
        snap_ms.push(t.elapsed().as_secs_f64() * 1e3);
        prev = snap.analysis;
    }
    println!(
        "{edits} edits of one module file; {} re-analyses partial (files analysed again: {:?})",
        files_redone.len(),
        files_redone.iter().max()
    );
    println!("| pass | wall p50 | wall p95 | CPU p50 | CPU p95 |");
    println!("|---|---|---|---|---|");
    let row = |name: &str, w: &mut Vec<f64>, c: &mut Vec<f64>| {
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.0} ms | {:.0} ms |",
            pct(w, 0.5),
            pct(w, 0.95),
            pct(c, 0.5),
            pct(c, 0.95)
        );
    };
    row("fresh `analyze_parsed`", &mut fresh_ms, &mut fresh_cpu);
    row("`reanalyze`", &mut inc_ms, &mut inc_cpu);
    println!(
        "| editor snapshot (`Snapshot::build`) | {:.1} ms | {:.1} ms | | |",
        pct(&mut snap_ms, 0.5),
        pct(&mut snap_ms, 0.95)
    );
}
