//! `backout sessions` (being built on its own branch; replaced at merge).

use std::process::ExitCode;

pub fn run(_args: super::SessionsArgs) -> Result<ExitCode, crate::cli::CliError> {
    Err(crate::cli::CliError::Message(
        "`backout sessions` is not built yet".into(),
    ))
}
