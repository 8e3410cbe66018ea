//! Where sessions live on disk.
//!
//! ```text
//! <home>/sessions/<id>/journal.jsonl   the session's journal
//! <home>/sessions/<id>/runbook.md      byte copy of the runbook at session start
//! <home>/logs/                         (or the platform state dir) tracing logs
//! ```
//!
//! `<home>` is `$BACKOUT_HOME` when set, else the platform data directory
//! (`~/.local/share/backout` on Linux). A session id reads
//! `YYYYMMDD-HHMMSS-<slug of the title>-<4 hex>` (UTC), so ids sort by start time.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::identity;
use super::journal_file::{JournalFile, sync_parent_dir};
use super::private_files;
pub use super::session_summary::{SessionState, SessionSummary};
use crate::domain::journal::{
    Entry, JOURNAL_FILE_NAME, JournalError, Record, Recovered, recover, sha256_hex,
};

/// Environment variable that overrides where sessions and logs are kept.
pub const HOME_ENV: &str = "BACKOUT_HOME";
/// File name of the runbook copy in a session directory.
pub const RUNBOOK_COPY_NAME: &str = "runbook.md";
/// Longest title slug in a session id.
pub const MAX_SLUG_LEN: usize = 24;

/// A session-store error.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot find a data directory for backout; set {HOME_ENV} to choose one")]
    NoHome,
    #[error("{op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no session matches {prefix:?} in {} (see `backout sessions`)", dir.display())]
    NotFound { prefix: String, dir: PathBuf },
    #[error(
        "{prefix:?} matches {} sessions: {}; give more of the id",
        matches.len(),
        matches.join(", ")
    )]
    Ambiguous {
        prefix: String,
        matches: Vec<String>,
    },
    #[error("no sessions yet in {}", dir.display())]
    NoSessions { dir: PathBuf },
    #[error("session {id}: {source}")]
    Journal {
        id: String,
        #[source]
        source: JournalError,
    },
}

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SessionError {
    let path = path.to_owned();
    move |source| SessionError::Io { op, path, source }
}

/// `$BACKOUT_HOME`, else the platform data directory.
pub fn home_dir() -> Result<PathBuf, SessionError> {
    home_dir_for(env_home(), project_dirs().as_ref())
}

/// Where log files go: `$BACKOUT_HOME/logs`, else `<platform state dir>/logs` (the
/// local data dir where the platform has no state dir).
pub fn log_dir() -> Result<PathBuf, SessionError> {
    log_dir_for(env_home(), project_dirs().as_ref())
}

fn home_dir_for(
    over: Option<PathBuf>,
    dirs: Option<&directories::ProjectDirs>,
) -> Result<PathBuf, SessionError> {
    match (over, dirs) {
        (Some(home), _) => Ok(home),
        (None, Some(dirs)) => Ok(dirs.data_dir().to_owned()),
        (None, None) => Err(SessionError::NoHome),
    }
}

fn log_dir_for(
    over: Option<PathBuf>,
    dirs: Option<&directories::ProjectDirs>,
) -> Result<PathBuf, SessionError> {
    match (over, dirs) {
        (Some(home), _) => Ok(home.join("logs")),
        (None, Some(dirs)) => Ok(dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("logs")),
        (None, None) => Err(SessionError::NoHome),
    }
}

fn env_home() -> Option<PathBuf> {
    std::env::var_os(HOME_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "backout", "backout")
}

/// What a new session starts from.
#[derive(Debug, Clone)]
pub struct SessionStart<'a> {
    /// The runbook's path as the operator gave it.
    pub runbook_path: &'a Path,
    /// The runbook's bytes, copied into the session.
    pub runbook_bytes: &'a [u8],
    pub title: &'a str,
    /// `live` or `drill`.
    pub mode: &'a str,
    /// `user@host` (see [`identity::actor`]).
    pub actor: String,
    pub host: String,
    pub at: DateTime<Utc>,
}

impl<'a> SessionStart<'a> {
    /// A live session started now by the current user on this host.
    pub fn new(runbook_path: &'a Path, runbook_bytes: &'a [u8], title: &'a str) -> Self {
        SessionStart {
            runbook_path,
            runbook_bytes,
            title,
            mode: "live",
            actor: identity::actor(),
            host: identity::host_name(),
            at: Utc::now(),
        }
    }
}

/// A freshly created session, its journal open and holding its first record.
#[derive(Debug)]
pub struct NewSession {
    pub dir: SessionDir,
    pub journal: JournalFile,
    /// The `session_started` record.
    pub started: Record,
}

/// One session's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDir {
    pub id: String,
    pub path: PathBuf,
}

impl SessionDir {
    pub fn journal_path(&self) -> PathBuf {
        self.path.join(JOURNAL_FILE_NAME)
    }

    /// The copy of the runbook taken at session start.
    pub fn runbook_copy_path(&self) -> PathBuf {
        self.path.join(RUNBOOK_COPY_NAME)
    }

    /// The target the session's runbook copy declares in its front matter, if it loads.
    pub fn declared_target(&self) -> Option<String> {
        let path = self.runbook_copy_path();
        let bytes = std::fs::read(&path).ok()?;
        let book = crate::domain::runbook::load_bytes(&path, &bytes).ok()?;
        crate::domain::report::session_target(&[], Some(&book))
    }

    /// Opens the journal for writing (recovering and cutting a torn tail).
    pub fn open_journal(&self) -> Result<(JournalFile, Recovered), SessionError> {
        JournalFile::open(self.journal_path()).map_err(|source| SessionError::Journal {
            id: self.id.clone(),
            source,
        })
    }

    /// Whether a console holds this session's journal open right now (it keeps an
    /// exclusive lock on it while it runs).
    pub fn is_live(&self) -> bool {
        File::open(self.journal_path())
            .is_ok_and(|f| matches!(f.try_lock_shared(), Err(std::fs::TryLockError::WouldBlock)))
    }

    /// Reads the journal without changing it (a torn tail is reported, not cut). A
    /// missing journal reads as empty.
    pub fn read_journal(&self) -> Result<Recovered, SessionError> {
        let path = self.journal_path();
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io("cannot read", &path)(e)),
        };
        recover(&bytes).map_err(|source| SessionError::Journal {
            id: self.id.clone(),
            source,
        })
    }
}

/// The sessions under one home directory.
#[derive(Debug, Clone)]
pub struct SessionStore {
    home: PathBuf,
}

impl SessionStore {
    /// The store at [`home_dir`].
    pub fn from_env() -> Result<Self, SessionError> {
        home_dir().map(SessionStore::at)
    }

    /// The store under `home` (sessions in `home/sessions`).
    pub fn at(home: impl Into<PathBuf>) -> Self {
        SessionStore { home: home.into() }
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn sessions_dir(&self) -> PathBuf {
        self.home.join("sessions")
    }

    /// Creates a session: its directory, the runbook copy, and a journal whose first
    /// record (`session_started`, with the runbook's SHA-256) is on disk when this
    /// returns. The journal stays open (and locked) in the returned [`NewSession`].
    ///
    /// Atomic: everything is written and synced under a hidden temporary name
    /// (`.creating-<id>`, never listed), then renamed to `<id>` and the rename synced, so
    /// a session directory never appears without its first record (a crash in the first
    /// ~50 ms used to leave one that `resume` and `report` then picked).
    pub fn create(&self, start: &SessionStart<'_>) -> Result<NewSession, SessionError> {
        let sessions = self.sessions_dir();
        private_files::create_dir_all(&sessions).map_err(io("cannot create", &sessions))?;
        let mut last_err = None;
        for _ in 0..32 {
            let id = session_id(start.at, start.title, rand::random::<u16>());
            if fs::symlink_metadata(sessions.join(&id)).is_ok() {
                continue;
            }
            match self.create_as(start, &id) {
                Err(CreateError::Taken(e)) => last_err = Some(e),
                Err(CreateError::Failed(e)) => return Err(e),
                Ok(new) => return Ok(new),
            }
        }
        let e = last_err.unwrap_or_else(|| std::io::Error::other("no free session id"));
        Err(io("cannot create a new session in", &sessions)(e))
    }

    /// Writes the session under its temporary name, then renames it to `id`.
    fn create_as(&self, start: &SessionStart<'_>, id: &str) -> Result<NewSession, CreateError> {
        let sessions = self.sessions_dir();
        let tmp = SessionDir {
            id: id.to_owned(),
            path: sessions.join(format!("{CREATING_PREFIX}{id}")),
        };
        match private_files::create_dir(&tmp.path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(CreateError::Taken(e));
            }
            Err(e) => return Err(CreateError::Failed(io("cannot create", &tmp.path)(e))),
        }
        let written = self.fill(start, &tmp);
        let (journal, started) = match written {
            Ok(w) => w,
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp.path);
                return Err(CreateError::Failed(e));
            }
        };
        let dir = self.dir(id);
        if let Err(e) = fs::rename(&tmp.path, &dir.path) {
            let _ = fs::remove_dir_all(&tmp.path);
            return Err(match e.kind() {
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => {
                    CreateError::Taken(e)
                }
                _ => CreateError::Failed(io("cannot create", &dir.path)(e)),
            });
        }
        let mut journal = journal;
        journal.renamed(dir.journal_path());
        sync_parent_dir(&dir.path)
            .map_err(io("cannot sync", &sessions))
            .map_err(CreateError::Failed)?;
        Ok(NewSession {
            dir,
            journal,
            started,
        })
    }

    /// The runbook copy and the journal with its first record, in `dir`, synced.
    fn fill(
        &self,
        start: &SessionStart<'_>,
        dir: &SessionDir,
    ) -> Result<(JournalFile, Record), SessionError> {
        let copy = dir.runbook_copy_path();
        write_synced(&copy, start.runbook_bytes)?;
        let (mut journal, _) = dir.open_journal()?;
        let entry = Entry::SessionStarted {
            runbook_path: start.runbook_path.display().to_string(),
            runbook_sha256: sha256_hex(start.runbook_bytes),
            title: start.title.to_owned(),
            mode: start.mode.to_owned(),
            host: start.host.clone(),
        };
        let started = journal
            .append_at(start.at, &start.actor, entry)
            .map_err(|source| SessionError::Journal {
                id: dir.id.clone(),
                source,
            })?;
        Ok((journal, started))
    }

    /// The session whose id is `id_or_prefix`, or the only one starting with it.
    pub fn open(&self, id_or_prefix: &str) -> Result<SessionDir, SessionError> {
        let not_found = || SessionError::NotFound {
            prefix: id_or_prefix.to_owned(),
            dir: self.sessions_dir(),
        };
        if id_or_prefix.is_empty() || !is_plain_name(id_or_prefix) {
            return Err(not_found());
        }
        let ids = self.ids()?;
        if ids.iter().any(|id| id == id_or_prefix) {
            return Ok(self.dir(id_or_prefix));
        }
        let matches: Vec<String> = ids
            .into_iter()
            .filter(|id| id.starts_with(id_or_prefix))
            .collect();
        match matches.as_slice() {
            [] => Err(not_found()),
            [one] => Ok(self.dir(one)),
            _ => Err(SessionError::Ambiguous {
                prefix: id_or_prefix.to_owned(),
                matches,
            }),
        }
    }

    /// The most recently started session.
    pub fn latest(&self) -> Result<SessionDir, SessionError> {
        self.ids()?
            .into_iter()
            .next_back()
            .map(|id| self.dir(&id))
            .ok_or_else(|| SessionError::NoSessions {
                dir: self.sessions_dir(),
            })
    }

    /// Every session, newest first. A session whose journal cannot be read is listed
    /// as [`SessionState::Corrupt`] with the error; it never hides the others.
    pub fn list(&self) -> Result<Vec<SessionSummary>, SessionError> {
        let mut ids = self.ids()?;
        ids.reverse();
        Ok(ids
            .into_iter()
            .map(|id| {
                let dir = self.dir(&id);
                let mut summary = match dir.read_journal() {
                    Ok(recovered) => SessionSummary::from_journal(id, &recovered),
                    Err(e) => SessionSummary::broken(id, &e),
                };
                if summary.target.is_none() && summary.state != SessionState::Corrupt {
                    summary.target = dir.declared_target();
                }
                summary.live = dir.is_live();
                summary
            })
            .collect())
    }

    fn dir(&self, id: &str) -> SessionDir {
        SessionDir {
            id: id.to_owned(),
            path: self.sessions_dir().join(id),
        }
    }

    /// A one-line note naming the directories `resume`, `report` and `sessions` ignore:
    /// sessions whose start was interrupted before their first record (an older version
    /// created the directory first), and temporary `.creating-…` directories.
    pub fn leftovers_note(&self) -> Option<String> {
        let names = self.leftovers().ok()?;
        if names.is_empty() {
            return None;
        }
        Some(format!(
            "note: ignoring {} session director{} whose start was interrupted before the first record (safe to delete): {}",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            names.join(", ")
        ))
    }

    /// Directory names under the sessions directory that are not sessions, sorted.
    fn leftovers(&self) -> Result<Vec<String>, SessionError> {
        let mut out: Vec<String> = self
            .dir_names()?
            .into_iter()
            .filter(|name| name.starts_with(CREATING_PREFIX) || !has_journal(&self.dir(name)))
            .collect();
        out.retain(|name| !name.starts_with('.') || name.starts_with(CREATING_PREFIX));
        Ok(out)
    }

    /// Session ids (directories holding a non-empty journal), oldest first. No sessions
    /// directory: none.
    fn ids(&self) -> Result<Vec<String>, SessionError> {
        Ok(self
            .dir_names()?
            .into_iter()
            .filter(|name| !name.starts_with('.') && has_journal(&self.dir(name)))
            .collect())
    }

    /// Every directory name under the sessions directory, sorted.
    fn dir_names(&self) -> Result<Vec<String>, SessionError> {
        let sessions = self.sessions_dir();
        let entries = match fs::read_dir(&sessions) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io("cannot list", &sessions)(e)),
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io("cannot list", &sessions))?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if let (true, Some(name)) = (is_dir, entry.file_name().to_str()) {
                ids.push(name.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }
}

/// The hidden name a session is written under before it is renamed into place.
const CREATING_PREFIX: &str = ".creating-";

/// Why one attempt at creating a session under an id failed.
enum CreateError {
    /// The id is taken: try another.
    Taken(std::io::Error),
    Failed(SessionError),
}

/// Whether a directory holds a journal with at least one byte (its first record).
fn has_journal(dir: &SessionDir) -> bool {
    fs::metadata(dir.journal_path()).is_ok_and(|m| m.len() > 0)
}

/// `YYYYMMDD-HHMMSS-<slug>-<4 hex>`.
pub fn session_id(at: DateTime<Utc>, title: &str, suffix: u16) -> String {
    format!(
        "{}-{}-{suffix:04x}",
        at.format("%Y%m%d-%H%M%S"),
        slug(title)
    )
}

/// Lowercase ASCII letters and digits joined by single dashes, at most
/// [`MAX_SLUG_LEN`] characters; `session` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() == MAX_SLUG_LEN {
                break;
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            if out.len() + 1 >= MAX_SLUG_LEN {
                break;
            }
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "session".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// A single path component that cannot climb out of the sessions directory.
fn is_plain_name(s: &str) -> bool {
    !s.contains(['/', '\\', '\0']) && s != "." && s != ".."
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), SessionError> {
    let mut f = private_files::open_options()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io("cannot create", path))?;
    private_files::narrow(&f).map_err(io("cannot protect", path))?;
    f.write_all(bytes).map_err(io("cannot write", path))?;
    f.sync_all().map_err(io("cannot sync", path))?;
    Ok(())
}

#[cfg(test)]
#[path = "session_store_tests.rs"]
mod tests;
