//! `spec check`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use crate::analysis::{analyze_once, Analysis, Input, Options};
use crate::render;
use crate::workspace::{self, LoadError};
use rayon::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    Warnings,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or directories to check (default `.`); `-` reads one spec from stdin.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Make warnings fail the check too.
    #[arg(long, value_enum)]
    pub deny: Vec<Deny>,
    /// Pending variances waive nothing.
    #[arg(long)]
    pub require_approved_variances: bool,
    /// Check every programme against this framework instead of its own.
    #[arg(long, value_name = "ID")]
    pub framework: Option<String>,
    /// Add a policy file or directory.
    #[arg(long, value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// Plain text output.
    #[arg(long)]
    pub no_color: bool,
}

/// The inputs of one workspace's check and the options from its `spec.toml`.
pub struct Loaded {
    pub inputs: Vec<Input>,
    pub options: Options,
    pub config: workspace::Config,
    /// The workspace as output names it ([`workspace::Unit::label`]).
    pub label: String,
}

/// Reads the files to check, their workspace's other files and `spec.toml`,
/// for paths that must all belong to one workspace (`report`, `export`, the
/// documents): paths of several workspaces are an error naming them.
pub fn load(paths: &[PathBuf], cli_policies: &[PathBuf]) -> Result<Loaded, LoadError> {
    let mut all = load_all(paths, cli_policies)?;
    if all.len() > 1 {
        let names: Vec<String> = all.iter().map(|l| format!("`{}`", l.label)).collect();
        return Err(LoadError(format!(
            "the paths given belong to {} workspaces ({}); give the paths of one workspace",
            all.len(),
            names.join(", ")
        )));
    }
    all.pop().ok_or_else(|| LoadError("no `.pspec` files to check".into()))
}

/// One [`Loaded`] per workspace of `paths` ([`workspace::discover`]), in
/// the order discovered (default path `.`).
pub fn load_all(paths: &[PathBuf], cli_policies: &[PathBuf]) -> Result<Vec<Loaded>, LoadError> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let units = workspace::discover(&paths)?;
    let cli = workspace::read_policies(cli_policies, None)?;
    units.into_iter().map(|u| load_unit(u, &cli)).collect()
}

fn load_unit(unit: workspace::Unit, cli_policies: &[crate::analysis::PolicyInput]) -> Result<Loaded, LoadError> {
    let label = unit.label();
    let mut inputs = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    if unit.stdin {
        let text = workspace::read_stream("stdin", std::io::stdin().lock())?;
        inputs.push(Input {
            name: "<stdin>".into(),
            path: None,
            text: Arc::from(text),
            primary: true,
        });
    }
    let mut given_files = Vec::new();
    for (f, abs) in canonical(unit.primary) {
        let key = abs.clone().unwrap_or_else(|| f.clone());
        if seen.insert(key) {
            given_files.push((f, abs));
        }
    }
    let mut config = workspace::Config::default();
    let mut context_files = Vec::new();
    if let Some(root) = &unit.root {
        config = workspace::load_config(root)?.config;
        for (f, abs) in canonical(workspace::workspace_pspec_files(root)?.0) {
            let key = abs.clone().unwrap_or_else(|| f.clone());
            if seen.insert(key) {
                context_files.push((f, abs));
            }
        }
    }
    // Name the files with the canonical paths already known. Read in
    // parallel (a catalogue is thousands of files), in order; the error
    // reported is the first in that order, as a sequential read would.
    let cwd = workspace::current_dir();
    let files: Vec<(PathBuf, Option<PathBuf>, bool)> = given_files
        .into_iter()
        .map(|(f, abs)| (f, abs, true))
        .chain(context_files.into_iter().map(|(f, abs)| (f, abs, false)))
        .collect();
    let read: Vec<Result<Input, LoadError>> = files
        .into_par_iter()
        .map(|(f, abs, primary)| {
            let text = workspace::read_text(&f)?;
            Ok(Input {
                name: workspace::display_from(cwd.as_deref(), &f, abs.as_deref()),
                path: Some(f),
                text: Arc::from(text),
                primary,
            })
        })
        .collect();
    for input in read {
        inputs.push(input?);
    }
    let mut policies = Vec::new();
    if let Some(root) = &unit.root {
        let paths: Vec<PathBuf> = config.policy.paths.iter().map(|p| root.join(p)).collect();
        policies.extend(workspace::read_policies(&paths, Some(root))?);
    }
    policies.extend(cli_policies.iter().cloned());
    let options = Options {
        framework: None,
        default_framework: config.policy.framework.clone(),
        require_approved_variances: config.output.require_approved_variances,
        policies,
    };
    Ok(Loaded {
        inputs,
        options,
        config,
        label,
    })
}

/// Each file with its canonical path (`None` when it has none), in order;
/// computed once and reused for the output name.
fn canonical(files: Vec<PathBuf>) -> Vec<(PathBuf, Option<PathBuf>)> {
    let real = workspace::canonical_paths(&files);
    files.into_iter().zip(real).collect()
}

pub fn run(args: CheckArgs, color: bool) -> u8 {
    let color = color && !args.no_color;
    let units = match load_all(&args.paths, &args.policy) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e.0),
    };
    // The format: `--format`, else what the workspaces' `spec.toml` ask for
    // (they must agree), else human.
    let mut asked: Option<(&str, &str)> = None;
    for u in &units {
        if let Some(f) = u.config.output.format.as_deref() {
            match asked {
                Some((g, other)) if g != f && args.format.is_none() => {
                    return super::fatal(&format!(
                        "workspaces `{other}` and `{}` set different output formats (`{g}`, `{f}`) in `spec.toml`; choose one with `--format`",
                        u.label
                    ))
                }
                None => asked = Some((f, u.label.as_str())),
                _ => {}
            }
        }
        if let Some(bad) = u.config.output.deny.iter().find(|d| d.as_str() != "warnings") {
            return super::fatal(&format!(
                "`spec.toml` of workspace `{}` sets `deny = [\"{bad}\"]`; the only value is `\"warnings\"`",
                u.label
            ));
        }
    }
    let format = match args.format {
        Some(f) => f,
        None => match asked.map(|(f, _)| f) {
            None | Some("human") => Format::Human,
            Some("json") => Format::Json,
            Some("sarif") => Format::Sarif,
            Some("github") => Format::Github,
            Some(other) => return super::fatal(&format!("`spec.toml` sets an unknown output format `{other}`")),
        },
    };
    let mut checked: Vec<(String, Analysis, bool)> = Vec::with_capacity(units.len());
    for u in units {
        let mut options = u.options;
        options.framework = args.framework.clone();
        options.require_approved_variances |= args.require_approved_variances;
        let deny_warnings = !args.deny.is_empty() || !u.config.output.deny.is_empty();
        let analysis = analyze_once(u.inputs, &options);
        if analysis.policy_failed {
            // Show why (the policy diagnostics), but the check did not run:
            // nothing on stdout, no summary of a check that did not happen.
            let mut text = String::new();
            let about_policy = |d: &&crate::diag::Diagnostic| {
                d.code.starts_with("policy/")
                    || analysis
                        .sources
                        .get(d.source)
                        .is_some_and(|s| s.kind != crate::source::SourceKind::Spec)
            };
            for d in analysis.diagnostics.iter().filter(about_policy) {
                text.push_str(&render::human::render_one(d, &analysis.sources, color));
            }
            text.push_str("the check did not run: fix the policy packs or options above\n");
            let _ = std::io::stderr().write_all(text.as_bytes());
            return 2;
        }
        checked.push((u.label, analysis, deny_warnings));
    }
    let labelled: Vec<(String, &Analysis)> = checked.iter().map(|(l, a, _)| (l.clone(), a)).collect();
    let all: Vec<&Analysis> = checked.iter().map(|(_, a, _)| a).collect();
    let out = match format {
        Format::Human => render::human::render_all(&labelled, color),
        Format::Json => render::json::render_all(&labelled),
        Format::Sarif => render::sarif::render_all(&all),
        Format::Github => render::github::render_all(&all),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return 2;
    }
    let status = checked
        .iter()
        .map(|(_, a, deny)| exit_status(a, *deny))
        .max()
        .unwrap_or(0);
    // The process ends here: freeing every analysis (the model of every
    // module and programme, one allocation at a time) would only delay the
    // exit, by about a tenth of the whole check on a 2,000-programme
    // catalogue (D143). The operating system takes the memory back.
    drop(labelled);
    drop(all);
    std::mem::forget(checked);
    status
}

pub fn exit_status(a: &Analysis, deny_warnings: bool) -> u8 {
    if a.summary.errors > 0 || (deny_warnings && a.summary.warnings > 0) {
        1
    } else {
        0
    }
}

#[allow(dead_code)]
fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}
