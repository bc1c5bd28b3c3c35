//! The one way `spec` writes a file: every writer (`spec fmt`, `spec report
//! -o`, `spec init`, and later `import`/`export`) goes through
//! [`write_file`] or [`write_files`]. See `docs/reliability.md` and
//! decisions D50-D53.
//!
//! What it promises:
//!
//! - **Nothing half-written.** The new text goes to a temporary file in the
//!   same directory (synced), which is then renamed over the target. Killed
//!   at any point, the target is either the old file or the new one, never
//!   a mixture or a truncation.
//! - **No lost edit.** The caller says what it expects at the target
//!   ([`Expect`]): the exact bytes it read, absence, or anything. Just
//!   before the rename the target is compared with that; if it changed
//!   (an editor saved meanwhile) nothing is replaced and the error is
//!   [`WriteErrorKind::Changed`]. The old inode is kept under a second,
//!   hidden name across the rename and compared again after it: an editor
//!   that opened the old file in the tiny window before the rename (its
//!   save lands in the old inode) is detected too, and the old inode, with
//!   the editor's text, is put back.
//! - **Mode and owner kept.** The replacement gets the old file's
//!   permission bits and, where it can (root, or the same owner), its owner
//!   and group; when the owner cannot be kept the file is refused.
//! - **Read-only files refused.** A file without any write bit (`0444`) is
//!   refused even for root; otherwise the file must be writable by the
//!   current user (checked by opening it for writing, which writes nothing).
//! - **Hard links refused** (D51): renaming over a file that has other
//!   links would silently split them, so such a file is refused with a
//!   message naming the link count; nothing is written.
//! - **Symbolic links followed**: the file they point to is replaced, the
//!   link stays.
//! - **No stray files** (D52): temporary files and kept inodes are hidden
//!   (`.NAME.spec-PID-RANDOM.tmp` / `.keep`) and removed on every error
//!   path; those left by a killed run (a process id that no longer runs)
//!   are removed by the next write into that directory.
//! - **Sets all-or-nothing** ([`write_files`]): every temporary file is
//!   written and every target checked before the first rename; if a rename
//!   fails, the renames already done are undone. (Killed in the middle of
//!   the renames, a prefix of the set is replaced; each file is whole.)
//!
//! The check-then-rename window cannot be closed completely on POSIX; the
//! kept inode makes the remaining window one where the editor's save goes
//! into the new file, so it wins and nothing it wrote is lost.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// What the caller expects at the target just before it is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect<'a> {
    /// The exact bytes the caller read (formatting in place).
    Contents(&'a [u8]),
    /// No file: the write creates it and never replaces one that appeared
    /// meanwhile (`spec init`).
    Absent,
    /// Whatever is there (or nothing) may be replaced (`report -o`).
    Any,
}

/// One file of a set for [`write_files`].
#[derive(Debug, Clone)]
pub struct FileWrite<'a> {
    pub path: &'a Path,
    pub contents: &'a [u8],
    pub expect: Expect<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteErrorKind {
    /// The target is not what the caller read; nothing was replaced.
    Changed,
    /// The target exists although [`Expect::Absent`] was asked.
    Exists,
    /// The user may not write the target (no write bit, owner not kept).
    ReadOnly,
    /// The target has other hard links.
    HardLinked,
    /// The target is not a regular file.
    NotAFile,
    /// Any other I/O failure (disk full, directory not writable, ...).
    Io,
}

/// Why a write did not happen. Its `Display` is a lowercase sentence that
/// starts with the path in backticks and says that nothing was written.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub kind: WriteErrorKind,
    pub detail: String,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = crate::workspace::display(&self.path);
        match self.kind {
            WriteErrorKind::Changed => write!(
                f,
                "`{p}` changed while spec was working on it; it was not replaced (run the command again)"
            ),
            WriteErrorKind::Exists => write!(f, "`{p}` already exists; it was not replaced"),
            WriteErrorKind::ReadOnly => write!(f, "`{p}` is not writable ({}); it was not replaced", self.detail),
            WriteErrorKind::HardLinked => write!(
                f,
                "`{p}` has {} hard links; replacing it would split them, so it was not replaced",
                self.detail
            ),
            WriteErrorKind::NotAFile => write!(f, "`{p}` is not a regular file; it was not replaced"),
            WriteErrorKind::Io => write!(f, "cannot write `{p}`: {}; nothing was replaced", self.detail),
        }
    }
}

impl std::error::Error for WriteError {}

impl WriteError {
    fn new(path: &Path, kind: WriteErrorKind, detail: impl Into<String>) -> Self {
        WriteError {
            path: path.to_path_buf(),
            kind,
            detail: detail.into(),
        }
    }
    fn io(path: &Path, e: &std::io::Error) -> Self {
        let detail = match e.kind() {
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            _ => e.to_string(),
        };
        WriteError::new(path, WriteErrorKind::Io, detail)
    }
}

/// Writes one file (see the module documentation).
pub fn write_file(path: &Path, contents: &[u8], expect: Expect<'_>) -> Result<(), WriteError> {
    write_files(&[FileWrite { path, contents, expect }])
}

/// Writes a set of files all-or-nothing (see the module documentation).
pub fn write_files(files: &[FileWrite<'_>]) -> Result<(), WriteError> {
    let mut staged: Vec<Staged> = Vec::with_capacity(files.len());
    for f in files {
        staged.push(Staged::prepare(f)?);
    }
    // Every target is checked before the first rename.
    for s in &staged {
        s.check_unchanged()?;
    }
    let mut done: Vec<Committed> = Vec::with_capacity(staged.len());
    for s in staged {
        match s.commit() {
            Ok(c) => done.push(c),
            Err(e) => {
                for c in done.into_iter().rev() {
                    c.undo();
                }
                return Err(e);
            }
        }
    }
    // After every rename: an editor that saved into an old inode in the
    // window before its rename gets that inode back.
    let mut changed = None;
    for c in &done {
        if changed.is_none() && c.lost_edit() {
            changed = Some(c.target.clone());
        }
    }
    if let Some(path) = changed {
        for c in done.into_iter().rev() {
            c.undo();
        }
        return Err(WriteError::new(&path, WriteErrorKind::Changed, ""));
    }
    for c in done {
        c.finish();
    }
    Ok(())
}

/// A temporary file written and synced, not yet renamed.
struct Staged<'a> {
    /// The file to replace (symbolic links resolved).
    target: PathBuf,
    dir: PathBuf,
    tmp: tempfile::TempPath,
    expect: Expect<'a>,
}

/// A rename done; `keep` holds the old inode under a hidden name.
struct Committed<'a> {
    target: PathBuf,
    keep: Option<PathBuf>,
    expect: Expect<'a>,
    /// Whether the target was created (nothing was there).
    created: bool,
}

fn hidden_name(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".to_string());
    format!(".{name}.spec-{}-", std::process::id())
}

const TMP_SUFFIX: &str = ".tmp";
const KEEP_SUFFIX: &str = ".keep";

impl<'a> Staged<'a> {
    fn prepare(f: &FileWrite<'a>) -> Result<Staged<'a>, WriteError> {
        let target = match std::fs::symlink_metadata(f.path) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(f.path) {
                Ok(t) => t,
                // A dangling link: write where it points would need the
                // link target's directory; refuse instead.
                Err(e) => return Err(WriteError::io(f.path, &e)),
            },
            _ => f.path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        remove_strays(&dir);
        let existing = match std::fs::metadata(&target) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(WriteError::io(f.path, &e)),
        };
        match (&existing, &f.expect) {
            (Some(_), Expect::Absent) => return Err(WriteError::new(f.path, WriteErrorKind::Exists, "")),
            (None, Expect::Contents(_)) => return Err(WriteError::new(f.path, WriteErrorKind::Changed, "")),
            _ => {}
        }
        if let Some(m) = &existing {
            check_replaceable(f.path, &target, m)?;
        }
        let mut builder = tempfile::Builder::new();
        let prefix = hidden_name(&target);
        builder.prefix(&prefix).suffix(TMP_SUFFIX);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A new file gets the usual mode (0666 less the umask).
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let mut tmp = builder.tempfile_in(&dir).map_err(|e| WriteError::io(f.path, &e))?;
        tmp.write_all(f.contents).map_err(|e| WriteError::io(f.path, &e))?;
        if let Some(m) = &existing {
            keep_owner_and_mode(f.path, tmp.as_file(), m)?;
        }
        tmp.as_file().sync_all().map_err(|e| WriteError::io(f.path, &e))?;
        let (file, tmp) = tmp.into_parts();
        drop(file);
        Ok(Staged {
            target,
            dir,
            tmp,
            expect: f.expect.clone(),
        })
    }

    fn check_unchanged(&self) -> Result<(), WriteError> {
        match &self.expect {
            Expect::Contents(old) => match std::fs::read(&self.target) {
                Ok(now) if now == *old => Ok(()),
                Ok(_) => Err(WriteError::new(&self.target, WriteErrorKind::Changed, "")),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(WriteError::new(&self.target, WriteErrorKind::Changed, ""))
                }
                Err(e) => Err(WriteError::io(&self.target, &e)),
            },
            Expect::Absent => {
                if std::fs::symlink_metadata(&self.target).is_ok() {
                    Err(WriteError::new(&self.target, WriteErrorKind::Exists, ""))
                } else {
                    Ok(())
                }
            }
            Expect::Any => Ok(()),
        }
    }

    fn commit(self) -> Result<Committed<'a>, WriteError> {
        let Staged {
            target,
            dir,
            tmp,
            expect,
        } = self;
        if let Expect::Absent = expect {
            // `persist_noclobber`: never replaces a file that appeared since
            // the check (link + unlink, or renameat2 NOREPLACE).
            return match tmp.persist_noclobber(&target) {
                Ok(()) => {
                    sync_dir(&dir);
                    Ok(Committed {
                        target,
                        keep: None,
                        expect,
                        created: true,
                    })
                }
                Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                    Err(WriteError::new(&target, WriteErrorKind::Exists, ""))
                }
                Err(e) => Err(WriteError::io(&target, &e.error)),
            };
        }
        let existed = std::fs::symlink_metadata(&target).is_ok();
        // The old inode under a hidden name, so that it can be compared
        // after the rename and put back (best effort: some file systems
        // have no hard links; then only the check before the rename holds).
        let keep = if existed {
            let keep = dir.join(format!(
                "{}{}{KEEP_SUFFIX}",
                hidden_name(&target),
                tmp.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.rsplit('-').next())
                    .map(|n| n.trim_end_matches(TMP_SUFFIX))
                    .unwrap_or("0")
            ));
            std::fs::hard_link(&target, &keep).ok().map(|()| keep)
        } else {
            None
        };
        if let Err(e) = tmp.persist(&target) {
            if let Some(k) = &keep {
                let _ = std::fs::remove_file(k);
            }
            return Err(WriteError::io(&target, &e.error));
        }
        sync_dir(&dir);
        Ok(Committed {
            target,
            keep,
            expect,
            created: !existed,
        })
    }
}

impl Committed<'_> {
    /// Whether the old inode changed after the check (an editor's save that
    /// would be lost).
    fn lost_edit(&self) -> bool {
        match (&self.expect, &self.keep) {
            (Expect::Contents(old), Some(keep)) => match std::fs::read(keep) {
                Ok(now) => now != *old,
                Err(_) => false,
            },
            _ => false,
        }
    }

    /// Puts the old file back (or removes a created one).
    fn undo(self) {
        match &self.keep {
            Some(keep) => {
                let _ = std::fs::rename(keep, &self.target);
            }
            None if self.created => {
                let _ = std::fs::remove_file(&self.target);
            }
            None => {}
        }
    }

    fn finish(self) {
        if let Some(keep) = &self.keep {
            let _ = std::fs::remove_file(keep);
        }
    }
}

fn sync_dir(dir: &Path) {
    // Makes the rename durable (best effort: not every platform can open a
    // directory).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn check_replaceable(shown: &Path, target: &Path, m: &std::fs::Metadata) -> Result<(), WriteError> {
    if !m.is_file() {
        return Err(WriteError::new(shown, WriteErrorKind::NotAFile, ""));
    }
    if m.permissions().readonly() {
        // No write bit at all: refused even for root, who could write it.
        return Err(WriteError::new(
            shown,
            WriteErrorKind::ReadOnly,
            "it has no write permission",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if m.nlink() > 1 {
            return Err(WriteError::new(
                shown,
                WriteErrorKind::HardLinked,
                m.nlink().to_string(),
            ));
        }
    }
    // Writable by this user? Opening for writing (no truncation, no
    // creation) writes nothing and applies the kernel's own rules.
    if let Err(e) = std::fs::OpenOptions::new().write(true).open(target) {
        return Err(match e.kind() {
            std::io::ErrorKind::PermissionDenied => {
                WriteError::new(shown, WriteErrorKind::ReadOnly, "permission denied")
            }
            _ => WriteError::io(shown, &e),
        });
    }
    Ok(())
}

#[cfg(unix)]
fn keep_owner_and_mode(shown: &Path, tmp: &std::fs::File, m: &std::fs::Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mine = tmp.metadata().map_err(|e| WriteError::io(shown, &e))?;
    if (mine.uid(), mine.gid()) != (m.uid(), m.gid()) {
        let uid = (mine.uid() != m.uid()).then_some(m.uid());
        let gid = (mine.gid() != m.gid()).then_some(m.gid());
        if std::os::unix::fs::fchown(tmp, uid, gid).is_err() {
            return Err(WriteError::new(
                shown,
                WriteErrorKind::ReadOnly,
                format!(
                    "it belongs to user {} group {}, which this user cannot give the new file",
                    m.uid(),
                    m.gid()
                ),
            ));
        }
    }
    tmp.set_permissions(std::fs::Permissions::from_mode(m.mode() & 0o7777))
        .map_err(|e| WriteError::io(shown, &e))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(shown: &Path, tmp: &std::fs::File, m: &std::fs::Metadata) -> Result<(), WriteError> {
    tmp.set_permissions(m.permissions())
        .map_err(|e| WriteError::io(shown, &e))
}

/// Removes the hidden temporary files a killed run left in `dir`: names
/// `.NAME.spec-PID-RANDOM.tmp|.keep` whose process no longer runs. A
/// `.keep` is only removed when its target exists (otherwise it is the
/// only copy left, and it is renamed back).
pub fn remove_strays(dir: &Path) {
    // Process liveness is known through /proc (Linux); elsewhere strays
    // are left alone rather than guessed at.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some((target, pid)) = parse_stray(name) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let path = dir.join(name);
        if name.ends_with(KEEP_SUFFIX) && !dir.join(target).exists() {
            let _ = std::fs::rename(&path, dir.join(target));
        } else {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// `.NAME.spec-PID-RANDOM.tmp` -> (`NAME`, PID).
fn parse_stray(name: &str) -> Option<(&str, u32)> {
    let rest = name.strip_prefix('.')?;
    let rest = rest
        .strip_suffix(TMP_SUFFIX)
        .or_else(|| rest.strip_suffix(KEEP_SUFFIX))?;
    let at = rest.rfind(".spec-")?;
    let target = &rest[..at];
    let mut parts = rest[at + ".spec-".len()..].splitn(2, '-');
    let pid = parts.next()?.parse().ok()?;
    let random = parts.next()?;
    if target.is_empty() || random.is_empty() || !random.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((target, pid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_names_parse() {
        assert_eq!(parse_stray(".a.pspec.spec-123-AbC9.tmp"), Some(("a.pspec", 123)));
        assert_eq!(parse_stray(".a.pspec.spec-123-AbC9.keep"), Some(("a.pspec", 123)));
        assert_eq!(parse_stray(".a.pspec.spec-x-AbC9.tmp"), None);
        assert_eq!(parse_stray("a.pspec.spec-1-A.tmp"), None);
        assert_eq!(parse_stray(".a.pspec.tmp"), None);
        assert_eq!(parse_stray(".a.pspec.spec-1-.tmp"), None);
    }
}
