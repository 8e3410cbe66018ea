//! Fixtures shared by the notification tests that use the journal as the ledger.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backout::adapters::journal_file::JournalFile;
use backout::adapters::notify::Configured;
use backout::domain::journal::{Entry, Record};
use backout::domain::notify::{IncidentFacts, MessageKind, RetryPolicy};
use backout::runtime::journal_port::JournalAppend;
use backout::runtime::notifier::{Draft, Notifier};

use super::receiver::Receiver;

pub fn facts() -> IncidentFacts {
    IncidentFacts {
        id: "s1".into(),
        title: "checkout rollback".into(),
        service: "checkout".into(),
        severity: "SEV-1".into(),
        started_at_ms: 1_763_790_000_000,
    }
}

pub fn draft(seq: u64, kind: MessageKind, text: &str) -> Draft {
    Draft {
        seq,
        kind,
        text: text.into(),
        incident: facts(),
        at_ms: 1_763_790_600_000,
    }
}

pub fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(2),
        ceiling: Duration::from_millis(10),
        retry_after_cap: Duration::from_millis(10),
    }
}

/// A journal file that also notes, at each `MessageQueued`, how many requests the
/// receiver had seen by then.
pub struct Journal {
    pub file: JournalFile,
    pub rx: Option<Arc<Receiver>>,
    pub seen_at_queue: Arc<Mutex<Vec<usize>>>,
}

impl Journal {
    pub fn open(path: &Path, rx: Option<Arc<Receiver>>) -> Journal {
        let (file, _) = JournalFile::open(path).expect("journal");
        Journal {
            file,
            rx,
            seen_at_queue: Arc::default(),
        }
    }
}

impl JournalAppend for Journal {
    fn append(&mut self, entry: Entry) -> Result<Record, String> {
        if matches!(entry, Entry::MessageQueued { .. })
            && let Some(rx) = &self.rx
        {
            self.seen_at_queue.lock().unwrap().push(rx.received().len());
        }
        self.file.append("alice", entry).map_err(|e| e.to_string())
    }
}

pub fn records(path: &Path) -> Vec<Record> {
    let bytes = std::fs::read(path).expect("read the journal");
    backout::domain::journal::recover(&bytes)
        .expect("a valid journal")
        .records
}

pub fn notifier(c: &Configured) -> Notifier {
    Notifier::new(
        c.sinks.clone(),
        policy(),
        Duration::from_secs(20),
        c.redactor(),
    )
    .expect("notifier")
}
