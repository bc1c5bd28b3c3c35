//! `analysis::reanalyze` equals a fresh analysis of the same texts, after
//! every one of a long seeded sequence of random edits (issue 9 point 1):
//! the editor publishes its result, so a difference would be a wrong
//! diagnostic on screen.
//!
//! The workspace mixes the bundled examples, the conformance cases, the rule
//! fixtures and generated files whose programmes share modules across
//! files; the edits change credits, add prerequisites (cycles, undefined
//! codes), rename codes (duplicates), list another file's modules, delete
//! lines, insert garbage, and switch frameworks.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use support::Rng;

use spec::analysis::incremental::{reanalyze_with_reuse, Reuse};
use spec::analysis::{analyze_once, analyze_parsed, parse_input, Analysis, Input, Options, Parsed};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pspec_files(dir: &Path, every: usize) -> Vec<PathBuf> {
    support::pspec_files_under(dir).into_iter().step_by(every).collect()
}

/// The workspaces compared: the examples, the conformance cases, the rule
/// fixtures, and every `spec_every`-th spec fixture.
fn bases(spec_every: usize) -> [Vec<PathBuf>; 4] {
    let r = root();
    [
        pspec_files(&r.join("examples"), 1),
        pspec_files(&r.join("../shared/conformance"), 1),
        pspec_files(&r.join("tests/fixtures/rules"), 1),
        pspec_files(&r.join("tests/fixtures/spec"), spec_every),
    ]
}

/// Programmes that list modules of another file, modules that require
/// modules of another file: files come in pairs that share.
fn generated() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let code = |f: usize, m: usize| format!("8{f:02}{m}SH");
    for f in 0..32 {
        let mate = f ^ 1;
        let mut t = String::new();
        for m in 0..4 {
            let req = if m > 0 {
                format!("  requires {}\n", code(f, m - 1))
            } else if f % 2 == 1 {
                format!("  requires {}\n", code(mate, 3))
            } else {
                String::new()
            };
            t.push_str(&format!(
                "module {} \"Shared {f}.{m}\" {{\n  credits 20\n  level 7\n{req}  outcomes {{\n    LO1 \"Know\"\n  }}\n  assessment AS1 \"Work\" {{ kind coursework weight 100% covers LO1 }}\n}}\n\n",
                code(f, m)
            ));
        }
        t.push_str(&format!(
            "programme SHP{f} \"MSc Shared {f}\" {{\n  award MSc\n  framework ljmu-pgt-2022\n  credits 180\n  delivery semesterised\n  structure {{\n    core {}, {} semester 1\n    core {}, {} semester 2\n    option \"Options\" choose 20 credits from {}, {} semester 2\n  }}\n}}\n",
            code(f, 0),
            code(f, 1),
            code(f, 2),
            code(mate, 0),
            code(f, 3),
            code(mate, 1)
        ));
        out.push((format!("generated/shared-{f:02}.pspec"), t));
    }
    out
}

fn codes_in(texts: &[(String, String)]) -> Vec<String> {
    let mut v = Vec::new();
    for (_, t) in texts {
        for l in t.lines() {
            if let Some(rest) = l.trim_start().strip_prefix("module ") {
                if let Some(c) = rest.split_whitespace().next() {
                    v.push(c.to_string());
                }
            }
        }
    }
    v
}

/// One random edit of one file; returns its index.
fn edit(rng: &mut Rng, texts: &mut [(String, String)]) -> usize {
    let f = rng.below(texts.len());
    // Mostly a code of the same file, sometimes any code of the workspace.
    let codes = if rng.below(4) == 0 {
        codes_in(texts)
    } else {
        codes_in(&texts[f..=f])
    };
    let codes = if codes.is_empty() {
        vec!["7001AB".to_string()]
    } else {
        codes
    };
    let text = &mut texts[f].1;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let at = rng.below(lines.len());
    let code = codes[rng.below(codes.len())].clone();
    match rng.below(9) {
        0 => {
            // credits of some module or programme
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].trim_start().starts_with("credits "))
            {
                let v = [0, 10, 15, 20, 30, 60, 120, 999][rng.below(8)];
                let indent: String = lines[i].chars().take_while(|c| *c == ' ').collect();
                lines[i] = format!("{indent}credits {v}");
            }
        }
        1 => {
            // a prerequisite on any code (cycles, other files, undefined)
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].trim_start().starts_with("level "))
            {
                let target = if rng.below(5) == 0 { format!("{code}X") } else { code };
                lines.insert(i + 1, format!("  requires {target}"));
            }
        }
        2 => {
            // rename a module definition: a duplicate, or a new code
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].starts_with("module "))
            {
                let new = if rng.below(2) == 0 {
                    code
                } else {
                    format!("9{}ZZ", rng.below(100))
                };
                let rest: Vec<&str> = lines[i].splitn(3, ' ').collect();
                if rest.len() == 3 {
                    lines[i] = format!("module {new} {}", rest[2]);
                }
            }
        }
        3 => {
            // list a module of any file in a structure
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].trim_start().starts_with("core "))
            {
                lines.insert(i + 1, format!("    core {code} semester 1"));
            }
        }
        4 => {
            lines.remove(at);
        }
        5 => {
            lines.insert(
                at,
                ["}", "module {", "credits", "programme X \"", "  levle 7", "#"][rng.below(6)].to_string(),
            );
        }
        6 => {
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].trim_start().starts_with("framework "))
            {
                let fw = ["ljmu-pgt-2022", "ntu-online-2018", "nowhere-2020"][rng.below(3)];
                lines[i] = format!("  framework {fw}");
            }
        }
        7 => {
            // copy a whole item from this file to its end (duplicates)
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].starts_with("module ") || lines[i].starts_with("programme "))
            {
                if let Some(end) = (i..lines.len()).find(|&j| lines[j] == "}") {
                    let item: Vec<String> = lines[i..=end].to_vec();
                    lines.extend(item);
                }
            }
        }
        _ => {
            // level out of range or changed
            if let Some(i) = (0..lines.len())
                .map(|k| (at + k) % lines.len())
                .find(|&i| lines[i].trim_start().starts_with("level "))
            {
                lines[i] = format!("  level {}", [6, 7, 8, 12][rng.below(4)]);
            }
        }
    }
    *text = lines.join("\n");
    text.push('\n');
    f
}

fn parse_all(texts: &[(String, String)], old: Option<&[Parsed]>, changed: Option<usize>) -> Vec<Parsed> {
    texts
        .iter()
        .enumerate()
        .map(|(i, (name, text))| match (old, changed) {
            (Some(old), Some(c)) if c != i => old[i].clone(),
            _ => parse_input(Input {
                name: name.clone(),
                path: Some(PathBuf::from("/ws").join(name)),
                text: Arc::from(text.as_str()),
                primary: true,
            }),
        })
        .collect()
}

fn assert_same(inc: &Analysis, fresh: &Analysis, step: usize) {
    let render = |a: &Analysis| {
        a.diagnostics
            .iter()
            .map(|d| format!("{} {} {:?} {}", a.sources.name(d.source), d.code, d.span, d.message))
            .collect::<Vec<_>>()
    };
    let (a, b) = (render(inc), render(fresh));
    if a != b {
        let only_inc: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
        let only_fresh: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
        panic!("step {step}: diagnostics differ\nonly incremental: {only_inc:#?}\nonly fresh: {only_fresh:#?}");
    }
    if let Some(i) = (0..inc.diagnostics.len()).find(|&i| inc.diagnostics.get(i) != fresh.diagnostics.get(i)) {
        panic!(
            "step {step}: diagnostic {i} differs:\n{:?}\n{:?}",
            inc.diagnostics.get(i),
            fresh.diagnostics.get(i)
        );
    }
    assert_eq!(inc.summary, fresh.summary, "step {step}");
    assert_eq!(inc.sources.len(), fresh.sources.len());
    for ((_, a), (_, b)) in inc.sources.iter().zip(fresh.sources.iter()) {
        assert_eq!((&a.name, &a.text), (&b.name, &b.text), "step {step}");
    }
    assert_eq!(inc.workspace.modules.len(), fresh.workspace.modules.len());
    assert_eq!(inc.workspace.programmes.len(), fresh.workspace.programmes.len());
    let modules = |a: &Analysis| {
        a.workspace
            .modules
            .iter()
            .map(|m| format!("{} {} {:?} {:?}", m.source, m.code.value, m.span, m.credits))
            .collect::<Vec<_>>()
    };
    assert_eq!(modules(inc), modules(fresh), "step {step}");
    let entries = |a: &Analysis| {
        a.workspace
            .programmes
            .iter()
            .map(|p| {
                let e: Vec<_> = p
                    .structure
                    .iter()
                    .flat_map(|s| s.entries.iter().map(|e| (e.code.value.clone(), e.module())))
                    .collect();
                format!("{} {} {:?} {e:?}", p.source, p.code.value, p.span)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(entries(inc), entries(fresh), "step {step}");
    assert_eq!(inc.workspace.module_index, fresh.workspace.module_index);
    assert_eq!(inc.workspace.programme_index, fresh.workspace.programme_index);
}

fn read(files: &[PathBuf]) -> Vec<(String, String)> {
    let r = root();
    files
        .iter()
        .map(|p| {
            let name = p.strip_prefix(&r).unwrap_or(p).to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// `steps` random edits of `base` plus the generated files, starting again
/// from the original texts every 25 edits; every re-analysis is compared
/// with a fresh one. Returns (partial, whole) counts.
fn session(base: Vec<(String, String)>, seed: u64, steps: usize) -> (usize, usize) {
    let mut original = base;
    original.extend(generated());
    original.sort();
    let options = Options::default();
    let mut rng = Rng(seed);
    let (mut partial, mut whole) = (0, 0);
    let mut texts = original.clone();
    let mut parsed = parse_all(&texts, None, None);
    let mut prev = analyze_parsed(parsed.clone(), &options);
    for step in 0..steps {
        if step % 25 == 0 {
            texts = original.clone();
            parsed = parse_all(&texts, None, None);
            prev = analyze_parsed(parsed.clone(), &options);
        }
        let f = edit(&mut rng, &mut texts);
        parsed = parse_all(&texts, Some(&parsed), Some(f));
        let (inc, reuse) = reanalyze_with_reuse(&prev, parsed.clone(), &options);
        let fresh = analyze_parsed(parsed.clone(), &options);
        assert_same(&inc, &fresh, step);
        match reuse {
            Reuse::Partial { .. } => partial += 1,
            Reuse::Whole => whole += 1,
            Reuse::Unchanged => {}
        }
        prev = inc;
    }
    (partial, whole)
}

#[test]
fn reanalysis_after_random_edits_equals_a_fresh_analysis() {
    let bases = bases(6);
    let (mut partial, mut whole) = (0, 0);
    let steps = 75;
    for (i, base) in bases.iter().enumerate() {
        let (p, w) = session(read(base), 0x9e37_79b9_7f4a_7c15 ^ i as u64, steps);
        partial += p;
        whole += w;
    }
    // Most edits must be merged, or the test proves nothing about merging.
    let total = steps * bases.len();
    assert!(
        partial * 2 > total,
        "only {partial} of {total} re-analyses were partial ({whole} whole)"
    );
}

#[test]
fn other_options_or_a_new_file_mean_a_whole_analysis() {
    let texts = generated();
    let parsed = parse_all(&texts, None, None);
    let prev = analyze_parsed(parsed.clone(), &Options::default());
    let other = Options {
        framework: Some("ntu-online-2018".into()),
        ..Options::default()
    };
    let (a, reuse) = reanalyze_with_reuse(&prev, parsed.clone(), &other);
    assert_eq!(reuse, Reuse::Whole);
    assert_eq!(a.diagnostics, analyze_parsed(parsed.clone(), &other).diagnostics);
    let fewer = parsed[1..].to_vec();
    let (_, reuse) = reanalyze_with_reuse(&prev, fewer, &Options::default());
    assert_eq!(reuse, Reuse::Whole);
    let (_, reuse) = reanalyze_with_reuse(&prev, parsed, &Options::default());
    assert_eq!(reuse, Reuse::Unchanged);
}

/// The CLI's one-shot analysis (each tree dropped once lowered) equals the
/// editor's on every base, and is never reused by a re-analysis.
#[test]
fn a_one_shot_analysis_equals_the_kept_one() {
    let bases = bases(1);
    for (i, base) in bases.iter().enumerate() {
        let mut texts = read(base);
        texts.extend(generated());
        let parsed = parse_all(&texts, None, None);
        let inputs: Vec<Input> = parsed.iter().map(|p| p.input.clone()).collect();
        let kept = analyze_parsed(parsed.clone(), &Options::default());
        let once = analyze_once(inputs, &Options::default());
        assert!(
            !once.diagnostics.is_empty(),
            "base {i} finds nothing: the comparison proves nothing"
        );
        assert_same(&once, &kept, i);
        assert!(kept.trees_kept && !once.trees_kept);
        let (_, reuse) = reanalyze_with_reuse(&once, parsed, &Options::default());
        assert_eq!(reuse, Reuse::Whole, "base {i}");
    }
}
