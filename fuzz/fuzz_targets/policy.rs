//! The policy parser and compiler on any text: never panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use spec::policy::compile::{compile, PackFile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pack = spec::policy::syntax::parse_pack(&text);
    for e in &pack.errors {
        assert!(e.span.end() <= text.len(), "{e:?}");
    }
    let _ = compile(vec![PackFile {
        name: "fuzz.policy".into(),
        path: None,
        text: Arc::from(&*text),
        embedded: false,
    }]);
});
