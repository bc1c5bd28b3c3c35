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

use super::{analyze_parsed, sort_diagnostics, summarise, Analysis, Options, Parsed};
use crate::diag::{Diagnostic, SourceId};
use crate::model::build::{module_codes, unknown_module_help};
use crate::model::{build_workspace_with, BuildOptions, Workspace};
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

    // Components over the old and the new model together.
    let mut comp = Components::default();
    for ws in [&prev.workspace, &workspace] {
        comp.join_all(ws);
    }
    let mut hot: HashSet<usize> = HashSet::new();
    for ws in [&prev.workspace, &workspace] {
        for m in ws.modules.iter().filter(|m| changed[m.source]) {
            hot.insert(comp.root(Node::Module(&m.code.value)));
        }
        for p in ws.programmes.iter().filter(|p| changed[p.source]) {
            hot.insert(comp.root(Node::Programme(&p.code.value)));
        }
    }
    let mut redo: Vec<bool> = changed.clone();
    for ws in [&prev.workspace, &workspace] {
        for m in &ws.modules {
            if hot.contains(&comp.root(Node::Module(&m.code.value))) {
                redo[m.source] = true;
            }
        }
        for p in &ws.programmes {
            if hot.contains(&comp.root(Node::Programme(&p.code.value))) {
                redo[p.source] = true;
            }
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

    let affected = |d: &Diagnostic, ws: &Workspace| -> bool {
        if changed.get(d.source).copied().unwrap_or(false) {
            return true;
        }
        if let Some(p) = &d.programme {
            return hot.contains(&comp.root(Node::Programme(p)));
        }
        if let Some(m) = &d.module {
            return hot.contains(&comp.root(Node::Module(m)));
        }
        if d.source >= n {
            return false; // a policy pack's own diagnostic: the same
        }
        let inside = |source: SourceId, span: crate::span::Span| {
            source == d.source && span.start <= d.span.start && d.span.end <= span.end
        };
        if let Some(m) = ws.modules.iter().find(|m| inside(m.source, m.span)) {
            return hot.contains(&comp.root(Node::Module(&m.code.value)));
        }
        if let Some(p) = ws.programmes.iter().find(|p| inside(p.source, p.span)) {
            return hot.contains(&comp.root(Node::Programme(&p.code.value)));
        }
        false
    };

    let mut diags: Vec<Diagnostic> = prev
        .diagnostics
        .iter()
        .filter(|d| !affected(d, &prev.workspace))
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
        if affected(&d, &workspace) {
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
            .map(|m| m.code.value.clone())
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
    };
    (analysis, Reuse::Partial { files: k })
}

/// The model of `parsed`, exactly as [`build_workspace_with`] builds it
/// from every tree: the changed files lowered again, the others' modules
/// and programmes taken from `prev`, in file order; then the indexes
/// (first definition wins) and each structure entry's module, as the
/// build resolves them.
fn splice(prev: &Analysis, parsed: &[Parsed], changed: &[bool], options: &Options) -> Workspace {
    let build_options = BuildOptions {
        default_framework: options.default_framework.is_some(),
    };
    let refs: Vec<(SourceId, &crate::syntax::ast::SourceFile)> = parsed
        .iter()
        .enumerate()
        .filter(|(i, _)| changed[*i])
        .map(|(i, p)| (i, p.tree.as_ref()))
        .collect();
    let fresh = build_workspace_with(&refs, &mut Vec::new(), &build_options);
    let mut ws = Workspace::default();
    let (mut old_m, mut new_m) = (prev.workspace.modules.iter().peekable(), fresh.modules.into_iter().peekable());
    let (mut old_p, mut new_p) = (
        prev.workspace.programmes.iter().peekable(),
        fresh.programmes.into_iter().peekable(),
    );
    for (file, &is_changed) in changed.iter().enumerate() {
        while let Some(m) = old_m.next_if(|m| m.source == file) {
            if !is_changed {
                ws.modules.push(m.clone());
            }
        }
        while let Some(m) = new_m.next_if(|m| m.source == file) {
            ws.modules.push(m);
        }
        while let Some(p) = old_p.next_if(|p| p.source == file) {
            if !is_changed {
                ws.programmes.push(p.clone());
            }
        }
        while let Some(p) = new_p.next_if(|p| p.source == file) {
            ws.programmes.push(p);
        }
    }
    ws.module_index.reserve(ws.modules.len());
    for (i, m) in ws.modules.iter().enumerate() {
        ws.module_index.entry(m.code.value.clone()).or_insert(i);
    }
    ws.programme_index.reserve(ws.programmes.len());
    for (i, p) in ws.programmes.iter().enumerate() {
        ws.programme_index.entry(p.code.value.clone()).or_insert(i);
    }
    for p in &mut ws.programmes {
        if let Some(s) = &mut p.structure {
            for e in &mut s.entries {
                e.module = ws.module_index.get(&e.code.value).copied();
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

/// Union-find over codes (modules and programmes apart).
#[derive(Default)]
struct Components<'a> {
    modules: HashMap<&'a str, usize>,
    programmes: HashMap<&'a str, usize>,
    parent: Vec<usize>,
}

impl<'a> Components<'a> {
    fn id(&mut self, n: Node<'a>) -> usize {
        let next = self.parent.len();
        let id = *match n {
            Node::Module(c) => self.modules.entry(c),
            Node::Programme(c) => self.programmes.entry(c),
        }
        .or_insert(next);
        if id == next {
            self.parent.push(next);
        }
        id
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: Node<'a>, b: Node<'a>) {
        let (a, b) = (self.id(a), self.id(b));
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra] = rb;
        }
    }

    fn join_all(&mut self, ws: &'a Workspace) {
        for m in &ws.modules {
            let me = Node::Module(&m.code.value);
            self.id(me);
            for r in &m.requires {
                self.union(me, Node::Module(&r.value));
            }
        }
        for p in &ws.programmes {
            let me = Node::Programme(&p.code.value);
            self.id(me);
            for e in p.structure.iter().flat_map(|s| s.entries.iter()) {
                self.union(me, Node::Module(&e.code.value));
            }
            for a in p.variances.iter().flat_map(|v| v.applies_to.iter()) {
                self.union(me, Node::Module(&a.value));
            }
        }
    }

    /// The component of `n`; a code never seen has none (`usize::MAX`).
    /// Read-only: every union happens before the first call.
    fn root(&self, n: Node<'_>) -> usize {
        let id = match n {
            Node::Module(c) => self.modules.get(c),
            Node::Programme(c) => self.programmes.get(c),
        };
        let Some(&id) = id else {
            return usize::MAX;
        };
        let mut x = id;
        while self.parent[x] != x {
            x = self.parent[x];
        }
        x
    }
}
