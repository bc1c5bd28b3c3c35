//! The semantic model: typed modules and programmes with spans, resolved
//! across a workspace. Built from syntax trees by [`build`]; read by the
//! checks, the policy evaluator, the renderers and the IDE layer.
//!
//! Invariants:
//! - modules and programmes are in a deterministic order (sources in path
//!   order, items in source order);
//! - `module_index` maps a code to its *first* definition; later definitions
//!   are `spec/duplicate`;
//! - every value keeps the span it was read from;
//! - a `broken` item (syntax error) is present, so references to it resolve,
//!   but no rule evaluates its properties.

pub mod build;
pub mod pathways;

use std::hash::BuildHasher;

use crate::diag::SourceId;
use crate::span::{Span, Spanned, Str};
use crate::syntax::ast::Date;

pub use build::{build_workspace, build_workspace_with, link, link_placed, lower_file, BuildOptions, Lowered};

/// Code -> first definition, for one list of records (modules or
/// programmes). The table holds only the record's `u32` index and hashes the
/// code the record carries: four bytes a slot, where a map from a copied code
/// to an index took twenty-four (D152). Hashed with foldhash: code lookups
/// are on every path of a check, and the inputs are the user's own files, so
/// a hasher resistant to flooding buys nothing here.
#[derive(Clone, Default)]
pub struct CodeIndex {
    table: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

/// Records whose code another took first: (the later, the first), indices
/// into the list indexed.
pub type Twice = Vec<(usize, usize)>;

/// A record that a [`CodeIndex`] finds by its code.
pub trait Coded {
    fn code(&self) -> &str;
}

impl Coded for Module {
    fn code(&self) -> &str {
        &self.code.value
    }
}

impl Coded for Programme {
    fn code(&self) -> &str {
        &self.code.value
    }
}

impl CodeIndex {
    /// The index of `items`: each code to its first record; returns the
    /// later records with a code already taken, with that code's first.
    pub fn build<T: Coded>(items: &[T]) -> (CodeIndex, Twice) {
        let mut index = CodeIndex {
            table: hashbrown::HashTable::with_capacity(items.len()),
            hasher: Default::default(),
        };
        let mut twice = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(first) = index.insert(items, i, item.code()) {
                twice.push((i, first));
            }
        }
        (index, twice)
    }

    /// Records `i` (of `items`) under `code` unless the code is taken;
    /// returns the record that has it then.
    fn insert<T: Coded>(&mut self, items: &[T], i: usize, code: &str) -> Option<usize> {
        let hasher = &self.hasher;
        let hash = hasher.hash_one(code);
        // A list longer than `u32::MAX` records cannot be in memory: a
        // record is more than 200 bytes and a file at most 16 MiB.
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        match self.table.entry(
            hash,
            |&j| items[j as usize].code() == code,
            |&j| hasher.hash_one(items[j as usize].code()),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Some(*e.get() as usize),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(id);
                None
            }
        }
    }

    /// The first record of `items` (the list this index was built over)
    /// with `code`.
    pub fn get<T: Coded>(&self, items: &[T], code: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(code);
        self.table
            .find(hash, |&j| items.get(j as usize).is_some_and(|t| t.code() == code))
            .map(|&j| j as usize)
    }

    /// The indices of the first records, in no order.
    pub fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.table.iter().map(|&j| j as usize)
    }

    /// The indices of the first records, in order: what `Debug` prints and
    /// equality compares.
    fn sorted_ids(&self) -> Vec<usize> {
        let mut ids: Vec<usize> = self.ids().collect();
        ids.sort_unstable();
        ids
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

impl std::fmt::Debug for CodeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.sorted_ids()).finish()
    }
}

/// Two indexes over equal lists are equal when they hold the same records.
impl PartialEq for CodeIndex {
    fn eq(&self, other: &CodeIndex) -> bool {
        self.sorted_ids() == other.sorted_ids()
    }
}

pub type ModuleId = usize;
pub type ProgrammeId = usize;

#[derive(Debug, Clone, Default)]
pub struct Workspace {
    pub modules: Vec<Module>,
    pub programmes: Vec<Programme>,
    /// Code -> first definition.
    pub module_index: CodeIndex,
    pub programme_index: CodeIndex,
}

impl Workspace {
    pub fn module(&self, code: &str) -> Option<&Module> {
        self.module_id(code).and_then(|i| self.modules.get(i))
    }
    pub fn module_id(&self, code: &str) -> Option<ModuleId> {
        self.module_index.get(&self.modules, code)
    }
    pub fn programme(&self, code: &str) -> Option<&Programme> {
        self.programme_id(code).and_then(|i| self.programmes.get(i))
    }
    pub fn programme_id(&self, code: &str) -> Option<ProgrammeId> {
        self.programme_index.get(&self.programmes, code)
    }
    /// Indexes the modules' and programmes' codes; returns the later
    /// definitions of a code, each with its first: (module pairs,
    /// programme pairs).
    pub fn index(&mut self) -> (Twice, Twice) {
        let (modules, m_twice) = CodeIndex::build(&self.modules);
        let (programmes, p_twice) = CodeIndex::build(&self.programmes);
        self.module_index = modules;
        self.programme_index = programmes;
        (m_twice, p_twice)
    }
}

#[derive(Debug, Clone)]
pub struct Module {
    pub source: SourceId,
    pub span: Span,
    pub code: Spanned<Str>,
    pub title: Str,
    pub credits: Option<Spanned<u64>>,
    pub level: Option<Spanned<u64>>,
    pub weeks: Option<Spanned<u64>>,
    pub pass_mark: Option<Spanned<u64>>,
    /// Flags: the span of the flag keyword when present.
    pub research_skills: Option<Span>,
    pub dissertation: Option<Span>,
    pub placement: Option<Span>,
    pub pass_fail: Option<Span>,
    pub requires: Box<[Spanned<Str>]>,
    /// The span of the `requires` property, if any.
    pub requires_span: Option<Span>,
    pub outcomes: Box<[Outcome]>,
    pub assessments: Box<[Assessment]>,
    pub broken: bool,
}

impl Module {
    pub fn credits(&self) -> u64 {
        self.credits.as_ref().map(|c| c.value).unwrap_or(0)
    }
    pub fn level(&self) -> u64 {
        self.level.as_ref().map(|c| c.value).unwrap_or(0)
    }
    pub fn is_dissertation(&self) -> bool {
        self.dissertation.is_some()
    }
    pub fn is_research_skills(&self) -> bool {
        self.research_skills.is_some()
    }
    pub fn outcome(&self, code: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.code.value == code)
    }
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub span: Span,
    pub code: Spanned<Str>,
    pub text: Spanned<Str>,
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub span: Span,
    pub code: Spanned<Str>,
    pub title: Spanned<Str>,
    pub kind: Option<Spanned<Str>>,
    pub weight: Option<Spanned<u64>>,
    pub covers: Box<[Spanned<Str>]>,
    pub covers_span: Option<Span>,
    pub competency: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub source: SourceId,
    pub span: Span,
    pub code: Spanned<Str>,
    pub title: Str,
    pub award: Option<Spanned<Str>>,
    pub framework: Option<Spanned<Str>>,
    pub credits: Option<Spanned<u64>>,
    pub modes: Box<[Spanned<Str>]>,
    pub language: Option<Spanned<Str>>,
    pub delivery: Option<Spanned<Str>>,
    pub starts: Option<Spanned<Date>>,
    pub validated: Option<Spanned<Date>>,
    pub previous_validation: Option<Spanned<Date>>,
    pub erasmus_mundus: Option<Span>,
    pub accreditations: Box<[Spanned<Str>]>,
    pub exit_awards: Box<[ExitAward]>,
    /// Boxed, as `attendance` and `engagement`: most programmes have none,
    /// and a box costs 8 bytes where the record costs 40 to 96 (D154).
    pub rpl: Option<Box<Rpl>>,
    pub partners: Box<[Partner]>,
    pub attendance: Option<Box<Attendance>>,
    pub engagement: Option<Box<Engagement>>,
    pub structure: Option<Structure>,
    pub variances: Box<[Variance]>,
    pub rules: Box<[ProgrammeRule]>,
    /// A syntax error inside the programme. Its other properties are still
    /// read and checked; only the rules that read an [`unread`](Self::unread)
    /// property are held back.
    pub broken: bool,
    /// The properties that did not parse, by their (nearest) keyword.
    pub unread: Vec<UnreadProperty>,
}

/// A programme property that did not parse (`spec/syntax`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadProperty {
    /// The keyword as the language spells it (`language` for `langauge`).
    pub keyword: String,
    /// The keyword as written.
    pub written: Spanned<Str>,
    /// The word after the keyword: a variance's or rule's id.
    pub argument: Option<String>,
}

impl Programme {
    /// Whether a property could not be read because its line does not parse.
    pub fn unread(&self, keyword: &str) -> bool {
        self.unread.iter().any(|u| u.keyword == keyword)
    }
    pub fn credits(&self) -> u64 {
        self.credits.as_ref().map(|c| c.value).unwrap_or(0)
    }
    /// `delivery` as written, `semesterised` when absent.
    pub fn delivery(&self) -> &str {
        self.delivery
            .as_ref()
            .map(|d| d.value.as_str())
            .unwrap_or("semesterised")
    }
}

#[derive(Debug, Clone)]
pub struct ExitAward {
    pub span: Span,
    pub award: Spanned<Str>,
    pub credits: Spanned<u64>,
}

#[derive(Debug, Clone)]
pub struct Rpl {
    pub span: Span,
    pub certificated: Option<Spanned<u64>>,
    pub experiential: Option<Spanned<u64>>,
}

#[derive(Debug, Clone)]
pub struct Partner {
    pub span: Span,
    pub name: Spanned<Str>,
    pub model: Option<Spanned<Str>>,
    pub link_tutor: Option<Spanned<Str>>,
    pub programme_leader: Option<Spanned<Str>>,
    pub operational_framework: Option<Spanned<Str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s {
            "day" | "days" => Unit::Day,
            "week" | "weeks" => Unit::Week,
            "month" | "months" => Unit::Month,
            "year" | "years" => Unit::Year,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct DurationValue {
    pub span: Span,
    pub amount: u64,
    pub unit: Unit,
}

impl DurationValue {
    /// In days, for units that convert exactly (days and weeks).
    pub fn days(&self) -> Option<u64> {
        match self.unit {
            Unit::Day => Some(self.amount),
            Unit::Week => Some(self.amount.saturating_mul(7)),
            _ => None,
        }
    }
    /// In months, for months and years.
    pub fn months(&self) -> Option<u64> {
        match self.unit {
            Unit::Month => Some(self.amount),
            Unit::Year => Some(self.amount.saturating_mul(12)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attendance {
    pub span: Span,
    pub first_contact: Option<DurationValue>,
    pub second_contact: Option<DurationValue>,
    pub interview: Option<DurationValue>,
    pub agreements_per_year: Option<Spanned<u64>>,
}

#[derive(Debug, Clone)]
pub struct Engagement {
    pub span: Span,
    pub shared_with: Box<[Spanned<Str>]>,
    pub retention: Option<DurationValue>,
}

#[derive(Debug, Clone)]
pub struct Variance {
    pub span: Span,
    /// The `variance` keyword through the rule id: where variance diagnostics point.
    pub head: Span,
    pub rule: Spanned<Str>,
    pub applies_to: Box<[Spanned<Str>]>,
    pub criterion: Option<Criterion>,
    pub rationale: Option<Spanned<Str>>,
    pub alternative: Option<Spanned<Str>>,
    pub evidence: Option<Spanned<Str>>,
    pub submitted: Option<Spanned<Date>>,
    pub approved: Option<Approval>,
}

#[derive(Debug, Clone)]
pub struct Criterion {
    pub span: Span,
    pub name: Spanned<Str>,
    /// `psrb "BODY"`: the body.
    pub body: Option<Spanned<Str>>,
}

#[derive(Debug, Clone)]
pub struct Approval {
    pub span: Span,
    pub by: Spanned<Str>,
    pub date: Option<Spanned<Date>>,
}

#[derive(Debug, Clone)]
pub struct ProgrammeRule {
    pub span: Span,
    pub id: Spanned<Str>,
    pub body: Spanned<Str>,
}

/// A study period: semesters `start..=end` of study year `year`.
///
/// A byte each: the build keeps only placements whose study year is 1 to 10
/// and whose semesters are 1 to 3 (`spec/invalid-value` reports the rest),
/// so a structure entry stays small (D153).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: u8,
    pub start: u8,
    pub end: u8,
}

impl Period {
    /// Placed over more than one semester.
    pub fn spanning(&self) -> bool {
        self.end > self.start
    }
    /// Sort key of the period's end: study year first, then semester.
    pub fn end_key(&self) -> (u64, u64) {
        (self.year.into(), self.end.into())
    }
    pub fn semesters(&self) -> u64 {
        u64::from(self.end.saturating_sub(self.start)) + 1
    }
}

/// How a structure entry is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Core,
    /// Index into [`Structure::groups`] (`u32`, so an entry stays small).
    Option(u32),
}

/// One module listed in a programme's structure.
#[derive(Debug, Clone)]
pub struct Entry {
    pub code: Spanned<Str>,
    /// The module definition (first one), if it exists: see
    /// [`Entry::module`]. A `u32` record index, as in the code index (D152).
    module: Option<u32>,
    /// Resolved placement; `None` when none was written (allowed only in a
    /// stage of a block-delivered programme).
    pub period: Option<Period>,
    /// The placement as written (shared by a list line or the entry's own).
    pub placement_span: Option<Span>,
    pub stage: Option<u64>,
    pub membership: Membership,
    /// The whole `core` / `option` line this entry is on.
    pub line_span: Span,
}

impl Entry {
    /// An entry for `code`, its module not yet resolved.
    pub fn new(
        code: Spanned<Str>,
        period: Option<Period>,
        placement_span: Option<Span>,
        stage: Option<u64>,
        membership: Membership,
        line_span: Span,
    ) -> Entry {
        Entry {
            code,
            module: None,
            period,
            placement_span,
            stage,
            membership,
            line_span,
        }
    }

    /// The module definition (first one), if it exists.
    pub fn module(&self) -> Option<ModuleId> {
        self.module.map(|m| m as usize)
    }

    /// Resolves the entry to a module record (an index of the code index,
    /// so it fits a `u32`).
    pub fn set_module(&mut self, module: Option<ModuleId>) {
        self.module = module.and_then(|m| u32::try_from(m).ok());
    }
}

#[derive(Debug, Clone)]
pub struct OptionGroup {
    pub span: Span,
    pub title: Spanned<Str>,
    pub choose: Spanned<u64>,
    /// Indices into [`Structure::entries`].
    pub entries: Vec<usize>,
    pub stage: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Stage {
    pub span: Span,
    pub number: Spanned<u64>,
    pub title: Option<Spanned<Str>>,
}

#[derive(Debug, Clone)]
pub struct Structure {
    pub span: Span,
    pub entries: Vec<Entry>,
    pub groups: Vec<OptionGroup>,
    pub stages: Vec<Stage>,
}

impl Structure {
    pub fn entry(&self, code: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.code.value == code)
    }
    pub fn core_entries(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.membership == Membership::Core)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(code: &str) -> Module {
        Module {
            source: 0,
            span: Span::default(),
            code: Spanned::new(code.into(), Span::default()),
            title: Str::default(),
            credits: None,
            level: None,
            weeks: None,
            pass_mark: None,
            research_skills: None,
            dissertation: None,
            placement: None,
            pass_fail: None,
            requires: Box::default(),
            requires_span: None,
            outcomes: Box::default(),
            assessments: Box::default(),
            broken: false,
        }
    }

    #[test]
    fn a_structure_entry_keeps_its_module_and_placement_in_80_bytes() {
        assert_eq!(std::mem::size_of::<Option<Period>>(), 4);
        assert_eq!(std::mem::size_of::<Membership>(), 8);
        assert_eq!(std::mem::size_of::<Entry>(), 80);
        let period = Period {
            year: 2,
            start: 1,
            end: 3,
        };
        assert!(period.spanning());
        assert_eq!((period.end_key(), period.semesters()), ((2, 3), 3));
        let mut e = Entry::new(
            Spanned::new("M1".into(), Span::default()),
            Some(period),
            None,
            None,
            Membership::Option(7),
            Span::default(),
        );
        assert_eq!(e.module(), None);
        e.set_module(Some(41));
        assert_eq!(e.module(), Some(41));
        // No record index beyond a code index's `u32`: unresolved, never wrapped.
        e.set_module(Some(u32::MAX as usize + 5));
        assert_eq!(e.module(), None);
        e.set_module(None);
        assert_eq!(e.module(), None);
    }

    #[test]
    fn a_programme_boxes_its_rare_blocks() {
        // `rpl`, `attendance` and `engagement` are 8 bytes each when absent (D154).
        assert_eq!(std::mem::size_of::<Option<Box<Attendance>>>(), 8);
        assert_eq!(std::mem::size_of::<Programme>(), 440);
    }

    #[test]
    fn a_code_index_finds_the_first_definition_and_reports_the_later_ones() {
        let modules: Vec<Module> = ["A1", "B2", "A1", "C3", "B2", "A1"].into_iter().map(module).collect();
        let (index, twice) = CodeIndex::build(&modules);
        assert_eq!(twice, vec![(2, 0), (4, 1), (5, 0)]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.get(&modules, "A1"), Some(0));
        assert_eq!(index.get(&modules, "B2"), Some(1));
        assert_eq!(index.get(&modules, "C3"), Some(3));
        assert_eq!(index.get(&modules, "D4"), None);
        assert_eq!(index.get(&modules, ""), None);
        let mut ids: Vec<usize> = index.ids().collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![0, 1, 3]);
        // Built over the same list, an index equals another.
        assert_eq!(index, CodeIndex::build(&modules).0);
        assert_ne!(index, CodeIndex::build(&modules[..2]).0);
        assert!(CodeIndex::default().is_empty());
        // Many codes: every one found, at its first position.
        let many: Vec<Module> = (0..5000).map(|i| module(&format!("M{}", i % 3000))).collect();
        let (index, twice) = CodeIndex::build(&many);
        assert_eq!((index.len(), twice.len()), (3000, 2000));
        assert!((0..3000).all(|i| index.get(&many, &format!("M{i}")) == Some(i)));
    }
}
