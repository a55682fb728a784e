#![no_main]
//! Structure-aware sessions for the language server: well-formed JSON-RPC (initialize, open,
//! edits, save, hover, code actions, completion, close, shutdown) over real plans with arbitrary
//! edits and positions, so the handlers themselves are exercised, not only the framing.
//! (libfuzzer-sys turns any panic into a crash, even one the server would catch.)

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use planlint::rules::Registry;
use serde_json::{json, Value};

const PLANS: &[&str] = &[
    include_str!("../../tests/fixtures/plans/mengjin-district-2021-2025.plan.toml"),
    include_str!("../../tests/fixtures/plans/changzhi-city-2021-2025.plan.toml"),
    include_str!("../../tests/fixtures/plans/tangshan-city-2023.plan.toml"),
    include_str!("../../tests/fixtures/plans/pingdingshan-city-2017.plan.toml"),
];

const URI: &str = "file:///fuzz/plan.plan.toml";

#[derive(Arbitrary, Debug)]
struct Session {
    utf8: bool,
    plan: u8,
    edits: Vec<Edit>,
    ops: Vec<Op>,
}

/// Replace `delete` characters at a point (a fraction of the text) with `insert`.
#[derive(Arbitrary, Debug)]
struct Edit {
    at: u16,
    delete: u8,
    insert: String,
}

#[derive(Arbitrary, Debug)]
struct Pos {
    line: u16,
    character: u16,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Change(Vec<Edit>),
    Save,
    Hover(Pos),
    CodeAction(Pos, Pos),
    Completion(Pos),
    Close,
    Reopen,
    /// A frame whose header lies, followed by a real message's body.
    Lie(Lie),
}

/// The ways a frame's header can be wrong.
#[derive(Arbitrary, Debug)]
enum Lie {
    NegativeLength,
    HugeLength,
    NoLength,
    NotUtf8,
    LongHeaderLine(u16),
    /// A length this many bytes short of the body.
    Short(u8),
    /// A length this many bytes past the body: it swallows the start of what follows.
    Long(u8),
}

fn apply(text: &mut String, edit: &Edit) {
    let mut start = text.len() * usize::from(edit.at) / 65_536;
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .char_indices()
        .nth(usize::from(edit.delete % 16))
        .map_or(text.len(), |(i, _)| start + i);
    text.replace_range(start..end, &edit.insert);
}

/// Positions mostly inside the document (and a little past its end).
fn position(text: &str, pos: &Pos) -> Value {
    let lines = text.lines().count() + 2;
    json!({ "line": usize::from(pos.line) % lines, "character": usize::from(pos.character) % 160 })
}

struct Frames {
    bytes: Vec<u8>,
    next_id: i64,
}

impl Frames {
    fn push(&mut self, message: Value) {
        let body = message.to_string();
        self.bytes
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.bytes.extend_from_slice(body.as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) {
        self.next_id += 1;
        let id = self.next_id;
        self.push(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.push(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn lie(&mut self, lie: &Lie) {
        let body = json!({ "jsonrpc": "2.0", "id": 999_999, "method": "textDocument/hover",
            "params": { "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } } })
        .to_string();
        let header = match lie {
            Lie::NegativeLength => b"Content-Length: -12\r\n\r\n".to_vec(),
            Lie::HugeLength => b"Content-Length: 18446744073709551615\r\n\r\n".to_vec(),
            Lie::NoLength => b"Content-Type: application/json\r\n\r\n".to_vec(),
            Lie::NotUtf8 => b"Content-Length: \xff\xfe\r\n\r\n".to_vec(),
            Lie::LongHeaderLine(n) => {
                let mut h = vec![b'X'; usize::from(*n) * 4];
                h.extend_from_slice(b"\r\n\r\n");
                h
            }
            Lie::Short(n) => format!(
                "Content-Length: {}\r\n\r\n",
                body.len().saturating_sub(usize::from(*n) + 1)
            )
            .into_bytes(),
            Lie::Long(n) => format!(
                "Content-Length: {}\r\n\r\n",
                body.len() + usize::from(*n) + 1
            )
            .into_bytes(),
        };
        self.bytes.extend_from_slice(&header);
        self.bytes.extend_from_slice(body.as_bytes());
    }
}

fuzz_target!(|session: Session| {
    let registry = Registry::builtin().as_ref().expect("built-in packs load");
    let mut text = PLANS[usize::from(session.plan) % PLANS.len()].to_owned();
    for edit in &session.edits {
        apply(&mut text, edit);
    }
    let mut frames = Frames {
        bytes: Vec::new(),
        next_id: 0,
    };
    let encodings = if session.utf8 {
        json!(["utf-8", "utf-16"])
    } else {
        json!(["utf-16"])
    };
    frames.request(
        "initialize",
        json!({ "capabilities": { "general": { "positionEncodings": encodings } } }),
    );
    frames.notify("initialized", json!({}));
    let open = |text: &str| json!({ "textDocument": { "uri": URI, "languageId": "toml", "version": 1, "text": text } });
    frames.notify("textDocument/didOpen", open(&text));
    let document = json!({ "uri": URI });
    for op in session.ops.iter().take(32) {
        match op {
            Op::Change(edits) => {
                for edit in edits {
                    apply(&mut text, edit);
                }
                frames.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": text }] }),
                );
            }
            Op::Save => frames.notify("textDocument/didSave", json!({ "textDocument": document })),
            Op::Hover(pos) => frames.request(
                "textDocument/hover",
                json!({ "textDocument": document, "position": position(&text, pos) }),
            ),
            Op::CodeAction(a, b) => frames.request(
                "textDocument/codeAction",
                json!({
                    "textDocument": document,
                    "range": { "start": position(&text, a), "end": position(&text, b) },
                    "context": { "diagnostics": [] },
                }),
            ),
            Op::Completion(pos) => frames.request(
                "textDocument/completion",
                json!({ "textDocument": document, "position": position(&text, pos) }),
            ),
            Op::Close => {
                frames.notify("textDocument/didClose", json!({ "textDocument": document }))
            }
            Op::Reopen => frames.notify("textDocument/didOpen", open(&text)),
            Op::Lie(lie) => frames.lie(lie),
        }
    }
    // A frame that swallows part of the next may take the shutdown with it; the others must
    // not: after them the stream recovers and the session ends as the client asked.
    let swallows = session
        .ops
        .iter()
        .take(32)
        .any(|op| matches!(op, Op::Lie(Lie::Long(_))));
    frames.request("shutdown", Value::Null);
    let shutdown_id = frames.next_id;
    frames.notify("exit", Value::Null);
    let (answers, code) = planlint::lsp::serve_session(registry, &frames.bytes);
    if !swallows {
        assert!(
            answers.iter().any(|m| {
                let m = serde_json::to_value(m).unwrap_or_default();
                m["id"] == shutdown_id && m.get("error").is_none()
            }),
            "shutdown was not answered"
        );
        assert_eq!(code, 0, "the session did not end with exit");
    }
});
