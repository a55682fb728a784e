//! Word 97–2003 (.doc) and WPS Writer (.wps, which shares the format) → text. The compound
//! file is opened with `cfb`; the WordDocument stream's FIB gives the length of the main text,
//! the table stream and, there, the piece table ([MS-DOC] 2.8.35 Clx): which bytes hold which
//! characters, 8-bit (windows-1252) or UTF-16. Paragraph properties (the FKPs of
//! PlcBtePapx) tell a cell's end from a table row's end, and which cells continue the one
//! above, so tables keep their grid. Every offset read from the file is checked; a damaged or
//! encrypted file is refused with the reason, never a panic.

use std::io::{Cursor, Read};

use super::text::{DocumentText, ReadError, TextBuilder, MAX_DOCUMENT_BYTES};

/// The compound file's signature.
pub const CFB_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The largest stream read: a plan's text stream is a few MB.
const MAX_STREAM_BYTES: u64 = 4 * MAX_DOCUMENT_BYTES as u64;

fn bad(why: impl Into<String>) -> ReadError {
    ReadError::BadDoc(why.into())
}

fn damaged(what: &str) -> ReadError {
    bad(format!(
        "the file is damaged ({what}); open it in Word or WPS and save it as .docx"
    ))
}

pub fn read_doc(bytes: &[u8]) -> Result<DocumentText, ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| {
        bad(format!(
            "it is cut short or damaged ({e}); open it in Word or WPS and save it as .docx"
        ))
    })?;
    if !file.is_stream("/WordDocument") {
        if file.is_stream("/EncryptedPackage") {
            return Err(encrypted());
        }
        let mut streams: Vec<String> = file
            .walk()
            .filter(|e| e.is_stream())
            .map(|e| e.name().to_owned())
            .take(6)
            .collect();
        streams.sort();
        return Err(bad(format!(
            "it holds no Word text (its parts: {}); a .wps of Microsoft Works or of WPS before \
             2005, or another Office file; open it in WPS or Word and save it as .docx",
            streams.join(", ")
        )));
    }
    let word = stream(&mut file, "/WordDocument")?;
    let fib = Fib::read(&word)?;
    let table_name = if fib.table_one { "/1Table" } else { "/0Table" };
    if !file.is_stream(table_name) {
        return Err(damaged("its table stream is missing"));
    }
    let table = stream(&mut file, table_name)?;
    let pieces = pieces(&table, &fib)?;
    let paragraphs = paragraph_runs(&word, &table, &fib);
    let chars = characters(&word, &pieces, fib.text_length)?;
    assemble(&chars, &paragraphs).into_document("doc")
}

fn encrypted() -> ReadError {
    bad(
        "it is protected by a password (encrypted); open it in Word or WPS, remove the password \
         and save it, or give the .docx",
    )
}

/// A stream's bytes, refused when it declares a size no plan has.
fn stream(file: &mut cfb::CompoundFile<Cursor<&[u8]>>, path: &str) -> Result<Vec<u8>, ReadError> {
    let declared = file.entry(path).map(|e| e.len()).unwrap_or(0);
    if declared > MAX_STREAM_BYTES {
        return Err(bad(format!(
            "its {} stream declares {}; no plan is that long",
            path.trim_start_matches('/'),
            crate::source::human_size(declared)
        )));
    }
    let mut out = Vec::new();
    file.open_stream(path)
        .and_then(|s| s.take(MAX_STREAM_BYTES).read_to_end(&mut out))
        .map_err(|e| damaged(&format!("its {} stream: {e}", path.trim_start_matches('/'))))?;
    Ok(out)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

/// What the File Information Block says ([MS-DOC] 2.5.1).
#[derive(Debug)]
struct Fib {
    table_one: bool,
    /// Characters of the main document (ccpText).
    text_length: usize,
    clx: (usize, usize),
    papx: (usize, usize),
}

impl Fib {
    fn read(word: &[u8]) -> Result<Fib, ReadError> {
        let short = || damaged("its header is cut short");
        if u16_at(word, 0).ok_or_else(short)? != 0xA5EC {
            return Err(bad(
                "its WordDocument stream is not a Word 97–2003 document; open it in Word or WPS and save it as .docx",
            ));
        }
        let n_fib = u16_at(word, 2).ok_or_else(short)?;
        let flags = u16_at(word, 0x0A).ok_or_else(short)?;
        if flags & 0x0100 != 0 {
            return Err(encrypted());
        }
        if n_fib < 0x00C1 {
            return Err(bad(
                "it is in the Word 6.0/95 format, which planlint does not read; open it in Word or WPS and save it as .docx",
            ));
        }
        let csw = u16_at(word, 32).ok_or_else(short)? as usize;
        let lw_at = 34 + csw * 2;
        let cslw = u16_at(word, lw_at).ok_or_else(short)? as usize;
        let lw = lw_at + 2;
        let text_length = u32_at(word, lw + 3 * 4).ok_or_else(short)? as usize;
        let fclcb = lw + cslw * 4 + 2;
        let pair = |index: usize| -> Option<(usize, usize)> {
            let at = fclcb + index * 8;
            Some((u32_at(word, at)? as usize, u32_at(word, at + 4)? as usize))
        };
        Ok(Fib {
            table_one: flags & 0x0200 != 0,
            text_length,
            clx: pair(33).ok_or_else(short)?,
            papx: pair(13).unwrap_or((0, 0)),
        })
    }
}

/// A run of characters stored together: CPs [start, end) at byte `offset`, one byte each
/// (windows-1252) or two (UTF-16LE).
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    offset: usize,
    compressed: bool,
}

/// The piece table, from the Clx ([MS-DOC] 2.9.38): property runs (Prc) first, then the Pcdt.
fn pieces(table: &[u8], fib: &Fib) -> Result<Vec<Piece>, ReadError> {
    let (at, len) = fib.clx;
    let clx = at
        .checked_add(len)
        .and_then(|end| table.get(at..end))
        .ok_or_else(|| damaged("its piece table lies outside the file"))?;
    let mut i = 0;
    loop {
        match clx.get(i) {
            Some(0x01) => {
                let size =
                    u16_at(clx, i + 1).ok_or_else(|| damaged("a property run is cut short"))?;
                i += 3 + size as usize;
            }
            Some(0x02) => break,
            _ => return Err(damaged("its piece table is missing")),
        }
    }
    let lcb = u32_at(clx, i + 1).ok_or_else(|| damaged("its piece table is cut short"))? as usize;
    let plc = clx
        .get(i + 5..(i + 5).saturating_add(lcb))
        .ok_or_else(|| damaged("its piece table is cut short"))?;
    if plc.len() < 16 {
        return Err(damaged("its piece table is empty"));
    }
    let n = (plc.len() - 4) / 12;
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let start = u32_at(plc, k * 4).unwrap_or(0) as usize;
        let end = u32_at(plc, (k + 1) * 4).unwrap_or(0) as usize;
        let pcd = 4 * (n + 1) + k * 8;
        let raw = u32_at(plc, pcd + 2).unwrap_or(0);
        let compressed = raw & 0x4000_0000 != 0;
        let fc = (raw & 0x3FFF_FFFF) as usize;
        if end <= start {
            continue;
        }
        out.push(Piece {
            start,
            end,
            offset: if compressed { fc / 2 } else { fc },
            compressed,
        });
    }
    Ok(out)
}

/// A character of the main text and the file offset (FC) it is stored at.
struct Char {
    c: char,
    fc: usize,
}

/// The main document's characters (CPs 0..text_length), in order.
fn characters(word: &[u8], pieces: &[Piece], text_length: usize) -> Result<Vec<Char>, ReadError> {
    let mut out = Vec::with_capacity(text_length.min(word.len()));
    for piece in pieces {
        if piece.start >= text_length {
            continue;
        }
        let count = piece.end.min(text_length) - piece.start;
        let width = if piece.compressed { 1 } else { 2 };
        let bytes = piece
            .offset
            .checked_add(count * width)
            .and_then(|end| word.get(piece.offset..end))
            .ok_or_else(|| damaged("a piece of its text lies outside the file"))?;
        if piece.compressed {
            let (decoded, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            for (k, c) in decoded.chars().enumerate() {
                out.push(Char {
                    c,
                    fc: piece.offset + k,
                });
            }
        } else {
            let units = bytes
                .chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]]));
            let mut k = 0;
            for decoded in char::decode_utf16(units) {
                let c = decoded.unwrap_or('\u{FFFD}');
                out.push(Char {
                    c,
                    fc: piece.offset + k * 2,
                });
                k += c.len_utf16();
            }
        }
    }
    if out.is_empty() && text_length > 0 {
        return Err(damaged("its piece table holds none of its text"));
    }
    Ok(out)
}

/// The properties of a run of paragraphs that matter here.
#[derive(Debug, Clone, Default)]
struct Paragraph {
    /// FCs [start, end) of the run.
    start: usize,
    end: usize,
    /// The paragraph is in a table (sprmPFInTable, sprmPItap).
    in_table: bool,
    /// The paragraph mark ends a table row (sprmPFTtp).
    row_end: bool,
    /// The list (ilfo) and level of an automatically numbered paragraph.
    list: Option<(u16, u8)>,
    /// Per cell of a row end: whether it continues the cell above (sprmTDefTable's TC80).
    merged_above: Vec<bool>,
}

/// The paragraph runs of the FKPs listed by PlcBtePapx, sorted by FC. A damaged entry is left
/// out (its paragraphs then read as plain paragraphs).
fn paragraph_runs(word: &[u8], table: &[u8], fib: &Fib) -> Vec<Paragraph> {
    let (at, len) = fib.papx;
    let Some(plc) = at.checked_add(len).and_then(|end| table.get(at..end)) else {
        return Vec::new();
    };
    if plc.len() < 12 {
        return Vec::new();
    }
    let n = (plc.len() - 4) / 8;
    let mut out = Vec::new();
    for k in 0..n {
        let Some(pn) = u32_at(plc, 4 * (n + 1) + k * 4) else {
            continue;
        };
        let page_at = (pn & 0x3F_FFFF) as usize * 512;
        let Some(page) = word.get(page_at..page_at + 512) else {
            continue;
        };
        let runs = page[511] as usize;
        for r in 0..runs {
            let (Some(start), Some(end)) = (u32_at(page, r * 4), u32_at(page, (r + 1) * 4)) else {
                break;
            };
            let Some(&b_offset) = page.get(4 * (runs + 1) + 13 * r) else {
                break;
            };
            let mut paragraph = Paragraph {
                start: start as usize,
                end: end as usize,
                ..Default::default()
            };
            if b_offset != 0 {
                let o = b_offset as usize * 2;
                let grpprl = match page.get(o) {
                    Some(0) => page
                        .get(o + 1)
                        .and_then(|&cb| page.get(o + 2..o + 2 + 2 * cb as usize)),
                    Some(&cb) => page.get(o + 1..o + 2 * cb as usize),
                    None => None,
                };
                if let Some(grpprl) = grpprl {
                    // The first two bytes are the style (istd).
                    read_sprms(grpprl.get(2..).unwrap_or(&[]), &mut paragraph);
                }
            }
            out.push(paragraph);
        }
    }
    out.sort_by_key(|p| p.start);
    out
}

/// Reads the paragraph's properties that matter from its sprms ([MS-DOC] 2.6).
fn read_sprms(mut b: &[u8], paragraph: &mut Paragraph) {
    let mut list_id = 0u16;
    let mut level = 0u8;
    while let Some(sprm) = u16_at(b, 0) {
        let operand = &b[2..];
        let size = match sprm >> 13 {
            0 | 1 => 1,
            2 | 4 | 5 => 2,
            3 => 4,
            7 => 3,
            _ => match sprm {
                // sprmTDefTable: a two-byte size, one more than the bytes after it.
                0xD608 | 0xD606 => {
                    let cb = u16_at(operand, 0).unwrap_or(0) as usize;
                    2 + cb.saturating_sub(1)
                }
                // sprmPChgTabs: a one-byte size, 255 meaning "count the tabs".
                0xC615 => match operand.first() {
                    Some(255) => {
                        let del = *operand.get(1).unwrap_or(&0) as usize;
                        let add_at = 2 + 4 * del;
                        let add = *operand.get(add_at).unwrap_or(&0) as usize;
                        1 + (1 + 4 * del) + (1 + 3 * add)
                    }
                    Some(&cb) => 1 + cb as usize,
                    None => 0,
                },
                _ => 1 + *operand.first().unwrap_or(&0) as usize,
            },
        };
        let Some(value) = operand.get(..size) else {
            break;
        };
        match sprm {
            0x2416 => paragraph.in_table = value[0] != 0,
            0x6649 => paragraph.in_table |= u32_at(value, 0).unwrap_or(0) > 0,
            0x2417 => paragraph.row_end = value[0] != 0,
            0x460B => list_id = u16_at(value, 0).unwrap_or(0),
            0x260A => level = value[0],
            0xD608 => paragraph.merged_above = merges(value),
            _ => {}
        }
        b = &operand[size..];
    }
    if list_id != 0 {
        paragraph.list = Some((list_id, level));
    }
}

/// From a TDefTableOperand: whether each cell continues the one above (TC80's vertMerge is 1).
fn merges(operand: &[u8]) -> Vec<bool> {
    let columns = *operand.get(2).unwrap_or(&0) as usize;
    let cells_at = 3 + 2 * (columns + 1);
    (0..columns)
        .map_while(|i| u16_at(operand, cells_at + i * 20))
        .map(|flags| (flags >> 5) & 0b11 == 1)
        .collect()
}

/// The paragraph run holding the character at `fc`.
fn paragraph_at(paragraphs: &[Paragraph], fc: usize) -> Option<&Paragraph> {
    let i = paragraphs.partition_point(|p| p.start <= fc);
    paragraphs[..i].last().filter(|p| fc < p.end)
}

/// A row being read: its cells' paragraphs.
#[derive(Default)]
struct Row {
    cells: Vec<Vec<String>>,
    open: Vec<String>,
}

/// The characters as paragraphs and tables: 0x0D ends a paragraph, 0x07 a cell or (when its
/// paragraph is a row end) a row; field instructions (between 0x13 and 0x14) are left out,
/// their results kept.
fn assemble(chars: &[Char], paragraphs: &[Paragraph]) -> TextBuilder {
    let mut out = TextBuilder::default();
    let mut line = String::new();
    let mut row = Row::default();
    let mut in_table = false;
    let mut fields: Vec<bool> = Vec::new(); // per open field: still in its instruction
    let mut counters: std::collections::HashMap<(u16, u8), usize> = Default::default();
    let known = !paragraphs.is_empty();
    let mut previous_cell_end = false;
    for ch in chars {
        if fields.last() == Some(&true) && !matches!(ch.c, '\u{13}' | '\u{14}' | '\u{15}') {
            continue;
        }
        match ch.c {
            '\u{13}' => fields.push(true),
            '\u{14}' => {
                if let Some(f) = fields.last_mut() {
                    *f = false;
                }
            }
            '\u{15}' => {
                fields.pop();
            }
            '\r' | '\u{0C}' => {
                let props = paragraph_at(paragraphs, ch.fc);
                let numbered = props.and_then(|p| p.list).map(|key| {
                    let n = counters.entry(key).or_default();
                    *n += 1;
                    format!("{n}.")
                });
                let text = format!(
                    "{}{}",
                    numbered.unwrap_or_default(),
                    std::mem::take(&mut line)
                );
                let in_cell = match props {
                    Some(p) => p.in_table,
                    None => !row.cells.is_empty() || !row.open.is_empty(),
                };
                if in_cell {
                    row.open.push(text);
                } else {
                    // The first paragraph after a table's last row: the table has ended.
                    if in_table {
                        out.end_table();
                        in_table = false;
                    }
                    out.paragraph(&text);
                }
                previous_cell_end = false;
            }
            '\u{07}' => {
                let props = paragraph_at(paragraphs, ch.fc);
                // Without paragraph properties, a row's end is the mark right after a cell's.
                let row_end = match props {
                    Some(p) => p.row_end,
                    None => !known && previous_cell_end && line.is_empty() && row.open.is_empty(),
                };
                if row_end {
                    if !in_table {
                        out.start_table();
                        in_table = true;
                    }
                    let merged = props.map(|p| p.merged_above.clone()).unwrap_or_default();
                    out.start_row();
                    for (i, cell) in std::mem::take(&mut row.cells).into_iter().enumerate() {
                        out.start_cell();
                        for p in cell {
                            out.paragraph(&p);
                        }
                        out.end_cell(merged.get(i).copied().unwrap_or(false));
                    }
                    line.clear();
                    row.open.clear();
                    previous_cell_end = false;
                } else {
                    row.open.push(std::mem::take(&mut line));
                    row.cells.push(std::mem::take(&mut row.open));
                    previous_cell_end = true;
                }
            }
            '\u{0B}' => line.push(' '),
            '\t' => line.push('\t'),
            '\u{1E}' => line.push('-'),
            '\u{A0}' => line.push(' '),
            c if (c as u32) < 0x20 => {}
            c => line.push(c),
        }
    }
    // Cells of a row never closed: their text is kept as paragraphs.
    for cell in row.cells.into_iter().chain(std::iter::once(row.open)) {
        for p in cell {
            out.paragraph(&p);
        }
    }
    if !line.is_empty() {
        out.paragraph(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_compound_file_or_no_word_text_is_refused() {
        assert!(matches!(read_doc(b"not a doc"), Err(ReadError::BadDoc(_))));
        // A compound file holding another stream.
        let mut buf = Cursor::new(Vec::new());
        {
            let mut cf = cfb::CompoundFile::create(&mut buf).unwrap();
            cf.create_stream("/CONTENTS")
                .unwrap()
                .write_all(b"works")
                .unwrap();
        }
        let bytes = buf.into_inner();
        let e = read_doc(&bytes).unwrap_err().to_string();
        assert!(
            e.contains("holds no Word text") && e.contains("CONTENTS"),
            "{e}"
        );
    }

    #[test]
    fn a_word_stream_that_lies_is_refused() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut cf = cfb::CompoundFile::create(&mut buf).unwrap();
            let mut header = vec![0u8; 600];
            header[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
            header[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
            header[32] = 14;
            header[62] = 22;
            // fcClx far outside the table stream.
            let clx_at = 62 + 2 + 22 * 4 + 2 + 33 * 8;
            header[clx_at..clx_at + 4].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
            header[clx_at + 4..clx_at + 8].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
            cf.create_stream("/WordDocument")
                .unwrap()
                .write_all(&header)
                .unwrap();
            cf.create_stream("/0Table")
                .unwrap()
                .write_all(&[2, 0, 0])
                .unwrap();
        }
        let e = read_doc(&buf.into_inner()).unwrap_err().to_string();
        assert!(e.contains("damaged"), "{e}");
    }

    use std::io::Write;
}

#[cfg(test)]
mod pieces_tests {
    use super::*;
    use std::io::Write;

    /// A Word 97 file made by hand: a FIB, a text of `text` bytes at 1024 in one piece, 8-bit
    /// (windows-1252) when `compressed`.
    fn word_file(text: &[u8], chars: usize, compressed: bool) -> Vec<u8> {
        let mut word = vec![0u8; 1024];
        word[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
        word[2..4].copy_from_slice(&0x00C1u16.to_le_bytes());
        word[32] = 14;
        word[62] = 22;
        word[76..80].copy_from_slice(&(chars as u32).to_le_bytes());
        let clx_at = 62 + 2 + 22 * 4 + 2 + 33 * 8;
        let clx = [
            vec![2u8],
            16u32.to_le_bytes().to_vec(),
            0u32.to_le_bytes().to_vec(),
            (chars as u32).to_le_bytes().to_vec(),
            vec![0, 0],
            if compressed {
                ((1024u32 * 2) | 0x4000_0000).to_le_bytes().to_vec()
            } else {
                1024u32.to_le_bytes().to_vec()
            },
            vec![0, 0],
        ]
        .concat();
        word[clx_at + 4..clx_at + 8].copy_from_slice(&(clx.len() as u32).to_le_bytes());
        word.extend_from_slice(text);
        let mut out = Cursor::new(Vec::new());
        {
            let mut cf = cfb::CompoundFile::create(&mut out).unwrap();
            cf.create_stream("/WordDocument")
                .unwrap()
                .write_all(&word)
                .unwrap();
            cf.create_stream("/0Table")
                .unwrap()
                .write_all(&clx)
                .unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn a_row_definition_says_which_cells_continue_the_one_above() {
        // TDefTableOperand: cb, two columns, three boundaries, two TC80 (20 bytes each) whose
        // tcgrf has vertMerge 3 (first of a merge) and 1 (continues it).
        let mut operand = vec![0u8, 0, 2];
        operand.extend([0u8; 6]);
        for vert_merge in [3u16, 1] {
            let mut tc = vec![0u8; 20];
            tc[0..2].copy_from_slice(&(vert_merge << 5).to_le_bytes());
            operand.extend(tc);
        }
        let cb = (operand.len() - 2 + 1) as u16;
        operand[0..2].copy_from_slice(&cb.to_le_bytes());
        assert_eq!(merges(&operand), [false, true]);
        // Cut short: the cells it has.
        assert_eq!(merges(&operand[..30]), [false]);
        // In a paragraph's properties, after other sprms.
        let mut sprms = vec![0x16, 0x24, 1, 0x17, 0x24, 1, 0x08, 0xD6];
        sprms.extend(&operand);
        let mut paragraph = Paragraph::default();
        read_sprms(&sprms, &mut paragraph);
        assert!(paragraph.in_table && paragraph.row_end);
        assert_eq!(paragraph.merged_above, [false, true]);
    }

    #[test]
    fn eight_bit_and_utf16_pieces_are_read() {
        // windows-1252: é, curly quotes; a field's instruction left out, its result kept.
        let latin = b"Caf\xe9 \x93quoted\x94\r\x13 HYPERLINK x \x14link\x15 end\r";
        let doc = word_file(latin, latin.len(), true);
        assert_eq!(read_doc(&doc).unwrap().text, "Café “quoted”\nlink end\n");
        let chinese: Vec<u8> = "二、提升行动\r"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let doc = word_file(&chinese, 7, false);
        assert_eq!(read_doc(&doc).unwrap().text, "二、提升行动\n");
        // A piece that runs past the stream is refused.
        let doc = word_file(&chinese, 7_000, false);
        assert!(read_doc(&doc).unwrap_err().to_string().contains("damaged"));
    }
}
