//! Finding the files to check: paths and directories given on the command
//! line, `spec.toml` discovery (nearest ancestor), and the other `.pspec`
//! files of the workspace that module references resolve against.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// `spec.toml`, all optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub policy: PolicyConfig,
    #[serde(default)]
    pub output: OutputConfig,
    #[serde(default)]
    pub import: ImportConfig,
}

/// `[import]`: how `spec import csv` reads a student-records export.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// Column name (`MOD_CODE`, ...) -> the header used in the CSV files.
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Extra policy files or directories, relative to `spec.toml`.
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    /// The framework of programmes that name none.
    pub framework: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputConfig {
    /// Default `--format` of `spec check`.
    pub format: Option<String>,
    /// `["warnings"]`: as `--deny warnings`.
    #[serde(default)]
    pub deny: Vec<String>,
    /// As `--require-approved-variances`.
    #[serde(default)]
    pub require_approved_variances: bool,
}

/// A loaded `spec.toml`.
#[derive(Debug, Clone)]
pub struct WorkspaceRoot {
    pub root: PathBuf,
    pub config: Config,
}

/// Why files could not be read: the check cannot run (exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The nearest directory at or above `start` holding a `spec.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = if abs.is_dir() { abs } else { abs.parent()?.to_path_buf() };
    loop {
        if dir.join("spec.toml").is_file() {
            return Some(dir);
        }
        dir = dir.parent()?.to_path_buf();
    }
}

/// Reads and parses `ROOT/spec.toml`.
pub fn load_config(root: &Path) -> Result<WorkspaceRoot, LoadError> {
    let path = root.join("spec.toml");
    let text =
        std::fs::read_to_string(&path).map_err(|e| LoadError(format!("cannot read `{}`: {e}", display(&path))))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let msg = e.message().to_string();
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            })
            .unwrap_or_default();
        LoadError(format!(
            "`{}` is not a valid workspace configuration{at}: {msg}",
            display(&path)
        ))
    })?;
    Ok(WorkspaceRoot {
        root: root.to_path_buf(),
        config,
    })
}

/// Every `*.pspec` file below `dir`, sorted, skipping hidden directories and
/// `target/`, `node_modules/`.
pub fn pspec_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    walk(dir, "pspec", &mut out)?;
    out.sort();
    Ok(out)
}

/// Every file with extension `ext` below `dir`, sorted.
pub fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    walk(dir, ext, &mut out)?;
    out.sort();
    Ok(out)
}

/// The `*.pspec` files of the workspace rooted at `dir`: like
/// [`pspec_files`], but a subdirectory with a `spec.toml` of its own is
/// another workspace and is not entered; those roots are returned second,
/// so the caller can say what it skipped.
pub fn workspace_pspec_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), LoadError> {
    let mut out = Vec::new();
    let mut nested = Vec::new();
    walk_inner(dir, "pspec", &mut out, Some(&mut nested))?;
    out.sort();
    nested.sort();
    Ok((out, nested))
}

fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    walk_inner(dir, ext, out, None)
}

fn walk_inner(
    dir: &Path,
    ext: &str,
    out: &mut Vec<PathBuf>,
    mut nested: Option<&mut Vec<PathBuf>>,
) -> Result<(), LoadError> {
    let rd = std::fs::read_dir(dir).map_err(|e| LoadError(format!("cannot read directory `{}`: {e}", display(dir))))?;
    let mut entries: Vec<_> = rd.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            if let Some(n) = nested.as_deref_mut() {
                if path.join("spec.toml").is_file() {
                    n.push(path);
                    continue;
                }
            }
            walk_inner(&path, ext, out, nested.as_deref_mut())?;
        } else if path.extension().is_some_and(|x| x == ext) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads a file as UTF-8 (a BOM is accepted and kept; the parser skips it).
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let bytes =
        std::fs::read(path).map_err(|e| LoadError(format!("cannot read `{}`: {}", display(path), io_reason(&e))))?;
    String::from_utf8(bytes).map_err(|e| {
        LoadError(format!(
            "`{}` is not UTF-8 text (invalid byte at offset {})",
            display(path),
            e.utf8_error().valid_up_to()
        ))
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A path as shown to users: relative to the current directory when it is
/// below it, with `/` separators.
pub fn display(path: &Path) -> String {
    display_from(
        current_dir().as_deref(),
        path,
        std::fs::canonicalize(path).ok().as_deref(),
    )
}

/// The current directory, canonical when it can be, as [`display_from`] wants it.
pub fn current_dir() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    Some(std::fs::canonicalize(&cwd).unwrap_or(cwd))
}

/// [`display`] with the current directory (from [`current_dir`]) and the
/// canonical path already known, for showing many paths without asking the
/// file system twice for each.
pub fn display_from(cwd: Option<&Path>, path: &Path, abs: Option<&Path>) -> String {
    let shown = match (cwd, abs) {
        (Some(cwd), Some(abs)) => match abs.strip_prefix(cwd) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        },
        _ => path.to_path_buf(),
    };
    let s = shown.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
