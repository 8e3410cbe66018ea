//! Everything derived from a session's journal, in one fold: [`SessionState::apply`]
//! takes one record, so the console (record by record, as they are written) and the
//! readers of a journal on disk (`report`, `sessions`, `drill --report`, resume) compute
//! the same state the same way. One file per part:
//!
//! - steps, runs, notes, phases, severity changes, baselines, choices, cluster actions,
//!   closing and resumes: [`Progress`] (`domain/progress`);
//! - messages and their delivery: [`messages`];
//! - verification windows: [`verification`];
//! - who wrote (`actors`) and how far the journal goes ([`JournalHead`]): here.

use serde::Serialize;

use crate::domain::journal::Record;
use crate::domain::progress::Progress;

pub mod messages;
pub mod verification;

pub use messages::{MessageReport, MessageStatus};
pub use verification::VerificationReport;

/// The state of a session as its journal says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionState {
    pub progress: Progress,
    /// Every message queued (or drafted), per sink, with its delivery.
    pub messages: Vec<MessageReport>,
    /// Verification windows, in journal order.
    pub verification: Vec<VerificationReport>,
    /// Everyone who wrote a record, in order of first appearance.
    pub actors: Vec<String>,
    /// How many records were applied and the hash of the last one.
    pub head: JournalHead,
}

/// How far the journal goes: the number of records applied and the last one's hash
/// (which names this exact history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JournalHead {
    pub records: usize,
    pub hash: Option<String>,
}

impl SessionState {
    /// Folds records from the start.
    pub fn replay<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut state = SessionState::default();
        for r in records {
            state.apply(r);
        }
        state
    }

    /// Folds one record (the next one of the journal) into the state.
    pub fn apply(&mut self, r: &Record) {
        self.progress.apply(r);
        messages::apply(&mut self.messages, r);
        verification::apply(&mut self.verification, r);
        if !self.actors.contains(&r.actor) {
            self.actors.push(r.actor.clone());
        }
        self.head.records += 1;
        self.head.hash = Some(r.hash.clone());
    }
}
