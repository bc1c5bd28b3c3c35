//! `spec diff OLD NEW` (files or directories) and `spec diff --git REV
//! [NEW]` (OLD is NEW as it was at revision REV of the current repository,
//! read with `git show` into memory): what the change does, from the two
//! analyses `spec check` makes (`report::diff`).
//!
//! Exit status: 0 no error introduced, 1 the change introduces an error,
//! 2 the comparison could not run (unreadable path, unknown revision).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use crate::analysis::{analyze, Input};
use crate::report::{self, diff};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Markdown,
    Json,
    Html,
}

#[derive(Args, Debug, Clone)]
pub struct DiffArgs {
    /// The old and the new version (with `--git`, only the new one, default `.`).
    #[arg(num_args = 0..=2)]
    pub paths: Vec<PathBuf>,
    /// Take the old version from this revision of the current repository.
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: DiffFormat,
    /// Write to this file instead of stdout (never one of the inputs).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// A path as the documents name it (`.` for the current directory).
fn shown(p: &Path) -> String {
    let s = crate::workspace::display(p);
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

/// The name prefix of a side: the directory given, as the analysis shows it.
fn prefix(p: &Path) -> String {
    if p.is_dir() {
        let s = crate::workspace::display(p);
        if s == "." {
            String::new()
        } else {
            s
        }
    } else {
        let s = crate::workspace::display(p);
        match s.rfind('/') {
            Some(i) => s[..i].to_string(),
            None => String::new(),
        }
    }
}

pub fn run(args: DiffArgs) -> u8 {
    let (old_path, new_path) = match (&args.git, args.paths.as_slice()) {
        (None, [old, new]) => (Some(old.clone()), new.clone()),
        (Some(_), []) => (None, PathBuf::from(".")),
        // A file: its whole workspace is compared on both sides (the new
        // side is analysed whole anyway; one file at REV against a whole
        // workspace now listed every other module as added).
        (Some(_), [new]) if new.is_file() => (
            None,
            crate::workspace::find_root(new)
                .or_else(|| {
                    new.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .map(Path::to_path_buf)
                })
                .unwrap_or_else(|| PathBuf::from(".")),
        ),
        (Some(_), [new]) => (None, new.clone()),
        (None, _) => return super::fatal("give two paths, `spec diff OLD NEW`, or `spec diff --git REV [NEW]`"),
        (Some(_), _) => return super::fatal("with `--git REV`, give only the new version's path"),
    };
    let new = match super::documents::load(std::slice::from_ref(&new_path), true, None) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let (old_analysis, old_name, old_prefix) = match (&old_path, &args.git) {
        (Some(old_path), _) => {
            let old = match super::documents::load(std::slice::from_ref(old_path), true, None) {
                Ok(l) => l,
                Err(code) => return code,
            };
            (old.analysis, shown(old_path), prefix(old_path))
        }
        (None, Some(rev)) => {
            let inputs = match git_inputs(rev, &new_path) {
                Ok(i) => i,
                Err(e) => return super::fatal(&e),
            };
            let a = analyze(inputs, &new.options);
            if a.policy_failed {
                return super::documents::policy_failure(&a);
            }
            (a, format!("{} at {rev}", shown(&new_path)), prefix(&new_path))
        }
        (None, None) => return 2,
    };
    let d = diff::diff(
        &diff::Side {
            analysis: &old_analysis,
            prefix: old_prefix,
        },
        &diff::Side {
            analysis: &new.analysis,
            prefix: prefix(&new_path),
        },
    );
    let new_name = shown(&new_path);
    let text = match args.format {
        DiffFormat::Markdown => report::markdown::render(&diff::document(&d, &old_name, &new_name)),
        DiffFormat::Html => report::html::render(&diff::document(&d, &old_name, &new_name)),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&d).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    match super::documents::emit(&text, args.output.as_deref(), &new.input_paths) {
        Ok(()) => d.exit_status(),
        Err(code) => code,
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run `git`: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("`git {}` failed: {}", args.join(" "), err.trim()));
    }
    Ok(out.stdout)
}

/// The `.pspec` files under `new` as they were at `rev`, named as the
/// analysis of `new` names its files, all primary.
fn git_inputs(rev: &str, new: &Path) -> Result<Vec<Input>, String> {
    let dir = if new.is_dir() {
        new.to_path_buf()
    } else {
        new.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let spec = if new.is_dir() {
        ".".to_string()
    } else {
        new.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default()
    };
    let list = git(&dir, &["ls-tree", "-r", "--name-only", rev, "--", &spec])?;
    let list = String::from_utf8_lossy(&list);
    let shown_dir = crate::workspace::display(&dir);
    let mut inputs = Vec::new();
    for rel in list.lines().filter(|l| l.ends_with(".pspec")) {
        let bytes = git(&dir, &["show", &format!("{rev}:./{rel}")])?;
        let text = String::from_utf8(bytes).map_err(|_| format!("`{rel}` at `{rev}` is not UTF-8 text"))?;
        let name = if shown_dir == "." || shown_dir.is_empty() {
            rel.to_string()
        } else {
            format!("{shown_dir}/{rel}")
        };
        inputs.push(Input {
            name,
            path: None,
            text: Arc::from(text),
            primary: true,
        });
    }
    if inputs.is_empty() {
        return Err(format!(
            "no `.pspec` file under `{}` at revision `{rev}`",
            crate::workspace::display(new)
        ));
    }
    Ok(inputs)
}
