#![no_main]
//! Any bytes on the language server's input: framing, JSON and every handler.

use libfuzzer_sys::fuzz_target;
use planlint::rules::Registry;

fuzz_target!(|data: &[u8]| {
    let registry = Registry::builtin().as_ref().expect("built-in packs load");
    planlint::lsp::serve_bytes(registry, data);
});
