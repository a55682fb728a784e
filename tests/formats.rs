//! Documents in the forms plans are published in, against the same text as .txt: the four seeds
//! made into PDF with LibreOffice (committed; reading them needs pdftotext, and the tests say so
//! where it is absent) give the same findings; bad PDFs are refused with exit 2.

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
