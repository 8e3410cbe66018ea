//! One line of `backout sessions`: what a session's journal says about it (folded by
//! [`SessionState`](crate::domain::session_state::SessionState)), or why it cannot be read.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::Recovered;
use crate::domain::progress::StepState;
use crate::domain::session_state;

/// Whether a session can be resumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Not closed: resumable.
    Open,
    /// Ended by the operator (resuming reopens it).
    Closed,
    /// The directory exists but no record reached the journal.
    Empty,
    /// The journal is broken; see [`SessionSummary::error`].
    Corrupt,
}

impl SessionState {
    pub fn label(self) -> &'static str {
        match self {
            SessionState::Open => "open",
            SessionState::Closed => "closed",
            SessionState::Empty => "empty",
            SessionState::Corrupt => "corrupt",
        }
    }
}

/// One line of `backout sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionSummary {
    pub id: String,
    pub title: String,
    /// What the session worked on (`context/namespace/deployment`): from its journal,
    /// else its runbook copy's front matter. Tells apart sessions of runbooks with the
    /// same title.
    pub target: Option<String>,
    pub runbook_path: String,
    pub started: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    pub steps_done: usize,
    pub steps_skipped: usize,
    pub notes: usize,
    pub commands: usize,
    pub records: u64,
    pub closed: bool,
    /// A console has the session open right now.
    pub live: bool,
    pub state: SessionState,
    /// Why the session is corrupt or unreadable.
    pub error: Option<String>,
    /// Recovery notes (e.g. a torn last line that a resume will cut).
    pub warnings: Vec<String>,
}

impl SessionSummary {
    pub(super) fn from_journal(id: String, recovered: &Recovered) -> Self {
        let journaled = session_state::SessionState::replay(&recovered.records);
        let p = &journaled.progress;
        let done = p
            .steps
            .values()
            .filter(|s| matches!(s, StepState::Done { .. }))
            .count();
        let state = if recovered.records.is_empty() {
            SessionState::Empty
        } else if p.closed_at.is_some() {
            SessionState::Closed
        } else {
            SessionState::Open
        };
        SessionSummary {
            id,
            title: p.title.clone(),
            target: crate::domain::report::target_of(&journaled, None),
            runbook_path: p.runbook_path.clone(),
            started: p.started_at,
            last_activity: p.last_at,
            steps_done: done,
            steps_skipped: p.steps.len() - done,
            notes: p.notes.len(),
            commands: p.runs.len(),
            records: p.last_seq,
            closed: p.closed_at.is_some(),
            live: false,
            state,
            error: None,
            warnings: recovered.warnings.clone(),
        }
    }

    pub(super) fn broken(id: String, error: &dyn std::fmt::Display) -> Self {
        SessionSummary {
            id,
            title: String::new(),
            target: None,
            runbook_path: String::new(),
            started: None,
            last_activity: None,
            steps_done: 0,
            steps_skipped: 0,
            notes: 0,
            commands: 0,
            records: 0,
            closed: false,
            live: false,
            state: SessionState::Corrupt,
            error: Some(error.to_string()),
            warnings: Vec::new(),
        }
    }
}
