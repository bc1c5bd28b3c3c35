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

use std::path::{Path, PathBuf};

use crate::write::{Expect, FileWrite};

/// Above this many files, a progress bar is shown (on a terminal only).
pub const PROGRESS_THRESHOLD: usize = 300;

/// Writes every file or none through [`crate::write::write_files`] (the
/// one writer: temporary file beside each target, every target checked
/// against what the caller expects there, then renamed; a failed rename
/// undoes the ones before it). Missing directories are created first. The
/// error names the file and says nothing was replaced.
pub fn write_set(root: &Path, files: &[(PathBuf, String, Expect<'_>)]) -> Result<(), String> {
    let bar = progress(files.len());
    let targets: Vec<PathBuf> = files.iter().map(|(rel, _, _)| root.join(rel)).collect();
    for target in &targets {
        let dir = target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return Err(format!(
                "cannot create directory `{}`: {e}; nothing was written",
                crate::workspace::display(&dir)
            ));
        }
        bar.inc(1);
    }
    let set: Vec<FileWrite<'_>> = files
        .iter()
        .zip(&targets)
        .map(|((_, text, expect), path)| FileWrite {
            path,
            contents: text.as_bytes(),
            expect: expect.clone(),
        })
        .collect();
    let result = crate::write::write_files(&set).map_err(|e| e.to_string());
    bar.finish_and_clear();
    result
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
