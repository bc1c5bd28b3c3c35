//! The IDE layer: editor features computed from [`crate::analysis`], the
//! model and the syntax trees, with no protocol types. [`SpecHost`]
//! implements [`spec_lsp::Host`] for `spec lsp`.
//!
//! State: the workspace's `.pspec` files (disk text, or the editor buffer
//! when open) with their parse trees cached, so a keystroke re-parses only
//! the file that changed; the last [`Snapshot`] (analysis + symbol index) is
//! reused until something changes.

pub mod actions;
pub mod complete;
mod features;
pub mod hints;
pub mod hover;
pub mod index;
pub mod multi;
pub mod rules;
mod snapshot;
pub mod symbols;
pub mod tokens;

pub use features::format_text;
use features::to_diag;
pub use snapshot::Snapshot;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use spec_lsp::host::{self as h, FileDiags};

use crate::analysis::{analyze_parsed, parse_input, Input, Options, Parsed};
use crate::workspace;

pub use index::{Index, Occ, Sym};

/// Where embedded packs are materialised: `$XDG_CACHE_HOME/spec/VERSION/`,
/// else `~/.cache/spec/VERSION/`, else the temp directory.
pub fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("spec").join(env!("CARGO_PKG_VERSION"))
}

#[derive(Default)]
struct Slot {
    disk: Option<Arc<str>>,
    buffer: Option<Arc<str>>,
    /// Parsed from the current text.
    parsed: Option<Parsed>,
    /// Found by walking a workspace root (kept when its buffer closes).
    in_workspace: bool,
}

impl Slot {
    fn text(&self) -> Option<&Arc<str>> {
        self.buffer.as_ref().or(self.disk.as_ref())
    }
}

#[derive(Default)]
struct State {
    /// The folders the editor named.
    roots: Vec<PathBuf>,
    /// Resolved workspace directories (with `spec.toml` where found).
    dirs: Vec<PathBuf>,
    config: Option<(PathBuf, workspace::Config)>,
    /// A `spec.toml` that could not be read: shown as a diagnostic-free
    /// message on the first file.
    config_error: Option<String>,
    /// `.pspec` files by absolute path.
    specs: BTreeMap<PathBuf, Slot>,
    /// Open buffers of other files (`.policy`).
    others: HashMap<PathBuf, Arc<str>>,
    snapshot: Option<Arc<Snapshot>>,
    /// The last complete snapshot, kept after changes (the quick path reads
    /// the workspace's shape from it).
    last_full: Option<Arc<Snapshot>>,
    /// Recent quick analyses: the file each was made for, the state's
    /// version then, the snapshot (newest last).
    quick_snaps: Vec<(PathBuf, u64, Arc<Snapshot>)>,
    /// Bumped on every change.
    version: u64,
}

/// How many quick analyses are kept for requests.
const QUICK_KEPT: usize = 4;

/// Whether `snap` analysed exactly `text` as the content of `path`.
fn serves(snap: &Snapshot, path: &Path, text: &str) -> bool {
    snap.source_of(path).is_some_and(|id| snap.text(id) == text)
}

fn invalidate(st: &mut State) {
    st.snapshot = None;
    st.version += 1;
}

/// The `spec` side of the language server.
pub struct SpecHost {
    state: Mutex<State>,
    cache_dir: PathBuf,
    /// The quick path runs on its own thread pool, so it never queues
    /// behind a whole-workspace analysis on the global one.
    quick_pool: Option<rayon::ThreadPool>,
}

impl Default for SpecHost {
    fn default() -> Self {
        SpecHost::new(default_cache_dir())
    }
}

fn is_spec(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "pspec")
}

fn read(p: &Path) -> Option<Arc<str>> {
    workspace::read_text(p).ok().map(Arc::from)
}

impl SpecHost {
    pub fn new(cache_dir: PathBuf) -> SpecHost {
        SpecHost {
            state: Mutex::new(State::default()),
            cache_dir,
            quick_pool: rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .stack_size(spec_lsp::ANALYSIS_STACK)
                .thread_name(|_| "spec-quick".into())
                .build()
                .ok(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Parses the `.pspec` files whose text changed (in parallel), or only
    /// those in `only`.
    fn parse_dirty(st: &mut State, only: Option<&std::collections::BTreeSet<PathBuf>>) {
        let todo = Self::dirty(st, only);
        let parsed = Self::parse_all(todo);
        Self::store_parsed(st, parsed);
    }

    /// The files to parse (`parse_dirty`'s first half), with their
    /// display names.
    fn dirty(st: &State, only: Option<&std::collections::BTreeSet<PathBuf>>) -> Vec<(PathBuf, Input)> {
        let todo: Vec<(PathBuf, Arc<str>)> = st
            .specs
            .iter()
            .filter(|(p, s)| s.parsed.is_none() && only.is_none_or(|o| o.contains(*p)))
            .filter_map(|(p, s)| Some((p.clone(), s.text()?.clone())))
            .collect();
        let base = st
            .config
            .as_ref()
            .map(|(r, _)| r.clone())
            .or_else(|| st.dirs.first().cloned());
        todo.into_iter()
            .map(|(p, text)| {
                let input = Input {
                    name: display_name(base.as_deref(), &p),
                    path: Some(p.clone()),
                    text,
                    primary: true,
                };
                (p, input)
            })
            .collect()
    }

    fn parse_all(todo: Vec<(PathBuf, Input)>) -> Vec<(PathBuf, Parsed)> {
        todo.into_par_iter().map(|(p, input)| (p, parse_input(input))).collect()
    }

    /// Keeps each parse whose file still has the text it was made from.
    fn store_parsed(st: &mut State, parsed: Vec<(PathBuf, Parsed)>) {
        for (p, parsed) in parsed {
            if let Some(slot) = st.specs.get_mut(&p) {
                if slot.parsed.is_none() && slot.text().is_some_and(|t| Arc::ptr_eq(t, &parsed.input.text)) {
                    slot.parsed = Some(parsed);
                }
            }
        }
    }

    /// The analysis options: `spec.toml`'s, with its policy files read as
    /// `spec check` reads them ([`workspace::read_policies_with`]), an open
    /// buffer's text taking the place of its file. A path that cannot be
    /// read is reported (as `spec check` exits 2 on it) and the analysis
    /// runs with the other policy files.
    fn options(st: &State) -> (Options, Option<(PathBuf, String)>) {
        let Some((root, c)) = &st.config else {
            return (Options::default(), None);
        };
        let paths: Vec<PathBuf> = c.policy.paths.iter().map(|p| root.join(p)).collect();
        let open = |f: &Path, real: &Path| st.others.get(f).or_else(|| st.others.get(real)).cloned();
        let (policies, error) = match workspace::read_policies_with(&paths, Some(root), &open) {
            Ok(p) => (p, None),
            Err(e) => (Vec::new(), Some((root.join("spec.toml"), e.0))),
        };
        (
            Options {
                framework: None,
                default_framework: c.policy.framework.clone(),
                require_approved_variances: c.output.require_approved_variances,
                policies,
            },
            error,
        )
    }

    /// The current snapshot, re-analysing if anything changed: only the
    /// changed files are re-parsed, and the analysis runs without holding
    /// the state lock (edits and the quick path go on meanwhile).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        // Parse outside the lock, so that the quick path (the open file's
        // diagnostics first) goes on meanwhile.
        let todo = {
            let st = self.state();
            if let Some(s) = &st.snapshot {
                return s.clone();
            }
            Self::dirty(&st, None)
        };
        let parsed = Self::parse_all(todo);
        let (inputs, options, version, last) = {
            let mut st = self.state();
            if let Some(s) = &st.snapshot {
                return s.clone();
            }
            Self::store_parsed(&mut st, parsed);
            Self::parse_dirty(&mut st, None);
            let inputs: Vec<Parsed> = st.specs.values().filter_map(|s| s.parsed.clone()).collect();
            (inputs, Self::options(&st), st.version, st.last_full.clone())
        };
        let (options, load_error) = options;
        // Only what the edits since the last complete analysis can affect
        // is analysed again (equal to a fresh analysis: tests/incremental.rs).
        let analysis = match &last {
            Some(last) => crate::analysis::reanalyze(&last.analysis, inputs, &options),
            None => analyze_parsed(inputs, &options),
        };
        let mut snap = Snapshot::build(analysis, &self.cache_dir.join("embedded"));
        snap.load_error = load_error;
        let snap = Arc::new(snap);
        let mut st = self.state();
        if st.version == version {
            st.snapshot = Some(snap.clone());
        }
        st.last_full = Some(snap.clone());
        snap
    }

    /// The diagnostics of `path` from an analysis of only the files it
    /// interacts with: itself, the programmes that list its modules, the
    /// modules its programmes list (with their prerequisites, transitively)
    /// and other definitions of its module codes. `None` when the whole
    /// workspace is current anyway, or the subset would be most of it.
    pub fn quick(&self, path: &Path) -> Option<FileDiags> {
        let snap = self.quick_snapshot(path, true)?;
        let id = snap.source_of(path)?;
        let diags = snap
            .analysis
            .diagnostics
            .iter()
            .filter(|d| d.source == id)
            .map(|d| to_diag(&snap, d))
            .collect();
        Some(FileDiags {
            path: path.to_path_buf(),
            diags,
        })
    }

    /// The quick analysis of `path` (see [`SpecHost::quick`]) on the quick
    /// pool, reusing the last one made for the same state (`exact`) or, for
    /// requests, for the same text of `path`.
    fn quick_snapshot(&self, path: &Path, exact: bool) -> Option<Arc<Snapshot>> {
        match &self.quick_pool {
            Some(pool) => pool.install(|| self.quick_here(path, exact)),
            None => self.quick_here(path, exact),
        }
    }

    fn quick_here(&self, path: &Path, exact: bool) -> Option<Arc<Snapshot>> {
        // The neighbourhood is found outside the state lock (it reads the
        // whole last analysis: 15 to 20 ms on the 2,000-programme
        // catalogue), so edits and requests (completion reads the text
        // under the same lock) do not wait for it; if the file changed
        // meanwhile, it is found again for the new text.
        let mut tries = 0;
        let (inputs, options, version) = loop {
            tries += 1;
            let (tree, prev) = {
                let mut st = self.state();
                if st.snapshot.is_some() || !is_spec(path) {
                    return None;
                }
                let cur = st.specs.get(path).and_then(|s| s.text()).cloned();
                if let Some(cur) = &cur {
                    let reuse = st
                        .quick_snaps
                        .iter()
                        .rev()
                        .find(|(p, v, s)| p == path && (*v == st.version || !exact && serves(s, path, cur)));
                    if let Some((_, _, s)) = reuse {
                        return Some(s.clone());
                    }
                }
                let mut one = std::collections::BTreeSet::new();
                one.insert(path.to_path_buf());
                Self::parse_dirty(&mut st, Some(&one));
                let tree = st.specs.get(path)?.parsed.as_ref()?.tree.clone();
                (tree, st.last_full.clone())
            };
            // At start, before the first complete analysis (`prev` is
            // `None`): the open file is published first (issue 9 point 2),
            // its neighbourhood found from the texts, under the lock.
            let files = prev.as_ref().map(|prev| closure(prev, path, &tree));
            let mut st = self.state();
            let same = st
                .specs
                .get(path)
                .and_then(|s| s.parsed.as_ref())
                .is_some_and(|p| Arc::ptr_eq(&p.tree, &tree))
                && match (&prev, &st.last_full) {
                    (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                    (None, None) => true,
                    _ => false,
                };
            if !same && tries < 3 {
                continue;
            }
            let files = match files {
                Some(files) if same => files,
                _ => {
                    let tree = st.specs.get(path)?.parsed.as_ref()?.tree.clone();
                    match st.last_full.clone() {
                        Some(prev) => closure(&prev, path, &tree),
                        None => Self::cold_closure(&mut st, path, &tree),
                    }
                }
            };
            if files.len() > 16 && files.len() * 4 > st.specs.len() {
                return None;
            }
            Self::parse_dirty(&mut st, Some(&files));
            let inputs: Vec<Parsed> = files
                .iter()
                .filter_map(|p| st.specs.get(p).and_then(|s| s.parsed.clone()))
                .collect();
            break (inputs, Self::options(&st).0, st.version);
        };
        let analysis = analyze_parsed(inputs, &options);
        let snap = Arc::new(Snapshot::build(analysis, &self.cache_dir.join("embedded")));
        snap.source_of(path)?;
        let mut st = self.state();
        st.quick_snaps.retain(|(p, _, _)| p != path);
        st.quick_snaps.push((path.to_path_buf(), version, snap.clone()));
        if st.quick_snaps.len() > QUICK_KEPT {
            st.quick_snaps.remove(0);
        }
        Some(snap)
    }

    /// The snapshot a request about `path` is answered from, without
    /// waiting for a whole-workspace re-analysis: the current one if the
    /// workspace is analysed; else the most recent analysis that has the
    /// current text of `path` (a quick one, or the last complete one when
    /// `path` did not change since), computing a quick analysis of `path`
    /// if none has. Other files come from that analysis as they were then.
    /// Only when no quick analysis is possible does it re-analyse everything.
    pub fn request_snapshot(&self, path: Option<&Path>) -> Arc<Snapshot> {
        {
            let st = self.state();
            if let Some(s) = &st.snapshot {
                return s.clone();
            }
            match path {
                None => {
                    if let Some(s) = &st.last_full {
                        return s.clone();
                    }
                }
                Some(path) => {
                    if let Some(s) = Self::serving(&st, path) {
                        return s;
                    }
                }
            }
        }
        if let Some(path) = path {
            if let Some(s) = self.quick_snapshot(path, false) {
                return s;
            }
        }
        self.snapshot()
    }

    /// The newest kept analysis (quick, else the last complete one) that
    /// analysed exactly `path`'s current text.
    fn serving(st: &State, path: &Path) -> Option<Arc<Snapshot>> {
        let cur = st
            .specs
            .get(path)
            .and_then(|s| s.text())
            .or_else(|| st.others.get(path))?;
        let quick = st.quick_snaps.iter().rev().map(|(_, _, s)| s);
        quick.chain(st.last_full.iter()).find(|s| serves(s, path, cur)).cloned()
    }

    /// The snapshot completion reads the edited file's own names from
    /// (issue 9 point 2: never wait for a neighbourhood's analysis): one
    /// that already serves the file's current text, else an analysis of
    /// that file alone. Module codes of other files come from the complete
    /// analysis ([`Self::full_or_last`]), as they were then.
    fn completion_snapshot(&self, path: &Path) -> Arc<Snapshot> {
        {
            let st = self.state();
            if let Some(s) = &st.snapshot {
                return s.clone();
            }
            if let Some(s) = Self::serving(&st, path) {
                return s;
            }
        }
        self.own_snapshot(path)
            .unwrap_or_else(|| self.request_snapshot(Some(path)))
    }

    /// An analysis of `path`'s current text alone (not kept).
    fn own_snapshot(&self, path: &Path) -> Option<Arc<Snapshot>> {
        if !is_spec(path) {
            return None;
        }
        let (input, options) = {
            let mut st = self.state();
            let mut one = std::collections::BTreeSet::new();
            one.insert(path.to_path_buf());
            Self::parse_dirty(&mut st, Some(&one));
            (st.specs.get(path)?.parsed.clone()?, Self::options(&st).0)
        };
        let analysis = analyze_parsed(vec![input], &options);
        let snap = Arc::new(Snapshot::build(analysis, &self.cache_dir.join("embedded")));
        snap.source_of(path)?;
        Some(snap)
    }

    /// The complete analysis for workspace-wide questions (completion
    /// candidates, workspace symbols): the current one, else the last one
    /// (stale for files edited since), else a new one.
    fn full_or_last(&self) -> Arc<Snapshot> {
        {
            let st = self.state();
            if let Some(s) = st.snapshot.as_ref().or(st.last_full.as_ref()) {
                return s.clone();
            }
        }
        self.snapshot()
    }

    /// Whether every edit's range holds `name` in the file's current text.
    fn edits_hold(&self, edits: &[h::Edit], name: &str) -> bool {
        edits
            .iter()
            .all(|e| spec_lsp::Host::text(self, &e.path).is_some_and(|t| t.get(e.start..e.end) == Some(name)))
    }

    /// When `snap` is a partial (quick) analysis: the occurrences of `sym`
    /// that the last complete analysis found in files `snap` does not have,
    /// for files whose text has not changed since (their positions hold).
    fn occurrences_elsewhere(&self, snap: &Snapshot, sym: &Sym) -> Vec<(h::Loc, bool)> {
        let full = {
            let st = self.state();
            match &st.last_full {
                Some(f)
                    if !std::ptr::eq(&**f, snap) && st.snapshot.as_ref().is_none_or(|c| !std::ptr::eq(&**c, snap)) =>
                {
                    f.clone()
                }
                _ => return Vec::new(),
            }
        };
        let mut out = Vec::new();
        for o in full.index.of(sym) {
            let Some(p) = full.path(o.source) else { continue };
            if snap.source_of(p).is_some() {
                continue;
            }
            let unchanged = spec_lsp::Host::text(self, p).is_some_and(|t| *t == *full.text(o.source));
            if let (true, Some(loc)) = (unchanged, full.loc(o.source, o.span)) {
                out.push((loc, o.def));
            }
        }
        out
    }

    fn reload_roots(st: &mut State) {
        let mut dirs: Vec<PathBuf> = Vec::new();
        let mut config = None;
        st.config_error = None;
        for r in &st.roots {
            let dir = workspace::find_root(r).unwrap_or_else(|| r.clone());
            if let Ok(ws) = workspace::load_config(&dir) {
                if config.is_none() {
                    config = Some((dir.clone(), ws.config));
                }
            } else if dir.join("spec.toml").is_file() {
                if let Err(e) = workspace::load_config(&dir) {
                    st.config_error = Some(e.0);
                }
            }
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        st.config = config;
        st.dirs = dirs.clone();
        // Forget workspace files that are not open; rescan.
        st.specs.retain(|_, s| s.buffer.is_some());
        for s in st.specs.values_mut() {
            s.in_workspace = false;
            s.parsed = None;
        }
        let found: Vec<PathBuf> = dirs
            .iter()
            // A directory below with its own `spec.toml` is another
            // workspace ([`multi::MultiHost`] gives it its own host).
            .flat_map(|d| workspace::workspace_pspec_files(d).map(|f| f.0).unwrap_or_default())
            .collect();
        let texts: Vec<(PathBuf, Option<Arc<str>>)> = found
            .into_par_iter()
            .map(|p| {
                let t = read(&p);
                (p, t)
            })
            .collect();
        for (p, text) in texts {
            let slot = st.specs.entry(p).or_default();
            slot.disk = text;
            slot.in_workspace = true;
            slot.parsed = None;
        }
        invalidate(st);
    }

    fn under_dirs(st: &State, p: &Path) -> bool {
        st.dirs.iter().any(|d| p.starts_with(d))
    }
}

impl SpecHost {
    /// [`closure`] before any complete analysis exists: the same files,
    /// found through the codes each file's text holds (every reference to
    /// a code spells it, so the candidates are a superset), each candidate
    /// lowered on its own to follow what it requires and lists.
    fn cold_closure(
        st: &mut State,
        path: &Path,
        tree: &crate::syntax::ast::SourceFile,
    ) -> std::collections::BTreeSet<PathBuf> {
        use std::collections::{BTreeSet, HashSet};
        let texts: Vec<(PathBuf, Arc<str>)> = st
            .specs
            .iter()
            .filter_map(|(p, s)| Some((p.clone(), s.text()?.clone())))
            .collect();
        let names = |m: &crate::model::Workspace, wanted: Option<&HashSet<String>>| -> Vec<String> {
            let mut out = Vec::new();
            for x in &m.modules {
                if wanted.is_none_or(|w| w.contains(x.code.value.as_str())) {
                    out.push(x.code.value.to_string());
                    out.extend(x.requires.iter().map(|r| r.value.to_string()));
                }
            }
            for p in &m.programmes {
                let listed: Vec<String> = p
                    .structure
                    .iter()
                    .flat_map(|s| s.entries.iter().map(|e| e.code.value.to_string()))
                    .collect();
                if wanted.is_none_or(|w| listed.iter().any(|c| w.contains(c))) {
                    out.extend(listed);
                }
            }
            out
        };
        let mut scratch = Vec::new();
        let own = crate::model::build_workspace(&[(0, tree)], &mut scratch);
        let mut todo: Vec<String> = names(&own, None);
        let mut files: BTreeSet<PathBuf> = BTreeSet::new();
        files.insert(path.to_path_buf());
        let mut seen: HashSet<String> = HashSet::new();
        while !todo.is_empty() {
            let round: HashSet<String> = todo.drain(..).filter(|c| seen.insert(c.clone())).collect();
            let hits = files_spelling(&texts, &round, &files);
            if hits.is_empty() {
                break;
            }
            files.extend(hits.iter().cloned());
            // Lower the new candidates (parsing those not parsed yet).
            Self::parse_dirty(st, Some(&hits));
            for h in &hits {
                if let Some(t) = st.specs.get(h).and_then(|s| s.parsed.as_ref()) {
                    let ws = crate::model::build_workspace(&[(0, t.tree.as_ref())], &mut Vec::new());
                    todo.extend(names(&ws, Some(&round)));
                }
            }
        }
        files
    }
}

/// The files a change to `path` (now parsed as `tree`) can interact with,
/// read from the previous complete snapshot.
fn closure(prev: &Snapshot, path: &Path, tree: &crate::syntax::ast::SourceFile) -> std::collections::BTreeSet<PathBuf> {
    use std::collections::{BTreeSet, HashMap};
    let ws = &prev.analysis.workspace;
    let mut files: BTreeSet<PathBuf> = BTreeSet::new();
    files.insert(path.to_path_buf());
    let mut defs: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, m) in ws.modules.iter().enumerate() {
        defs.entry(m.code.value.as_str()).or_default().push(i);
    }
    let prev_src = prev.source_of(path);
    // The file as it is now, lowered on its own.
    let mut scratch = Vec::new();
    let own = crate::model::build_workspace(&[(0, tree)], &mut scratch);
    let mut defined: BTreeSet<String> = own.modules.iter().map(|m| m.code.value.to_string()).collect();
    defined.extend(
        ws.modules
            .iter()
            .filter(|m| Some(m.source) == prev_src)
            .map(|m| m.code.value.to_string()),
    );
    let mut needed: Vec<String> = defined.iter().cloned().collect();
    for m in &own.modules {
        needed.extend(m.requires.iter().map(|r| r.value.to_string()));
    }
    let lists = |p: &crate::model::Programme| -> Vec<String> {
        let mut v: Vec<String> = p
            .structure
            .iter()
            .flat_map(|s| s.entries.iter().map(|e| e.code.value.to_string()))
            .collect();
        v.extend(
            p.variances
                .iter()
                .flat_map(|x| x.applies_to.iter().map(|a| a.value.to_string())),
        );
        v
    };
    for p in &own.programmes {
        needed.extend(lists(p));
    }
    for p in &ws.programmes {
        let listed = lists(p);
        if Some(p.source) == prev_src || listed.iter().any(|c| defined.contains(c)) {
            if let Some(f) = prev.path(p.source) {
                files.insert(f.clone());
            }
            needed.extend(listed);
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(code) = needed.pop() {
        if !seen.insert(code.clone()) {
            continue;
        }
        for &i in defs.get(code.as_str()).into_iter().flatten() {
            let m = &ws.modules[i];
            if let Some(f) = prev.path(m.source) {
                files.insert(f.clone());
            }
            needed.extend(m.requires.iter().map(|r| r.value.to_string()));
        }
    }
    files
}

fn display_name(base: Option<&Path>, p: &Path) -> String {
    let rel = base.and_then(|b| p.strip_prefix(b).ok()).unwrap_or(p);
    rel.to_string_lossy().replace('\\', "/")
}

/// The files of `texts`, other than those in `skip`, that spell one of
/// `codes` as a whole word: a run of ASCII letters, digits, `-`, `_` and `.`
/// that is exactly the code. One multi-pattern scan of each text, in
/// parallel; what the editor's cold start needs to find a file's
/// neighbourhood before the workspace is analysed (D145).
fn files_spelling(
    texts: &[(PathBuf, Arc<str>)],
    codes: &std::collections::HashSet<String>,
    skip: &std::collections::BTreeSet<PathBuf>,
) -> std::collections::BTreeSet<PathBuf> {
    use rayon::prelude::*;
    let patterns: Vec<&str> = codes.iter().map(String::as_str).filter(|c| !c.is_empty()).collect();
    let Ok(ac) = aho_corasick::AhoCorasick::new(&patterns) else {
        return Default::default();
    };
    let word = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.');
    texts
        .par_iter()
        .filter(|(p, _)| !skip.contains(p))
        .filter(|(_, t)| {
            let b = t.as_bytes();
            // Overlapping: a code inside a longer word must not hide a
            // whole-word match of another code at the same place.
            ac.find_overlapping_iter(b).any(|m| {
                let before = m.start().checked_sub(1).and_then(|i| b.get(i));
                let after = b.get(m.end());
                !before.is_some_and(|&c| word(c)) && !after.is_some_and(|&c| word(c))
            })
        })
        .map(|(p, _)| p.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::files_spelling;
    use std::collections::{BTreeSet, HashSet};
    use std::path::PathBuf;
    use std::sync::Arc;

    /// The rule `files_spelling` must keep: split each text into runs of
    /// ASCII letters, digits, `-`, `_` and `.`, and a file spells a code
    /// when one of its runs is exactly that code (the word index the cold
    /// start used before D145).
    fn by_words(texts: &[(PathBuf, Arc<str>)], codes: &HashSet<String>, skip: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
        texts
            .iter()
            .filter(|(p, _)| !skip.contains(p))
            .filter(|(_, t)| {
                t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
                    .any(|w| !w.is_empty() && codes.contains(w))
            })
            .map(|(p, _)| p.clone())
            .collect()
    }

    #[test]
    fn finds_the_files_a_word_index_finds() {
        let texts: Vec<(PathBuf, Arc<str>)> = [
            "module 7001DS \"Data\" { requires 7000DS }",
            "core 7001DS, 7002DS semester 1",
            "core 7001DSX semester 1 # 7001 alone",
            "x7001DS 7001DS.1 -7001DS 7001DS_ \"é7001DSé\"",
            "7001",
            "DS7001DS7001DS",
            "",
            "programme P \"T\" { structure { core 7003AB } }",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| (PathBuf::from(format!("f{i}.pspec")), Arc::from(*t)))
        .collect();
        let sets: &[&[&str]] = &[
            &["7001DS"],
            &["7001"],
            &["7001", "7001DS"],
            &["DS", "7001DSX"],
            &["7003AB", "7000DS"],
            &["P", "T", "1"],
            &["semester", "7001DS.1"],
            &["missing"],
            &[""],
        ];
        for set in sets {
            let codes: HashSet<String> = set.iter().map(|s| s.to_string()).collect();
            for skip in [BTreeSet::new(), BTreeSet::from([PathBuf::from("f1.pspec")])] {
                assert_eq!(
                    files_spelling(&texts, &codes, &skip),
                    by_words(&texts, &codes, &skip),
                    "codes {set:?}, skipping {skip:?}"
                );
            }
        }
    }
}
