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
        }
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
            start: span.start as usize,
            end: span.end as usize,
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
