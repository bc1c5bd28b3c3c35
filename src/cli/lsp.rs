//! `spec lsp`: the language server on stdio (see `docs/editors.md`).

use std::sync::Arc;

use clap::Args;

#[derive(Args, Debug, Clone)]
pub struct LspArgs {
    /// Accepted for compatibility with clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: LspArgs) -> u8 {
    // Files are parsed on the global pool too: give its threads the same
    // deep stack as the server's (deeply nested input must not abort the
    // server). It may already exist when embedded; then it stays as it is.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(spec_lsp::ANALYSIS_STACK)
        .build_global();
    let host = Arc::new(crate::ide::multi::MultiHost::default());
    match spec_lsp::serve_stdio(host) {
        Ok(()) => 0,
        Err(e) => super::fatal(&format!("the language server could not start: {e}")),
    }
}
