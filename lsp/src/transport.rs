//! The wire: Content-Length framing, checked before anything reaches the
//! protocol library.
//!
//! tower-lsp-server's reader stops for good after the first frame it cannot
//! decode, so the server reads stdin itself: [`Decoder`] splits the byte
//! stream into frames and [`check`] keeps only well-formed JSON-RPC 2.0
//! messages. Anything else is answered with the JSON-RPC error (-32700 parse
//! error, -32600 invalid request) and the server reads on. `initialize`
//! params whose client capabilities the protocol types cannot read (a
//! required field missing, a value of the wrong type) are repaired by
//! dropping the unreadable capability, so the client gets a server that
//! ignores what it did not announce rather than -32602.
//!
//! The decoder is public so a fuzz target can drive it.

use serde_json::{json, Value};

/// The largest frame body accepted (a bigger one is skipped and refused).
pub const MAX_BODY: usize = 256 << 20;
/// The longest header block accepted before the blank line.
const MAX_HEADER: usize = 8 << 10;

/// One unit read from the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// A frame's body (not yet checked).
    Body(Vec<u8>),
    /// Bytes that are not a frame (bad or missing headers, an oversized
    /// body): answered with a parse error.
    Garbage(String),
}

/// Splits a byte stream into frames. Never fails: garbage becomes
/// [`Frame::Garbage`] and decoding resumes at the next `Content-Length`.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes of an oversized body still to skip.
    skip: usize,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The first `content-length` (any case) at or after `from`.
fn find_content_length(hay: &[u8], from: usize) -> Option<usize> {
    const CL: &[u8] = b"content-length";
    (from..hay.len().saturating_sub(CL.len() - 1)).find(|&i| hay[i..i + CL.len()].eq_ignore_ascii_case(CL))
}

/// The body length named by a header block, or why it names none.
fn content_length(block: &[u8]) -> Result<usize, String> {
    let text = std::str::from_utf8(block).map_err(|_| "headers are not UTF-8".to_string())?;
    let mut len = None;
    for line in text.split("\r\n").flat_map(|l| l.split('\n')) {
        if line.is_empty() {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line `{}`", short(line)));
        };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!("malformed header line `{}`", short(line)));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let v = value.trim();
            match v.parse::<usize>() {
                Ok(n) => len = Some(n),
                Err(_) => return Err(format!("invalid Content-Length `{}`", short(v))),
            }
        }
    }
    len.ok_or_else(|| "missing Content-Length header".to_string())
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Adds bytes read from the wire.
    pub fn push(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        if self.skip > 0 {
            let n = self.skip.min(bytes.len());
            self.skip -= n;
            bytes = &bytes[n..];
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes buffered and not yet returned as a frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The next complete frame, if the buffer holds one.
    pub fn next_frame(&mut self) -> Option<Frame> {
        if self.skip > 0 {
            return None;
        }
        // Leading blank lines between frames are harmless.
        let ws = self.buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if ws > 0 {
            self.buf.drain(..ws);
        }
        if self.buf.is_empty() {
            return None;
        }
        let (end, sep) = match (find(&self.buf, b"\r\n\r\n"), find(&self.buf, b"\n\n")) {
            (Some(a), Some(b)) if b < a => (b, 2),
            (Some(a), _) => (a, 4),
            (None, Some(b)) => (b, 2),
            (None, None) => {
                if self.buf.len() > MAX_HEADER {
                    return Some(self.resync("no header terminator".into()));
                }
                return None;
            }
        };
        if end > MAX_HEADER {
            return Some(self.resync("header block too long".into()));
        }
        let len = match content_length(&self.buf[..end]) {
            Ok(n) => n,
            Err(why) => return Some(self.resync(why)),
        };
        if len > MAX_BODY {
            let have = self.buf.len() - (end + sep);
            self.buf.clear();
            self.skip = len - have.min(len);
            return Some(Frame::Garbage(format!(
                "frame of {len} bytes exceeds the limit of {MAX_BODY}"
            )));
        }
        if self.buf.len() < end + sep + len {
            return None;
        }
        let body = self.buf[end + sep..end + sep + len].to_vec();
        self.buf.drain(..end + sep + len);
        Some(Frame::Body(body))
    }

    /// Drops bytes up to the next `Content-Length` after the first byte.
    fn resync(&mut self, why: String) -> Frame {
        match find_content_length(&self.buf, 1) {
            Some(i) => {
                self.buf.drain(..i);
            }
            None => {
                // Keep only a tail that may be the start of a split
                // `Content-Length` (always dropping at least one byte).
                let n = self.buf.len();
                let cl = b"content-length";
                let keep_from = (n.saturating_sub(cl.len()).max(1)..n)
                    .find(|&i| cl.starts_with(&self.buf[i..].to_ascii_lowercase()))
                    .unwrap_or(n);
                self.buf.drain(..keep_from);
            }
        }
        Frame::Garbage(why)
    }
}

/// A body that is not a JSON-RPC 2.0 message: the error to answer with.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub id: Value,
    pub code: i64,
    pub message: String,
}

impl Rejected {
    /// The error response, framed.
    pub fn to_frame(&self) -> Vec<u8> {
        let body = json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code, "message": self.message},
        })
        .to_string();
        frame(body.as_bytes())
    }
}

/// Frames a body with its Content-Length header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;

/// Checks one frame body: a JSON-RPC 2.0 request, notification or
/// response comes back as a value (with `initialize` capabilities made
/// readable); anything else is the error to answer with.
pub fn check(body: &[u8]) -> Result<Value, Rejected> {
    let parse = |message: String| Rejected {
        id: Value::Null,
        code: PARSE_ERROR,
        message,
    };
    let text = std::str::from_utf8(body).map_err(|e| parse(format!("the message body is not UTF-8: {e}")))?;
    let mut v: Value = serde_json::from_str(text).map_err(|e| parse(format!("the message body is not JSON: {e}")))?;
    let id = match v.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let invalid = |message: &str| Rejected {
        id: id.clone(),
        code: INVALID_REQUEST,
        message: message.to_string(),
    };
    let Some(obj) = v.as_object() else {
        return Err(invalid("a message must be a JSON object (batches are not part of LSP)"));
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid("`jsonrpc` must be \"2.0\""));
    }
    match obj.get("id") {
        None | Some(Value::Number(_) | Value::String(_)) => {}
        Some(Value::Null) if !obj.contains_key("method") => {}
        Some(_) => return Err(invalid("`id` must be a number or a string")),
    }
    if obj.contains_key("method") {
        if !obj.get("method").is_some_and(Value::is_string) {
            return Err(invalid("`method` must be a string"));
        }
        if let Some(p) = obj.get("params") {
            if !(p.is_object() || p.is_array() || p.is_null()) {
                return Err(invalid("`params` must be an object or an array"));
            }
        }
        if obj.get("method").and_then(Value::as_str) == Some("initialize") {
            if let Some(params) = v.get_mut("params") {
                repair_initialize(params);
            }
        }
        serde_json::from_value::<tower_lsp_server::jsonrpc::Request>(v.clone())
            .map_err(|e| invalid(&format!("not a JSON-RPC request: {e}")))?;
    } else {
        serde_json::from_value::<tower_lsp_server::jsonrpc::Response>(v.clone())
            .map_err(|_| invalid("a message needs a `method`, or a `result` or `error` with an `id`"))?;
    }
    Ok(v)
}

/// Drops the client capabilities the protocol types cannot read (each
/// unreadable one is treated as not announced); other params are left for
/// the server to judge.
pub fn repair_initialize(params: &mut Value) {
    use tower_lsp_server::lsp_types::InitializeParams;
    for _ in 0..256 {
        let err = match serde_path_to_error::deserialize::<_, InitializeParams>(&*params) {
            Ok(_) => return,
            Err(e) => e,
        };
        let mut keys: Vec<String> = Vec::new();
        for seg in err.path().iter() {
            match seg {
                serde_path_to_error::Segment::Map { key } => keys.push(key.clone()),
                serde_path_to_error::Segment::Seq { index } => keys.push(index.to_string()),
                _ => break,
            }
        }
        if keys.first().map(String::as_str) != Some("capabilities") || keys.len() < 2 {
            return;
        }
        if !remove_at(params, &keys) {
            return;
        }
    }
}

/// Removes the value at a path of object keys / array indexes; false when
/// the path names nothing.
fn remove_at(v: &mut Value, keys: &[String]) -> bool {
    let (last, parents) = match keys.split_last() {
        Some(x) => x,
        None => return false,
    };
    let mut cur = v;
    for k in parents {
        cur = match cur {
            Value::Object(m) => match m.get_mut(k) {
                Some(x) => x,
                None => return false,
            },
            Value::Array(a) => match k.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    match cur {
        Value::Object(m) => m.remove(last).is_some(),
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => {
                a.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        // Byte by byte: framing must not depend on how reads are split.
        for b in input {
            d.push(std::slice::from_ref(b));
            while let Some(f) = d.next_frame() {
                out.push(f);
            }
        }
        out
    }

    #[test]
    fn frames_split_anywhere_and_garbage_resyncs() {
        let good = frame(br#"{"jsonrpc":"2.0","method":"x"}"#);
        let mut input = good.clone();
        input.extend_from_slice(b"Content-Type: text\r\n\r\n"); // no length
        input.extend_from_slice(&good);
        input.extend_from_slice(b"Content-Length: 3\r\n\r\n{\"jsonrpc\"}"); // short
        input.extend_from_slice(&good);
        let got = frames(&input);
        let bodies: Vec<&Frame> = got.iter().filter(|f| matches!(f, Frame::Body(_))).collect();
        assert!(got.iter().any(|f| matches!(f, Frame::Garbage(_))), "{got:?}");
        // The three good frames and the short one's first three bytes.
        assert_eq!(bodies.len(), 4, "{got:?}");
        assert_eq!(
            got.last(),
            Some(&Frame::Body(br#"{"jsonrpc":"2.0","method":"x"}"#.to_vec()))
        );
    }

    #[test]
    fn oversized_frames_are_skipped() {
        let mut d = Decoder::new();
        d.push(format!("Content-Length: {}\r\n\r\nabc", MAX_BODY + 1).as_bytes());
        assert!(matches!(d.next_frame(), Some(Frame::Garbage(_))));
        assert_eq!(d.next_frame(), None);
        assert_eq!(d.skip, MAX_BODY + 1 - 3);
    }

    #[test]
    fn bodies_are_checked() {
        assert_eq!(check(b"{nope").unwrap_err().code, PARSE_ERROR);
        assert_eq!(check(&[0xff, 0xfe]).unwrap_err().code, PARSE_ERROR);
        let e = check(br#"{"jsonrpc":"1.0","id":7,"method":"hover"}"#).unwrap_err();
        assert_eq!((e.code, e.id), (INVALID_REQUEST, json!(7)));
        assert_eq!(check(b"[1,2]").unwrap_err().code, INVALID_REQUEST);
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"result":null}"#).is_ok());
    }

    #[test]
    fn initialize_without_token_types_is_repaired() {
        let body = json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "capabilities":{"textDocument":{
                "semanticTokens":{"requests":{"full":true},"tokenModifiers":[],"formats":["relative"]},
                "hover":{"contentFormat":["markdown"]}}}}});
        let v = check(body.to_string().as_bytes()).unwrap();
        let td = &v["params"]["capabilities"]["textDocument"];
        assert!(td.get("semanticTokens").is_none(), "{td}");
        assert_eq!(td["hover"]["contentFormat"], json!(["markdown"]));
    }
}
