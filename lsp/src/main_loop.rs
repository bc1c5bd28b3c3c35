//! The scheduler: document changes applied in order on one thread, host
//! calls on the blocking pool (a panic answers one request), the quick
//! per-file diagnostics rounds and the whole-workspace pass, and the
//! publication of what changed. The protocol handlers (`handlers.rs`) call
//! into it; conversion to protocol types is `to_proto.rs`.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::Client;

use crate::convert::{uri_of, Encoding};
use crate::host::Host;
use crate::to_proto::convert_files;

/// After a quick publication, how long the whole-workspace analysis waits
/// for typing to pause (no change for this long).
pub(crate) const FULL_DELAY: Duration = Duration::from_millis(250);

pub(crate) type Job = Box<dyn FnOnce(&dyn Host, Encoding) + Send>;

pub(crate) struct Inner {
    pub(crate) client: Client,
    /// Document changes, applied in arrival order by one thread; a request
    /// waits until every change that arrived before it is applied.
    pub(crate) queue: Mutex<std::sync::mpsc::Sender<(u64, Job)>>,
    pub(crate) submitted: AtomicU64,
    pub(crate) applied: tokio::sync::watch::Receiver<u64>,
    pub(crate) host: Arc<dyn Host>,
    /// Held (shared) by a request for its whole run and (exclusive) by the
    /// edit thread while it applies a change: a request reads one version
    /// of every text, however many times it reads it.
    pub(crate) texts: Arc<std::sync::RwLock<()>>,
    pub(crate) enc: Mutex<Encoding>,
    pub(crate) roots: Mutex<Vec<PathBuf>>,
    pub(crate) generation: AtomicU64,
    /// What was last published per file (only changes are sent again).
    pub(crate) published: tokio::sync::Mutex<HashMap<PathBuf, Vec<Diagnostic>>>,
    /// A floor before each quick round (default 0).
    pub(crate) debounce: Duration,
    pub(crate) coalesce: Mutex<Coalesce>,
    pub(crate) full: Mutex<FullState>,
}

/// The quick path's coalescing state.
#[derive(Default)]
pub(crate) struct Coalesce {
    /// Documents edited since their last quick analysis started (only the
    /// latest text is ever analysed).
    pub(crate) pending: std::collections::BTreeSet<PathBuf>,
    /// A change that the quick path cannot answer (save, close, watched
    /// files, folders): the whole workspace is re-analysed at once.
    pub(crate) urgent_full: bool,
    pub(crate) quick_running: bool,
}

#[derive(Default)]
pub(crate) struct FullState {
    pub(crate) wanted: bool,
    /// Skip the pause for typing.
    pub(crate) now: bool,
    pub(crate) running: bool,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    pub(crate) fn enc(&self) -> Encoding {
        *lock(&self.enc)
    }

    /// Queues a document change (applied in arrival order).
    pub(crate) fn apply(&self, f: impl FnOnce(&dyn Host, Encoding) + Send + 'static) {
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
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Host, Encoding) -> R + Send + 'static,
    ) -> Result<R> {
        let texts = self.texts.clone();
        self.run_with(move |h, enc| {
            let _held = texts.read().unwrap_or_else(|e| e.into_inner());
            f(h, enc)
        })
        .await
    }

    /// [`Inner::run`] without holding the texts (analyses whose results
    /// are checked against the generation before they are published).
    pub(crate) async fn run_with<R: Send + 'static>(
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
    pub(crate) fn schedule(self: &Arc<Self>, path: Option<PathBuf>) {
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
    pub(crate) async fn quick_loop(self: Arc<Self>) {
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
    pub(crate) fn want_full(self: &Arc<Self>, now: bool) {
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

    pub(crate) async fn full_loop(self: Arc<Self>) {
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
    pub(crate) async fn publish_full(&self, generation: u64) {
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
    pub(crate) async fn send(
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
