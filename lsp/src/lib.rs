//! `spec-lsp`: the language server for `.pspec` and `.policy` files.
//!
//! This crate is the only code that knows the Language Server Protocol. It
//! does not depend on `spec`: the analysis is behind the [`Host`] trait
//! (plain data, byte offsets), implemented by `spec::ide` and handed to
//! [`serve_stdio`] by `spec lsp`.
#![forbid(unsafe_code)]

pub mod convert;
pub mod host;
mod server;

use std::sync::Arc;
use std::time::Duration;

pub use host::Host;

/// The default floor between a keystroke and its analysis: none. Edits are
/// coalesced instead (an analysis starts at once when none is running; edits
/// that arrive while one runs are analysed together, latest text only, as
/// soon as it finishes).
pub const DEFAULT_DEBOUNCE: Duration = Duration::ZERO;

/// Serves the protocol on stdin/stdout until the client exits. The debounce
/// floor can be set with `SPEC_LSP_DEBOUNCE_MS` (milliseconds, default 0).
pub fn serve_stdio(host: Arc<dyn Host>) -> std::io::Result<()> {
    let debounce = std::env::var("SPEC_LSP_DEBOUNCE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DEBOUNCE);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let stdin = tokio::io::stdin();
        let stdout = tokio::io::stdout();
        let (service, socket) =
            tower_lsp_server::LspService::new(move |client| server::Backend::new(client, host, debounce));
        tower_lsp_server::Server::new(stdin, stdout, socket)
            .serve(service)
            .await;
    });
    Ok(())
}
