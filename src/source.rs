//! The texts an analysis reads: `.pspec` files, policy files (on disk or
//! embedded in the binary), stdin. Diagnostics refer to them by [`SourceId`].

use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::SourceId;
use crate::span::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Spec,
    Policy,
    /// A policy pack embedded in the binary (`policies/` at build time).
    EmbeddedPolicy,
}

#[derive(Debug, Clone)]
pub struct Source {
    /// How the file is named in output: relative to the current directory
    /// where possible, `<stdin>`, or `policies/NAME.policy` for embedded packs.
    pub name: String,
    /// The file on disk, if any.
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Built on first use ([`Source::lines`]): most sources (the embedded
    /// packs, files without findings) are never located in.
    lines: Arc<std::sync::OnceLock<Arc<LineIndex>>>,
    pub kind: SourceKind,
}

impl Source {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: impl Into<Arc<str>>, kind: SourceKind) -> Source {
        Source {
            name: name.into(),
            path,
            text: text.into(),
            lines: Default::default(),
            kind,
        }
    }

    /// The line index of the text, built once, shared by clones.
    pub fn lines(&self) -> &Arc<LineIndex> {
        self.lines.get_or_init(|| Arc::new(LineIndex::new(&self.text)))
    }

    /// 1-based (line, column), columns in Unicode scalar values.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sources {
    list: Vec<Source>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }
    /// Room for `n` sources without growing the list.
    pub fn with_capacity(n: usize) -> Sources {
        Sources {
            list: Vec::with_capacity(n),
        }
    }
    pub fn add(&mut self, source: Source) -> SourceId {
        self.list.push(source);
        self.list.len() - 1
    }
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.list.get(id)
    }
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.list.iter().enumerate()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// The name of a source, or `?` for an unknown id.
    pub fn name(&self, id: SourceId) -> &str {
        self.list.get(id).map(|s| s.name.as_str()).unwrap_or("?")
    }
}
