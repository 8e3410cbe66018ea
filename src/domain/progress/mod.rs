//! Where a session stands: the state every journal record moves forward.
//!
//! `Progress` is derived only by applying journal records in order, both live (after a
//! record is on disk) and on resume, so replay equals live state by construction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::runbook::StepId;

mod command_runs;
mod items;

pub use command_runs::{
    BlockStop, CommandOutcome, CommandRun, NATIVE_PREFIX, REHEARSAL_PREFIX, command_headline,
};
pub use items::{
    AlternativeChoice, ClusterActionOutcome, ClusterActionRun, DoneByAction, Note, PhaseVisit,
    SeverityChange, StepState,
};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub started_at: Option<DateTime<Utc>>,
    pub title: String,
    pub runbook_path: String,
    pub runbook_sha256: String,
    pub mode: String,
    pub steps: BTreeMap<StepId, StepState>,
    /// Placeholder values. Secret ones are not restored on replay (they were never journaled).
    pub bindings: BTreeMap<String, String>,
    pub notes: Vec<Note>,
    pub runs: Vec<CommandRun>,
    pub cluster_actions: Vec<ClusterActionRun>,
    pub phase_visits: Vec<PhaseVisit>,
    /// Every change of the decision matrix's highest severity, in order.
    pub severity_changes: Vec<SeverityChange>,
    /// When metric baselines were (re-)captured.
    pub baselines_captured_at: Vec<DateTime<Utc>>,
    pub resumed_at: Vec<DateTime<Utc>>,
    /// The member chosen in each alternative group, by group id (`alt-1`).
    pub choices: BTreeMap<String, AlternativeChoice>,
    /// Steps ticked because a cluster action did what they describe (also `Done` in
    /// `steps`); unticking removes them.
    pub done_by_action: BTreeMap<StepId, DoneByAction>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_seq: u64,
    pub last_at: Option<DateTime<Utc>>,
}

impl Progress {
    /// Replays records from the start.
    pub fn replay<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut p = Progress::default();
        for r in records {
            p.apply(r);
        }
        p
    }

    /// Moves the state forward by one record. Pure and total: an entry that refers to
    /// something unknown is recorded as far as it makes sense, never a panic.
    pub fn apply(&mut self, r: &Record) {
        self.last_seq = r.seq;
        self.last_at = Some(r.ts);
        match &r.entry {
            Entry::SessionStarted {
                runbook_path,
                runbook_sha256,
                title,
                mode,
                ..
            } => {
                self.started_at = Some(r.ts);
                self.runbook_path = runbook_path.clone();
                self.runbook_sha256 = runbook_sha256.clone();
                self.title = title.clone();
                self.mode = mode.clone();
            }
            Entry::SessionResumed { .. } => {
                self.resumed_at.push(r.ts);
                self.closed_at = None;
            }
            Entry::PhaseEntered { phase, title } => self.phase_visits.push(PhaseVisit {
                phase: *phase,
                title: title.clone(),
                at: r.ts,
            }),
            Entry::StepTicked { step, .. } => {
                self.done_by_action.remove(step);
                self.steps.insert(
                    *step,
                    StepState::Done {
                        at: r.ts,
                        actor: r.actor.clone(),
                    },
                );
            }
            Entry::StepUnticked { step, .. } => {
                self.steps.remove(step);
                self.done_by_action.remove(step);
            }
            Entry::StepSkipped { step, reason, .. } => {
                self.done_by_action.remove(step);
                self.steps.insert(
                    *step,
                    StepState::Skipped {
                        at: r.ts,
                        actor: r.actor.clone(),
                        reason: reason.clone(),
                    },
                );
            }
            Entry::NoteAdded { text, step } => self.notes.push(Note {
                at: r.ts,
                actor: r.actor.clone(),
                text: text.clone(),
                step: *step,
            }),
            Entry::PlaceholderBound {
                name,
                value,
                secret,
            } => {
                if *secret {
                    self.bindings.remove(name);
                } else {
                    self.bindings.insert(name.clone(), value.clone());
                }
            }
            Entry::CommandStarted { step, run, command } => self.runs.push(CommandRun {
                run: *run,
                step: *step,
                command: command.clone(),
                started_at: r.ts,
                actor: r.actor.clone(),
                finished: None,
            }),
            Entry::CommandFinished {
                run,
                exit_code,
                duration_ms,
                cancelled,
                ..
            } => {
                if let Some(cr) = self.runs.iter_mut().rev().find(|c| c.run == *run) {
                    cr.finished = Some(CommandOutcome {
                        at: r.ts,
                        exit_code: *exit_code,
                        duration_ms: *duration_ms,
                        cancelled: *cancelled,
                    });
                }
            }
            Entry::ClusterActionRequested { action, target, .. } => {
                self.cluster_actions.push(ClusterActionRun {
                    action: action.clone(),
                    target: target.clone(),
                    requested_at: r.ts,
                    actor: r.actor.clone(),
                    finished: None,
                })
            }
            Entry::ClusterActionFinished {
                action,
                outcome,
                ok,
            } => {
                // The latest request of that action; a later outcome (the rollout
                // followed to its end, or abandoned at quit) replaces the request's.
                if let Some(run) = self
                    .cluster_actions
                    .iter_mut()
                    .rev()
                    .find(|c| &c.action == action)
                {
                    run.finished = Some(ClusterActionOutcome {
                        at: r.ts,
                        outcome: outcome.clone(),
                        ok: *ok,
                    });
                }
            }
            Entry::SessionClosed => self.closed_at = Some(r.ts),
            Entry::SeverityChanged { from, to, rule } => {
                self.severity_changes.push(SeverityChange {
                    at: r.ts,
                    from: from.clone(),
                    to: to.clone(),
                    rule: rule.clone(),
                })
            }
            Entry::BaselineCaptured { .. } => self.baselines_captured_at.push(r.ts),
            Entry::AlternativeChosen { .. } => {
                if let Some((group, choice)) = AlternativeChoice::of(r) {
                    self.choices.insert(group, choice);
                }
            }
            Entry::StepDoneByAction { step, action, .. } => {
                let number = self
                    .cluster_actions
                    .iter()
                    .rposition(|c| &c.action == action)
                    .map(|i| i + 1);
                self.steps.insert(
                    *step,
                    StepState::Done {
                        at: r.ts,
                        actor: r.actor.clone(),
                    },
                );
                self.done_by_action.insert(
                    *step,
                    DoneByAction {
                        action: action.clone(),
                        number,
                        at: r.ts,
                    },
                );
            }
            // Verification, messages and drill events are read by the report and the
            // scorecard straight from the records; they do not change step progress.
            Entry::SeverityAcknowledged { .. }
            | Entry::VerificationStarted { .. }
            | Entry::VerificationFinished { .. }
            | Entry::MessageQueued { .. }
            | Entry::MessageDelivered { .. }
            | Entry::MessageFailed { .. }
            | Entry::DrillEvent { .. }
            | Entry::SeverityDeclared { .. }
            | Entry::ApprovalRecorded { .. }
            | Entry::ConnectionSet { .. }
            | Entry::MessageDrafted { .. }
            | Entry::MessagePostedByHand { .. }
            | Entry::CommandDeclined { .. }
            | Entry::RolloutFollowStarted { .. } => {}
        }
    }

    pub fn state(&self, step: StepId) -> Option<&StepState> {
        self.steps.get(&step)
    }

    /// Whether a step counts as finished: ticked, skipped, or (for a command step) its
    /// latest run succeeded. The console's progress and the report both use this.
    pub fn is_finished(&self, step: StepId, is_command: bool) -> bool {
        self.steps.contains_key(&step) || (is_command && self.last_success(step).is_some())
    }

    /// The key of the member chosen in alternative group `group` (`alt-1`), if any.
    pub fn chosen(&self, group: &str) -> Option<&str> {
        self.choices.get(group).map(|c| c.member.as_str())
    }

    /// When a phase was first entered.
    pub fn phase_entered_at(&self, phase: usize) -> Option<DateTime<Utc>> {
        self.phase_visits
            .iter()
            .find(|v| v.phase == phase)
            .map(|v| v.at)
    }
}

#[cfg(test)]
mod tests;
