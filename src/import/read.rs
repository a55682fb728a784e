//! Bytes of a received document → text: encoding detection for plain text, paragraph
//! extraction for .docx. Every failure is a diagnostic, never a panic.

use std::io::{Cursor, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

/// Documents larger than this are refused: no plan runs to it, and reading one would cost
/// memory for nothing.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// The most a .docx's word/document.xml may decompress to. Published plans run to 1–3 MB of XML
/// (a 100-page plan with tables is about 5 MB); anything larger is refused, not read truncated.
pub const MAX_DOCX_XML_BYTES: u64 = 16 * 1024 * 1024;

/// The text of a document and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentText {
    pub text: String,
    /// e.g. "UTF-8", "GBK", "docx".
    pub read_as: String,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Empty,
    TooLarge(usize),
    Binary,
    BadDocx(String),
    /// A PDF, and no `pdftotext` to read it with.
    NoPdfTool,
    BadPdf(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Empty => write!(f, "the document is empty"),
            ReadError::TooLarge(n) => write!(
                f,
                "the document is {} MB; planlint reads documents up to {} MB",
                n / 1_000_000,
                MAX_DOCUMENT_BYTES / 1_000_000
            ),
            ReadError::Binary => write!(
                f,
                "the document is not text (it holds binary data); a .docx must end in .docx"
            ),
            ReadError::BadDocx(why) => write!(f, "the .docx cannot be read: {why}"),
            ReadError::NoPdfTool => write!(
                f,
                "reading a PDF needs pdftotext (poppler), which is not installed: \
                 apt-get install poppler-utils (Debian, Ubuntu), brew install poppler (macOS); \
                 or give the .docx or .txt"
            ),
            ReadError::BadPdf(why) => write!(f, "the PDF cannot be read: {why}"),
        }
    }
}

/// Read a document's bytes: `.docx` by its extension or zip signature, anything else as text.
pub fn read_document(name: &str, bytes: &[u8]) -> Result<DocumentText, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    if name.to_lowercase().ends_with(".docx") || bytes.starts_with(b"PK\x03\x04") {
        return read_docx(bytes);
    }
    if bytes.starts_with(b"%PDF-") {
        return super::pdf::read_pdf(bytes);
    }
    if name.to_lowercase().ends_with(".pdf") {
        return Err(ReadError::BadPdf(
            "the file is named .pdf but is not a PDF (it does not start with %PDF-)".to_owned(),
        ));
    }
    let (text, read_as) = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(DocumentText { text, read_as })
}

/// BOM, then strict UTF-8, then detection (with the Chinese hint) — GBK read as GB18030, its
/// superset.
fn decode_text(bytes: &[u8]) -> Result<(String, String), ReadError> {
    // A BOM first: UTF-16 text is full of zero bytes.
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _, _) = encoding.decode(&bytes[bom..]);
        return Ok((text.into_owned(), encoding.name().to_owned()));
    }
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
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
    let mut xml = String::new();
    {
        let entry = archive.by_name("word/document.xml").map_err(|e| bad(&e))?;
        // Bound the decompressed size too: a zip bomb is refused like a huge file.
        entry
            .take(MAX_DOCX_XML_BYTES + 1)
            .read_to_string(&mut xml)
            .map_err(|e| bad(&e))?;
        if xml.len() as u64 > MAX_DOCX_XML_BYTES {
            return Err(ReadError::BadDocx(format!(
                "its text (word/document.xml) decompresses to more than {}; no plan is that long",
                crate::source::human_size(MAX_DOCX_XML_BYTES)
            )));
        }
    }
    let mut reader = Reader::from_str(&xml);
    let mut text = String::new();
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
                        text.push_str(&format!("{n}."));
                    }
                    text.push_str(&paragraph);
                    text.push('\n');
                    paragraph.clear();
                }
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
    if text.trim().is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(DocumentText {
        text,
        read_as: "docx".to_owned(),
    })
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
