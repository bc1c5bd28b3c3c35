//! The language server survives anything on the wire (issue 8 point 5):
//! malformed frames are answered with the JSON-RPC error and the server
//! reads on; an `initialize` with unreadable capabilities is accepted; a
//! request never sees two versions of a text; deeply nested input does
//! not take the server down. Real stdio, the built binary.

#[path = "lsp_client/mod.rs"]
mod lsp_client;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_client::{uri, Client};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

const MODULE: &str = r#"module 7001DS "Méthodes — Research" {
  credits 20
  level 7
  outcomes { LO1 "Design a study" }
  assessment AS1 "Proposal" { kind coursework weight 100% covers LO1 }
}
"#;

fn ws() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.toml"), "").unwrap();
    std::fs::write(dir.path().join("modules.pspec"), MODULE).unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    (dir, root)
}

fn start(root: &Path) -> Client {
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), root, &[]);
    c.initialize(Some(root), json!({}));
    c
}

/// The server answers a real request after whatever came before.
fn answers(c: &mut Client, file: &Path) {
    let r = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(file)}}),
    );
    assert!(r.as_array().is_some_and(|a| !a.is_empty()), "no symbols: {r}");
    assert!(c.alive());
}

fn error_of(c: &mut Client) -> Value {
    let r = c.next_response(WAIT).expect("an error response to the malformed frame");
    r.get("error").cloned().unwrap_or_else(|| panic!("not an error: {r}"))
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

#[test]
fn every_malformed_frame_gets_its_error_and_the_server_reads_on() {
    let (_d, root) = ws();
    let file = root.join("modules.pspec");
    let mut c = start(&root);
    let cases: Vec<(&str, Vec<u8>, i64)> = vec![
        ("invalid JSON", framed(b"{\"jsonrpc\": \"2.0\", \"id\": 9,"), -32700),
        ("non-UTF-8 body", framed(&[b'{', 0xff, 0xfe, b'}']), -32700),
        ("missing Content-Length", b"Content-Type: x\r\n\r\n{}".to_vec(), -32700),
        (
            "jsonrpc 1.0",
            framed(br#"{"jsonrpc":"1.0","id":77,"method":"shutdown"}"#),
            -32600,
        ),
        ("not an object", framed(b"[1, 2, 3]"), -32600),
    ];
    for (what, bytes, code) in cases {
        c.send_raw(&bytes);
        let e = error_of(&mut c);
        assert_eq!(e["code"], code, "{what}: {e}");
        answers(&mut c, &file);
    }
    // A Content-Length shorter than the body: the cut body is refused, the
    // rest is skipped up to the next frame.
    let body = br#"{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":{}}"#;
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len() - 10).into_bytes();
    bytes.extend_from_slice(body);
    c.send_raw(&bytes);
    let e = error_of(&mut c);
    assert_eq!(e["code"], -32700, "{e}");
    answers(&mut c, &file);
    c.shutdown();
}

#[test]
fn initialize_whose_capabilities_omit_a_required_field_is_accepted() {
    let (_d, root) = ws();
    let mut c = Client::start(env!("CARGO_BIN_EXE_spec"), &root, &[]);
    let caps = json!({"textDocument": {
        "semanticTokens": {"requests": {"full": true}, "tokenModifiers": [], "formats": ["relative"]},
        "hover": {"contentFormat": ["markdown"]}
    }});
    let init = c.initialize(Some(&root), caps);
    assert!(init["capabilities"]["semanticTokensProvider"].is_object(), "{init}");
    let file = root.join("modules.pspec");
    c.open(&file, MODULE);
    let toks = c.call(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri(&file)}}),
    );
    assert!(toks["data"].as_array().is_some_and(|d| !d.is_empty()), "{toks}");
    c.shutdown();
}

#[test]
fn semantic_tokens_while_multibyte_edits_land_never_fail() {
    let (_d, root) = ws();
    let file = root.join("modules.pspec");
    let mut c = start(&root);
    c.open(&file, MODULE);
    let mut ids = Vec::new();
    for v in 2..120i64 {
        // Texts of different lengths made of multi-byte characters: an
        // offset from one version lands inside a character of another.
        let pad = "é—".repeat((v % 7) as usize);
        let text = MODULE.replace("Méthodes", &format!("Mé{pad}thodes"));
        c.change(&file, v, &text);
        ids.push(c.send_request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri(&file)}}),
        ));
        ids.push(c.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&file)}, "position": {"line": 0, "character": 12}}),
        ));
    }
    // Answers come in any order.
    let mut left: std::collections::HashSet<i64> = ids.into_iter().collect();
    while !left.is_empty() {
        let r = c.next_response(WAIT).expect("every request is answered");
        if let Some(e) = r.get("error") {
            panic!("request {} failed: {e}", r["id"]);
        }
        left.remove(&r["id"].as_i64().unwrap_or(-1));
    }
    answers(&mut c, &file);
    c.shutdown();
}

#[test]
fn a_deeply_nested_file_opens_without_killing_the_server() {
    let (_d, root) = ws();
    let file = root.join("modules.pspec");
    let deep = root.join("deep.pspec");
    let n = 12_000;
    let text = format!(
        "programme P \"Deep\" {{\n  award MSc\n  rule R \"deep\" {{ {}{} }}\n}}\n",
        "{".repeat(n),
        "}".repeat(n)
    );
    std::fs::write(&deep, &text).unwrap();
    let mut c = start(&root);
    c.open(&deep, &text);
    c.wait_for("diagnostics of the deep file", WAIT, |d| d.contains_key(&uri(&deep)));
    let _ = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri(&deep)}}),
    );
    let _ = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&deep)}}),
    );
    answers(&mut c, &file);
    c.shutdown();
}
