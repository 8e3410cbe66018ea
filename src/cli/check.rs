//! `backout check` (being built on its own branch; replaced at merge).

use std::process::ExitCode;

pub fn run(_args: super::CheckArgs) -> Result<ExitCode, crate::cli::CliError> {
    Err(crate::cli::CliError::Message(
        "`backout check` is not built yet".into(),
    ))
}
