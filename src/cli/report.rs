//! `backout report` (being built on its own branch; replaced at merge).

use std::process::ExitCode;

pub fn run(_args: super::ReportArgs) -> Result<ExitCode, crate::cli::CliError> {
    Err(crate::cli::CliError::Message(
        "`backout report` is not built yet".into(),
    ))
}
