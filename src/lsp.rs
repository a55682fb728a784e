//! `planlint lsp`: a language server over stdio, on the same library as the CLI. For
//! `*.plan.toml` documents it publishes diagnostics (on open, save, and a short pause after
//! changes), explains findings on hover, offers code actions (insert what is missing, add a
//! suppression) and completes names and keyword values.
//!
//! Transport: lsp-server's message types over our own framing loop, so that a malformed message
//! is reported and skipped instead of ending the session.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use line_index::{LineCol, LineIndex, TextSize, WideEncoding, WideLineCol};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::{json, Value};

use crate::diagnostic::{Finding, Severity};
use crate::rules::ast::NameKind;
use crate::rules::Registry;
use crate::source::{SourceFile, Span};
use crate::{Checker, FileReport};

/// How long the server waits after the last change before re-checking.
const DEBOUNCE: Duration = Duration::from_millis(150);
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Messages queued between the reader, the server and the writer. Bounded, so that a client
/// that stops reading the server's output holds the server up instead of growing its memory.
const QUEUE: usize = 64;

/// Run the server on stdin/stdout until the client says `exit`. Returns the exit code.
pub fn run_stdio(registry: &'static Registry) -> i32 {
    let (to_server, from_client) = crossbeam_channel::bounded::<Message>(QUEUE);
    let (to_client, from_server) = crossbeam_channel::bounded::<Message>(QUEUE);
    let server = Connection {
        sender: to_client,
        receiver: from_client,
    };
    // The reader owns the only sender: when stdin ends or fails, the channel closes and the
    // server stops (a client that vanished without `exit`), instead of waiting for ever.
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        read_messages(&mut input, |message| to_server.send(message).is_ok());
    });
    let writer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        for message in from_server {
            if message.write(&mut out).is_err() {
                // The client is gone: dropping the receiver makes the server's next send fail,
                // and the server stops.
                break;
            }
        }
    });
    let code = Server::new(registry, server).serve();
    let _ = writer.join();
    code
}

/// Read framed messages until the input ends or fails, passing each to `deliver` (which says
/// whether to go on). A malformed frame is delivered as a `MALFORMED` notification, and reading
/// goes on from the next header.
fn read_messages(input: &mut impl BufRead, mut deliver: impl FnMut(Message) -> bool) {
    loop {
        let message = match read_frame(input) {
            Ok(None) => return,
            Ok(Some(body)) => serde_json::from_slice::<Message>(&body)
                .unwrap_or_else(|e| malformed(&format!("the body is not a JSON-RPC message: {e}"))),
            Err(FrameError::Malformed(why)) => malformed(&why),
            // A read error is not a bad message: there will be no more input.
            Err(FrameError::Io) => return,
        };
        if !deliver(message) {
            return;
        }
    }
}

fn malformed(why: &str) -> Message {
    Message::Notification(Notification::new(
        MALFORMED.to_owned(),
        json!({ "error": why }),
    ))
}

/// Feed raw bytes (framed messages, possibly broken) to a server and let it answer into the
/// void: for fuzzing the message handling. Never panics on any input.
pub fn serve_bytes(registry: &'static Registry, bytes: &[u8]) {
    let _ = serve_session(registry, bytes);
}

/// Run a session over in-memory input, as `run_stdio` does over stdio, and return what the
/// server wrote and its exit code: for tests and fuzzing of whole sessions with broken frames.
pub fn serve_session(registry: &'static Registry, input: &[u8]) -> (Vec<Message>, i32) {
    let (server, client) = Connection::memory();
    let mut reader = std::io::BufReader::new(input);
    read_messages(&mut reader, |message| client.sender.send(message).is_ok());
    drop(client.sender);
    let code = Server::new(registry, server).serve();
    (client.receiver.try_iter().collect(), code)
}

/// What the reader sends when a message cannot be parsed.
const MALFORMED: &str = "$/planlint/malformed";

/// Header lines longer than this are not headers.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// Bodies larger than this are refused (the largest plan is 16 MB; JSON escaping adds some).
const MAX_BODY: usize = 64 * 1024 * 1024;

#[derive(Debug)]
enum FrameError {
    /// This frame is broken; the next may be fine.
    Malformed(String),
    /// The input itself failed: there is no more to read.
    Io,
}

/// One line of input up to `\n`, at most `MAX_HEADER_LINE` bytes kept (the rest of a longer
/// line is skipped); `None` at end of input.
fn read_header_line(input: &mut impl BufRead) -> Result<Option<(Vec<u8>, bool)>, FrameError> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(FrameError::Io),
        };
        if buffer.is_empty() {
            return Ok((!line.is_empty() || too_long).then_some((line, too_long)));
        }
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(at) => (&buffer[..=at], true),
            None => (buffer, false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        if chunk.len() > room {
            too_long = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        input.consume(used);
        if done {
            return Ok(Some((line, too_long)));
        }
    }
}

/// One framed message body, `Ok(None)` at end of input. A bad header is an error for that
/// message only: reading resumes at the next `Content-Length` header, even one that follows a
/// body on the same line (as it does when a lying length left part of a body unread).
fn read_frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, FrameError> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut problem: Option<String> = None;
    loop {
        let Some((raw, too_long)) = read_header_line(input)? else {
            return match (saw_header, problem) {
                (true, _) => Err(FrameError::Malformed(
                    "the input ended inside a header".into(),
                )),
                (false, Some(why)) => Err(FrameError::Malformed(why)),
                (false, None) => Ok(None),
            };
        };
        if too_long {
            problem = Some(format!("a header line longer than {MAX_HEADER_LINE} bytes"));
            saw_header = false;
            length = None;
            continue;
        }
        let Ok(text) = std::str::from_utf8(&raw) else {
            problem = Some("a header line that is not UTF-8".into());
            saw_header = false;
            length = None;
            continue;
        };
        let line = text.trim_end();
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        // Leftovers of a broken frame may precede the next header on its line.
        let header = match line.find("Content-Length:") {
            Some(at) if at > 0 => {
                problem.get_or_insert_with(|| "bytes outside any message".into());
                &line[at..]
            }
            _ => line,
        };
        match header.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                length = value.trim().parse().ok();
                if length.is_none() {
                    problem = Some(format!(
                        "a Content-Length that is not a length: {}",
                        value.trim()
                    ));
                }
                saw_header = true;
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => saw_header = true,
            _ => {
                problem.get_or_insert_with(|| "bytes outside any message".into());
            }
        }
    }
    let Some(length) = length else {
        return Err(FrameError::Malformed(
            problem.unwrap_or_else(|| "a message without Content-Length".into()),
        ));
    };
    if length > MAX_BODY {
        return Err(FrameError::Malformed(format!(
            "a message of {length} bytes (at most {MAX_BODY})"
        )));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => Ok(Some(body)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(FrameError::Malformed(
            "the input ended inside a message body".into(),
        )),
        Err(_) => Err(FrameError::Io),
    }
}

struct Document {
    text: String,
    index: LineIndex,
    report: Option<FileReport>,
    /// When a change arrived that is not yet checked.
    dirty_since: Option<Instant>,
    /// The project's planlint.toml, read on open and save (not on every keystroke).
    config: crate::config::Config,
}

struct Server {
    registry: &'static Registry,
    connection: Connection,
    documents: HashMap<String, Document>,
    utf8: bool,
    /// `initialize` has been answered: other requests are served only after it.
    initialized: bool,
    shutdown: bool,
    /// The client stopped reading: nothing more can be said to it.
    gone: std::cell::Cell<bool>,
}

impl Server {
    fn new(registry: &'static Registry, connection: Connection) -> Self {
        Server {
            registry,
            connection,
            documents: HashMap::new(),
            utf8: false,
            initialized: false,
            shutdown: false,
            gone: std::cell::Cell::new(false),
        }
    }

    fn send(&self, message: Message) {
        if self.connection.sender.send(message).is_err() {
            self.gone.set(true);
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
    }

    fn log(&self, message: &str) {
        self.notify(
            "window/logMessage",
            json!({ "type": 2, "message": message }),
        );
    }

    fn serve(mut self) -> i32 {
        loop {
            let timeout = self
                .documents
                .values()
                .filter_map(|d| d.dirty_since)
                .map(|t| (t + DEBOUNCE).saturating_duration_since(Instant::now()))
                .min()
                .unwrap_or(Duration::from_secs(3600));
            if self.gone.get() {
                return 1;
            }
            match self.connection.receiver.recv_timeout(timeout) {
                Ok(message) => {
                    if let Some(code) = self.handle(message) {
                        return code;
                    }
                }
                Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => self.check_due(),
                // The client went away without `exit`.
                Err(_) => return 1,
            }
        }
    }

    fn handle(&mut self, message: Message) -> Option<i32> {
        match message {
            Message::Request(req) => {
                // The protocol's order: initialize first, nothing after shutdown.
                if !self.initialized && req.method != "initialize" {
                    self.send(Message::Response(Response::new_err(
                        req.id,
                        ErrorCode::ServerNotInitialized as i32,
                        "the server is not initialized yet".into(),
                    )));
                    return None;
                }
                if self.shutdown {
                    self.send(Message::Response(Response::new_err(
                        req.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shut down; only `exit` is accepted".into(),
                    )));
                    return None;
                }
                // A bug in one handler must not end the session.
                let id = req.id.clone();
                let result =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(req)));
                let response = result.unwrap_or_else(|_| {
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "planlint could not answer this request".into(),
                    )
                });
                self.send(Message::Response(response));
            }
            Message::Notification(note) => {
                if note.method == "exit" {
                    return Some(if self.shutdown { 0 } else { 1 });
                }
                // Before initialize, notifications are dropped (the protocol says so); a
                // malformed frame is still worth a log line.
                if !self.initialized && note.method != MALFORMED {
                    return None;
                }
                let method = note.method.clone();
                if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.notification(note)
                }))
                .is_err()
                {
                    self.log(&format!("planlint: internal error handling {method}"));
                }
            }
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let ok = |v: Value| Response::new_ok(id.clone(), v);
        match req.method.as_str() {
            "initialize" => {
                let encodings = req
                    .params
                    .pointer("/capabilities/general/positionEncodings");
                self.utf8 = encodings
                    .and_then(Value::as_array)
                    .is_some_and(|list| list.iter().any(|e| e == "utf-8"));
                self.initialized = true;
                ok(json!({
                    "capabilities": {
                        "positionEncoding": if self.utf8 { "utf-8" } else { "utf-16" },
                        "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": false } },
                        "hoverProvider": true,
                        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
                        "completionProvider": { "triggerCharacters": ["\"", "="] },
                    },
                    "serverInfo": { "name": "planlint", "version": env!("CARGO_PKG_VERSION") },
                }))
            }
            "shutdown" => {
                self.shutdown = true;
                ok(Value::Null)
            }
            "textDocument/hover" => ok(self.hover(&req.params)),
            "textDocument/codeAction" => ok(self.code_actions(&req.params)),
            "textDocument/completion" => ok(self.completion(&req.params)),
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("planlint does not handle {}", req.method),
            ),
        }
    }

    fn notification(&mut self, note: Notification) {
        let uri = note
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match (note.method.as_str(), uri) {
            ("textDocument/didOpen", Some(uri)) => {
                let text = note
                    .params
                    .pointer("/textDocument/text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                self.set_text(&uri, text);
                self.reload_config(&uri);
                self.check_now(&uri);
            }
            ("textDocument/didChange", Some(uri)) => {
                // Full sync: the last change holds the whole text.
                let text = note
                    .params
                    .pointer("/contentChanges")
                    .and_then(Value::as_array)
                    .and_then(|c| c.last())
                    .and_then(|c| c.get("text"))
                    .and_then(Value::as_str);
                if let Some(text) = text {
                    self.set_text(&uri, text.to_owned());
                    if let Some(doc) = self.documents.get_mut(&uri) {
                        doc.dirty_since = Some(Instant::now());
                    }
                }
            }
            ("textDocument/didSave", Some(uri)) => {
                self.reload_config(&uri);
                self.check_now(&uri);
            }
            ("textDocument/didClose", Some(uri)) => {
                self.documents.remove(&uri);
                self.notify(
                    "textDocument/publishDiagnostics",
                    json!({ "uri": uri, "diagnostics": [] }),
                );
            }
            (MALFORMED, _) => {
                let error = note
                    .params
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("unreadable");
                self.log(&format!("planlint: ignored a malformed message ({error})"));
            }
            _ => {}
        }
    }

    fn set_text(&mut self, uri: &str, text: String) {
        let index = LineIndex::new(&text);
        let doc = self
            .documents
            .entry(uri.to_owned())
            .or_insert_with(|| Document {
                text: String::new(),
                index: LineIndex::new(""),
                report: None,
                dirty_since: None,
                config: Default::default(),
            });
        // Findings of the old text would point at the wrong places (or outside the text) until
        // the re-check: they are dropped, not shown at stale positions.
        if doc.text != text {
            doc.report = None;
        }
        doc.text = text;
        doc.index = index;
    }

    fn reload_config(&mut self, uri: &str) {
        let config = uri_to_path(uri)
            .as_deref()
            .and_then(crate::config::Config::discover)
            .and_then(|p| crate::config::Config::load(&p).ok())
            .unwrap_or_default();
        if let Some(doc) = self.documents.get_mut(uri) {
            doc.config = config;
        }
    }

    fn check_due(&mut self) {
        let due: Vec<String> = self
            .documents
            .iter()
            .filter(|(_, d)| d.dirty_since.is_some_and(|t| t.elapsed() >= DEBOUNCE))
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.check_now(&uri);
        }
    }

    fn check_now(&mut self, uri: &str) {
        let Some(doc) = self.documents.get_mut(uri) else {
            return;
        };
        doc.dirty_since = None;
        if !uri.ends_with(".toml") {
            return;
        }
        let path = uri_to_path(uri);
        let name = path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| uri.to_owned());
        let source = SourceFile::new(name, doc.text.clone());
        // The project's planlint.toml applies in the editor as on the command line.
        let mut checker = Checker::new(self.registry);
        checker.config = doc.config.clone();
        let report = crate::check_source(Arc::clone(&source), &checker);
        let diagnostics: Vec<Value> = report
            .findings
            .iter()
            .map(|f| self.diagnostic(uri, &self.documents[uri], f))
            .collect();
        if let Some(doc) = self.documents.get_mut(uri) {
            doc.report = Some(report);
        }
        self.notify(
            "textDocument/publishDiagnostics",
            json!({ "uri": uri, "diagnostics": diagnostics }),
        );
    }

    fn position(&self, doc: &Document, offset: usize) -> Value {
        let mut offset = offset.min(doc.text.len());
        while !doc.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let lc = doc.index.line_col(TextSize::from(offset as u32));
        if self.utf8 {
            return json!({ "line": lc.line, "character": lc.col });
        }
        let wide = doc
            .index
            .to_wide(WideEncoding::Utf16, lc)
            .unwrap_or(WideLineCol {
                line: lc.line,
                col: lc.col,
            });
        json!({ "line": wide.line, "character": wide.col })
    }

    fn range(&self, doc: &Document, span: Span) -> Value {
        json!({ "start": self.position(doc, span.start), "end": self.position(doc, span.end) })
    }

    /// The byte offset of an LSP position, on a character boundary. As the protocol says, a
    /// character past the end of its line means the line's end; a UTF-8 column inside a
    /// character means that character's start. A line past the document's end has no offset.
    fn offset(&self, doc: &Document, position: &Value) -> Option<usize> {
        let line = position.get("line")?.as_u64()? as u32;
        let character = position.get("character")?.as_u64()? as u32;
        let lc = if self.utf8 {
            LineCol {
                line,
                col: character,
            }
        } else {
            doc.index.to_utf8(
                WideEncoding::Utf16,
                WideLineCol {
                    line,
                    col: character,
                },
            )?
        };
        let line_range = doc.index.line(lc.line)?;
        let start = u32::from(line_range.start()) as usize;
        let end = u32::from(line_range.end()) as usize;
        let mut offset = start.saturating_add(lc.col as usize).min(end);
        while !doc.text.is_char_boundary(offset) {
            offset -= 1;
        }
        Some(offset)
    }

    fn diagnostic(&self, uri: &str, doc: &Document, f: &Finding) -> Value {
        let severity = match f.severity {
            Severity::Error => 1,
            Severity::Warning => 2,
            Severity::Info => 3,
        };
        let mut message = f.message.to_string();
        if !f.label.is_empty() && *f.label != *f.message {
            message.push_str(&format!("：{}", f.label));
        }
        let mut related: Vec<Value> = f
            .related
            .iter()
            .map(|r| json!({ "location": { "uri": uri, "range": self.range(doc, r.span) }, "message": r.message }))
            .collect();
        if let Some(cite) = &f.cite {
            related.push(json!({ "location": { "uri": uri, "range": self.range(doc, f.span) }, "message": format!("依据：{}", cite.render()) }));
        }
        let mut d = json!({
            "range": self.range(doc, f.span),
            "severity": severity,
            "code": f.code,
            "source": "planlint",
            "message": message,
            "relatedInformation": related,
        });
        if let Some(origin) = &f.origin {
            d["codeDescription"] = json!({ "href": format!("{REPOSITORY}/blob/main/{}#L{}", origin.file, origin.line) });
        }
        d
    }

    fn findings_at<'a>(&'a self, doc: &'a Document, offset: usize) -> Vec<&'a Finding> {
        doc.report
            .as_ref()
            .map(|r| {
                r.findings
                    .iter()
                    .filter(|f| {
                        f.span.start <= offset && offset <= f.span.end.max(f.span.start + 1)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn hover(&self, params: &Value) -> Value {
        let Some((doc, offset)) = self.doc_and_offset(params) else {
            return Value::Null;
        };
        let mut parts = Vec::new();
        for f in self.findings_at(doc, offset) {
            let mut text = format!("**{}** `{}`\n\n{}", f.message, f.code, f.label);
            if let Some((_, rule)) = self.registry.rule(&f.code) {
                if let Some(explain) = &rule.explain {
                    text.push_str(&format!("\n\n{explain}"));
                }
            }
            if let Some(help) = crate::report::full_help(f) {
                text.push_str(&format!(
                    "\n\n{}",
                    help.replace("可添加：\n", "可添加：\n```toml\n")
                        + if f.suggestion.is_some() { "\n```" } else { "" }
                ));
            }
            parts.push(text);
        }
        if parts.is_empty() {
            return Value::Null;
        }
        json!({ "contents": { "kind": "markdown", "value": parts.join("\n\n---\n\n") } })
    }

    fn doc_and_offset(&self, params: &Value) -> Option<(&Document, usize)> {
        let uri = params.pointer("/textDocument/uri")?.as_str()?;
        let doc = self.documents.get(uri)?;
        let offset = self.offset(doc, params.get("position")?)?;
        Some((doc, offset))
    }

    fn code_actions(&self, params: &Value) -> Value {
        let Some(uri) = params.pointer("/textDocument/uri").and_then(Value::as_str) else {
            return json!([]);
        };
        let Some(doc) = self.documents.get(uri) else {
            return json!([]);
        };
        let (Some(start), Some(end)) = (
            params
                .pointer("/range/start")
                .and_then(|p| self.offset(doc, p)),
            params
                .pointer("/range/end")
                .and_then(|p| self.offset(doc, p)),
        ) else {
            return json!([]);
        };
        let Some(report) = &doc.report else {
            return json!([]);
        };
        let mut actions = Vec::new();
        for f in report
            .findings
            .iter()
            .filter(|f| !f.fatal && f.span.start <= end && start <= f.span.end)
        {
            let diagnostic = self.diagnostic(uri, doc, f);
            if let Some(suggestion) = &f.suggestion {
                // A new table goes at the end of the file; a key goes on the line after the anchor.
                let table = suggestion
                    .strip_prefix("[[")
                    .and_then(|t| t.split("]]").next());
                let (at, text) = if let Some(table) = table {
                    (
                        table_insertion_point(&doc.text, table),
                        format!("\n{suggestion}\n"),
                    )
                } else {
                    let line_end = doc.text[f.span.start..]
                        .find('\n')
                        .map(|p| f.span.start + p + 1)
                        .unwrap_or(doc.text.len());
                    (line_end, format!("{suggestion}\n"))
                };
                actions.push(json!({
                    "title": format!("插入：{}", suggestion.lines().next().unwrap_or("")),
                    "kind": "quickfix",
                    "diagnostics": [diagnostic.clone()],
                    "edit": { "changes": { uri: [{ "range": self.range(doc, Span::new(at, at)), "newText": text }] } },
                }));
            }
            let line_start = doc.text[..f.span.start]
                .rfind('\n')
                .map(|p| p + 1)
                .unwrap_or(0);
            let indent: String = doc.text[line_start..]
                .chars()
                .take_while(|c| *c == ' ')
                .collect();
            actions.push(json!({
                "title": format!("忽略此处的 {}（添加 planlint: allow 注释）", f.code),
                "kind": "quickfix",
                "diagnostics": [diagnostic],
                "edit": { "changes": { uri: [{
                    "range": self.range(doc, Span::new(line_start, line_start)),
                    "newText": format!("{indent}# planlint: allow({}) 请写明理由\n", f.code),
                }] } },
            }));
        }
        Value::Array(actions)
    }

    fn completion(&self, params: &Value) -> Value {
        let Some((doc, offset)) = self.doc_and_offset(params) else {
            return json!([]);
        };
        let line_start = doc.text[..offset].rfind('\n').map(|p| p + 1).unwrap_or(0);
        let line = doc.text[line_start..offset].trim_start();
        let key = line.split('=').next().unwrap_or("").trim();
        if !line.contains('=') {
            return json!([]);
        }
        let words: Vec<String> = match key {
            "kind" => crate::plan::PlanKind::WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
            "level" => crate::plan::Level::WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
            "relation" => crate::plan::Relation::WORDS
                .iter()
                .map(|w| w.to_string())
                .collect(),
            "per" => vec!["year".into()],
            "name" => {
                // Which list the name is in: the nearest table header above.
                let header = doc.text[..line_start]
                    .lines()
                    .rev()
                    .find(|l| l.trim_start().starts_with("[["))
                    .unwrap_or("");
                let kind = if header.contains("[[actions]]") {
                    Some(crate::plan::SectionKind::Action)
                } else if header.contains("[[projects]]") {
                    Some(crate::plan::SectionKind::Project)
                } else if header.contains("[[safeguards]]") {
                    Some(crate::plan::SectionKind::Safeguard)
                } else {
                    None
                };
                let mut names: Vec<String> = self
                    .registry
                    .packs()
                    .flat_map(|p| p.names.values())
                    .filter(|n| kind.is_some_and(|k| n.kind == NameKind::Section(k)))
                    .map(|n| n.canonical.clone())
                    .collect();
                names.sort();
                names.dedup();
                names
            }
            _ => Vec::new(),
        };
        let quoted = line
            .split_once('=')
            .map(|(_, v)| v.trim_start().starts_with('"'))
            .unwrap_or(false);
        Value::Array(
            words
                .into_iter()
                .map(|w| {
                    let insert = if quoted {
                        w.clone()
                    } else {
                        format!("\"{w}\"")
                    };
                    json!({ "label": w, "kind": 12, "insertText": insert })
                })
                .collect(),
        )
    }
}

/// Where a new `[[table]]` item belongs: after the last item of that array (before the next
/// table of another array), else at the end of the file.
fn table_insertion_point(text: &str, table: &str) -> usize {
    let top = table.split('.').next().unwrap_or(table);
    let mut offset = 0;
    let mut in_array = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            let name = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            let this = name == top || name.starts_with(&format!("{top}."));
            if in_array && !this {
                return offset;
            }
            in_array = this;
        }
        offset += line.len();
    }
    text.len()
}

/// `file:///a/%E5%AD%9F.plan.toml` → `/a/孟.plan.toml`.
fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_items_go_after_their_array() {
        let text = "[plan]\n\n[[projects]]\nname = \"a\"\n  [[projects.measures]]\n  title = \"m\"\n\n[[safeguards]]\nname = \"s\"\n";
        assert_eq!(
            &text[table_insertion_point(text, "projects")..],
            "[[safeguards]]\nname = \"s\"\n"
        );
        assert_eq!(table_insertion_point(text, "targets"), text.len());
    }

    #[test]
    fn chinese_file_uris_decode() {
        assert_eq!(
            uri_to_path("file:///plans/%E5%AD%9F%E6%B4%A5.plan.toml"),
            Some(PathBuf::from("/plans/孟津.plan.toml"))
        );
        assert_eq!(uri_to_path("untitled:1"), None);
    }

    #[test]
    fn frames_are_read_and_bad_ones_refused() {
        let input = b"Content-Length: 2\r\n\r\n{}Content-Length: x\r\n\r\n";
        let mut reader = std::io::BufReader::new(&input[..]);
        assert_eq!(read_frame(&mut reader).unwrap(), Some(b"{}".to_vec()));
        assert!(read_frame(&mut reader).is_err());
        assert_eq!(read_frame(&mut reader).unwrap(), None);
    }
}
