//! `spec check`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use crate::analysis::{analyze, Analysis, Input, Options};
use crate::render;
use crate::workspace::{self, display, LoadError};

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

/// The inputs of a check and the options from `spec.toml`.
pub struct Loaded {
    pub inputs: Vec<Input>,
    pub options: Options,
    pub config: workspace::Config,
    /// Subdirectories of a given directory that are workspaces of their own
    /// (they hold a `spec.toml`), not checked with this one.
    pub skipped: Vec<PathBuf>,
}

/// Reads the files to check, their workspace's other files and `spec.toml`.
pub fn load(paths: &[PathBuf], cli_policies: &[PathBuf]) -> Result<Loaded, LoadError> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut inputs = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut given_files = Vec::new();
    let mut skipped: Vec<PathBuf> = Vec::new();
    let mut stdin_used = false;
    for p in &paths {
        if p.as_os_str() == "-" {
            if stdin_used {
                continue;
            }
            stdin_used = true;
            let text = workspace::read_stream("stdin", std::io::stdin().lock())?;
            inputs.push(Input {
                name: "<stdin>".into(),
                path: None,
                text: Arc::from(text),
                primary: true,
            });
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| {
            LoadError(match e.kind() {
                std::io::ErrorKind::NotFound => format!("`{}` does not exist", p.display()),
                _ => format!("cannot read `{}`: {e}", p.display()),
            })
        })?;
        let files = if meta.is_dir() {
            let (files, nested) = workspace::workspace_pspec_files(p)?;
            skipped.extend(nested);
            files
        } else {
            vec![p.clone()]
        };
        for (f, abs) in canonical(files) {
            let key = abs.clone().unwrap_or_else(|| f.clone());
            if seen.insert(key) {
                given_files.push((f, abs));
            }
        }
    }
    // The workspace: nearest `spec.toml` above the first path.
    let anchor = paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let root = workspace::find_root(&anchor);
    let mut config = workspace::Config::default();
    let mut context_files = Vec::new();
    if let Some(root) = &root {
        let loaded = workspace::load_config(root)?;
        config = loaded.config;
        for (f, abs) in canonical(workspace::workspace_pspec_files(root)?.0) {
            let key = abs.clone().unwrap_or_else(|| f.clone());
            if seen.insert(key) {
                context_files.push((f, abs));
            }
        }
    }
    // Name the files with the canonical paths already known.
    let cwd = workspace::current_dir();
    for (files, primary) in [(given_files, true), (context_files, false)] {
        for (f, abs) in files {
            let text = workspace::read_text(&f)?;
            inputs.push(Input {
                name: workspace::display_from(cwd.as_deref(), &f, abs.as_deref()),
                path: Some(f),
                text: Arc::from(text),
                primary,
            });
        }
    }
    let mut policies = Vec::new();
    if let Some(root) = &root {
        let paths: Vec<PathBuf> = config.policy.paths.iter().map(|p| root.join(p)).collect();
        policies.extend(workspace::read_policies(&paths, Some(root))?);
    }
    policies.extend(workspace::read_policies(cli_policies, None)?);
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
        skipped,
    })
}

/// Each file with its canonical path (`None` when it has none), in order;
/// computed once and reused for the output name (each `realpath` is a
/// system call per path component).
fn canonical(files: Vec<PathBuf>) -> Vec<(PathBuf, Option<PathBuf>)> {
    files
        .into_iter()
        .map(|f| {
            let abs = std::fs::canonicalize(&f).ok();
            (f, abs)
        })
        .collect()
}

pub fn run(args: CheckArgs, color: bool) -> u8 {
    let color = color && !args.no_color;
    let loaded = match load(&args.paths, &args.policy) {
        Ok(l) => l,
        Err(e) => return super::fatal(&e.0),
    };
    for dir in &loaded.skipped {
        let shown = display(dir);
        eprintln!(
            "note: skipped `{shown}/`: it has its own `spec.toml`, so it is a separate workspace; check it with `spec check {shown}`"
        );
    }
    let mut options = loaded.options;
    options.framework = args.framework.clone();
    options.require_approved_variances |= args.require_approved_variances;
    let format = match args.format {
        Some(f) => f,
        None => match loaded.config.output.format.as_deref() {
            None | Some("human") => Format::Human,
            Some("json") => Format::Json,
            Some("sarif") => Format::Sarif,
            Some("github") => Format::Github,
            Some(other) => return super::fatal(&format!("`spec.toml` sets an unknown output format `{other}`")),
        },
    };
    if let Some(bad) = loaded.config.output.deny.iter().find(|d| d.as_str() != "warnings") {
        return super::fatal(&format!(
            "`spec.toml` sets `deny = [\"{bad}\"]`; the only value is `\"warnings\"`"
        ));
    }
    let deny_warnings = !args.deny.is_empty() || !loaded.config.output.deny.is_empty();
    let analysis = analyze(loaded.inputs, &options);
    let out = match format {
        Format::Human => render::human::render(&analysis, color),
        Format::Json => render::json::render(&analysis),
        Format::Sarif => render::sarif::render(&analysis),
        Format::Github => render::github::render(&analysis),
    };
    if analysis.policy_failed {
        // Show why (the policy diagnostics), but the check did not run: no
        // summary of a check that did not happen.
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
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return 2;
    }
    exit_status(&analysis, deny_warnings)
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
