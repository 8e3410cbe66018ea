//! When the console stopped (a `SessionResumed` or `SessionClosed` record: the console
//! before it had ended), against when each command run started: a run with no outcome
//! that a stop followed was interrupted. The report's *Commands* reads it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::journal::{Entry, Record};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsoleStops {
    /// The sequence number of the first `CommandStarted` of each run number.
    pub run_started: BTreeMap<u32, u64>,
    /// The highest sequence number of a resume or a close.
    pub last_stop: Option<u64>,
}

impl ConsoleStops {
    /// Folds one record.
    pub fn apply(&mut self, r: &Record) {
        match &r.entry {
            Entry::CommandStarted { run, .. } => {
                self.run_started.entry(*run).or_insert(r.seq);
            }
            Entry::SessionResumed { .. } | Entry::SessionClosed => {
                self.last_stop = Some(self.last_stop.map_or(r.seq, |s| s.max(r.seq)));
            }
            _ => {}
        }
    }

    /// Whether a resume or a close was journaled after run `run` started (any of them,
    /// when the journal has no start of that run).
    pub fn stopped_after(&self, run: u32) -> bool {
        let started = self.run_started.get(&run).copied().unwrap_or(0);
        self.last_stop.is_some_and(|s| s > started)
    }
}
