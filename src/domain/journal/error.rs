//! Everything that can go wrong reading or writing a journal.

use std::fmt;
use std::path::PathBuf;

/// The file name of a session's journal, used in messages.
pub const JOURNAL_FILE_NAME: &str = "journal.jsonl";

/// A journal error. Corruption and I/O are kept apart so the console can say
/// "the journal was altered" differently from "the disk failed".
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// A complete record is broken: the journal cannot be trusted past it.
    #[error(transparent)]
    Corrupt(#[from] Corruption),
    /// Reading, writing or syncing the file failed.
    #[error("{op} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "cannot sync".
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process holds the journal open for writing.
    #[error(
        "{} is open in another backout process; close that console first",
        path.display()
    )]
    Locked { path: PathBuf },
    /// An earlier write or sync failed, so what is on disk is unknown. Appending more
    /// could chain onto a record that is not there; reopening the session recovers
    /// exactly what reached the disk.
    #[error(
        "the journal {} stopped accepting records after a failed write ({reason}); \
         restart backout to resume from what is on disk",
        path.display()
    )]
    Poisoned { path: PathBuf, reason: String },
    /// The journal writer task is gone (shut down or crashed).
    #[error("the journal writer has stopped; no more records can be written")]
    WriterStopped,
}

/// Where and how a complete record is broken. Display reads e.g.
/// `journal.jsonl line 7 (seq 7): hash mismatch — the record was altered`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Corruption {
    /// 1-based line number in the file.
    pub line: usize,
    /// The record's own `seq` when it could be read.
    pub seq: Option<u64>,
    pub problem: Problem,
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{JOURNAL_FILE_NAME} line {}", self.line)?;
        if let Some(seq) = self.seq {
            write!(f, " (seq {seq})")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// What is wrong with a complete record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A line with nothing on it.
    EmptyLine,
    /// The line does not end with a `"hash"` field of 64 lowercase hex digits.
    NoHashField,
    /// The line is not a JSON record of the expected shape.
    Invalid { detail: String },
    /// The hash does not match the line's bytes.
    HashMismatch,
    /// `seq` is not the next number.
    SeqOutOfOrder { expected: u64 },
    /// `prev` is not the hash of the record before.
    PrevMismatch,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::EmptyLine => write!(f, "empty line — the file was edited"),
            Problem::NoHashField => write!(
                f,
                "the line does not end with its \"hash\" field — the record was altered"
            ),
            Problem::Invalid { detail } => {
                write!(f, "not a valid record ({detail}) — the record was altered")
            }
            Problem::HashMismatch => write!(f, "hash mismatch — the record was altered"),
            Problem::SeqOutOfOrder { expected } => write!(
                f,
                "expected seq {expected} — a record was deleted, duplicated or moved"
            ),
            Problem::PrevMismatch => write!(
                f,
                "prev does not match the hash of the record before — \
                 the chain is broken (a record was replaced)"
            ),
        }
    }
}
