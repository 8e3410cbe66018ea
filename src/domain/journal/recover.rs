//! Recovery: what a journal file's bytes say, after a crash at any moment.
//!
//! The writer appends each record as one line with a single write and syncs it before
//! the append returns. A crash can therefore leave at most one incomplete line, at the
//! end, with no newline. Recovery:
//!
//! - keeps every complete (newline-terminated) record, checking each one's hash and its
//!   link to the one before (`seq` contiguous from 1, `prev` = previous `hash`);
//! - drops bytes after the last newline (a torn last line, whatever they hold: a
//!   fragment, NUL padding, or even a whole record whose newline never made it — its
//!   append never returned) and reports them as [`TornTail`] so the writer can truncate;
//! - refuses a broken complete record with a [`Corruption`] naming its line and seq.
//!   This includes the last line when its newline is present: a tear never leaves a
//!   newline behind, so a complete last line with a bad hash was altered.

use super::chain::{claimed_seq, open_line};
use super::error::{Corruption, JOURNAL_FILE_NAME, JournalError, Problem};
use super::record::{GENESIS, Record};

/// The bytes after the last complete record, to be cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TornTail {
    /// Byte offset where the torn line starts (the file's valid length).
    pub offset: u64,
    /// Number of bytes in the torn line.
    pub len: u64,
}

/// The outcome of reading a journal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recovered {
    /// Every complete record, in order, chain verified.
    pub records: Vec<Record>,
    /// An incomplete last line that should be cut off, if any.
    pub torn_tail: Option<TornTail>,
    /// Human-readable notes about what recovery did (e.g. dropping a torn line).
    pub warnings: Vec<String>,
}

impl Recovered {
    /// The `seq` the next record gets.
    pub fn next_seq(&self) -> u64 {
        self.records.last().map_or(1, |r| r.seq + 1)
    }

    /// The `prev` the next record gets.
    pub fn head_hash(&self) -> &str {
        self.records.last().map_or(GENESIS, |r| r.hash.as_str())
    }

    /// Length of the valid prefix of the file, in bytes.
    pub fn valid_len(&self, total_len: u64) -> u64 {
        self.torn_tail.map_or(total_len, |t| t.offset)
    }
}

/// Reads a journal's bytes. Pure: the caller truncates the file at
/// [`TornTail::offset`] if there is a torn tail.
pub fn recover(bytes: &[u8]) -> Result<Recovered, JournalError> {
    let mut out = Recovered::default();
    let mut start = 0usize;
    let mut line_no = 0usize;
    while start < bytes.len() {
        let Some(nl) = memchr_newline(&bytes[start..]) else {
            let fragment = &bytes[start..];
            out.warnings
                .push(torn_warning(start, fragment, line_no + 1));
            out.torn_tail = Some(TornTail {
                offset: start as u64,
                len: fragment.len() as u64,
            });
            break;
        };
        line_no += 1;
        let line = &bytes[start..start + nl];
        let record = check(line, line_no, &out.records)?;
        out.records.push(record);
        start += nl + 1;
    }
    Ok(out)
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Checks one complete line against the records before it.
fn check(line: &[u8], line_no: usize, before: &[Record]) -> Result<Record, Corruption> {
    let expected_seq = before.last().map_or(1, |r| r.seq + 1);
    let expected_prev = before.last().map_or(GENESIS, |r| r.hash.as_str());
    let corrupt = |seq: Option<u64>, problem| Corruption {
        line: line_no,
        seq,
        problem,
    };
    let record = open_line(line).map_err(|p| corrupt(claimed_seq(line), p))?;
    if record.seq != expected_seq {
        return Err(corrupt(
            Some(record.seq),
            Problem::SeqOutOfOrder {
                expected: expected_seq,
            },
        ));
    }
    if record.prev != expected_prev {
        return Err(corrupt(Some(record.seq), Problem::PrevMismatch));
    }
    Ok(record)
}

fn torn_warning(offset: usize, fragment: &[u8], line_no: usize) -> String {
    let what = if fragment.iter().all(|&b| b == 0) {
        "NUL padding".to_string()
    } else if let Ok(r) = open_line(fragment) {
        format!("record seq {} without its newline", r.seq)
    } else {
        "an incomplete record".to_string()
    };
    format!(
        "{JOURNAL_FILE_NAME} line {line_no}: dropped a torn last line at byte {offset} \
         ({} bytes, {what}); the write it belongs to never completed",
        fragment.len()
    )
}

#[cfg(test)]
#[path = "recover_tests.rs"]
mod tests;
