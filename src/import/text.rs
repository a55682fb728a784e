//! A document as text: the model every format reader produces and the importer reads — its
//! text, how it was read, the disclosure table of a web page, where the document's own text
//! starts, and its tables as cells of the text. The readers (`read`, `html`, `doc`, `pdf`) write
//! it; nothing here reads a format, so data flows one way: bytes → a reader → this → the model.

use std::ops::Range;

/// Documents larger than this are refused: no plan runs to it, and reading one would cost
/// memory for nothing.
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;

/// The most a .docx's word/document.xml may decompress to. Published plans run to 1–3 MB of XML
/// (a 100-page plan with tables is about 5 MB); anything larger is refused, not read truncated.
pub const MAX_DOCX_XML_BYTES: u64 = 16 * 1024 * 1024;

/// The text of a document and how it was read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentText {
    pub text: String,
    /// e.g. "UTF-8", "GBK", "docx".
    pub read_as: String,
    /// What the page's information-disclosure table says (web pages); the lines that hold
    /// it come first in `text`, before `body_start`.
    pub metadata: Vec<MetaField>,
    /// Where the document's own text starts (after the metadata lines).
    pub body_start: usize,
    /// The document's tables, cells as ranges of `text` (each cell is also paragraphs there).
    pub tables: Vec<Table>,
}

impl DocumentText {
    /// A document that is text alone.
    pub fn plain(text: String, read_as: &str) -> Self {
        DocumentText {
            text,
            read_as: read_as.to_owned(),
            ..Default::default()
        }
    }
}

/// A field of a government site's disclosure table (政府信息公开).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKey {
    /// 标题
    Title,
    /// 发文字号
    Number,
    /// 发文机关
    Issuer,
    /// 成文日期
    Issued,
}

impl MetaKey {
    /// The field's name in a review note.
    pub fn zh(self) -> &'static str {
        match self {
            MetaKey::Title => "标题",
            MetaKey::Number => "发文字号",
            MetaKey::Issuer => "发文机关",
            MetaKey::Issued => "成文日期",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaField {
    pub key: MetaKey,
    /// The value's bytes in `DocumentText::text`.
    pub value: Range<usize>,
}

/// A table as a grid: `rows[r][c]` is the text range of the cell covering that position, so
/// a cell spanning rows or columns appears at each position it covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub rows: Vec<Vec<Range<usize>>>,
    /// The whole table's bytes in the text.
    pub range: Range<usize>,
}

/// Builds a document's text paragraph by paragraph, keeping its tables' cells as ranges.
/// Tables inside tables are recorded too; their cells are paragraphs of the outer cell.
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    pub text: String,
    pub tables: Vec<Table>,
    /// The tables being read, innermost last.
    open: Vec<OpenTable>,
}

#[derive(Debug, Default)]
struct OpenTable {
    start: usize,
    /// The grid so far; `None` where no cell has been placed yet (a row's spans from above
    /// fill positions before the row's own cells reach them).
    rows: Vec<Vec<Option<Range<usize>>>>,
    /// The row being filled (rows below it may exist already, made by cells spanning down).
    row: usize,
    /// Where the open cell's text starts, and how many rows × columns it covers.
    cell_start: Option<usize>,
    cell_span: (usize, usize),
}

impl TextBuilder {
    /// Ends the paragraph being written (if it has text).
    pub fn end_paragraph(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    pub fn start_table(&mut self) {
        self.end_paragraph();
        self.open.push(OpenTable {
            start: self.text.len(),
            ..Default::default()
        });
    }

    /// Starts a row (a row ends where the next starts, or the table does).
    pub fn start_row(&mut self) {
        if let Some(t) = self.open.last_mut() {
            if t.rows.is_empty() {
                t.rows.push(Vec::new());
            } else if t.rows[t.row].iter().any(Option::is_some) {
                t.row += 1;
                if t.row == t.rows.len() {
                    t.rows.push(Vec::new());
                }
            }
        }
    }

    /// Starts a cell covering one grid position (see [`TextBuilder::cell_span`]).
    pub fn start_cell(&mut self) {
        self.end_paragraph();
        let at = self.text.len();
        if let Some(t) = self.open.last_mut() {
            if t.rows.is_empty() {
                t.rows.push(Vec::new());
            }
            t.cell_start = Some(at);
            t.cell_span = (1, 1);
        }
    }

    /// The open cell covers `rows` × `columns` grid positions.
    pub fn cell_span(&mut self, rows: usize, columns: usize) {
        if let Some(t) = self.open.last_mut() {
            t.cell_span = (rows.clamp(1, MAX_SPAN), columns.clamp(1, MAX_SPAN));
        }
    }

    /// A whole paragraph, ended by a line break even when empty (as the document has it).
    pub fn paragraph(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }

    /// Ends the open cell; `continues_above` for a cell merged with the one above it (its
    /// text is the above cell's).
    pub fn end_cell(&mut self, continues_above: bool) {
        let end = self.text.trim_end_matches('\n').len();
        self.end_paragraph();
        let Some(t) = self.open.last_mut() else {
            return;
        };
        let Some(start) = t.cell_start.take() else {
            return;
        };
        let range = start..end.max(start);
        let (down, across) = t.cell_span;
        let r = t.row;
        // The first free column of this row (earlier rows' spans may hold some).
        let mut c = 0;
        while t.rows[r].get(c).is_some_and(|x| x.is_some()) {
            c += 1;
        }
        let range = if continues_above {
            r.checked_sub(1)
                .and_then(|up| t.rows[up].get(c).cloned().flatten())
                .unwrap_or(range)
        } else {
            range
        };
        for dr in 0..down {
            if r + dr >= t.rows.len() {
                if t.rows.len() >= MAX_ROWS {
                    break;
                }
                t.rows.push(Vec::new());
            }
            let row = &mut t.rows[r + dr];
            for dc in 0..across {
                if c + dc >= MAX_COLUMNS {
                    break;
                }
                if row.len() <= c + dc {
                    row.resize(c + dc + 1, None);
                }
                row[c + dc] = Some(range.clone());
            }
        }
    }

    pub fn end_table(&mut self) {
        self.end_paragraph();
        let Some(t) = self.open.pop() else {
            return;
        };
        let rows = t
            .rows
            .into_iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.into_iter().map(|c| c.unwrap_or(0..0)).collect())
            .collect();
        self.tables.push(Table {
            rows,
            range: t.start..self.text.len(),
        });
    }

    /// The document read, or [`ReadError::Empty`] when it holds no text.
    pub fn into_document(self, read_as: &str) -> Result<DocumentText, ReadError> {
        let (text, tables) = self.finish();
        if text.trim().is_empty() {
            return Err(ReadError::Empty);
        }
        Ok(DocumentText {
            tables,
            ..DocumentText::plain(text, read_as)
        })
    }

    /// The text and tables, every open table closed.
    pub fn finish(mut self) -> (String, Vec<Table>) {
        while !self.open.is_empty() {
            self.end_table();
        }
        self.tables.sort_by_key(|t| t.range.start);
        (self.text, self.tables)
    }
}

/// Bounds on a table's grid, so that a declared span of 10⁹ rows costs nothing.
const MAX_SPAN: usize = 1000;
const MAX_ROWS: usize = 100_000;
const MAX_COLUMNS: usize = 64;

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
    BadHtml(String),
    BadDoc(String),
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
            ReadError::BadHtml(why) => write!(f, "the web page cannot be read: {why}"),
            ReadError::BadDoc(why) => write!(f, "the Word document cannot be read: {why}"),
        }
    }
}
