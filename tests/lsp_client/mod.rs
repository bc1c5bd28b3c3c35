//! A small LSP client over real stdio JSON-RPC (Content-Length framing)
//! for the protocol tests and the latency benchmark. Every wait has a
//! timeout, so a hung server fails the test instead of blocking it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Latest published diagnostics per URI.
    pub diagnostics: HashMap<String, Vec<Value>>,
    /// Every publishDiagnostics received, in order, with its arrival time.
    pub publications: Vec<(Instant, String, Vec<Value>)>,
    pub log: Vec<Value>,
}

pub fn uri(path: &Path) -> String {
    let p = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", p.display())
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; len?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    /// Starts `spec lsp` in `cwd` with extra environment variables.
    pub fn start(bin: &str, cwd: &Path, env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(bin);
        cmd.arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        cmd.stderr(if std::env::var_os("SPEC_LSP_TEST_STDERR").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
        cmd.env("XDG_CACHE_HOME", cwd.join(".cache"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn spec lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(v) = read_message(&mut r) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 0,
            diagnostics: HashMap::new(),
            publications: Vec::new(),
            log: Vec::new(),
        }
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).expect("json");
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).expect("write to server");
        self.stdin.flush().expect("flush");
    }

    /// Writes raw bytes to the server (malformed frames).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to server");
        self.stdin.flush().expect("flush");
    }

    /// Waits for the next response (a message with no `method`), whatever its id.
    pub fn next_response(&mut self, timeout: Duration) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let v = self.rx.recv_timeout(left).ok()?;
            if let Some(r) = self.handle(v) {
                return Some(r);
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Handles one incoming message; returns it if it is a response.
    fn handle(&mut self, v: Value) -> Option<Value> {
        if let Some(method) = v.get("method").and_then(Value::as_str) {
            if v.get("id").is_some() {
                // A server request (registerCapability, ...): accept.
                let id = v["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            } else if method == "textDocument/publishDiagnostics" {
                let uri = v["params"]["uri"].as_str().unwrap_or("").to_string();
                let diags = v["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
                self.publications.push((Instant::now(), uri.clone(), diags.clone()));
                self.diagnostics.insert(uri, diags);
            }
            self.log.push(v);
            return None;
        }
        Some(v)
    }

    /// Waits for the response to request `id`: `Ok(result)` or `Err(error)`.
    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    if let Some(r) = self.handle(v) {
                        if r.get("id").and_then(Value::as_i64) == Some(id) {
                            if let Some(e) = r.get("error") {
                                return Err(e.clone());
                            }
                            return Ok(r.get("result").cloned().unwrap_or(Value::Null));
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no response to request {id} within {TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server exited while waiting for request {id}")
                }
            }
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// `request`, expecting success.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params) {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e}"),
        }
    }

    /// Processes messages until `pred` holds on the received diagnostics.
    pub fn wait_for(&mut self, what: &str, timeout: Duration, pred: impl Fn(&HashMap<String, Vec<Value>>) -> bool) {
        let deadline = Instant::now() + timeout;
        while !pred(&self.diagnostics) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    self.handle(v);
                }
                Err(_) => panic!(
                    "timed out waiting for {what}; diagnostics so far: {:#?}",
                    self.diagnostics
                ),
            }
        }
    }

    /// Waits for the next publishDiagnostics for `uri` after now.
    pub fn next_publication(&mut self, uri: &str, timeout: Duration) -> Option<(Instant, Vec<Value>)> {
        let start = self.publications.len();
        let deadline = Instant::now() + timeout;
        loop {
            if let Some((t, _, d)) = self.publications[start..].iter().find(|(_, u, _)| u == uri) {
                return Some((*t, d.clone()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(v) => {
                    self.handle(v);
                }
                Err(_) => return None,
            }
        }
    }

    /// Reads whatever arrives within `d`.
    pub fn drain(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while let Ok(v) = self.rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            self.handle(v);
        }
    }

    /// `initialize` + `initialized` with a root folder.
    pub fn initialize(&mut self, root: Option<&Path>, capabilities: Value) -> Value {
        let folders = root
            .map(|r| json!([{"uri": uri(r), "name": "ws"}]))
            .unwrap_or(Value::Null);
        let root_uri = root.map(|r| Value::String(uri(r))).unwrap_or(Value::Null);
        let r = self.call(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "workspaceFolders": folders, "capabilities": capabilities}),
        );
        self.notify("initialized", json!({}));
        r
    }

    pub fn open(&mut self, path: &Path, text: &str) {
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "pspec", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, path: &Path, version: i64, text: &str) {
        let u = uri(path);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    /// The server's process id (the storm samples its memory).
    #[allow(dead_code)]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident set in kB (`VmRSS` of `/proc/PID/status`).
    pub fn rss_kb(&self) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let l = s.lines().find(|l| l.starts_with("VmRSS:"))?;
        l.split_whitespace().nth(1)?.parse().ok()
    }

    pub fn alive(&mut self) -> bool {
        self.child.try_wait().ok().flatten().is_none()
    }

    pub fn shutdown(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Codes of a diagnostics list.
pub fn codes(diags: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = diags
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

/// The 0-based (line, character) of the first occurrence of `needle` in
/// `text` (ASCII text: UTF-16 = bytes), plus `delta` characters.
pub fn pos(text: &str, needle: &str, delta: usize) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in text")) + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    json!({"line": line, "character": col})
}
