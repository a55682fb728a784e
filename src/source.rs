//! Source text: decoding input bytes and mapping byte offsets to lines and columns.
//!
//! Every later stage works on byte spans into a `SourceFile`; only reporting turns them into
//! line and character columns, here, in one place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A half-open byte range into a source text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and a 1-based column counted in characters (not bytes), as editors show them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One input text with its display name, decoded to UTF-8 with any BOM removed.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: String,
    /// The text is not to be echoed in output (a file reached through a link out of the checked
    /// folder): findings give its locations, never its lines.
    pub withheld: bool,
    line_starts: Vec<usize>,
}

/// Why a file could not be turned into text.
#[derive(Debug)]
pub enum DecodeError {
    /// Not valid UTF-8; carries the byte offset of the first bad sequence.
    InvalidUtf8 { offset: usize },
    /// A NUL byte, which no text plan contains: most likely a binary file.
    Binary { offset: usize },
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let mut line_starts = vec![0];
        // memchr's vectorised search: the line index was 3 % of a bulk run with `str`'s.
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Arc::new(SourceFile {
            name: name.into(),
            path: None,
            text,
            withheld: false,
            line_starts,
        })
    }

    pub fn with_path(name: impl Into<String>, path: &Path, text: String) -> Arc<Self> {
        let mut file = Arc::try_unwrap(Self::new(name, text)).expect("fresh Arc has one owner");
        file.path = Some(path.to_path_buf());
        Arc::new(file)
    }

    /// The same file, marked as not to be echoed.
    pub fn withhold(self: Arc<Self>) -> Arc<Self> {
        let mut file = Arc::unwrap_or_clone(self);
        file.withheld = true;
        Arc::new(file)
    }

    /// The same file (name, path, withholding) with another text of the same length, so that
    /// every span still fits: for showing a text with some characters replaced.
    pub fn with_same_length_text(&self, name: String, text: String) -> Arc<Self> {
        debug_assert_eq!(text.len(), self.text.len(), "spans must keep fitting");
        Arc::new(SourceFile {
            name,
            path: self.path.clone(),
            text,
            withheld: self.withheld,
            line_starts: self.line_starts.clone(),
        })
    }

    /// Decode raw bytes: a UTF-8 BOM is dropped, anything that is not UTF-8 is refused.
    pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = as_utf8(body).map_err(|valid_up_to| DecodeError::InvalidUtf8 {
            offset: valid_up_to + (bytes.len() - body.len()),
        })?;
        if let Some(offset) = text.find('\0') {
            return Err(DecodeError::Binary { offset });
        }
        Ok(text.to_owned())
    }

    /// Line and character column of a byte offset (clamped to the text and to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_boundary(offset);
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The largest char boundary not after `offset`.
    pub fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// A span that is clamped to the text and lies on character boundaries.
    pub fn clamp(&self, span: Span) -> Span {
        let start = self.floor_boundary(span.start);
        let end = self.floor_boundary(span.end.max(start));
        Span::new(start, end)
    }

    /// The span of the whole line holding `offset`, without its line break.
    pub fn line_span(&self, offset: usize) -> Span {
        let lc = self.line_col(offset);
        let start = self.line_starts[lc.line - 1];
        let end = self
            .line_starts
            .get(lc.line)
            .map(|&next| next - 1)
            .unwrap_or(self.text.len());
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Span::new(start, end.max(start))
    }
}

/// Why a file could not be read whole.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// More than the limit; `read` is how much was read before stopping.
    TooLarge {
        limit: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge { limit } => write!(f, "it is larger than {}", human_size(*limit)),
        }
    }
}

/// "16 MB", "64 KB": limits as people say them.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read a whole file, but never more than `limit` bytes: the limit is checked while reading, so
/// an endless device (`/dev/zero`), a pipe or a sparse file stops at the limit instead of filling
/// memory. The size the file claims is only a first, cheap refusal.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut expected = 0;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err(ReadError::Io(std::io::Error::other("it is a directory")));
        }
        if meta.is_file() && meta.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        if meta.is_file() {
            expected = meta.len() as usize;
        }
    }
    read_into(file, limit, Vec::with_capacity(expected + 1))
}

/// Read all of `input` (standard input, a pipe), but never more than `limit` bytes.
pub fn read_limited_from(input: impl std::io::Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    read_into(input, limit, Vec::new())
}

/// Reads into `bytes` (sized for a file's length, so that reading it is one allocation).
fn read_into(
    input: impl std::io::Read,
    limit: u64,
    mut bytes: Vec<u8>,
) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    input
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// `bytes` as UTF-8, or the offset of the first byte that is not. encoding_rs's validator is
/// several times faster than the standard library's on Chinese text (most of a plan's bytes).
pub fn as_utf8(bytes: &[u8]) -> Result<&str, usize> {
    match encoding_rs::UTF_8.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(std::borrow::Cow::Borrowed(text)) => Ok(text),
        _ => Err(encoding_rs::Encoding::utf8_valid_up_to(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let file = SourceFile::new("t", "[plan]\ntitle = \"孟津区\"\n");
        let offset = file.text.find('津').unwrap();
        assert_eq!(
            file.line_col(offset),
            LineCol {
                line: 2,
                column: 11
            }
        );
        // An offset inside a character snaps back to its start.
        assert_eq!(
            file.line_col(offset + 1),
            LineCol {
                line: 2,
                column: 11
            }
        );
    }

    #[test]
    fn bom_is_dropped_and_bad_bytes_refused() {
        assert_eq!(SourceFile::decode(b"\xEF\xBB\xBFa = 1").unwrap(), "a = 1");
        assert!(matches!(
            SourceFile::decode(b"a = \xFF"),
            Err(DecodeError::InvalidUtf8 { offset: 4 })
        ));
        assert!(matches!(
            SourceFile::decode(b"a\0b"),
            Err(DecodeError::Binary { offset: 1 })
        ));
    }

    #[test]
    fn reads_stop_at_the_limit_whatever_the_file_claims() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_limited(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_limited(&path, 9),
            Err(ReadError::TooLarge { limit: 9 })
        ));
        #[cfg(unix)]
        {
            // An endless device reports size 0 and would otherwise be read for ever.
            let err = read_limited(Path::new("/dev/zero"), 1 << 20).unwrap_err();
            assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
            assert_eq!(err.to_string(), "it is larger than 1 MB");
        }
    }

    #[test]
    fn line_span_excludes_crlf() {
        let file = SourceFile::new("t", "a = 1\r\nb = 2\r\n");
        assert_eq!(file.line_span(8), Span::new(7, 12));
    }
}
