//! One editor session over several workspaces: the language server's
//! [`spec_lsp::Host`] that `spec lsp` runs. It finds the workspaces under
//! the editor's folders as `spec check` does (a directory with a
//! `spec.toml` is a workspace of its own, at any depth; the files outside
//! every one belong to the folder's workspace) and keeps one [`SpecHost`]
//! per workspace, so each is analysed on its own and the diagnostics equal
//! `spec check` of the same tree (issue 7). Requests go to the workspace
//! of the file they name (the innermost one that contains it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use spec_lsp::host::{self as h, FileDiags, Refused};

use super::SpecHost;
use crate::workspace;

pub struct MultiHost {
    cache_dir: PathBuf,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The editor's folders, canonical.
    roots: Vec<PathBuf>,
    /// Workspace directory (canonical) -> its host.
    hosts: BTreeMap<PathBuf, Arc<SpecHost>>,
    /// Open buffers, replayed into new hosts when the layout changes.
    buffers: BTreeMap<PathBuf, String>,
}

impl Default for MultiHost {
    fn default() -> Self {
        MultiHost::new(super::default_cache_dir())
    }
}

impl MultiHost {
    pub fn new(cache_dir: PathBuf) -> MultiHost {
        MultiHost {
            cache_dir,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The workspace directories under the folders: each folder's own
    /// workspace (its nearest `spec.toml` above, else the folder) and every
    /// directory below with a `spec.toml`.
    fn layout(roots: &[PathBuf]) -> Vec<PathBuf> {
        fn nested(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
            let Ok((_, subs)) = workspace::workspace_pspec_files(dir) else {
                return;
            };
            for s in subs {
                let s = workspace::canonical_or_same(s);
                if !out.contains(&s) {
                    out.push(s.clone());
                    if depth < 64 {
                        nested(&s, out, depth + 1);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for r in roots {
            let top = workspace::find_root(r).unwrap_or_else(|| r.clone());
            if !out.contains(&top) {
                out.push(top.clone());
            }
            nested(&top, &mut out, 0);
        }
        out
    }

    fn rebuild(&self, inner: &mut Inner) {
        let dirs = Self::layout(&inner.roots);
        let mut hosts = BTreeMap::new();
        for d in dirs {
            let host = match inner.hosts.remove(&d) {
                Some(h) => h,
                None => Arc::new(SpecHost::new(self.cache_dir.clone())),
            };
            spec_lsp::Host::set_roots(&*host, vec![d.clone()]);
            hosts.insert(d, host);
        }
        inner.hosts = hosts;
        let buffers: Vec<(PathBuf, String)> = inner.buffers.iter().map(|(p, t)| (p.clone(), t.clone())).collect();
        for (p, t) in buffers {
            if let Some(h) = Self::route(inner, &p, true, &self.cache_dir) {
                spec_lsp::Host::set_text(&*h, &p, t);
            }
        }
    }

    /// The host of the innermost workspace containing `path`; with
    /// `create`, a file outside every workspace gets one of its own (its
    /// nearest `spec.toml` above, else its directory), as `spec check FILE`.
    fn route(inner: &mut Inner, path: &Path, create: bool, cache_dir: &Path) -> Option<Arc<SpecHost>> {
        let best = inner
            .hosts
            .iter()
            .filter(|(d, _)| path.starts_with(d))
            .max_by_key(|(d, _)| d.components().count())
            .map(|(_, h)| h.clone());
        if best.is_some() || !create {
            return best;
        }
        let dir = workspace::find_root(path).or_else(|| path.parent().map(Path::to_path_buf))?;
        let host = Arc::new(SpecHost::new(cache_dir.to_path_buf()));
        spec_lsp::Host::set_roots(&*host, vec![dir.clone()]);
        inner.hosts.insert(dir, host.clone());
        Some(host)
    }

    fn host_of(&self, path: &Path) -> Option<Arc<SpecHost>> {
        let mut inner = self.inner();
        Self::route(&mut inner, path, false, &self.cache_dir)
    }

    fn all(&self) -> Vec<Arc<SpecHost>> {
        self.inner().hosts.values().cloned().collect()
    }
}

impl spec_lsp::Host for MultiHost {
    fn set_roots(&self, roots: Vec<PathBuf>) {
        let mut inner = self.inner();
        inner.roots = roots.into_iter().map(workspace::canonical_or_same).collect();
        self.rebuild(&mut inner);
    }

    fn set_text(&self, path: &Path, text: String) {
        let host = {
            let mut inner = self.inner();
            inner.buffers.insert(path.to_path_buf(), text.clone());
            let spec = path.extension().is_some_and(|e| e == "pspec");
            Self::route(&mut inner, path, spec, &self.cache_dir)
        };
        match host {
            Some(h) => h.set_text(path, text),
            // A policy buffer outside every workspace: any of them may use it.
            None => {
                for h in self.all() {
                    h.set_text(path, text.clone());
                }
            }
        }
    }

    fn close(&self, path: &Path) {
        self.inner().buffers.remove(path);
        match self.host_of(path) {
            Some(h) => h.close(path),
            None => {
                for h in self.all() {
                    h.close(path);
                }
            }
        }
    }

    fn files_changed(&self, paths: &[PathBuf]) {
        if paths.iter().any(|p| p.file_name().is_some_and(|n| n == "spec.toml")) {
            // A workspace may have appeared or gone: find them again.
            let mut inner = self.inner();
            self.rebuild(&mut inner);
        }
        let mut by_host: Vec<(Arc<SpecHost>, Vec<PathBuf>)> = Vec::new();
        for p in paths {
            let targets = match self.host_of(p) {
                Some(h) => vec![h],
                None => self.all(),
            };
            for h in targets {
                match by_host.iter_mut().find(|(x, _)| Arc::ptr_eq(x, &h)) {
                    Some((_, v)) => v.push(p.clone()),
                    None => by_host.push((h, vec![p.clone()])),
                }
            }
        }
        for (h, ps) in by_host {
            h.files_changed(&ps);
        }
    }

    fn text(&self, path: &Path) -> Option<Arc<str>> {
        match self.host_of(path) {
            Some(h) => h.text(path),
            None => self.all().iter().find_map(|h| h.text(path)),
        }
    }

    fn diagnostics(&self) -> Vec<FileDiags> {
        self.all().iter().flat_map(|h| h.diagnostics()).collect()
    }

    fn quick_diagnostics(&self, path: &Path) -> Option<FileDiags> {
        self.host_of(path)?.quick_diagnostics(path)
    }

    fn hover(&self, path: &Path, offset: usize) -> Option<h::HoverInfo> {
        self.host_of(path)?.hover(path, offset)
    }

    fn completion(&self, path: &Path, offset: usize) -> Vec<h::Completion> {
        self.host_of(path)
            .map(|h| h.completion(path, offset))
            .unwrap_or_default()
    }

    fn definition(&self, path: &Path, offset: usize) -> Vec<h::Loc> {
        self.host_of(path)
            .map(|h| h.definition(path, offset))
            .unwrap_or_default()
    }

    fn references(&self, path: &Path, offset: usize, include_declaration: bool) -> Vec<h::Loc> {
        self.host_of(path)
            .map(|h| h.references(path, offset, include_declaration))
            .unwrap_or_default()
    }

    fn prepare_rename(&self, path: &Path, offset: usize) -> Result<(usize, usize, String), Refused> {
        match self.host_of(path) {
            Some(h) => h.prepare_rename(path, offset),
            None => Err(Refused("this file is not in a workspace".into())),
        }
    }

    fn rename(&self, path: &Path, offset: usize, new_name: &str) -> Result<Vec<h::Edit>, Refused> {
        match self.host_of(path) {
            Some(h) => h.rename(path, offset, new_name),
            None => Err(Refused("this file is not in a workspace".into())),
        }
    }

    fn document_symbols(&self, path: &Path) -> Vec<h::Symbol> {
        self.host_of(path).map(|h| h.document_symbols(path)).unwrap_or_default()
    }

    fn workspace_symbols(&self, query: &str) -> Vec<h::WorkspaceSymbol> {
        self.all().iter().flat_map(|h| h.workspace_symbols(query)).collect()
    }

    fn format(&self, path: &Path) -> Result<String, Refused> {
        match self.host_of(path) {
            Some(h) => h.format(path),
            None => self
                .all()
                .first()
                .map(|h| h.format(path))
                .unwrap_or_else(|| Err(Refused("this file is not open".into()))),
        }
    }

    fn code_actions(&self, path: &Path, start: usize, end: usize) -> Vec<h::Action> {
        self.host_of(path)
            .map(|h| h.code_actions(path, start, end))
            .unwrap_or_default()
    }

    fn inlay_hints(&self, path: &Path, start: usize, end: usize) -> Vec<h::Hint> {
        self.host_of(path)
            .map(|h| h.inlay_hints(path, start, end))
            .unwrap_or_default()
    }

    fn semantic_tokens(&self, path: &Path) -> Vec<h::Token> {
        self.host_of(path).map(|h| h.semantic_tokens(path)).unwrap_or_default()
    }
}
