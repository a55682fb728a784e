//! The language server, started as a real process and spoken to in JSON-RPC.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_planlint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(
            json!({ "jsonrpc": "2.0", "method": method, "params": params })
                .to_string()
                .as_bytes(),
        );
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(
            json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
                .to_string()
                .as_bytes(),
        );
        self.wait(|m| m["id"] == id)
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(20))
                .expect("the server answers");
            if pred(&m) {
                return m;
            }
        }
    }

    fn diagnostics(&mut self) -> Vec<Value> {
        let note = self.wait(|m| m["method"] == "textDocument/publishDiagnostics");
        note["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

/// Wait for the server to exit, at most 20 s: a server that does not stop fails the test.
fn wait_for_exit(child: &mut Child, after: &str) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the server still runs 20 s after {after}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const URI: &str = "file:///tmp/planlint-lsp-test/%E5%AD%9F%E6%B4%A5.plan.toml";

fn plan() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/plans/changzhi-city-2021-2025.plan.toml"
    ))
    .unwrap()
}

#[test]
fn a_session_from_initialize_to_exit() {
    let mut c = Client::start();
    let init = c.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.notify("initialized", json!({}));

    let text = plan();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "toml", "version": 1, "text": text } }),
    );
    let diagnostics = c.diagnostics();
    let level = diagnostics
        .iter()
        .find(|d| d["code"] == "national-2021/literacy-2025-level")
        .expect("published");
    let value_line = text
        .lines()
        .position(|l| l.starts_with("value = 14.5"))
        .unwrap() as u64;
    assert_eq!(
        level["range"]["start"],
        json!({ "line": value_line, "character": 8 })
    );
    assert_eq!(level["severity"], 2);
    assert!(level["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .contains("rules/"));
    assert!(level["relatedInformation"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("依据："));

    // A finding on a line of Chinese text: UTF-16 columns, not bytes.
    let changed = text.replacen(
        "name = \"青少年科学素质提升行动\"",
        "name = \"青少年科学素质提升行动\"\nleed = [\"市科协\"]",
        1,
    );
    c.notify("textDocument/didChange", json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": changed }] }));
    let diagnostics = c.diagnostics();
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "plan/unknown-key")
        .expect("debounced re-check");
    let line = changed.lines().position(|l| l.starts_with("leed")).unwrap() as u64;
    assert_eq!(
        unknown["range"],
        json!({ "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 4 } })
    );

    let hover = c.request("textDocument/hover", json!({ "textDocument": { "uri": URI }, "position": { "line": value_line, "character": 9 } }));
    let contents = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        contents.contains("national-2021/literacy-2025-level") && contents.contains("依据"),
        "{contents}"
    );

    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 2 } }, "context": { "diagnostics": [] } }),
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("planlint: allow")),
        "{titles:?}"
    );

    let kind_line = changed
        .lines()
        .position(|l| l.starts_with("kind ="))
        .unwrap() as u64;
    let completion = c.request("textDocument/completion", json!({ "textDocument": { "uri": URI }, "position": { "line": kind_line, "character": 7 } }));
    let labels: Vec<&str> = completion["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"implementation") && labels.contains(&"work-points"),
        "{labels:?}"
    );

    // A missing project: the quick fix inserts its skeleton after the last [[projects]] item.
    let without = changed.replacen(
        "[[projects]]\nname = \"科学素质国际交流合作工程\"",
        "[[projects]]\nname = \"其他工程\"",
        1,
    );
    c.notify("textDocument/didChange", json!({ "textDocument": { "uri": URI, "version": 3 }, "contentChanges": [{ "text": without }] }));
    let diagnostics = c.diagnostics();
    let missing = diagnostics
        .iter()
        .find(|d| d["code"] == "national-2021/international-cooperation")
        .expect("found");
    let actions = c.request("textDocument/codeAction", json!({ "textDocument": { "uri": URI }, "range": missing["range"], "context": { "diagnostics": [missing] } }));
    let insert = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("插入"))
        .expect("a quick fix");
    let edit = &insert["edit"]["changes"][URI][0];
    assert!(edit["newText"]
        .as_str()
        .unwrap()
        .contains("name = \"科学素质国际交流合作工程\""));
    let safeguards_line = without
        .lines()
        .position(|l| l.starts_with("[[safeguards]]"))
        .unwrap() as u64;
    assert_eq!(
        edit["range"]["start"],
        json!({ "line": safeguards_line, "character": 0 })
    );

    // Garbage on the wire and a bad document do not end the session.
    c.send_raw(b"{not json");
    c.send_raw(b"Content-Length: oops\r\n\r\n");
    c.notify("textDocument/didOpen", json!({ "textDocument": { "uri": "file:///tmp/x/bad.plan.toml", "languageId": "toml", "version": 1, "text": "[plan\n\u{0}" } }));
    let bad = c.diagnostics();
    assert!(bad
        .iter()
        .all(|d| d["code"].as_str().unwrap().starts_with("plan/")));
    let unknown_method = c.request("textDocument/definition", json!({}));
    assert!(unknown_method["error"].is_object());

    assert_eq!(c.finish(), Some(0));
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({ "capabilities": { "general": { "positionEncodings": ["utf-8", "utf-16"] } } }),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-8");
    let text = "[plan]\ntitle = \"某区\"\nkind = \"implementation\"\nlevel = \"district\"\nperiod = [2021, 2025]\n\"区\" = 1\n";
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "toml", "version": 1, "text": text } }),
    );
    let diagnostics = c.diagnostics();
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "plan/unknown-key")
        .unwrap();
    // The key `"区"` is 5 bytes in UTF-8 (3 UTF-16 units).
    assert_eq!(
        unknown["range"]["end"],
        json!({ "line": 5, "character": 5 })
    );
    // A column inside a Chinese character (line 1 is `title = "某区"`: 某 is bytes 9..12) and
    // one past the end of the line are answered, not failed (found by the lsp_session fuzzer).
    for character in [10, 11, 500] {
        let position = json!({ "line": 1, "character": character });
        for method in ["textDocument/completion", "textDocument/hover"] {
            let reply = c.request(
                method,
                json!({ "textDocument": { "uri": URI }, "position": position }),
            );
            assert!(
                reply.get("error").is_none(),
                "{method} at {position}: {reply}"
            );
        }
    }
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
}

#[test]
fn the_projects_planlint_toml_applies_in_the_editor() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("planlint.toml"),
        "[rules]\nignore = [\"plan/unknown-key\"]\n",
    )
    .unwrap();
    let uri = format!("file://{}/x.plan.toml", dir.path().display());
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} }));
    let text = format!("{}\nextra = 1\n", plan());
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "toml", "version": 1, "text": text } }),
    );
    let diagnostics = c.diagnostics();
    assert!(
        !diagnostics.is_empty(),
        "the plan's other findings are published"
    );
    assert!(
        diagnostics.iter().all(|d| d["code"] != "plan/unknown-key"),
        "ignored by planlint.toml"
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
}

#[test]
fn the_server_exits_when_its_input_ends() {
    // `planlint lsp < /dev/null`: no client, so nothing to serve.
    let mut child = Command::new(env!("CARGO_BIN_EXE_planlint"))
        .arg("lsp")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_for_exit(&mut child, "its input ended");
    // Input ended without `shutdown` and `exit`: the protocol's exit code for that is 1.
    assert_eq!(status.code(), Some(1));
}

impl Client {
    fn write_bytes(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request_id(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send_raw(
            json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
                .to_string()
                .as_bytes(),
        );
        id
    }

    /// `shutdown` (answered with null), `exit`, and the exit code.
    fn finish(mut self) -> Option<i32> {
        let shutdown = self.request("shutdown", json!(null));
        assert!(shutdown["result"].is_null(), "{shutdown}");
        self.notify("exit", json!(null));
        drop(self.stdin);
        wait_for_exit(&mut self.child, "`exit`").code()
    }
}

#[test]
fn frames_with_lying_headers_are_skipped_and_the_session_goes_on() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} }));
    let hover = json!({ "jsonrpc": "2.0", "id": 900, "method": "textDocument/hover",
        "params": { "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } } })
    .to_string();
    // Negative, huge and missing lengths, a non-UTF-8 header, a header line of 100 KB, and a
    // length shorter than the body (its tail runs into the next header).
    c.write_bytes(format!("Content-Length: -5\r\n\r\n{hover}").as_bytes());
    c.write_bytes(format!("Content-Length: 99999999999\r\n\r\n{hover}").as_bytes());
    c.write_bytes(format!("Content-Type: x\r\n\r\n{hover}").as_bytes());
    c.write_bytes(b"Content-Length: \xff\xfe\r\n\r\n");
    c.write_bytes(&vec![b'a'; 100_000]);
    c.write_bytes(b"\r\n\r\n");
    c.write_bytes(format!("Content-Length: 10\r\n\r\n{hover}").as_bytes());
    // After all that, a well-formed request is answered.
    let answer = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(answer.get("error").is_none(), "{answer}");
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn requests_before_initialize_and_after_shutdown_get_the_protocols_errors() {
    let mut c = Client::start();
    let early = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(early["error"]["code"], -32002, "{early}");
    c.request("initialize", json!({ "capabilities": {} }));
    c.request("shutdown", json!(null));
    let late = c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(late["error"]["code"], -32600, "{late}");
    c.notify("exit", json!(null));
}

#[test]
fn code_actions_between_an_edit_and_its_recheck_never_fail() {
    let mut c = Client::start();
    c.request("initialize", json!({ "capabilities": {} }));
    let text = plan();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "toml", "version": 1, "text": text } }),
    );
    assert!(!c.diagnostics().is_empty());
    // One keystroke at the top: every old finding now points one byte off, into the middle of
    // a Chinese character, until the re-check 150 ms later.
    let mut shifted: Vec<String> = ["#", "é", "孟", "#é"]
        .iter()
        .map(|p| format!("{p}{text}"))
        .collect();
    // Or the whole text replaced by one Chinese comment line of about its length: nearly every
    // old offset falls inside a character.
    shifted.push(format!("#{}", "孟".repeat(text.len() / 3)));
    for version in 2..30 {
        let now = if version % 2 == 0 {
            &shifted[(version / 2) % shifted.len()]
        } else {
            &text
        };
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "text": now }] }),
        );
        let last = now.lines().count().saturating_sub(1) as u64;
        let ids: Vec<i64> = (0..4)
            .map(|line| {
                c.request_id(
                    "textDocument/codeAction",
                    json!({ "textDocument": { "uri": URI },
                            "range": { "start": { "line": (line % 2).min(last), "character": 0 },
                                       "end": { "line": last, "character": 100_000 } },
                            "context": { "diagnostics": [] } }),
                )
            })
            .collect();
        for id in ids {
            let answer = c.wait(|m| m["id"] == id);
            assert!(answer.get("error").is_none(), "{answer}");
        }
        // Let every other edit be re-checked, so that findings exist to go stale.
        if version % 4 == 1 {
            std::thread::sleep(Duration::from_millis(250));
        }
    }
    assert_eq!(c.finish(), Some(0));
}

#[cfg(target_os = "linux")]
#[test]
fn a_client_that_does_not_read_holds_the_server_up_instead_of_growing_it() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_planlint"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _stdout = child.stdout.take().unwrap(); // held open, never read
    let pid = child.id();
    let frame = |body: String| format!("Content-Length: {}\r\n\r\n{body}", body.len());
    let init = json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "capabilities": {} } });
    let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": URI, "languageId": "toml", "version": 1, "text": plan() } } });
    let lines = plan().lines().count();
    // Requests whose answers are big (every finding's code actions), written until the server
    // stops reading (its output pipe full and its queues bounded) or 20,000 have gone.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(frame(init.to_string()).as_bytes());
        let _ = stdin.write_all(frame(open.to_string()).as_bytes());
        for id in 1..20_000 {
            let request = json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction",
                "params": { "textDocument": { "uri": URI },
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": lines, "character": 0 } },
                    "context": { "diagnostics": [] } } });
            if stdin
                .write_all(frame(request.to_string()).as_bytes())
                .is_err()
            {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_secs(5));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = writer.join();
    assert!(rss_kb < 100_000, "the server grew to {rss_kb} KB");
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_error_on_its_input_ends_the_server() {
    // A directory as standard input: every read fails (EISDIR).
    let stdin = std::fs::File::open("/").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_planlint"))
        .arg("lsp")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all);
        all.len()
    });
    let status = wait_for_exit(&mut child, "its input failed");
    assert_eq!(status.code(), Some(1));
    assert!(
        reader.join().unwrap() < 10_000,
        "the server wrote a flood of logs"
    );
}
