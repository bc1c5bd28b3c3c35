//! The language server's wire handling: any byte stream, fed in chunks of
//! any size, decodes into frames and garbage without a panic; every body is
//! checked and `initialize` params repaired without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spec_lsp::transport::{check, Decoder, Frame};

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chunk size, so splits land anywhere.
    let Some((&split, rest)) = data.split_first() else { return };
    let chunk = usize::from(split).max(1);
    let mut d = Decoder::new();
    for part in rest.chunks(chunk) {
        d.push(part);
        while let Some(f) = d.next_frame() {
            if let Frame::Body(b) = f {
                if let Ok(mut v) = check(&b) {
                    if let Some(p) = v.get_mut("params") {
                        spec_lsp::transport::repair_initialize(p);
                    }
                }
            }
        }
    }
});
