//! One file per command; each calls the library and the reports, and returns the exit code.

pub(crate) mod check;
pub(crate) mod config;
pub(crate) mod explain;
pub(crate) mod import;
pub(crate) mod rules;
pub(crate) mod test;
