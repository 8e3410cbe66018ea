//! Each time the console was reopened on the session (`SessionResumed`), and how long it
//! had been away.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub host: String,
    /// Time since the record before it: how long the console was away.
    pub gap_secs: Option<i64>,
}

/// Folds one record; `previous` is the time of the record before it, if any.
pub fn apply(out: &mut Vec<ResumeReport>, r: &Record, previous: Option<DateTime<Utc>>) {
    if let Entry::SessionResumed { host } = &r.entry {
        out.push(ResumeReport {
            at: r.ts,
            actor: r.actor.clone(),
            host: host.clone(),
            gap_secs: previous.map(|p| (r.ts - p).num_seconds()),
        });
    }
}
