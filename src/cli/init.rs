//! `spec init [DIR]`: a starter workspace (`spec.toml`, an example programme
//! that checks clean, and its modules). Existing files are never
//! overwritten: if any of the files to create exists, nothing is written.

use std::path::{Path, PathBuf};

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// Directory to create the workspace in (default `.`); created if missing.
    pub dir: Option<PathBuf>,
}

const SPEC_TOML: &str = r#"# spec workspace configuration. Every key is optional.
# See docs/language.md ("Workspace configuration") for the full list.

[policy]
# Extra policy files or directories, relative to this file. The built-in
# frameworks (ljmu-pgt-2022, ntu-online-2018, ...) need no entry here.
paths = []
# The framework of programmes that do not name one.
# framework = "ljmu-pgt-2022"

[output]
# Default output format of `spec check`: "human" or "json".
format = "human"
# Make warnings fail `spec check`, as `--deny warnings` does.
deny = []
# Pending variances waive nothing, as `--require-approved-variances`.
require_approved_variances = false
"#;

const MODULES: &str = r#"# The modules of the example programme. Module codes are unique in the
# workspace; programmes in other files refer to them by code.

module 7001XX "Research Methods" {
  credits 20
  level 7
  research-skills
  outcomes {
    LO1 "Design a research project with appropriate methods"
    LO2 "Critically appraise published research"
  }
  assessment AS1 "Research proposal" {
    kind coursework
    weight 70%
    covers LO1
  }
  assessment AS2 "Critical review" {
    kind coursework
    weight 30%
    covers LO2
  }
}

module 7002XX "Core Principles" {
  credits 20
  level 7
  outcomes {
    LO1 "Explain the core principles of the discipline"
  }
  assessment AS1 "Examination" {
    kind exam
    weight 100%
    covers LO1
  }
}

module 7003XX "Professional Practice" {
  credits 20
  level 7
  outcomes {
    LO1 "Apply professional standards in practice"
  }
  assessment AS1 "Portfolio" {
    kind portfolio
    weight 100%
    covers LO1
  }
}

module 7004XX "Advanced Topics" {
  credits 20
  level 7
  requires 7002XX
  outcomes {
    LO1 "Evaluate current developments in the discipline"
  }
  assessment AS1 "Project" {
    kind project
    weight 100%
    covers LO1
  }
}

module 7005XX "Elective A" {
  credits 20
  level 7
  outcomes {
    LO1 "Analyse a specialist topic in depth"
  }
  assessment AS1 "Report" {
    kind coursework
    weight 100%
    covers LO1
  }
}

module 7006XX "Elective B" {
  credits 20
  level 7
  outcomes {
    LO1 "Analyse a second specialist topic in depth"
  }
  assessment AS1 "Report" {
    kind coursework
    weight 100%
    covers LO1
  }
}

module 7007XX "Elective C" {
  credits 20
  level 7
  outcomes {
    LO1 "Critically evaluate an applied topic"
  }
  assessment AS1 "Case study" {
    kind coursework
    weight 100%
    covers LO1
  }
}

module 7008XX "Elective D" {
  credits 20
  level 7
  outcomes {
    LO1 "Critically evaluate a second applied topic"
  }
  assessment AS1 "Presentation" {
    kind presentation
    weight 100%
    covers LO1
  }
}

module 7099XX "Dissertation" {
  credits 60
  level 7
  dissertation
  requires 7001XX
  outcomes {
    LO1 "Carry out an independent, in-depth investigation"
  }
  assessment AS1 "Dissertation" {
    kind project
    weight 100%
    covers LO1
  }
}
"#;

const PROGRAMME: &str = r#"# An example MSc under the LJMU postgraduate taught framework. Run
# `spec check` in the workspace folder; `spec explain RULE` explains a rule.

programme MSCXX "MSc Example" {
  award MSc
  framework ljmu-pgt-2022
  credits 180
  mode full-time
  language "English"
  delivery semesterised
  starts 2025-09-22
  validated 2025-06-11
  exit-award PGCert 60
  exit-award PGDip 120
  structure {
    core 7001XX, 7002XX semester 1
    core 7003XX, 7004XX semester 2
    option "Semester 1 electives" choose 20 credits from 7005XX, 7006XX semester 1
    option "Semester 2 electives" choose 20 credits from 7007XX, 7008XX semester 2
    core 7099XX semester 3
  }
}
"#;

/// The files `spec init` writes, relative to the workspace directory.
pub const FILES: &[(&str, &str)] = &[
    ("spec.toml", SPEC_TOML),
    ("modules/example-modules.pspec", MODULES),
    ("programmes/msc-example.pspec", PROGRAMME),
];

pub fn run(args: InitArgs) -> u8 {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    match init(&dir) {
        Ok(written) => {
            for f in &written {
                println!("created {}", crate::workspace::display(f));
            }
            let shown = crate::workspace::display(&dir);
            if shown.is_empty() || shown == "." {
                println!("next: `spec check`");
            } else {
                // Quoted when the shell would split or expand it.
                let plain = shown
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c));
                if plain {
                    println!("next: `spec check {shown}`");
                } else {
                    println!("next: `spec check '{}'`", shown.replace('\'', "'\\''"));
                }
            }
            0
        }
        Err(e) => super::fatal(&e),
    }
}

/// Writes the starter workspace into `dir`; refuses (writing nothing) when
/// any file exists.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("`{}` exists and is not a directory", dir.display()));
    }
    let existing: Vec<String> = FILES
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.exists())
        .map(|p| format!("`{}`", crate::workspace::display(&p)))
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "refusing to overwrite {}; nothing was written",
            existing.join(", ")
        ));
    }
    let mut written = Vec::new();
    for (rel, _) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        written.push(path);
    }
    // All or nothing, and never over a file that appeared meanwhile.
    let set: Vec<crate::write::FileWrite> = written
        .iter()
        .zip(FILES)
        .map(|(path, (_, text))| crate::write::FileWrite {
            path,
            contents: text.as_bytes(),
            expect: crate::write::Expect::Absent,
        })
        .collect();
    crate::write::write_files(&set).map_err(|e| e.to_string())?;
    Ok(written)
}
