//! One analysed state of the workspace: the [`Analysis`], the file of every
//! source, the symbol index and the rule tables every feature reads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use spec_lsp::host as h;

use super::{index::Index, rules};
use crate::analysis::Analysis;
use crate::diag::SourceId;
use crate::source::SourceKind;
use crate::span::Span;
use crate::workspace;

/// One analysed state of the workspace.
pub struct Snapshot {
    pub analysis: Analysis,
    /// The file of every source (embedded packs: their read-only copy).
    pub paths: Vec<Option<PathBuf>>,
    pub by_path: HashMap<PathBuf, SourceId>,
    pub index: Index,
    pub rules: rules::Rules,
    /// `spec.toml` and why its policy paths could not be read (`spec check`
    /// exits 2): shown as a `policy/io` error on `spec.toml`.
    pub load_error: Option<(PathBuf, String)>,
    /// The workspace's module codes in byte order, one per code (its first
    /// definition), as indices into `analysis.workspace.modules`: built on
    /// the first completion that needs it, so completion finds the codes
    /// with a typed prefix by binary search (issue 9 point 3).
    codes: std::sync::OnceLock<Vec<usize>>,
}

impl Snapshot {
    pub fn build(analysis: Analysis, embedded_dir: &Path) -> Snapshot {
        let mut paths = Vec::with_capacity(analysis.sources.len());
        let mut by_path = HashMap::new();
        for (id, s) in analysis.sources.iter() {
            let p = match s.kind {
                SourceKind::EmbeddedPolicy => workspace::materialise(embedded_dir, &s.name, &s.text),
                _ => s.path.clone(),
            };
            if let Some(p) = &p {
                by_path.entry(p.clone()).or_insert(id);
            }
            paths.push(p);
        }
        let index = Index::build(&analysis);
        let mut rules = rules::Rules::collect(&analysis);
        let in_use: Vec<String> = rules.frameworks.iter().cloned().collect();
        rules.add_catalogue(&analysis.catalogue, &in_use);
        Snapshot {
            analysis,
            paths,
            by_path,
            index,
            rules,
            load_error: None,
            codes: std::sync::OnceLock::new(),
        }
    }

    /// The workspace's module codes, sorted and without repeats.
    pub fn module_codes(&self) -> Codes<'_> {
        let modules = &self.analysis.workspace.modules;
        let order = self.codes.get_or_init(|| {
            let mut v: Vec<usize> = (0..modules.len()).collect();
            // Stable: among repeats the first definition comes first.
            v.sort_by(|&a, &b| modules[a].code.value.cmp(&modules[b].code.value));
            v.dedup_by(|a, b| modules[*a].code.value == modules[*b].code.value);
            v
        });
        Codes { order, modules }
    }

    pub fn source_of(&self, path: &Path) -> Option<SourceId> {
        self.by_path.get(path).copied()
    }

    pub fn path(&self, id: SourceId) -> Option<&PathBuf> {
        self.paths.get(id).and_then(|p| p.as_ref())
    }

    pub fn text(&self, id: SourceId) -> &str {
        self.analysis.sources.get(id).map(|s| &*s.text).unwrap_or("")
    }

    pub fn loc(&self, id: SourceId, span: Span) -> Option<h::Loc> {
        Some(h::Loc {
            path: self.path(id)?.clone(),
            start: span.start(),
            end: span.end(),
        })
    }

    /// The parse tree of a `.pspec` source.
    pub fn tree(&self, id: SourceId) -> Option<&crate::syntax::ast::SourceFile> {
        self.analysis
            .files
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, f)| f.as_ref())
    }
}

/// The sorted module codes of a snapshot ([`Snapshot::module_codes`]).
#[derive(Clone, Copy)]
pub struct Codes<'a> {
    order: &'a [usize],
    modules: &'a [crate::model::Module],
}

impl<'a> Codes<'a> {
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn get(&self, k: usize) -> &'a str {
        &self.modules[self.order[k]].code.value
    }

    /// The position of the first code not less than `prefix`: codes that
    /// start with `prefix` follow it, contiguously.
    pub fn lower_bound(&self, prefix: &str) -> usize {
        self.order
            .partition_point(|&i| self.modules[i].code.value.as_str() < prefix)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let modules = self.modules;
        self.order.iter().map(move |&i| modules[i].code.value.as_str())
    }
}
