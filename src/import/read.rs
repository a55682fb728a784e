//! Bytes of a received document → text: encoding detection for plain text, paragraph
//! extraction for .docx. Every failure is a diagnostic, never a panic.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::text::{DocumentText, ReadError, TextBuilder, MAX_DOCUMENT_BYTES, MAX_DOCX_XML_BYTES};

/// Read a document's bytes: `.docx` by its extension or zip signature, anything else as text.
pub fn read_document(name: &str, bytes: &[u8]) -> Result<DocumentText, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    // A compound file first: an encrypted .docx is one, not a zip.
    if bytes.starts_with(super::doc::CFB_SIGNATURE) {
        return super::doc::read_doc(bytes);
    }
    if name.to_lowercase().ends_with(".docx") || bytes.starts_with(b"PK\x03\x04") {
        return read_docx(bytes);
    }
    if name.to_lowercase().ends_with(".pdf") && !bytes.starts_with(b"%PDF-") {
        return Err(ReadError::BadPdf(
            "the file is named .pdf but is not a PDF (it does not start with %PDF-)".to_owned(),
        ));
    }
    let lower = name.to_lowercase();
    let named_doc = lower.ends_with(".doc") || lower.ends_with(".wps");
    if looks_like_html(name, bytes) {
        // Sites often serve a page saved by Word, or an error page, under a .doc name.
        let mut page = super::html::read_html(bytes)?;
        if named_doc {
            page.read_as = format!(
                "{} (a web page named {})",
                page.read_as,
                &lower[lower.len() - 4..]
            );
        }
        return Ok(page);
    }
    if named_doc {
        let head = &bytes[..bytes.len().min(64)];
        let why = if head.starts_with(b"{\\rtf") {
            "it is an RTF file, not a Word 97–2003 document; open it in Word or WPS and save it as .docx"
        } else if head
            .windows(13)
            .any(|w| w.eq_ignore_ascii_case(b"MIME-Version:"))
        {
            "it is a web archive (MHT), not a Word 97–2003 document; open it in Word or WPS and save it as .docx"
        } else {
            "it is not a Word 97–2003 document (it lacks the compound-file signature); open it in Word or WPS and save it as .docx"
        };
        return Err(ReadError::BadDoc(why.to_owned()));
    }
    if bytes.starts_with(b"%PDF-") {
        return super::pdf::read_pdf(bytes);
    }
    let (text, read_as) = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(DocumentText::plain(text, &read_as))
}

/// A web page by its name, or by its first markup (what a .doc saved by a site often is).
fn looks_like_html(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_lowercase();
    if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".shtml") {
        return true;
    }
    // The first non-blank bytes (after a BOM) open a document, a comment, or <html.
    let head: Vec<u8> = bytes
        .iter()
        .take(1024)
        .copied()
        .filter(|b| *b != 0)
        .skip_while(|b| b.is_ascii_whitespace() || *b >= 0x80)
        .take(16)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    head.starts_with(b"<!doctype html")
        || head.starts_with(b"<html")
        || head.starts_with(b"<?xml")
            && bytes
                .windows(5)
                .take(4096)
                .any(|w| w.eq_ignore_ascii_case(b"<html"))
}

/// BOM, then strict UTF-8, then detection (with the Chinese hint) — GBK read as GB18030, its
/// superset.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<(String, String), ReadError> {
    // A BOM first: UTF-16 text is full of zero bytes.
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = encoding.decode(&bytes[bom..]);
        return Ok((text.into_owned(), encoding.name().to_owned()));
    }
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    if let Ok(text) = crate::source::as_utf8(bytes) {
        return Ok((text.to_owned(), "UTF-8".to_owned()));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let mut encoding = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    if encoding == encoding_rs::GBK {
        encoding = encoding_rs::GB18030;
    }
    let (text, _, had_errors) = encoding.decode(bytes);
    // Many replacement characters or control bytes mean this was never text.
    let bad = text
        .chars()
        .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
        .count();
    if had_errors && bad * 20 > text.chars().count() {
        return Err(ReadError::Binary);
    }
    let name = if encoding == encoding_rs::GB18030 {
        "GBK"
    } else {
        encoding.name()
    };
    Ok((text.into_owned(), name.to_owned()))
}

/// The paragraphs of word/document.xml, one per line, in order. Automatically numbered
/// paragraphs get their number written out ("1."), since the numbering is what marks measures.
fn read_docx(bytes: &[u8]) -> Result<DocumentText, ReadError> {
    let bad = |e: &dyn std::fmt::Display| ReadError::BadDocx(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(&e))?;
    // Bytes, not a string: only the text between tags is decoded (and so checked as UTF-8),
    // not the markup around it, which is most of the file.
    let mut xml = Vec::new();
    {
        let entry = archive.by_name("word/document.xml").map_err(|e| bad(&e))?;
        // Bound the decompressed size too: a zip bomb is refused like a huge file.
        entry
            .take(MAX_DOCX_XML_BYTES + 1)
            .read_to_end(&mut xml)
            .map_err(|e| bad(&e))?;
        if xml.len() as u64 > MAX_DOCX_XML_BYTES {
            return Err(ReadError::BadDocx(format!(
                "its text (word/document.xml) decompresses to more than {}; no plan is that long",
                crate::source::human_size(MAX_DOCX_XML_BYTES)
            )));
        }
    }
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut out = TextBuilder::default();
    let mut paragraph = String::new();
    let mut in_text = false;
    let mut numbered: Option<(String, String)> = None; // (numId, ilvl) of this paragraph
    let mut counters: std::collections::HashMap<(String, String), usize> = Default::default();
    let attr = |e: &quick_xml::events::BytesStart<'_>| -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == b"val")
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
    };
    let mut num_id = None;
    let mut ilvl = None;
    // Whether the open cell continues the one above (w:vMerge without "restart").
    let mut merged_above = false;
    loop {
        match reader.read_event().map_err(|e| bad(&e))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tab" => paragraph.push('\t'),
                b"br" => paragraph.push(' '),
                b"numId" => num_id = attr(&e),
                b"ilvl" => ilvl = attr(&e),
                b"p" => {
                    paragraph.clear();
                    num_id = None;
                    ilvl = None;
                    numbered = None;
                }
                b"tbl" => out.start_table(),
                b"tr" => out.start_row(),
                b"tc" => {
                    out.start_cell();
                    merged_above = false;
                }
                b"gridSpan" => {
                    let columns = attr(&e).and_then(|v| v.parse().ok()).unwrap_or(1);
                    out.cell_span(1, columns);
                }
                b"vMerge" => merged_above = attr(&e).as_deref() != Some("restart"),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"numPr" => {
                    if let Some(id) = num_id.clone() {
                        numbered = Some((id, ilvl.clone().unwrap_or_else(|| "0".into())));
                    }
                }
                b"p" => {
                    if let Some(key) = numbered.take() {
                        let n = counters.entry(key).or_default();
                        *n += 1;
                        out.push_str(&format!("{n}."));
                    }
                    out.paragraph(&paragraph);
                    paragraph.clear();
                }
                b"tc" => out.end_cell(merged_above),
                b"tbl" => out.end_table(),
                _ => {}
            },
            Event::Text(t) if in_text => paragraph.push_str(&t.decode().map_err(|e| bad(&e))?),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    paragraph.push(c);
                } else {
                    paragraph.push_str(match r.decode().map_err(|e| bad(&e))?.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out.into_document("docx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_detected() {
        let original = "平顶山市2017年全民科学素质工作要点\n一、以服务创新驱动发展战略实施为导向，实现科普服务的全覆盖\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(original);
        let read = read_document("x.txt", &gbk).unwrap();
        assert_eq!(read.text, original);
        assert_eq!(read.read_as, "GBK");
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "二、提升行动".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert_eq!(read_document("x.txt", &bytes).unwrap().text, "二、提升行动");
    }

    /// A .docx whose body is `body` (WordprocessingML inside w:body).
    fn docx_of(body: &str) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            zip.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            write!(
                zip,
                "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
            )
            .unwrap();
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn docx_tables_keep_their_grid_across_merged_cells() {
        let cell = |props: &str, text: &str| {
            format!("<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
        };
        let body = format!(
            "<w:p><w:r><w:t>附件</w:t></w:r></w:p><w:tbl>\
             <w:tr>{}{}</w:tr>\
             <w:tr>{}{}</w:tr>\
             <w:tr>{}{}</w:tr>\
             <w:tr>{}</w:tr></w:tbl>",
            cell("", "任务"),
            cell("", "牵头单位"),
            cell("", "甲"),
            cell("<w:vMerge w:val=\"restart\"/>", "市科协"),
            cell("", "乙"),
            cell("<w:vMerge/>", ""),
            cell("<w:gridSpan w:val=\"2\"/>", "二、重点工程"),
        );
        let read = read_document("t.docx", &docx_of(&body)).unwrap();
        let table = &read.tables[0];
        let at = |r: usize, c: usize| &read.text[table.rows[r][c].clone()];
        assert_eq!((at(0, 0), at(0, 1)), ("任务", "牵头单位"));
        // The cell merged down gives its text to the row below; the one spanning two columns is
        // at both.
        assert_eq!((at(2, 0), at(2, 1)), ("乙", "市科协"));
        assert_eq!((at(3, 0), at(3, 1)), ("二、重点工程", "二、重点工程"));
        // Every cell is a paragraph of the text too.
        assert!(
            read.text
                .starts_with("附件\n任务\n牵头单位\n甲\n市科协\n乙\n"),
            "{}",
            read.text
        );
    }

    #[test]
    fn bad_input_is_refused() {
        assert_eq!(read_document("x.txt", b""), Err(ReadError::Empty));
        assert_eq!(
            read_document("x.txt", b"\x00\x01\x02"),
            Err(ReadError::Binary)
        );
        assert!(matches!(
            read_document("x.docx", b"PK\x03\x04broken"),
            Err(ReadError::BadDocx(_))
        ));
    }
}
