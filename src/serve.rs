//! `planlint serve`: a page on 127.0.0.1 for reviewers who will not open a terminal. One drops
//! or picks a file; the page shows its report (the same body as `planlint report`) and offers
//! the HTML report and the .docx opinion for download. Uploads are checked in memory — never
//! written to disk, never kept after the response — and bounded in size.
//!
//! tiny_http (a few small crates, threads, no async runtime) serves it: a local page for one
//! reviewer needs concurrency of a few requests, not an async stack (docs/report.md).

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::import::MAX_DOCUMENT_BYTES;
use crate::report::{render_opinion_docx, render_report_html, report_body};
use crate::run::{EXIT_CLEAN, EXIT_UNCHECKABLE};
use crate::Checker;

/// How `planlint serve` runs.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    pub port: u16,
    pub open: bool,
    pub config: Option<std::path::PathBuf>,
    pub rule_dirs: Vec<std::path::PathBuf>,
}

/// Requests served at once.
const WORKERS: usize = 4;

/// The largest upload: the largest document planlint reads.
pub const MAX_UPLOAD_BYTES: usize = MAX_DOCUMENT_BYTES;

/// Serve until Ctrl-C (or SIGTERM). Returns the exit code.
pub fn serve(options: &ServeOptions, stderr: &mut dyn Write) -> u8 {
    let checker = match crate::desk::reviewer_checker(
        options.config.as_deref(),
        std::path::Path::new("."),
        &options.rule_dirs,
        &[],
        &mut *stderr,
    ) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let mut say = |text: &str| {
        let _ = writeln!(stderr, "{text}");
    };
    let server = match Server::http(("127.0.0.1", options.port)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            say(&format!(
                "error: cannot listen on 127.0.0.1:{}: {e} (choose another with --port, or --port 0 for any free port)",
                options.port
            ));
            return EXIT_UNCHECKABLE;
        }
    };
    let port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(options.port);
    let url = format!("http://127.0.0.1:{port}/");
    say(&format!(
        "planlint serve: {url}  (Ctrl-C to stop; files are checked in memory and not kept)"
    ));
    if options.open {
        if let Err(e) = open_browser(&url) {
            say(&format!(
                "note: could not open a browser ({e}); open {url} yourself"
            ));
        }
    }
    let stopping = Arc::new(AtomicBool::new(false));
    {
        let (server, stopping) = (Arc::clone(&server), Arc::clone(&stopping));
        let installed = ctrlc::set_handler(move || {
            stopping.store(true, Ordering::SeqCst);
            for _ in 0..WORKERS {
                server.unblock();
            }
        });
        if let Err(e) = installed {
            say(&format!(
                "note: Ctrl-C will not stop the server cleanly: {e}"
            ));
        }
    }
    let checker = Arc::new(checker);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, stopping, checker) = (
                Arc::clone(&server),
                Arc::clone(&stopping),
                Arc::clone(&checker),
            );
            std::thread::spawn(move || {
                while !stopping.load(Ordering::SeqCst) {
                    match server.recv() {
                        Ok(request) => handle(request, &checker),
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    let _ = writeln!(stderr, "planlint serve: stopped");
    EXIT_CLEAN
}

fn open_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}

/// An answer: status, content type, body, and a file name when it is a download.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    download: Option<String>,
}

impl Answer {
    fn text(status: u16, message: impl Into<String>) -> Self {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: message.into().into_bytes(),
            download: None,
        }
    }
}

fn handle(mut request: Request, checker: &Checker<'_>) {
    // A bug must not take the worker with it: the request gets a 500 and the server goes on.
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        answer(&mut request, checker)
    }))
    .unwrap_or_else(|_| Answer::text(500, "内部错误：处理该文件时出错。"));
    let mut response = Response::from_data(answer.body).with_status_code(answer.status);
    let mut headers = vec![
        ("Content-Type", answer.content_type.to_owned()),
        ("Cache-Control", "no-store".to_owned()),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        // The page and what it shows use only inline script and style, from this server.
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:".to_owned(),
        ),
    ];
    if let Some(name) = &answer.download {
        headers.push((
            "Content-Disposition",
            format!(
                "attachment; filename=\"{}\"; filename*=UTF-8''{}",
                ascii_fallback(name),
                percent_encode(name)
            ),
        ));
    }
    for (k, v) in headers {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    // The client may have gone: nothing to do about it.
    let _ = request.respond(response);
}

fn answer(request: &mut Request, checker: &Checker<'_>) -> Answer {
    let url = request.url().to_owned();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    match (request.method(), path) {
        (Method::Get, "/") | (Method::Get, "/index.html") => Answer {
            status: 200,
            content_type: "text/html; charset=utf-8",
            body: page().into_bytes(),
            download: None,
        },
        (Method::Post, "/check" | "/report" | "/opinion") => {
            let name = query_value(query, "name")
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "上传的文件.txt".to_owned());
            let bytes = match read_upload(request) {
                Ok(b) => b,
                Err(answer) => return answer,
            };
            let as_plan = name.to_ascii_lowercase().ends_with(".toml");
            let report = crate::check_bytes(&bytes, &name, as_plan, checker);
            drop(bytes);
            if report.is_fatal() {
                let why: Vec<String> = report
                    .findings
                    .iter()
                    .filter(|f| f.fatal)
                    .map(|f| f.message.to_string())
                    .collect();
                return Answer::text(422, format!("无法检查该文件：{}", why.join("；")));
            }
            let stem = name
                .rsplit_once('.')
                .map_or(name.as_str(), |(s, _)| s)
                .to_owned();
            match path {
                "/check" => Answer {
                    status: 200,
                    content_type: "text/html; charset=utf-8",
                    body: report_body(&report, checker.registry).into_bytes(),
                    download: None,
                },
                "/report" => Answer {
                    status: 200,
                    content_type: "text/html; charset=utf-8",
                    body: render_report_html(&report, checker.registry).into_bytes(),
                    download: Some(format!("{stem}.审查报告.html")),
                },
                _ => match render_opinion_docx(&report, checker.registry) {
                    Ok(bytes) => Answer {
                        status: 200,
                        content_type:
                            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        body: bytes,
                        download: Some(format!("{stem}.审核意见.docx")),
                    },
                    Err(e) => Answer::text(500, format!("无法生成审核意见：{e}")),
                },
            }
        }
        (_, "/" | "/index.html" | "/check" | "/report" | "/opinion") => {
            Answer::text(405, "不支持该请求方法。")
        }
        _ => Answer::text(404, "没有这个页面。"),
    }
}

/// The request body, bounded: a declared or actual size over the limit is refused unread.
fn read_upload(request: &mut Request) -> Result<Vec<u8>, Answer> {
    let too_large = || {
        Answer::text(
            413,
            format!(
                "文件过大：planlint 只检查不超过 {} 的文件。",
                crate::source::human_size(MAX_UPLOAD_BYTES as u64)
            ),
        )
    };
    if request.body_length().is_some_and(|n| n > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_UPLOAD_BYTES as u64 + 1)
        .read_to_end(&mut bytes);
    match read {
        Err(_) => Err(Answer::text(400, "上传未完成，请重试。")),
        Ok(_) if bytes.len() > MAX_UPLOAD_BYTES => Err(too_large()),
        Ok(_) if bytes.is_empty() => Err(Answer::text(400, "没有收到文件内容。")),
        Ok(_) => Ok(bytes),
    }
}

/// A query parameter, percent-decoded as UTF-8.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| percent_decode(v))?
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'%' => return None,
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

fn ascii_fallback(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ascii
}

/// The page: a drop zone, the report once a file is checked, and the two downloads.
fn page() -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>planlint 规划审查</title>\n\
         <style>{}{PAGE_STYLE}</style>\n</head>\n<body>\n{PAGE_BODY}\n<script>{}{PAGE_SCRIPT}</script>\n</body>\n</html>\n",
        crate::report::html_style(),
        crate::report::html_script()
    )
}

const PAGE_STYLE: &str = r#"
#drop { border: 2px dashed #888; border-radius: 8px; padding: 28px; text-align: center; background: #fafafa; }
#drop.over { background: #eef5ff; border-color: #1f5fa8; }
#drop button { font-size: 1em; padding: 6px 16px; }
#status { margin: 12px 0; min-height: 1.5em; }
#status.error { color: #b3261e; font-weight: bold; }
#downloads { display: none; margin: 12px 0; }
#downloads button { font-size: 1em; padding: 6px 14px; margin-right: 10px; }
"#;

const PAGE_BODY: &str = r#"<h1>规划审查</h1>
<p class="sub">选择或拖入送审的规划文件（.docx、.doc、.wps、网页、PDF、.txt 或 .plan.toml），即可看到对照上级文件的审查结果。文件只在本机内存中处理，不会保存。</p>
<div id="drop"><p>把文件拖到这里，或</p><button type="button" id="pick">选择文件</button>
<input type="file" id="file" accept=".docx,.doc,.wps,.txt,.html,.htm,.pdf,.toml" hidden></div>
<div id="status" role="status"></div>
<div id="downloads"><button type="button" id="get-report">下载审查报告（HTML）</button><button type="button" id="get-opinion">下载审核意见（Word）</button></div>
<div id="result"></div>"#;

const PAGE_SCRIPT: &str = r#"
var current = null;
var drop = document.getElementById('drop'), input = document.getElementById('file');
var statusBox = document.getElementById('status'), result = document.getElementById('result');
function say(text, error) { statusBox.textContent = text; statusBox.className = error ? 'error' : ''; }
function post(path, file) {
  return fetch(path + '?name=' + encodeURIComponent(file.name), { method: 'POST', body: file })
    .then(function (r) { if (!r.ok) { return r.text().then(function (t) { throw new Error(t || ('HTTP ' + r.status)); }); } return r; });
}
function check(file) {
  current = file; result.innerHTML = ''; document.getElementById('downloads').style.display = 'none';
  say('正在检查 ' + file.name + ' …');
  post('/check', file).then(function (r) { return r.text(); }).then(function (html) {
    result.innerHTML = html; say('已检查 ' + file.name + '。');
    document.getElementById('downloads').style.display = 'block';
  }).catch(function (e) { say(e.message, true); });
}
function download(path) {
  if (!current) { return; }
  post(path, current).then(function (r) {
    var cd = r.headers.get('Content-Disposition') || '', m = /filename\*=UTF-8''([^;]+)/.exec(cd);
    var name = m ? decodeURIComponent(m[1]) : 'planlint';
    return r.blob().then(function (b) {
      var a = document.createElement('a'); a.href = URL.createObjectURL(b); a.download = name;
      document.body.appendChild(a); a.click(); setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }).catch(function (e) { say(e.message, true); });
}
document.getElementById('pick').addEventListener('click', function () { input.click(); });
input.addEventListener('change', function () { if (input.files.length) { check(input.files[0]); } });
drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
drop.addEventListener('drop', function (e) { e.preventDefault(); drop.classList.remove('over');
  if (e.dataTransfer.files.length) { check(e.dataTransfer.files[0]); } });
document.getElementById('get-report').addEventListener('click', function () { download('/report'); });
document.getElementById('get-opinion').addEventListener('click', function () { download('/opinion'); });
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_decoded_and_encoded() {
        assert_eq!(
            percent_decode("%E5%AD%9F%E6%B4%A5.docx").as_deref(),
            Some("孟津.docx")
        );
        assert_eq!(percent_decode("a+b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%E5%AD"), None); // not UTF-8
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(
            query_value("x=1&name=%E5%AD%9F", "name").as_deref(),
            Some("孟")
        );
        assert_eq!(percent_encode("孟 a"), "%E5%AD%9F%20a");
        assert_eq!(ascii_fallback("孟津.docx"), "__.docx");
    }
}
