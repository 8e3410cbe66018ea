//! What a session's progress holds besides command runs: step states, cluster actions,
//! notes, severity changes, phase visits, alternative choices, steps done by an action.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::runbook::StepId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StepState {
    Done {
        at: DateTime<Utc>,
        actor: String,
    },
    Skipped {
        at: DateTime<Utc>,
        actor: String,
        reason: String,
    },
}

/// A change requested of the cluster (`ClusterActionRequested`) and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterActionRun {
    /// The equivalent kubectl command.
    pub action: String,
    pub target: String,
    pub requested_at: DateTime<Utc>,
    pub actor: String,
    /// `None` while in flight (or when the session died before the outcome was written:
    /// the request may or may not have reached the cluster).
    pub finished: Option<ClusterActionOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterActionOutcome {
    pub at: DateTime<Utc>,
    pub outcome: String,
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
    pub step: Option<StepId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityChange {
    pub at: DateTime<Utc>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseVisit {
    pub phase: usize,
    pub title: String,
    pub at: DateTime<Utc>,
}

/// The member chosen in a group of alternatives (the latest choice wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlternativeChoice {
    /// The member's key (`B`, `2`).
    pub member: String,
    pub title: String,
    /// The member chosen before, when the choice was changed.
    pub previous: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl AlternativeChoice {
    /// The group and the choice an `AlternativeChosen` record makes.
    pub fn of(r: &Record) -> Option<(String, AlternativeChoice)> {
        match &r.entry {
            Entry::AlternativeChosen {
                group,
                member,
                title,
                previous,
                by,
            } => Some((
                group.clone(),
                AlternativeChoice {
                    member: member.clone(),
                    title: title.clone(),
                    previous: previous.clone(),
                    by: by.clone(),
                    at: r.ts,
                },
            )),
            _ => None,
        }
    }
}

/// A step completed by a cluster action made elsewhere (`StepDoneByAction`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoneByAction {
    /// The equivalent kubectl command.
    pub action: String,
    /// The action's number in [`Progress::cluster_actions`] (1-based: "action #2"); `None`
    /// when the journal holds no request of that action.
    pub number: Option<usize>,
    pub at: DateTime<Utc>,
}
