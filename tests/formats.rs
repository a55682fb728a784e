//! Documents in the forms plans are published in, against the same text as .txt: the four seeds
//! made into web pages (tests/fixtures/html, laid out as disclosure sites do), Word 97–2003 and
//! WPS files and PDF (made with LibreOffice, committed; reading PDF needs pdftotext, and the
//! tests say so where it is absent) import to the same plan and give the same findings; a
//! division-of-work table gives the leads the body no longer has; bad files of each format are
//! refused with exit 2 and the reason.

mod common;

use common::{planlint, root};
use std::process::Command;

const SEEDS: &[&str] = &[
    "changzhi-city-2021-2025",
    "mengjin-district-2021-2025",
    "pingdingshan-city-2017-work-points",
    "tangshan-city-2023-work-points",
];

fn pdftotext_missing() -> bool {
    let missing = Command::new("pdftotext").arg("-v").output().is_err();
    if missing {
        eprintln!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
    }
    missing
}

/// (code, message, label) of every finding, sorted: what a reviewer reads, without positions.
fn findings(path: &str) -> Vec<(String, String, String)> {
    let out = planlint(&["check", "--format", "json", path]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let mut found: Vec<(String, String, String)> = value["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let t = |k: &str| f[k].as_str().unwrap_or("").to_owned();
            (t("code"), t("message"), t("label"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn each_seed_as_pdf_gives_the_findings_of_its_text() {
    if pdftotext_missing() {
        return;
    }
    for s in SEEDS {
        let txt = findings(&format!("tests/fixtures/texts/{s}.txt"));
        let pdf = findings(&format!("tests/fixtures/pdf/{s}.pdf"));
        assert!(!txt.is_empty() || s.contains("mengjin"), "{s}");
        assert_eq!(pdf, txt, "{s}: the PDF reads as the text does");
    }
    let out = planlint(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/pdf/mengjin-district-2021-2025.pdf",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["summary"]["pdf"], 1);
    // The report says where the text came from.
    let out = planlint(&[
        "report",
        "tests/fixtures/pdf/mengjin-district-2021-2025.pdf",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("正文由 pdftotext 从 PDF 提取"));
}

#[test]
fn bad_pdfs_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let refused = |path: &str, env: Option<(&str, &str)>, expected: &str| {
        let mut cmd = common::command_in(&["check", path], root());
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{path}");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(expected), "{path}: {expected} not in {text}");
    };
    // Not a PDF at all, though named so.
    refused(
        &write("fake.pdf", b"<html>not a pdf</html>"),
        None,
        "is not a PDF",
    );
    // No pdftotext: said how to install it.
    let real = root().join("tests/fixtures/pdf/mengjin-district-2021-2025.pdf");
    refused(
        real.to_str().unwrap(),
        Some(("PLANLINT_PDFTOTEXT", "/nonexistent/pdftotext")),
        "apt-get install poppler-utils",
    );
    if pdftotext_missing() {
        return;
    }
    // Truncated.
    let bytes = std::fs::read(&real).unwrap();
    refused(
        &write("cut.pdf", &bytes[..2000]),
        None,
        "the PDF cannot be read",
    );
    // A PDF with a page and no text (a scan).
    let blank = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    refused(&write("scan.pdf", blank), None, "no text to read");
}

/// The plan `planlint import` writes, without its header comments (which name the source and
/// how it was read).
fn plan_of(path: &str) -> String {
    let out = planlint(&["import", "--stdout", path]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines of `plan` that `text_plan` lacks.
fn extra_lines(plan: &str, text_plan: &str) -> Vec<String> {
    let text: std::collections::HashSet<&str> = text_plan.lines().collect();
    plan.lines()
        .filter(|l| !text.contains(l))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_seed_as_a_web_page_imports_to_the_plan_of_its_text() {
    let pages = [
        (
            "changzhi-city-2021-2025",
            "html",
            vec!["number = \"长政办发〔2023〕8号\""],
        ),
        (
            "mengjin-district-2021-2025",
            "html",
            vec!["number = \"孟政办〔2022〕11号\""],
        ),
        (
            "pingdingshan-city-2017-work-points",
            "htm",
            vec!["issuer = \"平顶山市全民科学素质工作领导小组办公室\""],
        ),
        ("tangshan-city-2023-work-points", "html", vec![]),
    ];
    for (seed, ext, from_table) in pages {
        let txt = format!("tests/fixtures/texts/{seed}.txt");
        let page = format!("tests/fixtures/html/{seed}.{ext}");
        let (text_plan, page_plan) = (plan_of(&txt), plan_of(&page));
        // What the text lacks comes from the disclosure table, and nothing else differs.
        assert_eq!(extra_lines(&page_plan, &text_plan), from_table, "{seed}");
        assert!(extra_lines(&text_plan, &page_plan).is_empty(), "{seed}");
        assert_eq!(findings(&page), findings(&txt), "{seed}");
    }
    // GBK pages are decoded as they declare, and the summary counts web pages.
    let out = planlint(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/html/changzhi-city-2021-2025.html",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["summary"]["html"], 1);
    let out = planlint(&[
        "import",
        "--stdout",
        "tests/fixtures/html/changzhi-city-2021-2025.html",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("# Note: read as HTML (GBK)"));
    // Labels point into the page's text: the report shows the article, not the site around it.
    let out = planlint(&[
        "report",
        "tests/fixtures/html/mengjin-district-2021-2025.html",
    ]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("从网页读取正文"));
    for chrome in ["网站标识码", "分享到", "相关链接", "document.write"] {
        assert!(!report.contains(chrome), "{chrome} in the report");
    }
}

#[test]
fn a_disclosure_field_that_differs_from_the_text_is_a_finding() {
    let page = std::fs::read_to_string(
        root().join("tests/fixtures/html/tangshan-city-2023-work-points.html"),
    )
    .unwrap()
    .replace(
        "<dd>唐全科字〔2023〕1号</dd>",
        "<dd>唐全科字〔2023〕2号</dd>",
    )
    .replace("<dd>2023-03-30</dd>", "<dd>2023-03-31</dd>");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("唐山.html");
    std::fs::write(&path, page).unwrap();
    let out = planlint(&["check", "--format", "json", path.to_str().unwrap()]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = &value["files"][0];
    let differs: Vec<&serde_json::Value> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "import/disclosure-differs")
        .collect();
    let messages: Vec<&str> = differs
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "网页公开信息的发文字号“唐全科字〔2023〕2号”与正文“唐全科字〔2023〕1号”不一致",
            "网页公开信息的成文日期“2023-03-31”与正文“2023年3月30日”不一致",
        ]
    );
    for f in differs {
        assert_eq!(f["severity"], "warning");
        assert!(
            !f["related"].as_array().unwrap().is_empty(),
            "points at the text too"
        );
    }
}

#[test]
fn each_seed_as_word_97_wps_and_docx_imports_to_the_plan_of_its_text() {
    for s in SEEDS {
        let txt = format!("tests/fixtures/texts/{s}.txt");
        for ext in ["doc", "docx"] {
            let doc = format!("tests/fixtures/doc/{s}.{ext}");
            assert_eq!(plan_of(&doc), plan_of(&txt), "{s}.{ext}");
            assert_eq!(findings(&doc), findings(&txt), "{s}.{ext}");
        }
    }
    let wps = "tests/fixtures/doc/tangshan-city-2023-work-points.wps";
    assert_eq!(
        findings(wps),
        findings("tests/fixtures/texts/tangshan-city-2023-work-points.txt")
    );
    let out = planlint(&["check", "--format", "json", "tests/fixtures/doc"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a folder of documents needs --documents"
    );
    let out = planlint(&[
        "check",
        "--documents",
        "--format",
        "json",
        "tests/fixtures/doc",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["summary"]["doc"], 6);
    assert_eq!(value["summary"]["docx"], 5);
}

#[test]
fn a_division_of_work_table_gives_the_leads_the_body_lacks() {
    let txt = "tests/fixtures/texts/mengjin-district-2021-2025.txt";
    let leads = |plan: &str| -> Vec<String> {
        // Each section's name with its lead and partner lines.
        let mut out = Vec::new();
        let mut section = String::new();
        for line in plan.lines() {
            if let Some(name) = line.strip_prefix("name = ") {
                section = name.to_owned();
            }
            if line.starts_with("lead = ") || line.starts_with("partners = ") {
                out.push(format!("{section} {line}"));
            }
        }
        out
    };
    let expected = leads(&plan_of(txt));
    assert_eq!(expected.len(), 20, "ten sections with leads and partners");
    for table in [
        "tests/fixtures/html/mengjin-division-table.html",
        "tests/fixtures/doc/mengjin-division-table.docx",
        "tests/fixtures/doc/mengjin-division-table.doc",
    ] {
        let plan = plan_of(table);
        assert_eq!(leads(&plan), expected, "{table}");
        assert_eq!(findings(table), findings(txt), "{table}");
        let out = planlint(&["import", "--stdout", table]);
        assert!(
            String::from_utf8_lossy(&out.stdout)
                .contains("# Note: the division-of-work table gave the units of 10 task(s)"),
            "{table}"
        );
    }
}

#[test]
fn bad_web_pages_and_word_files_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    let refused = |path: &str, expected: &str| {
        let out = planlint(&["check", path]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(expected), "{path}: {expected} not in {text}");
        assert!(!text.contains("panicked"), "{text}");
    };
    let doc =
        std::fs::read(root().join("tests/fixtures/doc/mengjin-district-2021-2025.doc")).unwrap();
    // Truncated: the compound file's sectors are missing.
    refused(
        &write("cut.doc", &doc[..doc.len() / 3]),
        "the Word document cannot be read",
    );
    // Encrypted: the FIB's fEncrypted flag set.
    let encrypted = with_word_stream(&doc, |w| w[0x0B] |= 0x01);
    refused(&write("locked.doc", &encrypted), "protected by a password");
    // A stream that declares 1 GB.
    let mut huge = doc.clone();
    let name: Vec<u8> = "WordDocument"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let entry = huge
        .windows(name.len())
        .position(|w| w == name.as_slice())
        .unwrap();
    huge[entry + 0x78..entry + 0x7C].copy_from_slice(&(1u32 << 30).to_le_bytes());
    refused(
        &write("huge.doc", &huge),
        "the Word document cannot be read",
    );
    // RTF and web archives under a .doc name.
    refused(
        &write("rtf.doc", b"{\\rtf1\\ansi text}"),
        "it is an RTF file",
    );
    refused(
        &write(
            "mht.doc",
            b"MIME-Version: 1.0\r\nContent-Type: multipart/related",
        ),
        "web archive (MHT)",
    );
    refused(
        &write("junk.wps", b"WPS 3.0 \x01\x02\x03 text"),
        "not a Word 97–2003 document",
    );
    // A .doc that is really a web page: an error page is no plan; a plan's page is read.
    refused(
        &write(
            "error.doc",
            "<html><body><h1>404 Not Found</h1><p>您访问的页面不存在</p></body></html>".as_bytes(),
        ),
        "不是可检查的规划文本",
    );
    let page =
        std::fs::read(root().join("tests/fixtures/html/tangshan-city-2023-work-points.html"))
            .unwrap();
    let named_doc = write("tangshan.doc", &page);
    let out = planlint(&["import", "--stdout", &named_doc]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("a web page named .doc"));
    // An encrypted .docx is a compound file holding the encrypted package.
    let mut locked = std::io::Cursor::new(Vec::new());
    {
        use std::io::Write;
        let mut cf = cfb::CompoundFile::create(&mut locked).unwrap();
        cf.create_stream("/EncryptionInfo")
            .unwrap()
            .write_all(&[4, 0, 4, 0])
            .unwrap();
        cf.create_stream("/EncryptedPackage")
            .unwrap()
            .write_all(&[0; 64])
            .unwrap();
    }
    refused(
        &write("locked.docx", &locked.into_inner()),
        "protected by a password",
    );
    // Web pages: nothing but scripts; and a page cut in the middle of a tag still reads.
    refused(
        &write(
            "empty.html",
            b"<html><head><script>render()</script></head><body><div id=app></div></body></html>",
        ),
        "the web page cannot be read",
    );
    let cut = &page[..page.len() * 2 / 3];
    let out = planlint(&["check", &write("cut.html", cut)]);
    assert!(matches!(out.status.code(), Some(0..=2)));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}

/// The .doc with its WordDocument stream changed by `edit`.
fn with_word_stream(doc: &[u8], edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    use std::io::{Read, Seek, Write};
    let mut file = cfb::CompoundFile::open(std::io::Cursor::new(doc.to_vec())).unwrap();
    let mut word = Vec::new();
    file.open_stream("/WordDocument")
        .unwrap()
        .read_to_end(&mut word)
        .unwrap();
    edit(&mut word);
    let mut stream = file.open_stream("/WordDocument").unwrap();
    stream.seek(std::io::SeekFrom::Start(0)).unwrap();
    stream.write_all(&word).unwrap();
    drop(stream);
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn a_page_saved_with_its_parts_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let page = root().join("tests/fixtures/html/mengjin-district-2021-2025.html");
    std::fs::copy(&page, dir.path().join("孟津区方案.html")).unwrap();
    let parts = dir.path().join("孟津区方案_files");
    std::fs::create_dir(&parts).unwrap();
    std::fs::write(parts.join("style.css"), "p{}").unwrap();
    std::fs::write(
        parts.join("frame.htm"),
        "<html><body><p>分享</p></body></html>",
    )
    .unwrap();
    let out = planlint(&[
        "check",
        "--documents",
        "--format",
        "json",
        dir.path().to_str().unwrap(),
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["summary"]["files"], 1, "{value}");
    assert_eq!(value["summary"]["html"], 1);
}
