#![no_main]
//! Any text as a plan: load, check with the built-in packs, render every format.

use libfuzzer_sys::fuzz_target;
use planlint::rules::Registry;
use planlint::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = SourceFile::decode(data) else {
        return;
    };
    let registry = Registry::builtin().as_ref().expect("built-in packs load");
    let checker = planlint::Checker::new(registry);
    let report = planlint::check_source(SourceFile::new("fuzz.plan.toml", text), &checker);
    for f in &report.findings {
        let span = report.source.clamp(f.span);
        assert!(span.end <= report.source.text.len());
        assert!(
            report.source.text.is_char_boundary(span.start)
                && report.source.text.is_char_boundary(span.end)
        );
    }
    let reports = [report];
    for version in [planlint::report::JsonVersion::V1, planlint::report::JsonVersion::V2] {
        let json = planlint::report::render_json(&reports, registry, version);
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok());
    }
    let _ = planlint::report::render_sarif(&reports, registry);
    let _ = planlint::report::render_github(&reports);
    let _ = planlint::report::render_human(&reports, Default::default());
});
