//! The feature facade: [`spec_lsp::Host`] for [`SpecHost`], each request
//! answered from a [`Snapshot`] that [`SpecHost`] (the file state, in
//! `ide/mod.rs`) chose, by the feature modules (`hover`, `complete`,
//! `symbols`, ...), with no protocol types (as rust-analyzer's `ide` crate
//! under its `handlers`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use spec_lsp::host::{self as h, FileDiags, Refused};

use super::*;
use crate::diag::{Diagnostic, Severity, SourceId};

/// A diagnostic as the editor shows it.
pub(super) fn to_diag(snap: &Snapshot, d: &Diagnostic) -> h::Diag {
    let sources = &snap.analysis.sources;
    let message = crate::render::phrase::plain(d, sources, crate::render::phrase::Related::Linked, true);
    let mut related = Vec::new();
    for l in &d.labels {
        if let Some(loc) = snap.loc(l.source, l.span) {
            related.push(h::Related {
                loc,
                message: l.message.clone(),
            });
        }
    }
    if let Some(o) = &d.origin {
        if let Some(loc) = snap.loc(o.source, o.span) {
            related.push(h::Related {
                loc,
                message: format!("rule `{}` is defined here", d.code),
            });
        }
    }
    if let Some(w) = &d.waived_by {
        if let Some(loc) = snap.loc(w.source, w.span) {
            related.push(h::Related {
                loc,
                message: format!("waives this finding: {}", crate::render::phrase::variance(w, sources)),
            });
        }
    }
    h::Diag {
        start: d.span.start(),
        end: d.span.end(),
        severity: if d.is_waived() {
            h::Severity::Hint
        } else {
            match d.severity {
                Severity::Error => h::Severity::Error,
                Severity::Warning => h::Severity::Warning,
                Severity::Info => h::Severity::Info,
            }
        },
        code: d.code.clone(),
        message,
        related,
        waived: d.is_waived(),
    }
}

/// The source id and the snapshot for a path, if the path is analysed.
fn locate(snap: &Snapshot, path: &Path) -> Option<SourceId> {
    snap.source_of(path)
}

impl spec_lsp::Host for SpecHost {
    fn set_roots(&self, roots: Vec<PathBuf>) {
        let mut st = self.state();
        st.roots = roots.into_iter().map(workspace::canonical_or_same).collect();
        Self::reload_roots(&mut st);
    }

    fn set_text(&self, path: &Path, text: String) {
        let mut st = self.state();
        if !is_spec(path) {
            let changed = st.others.get(path).is_none_or(|t| **t != *text);
            st.others.insert(path.to_path_buf(), Arc::from(text));
            if changed && path.extension().is_some_and(|e| e == "policy") {
                invalidate(&mut st);
            }
            return;
        }
        // A file outside every root, with no root at all: its workspace is
        // the nearest `spec.toml` above it, else its own directory.
        if st.roots.is_empty() && st.dirs.is_empty() {
            if let Some(dir) = workspace::find_root(path).or_else(|| path.parent().map(Path::to_path_buf)) {
                st.roots.push(dir);
                Self::reload_roots(&mut st);
            }
        }
        let slot = st.specs.entry(path.to_path_buf()).or_default();
        if slot.buffer.as_deref() != Some(text.as_str()) {
            slot.buffer = Some(Arc::from(text));
            slot.parsed = None;
            invalidate(&mut st);
        }
    }

    fn close(&self, path: &Path) {
        let mut st = self.state();
        if st.others.remove(path).is_some() {
            invalidate(&mut st);
        }
        let in_ws = Self::under_dirs(&st, path);
        if let Some(slot) = st.specs.get_mut(path) {
            slot.buffer = None;
            slot.parsed = None;
            if slot.disk.is_none() {
                slot.disk = read(path);
            }
            if !(slot.in_workspace || in_ws && slot.disk.is_some()) {
                st.specs.remove(path);
            }
            invalidate(&mut st);
        }
    }

    fn files_changed(&self, paths: &[PathBuf]) {
        let mut st = self.state();
        if paths.iter().any(|p| p.file_name().is_some_and(|n| n == "spec.toml")) {
            Self::reload_roots(&mut st);
            return;
        }
        for p in paths {
            if is_spec(p) {
                let text = read(p);
                let in_ws = Self::under_dirs(&st, p);
                match text {
                    Some(t) => {
                        if in_ws || st.specs.contains_key(p) {
                            let slot = st.specs.entry(p.clone()).or_default();
                            slot.in_workspace |= in_ws;
                            if slot.disk.as_deref() != Some(&*t) {
                                slot.disk = Some(t);
                                if slot.buffer.is_none() {
                                    slot.parsed = None;
                                }
                            }
                        }
                    }
                    None => {
                        let remove = st.specs.get(p).is_some_and(|s| s.buffer.is_none());
                        if remove {
                            st.specs.remove(p);
                        } else if let Some(s) = st.specs.get_mut(p) {
                            s.disk = None;
                        }
                    }
                }
            }
        }
        // Policy files are read by the analysis itself: re-run it.
        invalidate(&mut st);
    }

    fn text(&self, path: &Path) -> Option<Arc<str>> {
        {
            let st = self.state();
            if let Some(t) = st.specs.get(path).and_then(|s| s.text()) {
                return Some(t.clone());
            }
            if let Some(t) = st.others.get(path) {
                return Some(t.clone());
            }
            if let Some(snap) = &st.snapshot {
                if let Some(id) = snap.source_of(path) {
                    return snap.analysis.sources.get(id).map(|s| s.text.clone());
                }
            }
        }
        read(path)
    }

    fn quick_diagnostics(&self, path: &Path) -> Option<FileDiags> {
        self.quick(path)
    }

    fn diagnostics(&self) -> Vec<FileDiags> {
        let snap = self.snapshot();
        let mut by_file: BTreeMap<PathBuf, Vec<h::Diag>> = BTreeMap::new();
        for d in &snap.analysis.diagnostics {
            let Some(p) = snap.path(d.source) else {
                continue;
            };
            by_file.entry(p.clone()).or_default().push(to_diag(&snap, d));
        }
        if let Some((toml, message)) = &snap.load_error {
            by_file.entry(toml.clone()).or_default().push(h::Diag {
                start: 0,
                end: 0,
                severity: h::Severity::Error,
                code: "policy/io".into(),
                message: format!(
                    "{message}\nhelp: the rules of these policy files are not checked until this is fixed"
                ),
                related: Vec::new(),
                waived: false,
            });
        }
        by_file
            .into_iter()
            .map(|(path, diags)| FileDiags { path, diags })
            .collect()
    }

    fn hover(&self, path: &Path, offset: usize) -> Option<h::HoverInfo> {
        // A test hook: the protocol tests check that a panicking request
        // leaves the server running.
        if std::env::var_os("SPEC_LSP_TEST_PANIC").is_some_and(|v| v == "hover") {
            panic!("SPEC_LSP_TEST_PANIC=hover");
        }
        let snap = self.request_snapshot(Some(path));
        hover::hover(&snap, locate(&snap, path)?, offset)
    }

    fn completion(&self, path: &Path, offset: usize) -> Vec<h::Completion> {
        // Completion reads the current text itself; the file's own names
        // (outcomes of the module being edited) come from an analysis of
        // its current text (the file alone when nothing newer serves it),
        // module codes from the whole workspace too.
        // Items are filtered by the word before the cursor and ranked
        // (complete::rank); the server cuts the list at COMPLETION_LIMIT.
        let snap = self.completion_snapshot(path);
        // The text the snapshot analysed (one version for the whole answer).
        let Some(text) = locate(&snap, path)
            .map(|id| Arc::<str>::from(snap.text(id)))
            .or_else(|| spec_lsp::Host::text(self, path))
        else {
            return Vec::new();
        };
        let prefix = complete::prefix_at(&text, offset);
        let mut items = complete::complete(&snap, locate(&snap, path), &text, offset);
        let wide = self.full_or_last();
        if !Arc::ptr_eq(&wide, &snap) {
            let more = complete::complete(&wide, locate(&wide, path), &text, offset);
            if more.iter().any(|c| c.kind == h::CompletionKind::Module) {
                let have: std::collections::HashSet<String> = items.iter().map(|i| i.label.clone()).collect();
                items.extend(more.into_iter().filter(|c| !have.contains(&c.label)));
            }
        }
        let mut ranked = complete::rank(&snap, locate(&snap, path), prefix, items);
        // One more than the server sends, so it still knows the list is cut.
        ranked.truncate(spec_lsp::host::COMPLETION_LIMIT + 1);
        complete::module_details(&snap, &mut ranked);
        complete::module_details(&wide, &mut ranked);
        ranked
    }

    fn definition(&self, path: &Path, offset: usize) -> Vec<h::Loc> {
        let snap = self.request_snapshot(Some(path));
        let Some(src) = locate(&snap, path) else {
            return Vec::new();
        };
        symbols::definition(&snap, src, offset)
    }

    fn references(&self, path: &Path, offset: usize, include_declaration: bool) -> Vec<h::Loc> {
        let snap = self.request_snapshot(Some(path));
        let Some(src) = locate(&snap, path) else {
            return Vec::new();
        };
        let mut out = symbols::references(&snap, src, offset, include_declaration);
        if let Some(occ) = snap.index.at(src, offset) {
            for (loc, def) in self.occurrences_elsewhere(&snap, &occ.sym) {
                if (include_declaration || !def) && !out.contains(&loc) {
                    out.push(loc);
                }
            }
        }
        out
    }

    fn prepare_rename(&self, path: &Path, offset: usize) -> Result<(usize, usize, String), Refused> {
        let snap = self.request_snapshot(Some(path));
        let src = locate(&snap, path).ok_or_else(|| Refused("this file is not part of the workspace".into()))?;
        symbols::prepare_rename(&snap, src, offset)
    }

    fn rename(&self, path: &Path, offset: usize, new_name: &str) -> Result<Vec<h::Edit>, Refused> {
        let snap = self.request_snapshot(Some(path));
        let src = locate(&snap, path).ok_or_else(|| Refused("this file is not part of the workspace".into()))?;
        let mut edits = symbols::rename(&snap, src, offset, new_name)?;
        if let Some(occ) = snap.index.at(src, offset) {
            if matches!(occ.sym, Sym::Module(_)) {
                let full = self.full_or_last();
                if !std::ptr::eq(&*full, &*snap) && full.analysis.workspace.module(new_name).is_some() {
                    return Err(Refused(format!("module `{new_name}` already exists")));
                }
            }
            if !edits.is_empty() {
                for (loc, _) in self.occurrences_elsewhere(&snap, &occ.sym) {
                    let e = h::Edit {
                        path: loc.path,
                        start: loc.start,
                        end: loc.end,
                        new_text: new_name.to_string(),
                    };
                    if !edits.contains(&e) {
                        edits.push(e);
                    }
                }
            }
            // Correctness first: every edit must replace the old name in
            // the current text, else the whole workspace is re-analysed.
            let name = occ.sym.name().to_string();
            if !self.edits_hold(&edits, &name) {
                let snap = self.snapshot();
                let src =
                    locate(&snap, path).ok_or_else(|| Refused("this file is not part of the workspace".into()))?;
                return symbols::rename(&snap, src, offset, new_name);
            }
        }
        Ok(edits)
    }

    fn document_symbols(&self, path: &Path) -> Vec<h::Symbol> {
        let snap = self.request_snapshot(Some(path));
        let Some(src) = locate(&snap, path) else {
            return Vec::new();
        };
        symbols::document_symbols(&snap, src)
    }

    fn workspace_symbols(&self, query: &str) -> Vec<h::WorkspaceSymbol> {
        symbols::workspace_symbols(&self.full_or_last(), query)
    }

    fn format(&self, path: &Path) -> Result<String, Refused> {
        let text = self.text(path).ok_or_else(|| Refused("unknown document".into()))?;
        if !is_spec(path) {
            return Err(Refused("only `.pspec` files are formatted".into()));
        }
        format_text(&text)
    }

    fn code_actions(&self, path: &Path, start: usize, end: usize) -> Vec<h::Action> {
        let snap = self.request_snapshot(Some(path));
        let Some(src) = locate(&snap, path) else {
            return Vec::new();
        };
        actions::code_actions(&snap, src, start, end)
    }

    fn inlay_hints(&self, path: &Path, start: usize, end: usize) -> Vec<h::Hint> {
        let snap = self.request_snapshot(Some(path));
        let Some(src) = locate(&snap, path) else {
            return Vec::new();
        };
        hints::inlay_hints(&snap, src, start, end)
    }

    fn semantic_tokens(&self, path: &Path) -> Vec<h::Token> {
        let snap = self.request_snapshot(Some(path));
        let Some(text) = self.text(path) else {
            return Vec::new();
        };
        tokens::tokens(&snap, locate(&snap, path), &text)
    }
}

/// `spec fmt` on one text (exactly [`crate::fmt::format`]); refuses text
/// with syntax errors.
pub fn format_text(text: &str) -> Result<String, Refused> {
    crate::fmt::format(text).map_err(|e| match e {
        crate::fmt::FormatError::Syntax(errs) => Refused(format!(
            "not formatted: the file has syntax errors ({})",
            errs.first().map(|e| e.message.as_str()).unwrap_or("unreadable text")
        )),
        crate::fmt::FormatError::Unstable(why) => Refused(format!("not formatted: {why}")),
    })
}
