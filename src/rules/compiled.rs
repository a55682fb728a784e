//! The built-in packs, parsed ahead of time.
//!
//! Parsing the built-in packs with pest was most of a one-file run's start-up. Their syntax trees
//! are kept, serialised, in `builtin_packs.generated.json`, which the test in this module writes
//! (`PLANLINT_BLESS=1 cargo test --lib compiled`) and checks in every other run. Each entry
//! carries a hash of the pack text it came from: a pack edited since is parsed from its text, so a
//! stale file costs speed, never correctness.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::ast::PackFile;
use super::{parse_pack, ParsedSource, BUILTIN_PACKS};
use crate::source::SourceFile;

const COMPILED: &str = include_str!("builtin_packs.generated.json");

#[derive(Serialize, Deserialize)]
struct CompiledPacks {
    packs: Vec<CompiledPack>,
}

#[derive(Serialize, Deserialize)]
struct CompiledPack {
    path: String,
    /// [`text_hash`] of the pack text the tree was parsed from.
    hash: String,
    pack: PackFile,
}

/// FNV-1a, 64 bits: stable across Rust releases, unlike the standard library's hasher.
fn text_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The built-in packs with their syntax trees, in [`BUILTIN_PACKS`] order.
pub(super) fn builtin_packs() -> Vec<ParsedSource> {
    with_compiled(COMPILED, BUILTIN_PACKS)
}

/// Each pack's tree from `compiled` where its hash matches the text, else parsed from the text.
fn with_compiled(compiled: &str, packs: &[(&str, &str)]) -> Vec<ParsedSource> {
    // A file that does not deserialise (never shipped: the test below reads it) means parsing.
    let mut compiled: HashMap<String, CompiledPack> =
        serde_json::from_str::<CompiledPacks>(compiled)
            .map(|c| c.packs.into_iter().map(|p| (p.path.clone(), p)).collect())
            .unwrap_or_default();
    packs
        .iter()
        .map(|(path, text)| {
            let source = SourceFile::new(*path, *text);
            let pack = match compiled.remove(*path) {
                Some(c) if c.hash == text_hash(&source.text) => Ok(c.pack),
                _ => parse_pack(&source.text),
            };
            (source, pack)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file's text as the generator writes it for the current pack sources.
    fn generate() -> String {
        let packs = BUILTIN_PACKS
            .iter()
            .map(|(path, text)| {
                let source = SourceFile::new(*path, *text);
                CompiledPack {
                    path: (*path).to_owned(),
                    hash: text_hash(&source.text),
                    pack: parse_pack(&source.text).expect("the built-in packs parse"),
                }
            })
            .collect();
        let mut text =
            serde_json::to_string_pretty(&CompiledPacks { packs }).expect("syntax trees serialise");
        text.push('\n');
        text
    }

    #[test]
    fn the_compiled_packs_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/rules/builtin_packs.generated.json");
        let expected = generate();
        if std::env::var_os("PLANLINT_BLESS").is_some() {
            std::fs::write(&path, &expected).expect("the generated file is writable");
            return;
        }
        assert!(
            COMPILED == expected,
            "{} does not match the packs in rules/: run `PLANLINT_BLESS=1 cargo test --lib compiled` \
             and commit it",
            path.display()
        );
    }

    #[test]
    fn the_compiled_trees_equal_parsing() {
        for (source, compiled) in builtin_packs() {
            let parsed = parse_pack(&source.text).unwrap();
            assert_eq!(compiled.unwrap(), parsed, "{}", source.name);
        }
    }

    #[test]
    fn an_edited_pack_or_a_broken_file_falls_back_to_parsing() {
        let (path, text) = BUILTIN_PACKS[0];
        let title = parse_pack(text).unwrap().header.title;
        let edited = text.replacen(&format!("\"{title}\""), &format!("\"（修订）{title}\""), 1);
        assert_ne!(edited, text);
        let packs = with_compiled(COMPILED, &[(path, &edited)]);
        let edited_tree = packs[0].1.as_ref().unwrap();
        assert_eq!(*edited_tree, parse_pack(&edited).unwrap());
        assert!(edited_tree.header.title.starts_with("（修订）"));
        let packs = with_compiled("{ not json", &[(path, text)]);
        assert_eq!(*packs[0].1.as_ref().unwrap(), parse_pack(text).unwrap());
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(text_hash(""), "cbf29ce484222325");
        assert_eq!(text_hash("a"), "af63dc4c8601ec8c");
    }
}
