//! The reviewer's desk, tested as a reviewer meets it: the HTML report of every seed and fixture
//! (well formed, every finding anchored, clicking a finding brings its highlight into view in
//! Chromium), a folder's matrix (HTML, CSV, .xlsx), the .docx opinion (read back by the project's
//! own reader, converted by LibreOffice and rendered), and `planlint serve` (HTTP, and a file
//! dropped through the page in Chromium). Tools that are absent skip their part with a message.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::browser::{self, Browser};
use common::{planlint, root, write_docx};

const SEEDS: &[&str] = &[
    "changzhi-city-2021-2025",
    "mengjin-district-2021-2025",
    "pingdingshan-city-2017-work-points",
    "tangshan-city-2023-work-points",
];

fn seed(name: &str) -> PathBuf {
    root().join(format!("tests/fixtures/texts/{name}.txt"))
}

/// Where screenshots go: kept after the run, to be looked at.
fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Tags open and close in order; the void elements need no close.
fn assert_well_formed(html: &str, what: &str) {
    const VOID: &[&str] = &["meta", "br", "input", "col", "link", "img", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    // Script and style bodies are not markup.
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with("!") {
            continue;
        }
        let end = rest
            .find('>')
            .unwrap_or_else(|| panic!("{what}: unclosed tag"));
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if closing {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("{what}: </{name}> closes nothing"));
            assert_eq!(open, name, "{what}: <{open}> closed by </{name}>");
        } else {
            if name == "script" || name == "style" {
                let close = format!("</{name}>");
                let end = rest
                    .find(&close)
                    .unwrap_or_else(|| panic!("{what}: <{name}> not closed"));
                rest = &rest[end + close.len()..];
                continue;
            }
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "{what}: left open: {stack:?}");
}

fn report_of(path: &Path, dir: &Path) -> String {
    let out_path = dir.join("report.html");
    let out = planlint(&[
        "report",
        path.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(out_path).unwrap()
}

#[test]
fn the_report_of_every_seed_and_fixture_is_well_formed_and_anchored() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs: Vec<PathBuf> = SEEDS.iter().map(|s| seed(s)).collect();
    for folder in ["tests/fixtures/documents", "tests/fixtures/plans"] {
        for e in std::fs::read_dir(root().join(folder)).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().ends_with(".txt") && !p.ends_with("news-article.txt")
                || p.to_string_lossy().ends_with(".plan.toml")
            {
                inputs.push(p);
            }
        }
    }
    assert!(inputs.len() >= 12);
    for input in &inputs {
        let html = report_of(input, dir.path());
        let what = input.display().to_string();
        assert_well_formed(&html, &what);
        assert!(html.contains("<meta name=\"generator\" content=\"planlint\">"));
        // Every finding listed has exactly one anchor in the text, and every link has a target.
        let findings = html.matches("<li id=\"finding-").count();
        for n in 0..findings {
            assert_eq!(
                html.matches(&format!("id=\"mark-{n}\"")).count(),
                1,
                "{what}: finding {n} anchored once"
            );
        }
        for link in html.split("href=\"#").skip(1) {
            let target = &link[..link.find('"').unwrap()];
            assert!(
                html.contains(&format!("id=\"{target}\"")),
                "{what}: #{target}"
            );
        }
        for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(attr), "{what}: nothing is fetched ({attr})");
        }
        assert!(html.contains("上级要求落实情况"), "{what}: coverage table");
    }
}

#[test]
fn the_coverage_table_says_what_is_met_missing_and_adjusted() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_of(&seed("mengjin-district-2021-2025"), dir.path());
    // Mengjin follows Henan: the international project is inherited as adjusted, never missing.
    let row = html
        .split("<tr class=\"st-row-")
        .skip(1)
        .find(|r| r.contains("科学素质国际交流合作工程"))
        .expect("the international project's row");
    assert!(row.starts_with("adjusted"), "{row}");
    assert!(row.contains("河南省方案以“科普人才建设工程”代替"), "{row}");
    // An action without a quantified target is partial, linked to its finding.
    let farmers = html
        .split("<tr class=\"st-row-")
        .find(|r| r.contains("<td>农民科学素质提升行动</td>"))
        .unwrap();
    assert!(farmers.starts_with("partial"), "{farmers}");
    assert!(farmers.contains("没有量化目标"), "{farmers}");
    // A plan lacking an action shows it missing.
    let lacking = dir.path().join("lacking.plan.toml");
    std::fs::write(
        &lacking,
        "[plan]\ntitle = \"某县全民科学素质行动规划纲要实施方案（2021—2025年）\"\nkind = \"implementation\"\nlevel = \"district\"\nperiod = [2021, 2025]\nbasis = [\"国发〔2021〕9号\"]\n",
    )
    .unwrap();
    let html = report_of(&lacking, dir.path());
    let youth = html
        .split("<tr class=\"st-row-")
        .find(|r| r.contains("<td>青少年科学素质提升行动</td>"))
        .unwrap();
    assert!(youth.starts_with("missing"), "{youth}");
}

#[test]
fn a_folder_report_has_a_page_per_plan_and_the_matrix_in_three_forms() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = planlint(&[
        "report",
        "tests/fixtures/texts",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_well_formed(&index, "index.html");
    for s in SEEDS {
        let page = format!("{s}.txt.html");
        assert!(out.join(&page).exists(), "{page}");
        assert!(index.contains(&format!("href=\"{page}\"")), "{page} linked");
    }
    assert!(index.contains("id=\"only-gaps\""));
    let csv = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
    assert!(csv.starts_with('\u{feff}'), "Excel reads it as UTF-8");
    assert_eq!(csv.lines().count(), 1 + SEEDS.len());
    assert!(csv.contains("按上级调整") && csv.contains("已落实"));
    // The workbook is a real .xlsx: a zip holding the sheet with the statuses.
    let file = std::fs::File::open(out.join("coverage.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    for name in ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"] {
        if let Ok(mut entry) = zip.by_name(name) {
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        }
    }
    assert!(
        text.contains("已落实") && text.contains("按上级调整"),
        "{}",
        &text[..text.len().min(300)]
    );
    // Run again: its own outputs are rewritten without --force.
    let again = planlint(&[
        "report",
        "tests/fixtures/texts",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // A file planlint did not write is not replaced.
    std::fs::write(out.join("index.html"), "my notes").unwrap();
    let refused = planlint(&[
        "report",
        "tests/fixtures/texts",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "my notes"
    );
}

#[test]
fn bad_inputs_to_the_desk_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let news = "tests/fixtures/documents/news-article.txt";
    let out = planlint(&["report", news]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是可检查的规划文本"));
    let out = planlint(&[
        "opinion",
        "tests/fixtures/texts/changzhi-city-2021-2025.txt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o FILE"));
    let out = planlint(&["opinion", "tests/fixtures/texts", "-o", "x.docx"]);
    assert_eq!(out.status.code(), Some(2));
    let out = planlint(&["report", "tests/fixtures/texts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o DIR"));
    let mine = dir.path().join("mine.docx");
    std::fs::write(&mine, "not planlint's").unwrap();
    let out = planlint(&[
        "opinion",
        "tests/fixtures/texts/changzhi-city-2021-2025.txt",
        "-o",
        mine.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "not planlint's");
}

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

#[test]
fn the_opinion_reads_back_and_renders_in_libreoffice() {
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("审核意见.docx");
    let out = planlint(&[
        "opinion",
        seed("changzhi-city-2021-2025").to_str().unwrap(),
        "-o",
        docx.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&docx).unwrap();
    let text = planlint::import::read_document("审核意见.docx", &bytes)
        .expect("the project's own reader reads it")
        .text;
    for part in [
        "关于《长治市全民科学素质行动规划纲要实施方案(2021-2025年)》的审核意见",
        "一、审查事项",
        "二、审查依据",
        "《全民科学素质行动规划纲要（2021—2035年）》（国发〔2021〕9号）",
        "三、审查意见",
        "（一）应当补充（0项）",
        "（二）建议修改（6项）",
        "位置：第",
        "依据：",
        "建议：",
        "五、结论",
        "审查人（签字）",
    ] {
        assert!(text.contains(part), "{part} not in\n{text}");
    }
    // Run again over it: planlint knows its own document.
    let again = planlint(&[
        "opinion",
        seed("changzhi-city-2021-2025").to_str().unwrap(),
        "-o",
        docx.to_str().unwrap(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let Some(soffice) = tool("soffice") else {
        eprintln!("skipped: LibreOffice (soffice) is not installed; apt-get install libreoffice-writer poppler-utils");
        return;
    };
    let profile = dir.path().join("lo-profile");
    let converted = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&docx)
        .output()
        .unwrap();
    let pdf = dir.path().join("审核意见.pdf");
    assert!(
        pdf.exists(),
        "LibreOffice made no PDF: {}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let Some(pdftoppm) = tool("pdftoppm") else {
        eprintln!("skipped: pdftoppm is not installed (apt-get install poppler-utils)");
        return;
    };
    let png = shots().join("opinion");
    let rendered = Command::new(pdftoppm)
        .args(["-png", "-r", "60", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(&png)
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let page = std::fs::read_dir(shots())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.to_string_lossy().contains("opinion") && p.extension().is_some_and(|e| e == "png")
        })
        .expect("a rendered page");
    assert!(
        std::fs::metadata(&page).unwrap().len() > 5_000,
        "the page has content"
    );
    if let Some(pdftotext) = tool("pdftotext") {
        let t = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
        let t = String::from_utf8_lossy(&t.stdout);
        assert!(t.contains("审查意见"), "the PDF carries the text: {t}");
    }
}

#[test]
fn clicking_a_finding_in_the_report_brings_its_highlight_into_view() {
    if let Some(why) = browser::unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let html = report_of(&seed("mengjin-district-2021-2025"), dir.path());
    let page = dir.path().join("report.html");
    assert!(html.contains("id=\"finding-3\""));
    let b = Browser::start();
    b.open(&format!("file://{}", page.display()));
    b.screenshot(&shots().join("report-top.png"));
    let link = b.find("#finding-3 a.goto", Duration::from_secs(10));
    b.click(&link);
    std::thread::sleep(Duration::from_millis(500));
    let in_view = b.script(
        "var m = document.getElementById('mark-3'); var r = m.getBoundingClientRect();\
         return r.top >= 0 && r.bottom <= window.innerHeight && m.classList.contains('flash');",
        serde_json::json!([]),
    );
    assert_eq!(
        in_view,
        serde_json::json!(true),
        "the highlight is in view and flashing"
    );
    b.screenshot(&shots().join("report-finding.png"));
}

/// A running `planlint serve` on a free port, stopped with SIGINT when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Served {
    fn start() -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_planlint"))
            .args(["serve", "--port", "0"])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut line = String::new();
        BufReader::new(stderr).read_line(&mut line).unwrap();
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        Served { child, port }
    }

    fn stop(mut self) -> Option<i32> {
        unsafe_sigint(self.child.id());
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status.code()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unsafe_sigint(pid: u32) {
    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
}

#[test]
fn the_server_checks_uploads_in_memory_and_refuses_what_it_should() {
    let served = Served::start();
    let port = served.port;
    let (status, page) = browser::http(port, "GET", "/", b"", "text/plain");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("选择文件"));
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("孟津.docx");
    write_docx(
        &docx,
        &std::fs::read_to_string(seed("mengjin-district-2021-2025")).unwrap(),
    );
    let bytes = std::fs::read(&docx).unwrap();
    let name = "%E5%AD%9F%E6%B4%A5.docx";
    // Several at once.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let bytes = bytes.clone();
            std::thread::spawn(move || {
                browser::http(
                    port,
                    "POST",
                    &format!("/check?name={name}"),
                    &bytes,
                    "application/octet-stream",
                )
            })
        })
        .collect();
    for t in threads {
        let (status, body) = t.join().unwrap();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("上级要求落实情况") && body.contains("按上级调整"),
            "{body}"
        );
    }
    let (status, opinion) = browser::http(
        port,
        "POST",
        &format!("/opinion?name={name}"),
        &bytes,
        "application/octet-stream",
    );
    assert_eq!(status, 200);
    assert!(opinion.starts_with(b"PK"));
    let (status, report) = browser::http(
        port,
        "POST",
        &format!("/report?name={name}"),
        &bytes,
        "application/octet-stream",
    );
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&report).starts_with("<!DOCTYPE html>"));
    // Refusals: not a plan, empty, too large, wrong method, unknown path, garbage.
    let (status, body) = browser::http(
        port,
        "POST",
        "/check?name=a.txt",
        "今天天气很好。".as_bytes(),
        "text/plain",
    );
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("无法检查"));
    assert_eq!(
        browser::http(port, "POST", "/check?name=a.txt", b"", "text/plain").0,
        400
    );
    let big = vec![b'x'; 16 * 1024 * 1024 + 1];
    let (status, body) = browser::http(port, "POST", "/check?name=a.txt", &big, "text/plain");
    assert_eq!(status, 413);
    assert!(String::from_utf8_lossy(&body).contains("文件过大"));
    assert_eq!(
        browser::http(port, "GET", "/check", b"", "text/plain").0,
        405
    );
    assert_eq!(
        browser::http(port, "GET", "/etc/passwd", b"", "text/plain").0,
        404
    );
    {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"\x00\xff GARBAGE\r\n\r\n").unwrap();
        let mut sink = Vec::new();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = s.read_to_end(&mut sink);
    }
    // Still serving after all that; nothing was written beside the binary's folder.
    assert_eq!(browser::http(port, "GET", "/", b"", "text/plain").0, 200);
    assert_eq!(served.stop(), Some(0), "Ctrl-C stops it cleanly");
}

#[test]
fn a_file_dropped_through_the_page_shows_its_coverage_table() {
    if let Some(why) = browser::unavailable() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docx = dir.path().join("mengjin-district-2021-2025.docx");
    write_docx(
        &docx,
        &std::fs::read_to_string(seed("mengjin-district-2021-2025")).unwrap(),
    );
    let served = Served::start();
    let b = Browser::start();
    b.open(&format!("http://127.0.0.1:{}/", served.port));
    b.screenshot(&shots().join("serve-empty.png"));
    let input = b.find("#file", Duration::from_secs(10));
    b.type_into(&input, docx.to_str().unwrap());
    b.find("table.coverage", Duration::from_secs(30));
    let text = b.script(
        "return document.getElementById('result').innerText;",
        serde_json::json!([]),
    );
    let text = text.as_str().unwrap_or("");
    assert!(
        text.contains("上级要求落实情况") && text.contains("按上级调整"),
        "{text}"
    );
    let shown = b.script(
        "return getComputedStyle(document.getElementById('downloads')).display;",
        serde_json::json!([]),
    );
    assert_eq!(
        shown,
        serde_json::json!("block"),
        "the download buttons are offered"
    );
    b.script(
        "document.getElementById('drop').scrollIntoView();",
        serde_json::json!([]),
    );
    b.screenshot(&shots().join("serve-coverage.png"));
    drop(b);
    assert_eq!(served.stop(), Some(0));
}

#[test]
fn json_carries_the_coverage_when_asked() {
    let path = seed("mengjin-district-2021-2025");
    let out = planlint(&[
        "check",
        "--coverage",
        "--format",
        "json",
        path.to_str().unwrap(),
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let coverage = &value["files"][0]["coverage"];
    assert_eq!(coverage["version"], 1);
    let rows = coverage["requirements"].as_array().unwrap();
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(row("科学素质国际交流合作工程")["status"], "adjusted");
    assert_eq!(
        row("科学素质国际交流合作工程")["adjusted"]["by"],
        "henan-2021"
    );
    assert_eq!(row("农民科学素质提升行动")["status"], "partial");
    assert_eq!(
        row("农民科学素质提升行动")["finding_codes"][0],
        "common/action-targets"
    );
    assert_eq!(row("青少年科学素质提升行动")["status"], "met");
    assert_eq!(row("纳入本地区总体规划")["group"], "duty");
    assert!(
        row("青少年科学素质提升行动")["start"]["line"]
            .as_u64()
            .unwrap()
            > 1
    );
    let plain = planlint(&["check", "--format", "json", path.to_str().unwrap()]);
    let value: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(
        value["files"][0].get("coverage").is_none(),
        "off unless asked"
    );
}

#[test]
fn every_seed_gets_an_opinion_with_one_item_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    for s in SEEDS {
        let docx = dir.path().join(format!("{s}.docx"));
        let out = planlint(&[
            "opinion",
            seed(s).to_str().unwrap(),
            "-o",
            docx.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = planlint::import::read_document("o.docx", &std::fs::read(&docx).unwrap())
            .unwrap()
            .text;
        let check = planlint(&["check", "--format", "json", seed(s).to_str().unwrap()]);
        let value: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
        let findings = value["files"][0]["findings"].as_array().unwrap().len();
        assert_eq!(
            text.matches("位置：").count(),
            findings,
            "{s}: one item per finding"
        );
        assert!(
            text.contains("三、审查意见") && text.contains("结论"),
            "{s}"
        );
    }
}
