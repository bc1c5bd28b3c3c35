//! The one analysis entry point, used by the CLI, the language server and the
//! tests: texts in (the `.pspec` files and the user's `.policy` files; the
//! embedded packs are texts compiled into the binary), model, compiled rule
//! catalogue and sorted diagnostics out. Pure: no file system, no clock, no
//! environment; deterministic. Finding and reading the texts is
//! [`crate::workspace`]'s job.

use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::{self, CheckCtx};
use crate::diag::{Diagnostic, Severity, SourceId, Summary};
use crate::model::{link_placed, lower_file, BuildOptions, Lowered, Module, Programme, Workspace};
use crate::policy::Catalogue;
use crate::source::{Source, SourceKind, Sources};
use crate::syntax::ast::SourceFile;

pub mod incremental;

pub use incremental::reanalyze;

/// How to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--framework`: check every programme against this framework.
    pub framework: Option<String>,
    /// The framework of programmes that name none (`spec.toml`).
    pub default_framework: Option<String>,
    /// `--require-approved-variances`.
    pub require_approved_variances: bool,
    /// The user's policy files (`--policy`, `spec.toml`), as texts, in
    /// order; the embedded packs always come first and need not be given.
    pub policies: Vec<PolicyInput>,
}

/// One user `.policy` text to compile with the embedded packs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInput {
    /// The name shown in output.
    pub name: String,
    /// The file it was read from, if any (editors jump to it).
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
}

/// One `.pspec` text to analyse.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name shown in output.
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Diagnostics are reported for primary inputs (the files given); the
    /// others only provide definitions.
    pub primary: bool,
}

/// A parsed input, reusable across analyses (the editor re-parses only the
/// file that changed).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub input: Input,
    pub tree: Arc<SourceFile>,
}

pub fn parse_input(input: Input) -> Parsed {
    let tree = Arc::new(crate::syntax::parse(&input.text));
    Parsed { input, tree }
}

/// Parses inputs in parallel, keeping their order.
pub fn parse_inputs(inputs: Vec<Input>) -> Vec<Parsed> {
    inputs.into_par_iter().map(parse_input).collect()
}

#[derive(Debug, Clone)]
pub struct Analysis {
    pub sources: Sources,
    /// The parsed `.pspec` files, by source id.
    pub files: Vec<(SourceId, Arc<SourceFile>)>,
    pub workspace: Workspace,
    /// Sorted by file, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
    /// A policy file did not compile: the check could not run (exit 2).
    pub policy_failed: bool,
    /// The compiled rule catalogue (embedded packs plus `options.policies`),
    /// its packs registered in `sources`: what renderers, `spec explain` and
    /// the editor read rule metadata from.
    pub catalogue: Arc<Catalogue>,
    /// What it was analysed with, and whether every input was primary:
    /// [`reanalyze`] reuses it only under the same options.
    pub options: Options,
    pub all_primary: bool,
    /// `files` holds the trees ([`analyze_once`] drops them): only then can
    /// [`reanalyze`] reuse the analysis.
    pub trees_kept: bool,
    /// The workspace's components, computed by the first re-analysis that
    /// needs them ([`incremental`]).
    pub(crate) components: std::sync::OnceLock<Arc<incremental::Components>>,
}

impl Analysis {
    pub fn errors(&self) -> usize {
        self.summary.errors
    }
    pub fn warnings(&self) -> usize {
        self.summary.warnings
    }
    /// The components of the workspace (see [`incremental`]).
    pub(crate) fn components(&self) -> Arc<incremental::Components> {
        self.components
            .get_or_init(|| Arc::new(incremental::Components::of(&self.workspace)))
            .clone()
    }
}

/// Parses and analyses.
pub fn analyze(inputs: Vec<Input>, options: &Options) -> Analysis {
    analyze_parsed(parse_inputs(inputs), options)
}

/// Analyses already-parsed inputs.
pub fn analyze_parsed(parsed: Vec<Parsed>, options: &Options) -> Analysis {
    let build_options = BuildOptions {
        default_framework: options.default_framework.is_some(),
    };
    let lowered: Vec<Lowered> = parsed
        .par_iter()
        .enumerate()
        .map(|(id, p)| lower_file(id, &p.tree, &build_options))
        .collect();
    let (inputs, files) = parsed
        .into_iter()
        .enumerate()
        .map(|(id, p)| (p.input, (id, p.tree)))
        .unzip();
    finish(inputs, files, (Vec::new(), Vec::new()), lowered, true, options)
}

/// [`analyze`] for a one-shot check (the CLI on a whole catalogue): each
/// file is parsed and lowered in one step and its tree dropped at once, so
/// the trees of the catalogue never sit in memory beside its model. The
/// result keeps no trees (`files` holds empty ones) and is never
/// re-analysed incrementally; everything else equals [`analyze`]'s.
///
/// Each file's modules and programmes are moved, as soon as they are
/// lowered, into slots of the workspace's lists, so a file's own lists and
/// the whole lists never sit in memory side by side (D148).
pub fn analyze_once(inputs: Vec<Input>, options: &Options) -> Analysis {
    let build_options = BuildOptions {
        default_framework: options.default_framework.is_some(),
    };
    let (module_bounds, programme_bounds): (Vec<usize>, Vec<usize>) =
        inputs.par_iter().map(|i| crate::syntax::item_bounds(&i.text)).unzip();
    let mut module_slots = Slots::new(&module_bounds);
    let mut programme_slots = Slots::new(&programme_bounds);
    let (inputs, mut lowered): (Vec<Input>, Vec<Lowered>) = inputs
        .into_par_iter()
        .zip(module_slots.chunks(&module_bounds))
        .zip(programme_slots.chunks(&programme_bounds))
        .enumerate()
        .map(|(id, ((input, modules), programmes))| {
            let tree = crate::syntax::parse(&input.text);
            let mut lowered = lower_file(id, &tree, &build_options);
            drop(tree);
            place(&mut lowered.modules, modules);
            place(&mut lowered.programmes, programmes);
            (input, lowered)
        })
        .unzip();
    let modules = module_slots.gather(&module_bounds, lowered.iter_mut().map(|l| &mut l.modules));
    let programmes = programme_slots.gather(&programme_bounds, lowered.iter_mut().map(|l| &mut l.programmes));
    let empty = Arc::new(SourceFile::default());
    let files = (0..inputs.len()).map(|id| (id, empty.clone())).collect();
    finish(inputs, files, (modules, programmes), lowered, false, options)
}

/// The workspace's list of modules (or programmes) before it is complete:
/// `bounds[f]` slots for file `f`, in file order ([`crate::syntax::item_bounds`]).
struct Slots<T>(Vec<Option<T>>);

impl<T> Slots<T> {
    fn new(bounds: &[usize]) -> Slots<T> {
        Slots(std::iter::repeat_with(|| None).take(bounds.iter().sum()).collect())
    }

    /// Each file's slots.
    fn chunks(&mut self, bounds: &[usize]) -> Vec<&mut [Option<T>]> {
        let mut out = Vec::with_capacity(bounds.len());
        let mut rest = self.0.as_mut_slice();
        for &n in bounds {
            let k = n.min(rest.len());
            let (a, b) = std::mem::take(&mut rest).split_at_mut(k);
            out.push(a);
            rest = b;
        }
        out
    }

    /// The list, in file order. A file whose items did not fit its slots
    /// (never, while `item_bounds` is an upper bound) kept them in
    /// `leftover`; then the list is built anew.
    fn gather<'a>(self, bounds: &[usize], leftover: impl Iterator<Item = &'a mut Vec<T>>) -> Vec<T>
    where
        T: 'a,
    {
        let mut leftover: Vec<&mut Vec<T>> = leftover.collect();
        if leftover.iter().all(|l| l.is_empty()) {
            // Collected in the slots' own allocation (an `Option` of these
            // types is as large as the type); `flatten` would copy the list
            // into a new one, growing it by doubling.
            #[allow(clippy::filter_map_identity)]
            return self.0.into_iter().filter_map(|x| x).collect();
        }
        let mut slots = self.0.into_iter();
        let mut out = Vec::new();
        for (n, l) in bounds.iter().zip(leftover.iter_mut()) {
            out.extend(slots.by_ref().take(*n).flatten());
            out.append(l);
        }
        out
    }
}

/// Moves a file's lowered items into its slots, when they fit.
fn place<T>(items: &mut Vec<T>, slots: &mut [Option<T>]) {
    if items.len() <= slots.len() {
        for (slot, item) in slots.iter_mut().zip(std::mem::take(items)) {
            *slot = Some(item);
        }
    }
}

/// The analysis of lowered files (the `.pspec` sources get ids `0..n`, in
/// input order): link, checks, policies, scope, summary.
fn finish(
    inputs: Vec<Input>,
    files: Vec<(SourceId, Arc<SourceFile>)>,
    placed: (Vec<Module>, Vec<Programme>),
    lowered: Vec<Lowered>,
    trees_kept: bool,
    options: &Options,
) -> Analysis {
    // The spec files, every pack, and the two sources an unknown framework
    // option adds (`--framework`, `spec.toml`): the list never grows, which
    // at 20,000 files left a third of it unused.
    let mut sources = Sources::with_capacity(inputs.len() + crate::policy::EMBEDDED.len() + options.policies.len() + 2);
    let mut primary = Vec::with_capacity(inputs.len());
    for input in inputs {
        let id = sources.add(Source::new(input.name, input.path, input.text, SourceKind::Spec));
        debug_assert_eq!(id, primary.len());
        primary.push(input.primary);
    }
    let mut diags = Vec::new();
    let workspace = link_placed(placed.0, placed.1, lowered, &mut diags);
    let (pathways, graph) = rayon::join(
        || check::not_evaluated::all_pathways(&workspace),
        || check::graph::PrereqGraph::new(&workspace),
    );
    check::run_all(
        &CheckCtx {
            ws: &workspace,
            pathways: &pathways,
            graph: &graph,
        },
        &mut diags,
    );
    drop(graph); // only the checks read it
    let (catalogue, compile_errors) = Catalogue::compile(&mut sources, &options.policies);
    let policy_failed = if compile_errors.is_empty() {
        crate::policy::check(&catalogue, &mut sources, &workspace, &pathways, options, &mut diags).failed
    } else {
        diags.extend(compile_errors);
        true
    };

    // Keep diagnostics located in a primary file, or about a programme
    // defined in one, or located in a file that defines something a primary
    // programme depends on (its modules and their prerequisites,
    // transitively) and not about another programme: `spec check FILE`
    // covers what FILE's programmes are made of (issue 7).
    let primary_programmes: std::collections::HashSet<&str> = workspace
        .programmes
        .iter()
        .filter(|p| primary.get(p.source).copied().unwrap_or(false))
        .map(|p| p.code.value.as_str())
        .collect();
    let mut dependency_files: std::collections::BTreeSet<SourceId> = Default::default();
    if primary.iter().any(|p| !p) {
        let primaries = workspace
            .programmes
            .iter()
            .filter(|p| primary.get(p.source).copied().unwrap_or(false));
        dependency_files = dependencies(&workspace, primaries).files;
    }
    diags.retain(|d| {
        primary.get(d.source).copied().unwrap_or(true)
            || match d.programme.as_deref() {
                Some(p) => primary_programmes.contains(p),
                None => dependency_files.contains(&d.source),
            }
    });
    sort_diagnostics(&sources, &mut diags);
    diags.dedup();

    let primary_ids: Vec<SourceId> = files
        .iter()
        .filter(|(id, _)| primary.get(*id).copied().unwrap_or(false))
        .map(|(id, _)| *id)
        .collect();
    let summary = summarise(&workspace, &primary, primary_ids.len(), &diags);
    Analysis {
        sources,
        files,
        workspace,
        diagnostics: diags,
        summary,
        policy_failed,
        catalogue: Arc::new(catalogue),
        options: options.clone(),
        all_primary: primary.iter().all(|p| *p),
        trees_kept,
        components: Default::default(),
    }
}

/// The counts of a run: files, programmes and modules of primary inputs,
/// errors and warnings not waived, waived findings.
fn summarise(workspace: &Workspace, primary: &[bool], files: usize, diags: &[Diagnostic]) -> Summary {
    let mut summary = Summary {
        files,
        programmes: workspace
            .programmes
            .iter()
            .filter(|p| primary.get(p.source).copied().unwrap_or(false))
            .count(),
        modules: workspace
            .modules
            .iter()
            .filter(|m| primary.get(m.source).copied().unwrap_or(false))
            .count(),
        ..Summary::default()
    };
    for d in diags {
        if d.is_waived() {
            summary.waived += 1;
        } else {
            match d.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Info => {}
            }
        }
    }
    summary
}

/// The stable output order: file name, position, rule id, message.
pub fn sort_diagnostics(sources: &Sources, diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        sources
            .name(a.source)
            .cmp(sources.name(b.source))
            .then(a.span.start().cmp(&b.span.start()))
            .then(a.span.end().cmp(&b.span.end()))
            .then(a.code.cmp(&b.code))
            .then(a.message.cmp(&b.message))
            // A total order, so that the order never depends on the order
            // the checks ran in (an incremental re-analysis merges lists).
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.help.cmp(&b.help))
            .then_with(|| a.programme.cmp(&b.programme))
            .then_with(|| a.module.cmp(&b.module))
            .then_with(|| a.pathway.cmp(&b.pathway))
            .then_with(|| a.labels.len().cmp(&b.labels.len()))
            .then_with(|| {
                let key = |d: &Diagnostic| {
                    d.labels
                        .iter()
                        .map(|l| (l.source, l.span.start(), l.span.end(), l.message.clone()))
                        .collect::<Vec<_>>()
                };
                key(a).cmp(&key(b))
            })
    });
}

/// What a programme is made of: the files defining it, its modules and
/// their prerequisites (transitively; every definition of a code, so a
/// duplicate is seen where it is), and those module codes.
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    pub files: std::collections::BTreeSet<SourceId>,
    pub modules: std::collections::BTreeSet<String>,
}

/// The [`Dependencies`] of `p` in `ws`.
pub fn depends_on(ws: &Workspace, p: &crate::model::Programme) -> Dependencies {
    dependencies(ws, std::iter::once(p))
}

/// The union of the [`Dependencies`] of `programmes` (linear in the
/// workspace's modules plus what they reach).
pub fn dependencies<'a>(ws: &Workspace, programmes: impl Iterator<Item = &'a crate::model::Programme>) -> Dependencies {
    let mut by_code: std::collections::HashMap<&str, Vec<&crate::model::Module>> = Default::default();
    for m in &ws.modules {
        by_code.entry(m.code.value.as_str()).or_default().push(m);
    }
    let mut out = Dependencies::default();
    let mut todo: Vec<&str> = Vec::new();
    for p in programmes {
        out.files.insert(p.source);
        todo.extend(
            p.structure
                .iter()
                .flat_map(|s| s.entries.iter().map(|e| e.code.value.as_str())),
        );
    }
    while let Some(code) = todo.pop() {
        if !out.modules.insert(code.to_string()) {
            continue;
        }
        for m in by_code.get(code).into_iter().flatten() {
            out.files.insert(m.source);
            todo.extend(m.requires.iter().map(|r| r.value.as_str()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{place, Slots};

    /// Lowers "files" of numbered items into slots, as `analyze_once` does:
    /// the list, and whether every file's items went into its slots.
    fn gathered(bounds: &[usize], files: &[Vec<u32>]) -> (Vec<u32>, bool) {
        let mut slots = Slots::new(bounds);
        let mut lists: Vec<Vec<u32>> = files.to_vec();
        for (items, chunk) in lists.iter_mut().zip(slots.chunks(bounds)) {
            place(items, chunk);
        }
        let placed = lists.iter().all(Vec::is_empty);
        (slots.gather(bounds, lists.iter_mut()), placed)
    }

    /// What lets `gather` collect in the slots' own allocation.
    #[test]
    fn a_slot_is_as_large_as_its_item() {
        use crate::model::{Module, Programme};
        use std::mem::size_of;
        assert_eq!(size_of::<Option<Module>>(), size_of::<Module>());
        assert_eq!(size_of::<Option<Programme>>(), size_of::<Programme>());
    }

    #[test]
    fn items_keep_file_order_in_their_slots() {
        // Spare slots (a bound above the count) leave no gap.
        let files = [vec![1, 2], vec![], vec![3], vec![4, 5, 6]];
        assert_eq!(gathered(&[3, 1, 1, 5], &files), (vec![1, 2, 3, 4, 5, 6], true));
        assert_eq!(gathered(&[2, 0, 1, 3], &files), (vec![1, 2, 3, 4, 5, 6], true));
    }

    #[test]
    fn a_file_over_its_bound_keeps_its_items_in_order() {
        // The second file holds more than its bound: the list is built anew.
        let files = [vec![1, 2], vec![3, 4, 5], vec![6]];
        assert_eq!(gathered(&[2, 1, 1], &files), (vec![1, 2, 3, 4, 5, 6], false));
        assert_eq!(gathered(&[0, 0, 0], &files), (vec![1, 2, 3, 4, 5, 6], false));
    }
}
