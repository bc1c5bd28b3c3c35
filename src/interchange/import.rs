//! `spec import csv`: from the rows of a student-records export to `.pspec`
//! texts, and into an existing workspace without losing people's work.
//!
//! Pure: the texts of the workspace's files in, the texts to write and a
//! report out. The command (`cli/import.rs`) reads and writes the files.
//!
//! Re-import (D70): an item is recognised by its code, wherever it lives in
//! the workspace. The CSV owns a fixed set of each item's properties
//! ([`MODULE_OWNED`], [`PROGRAMME_OWNED`]); those are replaced in place,
//! everything else in the item and the file (outcomes, assessments,
//! variances, comments, other properties) is kept as written. Items the CSV
//! does not mention are left alone and listed in the report.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::table::{Catalogue, EntryRow, ModuleRow, ProgrammeRows, Slot, Status};
use crate::model::{Membership, Structure};
use crate::span::Span;
use crate::syntax::ast::{Item, ModuleKind, ProgrammeKind, SourceFile};

/// The module properties the modules table owns (and the title).
pub const MODULE_OWNED: &[&str] = &[
    "credits",
    "level",
    "weeks",
    "requires",
    "dissertation",
    "research-skills",
    "placement",
];
/// The programme properties the structure table owns (and the title);
/// `framework` only when `PRG_FRMW` has a value.
pub const PROGRAMME_OWNED: &[&str] = &["award", "credits", "framework", "structure"];

/// One `.pspec` file of the workspace, by its path relative to the root.
#[derive(Debug, Clone)]
pub struct Existing {
    pub path: PathBuf,
    pub text: String,
}

/// A file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: PathBuf,
    pub text: String,
    /// The file does not exist yet.
    pub new: bool,
}

/// What an import did (or would do, under `--dry-run`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub modules: usize,
    pub programmes: usize,
    pub new_modules: Vec<String>,
    pub new_programmes: Vec<String>,
    /// `module 7001DS: credits 10 -> 20`, one line per changed property.
    pub changes: Vec<String>,
    pub changed_items: usize,
    pub unchanged_items: usize,
    /// Items of the workspace the CSV does not mention (left as they are).
    pub not_in_csv: Vec<String>,
    /// Modules of the CSV that have no outcomes / no assessments in the result.
    pub without_outcomes: usize,
    pub without_assessments: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Only files whose text changes, sorted by path.
    pub files: Vec<Output>,
    pub report: Report,
}

/// The `.pspec` string literal of `s`.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A file-name slug: lowercase letters, digits and `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() {
        "other".to_string()
    } else {
        t
    }
}

/// Where a new module of `department` goes.
pub fn module_path(department: Option<&str>) -> PathBuf {
    Path::new("modules").join(format!("{}.pspec", slug(department.unwrap_or("other"))))
}

/// Where a new programme goes.
pub fn programme_path(code: &str) -> PathBuf {
    Path::new("programmes").join(format!("{}.pspec", slug(code)))
}

/// The owned properties of a module as `.pspec` lines, by keyword.
fn module_props(r: &ModuleRow) -> Vec<(&'static str, Option<String>)> {
    let flag = |on: bool, k: &str| on.then(|| k.to_string());
    vec![
        ("credits", r.credits.map(|n| format!("credits {n}"))),
        ("level", r.level.map(|n| format!("level {n}"))),
        ("weeks", r.weeks.map(|n| format!("weeks {n}"))),
        ("dissertation", flag(r.flags.dissertation, "dissertation")),
        ("research-skills", flag(r.flags.research_skills, "research-skills")),
        ("placement", flag(r.flags.placement, "placement")),
        (
            "requires",
            (!r.requires.is_empty()).then(|| format!("requires {}", r.requires.join(", "))),
        ),
    ]
}

fn module_text(r: &ModuleRow) -> String {
    let mut s = format!("module {} {} {{\n", r.code, quote(&r.title));
    for (_, line) in module_props(r) {
        if let Some(l) = line {
            s.push_str("  ");
            s.push_str(&l);
            s.push('\n');
        }
    }
    s.push_str("}\n");
    s
}

fn placement(slot: Option<Slot>, year: Option<u64>) -> String {
    let mut s = slot.map(|s| s.to_pspec()).unwrap_or_default();
    if let Some(y) = year.filter(|&y| y != 1) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&format!("year {y}"));
    }
    s
}

#[derive(PartialEq, Eq, Clone)]
enum GroupKey {
    Core(Option<Slot>, Option<u64>),
    Option(String, u64),
}

fn groups_text(entries: &[&EntryRow], indent: &str) -> String {
    let mut groups: Vec<(GroupKey, Vec<&EntryRow>)> = Vec::new();
    for e in entries {
        let key = match &e.option {
            Some((name, n)) if e.status == Status::Option => GroupKey::Option(name.clone(), *n),
            _ => GroupKey::Core(e.slot, e.year),
        };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(e),
            None => groups.push((key, vec![e])),
        }
    }
    let mut s = String::new();
    for (key, es) in groups {
        let codes = es.iter().map(|e| e.module.as_str()).collect::<Vec<_>>().join(", ");
        match key {
            GroupKey::Core(slot, year) => {
                let p = placement(slot, year);
                s.push_str(&format!(
                    "{indent}core {codes}{}{p}\n",
                    if p.is_empty() { "" } else { " " }
                ));
            }
            GroupKey::Option(name, n) => {
                let first = placement(es[0].slot, es[0].year);
                let same = es.iter().all(|e| placement(e.slot, e.year) == first);
                if same {
                    s.push_str(&format!(
                        "{indent}option {} choose {n} credits from {codes}{}{first}\n",
                        quote(&name),
                        if first.is_empty() { "" } else { " " }
                    ));
                } else {
                    s.push_str(&format!("{indent}option {} choose {n} credits {{\n", quote(&name)));
                    for e in es {
                        let p = placement(e.slot, e.year);
                        s.push_str(&format!(
                            "{indent}  {}{}{p}\n",
                            e.module,
                            if p.is_empty() { "" } else { " " }
                        ));
                    }
                    s.push_str(&format!("{indent}}}\n"));
                }
            }
        }
    }
    s
}

/// The `structure { ... }` block of a programme's entries; `stage_titles`
/// keeps the titles a person gave to stages (the CSV has none).
pub fn structure_text(entries: &[EntryRow], stage_titles: &HashMap<u64, String>) -> Option<String> {
    if entries.is_empty() {
        return None;
    }
    // Units in order of first appearance: unstaged runs and stages.
    let mut units: Vec<(Option<u64>, Vec<&EntryRow>)> = Vec::new();
    for e in entries {
        match e.stage {
            Some(n) => match units.iter_mut().find(|(k, _)| *k == Some(n)) {
                Some((_, v)) => v.push(e),
                None => units.push((Some(n), vec![e])),
            },
            None => match units.iter_mut().find(|(k, _)| k.is_none()) {
                Some((_, v)) => v.push(e),
                None => units.push((None, vec![e])),
            },
        }
    }
    let mut s = String::from("structure {\n");
    for (stage, es) in units {
        match stage {
            None => s.push_str(&groups_text(&es, "  ")),
            Some(n) => {
                let title = stage_titles
                    .get(&n)
                    .map(|t| format!(" {}", quote(t)))
                    .unwrap_or_default();
                s.push_str(&format!("  stage {n}{title} {{\n"));
                s.push_str(&groups_text(&es, "    "));
                s.push_str("  }\n");
            }
        }
    }
    s.push_str("}\n");
    Some(s)
}

/// `new` (a rewritten `structure` block) with the comments of `old` (the
/// block it replaces): a comment on its own line goes before the new line
/// that holds the first module code of the old line it preceded; a comment
/// at the end of a line goes to the end of the new line with that line's
/// first code; comments whose module is gone (or that precede no module
/// line) go before the block's closing brace. Nothing a person wrote is
/// dropped.
pub fn keep_comments(old: &str, new: &str) -> String {
    fn split_comment(line: &str) -> (&str, Option<&str>) {
        let mut in_str = false;
        for (i, c) in line.char_indices() {
            match c {
                '"' => in_str = !in_str,
                '#' if !in_str => return (&line[..i], Some(line[i..].trim_end())),
                _ => {}
            }
        }
        (line, None)
    }
    fn codes(code: &str) -> Vec<&str> {
        code.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| {
                !w.is_empty()
                    && w.chars().all(|c| c.is_ascii_alphanumeric())
                    && w.chars().any(|c| c.is_ascii_digit())
                    && w.chars().any(|c| c.is_ascii_alphabetic())
            })
            .collect()
    }
    let mut before: Vec<(String, Vec<String>)> = Vec::new();
    let mut trailing: Vec<(String, String)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for line in old.lines() {
        let (code, comment) = split_comment(line);
        if code.trim().is_empty() {
            if let Some(c) = comment {
                pending.push(c.to_string());
            }
            continue;
        }
        if let Some(first) = codes(code).first() {
            if !pending.is_empty() {
                before.push((first.to_string(), std::mem::take(&mut pending)));
            }
            if let Some(c) = comment {
                trailing.push((first.to_string(), c.to_string()));
            }
        } else if let Some(c) = comment {
            pending.push(c.to_string());
        }
    }
    if before.is_empty() && trailing.is_empty() && pending.is_empty() {
        return new.to_string();
    }
    let lines: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    let mut placed_before = vec![false; before.len()];
    let mut placed_trailing = vec![false; trailing.len()];
    let last = lines.len().saturating_sub(1);
    for (i, line) in lines.iter().enumerate() {
        let here = codes(line);
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        if i == last {
            for (j, (_, cs)) in before.iter().enumerate() {
                if !placed_before[j] {
                    for c in cs {
                        out.push_str(&format!("  {c}\n"));
                    }
                }
            }
            for (j, (_, c)) in trailing.iter().enumerate() {
                if !placed_trailing[j] {
                    out.push_str(&format!("  {c}\n"));
                }
            }
            for c in &pending {
                out.push_str(&format!("  {c}\n"));
            }
        }
        for (j, (code, cs)) in before.iter().enumerate() {
            if !placed_before[j] && here.contains(&code.as_str()) {
                placed_before[j] = true;
                for c in cs {
                    out.push_str(&format!("{indent}{c}\n"));
                }
            }
        }
        out.push_str(line);
        for (j, (code, c)) in trailing.iter().enumerate() {
            if !placed_trailing[j] && here.contains(&code.as_str()) {
                placed_trailing[j] = true;
                out.push_str(&format!(" {c}"));
            }
        }
        out.push('\n');
    }
    out
}

/// The rows of a programme's structure as the structure table has them.
pub fn entry_rows(s: &Structure) -> Vec<EntryRow> {
    s.entries
        .iter()
        .map(|e| {
            let (status, option) = match e.membership {
                Membership::Core => (Status::Core, None),
                Membership::Option(g) => (
                    Status::Option,
                    s.groups
                        .get(g as usize)
                        .map(|g| (g.title.value.to_string(), g.choose.value)),
                ),
            };
            EntryRow {
                line: 0,
                module: e.code.value.to_string(),
                status,
                option,
                slot: e.period.map(|p| Slot {
                    start: p.start.into(),
                    end: p.end.into(),
                }),
                year: e.period.map(|p| p.year.into()).filter(|&y| y != 1),
                stage: e.stage,
            }
        })
        .collect()
}

fn stage_titles(s: Option<&Structure>) -> HashMap<u64, String> {
    s.map(|s| {
        s.stages
            .iter()
            .filter_map(|st| st.title.as_ref().map(|t| (st.number.value, t.value.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

fn programme_props(p: &ProgrammeRows, stages: &HashMap<u64, String>) -> Vec<(&'static str, Option<String>)> {
    let mut v = vec![("award", p.award.as_ref().map(|a| format!("award {a}")))];
    if let Some(f) = &p.framework {
        v.push(("framework", Some(format!("framework {f}"))));
    }
    v.push(("credits", p.credits.map(|n| format!("credits {n}"))));
    v.push(("structure", structure_text(&p.entries, stages)));
    v
}

fn programme_text(p: &ProgrammeRows) -> String {
    let mut s = format!("programme {} {} {{\n", p.code, quote(&p.title));
    for (_, line) in programme_props(p, &HashMap::new()) {
        if let Some(l) = line {
            for l in l.lines() {
                s.push_str("  ");
                s.push_str(l);
                s.push('\n');
            }
        }
    }
    s.push_str("}\n");
    s
}

/// Text edits on one file: (range, replacement), applied back to front.
#[derive(Default)]
struct Edits(Vec<(usize, usize, String)>);

impl Edits {
    /// Replaces an item's title (or inserts one after its code); returns
    /// where the item's head ends.
    fn set_title(&mut self, title: Option<Span>, code: Span, with: &str) -> usize {
        match title {
            Some(t) => {
                self.replace(t, quote(with));
                t.end()
            }
            None => {
                self.insert(code.end(), format!(" {}", quote(with)));
                code.end()
            }
        }
    }
    fn replace(&mut self, span: Span, with: String) {
        self.0.push((span.start(), span.end(), with));
    }
    fn insert(&mut self, at: usize, with: String) {
        self.0.push((at, at, with));
    }
    fn apply(mut self, text: &str) -> String {
        // Back to front; insertions at one point keep their order.
        self.0.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        let mut out = text.to_string();
        let mut i = 0;
        while i < self.0.len() {
            let (start, end, _) = self.0[i];
            let mut j = i;
            let mut with = String::new();
            // Collect every edit with the same range (insertions), in push order.
            let mut same: Vec<&String> = Vec::new();
            while j < self.0.len() && self.0[j].0 == start && self.0[j].1 == end {
                same.push(&self.0[j].2);
                j += 1;
            }
            same.reverse();
            for s in same {
                with.push_str(s);
            }
            out.replace_range(start..end, &with);
            i = j;
        }
        out
    }
}

/// The offset just after the `{` that opens an item, searching from `from`
/// and skipping comments.
fn open_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Replaces the owned properties of one item: the first property with each
/// keyword is replaced (or removed), later ones removed, missing ones added
/// after the opening brace.
fn edit_props<'a>(
    edits: &mut Edits,
    text: &str,
    head_end: usize,
    props: impl Iterator<Item = (&'a str, Span)>,
    owned: Vec<(&'static str, Option<String>)>,
) -> Result<(), String> {
    let props: Vec<(&str, Span)> = props.collect();
    // New properties go after the last owned one already there, else on a
    // line of their own after the opening brace.
    let after_last = props
        .iter()
        .filter(|(k, _)| owned.iter().any(|(o, _)| o == k))
        .map(|(_, s)| s.end())
        .max();
    let mut inserts = String::new();
    for (keyword, line) in owned {
        let mut found = false;
        for (k, span) in &props {
            if *k != keyword {
                continue;
            }
            let with = if found {
                String::new()
            } else {
                line.clone().unwrap_or_default()
            };
            edits.replace(*span, with);
            found = true;
        }
        if !found {
            if let Some(l) = line {
                inserts.push_str("\n  ");
                inserts.push_str(&l);
                inserts.push('\n');
            }
        }
    }
    if !inserts.is_empty() {
        let at = match after_last {
            Some(at) => at,
            None => {
                let at = open_brace(text, head_end).ok_or("an item has no opening brace")?;
                // Past a comment on the brace's line.
                let rest = &text[at..];
                let eol = rest.find('\n').map(|i| at + i).unwrap_or(text.len());
                let line = text[at..eol].trim_start();
                if line.is_empty() || line.starts_with('#') {
                    eol
                } else {
                    at
                }
            }
        };
        edits.insert(at, inserts);
    }
    Ok(())
}

struct Located {
    file: usize,
    item: usize,
}

/// Plans an import of `cat` into a workspace whose `.pspec` files are
/// `existing`.
pub fn plan(cat: &Catalogue, existing: &[Existing]) -> Result<Plan, String> {
    let trees: Vec<SourceFile> = existing.iter().map(|e| crate::syntax::parse(&e.text)).collect();
    let refs: Vec<(usize, &SourceFile)> = trees.iter().enumerate().collect();
    let mut ignored = Vec::new();
    let ws = crate::model::build_workspace(&refs, &mut ignored);

    let mut modules_at: HashMap<&str, Located> = HashMap::new();
    let mut programmes_at: HashMap<&str, Located> = HashMap::new();
    for (fi, t) in trees.iter().enumerate() {
        for (ii, item) in t.items.iter().enumerate() {
            let map = match item {
                Item::Module(_) => &mut modules_at,
                Item::Programme(_) => &mut programmes_at,
            };
            map.entry(item.code().value.as_str())
                .or_insert(Located { file: fi, item: ii });
        }
    }

    let mut report = Report {
        modules: cat.modules.len(),
        programmes: cat.programmes.as_ref().map(|p| p.len()).unwrap_or(0),
        ..Report::default()
    };
    let mut edits: Vec<Edits> = (0..existing.len()).map(|_| Edits::default()).collect();
    let mut touched = vec![false; existing.len()];
    // New items by target path, in order.
    let mut appended: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let mut headers: BTreeMap<PathBuf, String> = BTreeMap::new();

    let refuse = |fi: usize| -> Result<(), String> {
        if let Some(e) = trees[fi].errors.first() {
            let line = existing[fi].text[..(e.span.start()).min(existing[fi].text.len())]
                .matches('\n')
                .count()
                + 1;
            return Err(format!(
                "`{}` has syntax errors (first on line {line}: {}); fix them and import again",
                existing[fi].path.display(),
                e.message
            ));
        }
        Ok(())
    };

    for r in &cat.modules {
        let Some(loc) = modules_at.get(r.code.as_str()) else {
            report.new_modules.push(r.code.clone());
            let path = module_path(r.department.as_deref());
            headers.entry(path.clone()).or_insert_with(|| {
                format!(
                    "# Modules of {}, imported by `spec import csv`.\n# Outcomes and assessments are added by hand: re-importing keeps them.\n\n",
                    match &r.department {
                        Some(d) => format!("department {d}"),
                        None => "no department".to_string(),
                    }
                )
            });
            appended.entry(path).or_default().push(module_text(r));
            report.without_outcomes += 1;
            report.without_assessments += 1;
            continue;
        };
        let Item::Module(item) = &trees[loc.file].items[loc.item] else {
            continue;
        };
        let text = &existing[loc.file].text;
        // What changes.
        let mut changes = Vec::new();
        if let Some(old) = ws.module(&r.code) {
            let num = |o: Option<u64>| o.map(|n| n.to_string()).unwrap_or_else(|| "(none)".into());
            let mut diff = |what: &str, a: String, b: String| {
                if a != b {
                    changes.push(format!("module {}: {what} {a} -> {b}", r.code));
                }
            };
            diff("title", quote(&old.title), quote(&r.title));
            diff("credits", num(old.credits.as_ref().map(|c| c.value)), num(r.credits));
            diff("level", num(old.level.as_ref().map(|c| c.value)), num(r.level));
            diff("weeks", num(old.weeks.as_ref().map(|c| c.value)), num(r.weeks));
            let list = |v: Vec<&str>| {
                if v.is_empty() {
                    "(none)".to_string()
                } else {
                    v.join(", ")
                }
            };
            diff(
                "requires",
                list(old.requires.iter().map(|c| c.value.as_str()).collect()),
                list(r.requires.iter().map(|c| c.as_str()).collect()),
            );
            let old_flags = super::table::Flags {
                dissertation: old.dissertation.is_some(),
                research_skills: old.research_skills.is_some(),
                placement: old.placement.is_some(),
            };
            let cell = |f: super::table::Flags| {
                let c = f.to_cell();
                if c.is_empty() {
                    "(none)".to_string()
                } else {
                    c
                }
            };
            diff("type", cell(old_flags), cell(r.flags));
            if old.outcomes.is_empty() {
                report.without_outcomes += 1;
            }
            if old.assessments.is_empty() {
                report.without_assessments += 1;
            }
        }
        if changes.is_empty() {
            report.unchanged_items += 1;
            continue;
        }
        refuse(loc.file)?;
        report.changed_items += 1;
        report.changes.extend(changes);
        let e = &mut edits[loc.file];
        touched[loc.file] = true;
        let head_end = e.set_title(item.title.as_ref().map(|t| t.span), item.code.span, &r.title);
        // Each owned property's extent ends at its last value (the parser's
        // property span may reach into what follows).
        let props = item.props.iter().filter_map(|p| {
            let end = match &p.kind {
                ModuleKind::Credits(v) | ModuleKind::Level(v) | ModuleKind::Weeks(v) => v.span.end(),
                ModuleKind::Flag => p.keyword.span.end(),
                ModuleKind::Requires(v) => v.last().map(|c| c.span.end()).unwrap_or(p.keyword.span.end()),
                _ => return None,
            };
            Some((p.keyword.value.as_str(), Span::new(p.span.start(), end)))
        });
        edit_props(e, text, head_end, props, module_props(r))?;
    }

    if let Some(programmes) = &cat.programmes {
        for p in programmes {
            let Some(loc) = programmes_at.get(p.code.as_str()) else {
                report.new_programmes.push(p.code.clone());
                let path = programme_path(&p.code);
                headers
                    .entry(path.clone())
                    .or_insert_with(|| "# Imported by `spec import csv`.\n\n".to_string());
                appended.entry(path).or_default().push(programme_text(p));
                continue;
            };
            let Item::Programme(item) = &trees[loc.file].items[loc.item] else {
                continue;
            };
            let old = ws.programme(p.code.as_str());
            let stages = stage_titles(old.and_then(|o| o.structure.as_ref()));
            let mut changes = Vec::new();
            if let Some(old) = old {
                let opt = |o: Option<String>| o.unwrap_or_else(|| "(none)".into());
                let mut diff = |what: &str, a: String, b: String| {
                    if a != b {
                        changes.push(format!("programme {}: {what} {a} -> {b}", p.code));
                    }
                };
                diff("title", quote(&old.title), quote(&p.title));
                diff(
                    "award",
                    opt(old.award.as_ref().map(|a| a.value.to_string())),
                    opt(p.award.clone()),
                );
                diff(
                    "credits",
                    opt(old.credits.as_ref().map(|c| c.value.to_string())),
                    opt(p.credits.map(|c| c.to_string())),
                );
                if p.framework.is_some() {
                    diff(
                        "framework",
                        opt(old.framework.as_ref().map(|a| a.value.to_string())),
                        opt(p.framework.clone()),
                    );
                }
                let old_s = old.structure.as_ref().map(entry_rows).unwrap_or_default();
                if structure_text(&old_s, &stages) != structure_text(&p.entries, &stages) {
                    let n = |v: &[EntryRow]| v.len();
                    changes.push(format!(
                        "programme {}: structure ({} modules -> {} modules)",
                        p.code,
                        n(&old_s),
                        n(&p.entries)
                    ));
                }
            }
            if changes.is_empty() {
                report.unchanged_items += 1;
                continue;
            }
            refuse(loc.file)?;
            report.changed_items += 1;
            report.changes.extend(changes);
            let text = &existing[loc.file].text;
            let e = &mut edits[loc.file];
            touched[loc.file] = true;
            let head_end = e.set_title(item.title.as_ref().map(|t| t.span), item.code.span, &p.title);
            let props = item.props.iter().filter_map(|pr| {
                let end = match &pr.kind {
                    ProgrammeKind::Award(v) | ProgrammeKind::Framework(v) => v.span.end(),
                    ProgrammeKind::Credits(v) => v.span.end(),
                    ProgrammeKind::Structure(b) => b.close.end(),
                    _ => return None,
                };
                Some((pr.keyword.value.as_str(), Span::new(pr.span.start(), end)))
            });
            let mut new_props = programme_props(p, &stages);
            // Comments a person wrote inside the old structure block go
            // with the module lines they annotate.
            let old_block = item.props.iter().find_map(|pr| match &pr.kind {
                ProgrammeKind::Structure(b) => text.get(pr.span.start()..b.close.end()),
                _ => None,
            });
            if let Some(old_block) = old_block {
                for (k, v) in new_props.iter_mut() {
                    if *k == "structure" {
                        if let Some(v) = v {
                            *v = keep_comments(old_block, v);
                        }
                    }
                }
            }
            edit_props(e, text, head_end, props, new_props)?;
        }
    }

    // Items of the workspace that the CSV does not mention.
    let in_csv: std::collections::HashSet<&str> = cat.modules.iter().map(|m| m.code.as_str()).collect();
    for m in &ws.modules {
        if !in_csv.contains(m.code.value.as_str()) && ws.module_id(&m.code.value).is_some() {
            report.not_in_csv.push(format!("module {}", m.code.value));
        }
    }
    if let Some(programmes) = &cat.programmes {
        let in_csv: std::collections::HashSet<&str> = programmes.iter().map(|p| p.code.as_str()).collect();
        for p in &ws.programmes {
            if !in_csv.contains(p.code.value.as_str()) {
                report.not_in_csv.push(format!("programme {}", p.code.value));
            }
        }
    }
    report.not_in_csv.dedup();

    // Assemble and format.
    let mut files = Vec::new();
    let by_path: HashMap<&Path, usize> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.as_path(), i))
        .collect();
    let mut edits: Vec<Option<Edits>> = edits.into_iter().map(Some).collect();
    let mut done = vec![false; existing.len()];
    for (path, items) in &appended {
        let (mut text, new) = match by_path.get(path.as_path()) {
            Some(&fi) => {
                refuse(fi)?;
                done[fi] = true;
                let e = edits[fi].take().unwrap_or_default();
                let mut t = e.apply(&existing[fi].text);
                if !t.ends_with('\n') && !t.is_empty() {
                    t.push('\n');
                }
                t.push('\n');
                (t, false)
            }
            None => (headers.get(path).cloned().unwrap_or_default(), true),
        };
        text.push_str(&items.join("\n"));
        files.push((path.clone(), text, new));
    }
    for (fi, e) in edits.into_iter().enumerate() {
        if done[fi] || !touched[fi] {
            continue;
        }
        if let Some(e) = e {
            files.push((existing[fi].path.clone(), e.apply(&existing[fi].text), false));
        }
    }
    let mut out = Vec::new();
    for (path, text, new) in files {
        let formatted = crate::fmt::format(&text)
            .map_err(|e| format!("internal error: the text for `{}` does not format: {e}", path.display()))?;
        let unchanged = by_path
            .get(path.as_path())
            .is_some_and(|&fi| existing[fi].text == formatted);
        if !unchanged {
            out.push(Output {
                path,
                text: formatted,
                new,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan { files: out, report })
}

impl Report {
    /// The summary printed by `spec import csv`.
    pub fn render(&self, files: &[Output], dry_run: bool) -> String {
        let mut s = String::new();
        let verb = if dry_run { "would import" } else { "imported" };
        s.push_str(&format!(
            "{verb} {} module{} and {} programme{}\n",
            self.modules,
            plural(self.modules),
            self.programmes,
            plural(self.programmes)
        ));
        let new_files = files.iter().filter(|f| f.new).count();
        let updated = files.len() - new_files;
        s.push_str(&format!(
            "  new: {} module{}, {} programme{}\n",
            self.new_modules.len(),
            plural(self.new_modules.len()),
            self.new_programmes.len(),
            plural(self.new_programmes.len())
        ));
        s.push_str(&format!(
            "  changed: {} item{}",
            self.changed_items,
            plural(self.changed_items)
        ));
        s.push_str(&format!("; unchanged: {}\n", self.unchanged_items));
        for c in &self.changes {
            s.push_str(&format!("    {c}\n"));
        }
        if !self.not_in_csv.is_empty() {
            s.push_str(&format!(
                "  not in the CSV, left as they are: {}\n",
                self.not_in_csv.join(", ")
            ));
        }
        let w = if dry_run { "would write" } else { "wrote" };
        s.push_str(&format!(
            "  files: {w} {new_files} new, {updated} updated{}\n",
            if files.is_empty() { " (nothing to do)" } else { "" }
        ));
        for f in files {
            s.push_str(&format!(
                "    {} {}\n",
                if f.new { "new" } else { "updated" },
                f.path.display().to_string().replace('\\', "/")
            ));
        }
        if self.without_outcomes > 0 || self.without_assessments > 0 {
            s.push_str(&format!(
                "note: the CSV has no outcomes or assessments: {} module{} without outcomes, {} without assessments; `spec check` lists them (PG.A3.1/proforma) as work to do\n",
                self.without_outcomes,
                plural(self.without_outcomes),
                self.without_assessments
            ));
        }
        if dry_run {
            s.push_str("dry run: nothing was written\n");
        }
        s
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_of_a_removed_module_are_kept_before_the_closing_brace() {
        let old = "structure {\n  # first\n  core A1 semester 1 # one\n  # about B2\n  core B2 semester 2\n  # last\n}";
        let new = "structure {\n  core A1 semester 2\n}\n";
        assert_eq!(
            super::keep_comments(old, new),
            "structure {\n  # first\n  core A1 semester 2 # one\n  # about B2\n  # last\n}\n"
        );
        // No comments: unchanged.
        assert_eq!(super::keep_comments("structure {\n  core A1 semester 1\n}", new), new);
    }

    use super::*;
    use crate::interchange::table::{read_modules, read_structure};

    fn cat(modules: &str, structure: Option<&str>) -> Catalogue {
        let map = BTreeMap::new();
        Catalogue {
            modules: read_modules("m.csv", modules.as_bytes(), &map).unwrap(),
            programmes: structure.map(|s| read_structure("s.csv", s.as_bytes(), &map).unwrap()),
        }
    }

    const M: &str = "MOD_CODE,MOD_NAME,MOD_CRDT,MOD_LEVC,MOD_PREQ,MOD_TYPE,DPT_CODE\n\
                     A1,Alpha,20,7,,,CS\nA2,Beta,20,7,A1,diss,CS\n";
    const S: &str = "PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,MOD_CODE,MOD_STAT,OPT_NAME,OPT_CRDT,PSL_CODE\n\
                     P1,Prog,MSc,40,A1,C,,,S1\nP1,Prog,MSc,40,A2,O,Pick,20,S2\n";

    #[test]
    fn fresh_import_writes_formatted_files() {
        let plan = plan(&cat(M, Some(S)), &[]).unwrap();
        let paths: Vec<_> = plan
            .files
            .iter()
            .map(|f| f.path.to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(paths, vec!["modules/cs.pspec", "programmes/p1.pspec"]);
        for f in &plan.files {
            assert_eq!(crate::fmt::format(&f.text).unwrap(), f.text, "{}", f.text);
        }
        assert!(plan.files[0]
            .text
            .contains("module A2 \"Beta\" {\n  credits 20\n  level 7\n  dissertation\n  requires A1\n}"));
        assert!(plan.files[1]
            .text
            .contains("option \"Pick\" choose 20 credits from A2 semester 2"));
        assert_eq!(plan.report.new_modules, vec!["A1", "A2"]);
        assert_eq!(plan.report.without_outcomes, 2);
    }

    #[test]
    fn reimport_keeps_work_and_reports_changes() {
        let first = plan(&cat(M, Some(S)), &[]).unwrap();
        let mut existing: Vec<Existing> = first
            .files
            .iter()
            .map(|f| Existing {
                path: f.path.clone(),
                text: f.text.clone(),
            })
            .collect();
        existing[0].text = existing[0].text.replace(
            "module A1 \"Alpha\" {\n  credits 20\n",
            "module A1 \"Alpha\" { # kept\n  credits 20\n  pass-fail\n  outcomes {\n    LO1 \"Do it\"\n  }\n",
        );
        let again = plan(&cat(M, Some(S)), &existing).unwrap();
        assert!(again.files.is_empty(), "{:?}", again.files);
        assert_eq!(again.report.unchanged_items, 3);

        let m2 = M.replace("A1,Alpha,20,7,,,CS", "A1,Alpha Two,30,7,,rskl,CS");
        let changed = plan(&cat(&m2, None), &existing).unwrap();
        assert_eq!(changed.files.len(), 1);
        let t = &changed.files[0].text;
        assert!(t.contains("module A1 \"Alpha Two\" { # kept"), "{t}");
        assert!(
            t.contains("credits 30")
                && t.contains("research-skills")
                && t.contains("LO1 \"Do it\"")
                && t.contains("pass-fail"),
            "{t}"
        );
        assert_eq!(
            changed.report.changes,
            vec![
                "module A1: title \"Alpha\" -> \"Alpha Two\"",
                "module A1: credits 20 -> 30",
                "module A1: type (none) -> RSKL"
            ]
        );
        assert_eq!(changed.report.not_in_csv, Vec::<String>::new());
    }

    #[test]
    fn stages_and_block_options() {
        let s = "PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,MOD_CODE,MOD_STAT,OPT_NAME,OPT_CRDT,PSL_CODE,YEAR,STAGE\n\
                 P,Prog,MSc,40,A1,O,Pick,20,S1,,1\nP,Prog,MSc,40,A2,O,Pick,20,S2,2,1\n";
        let c = cat(M, Some(s));
        let text = structure_text(&c.programmes.unwrap()[0].entries, &HashMap::new()).unwrap();
        assert_eq!(
            text,
            "structure {\n  stage 1 {\n    option \"Pick\" choose 20 credits {\n      A1 semester 1\n      A2 semester 2 year 2\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn an_item_is_updated_where_it_lives_and_stage_titles_are_kept() {
        let existing = vec![
            Existing {
                path: PathBuf::from("elsewhere.pspec"),
                text: "module A1 \"Old\" {\n  credits 10\n  level 7\n  weeks 12\n}\n\nprogramme P \"Prog\" {\n  award MSc\n  credits 40\n  structure {\n    stage 1 \"Foundations\" {\n      core A1 semester 1\n    }\n  }\n}\n".into(),
            },
        ];
        let s = "PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,MOD_CODE,MOD_STAT,PSL_CODE,STAGE\nP,Prog,MSc,40,A1,C,S2,1\n";
        let m = "MOD_CODE,MOD_NAME,MOD_CRDT,MOD_LEVC\nA1,New,20,7\n";
        let plan = plan(&cat(m, Some(s)), &existing).unwrap();
        assert_eq!(plan.files.len(), 1, "no new file: {:?}", plan.files);
        let t = &plan.files[0].text;
        assert_eq!(plan.files[0].path, PathBuf::from("elsewhere.pspec"));
        assert!(
            t.contains("module A1 \"New\" {\n  credits 20\n  level 7\n}"),
            "weeks removed (empty cell): {t}"
        );
        assert!(
            t.contains("stage 1 \"Foundations\" {\n      core A1 semester 2\n"),
            "{t}"
        );
    }

    #[test]
    fn a_broken_file_that_would_be_edited_stops_the_import() {
        let existing = vec![Existing {
            path: PathBuf::from("m.pspec"),
            text: "module A1 \"Old\" {\n  credits ten\n}\n".into(),
        }];
        let e = plan(
            &cat("MOD_CODE,MOD_NAME,MOD_CRDT,MOD_LEVC\nA1,New,20,7\n", None),
            &existing,
        )
        .unwrap_err();
        assert!(e.contains("`m.pspec` has syntax errors (first on line 2"), "{e}");
    }
}
