#![no_main]
//! Any text as a rule pack: parse, and resolve it against the built-in packs.

use libfuzzer_sys::fuzz_target;
use planlint::rules::Registry;
use planlint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = planlint::rules::parse_pack(text);
    let _ = Registry::with_builtin(vec![SourceFile::new("fuzz.rules", text)]);
});
