//! Logs go to a file in the state directory, never to the terminal the console owns.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts logging to `<dir>/backout.log.YYYY-MM-DD` (a file a day, 0600 in a 0700
/// directory). Level from `BACKOUT_LOG` (default `info`). Keep the guard alive until exit
/// so the last lines are flushed.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let file = crate::adapters::log_file::DailyLogFile::new(dir, "backout.log").ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("BACKOUT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}
