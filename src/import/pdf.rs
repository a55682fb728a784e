//! PDF → text, through poppler's `pdftotext` (run as a subprocess, reading the bytes from its
//! standard input: nothing is written to disk), with a time limit; then the cleaning PDF text
//! needs before it reads like the document: page numbers (— 3 —) and running headers dropped,
//! lines the page broke inside a sentence joined, and the spaces extraction puts between
//! Chinese characters and digits (2025 年) removed. Spans point into the cleaned text.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::text::{DocumentText, ReadError, MAX_DOCUMENT_BYTES};

/// The longest a PDF may take to extract: a 100-page plan takes well under a second.
pub const PDF_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The program, overridable for tests and unusual installs.
fn program() -> String {
    std::env::var("PLANLINT_PDFTOTEXT").unwrap_or_else(|_| "pdftotext".to_owned())
}

pub fn read_pdf(bytes: &[u8]) -> Result<DocumentText, ReadError> {
    let raw = extract(bytes)?;
    let text = clean(&raw);
    if text.chars().filter(|c| !c.is_whitespace()).count() < 20 {
        return Err(ReadError::BadPdf(
            "the PDF has no text to read (a scanned image?); planlint needs a PDF with a text layer, or the .docx"
                .to_owned(),
        ));
    }
    Ok(DocumentText::plain(text, "PDF"))
}

fn extract(bytes: &[u8]) -> Result<String, ReadError> {
    let mut child = Command::new(program())
        .args(["-enc", "UTF-8", "-eol", "unix", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ReadError::NoPdfTool
            } else {
                ReadError::BadPdf(format!("cannot run pdftotext: {e}"))
            }
        })?;
    // Fed and drained on their own threads, so that neither pipe can fill and block the other.
    let mut stdin = child.stdin.take().expect("piped");
    let input = bytes.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        // Text is smaller than the PDF it came from; four times the largest document is plenty.
        let _ = (&mut stdout)
            .take(4 * MAX_DOCUMENT_BYTES as u64)
            .read_to_end(&mut out);
        out
    });
    let mut stderr = child.stderr.take().expect("piped");
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_string(&mut out);
        out
    });
    let deadline = Instant::now() + PDF_TIME_LIMIT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ReadError::BadPdf(format!(
                    "pdftotext took longer than {} s",
                    PDF_TIME_LIMIT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(ReadError::BadPdf(format!("pdftotext: {e}"))),
        }
    };
    let _ = feeder.join();
    let out = reader.join().unwrap_or_default();
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        let why = errors
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("it could not read the file")
            .trim()
            .to_owned();
        let why = if why.contains("password") || why.contains("ncrypt") {
            "the PDF is encrypted; planlint cannot read it".to_owned()
        } else {
            format!("pdftotext: {why}")
        };
        return Err(ReadError::BadPdf(why));
    }
    String::from_utf8(out)
        .map_err(|_| ReadError::BadPdf("pdftotext gave text that is not UTF-8".into()))
}

fn is_cjk(c: char) -> bool {
    ('\u{3400}'..='\u{9FFF}').contains(&c) || ('\u{F900}'..='\u{FAFF}').contains(&c)
}

/// A line that is only a page number: 3, - 3 -, — 3 —, 第3页, 第 3 页 共 20 页, 3/20.
fn is_page_number(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return false;
    }
    let inner = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '－' | '·'));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    digits(inner)
        || t.strip_prefix('第')
            .and_then(|r| r.split_once('页'))
            .is_some_and(|(n, rest)| digits(n) && (rest.is_empty() || rest.starts_with('共')))
        || t.split_once('/')
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// — 3 —, - 3 -: a page number wherever it is.
fn is_dashed_number(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－');
    let inner = t.trim_matches(dashes);
    inner.len() < t.len()
        && t.starts_with(dashes)
        && t.ends_with(dashes)
        && !inner.is_empty()
        && inner.len() <= 4
        && inner.chars().all(|c| c.is_ascii_digit())
}

/// Where a new paragraph surely starts: a heading or item marker.
fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    let mut chars = t.chars();
    let first = chars.next().unwrap_or(' ');
    if matches!(
        first,
        '（' | '('
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '附'
            | '—'
            | '●'
            | '•'
    ) {
        return true;
    }
    // 1. 1、 1．
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    !digits.is_empty()
        && t[digits.len()..]
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '.' | '、' | '．'))
}

/// A line that ends a paragraph may fill the page's width too; only a full stop tells. A colon,
/// a semicolon or a bracket at the margin (…的社区居民。(责任单位：) goes on in the next line.
fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '。' | '！' | '？'))
}

/// Remove the spaces extraction puts between a Chinese character and a digit or another
/// Chinese character (全 民 科 学, 2025 年), and trailing spaces.
fn close_spaces(line: &str) -> String {
    let chars: Vec<char> = line.trim_end().chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = out.chars().last();
            let after = chars[i + 1..].iter().find(|c| **c != ' ').copied();
            if let (Some(b), Some(a)) = (before, after) {
                let near = |x: char| {
                    is_cjk(x) || x.is_ascii_digit() || "，。；：、（）《》“”％%".contains(x)
                };
                if (is_cjk(b) || is_cjk(a)) && near(b) && near(a) {
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// PDF text as the document reads.
pub fn clean(raw: &str) -> String {
    let pages: Vec<Vec<&str>> = raw.split('\u{c}').map(|p| p.lines().collect()).collect();
    // A running header or footer: a short line on most pages, at the same place.
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for page in &pages {
        let lines: Vec<&str> = page
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        let edges = lines.iter().take(1).chain(lines.iter().rev().take(1));
        for l in edges.collect::<std::collections::BTreeSet<_>>() {
            if l.chars().count() <= 40 {
                *counts.entry(l).or_default() += 1;
            }
        }
    }
    let many = pages.len() >= 3;
    let running = |l: &str| many && counts.get(l.trim()).is_some_and(|&n| n * 2 > pages.len());
    // Page numbers sit at a page's top or bottom; a bare number elsewhere (a year the page
    // split off, 2017) is text.
    let mut lines: Vec<String> = Vec::new();
    for page in &pages {
        let filled: Vec<usize> = (0..page.len())
            .filter(|&i| !page[i].trim().is_empty())
            .collect();
        let edge = |i: usize| filled.first() == Some(&i) || filled.last() == Some(&i);
        for (i, l) in page.iter().enumerate() {
            if (edge(i) && is_page_number(l)) || is_dashed_number(l) || running(l) {
                continue;
            }
            lines.push(close_spaces(l));
        }
    }
    // A page's full width, from the longest lines; a line that fills it and does not end a
    // sentence was broken by the page, and goes on in the next line.
    let mut widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    widths.sort_unstable();
    let full = widths
        .get(widths.len().saturating_sub(1 + widths.len() / 10))
        .copied()
        .unwrap_or(0);
    let mut out = String::with_capacity(raw.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let next = lines.get(i + 1);
        let broken = full >= 20
            && line.chars().count() + 2 >= full
            && !ends_sentence(line)
            && next.is_some_and(|n| !n.trim().is_empty() && !starts_block(n));
        if !broken {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_headers_breaks_and_spaces_are_cleaned() {
        assert!(is_page_number("— 3 —"));
        assert!(is_page_number(" - 12 - "));
        assert!(is_page_number("第 3 页 共 20 页"));
        assert!(is_page_number("3/20"));
        assert!(!is_page_number("2025年"));
        assert!(!is_page_number("一、总体要求"));
        assert!(is_dashed_number("— 3 —") && !is_dashed_number("2017") && !is_dashed_number("—"));
        assert_eq!(close_spaces("到 2025 年，全 民 科学"), "到2025年，全民科学");
        assert_eq!(close_spaces("Science and 科学"), "Science and 科学");
        let page = |n: usize, body: &str| format!("某县人民政府文件\n{body}\n— {n} —\n");
        let raw = [
            page(1, "一、总体要求\n为全面做好我县全民科学素质工作，根据上级要求结合本县实际情况特制定本实施\n方案。"),
            page(2, "（一）指导思想\n以习近平新时代中国特色社会主义思想为指导，深入贯彻党的十九大精神，大力普及科\n学知识。"),
            page(3, "（二）主要目标\n到 2025 年，公民具备科学素质的比例超过 15%。"),
        ]
        .join("\u{c}");
        let text = clean(&raw);
        assert!(
            !text.contains("— 1 —") && !text.contains("某县人民政府文件"),
            "{text}"
        );
        assert!(text.contains("特制定本实施方案。"), "{text}");
        assert!(text.contains("大力普及科学知识。"), "{text}");
        assert!(
            text.contains("到2025年，公民具备科学素质的比例超过15%。"),
            "{text}"
        );
        assert!(text.contains("\n（一）指导思想\n"), "{text}");
    }
}
