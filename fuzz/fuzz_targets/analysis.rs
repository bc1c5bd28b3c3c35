//! The whole analysis (embedded policy packs) and the human and JSON
//! renderers on any text: never panic, JSON output is JSON, and the CLI's
//! one-shot analysis (each file's items lowered into slots, D148) reports
//! exactly what the editor's does.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use spec::analysis::{analyze, analyze_once, Input, Options};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let input = Input {
        name: "fuzz.pspec".to_string(),
        path: None,
        text: Arc::from(&*text),
        primary: true,
    };
    let a = analyze(vec![input.clone()], &Options::default());
    let _ = spec::render::human::render(&a, false);
    let json = spec::render::json::render(&a);
    serde_json::from_str::<serde_json::Value>(&json).expect("JSON output parses");
    let once = analyze_once(vec![input], &Options::default());
    assert_eq!(spec::render::json::render(&once), json, "analyze_once differs from analyze");
});
