//! `spec-lsp`: the language server for `.pspec` and `.policy` files.
//!
//! This crate is the only code that knows the Language Server Protocol. It
//! does not depend on `spec`: the analysis is behind the [`Host`] trait
//! (plain data, byte offsets), implemented by `spec::ide` and handed to
//! [`serve_stdio`] by `spec lsp`.
#![forbid(unsafe_code)]

pub mod convert;
mod handlers;
pub mod host;
mod main_loop;
mod to_proto;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

pub use host::Host;

/// The default floor between a keystroke and its analysis: none. Edits are
/// coalesced instead (an analysis starts at once when none is running; edits
/// that arrive while one runs are analysed together, latest text only, as
/// soon as it finishes).
pub const DEFAULT_DEBOUNCE: Duration = Duration::ZERO;

/// The stack of every thread that analyses (the tokio workers and blocking
/// pool, the edit thread): deeply nested input must not overflow it. Only
/// address space is reserved; pages are touched as the stack grows.
pub const ANALYSIS_STACK: usize = 256 << 20;

/// Serves the protocol on stdin/stdout until the client exits. The debounce
/// floor can be set with `SPEC_LSP_DEBOUNCE_MS` (milliseconds, default 0).
///
/// stdin is read by [`transport`] (malformed frames are answered and
/// skipped); only well-formed messages reach the protocol library, and its
/// output is written to stdout frame by frame, so the errors for malformed
/// frames never land inside another message.
pub fn serve_stdio(host: Arc<dyn Host>) -> std::io::Result<()> {
    let debounce = std::env::var("SPEC_LSP_DEBOUNCE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_DEBOUNCE);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(64)
        .thread_stack_size(ANALYSIS_STACK)
        .enable_all()
        .build()?;
    let served = rt.block_on(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, mut from_server) = tokio::io::duplex(1 << 20);
        let (in_tx, mut in_rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
        let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel::<Option<Vec<u8>>>();

        // stdin: a plain thread (a blocking read must not hold the runtime
        // at exit), frames checked one by one.
        let reject_tx = out_tx.clone();
        std::thread::Builder::new()
            .name("spec-lsp-stdin".into())
            .spawn(move || {
                use std::io::Read;
                let mut stdin = std::io::stdin().lock();
                let mut decoder = transport::Decoder::new();
                let mut buf = vec![0u8; 64 << 10];
                loop {
                    let n = match stdin.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    decoder.push(&buf[..n]);
                    while let Some(f) = decoder.next_frame() {
                        let checked = match f {
                            transport::Frame::Body(b) => transport::check(&b),
                            transport::Frame::Garbage(why) => Err(transport::Rejected {
                                id: serde_json::Value::Null,
                                code: transport::PARSE_ERROR,
                                message: format!("malformed frame: {why}"),
                            }),
                        };
                        match checked {
                            Ok(v) => {
                                if in_tx.blocking_send(transport::frame(v.to_string().as_bytes())).is_err() {
                                    return;
                                }
                            }
                            Err(r) => {
                                let _ = reject_tx.send(Some(r.to_frame()));
                            }
                        }
                    }
                }
            })?;
        let feed = tokio::spawn(async move {
            while let Some(bytes) = in_rx.recv().await {
                if to_server.write_all(&bytes).await.is_err() {
                    break;
                }
            }
            let _ = to_server.shutdown().await;
        });
        // The server's output, cut into whole frames.
        let split_tx = out_tx;
        let split = tokio::spawn(async move {
            let mut decoder = transport::Decoder::new();
            let mut buf = vec![0u8; 64 << 10];
            loop {
                let n = match from_server.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                decoder.push(&buf[..n]);
                while let Some(f) = decoder.next_frame() {
                    if let transport::Frame::Body(b) = f {
                        let _ = split_tx.send(Some(transport::frame(&b)));
                    }
                }
            }
            let _ = split_tx.send(None);
        });
        let write = tokio::spawn(async move {
            let mut stdout = tokio::io::stdout();
            while let Some(Some(frame)) = out_rx.recv().await {
                if stdout.write_all(&frame).await.is_err() || stdout.flush().await.is_err() {
                    break;
                }
            }
        });
        let (service, socket) =
            tower_lsp_server::LspService::new(move |client| handlers::Backend::new(client, host, debounce));
        tower_lsp_server::Server::new(server_in, server_out, socket)
            .serve(service)
            .await;
        feed.abort();
        let _ = split.await;
        let _ = write.await;
        Ok::<(), std::io::Error>(())
    });
    // The stdin thread may still be blocked in a read: do not wait for it.
    rt.shutdown_background();
    served
}
