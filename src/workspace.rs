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

/// One workspace of a check (docs/language.md, "Files and workspace").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The directory holding its `spec.toml` (canonical); `None` for the
    /// files given that have no `spec.toml` above them (they are checked
    /// together, against each other only).
    pub root: Option<PathBuf>,
    /// The files given, or found under a directory given: reported on.
    /// The root's other files are read as context by the caller.
    pub primary: Vec<PathBuf>,
    /// `-` (stdin) was given and belongs here.
    pub stdin: bool,
}

impl Unit {
    /// How output names the workspace: its root as shown elsewhere (`.`
    /// for the current directory), or `(no spec.toml)`.
    pub fn label(&self) -> String {
        match &self.root {
            Some(r) => {
                let shown = display(r);
                if shown.is_empty() {
                    ".".into()
                } else {
                    shown
                }
            }
            None => "(no spec.toml)".into(),
        }
    }
}

/// The workspaces of a check of `paths` (`-` is stdin), in a stable order
/// (the files without a `spec.toml` first, then by root). Each directory
/// given is searched through: a directory below it with a `spec.toml` is a
/// workspace of its own (and so on, deeper), the files outside any of them
/// belong to the directory's workspace. Files given belong to the nearest
/// `spec.toml` above them. Nothing is skipped and nothing is merged across
/// workspaces. A path that does not exist, and a directory with no `.pspec`
/// file below it, are errors (the check cannot run: exit 2).
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Unit>, LoadError> {
    use std::collections::BTreeMap;
    let mut units: BTreeMap<Option<PathBuf>, Unit> = BTreeMap::new();
    fn unit(units: &mut BTreeMap<Option<PathBuf>, Unit>, root: Option<PathBuf>) -> &mut Unit {
        units.entry(root.clone()).or_insert_with(|| Unit {
            root,
            primary: Vec::new(),
            stdin: false,
        })
    }
    // Files under `dir` (which belongs to workspace `root`), the nested
    // workspaces found below it each under their own root.
    fn gather(
        units: &mut BTreeMap<Option<PathBuf>, Unit>,
        dir: &Path,
        root: Option<PathBuf>,
        depth: usize,
    ) -> Result<usize, LoadError> {
        let (files, nested) = workspace_pspec_files(dir)?;
        let mut n = files.len();
        if !files.is_empty() {
            unit(units, root).primary.extend(files);
        }
        // A symbolic link loop through workspace roots stops here.
        if depth < 64 {
            for sub in nested {
                let key = std::fs::canonicalize(&sub).unwrap_or_else(|_| sub.clone());
                n += gather(units, &sub, Some(key), depth + 1)?;
            }
        }
        Ok(n)
    }
    for p in paths {
        if p.as_os_str() == "-" {
            unit(&mut units, find_root(Path::new("."))).stdin = true;
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| {
            LoadError(match e.kind() {
                std::io::ErrorKind::NotFound => format!("`{}` does not exist", display(p)),
                _ => format!("cannot read `{}`: {}", display(p), io_reason(&e)),
            })
        })?;
        if meta.is_dir() {
            if gather(&mut units, p, find_root(p), 0)? == 0 {
                return Err(LoadError(format!("no `.pspec` files under `{}`", display(p))));
            }
        } else {
            unit(&mut units, find_root(p)).primary.push(p.clone());
        }
    }
    Ok(units.into_values().collect())
}

/// Reads and parses `ROOT/spec.toml`.
pub fn load_config(root: &Path) -> Result<WorkspaceRoot, LoadError> {
    let path = root.join("spec.toml");
    let text = read_text(&path)?;
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

/// The largest input file read, in bytes (docs/language.md, "Files and
/// workspace"): a bigger `.pspec`, `.policy` or `spec.toml` is refused
/// (exit 2) before it is read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The one directory walker: every file with extension `ext` below `dir`,
/// sorted. Built on the `ignore` crate: `.gitignore` (and `.ignore`) files
/// are respected in and outside git repositories, hidden entries and
/// `target/`, `node_modules/` are skipped, symbolic links are followed and
/// a loop is entered once. An entry that cannot be read is an error.
pub fn files_with_ext(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, LoadError> {
    Ok(walk(dir, ext, false)?.0)
}

/// Every `*.pspec` file below `dir` (see [`files_with_ext`]).
pub fn pspec_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    files_with_ext(dir, "pspec")
}

/// The `*.pspec` files of the workspace rooted at `dir`: like
/// [`pspec_files`], but a subdirectory with a `spec.toml` of its own is
/// another workspace and is not entered; those roots are returned second.
pub fn workspace_pspec_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), LoadError> {
    walk(dir, "pspec", true)
}

fn walk(dir: &Path, ext: &str, stop_at_roots: bool) -> Result<(Vec<PathBuf>, Vec<PathBuf>), LoadError> {
    use std::sync::{Arc, Mutex};
    let nested: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let found = nested.clone();
    let walker = ignore::WalkBuilder::new(dir)
        .follow_links(true)
        .require_git(false)
        .hidden(true)
        .filter_entry(move |e| {
            if e.depth() == 0 || !e.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            let name = e.file_name();
            if name == "target" || name == "node_modules" {
                return false;
            }
            if stop_at_roots && e.path().join("spec.toml").is_file() {
                if let Ok(mut n) = found.lock() {
                    n.push(e.path().to_path_buf());
                }
                return false;
            }
            true
        })
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    let mut out = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            // A directory already entered on this path: its files are
            // found the first time.
            Err(e) if is_loop(&e) => continue,
            Err(e) => return Err(LoadError(walk_error(&e))),
        };
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_dir()) && path.extension().is_some_and(|x| x == ext) {
            out.push(path.to_path_buf());
        }
    }
    out.sort();
    let mut nested = nested.lock().map(|n| n.clone()).unwrap_or_default();
    nested.sort();
    Ok((out, nested))
}

fn is_loop(e: &ignore::Error) -> bool {
    match e {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

fn walk_error(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { path, err } => match err.as_ref() {
            ignore::Error::Io(io) => format!("cannot read `{}`: {}", display(path), io_reason(io)),
            other => format!("cannot read `{}`: {other}", display(path)),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => walk_error(err),
        ignore::Error::Io(io) => format!("cannot read a directory: {}", io_reason(io)),
        other => other.to_string(),
    }
}

/// Reads an input file as UTF-8 (a BOM is accepted and kept; the parser
/// skips it). Only a regular file (or a link to one) of at most
/// [`MAX_FILE_BYTES`] is read; its type is checked before it is opened, so
/// a FIFO or a device never blocks or floods the check.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError(format!("cannot read `{}`: {}", display(path), io_reason(&e))))?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        return Err(LoadError(format!("cannot read `{}`: {what}", display(path))));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(path));
    }
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| LoadError(format!("cannot read `{}`: {}", display(path), io_reason(&e))))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError(format!("cannot read `{}`: {}", display(path), io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(path));
    }
    String::from_utf8(bytes).map_err(|e| {
        LoadError(format!(
            "`{}` is not UTF-8 text (invalid byte at offset {})",
            display(path),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads at most [`MAX_FILE_BYTES`] of UTF-8 from a stream (stdin).
pub fn read_stream(name: &str, r: impl std::io::Read) -> Result<String, LoadError> {
    use std::io::Read;
    let mut bytes = Vec::new();
    r.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError(format!("cannot read {name}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(LoadError(format!(
            "{name} is larger than {} MiB, the largest input read",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        LoadError(format!(
            "{name} is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn too_big(path: &Path) -> LoadError {
    LoadError(format!(
        "`{}` is larger than {} MiB, the largest input read",
        display(path),
        MAX_FILE_BYTES >> 20
    ))
}

/// Reads the user's policy files for an analysis: each path is a `.policy`
/// file or a directory (its `.policy` files, walked as [`files_with_ext`]).
/// With `root` (paths from a `spec.toml`), every path and every file it
/// yields must resolve inside `root`: a `spec.toml` cannot make the check
/// read, and echo in an error, a file from elsewhere. A file is read only if
/// its real name ends in `.policy`, so no message quotes another file.
pub fn read_policies(paths: &[PathBuf], root: Option<&Path>) -> Result<Vec<crate::analysis::PolicyInput>, LoadError> {
    read_policies_with(paths, root, &|_, _| None)
}

/// [`read_policies`], where `open(path, real_path)` gives the text of a file
/// open in an editor (used instead of the file's content).
pub fn read_policies_with(
    paths: &[PathBuf],
    root: Option<&Path>,
    open: &dyn Fn(&Path, &Path) -> Option<std::sync::Arc<str>>,
) -> Result<Vec<crate::analysis::PolicyInput>, LoadError> {
    let canonical_root = root.map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.to_path_buf()));
    let cwd = current_dir();
    let mut out = Vec::new();
    for p in paths {
        let abs =
            std::fs::canonicalize(p).map_err(|_| LoadError(format!("policy path `{}` does not exist", display(p))))?;
        let check_inside = |f: &Path, real: &Path| -> Result<(), LoadError> {
            if let Some(r) = &canonical_root {
                if !real.starts_with(r) {
                    return Err(LoadError(format!(
                        "policy path `{}` resolves outside the workspace `{}`; `spec.toml` may only name policy files inside its workspace",
                        display(f),
                        display(r)
                    )));
                }
            }
            Ok(())
        };
        check_inside(p, &abs)?;
        let files = if abs.is_dir() {
            files_with_ext(p, "policy")?
        } else {
            vec![p.clone()]
        };
        for f in files {
            let real = std::fs::canonicalize(&f).unwrap_or_else(|_| f.clone());
            check_inside(&f, &real)?;
            if real.extension().is_none_or(|x| x != "policy") {
                return Err(LoadError(format!(
                    "policy path `{}` is not a `.policy` file",
                    display(&f)
                )));
            }
            let text: std::sync::Arc<str> = match open(&f, &real) {
                Some(t) => t,
                None => std::sync::Arc::from(read_text(&f)?),
            };
            let text = match text.strip_prefix('\u{feff}') {
                Some(rest) => std::sync::Arc::from(rest),
                None => text,
            };
            out.push(crate::analysis::PolicyInput {
                name: display_from(cwd.as_deref(), &f, Some(&real)),
                path: Some(f.clone()),
                text,
            });
        }
    }
    Ok(out)
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

/// The canonical path of each file (`None` where it has none), in order.
/// A file that is not itself a symbolic link is its directory's canonical
/// path joined with its name, so each distinct directory is resolved once
/// and each file costs one `lstat`, where `canonicalize` asks for every
/// component of every path (`readlink` each, and `getcwd` for a relative
/// one): on a 2,000-file catalogue that was 10,000 system calls (issue 7).
pub fn canonical_paths(files: &[PathBuf]) -> Vec<Option<PathBuf>> {
    use rayon::prelude::*;
    let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    dirs.sort_unstable();
    dirs.dedup();
    let dirs: std::collections::HashMap<&Path, Option<PathBuf>> = dirs
        .into_par_iter()
        // A bare file name's parent is the empty path: the current directory.
        .map(|d| {
            (
                d,
                std::fs::canonicalize(if d.as_os_str().is_empty() { Path::new(".") } else { d }).ok(),
            )
        })
        .collect();
    files
        .par_iter()
        .map(|f| {
            let joined = match (f.parent(), f.file_name(), std::fs::symlink_metadata(f)) {
                (Some(d), Some(name), Ok(meta)) if !meta.file_type().is_symlink() => {
                    dirs.get(d).and_then(|real| real.as_ref()).map(|real| real.join(name))
                }
                _ => None,
            };
            joined.or_else(|| std::fs::canonicalize(f).ok())
        })
        .collect()
}

/// `path` made canonical, or unchanged when it cannot be.
pub fn canonical_or_same(path: PathBuf) -> PathBuf {
    std::fs::canonicalize(&path).unwrap_or(path)
}

/// Writes an embedded pack to `dir/NAME` (read-only) so editors can open
/// it; the only file the language server writes. `None` when it cannot.
pub fn materialise(dir: &Path, name: &str, text: &str) -> Option<PathBuf> {
    let rel = name.trim_start_matches('/');
    if rel.split('/').any(|c| c == "..") {
        return None;
    }
    let path = dir.join(rel);
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).ok()?;
        }
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut perm = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            let _ = std::fs::set_permissions(&path, perm);
        }
        std::fs::write(&path, text).ok()?;
        if let Ok(meta) = std::fs::metadata(&path) {
            let mut perm = meta.permissions();
            perm.set_readonly(true);
            let _ = std::fs::set_permissions(&path, perm);
        }
    }
    Some(path)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// [`super::canonical_paths`] agrees with `canonicalize` on plain files,
    /// a link to a file, files under a linked directory, a `..` component,
    /// and a missing file.
    #[cfg(unix)]
    #[test]
    fn canonical_paths_agree_with_canonicalize() {
        let d = tempfile::tempdir().expect("tempdir");
        let root = d.path();
        std::fs::create_dir_all(root.join("a/b")).expect("dirs");
        std::fs::write(root.join("a/b/x.pspec"), "").expect("write");
        std::fs::write(root.join("a/y.pspec"), "").expect("write");
        std::os::unix::fs::symlink(root.join("a/b/x.pspec"), root.join("a/link.pspec")).expect("file link");
        std::os::unix::fs::symlink(root.join("a/b"), root.join("linked")).expect("dir link");
        let files: Vec<PathBuf> = [
            "a/b/x.pspec",
            "a/y.pspec",
            "a/link.pspec",
            "linked/x.pspec",
            "a/b/../y.pspec",
            "a/missing.pspec",
        ]
        .iter()
        .map(|f| root.join(f))
        .collect();
        let got = super::canonical_paths(&files);
        let want: Vec<Option<PathBuf>> = files.iter().map(|f| std::fs::canonicalize(f).ok()).collect();
        assert_eq!(got, want);
        assert_eq!(got[2], got[0], "a link resolves to its target");
        assert_eq!(got[5], None);
    }
}
