//! `spec fmt [--check] [PATH...]`: canonical formatting with
//! [`crate::fmt::format`].
//!
//! - Directories are searched for `.pspec` files (as `spec check` does);
//!   `-` formats stdin to stdout.
//! - Every file is read before anything is written: an unreadable path stops
//!   the command with exit 2 and nothing is changed.
//! - A file with syntax errors is refused: its errors are rendered (human
//!   renderer, on stderr), the file is left alone, and the exit status is 1.
//! - In place, a file is replaced atomically ([`crate::write::write_file`]),
//!   and only when its formatting changes and it is still what was read: a
//!   file saved meanwhile by an editor is left alone (exit 2).
//! - `--check` writes nothing; it lists the files that would change, with the
//!   first differing line as a hint, and exits 1 if there is any.
//!
//! Exit status: 0 all formatted (or already canonical), 1 a file would change
//! under `--check` or was refused, 2 the command could not run (unreadable
//! path, failed write, internal formatter error).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;

use crate::diag::Diagnostic;
use crate::fmt::FormatError;
use crate::render::human;
use crate::source::{Source, SourceKind, Sources};
use crate::workspace::{self, display};

#[derive(Args, Debug, Clone)]
pub struct FmtArgs {
    /// Change nothing; exit 1 and list the files that would change.
    #[arg(long)]
    pub check: bool,
    /// Files or directories (default `.`); `-` formats stdin to stdout.
    pub paths: Vec<PathBuf>,
}

/// One text to format.
struct Target {
    /// `None` for stdin.
    path: Option<PathBuf>,
    name: String,
    text: String,
}

#[derive(Default)]
struct Tally {
    changed: usize,
    unchanged: usize,
    refused: usize,
    failed: usize,
}

pub fn run(args: FmtArgs, color: bool) -> u8 {
    let targets = match collect(&args.paths) {
        Ok(t) => t,
        Err(e) => return super::fatal(&e),
    };
    if !args.check {
        // Hidden temporary files of a killed earlier run (see `crate::write`).
        let dirs: HashSet<PathBuf> = targets
            .iter()
            .filter_map(|t| t.path.as_ref()?.parent().map(|d| d.to_path_buf()))
            .collect();
        for d in dirs {
            crate::write::remove_strays(if d.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                &d
            });
        }
    }
    let mut tally = Tally::default();
    let mut stdout = std::io::stdout().lock();
    for t in &targets {
        let formatted = match crate::fmt::format(&t.text) {
            Ok(f) => f,
            Err(FormatError::Syntax(errors)) => {
                tally.refused += 1;
                eprint!("{}", render_syntax_errors(t, &errors, color));
                eprintln!("error: `{}` has syntax errors; not formatted", t.name);
                continue;
            }
            Err(e @ FormatError::Unstable(_)) => {
                tally.failed += 1;
                eprintln!("error: `{}`: {e}", t.name);
                continue;
            }
        };
        let same = formatted == t.text;
        match (&t.path, args.check) {
            (None, false) => {
                if stdout
                    .write_all(formatted.as_bytes())
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    return 2;
                }
                if same {
                    tally.unchanged += 1;
                } else {
                    tally.changed += 1;
                }
            }
            (_, true) => {
                if same {
                    tally.unchanged += 1;
                } else {
                    tally.changed += 1;
                    let _ = writeln!(stdout, "would reformat {}", t.name);
                    let _ = write!(stdout, "{}", diff_hint(&t.text, &formatted));
                }
            }
            (Some(path), false) => {
                if same {
                    tally.unchanged += 1;
                } else {
                    let expect = crate::write::Expect::Contents(t.text.as_bytes());
                    match crate::write::write_file(path, formatted.as_bytes(), expect) {
                        Ok(()) => {
                            tally.changed += 1;
                            let _ = writeln!(stdout, "formatted {}", t.name);
                        }
                        Err(e) => {
                            tally.failed += 1;
                            eprintln!("error: {e}");
                        }
                    }
                }
            }
        }
    }
    let _ = stdout.flush();
    let stdin_only = targets.iter().all(|t| t.path.is_none());
    if !stdin_only || args.check {
        eprintln!("{}", summary(&tally, args.check));
    }
    if tally.failed > 0 {
        2
    } else if tally.refused > 0 || (args.check && tally.changed > 0) {
        1
    } else {
        0
    }
}

/// Reads every target first, so an unreadable path changes nothing.
fn collect(paths: &[PathBuf]) -> Result<Vec<Target>, String> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let mut targets = Vec::new();
    let mut seen = HashSet::new();
    let mut stdin_used = false;
    for p in &paths {
        if p.as_os_str() == "-" {
            if !stdin_used {
                stdin_used = true;
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| format!("cannot read stdin: {e}"))?;
                targets.push(Target {
                    path: None,
                    name: "<stdin>".into(),
                    text,
                });
            }
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("`{}` does not exist", p.display()),
            _ => format!("cannot read `{}`: {e}", p.display()),
        })?;
        let files = if meta.is_dir() {
            let files = workspace::pspec_files(p).map_err(|e| e.0)?;
            // As `spec check`: `fmt --check` of nothing is not a pass.
            if files.is_empty() {
                return Err(format!("no `.pspec` files under `{}`", display(p)));
            }
            files
        } else {
            vec![p.clone()]
        };
        let cwd = workspace::current_dir();
        let real = workspace::canonical_paths(&files);
        for (f, abs) in files.into_iter().zip(real) {
            let key = abs.clone().unwrap_or_else(|| f.clone());
            if !seen.insert(key) {
                continue;
            }
            let text = workspace::read_text(&f).map_err(|e| e.0)?;
            targets.push(Target {
                name: workspace::display_from(cwd.as_deref(), &f, abs.as_deref()),
                path: Some(f),
                text,
            });
        }
    }
    Ok(targets)
}

/// The syntax errors of a refused file, as `spec check` renders them.
fn render_syntax_errors(t: &Target, errors: &[crate::syntax::ast::SyntaxError], color: bool) -> String {
    let mut sources = Sources::new();
    let id = sources.add(Source::new(
        t.name.clone(),
        t.path.clone(),
        t.text.as_str(),
        SourceKind::Spec,
    ));
    let mut out = String::new();
    for e in errors {
        let mut d = Diagnostic::error("spec/syntax", id, e.span, e.message.clone());
        d.help = e.help.clone();
        out.push_str(&human::render_one(&d, &sources, color));
    }
    out
}

/// Where the formatted text first differs, and how many lines differ.
fn diff_hint(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let Some(first) = (0..old.len().max(new.len())).find(|&i| old.get(i) != new.get(i)) else {
        // Only line endings or the final newline differ.
        return "  line endings or the final newline differ\n".to_string();
    };
    let shown = |l: Option<&&str>| match l {
        Some(l) => {
            let l = l.trim_end_matches('\r');
            match l.char_indices().nth(72) {
                Some((cut, _)) => format!("`{}`...", &l[..cut]),
                None => format!("`{l}`"),
            }
        }
        None => "(end of file)".to_string(),
    };
    let differing = (0..old.len().max(new.len()))
        .filter(|&i| old.get(i) != new.get(i))
        .count();
    format!(
        "  line {}: {}\n     would be: {}\n  ({} line{} differ; run `spec fmt` on it to fix)\n",
        first + 1,
        shown(old.get(first)),
        shown(new.get(first)),
        differing,
        if differing == 1 { "" } else { "s" }
    )
}

fn summary(t: &Tally, check: bool) -> String {
    let plural = |n: usize| if n == 1 { "file" } else { "files" };
    let mut parts = Vec::new();
    if check {
        parts.push(format!("{} {} would be reformatted", t.changed, plural(t.changed)));
    } else {
        parts.push(format!("{} {} reformatted", t.changed, plural(t.changed)));
    }
    parts.push(format!("{} already formatted", t.unchanged));
    if t.refused > 0 {
        parts.push(format!("{} refused (syntax errors)", t.refused));
    }
    if t.failed > 0 {
        parts.push(format!("{} failed", t.failed));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_hint_names_the_first_differing_line() {
        let h = diff_hint("a\nb  \nc\n", "a\nb\nc\n");
        assert!(h.contains("line 2: `b  `"), "{h}");
        assert!(h.contains("would be: `b`"), "{h}");
        assert!(h.contains("1 line differ"), "{h}");
        let h = diff_hint("a\n", "a\nb\n");
        assert!(h.contains("line 2: (end of file)"), "{h}");
        assert_eq!(
            diff_hint("a\r\n", "a\n"),
            "  line endings or the final newline differ\n"
        );
    }
}
