//! The work of importing a document, for `benches/instructions.sh import`: repeats one of
//! three loops over a file so that callgrind can count the instructions of that loop alone
//! (`--toggle-collect=import_instructions::measured`), after a first round outside it that
//! compiles the importer's patterns.
//!
//!   cargo run --release --example import_instructions -- MODE FILE [ROUNDS]
//!
//! MODE: `floor` (decode as UTF-8 and split lines, the import benchmark's floor), `scan` (decode
//! and test every character once) or `import` (read the document and build the plan).

use std::hint::black_box;
use std::process::ExitCode;

use planlint::import::{import_document, read_document, Structure, Vocabulary};
use planlint::rules::Registry;
use planlint::source::SourceFile;

fn round(mode: &str, name: &str, bytes: &[u8], vocabulary: &Vocabulary) -> usize {
    match mode {
        "floor" => encoding_rs::UTF_8.decode(bytes).0.lines().count(),
        "scan" => encoding_rs::UTF_8
            .decode(bytes)
            .0
            .chars()
            .filter(char::is_ascii_digit)
            .count(),
        _ => {
            let Ok(document) = read_document(name, bytes) else {
                return 0;
            };
            let (text, structure) = Structure::of(document);
            let source = SourceFile::new(name, text);
            import_document(&source, &structure, vocabulary)
                .map_or(0, |i| i.plan.actions.items.len())
        }
    }
}

#[inline(never)]
fn measured(mode: &str, name: &str, bytes: &[u8], vocabulary: &Vocabulary, rounds: usize) -> usize {
    (0..rounds)
        .map(|_| round(mode, name, black_box(bytes), vocabulary))
        .sum()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: import_instructions floor|scan|import FILE [ROUNDS]");
        return ExitCode::from(2);
    };
    if !matches!(mode.as_str(), "floor" | "scan" | "import") {
        eprintln!("unknown mode {mode:?}: floor, scan or import");
        return ExitCode::from(2);
    }
    let rounds = match args.get(2).map(|r| r.parse::<usize>()) {
        None => 10,
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            eprintln!("ROUNDS: {e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let Ok(registry) = Registry::builtin() else {
        eprintln!("the built-in packs do not load");
        return ExitCode::from(2);
    };
    let vocabulary = Vocabulary::from_registry(registry);
    let name = path.rsplit('/').next().unwrap_or(path);
    black_box(round(mode, name, &bytes, &vocabulary));
    println!("{}", measured(mode, name, &bytes, &vocabulary, rounds));
    ExitCode::SUCCESS
}
