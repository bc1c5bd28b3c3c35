//! A deterministic synthetic catalogue: many MSc programmes under
//! `ljmu-pgt-2022`, each with its own modules, core lines and option groups,
//! written across many `.pspec` files the way a faculty would keep them
//! (`modules/*.pspec`, `programmes/*.pspec`).
//!
//! Shape of one programme (180 credits, balanced semesters):
//! - semester 1: a 20-credit research-skills module and a 20-credit core
//!   module, plus an option group choosing 20 credits from one 20-credit and
//!   two 10-credit modules;
//! - semester 2: two 20-credit core modules (one requires a semester-1
//!   module), plus an option group choosing 20 credits from one 20-credit and
//!   two 10-credit modules;
//! - semester 3: a 60-credit dissertation requiring the research module.
//!
//! So 11 modules and 4 pathways per programme. A few programmes carry
//! realistic faults (a 15-credit option module, an undefined module) unless
//! `faults` is off; every 25th has a 15-credit module covered by an approved
//! variance (reported as waived), so diagnostics are produced and
//! rendered too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How big a catalogue to generate.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub programmes: usize,
    /// Programmes per programme file (and their modules per module file).
    pub per_file: usize,
    /// Include the faults (15-credit modules, undefined modules).
    pub faults: bool,
}

/// What was generated.
#[derive(Debug, Clone)]
pub struct Generated {
    pub dir: PathBuf,
    pub files: usize,
    pub bytes: usize,
    pub programmes: usize,
    pub modules: usize,
}

const MODULES_PER_PROGRAMME: usize = 11;

const TOPICS: &[&str] = &[
    "Data", "Systems", "Policy", "Health", "Design", "Finance", "Law", "Media", "Energy", "Water", "Cities",
    "Learning", "Security", "Culture", "Sport", "Marine",
];

const KINDS: &[&str] = &[
    "coursework",
    "exam",
    "portfolio",
    "project",
    "presentation",
    "test",
    "practical",
];

/// A tiny deterministic generator (xorshift), so catalogues are identical
/// from run to run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn code(p: usize, m: usize) -> String {
    format!("7{p:05}{}", (b'A' + m as u8) as char)
}

fn module_text(
    out: &mut String,
    rng: &mut Rng,
    p: usize,
    m: usize,
    credits: u32,
    flags: &[&str],
    requires: Option<String>,
) {
    let topic = rng.pick(TOPICS);
    let _ = writeln!(
        out,
        "module {} \"{} {} {}\" {{",
        code(p, m),
        topic,
        ["Foundations", "Methods", "Practice", "Analysis", "Studies"][m % 5],
        p
    );
    let _ = writeln!(out, "  credits {credits}");
    let _ = writeln!(out, "  level 7");
    if m % 4 == 1 {
        let _ = writeln!(out, "  weeks 12");
    }
    for f in flags {
        let _ = writeln!(out, "  {f}");
    }
    if let Some(r) = requires {
        let _ = writeln!(out, "  requires {r}");
    }
    // Written compactly, as many catalogues exported from other systems are.
    let two = credits >= 20 && m.is_multiple_of(2);
    let t = topic.to_lowercase();
    if two {
        let _ = writeln!(
            out,
            "  outcomes {{ LO1 \"Analyse {t} critically\" LO2 \"Communicate findings\" }}"
        );
        let _ = writeln!(
            out,
            "  assessment AS1 \"Assignment\" {{ kind {} weight 60% covers LO1 }}",
            rng.pick(KINDS)
        );
        let _ = writeln!(
            out,
            "  assessment AS2 \"Talk\" {{ kind presentation weight 40% covers LO2 }}"
        );
    } else {
        let _ = writeln!(out, "  outcomes {{ LO1 \"Analyse {t} critically\" }}");
        let _ = writeln!(
            out,
            "  assessment AS1 \"Assignment\" {{ kind {} weight 100% covers LO1 }}",
            rng.pick(KINDS)
        );
    }
    let _ = writeln!(out, "}}\n");
}

/// The modules of programme `p`.
fn modules(out: &mut String, rng: &mut Rng, p: usize, faults: bool) {
    // Every 10th programme has a 15-credit option (PG.A4.2/module-size);
    // every 25th has one too, covered by an approved variance (waived).
    let odd = (faults && p % 10 == 7) || p % 25 == 3;
    module_text(out, rng, p, 0, 20, &["research-skills"], None);
    module_text(out, rng, p, 1, 20, &[], None);
    module_text(out, rng, p, 2, 20, &[], None);
    module_text(out, rng, p, 3, 20, &[], Some(code(p, 1)));
    module_text(out, rng, p, 4, 20, &[], None);
    module_text(out, rng, p, 5, if odd { 15 } else { 10 }, &[], None);
    module_text(out, rng, p, 6, 10, &[], None);
    module_text(out, rng, p, 7, 20, &[], None);
    module_text(out, rng, p, 8, 10, &[], None);
    module_text(out, rng, p, 9, 10, &[], Some(code(p, 1)));
    module_text(out, rng, p, 10, 60, &["dissertation"], Some(code(p, 0)));
}

fn programme(out: &mut String, p: usize, faults: bool) {
    let c = |m| code(p, m);
    let _ = writeln!(out, "programme MSC{p:05} \"MSc Applied Studies {p}\" {{");
    let _ = writeln!(out, "  award MSc\n  framework ljmu-pgt-2022\n  credits 180");
    let _ = writeln!(
        out,
        "  mode {}",
        if p.is_multiple_of(3) {
            "full-time, part-time"
        } else {
            "full-time"
        }
    );
    let _ = writeln!(
        out,
        "  language \"English\"\n  delivery semesterised\n  starts 2025-09-22\n  validated 2025-06-11"
    );
    let _ = writeln!(out, "  exit-award PGCert 60\n  exit-award PGDip 120");
    if p % 25 == 3 {
        let _ = writeln!(out, "  accreditation \"British Computer Society\"");
    }
    let _ = writeln!(out, "  structure {{");
    let _ = writeln!(out, "    core {}, {} semester 1", c(0), c(1));
    let _ = writeln!(
        out,
        "    option \"Semester 1 options\" choose 20 credits from {}, {}, {} semester 1",
        c(2),
        c(5),
        c(6)
    );
    // Every 50th programme names a module that is not defined.
    let missing = if faults && p % 50 == 11 {
        format!(", 7{p:05}Z")
    } else {
        String::new()
    };
    let _ = writeln!(out, "    core {}, {}{missing} semester 2", c(3), c(4));
    let _ = writeln!(out, "    option \"Semester 2 options\" choose 20 credits {{");
    let _ = writeln!(
        out,
        "      {} semester 2\n      {} semester 2\n      {} semester 2",
        c(7),
        c(8),
        c(9)
    );
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "    core {} semester 3", c(10));
    let _ = writeln!(out, "  }}");
    if p % 25 == 3 {
        let _ = writeln!(
            out,
            "  variance PG.A4.2/module-size {{\n    applies-to {}\n    criterion psrb \"British Computer Society\"\n    rationale \"Accreditation requires it.\"\n    alternative \"Credit totals are unchanged.\"\n    evidence \"BCS guidelines 2023, section 4.1\"\n    submitted 2025-03-01\n    approved \"Academic Quality and Standards Committee\" 2025-04-10\n  }}",
            c(5)
        );
    }
    let _ = writeln!(out, "}}\n");
}

/// Writes the catalogue into `dir` (created; existing `.pspec` files there
/// are replaced).
pub fn generate(dir: &Path, size: Size) -> std::io::Result<Generated> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.join("modules"))?;
    std::fs::create_dir_all(dir.join("programmes"))?;
    std::fs::write(dir.join("spec.toml"), "# synthetic benchmark catalogue\n")?;
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut files = 0;
    let mut bytes = 0;
    let per = size.per_file.max(1);
    for (f, start) in (0..size.programmes).step_by(per).enumerate() {
        let end = (start + per).min(size.programmes);
        let mut mods = String::new();
        let mut progs = String::new();
        for p in start..end {
            modules(&mut mods, &mut rng, p, size.faults);
            programme(&mut progs, p, size.faults);
        }
        for (sub, text) in [("modules", mods), ("programmes", progs)] {
            let text = text.trim_end().to_string() + "\n";
            bytes += text.len();
            files += 1;
            std::fs::write(dir.join(sub).join(format!("{sub}-{f:04}.pspec")), text)?;
        }
    }
    Ok(Generated {
        dir: dir.to_path_buf(),
        files,
        bytes,
        programmes: size.programmes,
        modules: size.programmes * MODULES_PER_PROGRAMME,
    })
}
