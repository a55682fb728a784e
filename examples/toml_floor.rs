//! The floor for any TOML-based checker: read every `*.plan.toml` below a folder and parse it
//! with the `toml` crate, in parallel as planlint does — and nothing else.
//!
//! cargo run --release --example toml_floor -- DIR

use rayon::prelude::*;

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable folder").flatten() {
        let path = entry.path();
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            collect(&path, out);
        } else if path.to_string_lossy().ends_with(".plan.toml") {
            out.push(path);
        }
    }
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: toml_floor DIR");
    let mut files = Vec::new();
    collect(std::path::Path::new(&dir), &mut files);
    files.sort();
    let tables: usize = files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("UTF-8 plan");
            let (root, _) = toml::de::DeTable::parse_recoverable(&text);
            root.get_ref().len()
        })
        .sum();
    println!("{} files, {tables} top-level keys", files.len());
}
