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
    let host = Arc::new(crate::ide::SpecHost::default());
    match spec_lsp::serve_stdio(host) {
        Ok(()) => 0,
        Err(e) => super::fatal(&format!("the language server could not start: {e}")),
    }
}
