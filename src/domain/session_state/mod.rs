//! Everything derived from a session's journal, in one fold: [`SessionState::apply`]
//! takes one record, so the console (record by record, as they are written) and the
//! readers of a journal on disk (`report`, `sessions`, `drill --report`, resume) compute
//! the same state the same way. One file per part:
//!
//! - steps, runs, notes, phases, severity changes (the matrix's), when baselines were
//!   captured, the alternative chosen in each group, cluster actions, closing and resumes:
//!   [`Progress`] (`domain/progress`);
//! - messages and their delivery, and what a crash left unsent (the notify ledger,
//!   [`SessionState::unfinished_messages`]): [`messages`]; what each sink's deliveries
//!   said (what a resumed console's sinks take back): [`deliveries`];
//! - verification windows, and the last record of each check: [`verification`];
//! - the severity declared by hand, the approvals recorded for it and the severity
//!   acknowledged: [`severity`];
//! - the last baselines' values: [`baselines`];
//! - a drill's stages (`DrillEvent`): [`drill_events`];
//! - each resume, with how long the console was away: [`resumes`];
//! - the connection journaled last: [`connection`];
//! - the decisions taken and why (the report's *Decisions*): [`decisions`];
//! - one line per record saying what it did (the report's *Timeline*): [`timeline`];
//! - a rollout follow left unfinished: [`FollowState`] (`domain/unfinished_follow.rs`);
//! - every change to the cluster, by any path (the report's *Changes made*): [`changes`];
//! - the signs of impact: when it began, its peak, the first sign of recovery (the
//!   report's *Impact*): [`impact`];
//! - when the console stopped, against when each command run started (the report's
//!   *Commands*, for a run interrupted): [`console_stops`];
//! - what is left to do after the incident (the report's *Follow-ups*): [`follow_ups`];
//! - a drill's stage clock: the milestones its scorecard times and what it counts
//!   ([`stage_clock`]; `domain::scorecard` reads it with the runbook's phases);
//! - the steps whose last command was declined, the cluster changes' details, the steps'
//!   titles as journaled, the first target acted on, the placeholders bound as secrets,
//!   who wrote (`actors`) and how far the journal goes, from when
//!   ([`JournalHead`]): here.
//!
//! Nothing else folds the journal: the console holds one `SessionState` (applying each
//! record as it comes back from the disk, replaying the journal on resume) and reads
//! these parts from it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{ChangeDetail, Entry, Record};
use crate::domain::progress::Progress;
use crate::domain::runbook::StepId;
use crate::domain::unfinished_follow::FollowState;

pub mod baselines;
pub mod changes;
pub mod connection;
pub mod console_stops;
pub mod decisions;
pub mod deliveries;
pub mod drill_events;
pub mod follow_ups;
pub mod impact;
pub mod messages;
pub mod resumes;
pub mod severity;
pub mod stage_clock;
pub mod timeline;
pub mod verification;

pub use baselines::Baselines;
pub use changes::{ChangePath, ChangeReport, Changes};
pub use connection::Connection;
pub use console_stops::ConsoleStops;
pub use decisions::{DecisionKind, DecisionReport};
pub use deliveries::Deliveries;
pub use drill_events::DrillStage;
pub use follow_ups::{FollowUp, FollowUps};
pub use impact::ImpactSigns;
pub use messages::{MessageReport, MessageStatus};
pub use resumes::ResumeReport;
pub use severity::{ApprovalGiven, Declaration, SeverityRecord};
pub use stage_clock::{Milestone, StageClock, StepChange, StepFinish};
pub use timeline::TimelineEntry;
pub use verification::{LastRecord, VerificationReport};

/// The state of a session as its journal says. Not `Eq`: baseline values are floating
/// point.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SessionState {
    pub progress: Progress,
    /// Every message queued (or drafted), per sink, with its delivery.
    pub messages: Vec<MessageReport>,
    /// Verification windows, in journal order.
    pub verification: Vec<VerificationReport>,
    /// The last verification record of each check, by check id.
    pub verification_last: BTreeMap<String, LastRecord>,
    /// The severity declared by hand, its approvals, the severity acknowledged.
    pub severity: SeverityRecord,
    /// The metric baselines captured last.
    pub baselines: Option<Baselines>,
    /// What a drill's scenario did, in order.
    pub drill_stages: Vec<DrillStage>,
    /// The detail of every cluster change requested with one, in order (where "undo
    /// further" may not go back to).
    pub cluster_changes: Vec<ChangeDetail>,
    /// A rollout being followed whose end the journal does not have (a resumed console
    /// follows it again).
    pub follow: FollowState,
    /// Steps whose latest command record is a decline (`CommandDeclined` after any
    /// `CommandStarted`): "not run (declined)".
    pub declined: BTreeSet<StepId>,
    /// Everyone who wrote a record, in order of first appearance.
    pub actors: Vec<String>,
    /// How many records were applied and the hash of the last one.
    pub head: JournalHead,
    /// What the people in charge decided and why, in journal order.
    pub decisions: Vec<DecisionReport>,
    /// One line per record, saying what it did.
    pub timeline: Vec<TimelineEntry>,
    /// Each time the console was reopened on the session.
    pub resumes: Vec<ResumeReport>,
    /// The connection journaled last.
    pub connection: Option<Connection>,
    /// The first non-empty target a cluster action was requested on.
    pub first_action_target: Option<String>,
    /// The latest title a tick, untick or skip carried, for every step the journal
    /// mentions.
    pub step_titles: BTreeMap<StepId, String>,
    /// Every placeholder ever bound as a secret (its value not journaled: a resumed
    /// console asks for it again).
    pub secret_placeholders: BTreeSet<String>,
    /// Every change to the cluster, by any path (the report's *Changes made*).
    pub changes: Changes,
    /// The first sign of impact, its peak and the first sign of recovery (the report's
    /// *Impact*).
    pub impact: ImpactSigns,
    /// When the console stopped, against when each run started (a run with no outcome
    /// before a stop was interrupted).
    pub console_stops: ConsoleStops,
    /// What is left to do after the incident (the report's *Follow-ups*).
    pub follow_ups: FollowUps,
    /// A drill's stage clock: the milestones its scorecard times, and what it counts.
    pub stage_clock: StageClock,
    /// Every delivery's detail, per sink (what a resumed console's sinks take back).
    pub deliveries: Deliveries,
}

/// How far the journal goes: the number of records applied and the last one's hash
/// (which names this exact history), and when it began.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct JournalHead {
    pub records: usize,
    pub hash: Option<String>,
    /// The first record's time.
    pub first_at: Option<DateTime<Utc>>,
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
        deliveries::apply(&mut self.deliveries, &r.entry);
        verification::apply(&mut self.verification, r);
        verification::apply_last(&mut self.verification_last, r);
        self.severity.apply(r);
        baselines::apply(&mut self.baselines, r);
        drill_events::apply(&mut self.drill_stages, r);
        decisions::apply(&mut self.decisions, r);
        resumes::apply(&mut self.resumes, r, self.timeline.last().map(|t| t.ts));
        timeline::apply(&mut self.timeline, r, &self.progress);
        connection::apply(&mut self.connection, r);
        self.follow.apply(r);
        self.changes.apply(r);
        self.impact.apply(r);
        self.console_stops.apply(r);
        self.follow_ups.apply(r);
        let clock_start = self.drill_stages.first().map(|d| d.at);
        self.stage_clock
            .apply(r, self.head.records, &self.progress, clock_start);
        match &r.entry {
            Entry::CommandDeclined { step, .. } => {
                self.declined.insert(*step);
            }
            Entry::CommandStarted { step, .. } => {
                self.declined.remove(step);
            }
            Entry::StepTicked { step, title }
            | Entry::StepUnticked { step, title }
            | Entry::StepSkipped { step, title, .. } => {
                self.step_titles.insert(*step, title.clone());
            }
            Entry::PlaceholderBound {
                name, secret: true, ..
            } => {
                self.secret_placeholders.insert(name.clone());
            }
            Entry::ClusterActionRequested { target, change, .. } => {
                if self.first_action_target.is_none() && !target.trim().is_empty() {
                    self.first_action_target = Some(target.clone());
                }
                if let Some(c) = change {
                    self.cluster_changes.push(c.clone());
                }
            }
            _ => {}
        }
        if !self.actors.contains(&r.actor) {
            self.actors.push(r.actor.clone());
        }
        self.head.first_at.get_or_insert(r.ts);
        self.head.records += 1;
        self.head.hash = Some(r.hash.clone());
    }
}

impl SessionState {
    /// The notify ledger: every message queued to a sink with no outcome journaled since
    /// (the process died between queuing and knowing), in the order first queued.
    pub fn unfinished_messages(&self) -> impl Iterator<Item = &MessageReport> {
        self.messages.iter().filter(|m| m.unfinished())
    }
}
