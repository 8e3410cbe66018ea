//! `backout report [SESSION] [-o md|json|yaml] [--output-file FILE]`: the incident report of a
//! session, written from its journal.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum as _;

use super::output::{self, Structured};
use super::{CliError, ReportArgs, ReportFormat};
use crate::adapters::session_store::{SessionDir, SessionStore};
use crate::domain::journal::sha256_hex;
use crate::domain::redact::Redactor;
use crate::domain::report::{self, Report};
use crate::domain::runbook::Runbook;
use crate::domain::session_state::SessionState;

pub fn run(args: ReportArgs) -> Result<ExitCode, CliError> {
    let (format, output_file, warning) = destination(&args)?;
    if let Some(w) = warning {
        crate::stderr_line!("backout: warning: {w}");
    }
    let store = SessionStore::from_env().map_err(message)?;
    if let Some(note) = store.leftovers_note() {
        crate::stderr_line!("backout: {note}");
    }
    let dir = match &args.session {
        Some(id) => store.open(id),
        None => store.latest(),
    }
    .map_err(message)?;
    let report = build(&dir, &Redactor::from_vars(std::env::vars()))?;
    for w in &report.warnings {
        crate::stderr_line!("backout: warning: {w}");
    }
    let text = match format {
        ReportFormat::Md => report::to_markdown(&report),
        ReportFormat::Json => output::document(Structured::Json, "IncidentReport", &report)?,
        ReportFormat::Yaml => output::document(Structured::Yaml, "IncidentReport", &report)?,
    };
    match &output_file {
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            crate::stderr_line!(
                "backout: wrote the report of session {} to {}",
                dir.id,
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The format and the file to write, from `-o`, `--format` and `--output-file`; `-o` with
/// something that is not a format is the old `-o FILE` (kept, with a deprecation warning).
pub fn destination(
    args: &ReportArgs,
) -> Result<(ReportFormat, Option<PathBuf>, Option<String>), CliError> {
    let mut format = args.format;
    let mut file = args.output_file.clone();
    let mut warning = None;
    if let Some(o) = &args.output {
        match ReportFormat::from_str(o, false) {
            Ok(f) => {
                if format.is_some_and(|g| g != f) {
                    return Err(CliError::Message(format!(
                        "-o {o} and --format disagree; give the format once"
                    )));
                }
                format = Some(f);
            }
            Err(_) => {
                if file.is_some() {
                    return Err(CliError::Message(format!(
                        "-o {o:?} is not a format (md, json, yaml) and --output-file is given"
                    )));
                }
                warning = Some(format!(
                    "-o FILE is deprecated: -o is the output format (md, json, yaml), as in \
                     kubectl; writing to {o:?} anyway, use --output-file {o:?}"
                ));
                file = Some(PathBuf::from(o));
            }
        }
    }
    Ok((format.unwrap_or(ReportFormat::Md), file, warning))
}

/// The redacted report of one session.
pub fn build(dir: &SessionDir, redactor: &Redactor) -> Result<Report, CliError> {
    let recovered = dir.read_journal().map_err(message)?;
    let state = SessionState::replay(&recovered.records);
    let progress = &state.progress;
    let mut warnings = recovered.warnings.clone();

    let copy_path = dir.runbook_copy_path();
    let runbook = match std::fs::read(&copy_path) {
        Ok(bytes) => {
            if !progress.runbook_sha256.is_empty() && sha256_hex(&bytes) != progress.runbook_sha256
            {
                warnings.push(format!(
                    "{} differs from the runbook the session started with (SHA-256 mismatch)",
                    copy_path.display()
                ));
            }
            load_runbook(&copy_path, &bytes)
        }
        Err(e) => {
            warnings.push(format!(
                "cannot read the runbook copy {}: {e}; open items are not listed",
                copy_path.display()
            ));
            None
        }
    };

    let mut report = report::build_from(&state, runbook.as_ref()).with_session_id(&dir.id);
    if !dir.is_live() {
        report.mark_console_stopped();
    }
    report.warnings.extend(warnings);
    report.redact(redactor);
    Ok(report)
}

/// Loads the session's runbook copy, for step titles, phases and untouched items. A copy
/// that no longer loads gives a report from the journal alone.
fn load_runbook(path: &Path, bytes: &[u8]) -> Option<Runbook> {
    crate::domain::runbook::load_bytes(path, bytes).ok()
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it over
/// `path`, so a reader never sees half a report.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| CliError::Message(format!("{} is not a file name", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::Message(format!("cannot write {}: {e}", path.display()))
    })
}

fn message(e: impl std::fmt::Display) -> CliError {
    CliError::Message(e.to_string())
}
