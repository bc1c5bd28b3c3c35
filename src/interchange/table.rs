//! The two CSV tables of a student-records export (`docs/import.md`):
//! column names, their mapping in `spec.toml` (`[import.columns]`), and
//! typed rows read leniently (BOM, CRLF, quoted fields, blank lines,
//! surrounding spaces, keyword values in any case) but never guessed: a
//! value that is not of the expected form is a [`TableError`] naming the
//! file, line and column.
//!
//! The same row types are what `spec export --format csv` writes, so an
//! export reads back to the same rows.

use std::collections::{BTreeMap, HashMap};

/// The columns of the modules table, in the order `spec export` writes them.
pub const MODULE_COLUMNS: &[&str] = &[
    "MOD_CODE", "MOD_NAME", "MOD_CRDT", "MOD_LEVC", "MOD_WEEK", "MOD_PREQ", "MOD_TYPE", "DPT_CODE",
];
/// The columns a modules table must have.
pub const MODULE_REQUIRED: &[&str] = &["MOD_CODE", "MOD_NAME", "MOD_CRDT", "MOD_LEVC"];
/// The columns of the structure table, in the order `spec export` writes them.
pub const STRUCTURE_COLUMNS: &[&str] = &[
    "PRG_CODE", "PRG_NAME", "AWD_CODE", "PRG_CRDT", "PRG_FRMW", "MOD_CODE", "MOD_STAT", "OPT_NAME", "OPT_CRDT",
    "PSL_CODE", "YEAR", "STAGE",
];
/// The columns a structure table must have.
pub const STRUCTURE_REQUIRED: &[&str] = &[
    "PRG_CODE", "PRG_NAME", "AWD_CODE", "PRG_CRDT", "MOD_CODE", "MOD_STAT", "PSL_CODE",
];

/// A value of a CSV file that cannot be imported: the import stops (exit 2)
/// and writes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub file: String,
    /// 1-based line where the record starts (0: the file as a whole).
    pub line: u64,
    /// 1-based column number and the header it was read under.
    pub column: Option<(usize, String)>,
    pub message: String,
    pub help: Option<String>,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.file)?;
        if self.line > 0 {
            write!(f, " line {}", self.line)?;
        }
        if let Some((n, name)) = &self.column {
            write!(f, ", column {n} (`{name}`)")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Module flags, from `MOD_TYPE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub dissertation: bool,
    pub research_skills: bool,
    pub placement: bool,
}

impl Flags {
    /// `MOD_TYPE` as written by `spec export`: the codes, space-separated.
    pub fn to_cell(self) -> String {
        let mut v = Vec::new();
        if self.dissertation {
            v.push("DISS");
        }
        if self.research_skills {
            v.push("RSKL");
        }
        if self.placement {
            v.push("PLAC");
        }
        v.join(" ")
    }
}

/// One row of the modules table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRow {
    pub line: u64,
    pub code: String,
    pub title: String,
    /// Empty cell: the property is left out (`spec check` reports it).
    pub credits: Option<u64>,
    pub level: Option<u64>,
    pub weeks: Option<u64>,
    pub requires: Vec<String>,
    pub flags: Flags,
    pub department: Option<String>,
}

/// `C` or `O`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Core,
    Option,
}

/// A placement: semesters `start..=end` (`YL` is 1-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    pub start: u64,
    pub end: u64,
}

impl Slot {
    pub fn to_cell(self) -> String {
        if self.start == self.end {
            format!("S{}", self.start)
        } else if (self.start, self.end) == (1, 2) {
            "YL".to_string()
        } else {
            format!("S{}-S{}", self.start, self.end)
        }
    }
    /// The `.pspec` placement without the year.
    pub fn to_pspec(self) -> String {
        if self.start == self.end {
            format!("semester {}", self.start)
        } else if (self.start, self.end) == (1, 2) {
            "year-long".to_string()
        } else {
            format!("semesters {}-{}", self.start, self.end)
        }
    }
}

/// One module of a programme's structure (a structure row with a `MOD_CODE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    pub line: u64,
    pub module: String,
    pub status: Status,
    /// Option rows: the group's title and the credits to choose.
    pub option: Option<(String, u64)>,
    pub slot: Option<Slot>,
    /// `YEAR`; `None` is year 1.
    pub year: Option<u64>,
    pub stage: Option<u64>,
}

/// A programme: its rows of the structure table, merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRows {
    pub line: u64,
    pub code: String,
    pub title: String,
    pub award: Option<String>,
    pub credits: Option<u64>,
    pub framework: Option<String>,
    pub entries: Vec<EntryRow>,
}

/// Both tables, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalogue {
    pub modules: Vec<ModuleRow>,
    /// `None`: no structure table was given; programmes are left alone.
    pub programmes: Option<Vec<ProgrammeRows>>,
}

/// Checks `[import.columns]`: every key must be a known column.
pub fn check_mapping(mapping: &BTreeMap<String, String>, config_file: &str) -> Result<(), TableError> {
    for key in mapping.keys() {
        let known = MODULE_COLUMNS.contains(&key.as_str()) || STRUCTURE_COLUMNS.contains(&key.as_str());
        if !known {
            let mut all: Vec<&str> = MODULE_COLUMNS.iter().chain(STRUCTURE_COLUMNS).copied().collect();
            all.sort();
            all.dedup();
            return Err(TableError {
                file: config_file.to_string(),
                line: 0,
                column: None,
                message: format!("`[import.columns]` names an unknown column `{key}`"),
                help: Some(format!("the columns are {}", backticked(&all))),
            });
        }
    }
    Ok(())
}

fn backticked(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// A CSV file's header and records, with each record's start line.
struct Table<'a> {
    file: &'a str,
    headers: Vec<String>,
    /// Canonical column name -> index.
    index: HashMap<&'static str, usize>,
    records: Vec<(u64, Vec<String>)>,
}

impl Table<'_> {
    fn cell<'r>(&self, rec: &'r [String], col: &str) -> &'r str {
        self.index
            .get(col)
            .and_then(|&i| rec.get(i))
            .map(|s| s.as_str())
            .unwrap_or("")
    }
    fn err(&self, line: u64, col: &str, message: String, help: &str) -> TableError {
        let column = self
            .index
            .get(col)
            .map(|&i| (i + 1, self.headers.get(i).cloned().unwrap_or_default()));
        TableError {
            file: self.file.to_string(),
            line,
            column,
            message,
            help: Some(help.to_string()),
        }
    }
    fn number(
        &self,
        line: u64,
        rec: &[String],
        col: &str,
        what: &str,
        example: &str,
    ) -> Result<Option<u64>, TableError> {
        let v = self.cell(rec, col);
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<u64>() {
            Ok(n) if n <= 99999 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
            _ => Err(self.err(
                line,
                col,
                format!("{what} `{v}` is not a whole number"),
                &format!("expected a whole number from 0 to 99999, e.g. `{example}`"),
            )),
        }
    }
    fn code(&self, line: u64, rec: &[String], col: &str, what: &str, example: &str) -> Result<String, TableError> {
        let v = self.cell(rec, col);
        if v.is_empty() {
            return Err(self.err(
                line,
                col,
                format!("the {what} is empty"),
                &format!("every row needs a {what}, e.g. `{example}`"),
            ));
        }
        if !is_code(v) {
            return Err(self.err(
                line,
                col,
                format!("`{v}` is not a valid {what}"),
                &format!("a code is letters, digits, `_` and `-`, starting with a letter or digit, e.g. `{example}`"),
            ));
        }
        Ok(v.to_string())
    }
}

/// `[A-Za-z0-9][A-Za-z0-9_-]*`
pub fn is_code(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// Whitespace runs (newlines of a quoted field included) become one space.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_table<'a>(
    file: &'a str,
    bytes: &[u8],
    columns: &'static [&'static str],
    required: &[&str],
    mapping: &BTreeMap<String, String>,
) -> Result<Table<'a>, TableError> {
    let whole = |message: String, help: Option<String>| TableError {
        file: file.to_string(),
        line: 0,
        column: None,
        message,
        help,
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        whole(
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.valid_up_to()
            ),
            Some("save the export as UTF-8 (CSV UTF-8) and import again".into()),
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut records = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            TableError {
                file: file.to_string(),
                line,
                column: None,
                message: format!("the file is not valid CSV: {e}"),
                help: None,
            }
        })?;
        // The line where the record starts, counted from its byte offset
        // (robust to CRLF and skipped blank lines).
        let line = rec
            .position()
            .map(|p| {
                // The reader's position may sit before the previous line's
                // `\n` (CRLF) and skipped blank lines: step over them.
                let b = text.as_bytes();
                let mut at = (p.byte() as usize).min(b.len());
                while at < b.len() && (b[at] == b'\r' || b[at] == b'\n') {
                    at += 1;
                }
                b[..at].iter().filter(|&&c| c == b'\n').count() as u64 + 1
            })
            .unwrap_or(0);
        let cells: Vec<String> = rec.iter().map(|s| s.to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if headers.is_none() {
            headers = Some(cells);
        } else {
            records.push((line, cells));
        }
    }
    let headers = headers.ok_or_else(|| whole("the file is empty: it has no header row".into(), None))?;
    let mut index = HashMap::new();
    for &col in columns {
        let want = mapping.get(col).map(|s| s.as_str()).unwrap_or(col);
        if let Some(i) = headers.iter().position(|h| h.eq_ignore_ascii_case(want.trim())) {
            index.insert(col, i);
        } else if required.contains(&col) {
            let mapped = if want != col {
                format!(" (named `{want}` in `[import.columns]`)")
            } else {
                String::new()
            };
            let have: Vec<&str> = headers.iter().map(|s| s.as_str()).collect();
            return Err(TableError {
                file: file.to_string(),
                line: 1,
                column: None,
                message: format!("the header row has no column `{col}`{mapped}"),
                help: Some(format!(
                    "the header row has {}; name the column in `spec.toml`: `[import.columns]` `{col} = \"...\"`",
                    backticked(&have)
                )),
            });
        }
    }
    Ok(Table {
        file,
        headers,
        index,
        records,
    })
}

/// Reads the modules table.
pub fn read_modules(
    file: &str,
    bytes: &[u8],
    mapping: &BTreeMap<String, String>,
) -> Result<Vec<ModuleRow>, TableError> {
    let t = read_table(file, bytes, MODULE_COLUMNS, MODULE_REQUIRED, mapping)?;
    let mut out: Vec<ModuleRow> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, rec) in &t.records {
        let line = *line;
        let code = t.code(line, rec, "MOD_CODE", "module code", "7001DS")?;
        if let Some(first) = seen.get(&code) {
            return Err(t.err(
                line,
                "MOD_CODE",
                format!("module `{code}` is already on line {first}"),
                "module codes are unique: remove or merge one of the rows",
            ));
        }
        seen.insert(code.clone(), line);
        let title = one_line(t.cell(rec, "MOD_NAME"));
        if title.is_empty() {
            return Err(t.err(
                line,
                "MOD_NAME",
                format!("module `{code}` has an empty name"),
                "every module needs its title, e.g. `Research Methods`",
            ));
        }
        let credits = t.number(line, rec, "MOD_CRDT", "credits", "20")?;
        let level = t.number(line, rec, "MOD_LEVC", "level", "7")?;
        let weeks = t.number(line, rec, "MOD_WEEK", "weeks", "12")?;
        let mut requires = Vec::new();
        for c in t
            .cell(rec, "MOD_PREQ")
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        {
            if c.is_empty() {
                continue;
            }
            if !is_code(c) {
                return Err(t.err(
                    line,
                    "MOD_PREQ",
                    format!("`{c}` is not a module code"),
                    "expected module codes separated by spaces, commas or semicolons, e.g. `7001DS; 7002DS`",
                ));
            }
            if !requires.iter().any(|r| r == c) {
                requires.push(c.to_string());
            }
        }
        let mut flags = Flags::default();
        for v in t
            .cell(rec, "MOD_TYPE")
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        {
            match v.to_ascii_uppercase().as_str() {
                "" => {}
                "DISS" => flags.dissertation = true,
                "RSKL" => flags.research_skills = true,
                "PLAC" => flags.placement = true,
                _ => {
                    return Err(t.err(
                        line,
                        "MOD_TYPE",
                        format!("module type `{v}` is not known"),
                        "expected `DISS` (dissertation), `RSKL` (research skills), `PLAC` (placement) or an empty cell",
                    ))
                }
            }
        }
        let department = Some(t.cell(rec, "DPT_CODE").to_string()).filter(|d| !d.is_empty());
        out.push(ModuleRow {
            line,
            code,
            title,
            credits,
            level,
            weeks,
            requires,
            flags,
            department,
        });
    }
    Ok(out)
}

fn parse_slot(v: &str) -> Option<Slot> {
    let v = v.to_ascii_uppercase();
    if v == "YL" {
        return Some(Slot { start: 1, end: 2 });
    }
    let sem = |s: &str| -> Option<u64> {
        let s = s.trim();
        let s = s.strip_prefix('S').unwrap_or(s);
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match v.split_once('-') {
        None => {
            if !v.starts_with('S') {
                return None;
            }
            let n = sem(&v)?;
            Some(Slot { start: n, end: n })
        }
        Some((a, b)) => {
            if !a.trim().starts_with('S') {
                return None;
            }
            let (a, b) = (sem(a)?, sem(b)?);
            (a <= b).then_some(Slot { start: a, end: b })
        }
    }
}

/// Reads the structure table and merges its rows per programme (in order of
/// first appearance).
pub fn read_structure(
    file: &str,
    bytes: &[u8],
    mapping: &BTreeMap<String, String>,
) -> Result<Vec<ProgrammeRows>, TableError> {
    let t = read_table(file, bytes, STRUCTURE_COLUMNS, STRUCTURE_REQUIRED, mapping)?;
    let mut out: Vec<ProgrammeRows> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (line, rec) in &t.records {
        let line = *line;
        let code = t.code(line, rec, "PRG_CODE", "programme code", "MSCDS")?;
        let title = one_line(t.cell(rec, "PRG_NAME"));
        let award = Some(t.cell(rec, "AWD_CODE").to_string()).filter(|s| !s.is_empty());
        if let Some(a) = &award {
            if !is_code(a) {
                return Err(t.err(
                    line,
                    "AWD_CODE",
                    format!("`{a}` is not an award code"),
                    "expected an award of the framework, e.g. `MSc`",
                ));
            }
        }
        let credits = t.number(line, rec, "PRG_CRDT", "credits", "180")?;
        let framework = Some(t.cell(rec, "PRG_FRMW").to_string()).filter(|s| !s.is_empty());
        if let Some(f) = &framework {
            if !is_code(f) {
                return Err(t.err(
                    line,
                    "PRG_FRMW",
                    format!("`{f}` is not a framework id"),
                    "expected a policy pack id, e.g. `ljmu-pgt-2022`, or an empty cell for the default framework",
                ));
            }
        }
        let i = match at.get(&code) {
            Some(&i) => i,
            None => {
                at.insert(code.clone(), out.len());
                out.push(ProgrammeRows {
                    line,
                    code: code.clone(),
                    title: String::new(),
                    award: None,
                    credits: None,
                    framework: None,
                    entries: Vec::new(),
                });
                out.len() - 1
            }
        };
        let p = &mut out[i];
        // Programme columns: the first non-empty value; a different one later is an error.
        let first = p.line;
        let conflict = |col: &str, old: &str, new: &str| {
            t.err(
                line,
                col,
                format!("programme `{code}` has `{col}` `{new}` here but `{old}` on an earlier row (line {first})"),
                "every row of a programme must agree on its programme columns (or leave them empty)",
            )
        };
        if !title.is_empty() {
            if p.title.is_empty() {
                p.title = title;
            } else if p.title != title {
                return Err(conflict("PRG_NAME", &p.title.clone(), &title));
            }
        }
        merge(&mut p.award, award, |o, n| conflict("AWD_CODE", o, n))?;
        merge(&mut p.framework, framework, |o, n| conflict("PRG_FRMW", o, n))?;
        match (p.credits, credits) {
            (Some(o), Some(n)) if o != n => return Err(conflict("PRG_CRDT", &o.to_string(), &n.to_string())),
            (None, Some(n)) => p.credits = Some(n),
            _ => {}
        }

        let module = t.cell(rec, "MOD_CODE");
        if module.is_empty() {
            // A programme row without a module (a programme with no structure yet).
            continue;
        }
        let module = t.code(line, rec, "MOD_CODE", "module code", "7001DS")?;
        let stat = t.cell(rec, "MOD_STAT");
        let status = match stat.to_ascii_lowercase().as_str() {
            "c" | "core" => Status::Core,
            "o" | "option" | "optional" => Status::Option,
            _ => {
                return Err(t.err(
                    line,
                    "MOD_STAT",
                    if stat.is_empty() {
                        format!("module `{module}` has no status")
                    } else {
                        format!("status `{stat}` is not known")
                    },
                    "expected `C` (core) or `O` (option)",
                ))
            }
        };
        let option = match status {
            Status::Core => None,
            Status::Option => {
                let name = one_line(t.cell(rec, "OPT_NAME"));
                if name.is_empty() {
                    return Err(t.err(
                        line,
                        "OPT_NAME",
                        format!("option module `{module}` has no option group title"),
                        "an option row names its group, e.g. `Specialist electives`",
                    ));
                }
                let Some(n) = t.number(line, rec, "OPT_CRDT", "option credits", "30")? else {
                    return Err(t.err(
                        line,
                        "OPT_CRDT",
                        format!("option module `{module}` has no credits to choose"),
                        "an option row gives the credits its group chooses, e.g. `30`",
                    ));
                };
                Some((name, n))
            }
        };
        let psl = t.cell(rec, "PSL_CODE");
        let slot = if psl.is_empty() {
            None
        } else {
            Some(parse_slot(psl).ok_or_else(|| {
                t.err(
                    line,
                    "PSL_CODE",
                    format!("period `{psl}` is not known"),
                    "expected `S1`, `S2`, `S3`, `YL` (year-long) or a range such as `S1-S3`",
                )
            })?)
        };
        let year = t.number(line, rec, "YEAR", "year", "2")?.filter(|&y| y != 1);
        let stage = t.number(line, rec, "STAGE", "stage", "1")?;
        out[i].entries.push(EntryRow {
            line,
            module,
            status,
            option,
            slot,
            year,
            stage,
        });
    }
    for p in &out {
        if p.title.is_empty() {
            return Err(TableError {
                file: file.to_string(),
                line: p.line,
                column: t.index.get("PRG_NAME").map(|&i| (i + 1, t.headers[i].clone())),
                message: format!("programme `{}` has an empty name on every row", p.code),
                help: Some("give the programme's title, e.g. `MSc Data Science`".into()),
            });
        }
    }
    Ok(out)
}

fn merge(
    slot: &mut Option<String>,
    new: Option<String>,
    conflict: impl Fn(&str, &str) -> TableError,
) -> Result<(), TableError> {
    match (slot.as_ref(), new) {
        (Some(o), Some(n)) if *o != n => Err(conflict(o, &n)),
        (None, Some(n)) => {
            *slot = Some(n);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Writes rows as CSV (the header first), quoting where needed.
pub fn write_csv(columns: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec<u8> cannot fail.
    let _ = w.write_record(columns);
    for r in rows {
        let _ = w.write_record(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> Result<Vec<ModuleRow>, TableError> {
        read_modules("m.csv", text.as_bytes(), &BTreeMap::new())
    }

    #[test]
    fn messy_modules_are_read() {
        let text = "\u{feff}mod_code , MOD_NAME,MOD_CRDT,MOD_LEVC,MOD_TYPE,MOD_PREQ\r\n\r\n 7001DS ,\"Methods, Research\",20,7,diss,\"A1; A2,A3 A1\"\r\n";
        let rows = m(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].code, "7001DS");
        assert_eq!(rows[0].title, "Methods, Research");
        assert_eq!(rows[0].credits, Some(20));
        assert!(rows[0].flags.dissertation);
        assert_eq!(rows[0].requires, vec!["A1", "A2", "A3"]);
        assert_eq!(rows[0].line, 3);
    }

    #[test]
    fn bad_credits_name_line_and_column() {
        let e = m("MOD_CODE,MOD_NAME,MOD_CRDT,MOD_LEVC\nA1,x,20,7\n\"A2\",\"two\nlines\",ten,7\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.column, Some((3, "MOD_CRDT".to_string())));
        assert_eq!(e.message, "credits `ten` is not a whole number");
    }

    #[test]
    fn missing_column_and_mapping() {
        let e = m("MOD_CODE,MOD_NAME,MOD_LEVC\n").unwrap_err();
        assert!(e.message.contains("no column `MOD_CRDT`"), "{e}");
        let mut map = BTreeMap::new();
        map.insert("MOD_CRDT".to_string(), "Credits".to_string());
        let rows = read_modules("m.csv", b"MOD_CODE,MOD_NAME,credits,MOD_LEVC\nA,b,10,7\n", &map).unwrap();
        assert_eq!(rows[0].credits, Some(10));
        assert!(check_mapping(&map, "spec.toml").is_ok());
        map.insert("MOD_CREDITS".to_string(), "x".to_string());
        assert!(check_mapping(&map, "spec.toml").is_err());
    }

    #[test]
    fn slots() {
        assert_eq!(parse_slot("s1"), Some(Slot { start: 1, end: 1 }));
        assert_eq!(parse_slot("yl"), Some(Slot { start: 1, end: 2 }));
        assert_eq!(parse_slot("S1-S3"), Some(Slot { start: 1, end: 3 }));
        assert_eq!(parse_slot("S2-1"), None);
        assert_eq!(parse_slot("T1"), None);
        for s in [
            Slot { start: 2, end: 2 },
            Slot { start: 1, end: 2 },
            Slot { start: 1, end: 3 },
        ] {
            assert_eq!(parse_slot(&s.to_cell()), Some(s));
        }
    }

    #[test]
    fn structure_rows_merge_and_conflict() {
        let text = "PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,MOD_CODE,MOD_STAT,OPT_NAME,OPT_CRDT,PSL_CODE\n\
                    P,Prog,MSc,180,A,c,,,s1\nP,,,,B,Option,Electives,20,S2\n";
        let p = read_structure("s.csv", text.as_bytes(), &BTreeMap::new()).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].entries.len(), 2);
        assert_eq!(p[0].entries[1].option, Some(("Electives".to_string(), 20)));
        let bad = "PRG_CODE,PRG_NAME,AWD_CODE,PRG_CRDT,MOD_CODE,MOD_STAT,PSL_CODE\nP,Prog,MSc,180,A,C,S1\nP,Prog,MSc,120,B,C,S1\n";
        let e = read_structure("s.csv", bad.as_bytes(), &BTreeMap::new()).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`PRG_CRDT` `120` here but `180`"), "{e}");
    }
}
