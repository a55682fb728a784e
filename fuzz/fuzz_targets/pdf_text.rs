#![no_main]
//! Any text as pdftotext's output: the cleaning (page numbers, running headers, broken lines,
//! spaces between characters) must not panic, must keep every line's characters but the spaces
//! it closes, and its result must import without panicking.

use libfuzzer_sys::fuzz_target;
use planlint::import::{clean_pdf_text, import, Vocabulary};
use planlint::rules::Registry;
use planlint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let cleaned = clean_pdf_text(raw);
    let kept = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    assert!(kept(&cleaned) <= kept(raw), "cleaning adds nothing");
    let registry = Registry::builtin().as_ref().expect("built-in packs load");
    let source = SourceFile::new("fuzz.pdf", cleaned);
    let _ = import(&source, &Vocabulary::from_registry(registry));
});
