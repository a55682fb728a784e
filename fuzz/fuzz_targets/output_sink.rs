#![no_main]
//! A run whose standard output fills up after a few bytes (a full disk, a quota): every format,
//! any cut-off point. The run must say so with exit 2 — never exit 0 having written less than
//! the whole output, never panic — and a report file beside it must be whole or absent.

use std::io::Write;
use std::sync::{Arc, Mutex};

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use planlint::run::{CheckOptions, Format};

const PLANS: &[&str] = &[
    "tests/fixtures/plans/mengjin-district-2021-2025.plan.toml",
    "tests/fixtures/plans/changzhi-city-2021-2025.plan.toml",
    "tests/fixtures/plans/tangshan-city-2023.plan.toml",
];

#[derive(Arbitrary, Debug)]
struct Case {
    format: u8,
    plans: u8,
    room: u32,
    report: bool,
}

/// A writer that takes `room` bytes and then fails as a full disk does.
#[derive(Clone)]
struct Limited {
    taken: Arc<Mutex<Vec<u8>>>,
    room: usize,
}

impl Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut taken = self.taken.lock().unwrap();
        let left = self.room.saturating_sub(taken.len());
        if left == 0 {
            return Err(std::io::Error::other("No space left on device"));
        }
        let n = buf.len().min(left);
        taken.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const FORMATS: [Format; 5] = [
    Format::Human,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
];

fn options(case: &Case, root: &std::path::Path) -> CheckOptions {
    let count = 1 + usize::from(case.plans) % PLANS.len();
    let paths = PLANS[..count].iter().map(|p| root.join(p)).collect();
    let mut options = CheckOptions::new(paths);
    options.format = FORMATS[usize::from(case.format) % FORMATS.len()];
    options
}

fuzz_target!(|case: Case| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // The whole output, written where there is room.
    let whole = Limited {
        taken: Default::default(),
        room: usize::MAX,
    };
    let code = planlint::run::check(
        &options(&case, &root),
        Box::new(whole.clone()),
        &mut Vec::new(),
    );
    let full = whole.taken.lock().unwrap().len();
    assert!(code <= 1);

    let Ok(dir) = tempfile::tempdir() else { return };
    let mut options = options(&case, &root);
    let report = dir.path().join("report.json");
    if case.report {
        options.output_files.push(planlint::run::OutputFile {
            format: Format::Json,
            path: report.clone(),
        });
    }
    let room = case.room as usize % (full + 2);
    let cut = Limited {
        taken: Default::default(),
        room,
    };
    let code = planlint::run::check(&options, Box::new(cut.clone()), &mut Vec::new());
    if room < full {
        assert_eq!(code, 2, "{room} of {full} bytes written, exit {code}");
    } else {
        assert!(code <= 1);
    }
    if report.exists() {
        let text = std::fs::read_to_string(&report).unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok(),
            "a report cut short"
        );
    }
    let leftovers = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".planlint-"))
        .count();
    assert_eq!(leftovers, 0);
});
