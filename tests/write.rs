//! The atomic-write helper (`spec::write`) and the writers that use it:
//! `spec fmt` racing an editor's save, `spec fmt` killed mid-write, modes,
//! owners, read-only files, hard links, sets all-or-nothing, strays.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use spec::write::{write_file, write_files, Expect, FileWrite, WriteErrorKind};

const BIN: &str = env!("CARGO_BIN_EXE_spec");

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    v.sort();
    v
}

/// A spec of `n` modules, written badly enough that `spec fmt` changes it.
fn unformatted(n: usize, tag: &str) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "module {:04}{tag}   \"Module {i}\"   {{\n credits 20\n      level 7\n}}\n\n\n",
            1000 + i
        ));
    }
    s
}

#[test]
fn creates_and_replaces_leaving_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    write_file(&path, b"one\n", Expect::Absent).expect("create");
    assert_eq!(read(&path), "one\n");
    write_file(&path, b"two\n", Expect::Contents(b"one\n")).expect("replace");
    assert_eq!(read(&path), "two\n");
    write_file(&path, b"three\n", Expect::Any).expect("replace any");
    assert_eq!(read(&path), "three\n");
    assert_eq!(names(dir.path()), vec!["a.pspec".to_string()]);
}

#[test]
fn a_changed_file_is_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    std::fs::write(&path, "the editor's text\n").expect("write");
    let e = write_file(&path, b"formatted\n", Expect::Contents(b"what fmt read\n")).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Changed);
    assert!(e.to_string().contains("changed while spec was working on it"), "{e}");
    assert_eq!(read(&path), "the editor's text\n");
    // Deleted meanwhile: also a change; nothing is created.
    std::fs::remove_file(&path).expect("rm");
    let e = write_file(&path, b"formatted\n", Expect::Contents(b"x")).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Changed);
    assert!(!path.exists());
    assert!(names(dir.path()).is_empty());
}

#[test]
fn absent_never_replaces_an_existing_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    std::fs::write(&path, "mine\n").expect("write");
    let e = write_file(&path, b"theirs\n", Expect::Absent).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Exists);
    assert_eq!(read(&path), "mine\n");
    assert_eq!(names(dir.path()), vec!["a.pspec".to_string()]);
}

#[test]
fn fails_cleanly_in_a_missing_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing").join("a.pspec");
    let e = write_file(&path, b"x", Expect::Any).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::Io);
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn keeps_mode_and_owner_and_follows_symlinks() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    std::fs::write(&path, "old\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let before = std::fs::metadata(&path).expect("metadata");
    write_file(&path, b"new\n", Expect::Contents(b"old\n")).expect("replace");
    let after = std::fs::metadata(&path).expect("metadata");
    assert_eq!(read(&path), "new\n");
    assert_eq!(after.mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_ne!(after.ino(), before.ino(), "replaced by rename, not rewritten in place");

    let link = dir.path().join("link.pspec");
    std::os::unix::fs::symlink(&path, &link).expect("symlink");
    write_file(&link, b"via link\n", Expect::Contents(b"new\n")).expect("write through link");
    assert!(std::fs::symlink_metadata(&link)
        .expect("lstat")
        .file_type()
        .is_symlink());
    assert_eq!(read(&path), "via link\n");
    assert_eq!(std::fs::metadata(&path).expect("metadata").mode() & 0o7777, 0o640);
}

/// Root could write a `0444` file; the helper still refuses it.
#[cfg(unix)]
#[test]
fn read_only_files_are_refused_even_for_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    std::fs::write(&path, "old\n").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let e = write_file(&path, b"new\n", Expect::Contents(b"old\n")).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::ReadOnly, "{e}");
    assert!(e.to_string().contains("is not writable"), "{e}");
    assert_eq!(read(&path), "old\n");
    assert_eq!(names(dir.path()), vec!["a.pspec".to_string()]);
}

#[cfg(unix)]
#[test]
fn hard_linked_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    let other = dir.path().join("b.pspec");
    std::fs::write(&path, "old\n").expect("write");
    std::fs::hard_link(&path, &other).expect("link");
    let e = write_file(&path, b"new\n", Expect::Contents(b"old\n")).unwrap_err();
    assert_eq!(e.kind, WriteErrorKind::HardLinked);
    assert!(e.to_string().contains("has 2 hard links"), "{e}");
    assert_eq!(read(&path), "old\n");
    assert_eq!(read(&other), "old\n");
}

#[cfg(unix)]
#[test]
fn a_set_is_written_all_or_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.pspec");
    let b = dir.path().join("b.pspec");
    let c = dir.path().join("c.pspec");
    std::fs::write(&a, "a\n").expect("write");
    std::fs::write(&c, "c\n").expect("write");
    std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let set = [
        FileWrite {
            path: &a,
            contents: b"A\n",
            expect: Expect::Contents(b"a\n"),
        },
        FileWrite {
            path: &b,
            contents: b"B\n",
            expect: Expect::Absent,
        },
        FileWrite {
            path: &c,
            contents: b"C\n",
            expect: Expect::Contents(b"c\n"),
        },
    ];
    assert_eq!(write_files(&set).unwrap_err().kind, WriteErrorKind::ReadOnly);
    assert_eq!(read(&a), "a\n");
    assert!(!b.exists());
    assert_eq!(names(dir.path()), vec!["a.pspec".to_string(), "c.pspec".to_string()]);

    std::fs::set_permissions(&c, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    write_files(&set).expect("all writable now");
    assert_eq!(
        (read(&a), read(&b), read(&c)),
        ("A\n".into(), "B\n".into(), "C\n".into())
    );
    assert_eq!(names(dir.path()).len(), 3);
}

/// Hidden temporary files of a process that no longer runs are removed by
/// the next write into the directory; a kept old inode whose target is
/// gone is put back.
#[cfg(target_os = "linux")]
#[test]
fn strays_of_a_killed_run_are_cleaned_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A process id that is not running: one of a child that has exited.
    let mut child = Command::new("true").spawn().expect("spawn true");
    let dead = child.id();
    child.wait().expect("wait");
    assert!(!Path::new(&format!("/proc/{dead}")).exists());
    let tmp = format!(".a.pspec.spec-{dead}-AbCd12.tmp");
    let keep = format!(".gone.pspec.spec-{dead}-XyZ987.keep");
    let alive = format!(".a.pspec.spec-{}-Q1w2e3.tmp", std::process::id());
    std::fs::write(dir.path().join(&tmp), "half").expect("write");
    std::fs::write(dir.path().join(&keep), "the only copy\n").expect("write");
    std::fs::write(dir.path().join(&alive), "in use").expect("write");
    std::fs::write(dir.path().join("unrelated.tmp"), "x").expect("write");
    write_file(&dir.path().join("a.pspec"), b"x\n", Expect::Any).expect("write");
    assert_eq!(
        names(dir.path()),
        vec![
            alive,
            "a.pspec".to_string(),
            "gone.pspec".to_string(),
            "unrelated.tmp".to_string()
        ]
    );
    assert_eq!(read(&dir.path().join("gone.pspec")), "the only copy\n");
}

/// An editor saves (truncate + write) while `spec fmt`'s read, format and
/// write run, at a random moment, 1,000 times: the editor's text is never
/// lost. The file ends as the editor's text, or as its formatting when fmt
/// read it after the save; never as the formatting of the old text, never
/// truncated.
#[test]
fn fmt_racing_an_editors_save_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    let original = unformatted(40, "AA");
    let edited = unformatted(41, "BB");
    let formatted_edit = spec::fmt::format(&edited).expect("formats");
    let formatted_original = spec::fmt::format(&original).expect("formats");
    assert_ne!(formatted_original, original);

    let fmt_once = |path: &Path| {
        let text = spec::workspace::read_text(path).map_err(|e| e.0)?;
        let Ok(out) = spec::fmt::format(&text) else {
            return Ok(()); // a torn read does not parse: refused, nothing written
        };
        if out == text {
            return Ok(());
        }
        write_file(path, out.as_bytes(), Expect::Contents(text.as_bytes())).map_err(|e| e.to_string())
    };
    // How long one fmt takes, to spread the saves over it.
    std::fs::write(&path, &original).expect("write");
    let t = Instant::now();
    fmt_once(&path).expect("fmt");
    let span = t.elapsed().max(Duration::from_micros(50));

    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut refused = 0;
    for trial in 0..1000 {
        std::fs::write(&path, &original).expect("write");
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let delay = span.mul_f64((rng % 1000) as f64 / 800.0);
        let editor = {
            let path = path.clone();
            let edited = edited.clone();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let mut f = std::fs::File::create(&path).expect("editor truncates");
                std::io::Write::write_all(&mut f, edited.as_bytes()).expect("editor writes");
            })
        };
        if fmt_once(&path).is_err() {
            refused += 1;
        }
        editor.join().expect("editor");
        let end = read(&path);
        assert!(
            end == edited || end == formatted_edit,
            "trial {trial} (save after {delay:?}): the editor's save was lost; the file has {} bytes",
            end.len()
        );
        assert_eq!(names(dir.path()), vec!["a.pspec".to_string()], "trial {trial}");
    }
    eprintln!("1000 trials, fmt took {span:?}, {refused} writes refused as changed");
}

/// The same race against the real binary (fewer trials: each is a process).
#[test]
fn spec_fmt_binary_racing_an_editors_save_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    let original = unformatted(400, "AA");
    let edited = unformatted(401, "BB");
    let formatted_edit = spec::fmt::format(&edited).expect("formats");
    for trial in 0..40u64 {
        std::fs::write(&path, &original).expect("write");
        let child = Command::new(BIN)
            .arg("fmt")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn spec fmt");
        std::thread::sleep(Duration::from_micros(trial * 500));
        std::fs::write(&path, &edited).expect("editor saves");
        let out = child.wait_with_output().expect("wait");
        let end = read(&path);
        assert!(
            end == edited || end == formatted_edit,
            "trial {trial}: the editor's save was lost"
        );
        let code = out.status.code();
        assert!(matches!(code, Some(0) | Some(1) | Some(2)), "trial {trial}: {code:?}");
        if code == Some(2) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("changed while spec was working on it"), "{stderr}");
        }
    }
}

#[test]
fn the_changed_message_names_the_file_and_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.pspec");
    std::fs::write(&path, "new text\n").expect("write");
    let e = write_file(&path, b"x", Expect::Contents(b"old text\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "`{}` changed while spec was working on it; it was not replaced (run the command again)",
            spec::workspace::display(&path)
        )
    );
}

/// `spec fmt` killed (SIGKILL) at many moments of a large rewrite: the file
/// is always the whole original or the whole formatted text; the next run
/// leaves no stray file behind.
#[test]
fn spec_fmt_killed_mid_write_leaves_the_original_intact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.pspec");
    let original = unformatted(3000, "KK");
    let formatted = spec::fmt::format(&original).expect("formats");
    let mut intact = 0;
    let mut done = 0;
    for step in 0..15u64 {
        std::fs::write(&path, &original).expect("write");
        let mut child = Command::new(BIN)
            .arg("fmt")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn spec fmt");
        std::thread::sleep(Duration::from_millis(step * 6));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let end = read(&path);
        if end == original {
            intact += 1;
        } else if end == formatted {
            done += 1;
        } else {
            panic!(
                "step {step}: the file is neither the original nor the formatted text ({} bytes)",
                end.len()
            );
        }
    }
    // The next run formats (or finds it formatted) and cleans up.
    let out = Command::new(BIN).arg("fmt").arg(&path).output().expect("spec fmt");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(read(&path), formatted);
    assert_eq!(names(dir.path()), vec!["big.pspec".to_string()]);
    eprintln!("{intact} kills left the original, {done} the formatted text");
}

#[test]
fn report_output_naming_an_input_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let programme = std::fs::read_dir(examples.join("programmes"))
        .expect("programmes")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pspec"))
        .expect("an example programme");
    let copy = dir.path().join("p.pspec");
    std::fs::copy(&programme, &copy).expect("copy");
    let before = read(&copy);
    let out = Command::new(BIN)
        .args(["report"])
        .arg(&copy)
        .arg("-o")
        .arg(dir.path().join(".").join("p.pspec"))
        .output()
        .expect("spec report");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is an input of this document"), "{stderr}");
    assert_eq!(read(&copy), before);

    let report = dir.path().join("r.md");
    let out = Command::new(BIN)
        .args(["report"])
        .arg(&copy)
        .arg("-o")
        .arg(&report)
        .output()
        .expect("spec report");
    // Alone, the programme's modules are undefined: `spec check` fails it,
    // so the report exits 1 too (issue 11), and the document is written.
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(read(&report).starts_with("# "));
    assert_eq!(names(dir.path()), vec!["p.pspec".to_string(), "r.md".to_string()]);
}
