//! The `.pspec` parser on any text: never panics, every span lies in the
//! text, and the hand-written fast path builds the same tree as pest (D142).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = spec::syntax::parse(&text);
    for e in &file.errors {
        assert!(e.span.end() <= text.len() && e.span.start() <= e.span.end(), "{e:?}");
    }
    assert_eq!(file, spec::syntax::parse_pest_only(&text), "the two parser paths differ");
});
