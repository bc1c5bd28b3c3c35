//! The formatter: whatever it accepts, its output re-parses without errors,
//! keeps every comment and item, and is a fixpoint (fmt(fmt(x)) == fmt(x)).
#![no_main]
use libfuzzer_sys::fuzz_target;
use spec::fmt::{comment_texts, format, syntax_fingerprint};
use spec::syntax::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(out) = format(&text) else { return };
    let before = parse(&text);
    let after = parse(&out);
    assert!(after.errors.is_empty(), "output does not parse: {:?}", after.errors);
    assert_eq!(before.items.len(), after.items.len(), "an item was lost");
    assert_eq!(comment_texts(&before), comment_texts(&after), "a comment was lost");
    assert_eq!(syntax_fingerprint(&before), syntax_fingerprint(&after), "the model changed");
    let again = format(&out).expect("formatted text formats");
    assert_eq!(again, out, "not idempotent");
});
