//! The `LanguageServer` implementation: protocol in, [`Host`] calls out.
//!
//! Every host call runs on the blocking pool inside `catch_unwind`: a panic
//! answers that one request with an internal error and the server keeps
//! serving. A cancelled request drops its future (tower-lsp-server answers
//! `RequestCancelled`); the host's work for it is discarded.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::convert::{self, path_of, uri_of, Encoding, Lines};
use crate::host::{self, Host};

/// After a quick publication, how long the whole-workspace analysis waits
/// for typing to pause (no change for this long).
const FULL_DELAY: Duration = Duration::from_millis(250);

type Job = Box<dyn FnOnce(&dyn Host, Encoding) + Send>;

pub(crate) struct Inner {
    client: Client,
    /// Document changes, applied in arrival order by one thread; a request
    /// waits until every change that arrived before it is applied.
    queue: Mutex<std::sync::mpsc::Sender<(u64, Job)>>,
    submitted: AtomicU64,
    applied: tokio::sync::watch::Receiver<u64>,
    host: Arc<dyn Host>,
    /// Held (shared) by a request for its whole run and (exclusive) by the
    /// edit thread while it applies a change: a request reads one version
    /// of every text, however many times it reads it.
    texts: Arc<std::sync::RwLock<()>>,
    enc: Mutex<Encoding>,
    roots: Mutex<Vec<PathBuf>>,
    generation: AtomicU64,
    /// What was last published per file (only changes are sent again).
    published: tokio::sync::Mutex<HashMap<PathBuf, Vec<Diagnostic>>>,
    /// A floor before each quick round (default 0).
    debounce: Duration,
    coalesce: Mutex<Coalesce>,
    full: Mutex<FullState>,
}

/// The quick path's coalescing state.
#[derive(Default)]
struct Coalesce {
    /// Documents edited since their last quick analysis started (only the
    /// latest text is ever analysed).
    pending: std::collections::BTreeSet<PathBuf>,
    /// A change that the quick path cannot answer (save, close, watched
    /// files, folders): the whole workspace is re-analysed at once.
    urgent_full: bool,
    quick_running: bool,
}

#[derive(Default)]
struct FullState {
    wanted: bool,
    /// Skip the pause for typing.
    now: bool,
    running: bool,
}

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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn enc(&self) -> Encoding {
        *lock(&self.enc)
    }

    /// Queues a document change (applied in arrival order).
    fn apply(&self, f: impl FnOnce(&dyn Host, Encoding) + Send + 'static) {
        let enc = self.enc();
        // Before the change can be applied: an analysis that finishes from
        // now on is stale.
        self.generation.fetch_add(1, Ordering::SeqCst);
        let queue = lock(&self.queue);
        let seq = self.submitted.fetch_add(1, Ordering::SeqCst) + 1;
        let job: Job = Box::new(move |h, _| f(h, enc));
        let _ = queue.send((seq, job));
    }

    /// Runs a request's host calls on the blocking pool, after the document
    /// changes that arrived before it, with the texts held still (one
    /// version of each text for the whole request); a panic becomes an
    /// error.
    async fn run<R: Send + 'static>(&self, f: impl FnOnce(&dyn Host, Encoding) -> R + Send + 'static) -> Result<R> {
        let texts = self.texts.clone();
        self.run_with(move |h, enc| {
            let _held = texts.read().unwrap_or_else(|e| e.into_inner());
            f(h, enc)
        })
        .await
    }

    /// [`Inner::run`] without holding the texts (analyses whose results
    /// are checked against the generation before they are published).
    async fn run_with<R: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Host, Encoding) -> R + Send + 'static,
    ) -> Result<R> {
        let target = self.submitted.load(Ordering::SeqCst);
        let mut applied = self.applied.clone();
        let _ = applied.wait_for(|v| *v >= target).await;
        let host = self.host.clone();
        let enc = self.enc();
        match tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(|| f(&*host, enc)))).await {
            Ok(Ok(r)) => Ok(r),
            _ => {
                let mut e = Error::internal_error();
                e.message = "the request failed inside the analysis (the server keeps running)".into();
                Err(e)
            }
        }
    }

    /// A document changed (`Some(path)`: an edited buffer, analysed on the
    /// quick path) or something else did (`None`: the whole workspace is
    /// re-analysed without waiting for typing to pause). Coalescing: when
    /// no quick analysis is running one starts now; while one runs, only the
    /// set of changed files is remembered (intermediate versions are
    /// dropped) and the next analysis starts as soon as it finishes.
    fn schedule(self: &Arc<Self>, path: Option<PathBuf>) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let start = {
            let mut q = lock(&self.coalesce);
            match path {
                Some(p) => {
                    q.pending.insert(p);
                }
                None => q.urgent_full = true,
            }
            !std::mem::replace(&mut q.quick_running, true)
        };
        if start {
            let this = self.clone();
            tokio::spawn(async move { this.quick_loop().await });
        }
    }

    /// Analyses the latest version of every changed file, one round after
    /// another, until nothing is pending; then hands over to the
    /// whole-workspace analysis.
    async fn quick_loop(self: Arc<Self>) {
        loop {
            if !self.debounce.is_zero() {
                // An optional floor (`SPEC_LSP_DEBOUNCE_MS`).
                tokio::time::sleep(self.debounce).await;
            }
            let (paths, urgent) = {
                let mut q = lock(&self.coalesce);
                let paths = std::mem::take(&mut q.pending);
                let urgent = std::mem::take(&mut q.urgent_full);
                if paths.is_empty() && !urgent {
                    q.quick_running = false;
                    break;
                }
                (paths, urgent)
            };
            let mut need_full_now = urgent;
            for path in paths {
                let p = path.clone();
                let r = self
                    .run_with(move |h, enc| h.quick_diagnostics(&p).map(|f| convert_files(h, enc, vec![f])))
                    .await;
                match r {
                    Ok(Some(files)) => {
                        let mut published = self.published.lock().await;
                        // Stale when the file changed again meanwhile: its
                        // next round publishes (never an older version after
                        // a newer one: publications hold `published`).
                        if lock(&self.coalesce).pending.contains(&path) {
                            continue;
                        }
                        for (path, uri, diags) in files {
                            self.send(&mut published, path, uri, diags).await;
                        }
                    }
                    _ => need_full_now = true,
                }
            }
            self.want_full(need_full_now);
        }
    }

    /// Asks for a whole-workspace analysis: at once (`now`), else once
    /// typing pauses for [`FULL_DELAY`]. One runs at a time; a result made
    /// stale by a newer change is dropped and the analysis runs again.
    fn want_full(self: &Arc<Self>, now: bool) {
        let start = {
            let mut f = lock(&self.full);
            f.wanted = true;
            f.now |= now;
            !std::mem::replace(&mut f.running, true)
        };
        if start {
            let this = self.clone();
            tokio::spawn(async move { this.full_loop().await });
        }
    }

    async fn full_loop(self: Arc<Self>) {
        loop {
            let now = {
                let mut f = lock(&self.full);
                if !f.wanted {
                    f.running = false;
                    return;
                }
                f.wanted = false;
                std::mem::take(&mut f.now)
            };
            if !now {
                // Wait for typing to pause.
                loop {
                    let g = self.generation.load(Ordering::SeqCst);
                    tokio::time::sleep(FULL_DELAY).await;
                    if self.generation.load(Ordering::SeqCst) == g || lock(&self.full).now {
                        break;
                    }
                }
                lock(&self.full).now = false;
            }
            let generation = self.generation.load(Ordering::SeqCst);
            self.publish_full(generation).await;
            if self.generation.load(Ordering::SeqCst) != generation {
                // Stale: analyse again (the quick path asks for it too).
                lock(&self.full).wanted = true;
            }
        }
    }

    /// Publishes the whole workspace's diagnostics unless a newer change
    /// came while they were computed.
    async fn publish_full(&self, generation: u64) {
        let Ok(files) = self.run_with(|h, enc| convert_files(h, enc, h.diagnostics())).await else {
            return;
        };
        let mut published = self.published.lock().await;
        if self.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let mut seen = HashSet::new();
        for (path, uri, diags) in files {
            seen.insert(path.clone());
            self.send(&mut published, path, uri, diags).await;
        }
        let gone: Vec<PathBuf> = published.keys().filter(|p| !seen.contains(*p)).cloned().collect();
        for path in gone {
            published.remove(&path);
            if let Some(uri) = uri_of(&path) {
                self.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
}

impl Inner {
    /// Sends one file's diagnostics unless the client already has them.
    async fn send(
        &self,
        published: &mut HashMap<PathBuf, Vec<Diagnostic>>,
        path: PathBuf,
        uri: Uri,
        diags: Vec<Diagnostic>,
    ) {
        if published.get(&path).map_or(diags.is_empty(), |o| *o == diags) {
            return;
        }
        self.client.publish_diagnostics(uri, diags.clone(), None).await;
        if diags.is_empty() {
            published.remove(&path);
        } else {
            published.insert(path, diags);
        }
    }
}

/// Our diagnostics as LSP, per file.
fn convert_files(h: &dyn Host, enc: Encoding, all: Vec<host::FileDiags>) -> Vec<(PathBuf, Uri, Vec<Diagnostic>)> {
    let mut texts: HashMap<PathBuf, Option<Arc<str>>> = HashMap::new();
    let mut text_of = |p: &Path| texts.entry(p.to_path_buf()).or_insert_with(|| h.text(p)).clone();
    let mut out = Vec::new();
    for f in all {
        let Some(uri) = uri_of(&f.path) else { continue };
        let text = text_of(&f.path).unwrap_or_else(|| Arc::from(""));
        let lines = Lines::new(&text, enc);
        let mut related_lines: HashMap<PathBuf, Arc<str>> = HashMap::new();
        for d in &f.diags {
            for r in &d.related {
                if !related_lines.contains_key(&r.loc.path) {
                    if let Some(t) = text_of(&r.loc.path) {
                        related_lines.insert(r.loc.path.clone(), t);
                    }
                }
            }
        }
        let indexes: HashMap<&PathBuf, Lines> = related_lines.iter().map(|(p, t)| (p, Lines::new(t, enc))).collect();
        let related = |loc: &host::Loc| -> Option<(Uri, Range)> {
            let l = indexes.get(&loc.path)?;
            Some((uri_of(&loc.path)?, l.range(loc.start, loc.end)))
        };
        let diags = f
            .diags
            .iter()
            .map(|d| convert::diagnostic(&lines, d, &related))
            .collect::<Vec<_>>();
        out.push((f.path, uri, diags));
    }
    out
}

/// The path and byte offset of a text document position.
fn at(h: &dyn Host, enc: Encoding, path: &Path, pos: Position) -> Option<usize> {
    let text = h.text(path)?;
    Some(Lines::new(&text, enc).offset(pos))
}

fn loc_to_lsp(
    h: &dyn Host,
    enc: Encoding,
    cache: &mut HashMap<PathBuf, Option<Arc<str>>>,
    loc: &host::Loc,
) -> Option<Location> {
    let text = cache
        .entry(loc.path.clone())
        .or_insert_with(|| h.text(&loc.path))
        .clone()?;
    Some(Location::new(
        uri_of(&loc.path)?,
        Lines::new(&text, enc).range(loc.start, loc.end),
    ))
}

#[allow(clippy::mutable_key_type)] // lsp_types keys `changes` by Uri
fn edits_to_lsp(h: &dyn Host, enc: Encoding, edits: &[host::Edit]) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut cache: HashMap<PathBuf, Option<Arc<str>>> = HashMap::new();
    for e in edits {
        let Some(text) = cache.entry(e.path.clone()).or_insert_with(|| h.text(&e.path)).clone() else {
            continue;
        };
        let Some(uri) = uri_of(&e.path) else { continue };
        let range = Lines::new(&text, enc).range(e.start, e.end);
        changes
            .entry(uri)
            .or_default()
            .push(TextEdit::new(range, e.new_text.clone()));
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

fn symbol_kind(k: host::SymbolKind) -> SymbolKind {
    match k {
        host::SymbolKind::Module => SymbolKind::MODULE,
        host::SymbolKind::Programme => SymbolKind::PACKAGE,
        host::SymbolKind::Outcome => SymbolKind::ENUM_MEMBER,
        host::SymbolKind::Assessment => SymbolKind::EVENT,
        host::SymbolKind::Structure => SymbolKind::STRUCT,
        host::SymbolKind::Stage => SymbolKind::NAMESPACE,
        host::SymbolKind::OptionGroup => SymbolKind::ARRAY,
        host::SymbolKind::Variance => SymbolKind::KEY,
        host::SymbolKind::Rule => SymbolKind::FUNCTION,
        host::SymbolKind::Property => SymbolKind::PROPERTY,
    }
}

#[allow(deprecated)]
fn document_symbol(lines: &Lines, s: &host::Symbol) -> DocumentSymbol {
    let range = lines.range(s.start, s.end);
    let mut sel = lines.range(s.sel_start, s.sel_end);
    if sel.start < range.start || sel.end > range.end {
        sel = range;
    }
    DocumentSymbol {
        name: if s.name.is_empty() { "?".into() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: sel,
        children: Some(s.children.iter().map(|c| document_symbol(lines, c)).collect()),
    }
}

pub const TOKEN_TYPES: [SemanticTokenType; 9] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::COMMENT,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::TYPE,
    SemanticTokenType::CLASS,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM,
];

fn token_type(k: host::TokenKind) -> u32 {
    host::TokenKind::ALL.iter().position(|x| *x == k).unwrap_or(0) as u32
}

fn semantic_tokens(text: &str, enc: Encoding, mut tokens: Vec<host::Token>) -> Vec<SemanticToken> {
    tokens.sort_by_key(|t| t.start);
    let lines = Lines::new(text, enc);
    let mut out = Vec::new();
    let (mut prev_line, mut prev_char) = (0u32, 0u32);
    let mut last_end = 0usize;
    for t in tokens {
        if t.start < last_end || t.start >= text.len() || t.len == 0 {
            continue;
        }
        let end = (t.start + t.len).min(text.len());
        // A token must cut the text at character boundaries (never trust
        // offsets to be from this text).
        let Some(body) = text.get(t.start..end) else {
            continue;
        };
        last_end = end;
        // One token per line for multi-line tokens (text blocks).
        let mut s = t.start;
        while s < end {
            let line_end = body[s - t.start..].find('\n').map(|i| s + i).unwrap_or(end);
            if line_end > s {
                let a = lines.position(s);
                let b = lines.position(line_end);
                let length = b.character.saturating_sub(a.character);
                if length > 0 {
                    let delta_line = a.line - prev_line;
                    let delta_start = if delta_line == 0 {
                        a.character - prev_char
                    } else {
                        a.character
                    };
                    out.push(SemanticToken {
                        delta_line,
                        delta_start,
                        length,
                        token_type: token_type(t.kind),
                        token_modifiers_bitset: u32::from(t.definition),
                    });
                    prev_line = a.line;
                    prev_char = a.character;
                }
            }
            s = line_end + 1;
        }
    }
    out
}

fn completion_kind(k: host::CompletionKind) -> CompletionItemKind {
    match k {
        host::CompletionKind::Keyword => CompletionItemKind::KEYWORD,
        host::CompletionKind::Module => CompletionItemKind::MODULE,
        host::CompletionKind::Outcome => CompletionItemKind::ENUM_MEMBER,
        host::CompletionKind::Rule => CompletionItemKind::FUNCTION,
        host::CompletionKind::Award => CompletionItemKind::CONSTANT,
        host::CompletionKind::Framework => CompletionItemKind::FOLDER,
        host::CompletionKind::Criterion => CompletionItemKind::ENUM,
        host::CompletionKind::Value => CompletionItemKind::VALUE,
        host::CompletionKind::Programme => CompletionItemKind::CLASS,
    }
}

fn doc_path(doc: &TextDocumentIdentifier) -> Option<PathBuf> {
    path_of(&doc.uri)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::{Token, TokenKind};

    fn tok(start: usize, len: usize, kind: TokenKind) -> Token {
        Token {
            start,
            len,
            kind,
            definition: false,
        }
    }

    #[test]
    fn semantic_tokens_are_relative_split_per_line_and_skip_overlaps() {
        let text = "module A\n\"\"\"two\nlines\"\"\" é x\n";
        let s = text.find("\"\"\"").unwrap();
        let e = text.rfind("\"\"\"").unwrap() + 3;
        let x = text.rfind('x').unwrap();
        let toks = vec![
            tok(x, 1, TokenKind::Module),
            tok(0, 6, TokenKind::Keyword),
            tok(s, e - s, TokenKind::String),
            tok(2, 2, TokenKind::Number), // overlaps `module`: dropped
        ];
        let out = semantic_tokens(text, Encoding::Utf16, toks);
        let rows: Vec<[u32; 4]> = out
            .iter()
            .map(|t| [t.delta_line, t.delta_start, t.length, t.token_type])
            .collect();
        let kw = token_type(TokenKind::Keyword);
        let st = token_type(TokenKind::String);
        let md = token_type(TokenKind::Module);
        // `module`; `"""two` (line 1); `lines"""` (line 2); `x` after ` é ` (utf-16: 1 unit for é).
        assert_eq!(rows, vec![[0, 0, 6, kw], [1, 0, 6, st], [1, 0, 8, st], [0, 11, 1, md]]);
    }
}
