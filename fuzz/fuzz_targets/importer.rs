#![no_main]
//! Any bytes as a received document: read, import, write TOML, load it back.

use libfuzzer_sys::fuzz_target;
use planlint::import::{import, read_document, to_toml, Vocabulary};
use planlint::rules::Registry;
use planlint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let registry = Registry::builtin().as_ref().expect("built-in packs load");
    let name = if data.starts_with(b"PK") {
        "fuzz.docx"
    } else {
        "fuzz.txt"
    };
    let Ok(document) = read_document(name, data) else {
        return;
    };
    let source = SourceFile::new(name, document.text);
    let vocabulary = Vocabulary::from_registry(registry);
    let Ok(imported) = import(&source, &vocabulary) else {
        return;
    };
    let toml = to_toml(&imported.plan, name, &imported.notes);
    let reloaded = planlint::plan::load(&SourceFile::new("back.plan.toml", toml));
    assert!(
        reloaded.diagnostics.iter().all(|d| !d.fatal),
        "an imported plan always loads: {:?}",
        reloaded.diagnostics
    );
});
