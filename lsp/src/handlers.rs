//! The `LanguageServer` implementation: protocol in, [`Host`] calls out
//! (through the scheduler in `main_loop.rs`, answers converted by
//! `to_proto.rs`).
//!
//! Every host call runs on the blocking pool inside `catch_unwind`: a panic
//! answers that one request with an internal error and the server keeps
//! serving. A cancelled request drops its future (tower-lsp-server answers
//! `RequestCancelled`); the host's work for it is discarded.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::convert::{path_of, Encoding, Lines};
use crate::host::{self, Host};
use crate::main_loop::{lock, Coalesce, FullState, Inner, Job};
use crate::to_proto::*;

pub struct Backend {
    inner: Arc<Inner>,
}

impl Backend {
    pub fn new(client: Client, host: Arc<dyn Host>, debounce: Duration) -> Backend {
        let (tx, rx) = std::sync::mpsc::channel::<(u64, Job)>();
        let (applied_tx, applied) = tokio::sync::watch::channel(0u64);
        let worker_host = host.clone();
        let texts = Arc::new(std::sync::RwLock::new(()));
        let worker_texts = texts.clone();
        std::thread::Builder::new()
            .name("spec-lsp-edits".into())
            .stack_size(crate::ANALYSIS_STACK)
            .spawn(move || {
                for (seq, job) in rx {
                    let h = &*worker_host;
                    let _held = worker_texts.write().unwrap_or_else(|e| e.into_inner());
                    // The job carries its encoding; a panic loses only that edit.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(h, Encoding::Utf16)));
                    let _ = applied_tx.send(seq);
                }
            })
            .ok();
        Backend {
            inner: Arc::new(Inner {
                client,
                queue: Mutex::new(tx),
                submitted: AtomicU64::new(0),
                applied,
                host,
                texts,
                enc: Mutex::new(Encoding::Utf16),
                roots: Mutex::new(Vec::new()),
                generation: AtomicU64::new(0),
                published: tokio::sync::Mutex::new(HashMap::new()),
                debounce,
                coalesce: Mutex::new(Coalesce::default()),
                full: Mutex::new(FullState::default()),
            }),
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offers_utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|v| v.contains(&PositionEncodingKind::UTF8));
        let enc = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        *lock(&self.inner.enc) = enc;
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| path_of(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(p) = params.root_uri.as_ref().and_then(path_of) {
                roots.push(p);
            } else if let Some(p) = params.root_path.as_ref() {
                roots.push(PathBuf::from(p));
            }
        }
        *lock(&self.inner.roots) = roots;
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(if enc == Encoding::Utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![" ".into(), ",".into()]),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..Default::default()
                })),
                inlay_hint_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend: SemanticTokensLegend {
                            token_types: TOKEN_TYPES.to_vec(),
                            token_modifiers: vec![SemanticTokenModifier::DECLARATION],
                        },
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        range: None,
                        ..Default::default()
                    },
                )),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "spec".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let roots = lock(&self.inner.roots).clone();
        self.inner.apply(move |h, _| h.set_roots(roots));
        // Watch the workspace's files (clients without dynamic registration
        // answer with an error, which is fine: didSave still refreshes).
        let watchers = ["**/*.pspec", "**/*.policy", "**/spec.toml"]
            .iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*g).into()),
                kind: None,
            })
            .collect();
        let reg = Registration {
            id: "spec-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
        };
        let client = self.inner.client.clone();
        tokio::spawn(async move {
            let _ = client.register_capability(vec![reg]).await;
        });
        self.inner.schedule(None);
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        let text = params.text_document.text;
        let p = path.clone();
        self.inner.apply(move |h, _| h.set_text(&p, text));
        self.inner.schedule(Some(path));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        let changes = params.content_changes;
        let p = path.clone();
        self.inner.apply(move |h, enc| {
            let path = p;
            let mut text: String = h.text(&path).map(|t| t.to_string()).unwrap_or_default();
            for c in changes {
                match c.range {
                    None => text = c.text,
                    Some(r) => {
                        let lines = Lines::new(&text, enc);
                        let a = lines.offset(r.start);
                        let b = lines.offset(r.end).max(a);
                        text.replace_range(a..b, &c.text);
                    }
                }
            }
            h.set_text(&path, text);
        });
        self.inner.schedule(Some(path));
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        self.inner.apply(move |h, _| h.files_changed(&[path]));
        self.inner.schedule(None);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        self.inner.apply(move |h, _| h.close(&path));
        self.inner.schedule(None);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = params.changes.iter().filter_map(|c| path_of(&c.uri)).collect();
        self.inner.apply(move |h, _| h.files_changed(&paths));
        self.inner.schedule(None);
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let roots = {
            let mut roots = lock(&self.inner.roots);
            let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(|f| path_of(&f.uri)).collect();
            roots.retain(|r| !removed.contains(r));
            roots.extend(params.event.added.iter().filter_map(|f| path_of(&f.uri)));
            roots.clone()
        };
        self.inner.apply(move |h, _| h.set_roots(roots));
        self.inner.schedule(None);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        let Some(path) = doc_path(&p.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let text = h.text(&path)?;
                let lines = Lines::new(&text, enc);
                let info = h.hover(&path, lines.offset(p.position))?;
                Some(Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: info.markdown,
                    }),
                    range: Some(lines.range(info.start, info.end)),
                })
            })
            .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        let Some(path) = doc_path(&p.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let offset = at(h, enc, &path, p.position)?;
                let mut all = h.completion(&path, offset);
                let incomplete = all.len() > host::COMPLETION_LIMIT;
                all.truncate(host::COMPLETION_LIMIT);
                let items: Vec<CompletionItem> = all
                    .into_iter()
                    .map(|c| CompletionItem {
                        label: c.label,
                        kind: Some(completion_kind(c.kind)),
                        detail: c.detail,
                        documentation: c.documentation.map(|d| {
                            Documentation::MarkupContent(MarkupContent {
                                kind: MarkupKind::Markdown,
                                value: d,
                            })
                        }),
                        ..Default::default()
                    })
                    .collect();
                Some(CompletionResponse::List(CompletionList {
                    is_incomplete: incomplete,
                    items,
                }))
            })
            .await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        let Some(path) = doc_path(&p.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let offset = at(h, enc, &path, p.position)?;
                let mut cache = HashMap::new();
                let locs: Vec<Location> = h
                    .definition(&path, offset)
                    .iter()
                    .filter_map(|l| loc_to_lsp(h, enc, &mut cache, l))
                    .collect();
                (!locs.is_empty()).then_some(GotoDefinitionResponse::Array(locs))
            })
            .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        let Some(path) = doc_path(&p.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let offset = at(h, enc, &path, p.position)?;
                let mut cache = HashMap::new();
                let locs: Vec<Location> = h
                    .references(&path, offset, include)
                    .iter()
                    .filter_map(|l| loc_to_lsp(h, enc, &mut cache, l))
                    .collect();
                Some(locs)
            })
            .await
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        let r = self
            .inner
            .run(move |h, enc| {
                let text = h.text(&path).ok_or_else(|| host::Refused("unknown document".into()))?;
                let lines = Lines::new(&text, enc);
                let (s, e, name) = h.prepare_rename(&path, lines.offset(params.position))?;
                Ok::<_, host::Refused>(PrepareRenameResponse::RangeWithPlaceholder {
                    range: lines.range(s, e),
                    placeholder: name,
                })
            })
            .await?;
        match r {
            Ok(r) => Ok(Some(r)),
            Err(host::Refused(why)) => Err(Error::invalid_params(why)),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let Some(path) = doc_path(&p.text_document) else {
            return Ok(None);
        };
        let new_name = params.new_name;
        let r = self
            .inner
            .run(move |h, enc| {
                let offset = at(h, enc, &path, p.position).ok_or_else(|| host::Refused("unknown document".into()))?;
                let edits = h.rename(&path, offset, &new_name)?;
                Ok::<_, host::Refused>(edits_to_lsp(h, enc, &edits))
            })
            .await?;
        match r {
            Ok(r) => Ok(Some(r)),
            Err(host::Refused(why)) => Err(Error::invalid_params(why)),
        }
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let text = h.text(&path)?;
                let lines = Lines::new(&text, enc);
                let syms = h
                    .document_symbols(&path)
                    .iter()
                    .map(|s| document_symbol(&lines, s))
                    .collect();
                Some(DocumentSymbolResponse::Nested(syms))
            })
            .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        let query = params.query;
        self.inner
            .run(move |h, enc| {
                let mut cache = HashMap::new();
                #[allow(deprecated)]
                let syms: Vec<SymbolInformation> = h
                    .workspace_symbols(&query)
                    .iter()
                    .filter_map(|s| {
                        Some(SymbolInformation {
                            name: s.name.clone(),
                            kind: symbol_kind(s.kind),
                            tags: None,
                            deprecated: None,
                            location: loc_to_lsp(h, enc, &mut cache, &s.loc)?,
                            container_name: s.container.clone(),
                        })
                    })
                    .collect();
                Some(OneOf::Left(syms))
            })
            .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        let r = self
            .inner
            .run(move |h, enc| {
                let text = h.text(&path).ok_or_else(|| host::Refused("unknown document".into()))?;
                let formatted = h.format(&path)?;
                if formatted == *text {
                    return Ok(Vec::new());
                }
                let lines = Lines::new(&text, enc);
                Ok(vec![TextEdit::new(lines.range(0, text.len()), formatted)])
            })
            .await?;
        match r {
            Ok(edits) => Ok(Some(edits)),
            Err(host::Refused(why)) => {
                // Some clients (Neovim) drop a failed formatting silently.
                self.inner.client.show_message(MessageType::WARNING, why.clone()).await;
                Err(Error::invalid_params(why))
            }
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        let range = params.range;
        let context = params.context.diagnostics;
        self.inner
            .run(move |h, enc| {
                let text = h.text(&path)?;
                let lines = Lines::new(&text, enc);
                let (a, b) = (lines.offset(range.start), lines.offset(range.end));
                let actions = h.code_actions(&path, a, b.max(a));
                let out: Vec<CodeActionOrCommand> = actions
                    .iter()
                    .map(|act| {
                        let diagnostics: Vec<Diagnostic> = context
                            .iter()
                            .filter(|d| matches!((&d.code, &act.fixes), (Some(NumberOrString::String(c)), Some(f)) if c == f))
                            .cloned()
                            .collect();
                        CodeActionOrCommand::CodeAction(CodeAction {
                            title: act.title.clone(),
                            kind: Some(CodeActionKind::QUICKFIX),
                            diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                            edit: Some(edits_to_lsp(h, enc, &act.edits)),
                            is_preferred: act.preferred.then_some(true),
                            ..Default::default()
                        })
                    })
                    .collect();
                Some(out)
            })
            .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        let range = params.range;
        self.inner
            .run(move |h, enc| {
                let text = h.text(&path)?;
                let lines = Lines::new(&text, enc);
                let (a, b) = (lines.offset(range.start), lines.offset(range.end));
                let hints = h
                    .inlay_hints(&path, a, b.max(a))
                    .into_iter()
                    .map(|x| InlayHint {
                        position: lines.position(x.offset),
                        label: InlayHintLabel::String(x.label),
                        kind: None,
                        text_edits: None,
                        tooltip: None,
                        padding_left: Some(true),
                        padding_right: None,
                        data: None,
                    })
                    .collect();
                Some(hints)
            })
            .await
    }

    async fn semantic_tokens_full(&self, params: SemanticTokensParams) -> Result<Option<SemanticTokensResult>> {
        let Some(path) = doc_path(&params.text_document) else {
            return Ok(None);
        };
        self.inner
            .run(move |h, enc| {
                let text = h.text(&path)?;
                let data = semantic_tokens(&text, enc, h.semantic_tokens(&path));
                Some(SemanticTokensResult::Tokens(SemanticTokens { result_id: None, data }))
            })
            .await
    }
}
