//! Bringing a catalogue in and out (issue 12): `spec import csv` reads the
//! two tables of a student-records export ([`table`]) and writes or updates
//! a workspace ([`import`]); `spec export` writes the resolved model as JSON
//! or as the same two tables ([`export`]). See `docs/import.md`.
//!
//! The planning is pure (texts in, texts out); [`write_set`] is the one
//! place that writes the resulting files.

pub mod export;
pub mod import;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};

/// Above this many files, a progress bar is shown (on a terminal only).
pub const PROGRESS_THRESHOLD: usize = 300;

/// Writes every file or none: each text goes to a temporary file beside its
/// target (directories are created), and only when all of them are written
/// and flushed are they renamed into place. On an error the temporary files
/// are removed and no target has changed; the error names the file.
pub fn write_set(root: &Path, files: &[(PathBuf, String)]) -> Result<(), String> {
    let bar = progress(files.len());
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf)]| {
        for (tmp, _) in staged {
            let _ = std::fs::remove_file(tmp);
        }
    };
    for (rel, text) in files {
        let target = root.join(rel);
        let shown = target.display().to_string();
        let dir = target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            cleanup(&staged);
            return Err(format!("cannot create directory `{}`: {e}", dir.display()));
        }
        let result = tempfile::Builder::new()
            .prefix(".spec-import-")
            .suffix(".tmp")
            .tempfile_in(&dir)
            .and_then(|mut f| {
                f.write_all(text.as_bytes())?;
                f.as_file().sync_all()?;
                f.keep().map_err(|e| e.error)
            });
        match result {
            Ok((_, tmp)) => staged.push((tmp, target)),
            Err(e) => {
                cleanup(&staged);
                return Err(format!("cannot write `{shown}`: {e}"));
            }
        }
        bar.inc(1);
    }
    for (i, (tmp, target)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            cleanup(&staged[i..]);
            return Err(format!(
                "cannot write `{}`: {e} ({} of {} files were already in place)",
                target.display(),
                i,
                staged.len()
            ));
        }
    }
    bar.finish_and_clear();
    Ok(())
}

/// A progress bar on stderr for more than [`PROGRESS_THRESHOLD`] items,
/// hidden when stderr is not a terminal.
pub fn progress(len: usize) -> indicatif::ProgressBar {
    if len > PROGRESS_THRESHOLD && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let bar = indicatif::ProgressBar::new(len as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files") {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}
