//! Logs go to a file in the state directory, never to the terminal the console owns.
//!
//! Every subcommand logs the same way: `<dir>/backout.log.YYYY-MM-DD` (a file a day, 0600 in
//! a 0700 directory), one
//! line per event in tracing's plain format. The filter comes from `BACKOUT_LOG`, else
//! `RUST_LOG`, else `info`. At start, log files older than [`MAX_AGE`] are deleted, then
//! the oldest ones until the rest fit in [`MAX_TOTAL_BYTES`].

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The name every log file starts with.
pub const FILE_PREFIX: &str = "backout.log";
/// Log files older than this are deleted at start.
pub const MAX_AGE: Duration = Duration::from_secs(14 * 24 * 3600);
/// The log directory is kept under this size at start (oldest files go first).
pub const MAX_TOTAL_BYTES: u64 = 50 * 1024 * 1024;
/// The filter's variables, the first one set wins.
pub const FILTER_ENVS: [&str; 2] = ["BACKOUT_LOG", "RUST_LOG"];

/// Starts logging to `<dir>/backout.log.*` after pruning old files. Keep the guard alive
/// until exit so the last lines are flushed. `None` when the directory cannot be created
/// or logging is already set up in this process.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    // A file a day, 0600 in a 0700 directory, whatever the umask.
    let file = crate::adapters::log_file::DailyLogFile::new(dir, FILE_PREFIX).ok()?;
    let pruned = prune(dir, SystemTime::now(), MAX_AGE, MAX_TOTAL_BYTES);
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter())
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    for p in &pruned {
        tracing::info!(file = %p.display(), "old log file deleted");
    }
    Some(guard)
}

/// The filter from `BACKOUT_LOG`, else `RUST_LOG`, else `info` (an unreadable value falls
/// through to the next).
pub fn filter() -> EnvFilter {
    FILTER_ENVS
        .iter()
        .find_map(|var| {
            std::env::var(var)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .and_then(|v| EnvFilter::try_new(v).ok())
        })
        .unwrap_or_else(|| EnvFilter::new("info"))
}

/// Deletes log files (names starting with [`FILE_PREFIX`]) modified more than `max_age`
/// before `now`, then the oldest of the rest until they total at most `max_total` bytes.
/// Returns the deleted paths. Other files are never touched; errors skip the file.
pub fn prune(dir: &Path, now: SystemTime, max_age: Duration, max_total: u64) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(FILE_PREFIX))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            if !meta.is_file() {
                return None;
            }
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    // Oldest first.
    files.sort();
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    for (modified, len, path) in files {
        let age = now.duration_since(modified).unwrap_or_default();
        if age > max_age && std::fs::remove_file(&path).is_ok() {
            deleted.push(path);
        } else {
            kept.push((len, path));
        }
    }
    let mut total: u64 = kept.iter().map(|(len, _)| len).sum();
    for (len, path) in kept {
        if total <= max_total {
            break;
        }
        if std::fs::remove_file(&path).is_ok() {
            total -= len;
            deleted.push(path);
        }
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, name: &str, len: usize, age: Duration, now: SystemTime) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, vec![b'x'; len]).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(now - age).unwrap();
        p
    }

    const DAY: Duration = Duration::from_secs(24 * 3600);

    #[test]
    fn files_older_than_the_limit_go_and_the_rest_stay() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let old = file(dir.path(), "backout.log.2026-01-01", 10, DAY * 15, now);
        let young = file(dir.path(), "backout.log.2026-01-10", 10, DAY * 13, now);
        let other = file(dir.path(), "notes.txt", 10, DAY * 100, now);
        let deleted = prune(dir.path(), now, MAX_AGE, MAX_TOTAL_BYTES);
        assert_eq!(deleted, vec![old.clone()]);
        assert!(!old.exists());
        assert!(young.exists());
        assert!(other.exists(), "only log files are pruned");
    }

    #[test]
    fn beyond_the_size_limit_the_oldest_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let a = file(dir.path(), "backout.log.a", 400, DAY * 3, now);
        let b = file(dir.path(), "backout.log.b", 400, DAY * 2, now);
        let c = file(dir.path(), "backout.log.c", 400, DAY, now);
        let deleted = prune(dir.path(), now, MAX_AGE, 900);
        assert_eq!(deleted, vec![a.clone()], "800 bytes fit in 900");
        assert!(b.exists() && c.exists());
        let deleted = prune(dir.path(), now, MAX_AGE, 399);
        assert_eq!(deleted, vec![b, c], "nothing fits in 399 bytes");
    }

    #[test]
    fn a_missing_directory_prunes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("nope");
        assert!(prune(&gone, SystemTime::now(), MAX_AGE, MAX_TOTAL_BYTES).is_empty());
    }
}
