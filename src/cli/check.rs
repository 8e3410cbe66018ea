//! `backout check FILE…`: load runbooks and report what was found and what is wrong.
//!
//! Human output (default) prints, per file, a summary line, the phases found, and every
//! diagnostic as `file:line:col: level: message` with its hint (`check_human.rs`). `-o json|yaml` prints one
//! document for all files (kind `CheckResult`, see docs/cli.md; its types in `check_report.rs`). Everything goes to standard output. Exit code 0 when every
//! file loads, 1 otherwise.

use std::path::Path;
use std::process::ExitCode;

use serde::Serialize;

pub use super::check_human::human;
pub use super::check_report::{
    AlternativeGroupReport, AlternativeRefReport, AlternativeReport, CommandReport, Counts,
    FileReport, JsonDiagnostic, PhaseReport, SectionReport, StepReport,
};
use super::{CheckArgs, CliError, output};
use crate::adapters::runbook_file;
use crate::domain::runbook::{Level, LoadError};

pub fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let reports: Vec<FileReport> = args.files.iter().map(|p| check_file(p)).collect();
    let all_ok = reports.iter().all(|r| r.ok);
    match args.output.structured() {
        Some(format) => {
            let doc = JsonDocument { files: &reports };
            print!("{}", output::document(format, "CheckResult", &doc)?);
        }
        None => print!("{}", human(&reports)),
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    files: &'a [FileReport],
}

/// Loads one file and reports on it.
pub fn check_file(path: &Path) -> FileReport {
    match runbook_file::load(path) {
        Ok(rb) => FileReport {
            path: path.to_path_buf(),
            ok: true,
            title: Some(rb.title.clone()),
            phases: rb
                .phases
                .iter()
                .map(|p| PhaseReport {
                    name: p.title.clone(),
                    kind: p.kind,
                    line: p.line,
                    steps: p.steps.len(),
                })
                .collect(),
            counts: Some(Counts::of(&rb)),
            warnings: rb.warnings.iter().map(JsonDiagnostic::from).collect(),
            errors: Vec::new(),
            info: rb.info.iter().map(JsonDiagnostic::from).collect(),
            steps: rb
                .phases
                .iter()
                .flat_map(|p| p.steps.iter().map(|s| StepReport::of(&rb, p.kind, s)))
                .collect(),
            matrix: rb
                .decision_tables
                .iter()
                .flat_map(|t| t.matrix_rows())
                .collect(),
            alternatives: rb
                .alternatives
                .iter()
                .map(AlternativeGroupReport::of)
                .collect(),
            sections: rb
                .sections
                .iter()
                .map(|section| SectionReport::of(&rb, section))
                .collect(),
            deploy_api: None,
        }
        .with_deploy_api(&rb),
        Err(e) => {
            let errors = match &e {
                LoadError::Read { path, source } => vec![JsonDiagnostic {
                    file: path.clone(),
                    line: None,
                    col: None,
                    level: Level::Error,
                    message: format!("cannot read file: {source}"),
                    hint: None,
                }],
                LoadError::Invalid { errors, .. } => {
                    errors.iter().map(JsonDiagnostic::from).collect()
                }
            };
            FileReport {
                path: path.to_path_buf(),
                ok: false,
                title: None,
                phases: Vec::new(),
                counts: None,
                warnings: e.warnings().iter().map(JsonDiagnostic::from).collect(),
                errors,
                info: Vec::new(),
                sections: Vec::new(),
                alternatives: Vec::new(),
                steps: Vec::new(),
                matrix: Vec::new(),
                deploy_api: None,
            }
        }
    }
}
