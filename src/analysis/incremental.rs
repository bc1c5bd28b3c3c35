//! Re-analysis after an edit: only the part of the workspace the edit can
//! affect is analysed again; the rest is taken from the previous analysis.
//! The result equals a fresh [`analyze_parsed`] of the same texts (tested
//! in `tests/incremental.rs` against random edits of a catalogue), so the
//! editor can use it for every publication.
//!
//! What can interact: every diagnostic is a function of definitions that
//! are joined by codes (a programme and the modules it lists, a module and
//! the modules it requires, two definitions of one code). So the workspace
//! falls apart into *components*: the connected sets of codes under "lists",
//! "requires" and "is defined as". A diagnostic belongs to the programme or
//! module it is about (its `programme`, else its `module`, else the
//! definition whose span holds it); one in no definition belongs to its
//! file. An edit of file F can change only the diagnostics of F and of the
//! components that hold a definition of F, before or after the edit. Those
//! components are analysed again, on their own files; every other
//! diagnostic is kept.
//!
//! Two things are global and recomputed on the merged result: the
//! did-you-mean help of an undefined module (it reads every module code)
//! and the summary. Anything else falls back to a whole analysis: a file
//! added, removed or renamed, other options or policies, a previous
//! analysis whose policies failed, or an edit whose components cover most
//! of the workspace. The model (`Analysis::workspace`) is rebuilt from the
//! trees, so it is exactly what a fresh analysis builds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{analyze_parsed, sort_diagnostics, summarise, Analysis, Options, Parsed};
use crate::check::unknown_reference::unknown_module_help;
use crate::diag::{Diagnostic, SourceId};
use crate::model::build::module_codes;
use crate::model::{lower_file, BuildOptions, Workspace};
use crate::source::{Source, SourceKind, Sources};

/// How `reanalyze` produced its result (for benchmarks and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Nothing changed: the previous analysis, as it was.
    Unchanged,
    /// Only `files` of the workspace's files were analysed again.
    Partial { files: usize },
    /// A whole analysis.
    Whole,
}

/// [`analyze_parsed`] of `parsed` under `options`, reusing `prev` where
/// the change cannot matter.
pub fn reanalyze(prev: &Analysis, parsed: Vec<Parsed>, options: &Options) -> Analysis {
    reanalyze_with_reuse(prev, parsed, options).0
}

/// [`reanalyze`], saying how much was reused.
pub fn reanalyze_with_reuse(prev: &Analysis, parsed: Vec<Parsed>, options: &Options) -> (Analysis, Reuse) {
    let n = parsed.len();
    let same_files = prev.files.len() == n
        && prev.files.iter().enumerate().all(|(i, (id, _))| *id == i)
        && parsed.iter().enumerate().all(|(i, p)| {
            prev.sources
                .get(i)
                .is_some_and(|s| s.kind == SourceKind::Spec && s.name == p.input.name && s.path == p.input.path)
        });
    let reusable = same_files
        && prev.trees_kept
        && prev.all_primary
        && parsed.iter().all(|p| p.input.primary)
        && !prev.policy_failed
        && prev.options == *options;
    if !reusable {
        return (analyze_parsed(parsed, options), Reuse::Whole);
    }
    let changed: Vec<bool> = parsed
        .iter()
        .enumerate()
        .map(|(i, p)| prev.sources.get(i).is_none_or(|s| s.text != p.input.text))
        .collect();
    if !changed.iter().any(|c| *c) {
        return (prev.clone(), Reuse::Unchanged);
    }

    let workspace = splice(prev, &parsed, &changed, options);

    // The components the edit touches: those of every code the edited
    // files name, before and after; merged into one, since the edit may
    // join them (kept for the next edit: splitting is never needed for a
    // correct answer, only a finer one).
    let mut comps = (*prev.components()).clone();
    let mut hot_reps: HashSet<u32> = HashSet::new();
    let mut new_modules: Vec<&str> = Vec::new();
    let mut new_programmes: Vec<&str> = Vec::new();
    for ws in [&prev.workspace, &workspace] {
        for_each_code(ws, &changed, |node| match comps.find(node) {
            Some(c) => {
                hot_reps.insert(c);
            }
            None => match node {
                Node::Module(c) => new_modules.push(c),
                Node::Programme(c) => new_programmes.push(c),
            },
        });
    }
    let changed_ids: Vec<SourceId> = (0..n).filter(|i| changed[*i]).collect();
    let hot = comps.merge(&hot_reps, &new_modules, &new_programmes, &changed_ids);
    let mut redo: Vec<bool> = changed.clone();
    for f in comps.files_of(hot) {
        if let Some(r) = redo.get_mut(f) {
            *r = true;
        }
    }
    let redo_ids: Vec<SourceId> = (0..n).filter(|i| redo[*i]).collect();
    if redo_ids.len() * 2 > n {
        return (analyze_parsed(parsed, options), Reuse::Whole);
    }

    let subset: Vec<Parsed> = redo_ids.iter().map(|&i| parsed[i].clone()).collect();
    let sub = analyze_parsed(subset, options);
    if sub.policy_failed {
        return (analyze_parsed(parsed, options), Reuse::Whole);
    }
    // Sub-analysis ids: its files are `redo_ids`, then the same packs.
    let k = redo_ids.len();
    let remap = |id: SourceId| if id < k { redo_ids[id] } else { n + (id - k) };

    // Whether `d` belongs to the touched component (or an edited file).
    // A code the components do not know is new, so only in the edited
    // files: a fresh diagnostic about it is taken, and no old one exists.
    let affected = |d: &Diagnostic, ws: &Workspace, fresh: bool| -> bool {
        if changed.get(d.source).copied().unwrap_or(false) {
            return true;
        }
        let is_hot = |node: Node<'_>| comps.find(node).map_or(fresh, |c| c == hot);
        if let Some(p) = &d.programme {
            return is_hot(Node::Programme(p));
        }
        if let Some(m) = &d.module {
            return is_hot(Node::Module(m));
        }
        if d.source >= n {
            return false; // a policy pack's own diagnostic: the same
        }
        // The definitions of one file are contiguous, in file order (the
        // model is built file by file): look only at `d`'s file's.
        let inside = |span: crate::span::Span| span.start() <= d.span.start() && d.span.end() <= span.end();
        let modules = {
            let (a, b) = (
                ws.modules.partition_point(|m| m.source < d.source),
                ws.modules.partition_point(|m| m.source <= d.source),
            );
            &ws.modules[a..b]
        };
        if let Some(m) = modules.iter().find(|m| inside(m.span)) {
            return is_hot(Node::Module(&m.code.value));
        }
        let programmes = {
            let (a, b) = (
                ws.programmes.partition_point(|p| p.source < d.source),
                ws.programmes.partition_point(|p| p.source <= d.source),
            );
            &ws.programmes[a..b]
        };
        if let Some(p) = programmes.iter().find(|p| inside(p.span)) {
            return is_hot(Node::Programme(&p.code.value));
        }
        false
    };

    let mut diags: Vec<Diagnostic> = prev
        .diagnostics
        .iter()
        .filter(|d| !affected(d, &prev.workspace, false))
        .cloned()
        .collect();
    let kept = diags.len();
    for d in &sub.diagnostics {
        let mut d = d.clone();
        d.source = remap(d.source);
        for l in &mut d.labels {
            l.source = remap(l.source);
        }
        if let Some(w) = &mut d.waived_by {
            w.source = remap(w.source);
        }
        if let Some(o) = &mut d.origin {
            o.source = remap(o.source);
        }
        if affected(&d, &workspace, true) {
            diags.push(d);
        }
    }
    // The one global text: an undefined module's nearest code. The kept
    // diagnostics have it right unless the workspace's set of module codes
    // changed; the sub-analysis saw only its own files' codes.
    let codes_of = |ws: &'_ Workspace| {
        let mut v: Vec<String> = ws
            .modules
            .iter()
            .filter(|m| changed[m.source])
            .map(|m| m.code.value.to_string())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let same_codes = {
        let (old, new) = (codes_of(&prev.workspace), codes_of(&workspace));
        // A code leaving the edited files may still be defined elsewhere,
        // and one entering them may have been: compare whole sets then.
        old == new || module_codes(&prev.workspace) == module_codes(&workspace)
    };
    let mut codes: Option<Vec<&str>> = None;
    for d in diags.iter_mut().skip(if same_codes { kept } else { 0 }) {
        if d.code == "spec/unknown-reference" {
            if let Some(code) = undefined_module(&d.message) {
                let codes = codes.get_or_insert_with(|| module_codes(&workspace));
                d.help = Some(unknown_module_help(code, codes));
            }
        }
    }

    let mut sources = Sources::new();
    for (i, s) in prev.sources.iter() {
        if changed.get(i).copied().unwrap_or(false) {
            let p = &parsed[i].input;
            sources.add(Source::new(
                p.name.clone(),
                p.path.clone(),
                p.text.clone(),
                SourceKind::Spec,
            ));
        } else {
            sources.add(s.clone());
        }
    }
    sort_diagnostics(&sources, &mut diags);
    diags.dedup();
    let primary = vec![true; n];
    let summary = summarise(&workspace, &primary, n, &diags);
    let files = parsed.into_iter().enumerate().map(|(i, p)| (i, p.tree)).collect();
    let analysis = Analysis {
        sources,
        files,
        workspace,
        diagnostics: diags,
        summary,
        policy_failed: false,
        catalogue: prev.catalogue.clone(),
        options: options.clone(),
        all_primary: true,
        trees_kept: true,
        components: Default::default(),
    };
    if !comps.too_big() {
        let _ = analysis.components.set(Arc::new(comps));
    }
    (analysis, Reuse::Partial { files: k })
}

/// The model of `parsed`, exactly as [`crate::model::build_workspace_with`] builds it
/// from every tree: the changed files lowered again, the others' modules
/// and programmes taken from `prev`, in file order; then the indexes
/// (first definition wins) and each structure entry's module, as the
/// build resolves them.
fn splice(prev: &Analysis, parsed: &[Parsed], changed: &[bool], options: &Options) -> Workspace {
    let build_options = BuildOptions {
        default_framework: options.default_framework.is_some(),
    };
    let mut ws = Workspace::default();
    let mut old_m = prev.workspace.modules.iter().peekable();
    let mut old_p = prev.workspace.programmes.iter().peekable();
    for (file, &is_changed) in changed.iter().enumerate() {
        // A changed file is lowered alone (`lower_file`: no linking, so
        // none of its cross-file references is resolved or reported
        // against the changed files only); the others' records are kept.
        let fresh = match parsed.get(file).filter(|_| is_changed) {
            Some(p) => lower_file(file, &p.tree, &build_options),
            None => Default::default(),
        };
        while let Some(m) = old_m.next_if(|m| m.source == file) {
            if !is_changed {
                ws.modules.push(m.clone());
            }
        }
        ws.modules.extend(fresh.modules);
        while let Some(p) = old_p.next_if(|p| p.source == file) {
            if !is_changed {
                ws.programmes.push(p.clone());
            }
        }
        ws.programmes.extend(fresh.programmes);
    }
    // The duplicates were reported by the build of the files they are in.
    ws.index();
    for p in &mut ws.programmes {
        if let Some(s) = &mut p.structure {
            for e in &mut s.entries {
                e.set_module(ws.module_index.get(&ws.modules, &e.code.value));
            }
        }
    }
    ws
}

/// `X` in "module `X` is not defined".
fn undefined_module(message: &str) -> Option<&str> {
    message.strip_prefix("module `")?.strip_suffix("` is not defined")
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Module(&'a str),
    Programme(&'a str),
}

/// Calls `f` with every code the definitions of the `changed` files of
/// `ws` name: their own, the modules they require or list, the modules
/// their variances apply to.
fn for_each_code<'a>(ws: &'a Workspace, changed: &[bool], mut f: impl FnMut(Node<'a>)) {
    for m in ws.modules.iter().filter(|m| changed[m.source]) {
        f(Node::Module(&m.code.value));
        for r in &m.requires {
            f(Node::Module(&r.value));
        }
    }
    for p in ws.programmes.iter().filter(|p| changed[p.source]) {
        f(Node::Programme(&p.code.value));
        for e in p.structure.iter().flat_map(|s| s.entries.iter()) {
            f(Node::Module(&e.code.value));
        }
        for a in p.variances.iter().flat_map(|v| v.applies_to.iter()) {
            f(Node::Module(&a.value));
        }
    }
}

/// The components of an analysed workspace (see the module doc), kept
/// with the analysis for the next re-analysis: a base computed once from
/// a whole model, and the merges made by edits since (small; dropped when
/// it grows past [`Components::too_big`], and computed again).
#[derive(Debug, Clone, Default)]
pub struct Components {
    base: Arc<Base>,
    /// A merged component -> the one it became.
    redirect: HashMap<u32, u32>,
    /// Codes first seen after the base.
    extra_modules: HashMap<String, u32>,
    extra_programmes: HashMap<String, u32>,
    /// Files of definitions added to a component after the base.
    extra_files: HashMap<u32, Vec<SourceId>>,
    next: u32,
}

#[derive(Debug, Default)]
struct Base {
    modules: HashMap<String, u32>,
    programmes: HashMap<String, u32>,
    /// The files holding a definition of each component.
    files: Vec<Vec<SourceId>>,
}

impl Components {
    /// The components of `ws`, joined by "lists", "requires", "applies to"
    /// and "is defined as" (one node per code).
    pub(crate) fn of(ws: &Workspace) -> Components {
        let mut uf = UnionFind::default();
        for m in &ws.modules {
            let me = uf.id(&m.code.value);
            for r in &m.requires {
                let other = uf.id(&r.value);
                uf.union(me, other);
            }
        }
        let mut programme_nodes = Vec::with_capacity(ws.programmes.len());
        for p in &ws.programmes {
            let me = uf.fresh();
            programme_nodes.push(me);
            for e in p.structure.iter().flat_map(|s| s.entries.iter()) {
                let other = uf.id(&e.code.value);
                uf.union(me, other);
            }
            for a in p.variances.iter().flat_map(|v| v.applies_to.iter()) {
                let other = uf.id(&a.value);
                uf.union(me, other);
            }
        }
        // Programmes sharing a code are one node.
        let mut by_code: HashMap<&str, usize> = HashMap::new();
        for (p, &node) in ws.programmes.iter().zip(&programme_nodes) {
            match by_code.get(p.code.value.as_str()) {
                Some(&first) => uf.union(first, node),
                None => {
                    by_code.insert(&p.code.value, node);
                }
            }
        }
        let mut compact: HashMap<usize, u32> = HashMap::new();
        let mut base = Base::default();
        let mut id_of = |uf: &mut UnionFind, node: usize, files: &mut Vec<Vec<SourceId>>| {
            let root = uf.find(node);
            *compact.entry(root).or_insert_with(|| {
                files.push(Vec::new());
                (files.len() - 1) as u32
            })
        };
        let module_nodes: Vec<(String, usize)> = uf.codes.iter().map(|(c, &i)| (c.to_string(), i)).collect();
        for (code, node) in module_nodes {
            let id = id_of(&mut uf, node, &mut base.files);
            base.modules.insert(code, id);
        }
        for (code, &node) in &by_code {
            let id = id_of(&mut uf, node, &mut base.files);
            base.programmes.insert(code.to_string(), id);
        }
        for m in &ws.modules {
            if let Some(&c) = base.modules.get(m.code.value.as_str()) {
                base.files[c as usize].push(m.source);
            }
        }
        for p in &ws.programmes {
            if let Some(&c) = base.programmes.get(p.code.value.as_str()) {
                base.files[c as usize].push(p.source);
            }
        }
        for f in &mut base.files {
            f.sort_unstable();
            f.dedup();
        }
        let next = base.files.len() as u32;
        Components {
            base: Arc::new(base),
            next,
            ..Components::default()
        }
    }

    fn find(&self, node: Node<'_>) -> Option<u32> {
        let mut c = *match node {
            Node::Module(code) => self.extra_modules.get(code).or_else(|| self.base.modules.get(code)),
            Node::Programme(code) => self
                .extra_programmes
                .get(code)
                .or_else(|| self.base.programmes.get(code)),
        }?;
        while let Some(&r) = self.redirect.get(&c) {
            c = r;
        }
        Some(c)
    }

    fn resolve(&self, mut c: u32) -> u32 {
        while let Some(&r) = self.redirect.get(&c) {
            c = r;
        }
        c
    }

    /// Merges `reps` and the new codes into one new component holding
    /// `files` too; returns it.
    fn merge(&mut self, reps: &HashSet<u32>, modules: &[&str], programmes: &[&str], files: &[SourceId]) -> u32 {
        let new = self.next;
        self.next += 1;
        for &r in reps {
            self.redirect.insert(r, new);
        }
        for &m in modules {
            self.extra_modules.insert(m.to_string(), new);
        }
        for &p in programmes {
            self.extra_programmes.insert(p.to_string(), new);
        }
        self.extra_files.insert(new, files.to_vec());
        new
    }

    /// The files holding a definition of component `c`.
    fn files_of(&self, c: u32) -> Vec<SourceId> {
        let mut out: Vec<SourceId> = Vec::new();
        let base_len = self.base.files.len() as u32;
        let mut members: Vec<u32> = self
            .redirect
            .keys()
            .copied()
            .filter(|&k| self.resolve(k) == c)
            .collect();
        members.push(c);
        for k in members {
            if k < base_len {
                out.extend(&self.base.files[k as usize]);
            }
            if let Some(f) = self.extra_files.get(&k) {
                out.extend(f);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Past this many merges, the next re-analysis computes the
    /// components again (finer, and the overlay stays small).
    fn too_big(&self) -> bool {
        self.redirect.len() + self.extra_modules.len() + self.extra_programmes.len() > 4096
    }
}

/// Union-find over module codes, and anonymous nodes (programmes).
#[derive(Default)]
struct UnionFind<'a> {
    codes: HashMap<&'a str, usize>,
    parent: Vec<usize>,
}

impl<'a> UnionFind<'a> {
    fn fresh(&mut self) -> usize {
        self.parent.push(self.parent.len());
        self.parent.len() - 1
    }

    fn id(&mut self, code: &'a str) -> usize {
        if let Some(&i) = self.codes.get(code) {
            return i;
        }
        let i = self.fresh();
        self.codes.insert(code, i);
        i
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra] = rb;
        }
    }
}
