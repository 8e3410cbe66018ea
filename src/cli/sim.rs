//! `backout sim` (being built on its own branch; replaced at merge).

use std::process::ExitCode;

pub fn run(_args: super::SimArgs) -> Result<ExitCode, crate::cli::CliError> {
    Err(crate::cli::CliError::Message(
        "`backout sim` is not built yet".into(),
    ))
}
