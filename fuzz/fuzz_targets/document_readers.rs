#![no_main]
//! Any bytes as a web page, a Word 97–2003 file or a .docx: reading must not panic, every range
//! it returns (disclosure fields, table cells) must lie on character boundaries of its text, and
//! the import with that structure must not panic and must give spans inside the text.

use libfuzzer_sys::fuzz_target;
use planlint::import::{import_document, read_document, Structure, Vocabulary};
use planlint::rules::Registry;
use planlint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let name = ["fuzz.html", "fuzz.doc", "fuzz.docx", "fuzz.wps"][selector as usize % 4];
    let Ok(document) = read_document(name, bytes) else {
        return;
    };
    let text = &document.text;
    let in_text = |r: &std::ops::Range<usize>| {
        r.start <= r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    assert!(text.is_char_boundary(document.body_start));
    assert!(document.metadata.iter().all(|m| in_text(&m.value)));
    for table in &document.tables {
        assert!(in_text(&table.range));
        assert!(table.rows.iter().flatten().all(in_text));
    }
    // Built once: what the importer recognises does not change between inputs.
    static VOCABULARY: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    let vocabulary = VOCABULARY.get_or_init(|| {
        Vocabulary::from_registry(Registry::builtin().as_ref().expect("built-in packs load"))
    });
    let (text, structure) = Structure::of(document);
    let source = SourceFile::new(name, text);
    let Ok(imported) = import_document(&source, &structure, vocabulary) else {
        return;
    };
    let len = source.text.len();
    for section in imported.plan.actions.items.iter().chain(&imported.plan.projects.items) {
        for unit in section.all_leads() {
            assert!(unit.span.end <= len && unit.span.start <= unit.span.end);
        }
    }
});
