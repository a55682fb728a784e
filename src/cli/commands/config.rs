//! `planlint config`: the configuration that governs a path, as planlint reads it.

use std::path::PathBuf;

use planlint::run;

use crate::cli::args::*;
use crate::cli::*;

pub(crate) fn show_config(
    path: Option<PathBuf>,
    explicit: Option<PathBuf>,
    selection: &Selection,
) -> u8 {
    let start = path.unwrap_or_else(|| PathBuf::from("."));
    match run::load_config(explicit.as_deref(), &start) {
        Ok(config) => write_stdout(selection.apply(config).to_toml().as_bytes()),
        Err(report) => fail_with(&[report]),
    }
}
