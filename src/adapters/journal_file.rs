//! The journal file: append-only, one `sync_data` per record, recovered on open.
//!
//! [`JournalFile`] is the synchronous writer; [`JournalHandle`] runs one on a dedicated
//! thread for async code (the console's effect executor). Both guarantee that when an
//! append returns `Ok`, its record is on disk.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use crate::domain::journal::{Entry, JournalError, Record, Recovered, journal_time, recover, seal};
use crate::domain::redact::Redactor;

/// An open journal, positioned to continue its chain.
///
/// The file is locked (advisory, exclusive) while open, so two consoles cannot
/// interleave records in one session. Every entry passes through a [`Redactor`]
/// before it is sealed (see [`Entry::redacted`]): secrets never reach the file.
#[derive(Debug)]
pub struct JournalFile {
    redactor: Redactor,
    file: File,
    path: PathBuf,
    next_seq: u64,
    head: String,
    last_ts: Option<DateTime<Utc>>,
    /// Bytes known to be on disk and valid.
    len: u64,
    /// Set when a failed write or sync leaves the file's content unknown.
    poisoned: Option<String>,
}

impl JournalFile {
    /// Opens the journal at `path`, creating it (and syncing its directory) if absent.
    ///
    /// Runs recovery: a torn last line is cut off and the cut synced before this
    /// returns; the returned [`Recovered`] holds the records to replay and any warning.
    /// A record broken in the middle is an error and the file is left untouched.
    pub fn open(path: impl Into<PathBuf>) -> Result<(Self, Recovered), JournalError> {
        let path = path.into();
        let io = |op| {
            let path = path.clone();
            move |source| JournalError::Io { op, path, source }
        };
        let (mut file, created) = match super::private_files::open_options()
            .read(true)
            .append(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => {
                super::private_files::narrow(&file).map_err(io("cannot protect"))?;
                (file, true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => (
                OpenOptions::new()
                    .read(true)
                    .append(true)
                    .open(&path)
                    .map_err(io("cannot open"))?,
                false,
            ),
            Err(e) => return Err(io("cannot create")(e)),
        };
        match try_lock_briefly(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(JournalError::Locked { path }),
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                tracing::warn!(path = %path.display(), "file locking unsupported here; not locking the journal");
            }
            Err(TryLockError::Error(e)) => return Err(io("cannot lock")(e)),
        }
        if created {
            sync_parent_dir(&path).map_err(io("cannot sync the directory of"))?;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io("cannot read"))?;
        let recovered = recover(&bytes)?;
        let len = recovered.valid_len(bytes.len() as u64);
        if let Some(tail) = recovered.torn_tail {
            tracing::warn!(path = %path.display(), offset = tail.offset, len = tail.len, "truncating a torn journal tail");
            file.set_len(tail.offset).map_err(io("cannot truncate"))?;
        }
        // Make what was read durable before chaining onto it: a process killed between
        // its write and its sync leaves a record that is readable (page cache) but
        // not yet on disk, and a power cut must not drop it from under our records.
        file.sync_all().map_err(io("cannot sync"))?;
        let journal = JournalFile {
            redactor: Redactor::from_vars(std::env::vars()),
            file,
            next_seq: recovered.next_seq(),
            head: recovered.head_hash().to_owned(),
            last_ts: recovered.records.last().map(|r| r.ts),
            len,
            path,
            poisoned: None,
        };
        Ok((journal, recovered))
    }

    /// Appends a record stamped now. Returns once the record is on disk.
    pub fn append(&mut self, actor: &str, entry: Entry) -> Result<Record, JournalError> {
        self.append_at(Utc::now(), actor, entry)
    }

    /// Appends a record stamped `ts` (or the previous record's time, if later: record
    /// times never go backwards even when the wall clock does). Returns once the record
    /// is on disk: one `write_all` of the whole line, then `sync_data`.
    pub fn append_at(
        &mut self,
        ts: DateTime<Utc>,
        actor: &str,
        entry: Entry,
    ) -> Result<Record, JournalError> {
        if let Some(reason) = &self.poisoned {
            return Err(JournalError::Poisoned {
                path: self.path.clone(),
                reason: reason.clone(),
            });
        }
        let ts = match self.last_ts {
            Some(last) if last > journal_time(ts) => last,
            _ => ts,
        };
        let entry = entry.redacted(&self.redactor);
        let (record, line) = seal(self.next_seq, ts, actor, entry, &self.head);
        if let Err(source) = self.file.write_all(line.as_bytes()) {
            // Cut off whatever part of the line landed, so the next append starts on
            // a clean line. If even that fails, the file's end is unknown.
            if let Err(e) = self.file.set_len(self.len) {
                self.poisoned = Some(format!("write failed: {source}; truncate failed: {e}"));
            }
            return Err(self.io_error("cannot write", source));
        }
        if let Err(source) = self.file.sync_data() {
            // After a failed fsync the kernel may have dropped the dirty pages: what is
            // on disk is unknown, so no record may chain onto this one.
            self.poisoned = Some(format!("sync failed: {source}"));
            return Err(self.io_error("cannot sync", source));
        }
        self.len += line.len() as u64;
        self.next_seq += 1;
        self.head.clone_from(&record.hash);
        self.last_ts = Some(record.ts);
        Ok(record)
    }

    /// Adds a secret value (e.g. one the operator typed for a secret placeholder) that
    /// must never be written. Values of secret-named environment variables are known
    /// from the start.
    pub fn add_secret(&mut self, value: impl Into<String>) {
        self.redactor.add(value);
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file (open, locked) was renamed with its directory: messages name `path` now.
    pub(crate) fn renamed(&mut self, path: PathBuf) {
        self.path = path;
    }

    /// The `seq` the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    fn io_error(&self, op: &'static str, source: std::io::Error) -> JournalError {
        JournalError::Io {
            op,
            path: self.path.clone(),
            source,
        }
    }
}

/// Makes a new directory entry durable (the file's own fsync does not cover it).
pub(crate) fn sync_parent_dir(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(parent)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// How many appends may wait for the writer thread before senders wait.
pub const QUEUE_CAPACITY: usize = 256;

type Reply = oneshot::Sender<Result<Record, JournalError>>;

enum Request {
    Append(Entry, Reply),
    AddSecret(String),
    Shutdown(oneshot::Sender<()>),
}

/// A [`JournalFile`] on its own thread, fed through a bounded channel, for async code.
///
/// Records are written in the order appends are sent. Cloning gives another sender to
/// the same writer.
#[derive(Debug, Clone)]
pub struct JournalHandle {
    tx: mpsc::Sender<Request>,
    path: PathBuf,
    stopped_cleanly: Arc<AtomicBool>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Request::Append(e, _) => write!(f, "Append({})", e.kind()),
            Request::AddSecret(_) => write!(f, "AddSecret(..)"),
            Request::Shutdown(_) => write!(f, "Shutdown"),
        }
    }
}

impl JournalHandle {
    /// Moves `journal` to a new thread named `journal-writer`; every record it writes
    /// carries `actor`. Needs no async runtime to start.
    pub fn spawn(journal: JournalFile, actor: impl Into<String>) -> Result<Self, JournalError> {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let path = journal.path().to_owned();
        let stopped_cleanly = Arc::new(AtomicBool::new(false));
        let done = Arc::clone(&stopped_cleanly);
        let actor = actor.into();
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || writer_loop(journal, &actor, rx, &done))
            .map_err(|source| JournalError::Io {
                op: "cannot start the writer thread for",
                path: path.clone(),
                source,
            })?;
        Ok(JournalHandle {
            tx,
            path,
            stopped_cleanly,
        })
    }

    /// Appends an entry; resolves once its record is on disk. Dropping the future
    /// after the entry was queued does not withdraw it: the record is still written.
    pub async fn append(&self, entry: Entry) -> Result<Record, JournalError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Append(entry, reply))
            .await
            .map_err(|_| JournalError::WriterStopped)?;
        rx.await.map_err(|_| JournalError::WriterStopped)?
    }

    /// Adds a secret value that must never be written; it applies to every append
    /// sent after this call.
    pub async fn add_secret(&self, value: impl Into<String>) -> Result<(), JournalError> {
        self.tx
            .send(Request::AddSecret(value.into()))
            .await
            .map_err(|_| JournalError::WriterStopped)
    }

    /// Stops the writer after every append sent before this call (by any clone) is on
    /// disk, and releases the file. Appends sent afterwards fail with
    /// [`JournalError::WriterStopped`]. Calling it again is harmless.
    pub async fn shutdown(&self) -> Result<(), JournalError> {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Request::Shutdown(reply)).await.is_err() {
            return self.already_stopped();
        }
        match rx.await {
            Ok(()) => Ok(()),
            Err(_) => self.already_stopped(),
        }
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn already_stopped(&self) -> Result<(), JournalError> {
        if self.stopped_cleanly.load(Ordering::Acquire) {
            Ok(())
        } else {
            Err(JournalError::WriterStopped)
        }
    }
}

fn writer_loop(
    mut journal: JournalFile,
    actor: &str,
    mut rx: mpsc::Receiver<Request>,
    done: &AtomicBool,
) {
    let mut waiting = Vec::new();
    while let Some(request) = rx.blocking_recv() {
        match request {
            Request::Append(entry, reply) => {
                // The appender may have given up waiting; the record is written anyway.
                let _ = reply.send(journal.append(actor, entry));
            }
            Request::AddSecret(value) => journal.add_secret(value),
            Request::Shutdown(reply) => {
                waiting.push(reply);
                // Refuse new sends, then finish what is already queued.
                rx.close();
            }
        }
    }
    drop(journal);
    done.store(true, Ordering::Release);
    for reply in waiting {
        let _ = reply.send(());
    }
}

/// How long opening a journal waits for a lock another process is letting go of.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

/// Takes the journal's lock, trying again for [`LOCK_PATIENCE`]: a console that is just
/// closing, or a child process that inherited the descriptor for the instant between its
/// fork and its exec, holds it only briefly; a console that is open holds it throughout.
fn try_lock_briefly(file: &std::fs::File) -> Result<(), TryLockError> {
    let started = std::time::Instant::now();
    loop {
        match file.try_lock() {
            Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_PATIENCE => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
#[path = "journal_file_tests.rs"]
mod tests;
