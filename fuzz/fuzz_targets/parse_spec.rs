//! The `.pspec` parser on any text: never panics, every span lies in the text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = spec::syntax::parse(&text);
    for e in &file.errors {
        assert!(e.span.end as usize <= text.len() && e.span.start <= e.span.end, "{e:?}");
    }
});
