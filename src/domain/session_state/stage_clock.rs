//! A drill's stage clock: what the scorecard times the team by, as the journal says it.
//! The clock starts at the first `DrillEvent`; from it on, every record is a candidate
//! milestone (one journaled before it does not count, nor one stamped earlier than it):
//!
//! - detect: the first `SeverityAcknowledged` or `SeverityDeclared`;
//! - decide: the first `ClusterActionRequested`, and the first command started in each
//!   step (the scorecard keeps those of the execution phases);
//! - recover: the first `ClusterActionFinished` ok that is the action's last word (not
//!   followed by another result or a `RolloutFollowStarted` of the same action);
//! - verify: every verification check journaled since the clock passed;
//! - communicate: the first `MessageDelivered` or `MessagePostedByHand`;
//! - and every change of a step's finished state ([`StepChange`]), seen at the first
//!   record from the clock on: the scorecard asks, with the runbook's phases, when every
//!   step of a phase (or one of them) was finished.
//!
//! It also keeps what the scorecard counts over the whole journal: the severity
//! acknowledged first and the RTO declared with it, the commands and actions that failed.
//! The runbook is not needed here: [`crate::domain::scorecard`] reads this with it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::progress::Progress;
use crate::domain::runbook::StepId;
use crate::domain::verify::interrupted_by_quit;

/// A stage's end: the record that ended it (its position in the journal), when, and what
/// it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    /// The record's position in the journal (0 for the first).
    pub index: usize,
    pub at: DateTime<Utc>,
    /// `acknowledged SEV-1`, `kubectl rollout undo …`.
    pub by: String,
}

/// Whether a step is finished, in the two ways [`Progress::is_finished`] reads: ticked,
/// skipped or done by an action (`marked`), or its latest run succeeded (`succeeded`,
/// which counts for a command step only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StepFinish {
    pub marked: bool,
    pub succeeded: bool,
}

impl StepFinish {
    fn of(progress: &Progress, step: StepId) -> StepFinish {
        StepFinish {
            marked: progress.steps.contains_key(&step),
            succeeded: progress.last_success(step).is_some(),
        }
    }

    /// [`Progress::is_finished`].
    pub fn is_finished(self, is_command: bool) -> bool {
        self.marked || (is_command && self.succeeded)
    }
}

/// A step's finished state changed; seen at record `index` (the first record from the
/// clock on at or after the change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepChange {
    pub index: usize,
    pub at: DateTime<Utc>,
    pub step: StepId,
    pub finish: StepFinish,
}

/// The latest cluster action result, until the next result, request or follow says
/// whether it was the action's last word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingResult {
    pub action: String,
    /// The milestone it is, when it came from the clock on and was ok.
    pub recovered: Option<Milestone>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StageClock {
    pub detected: Option<Milestone>,
    pub action_requested: Option<Milestone>,
    /// The first command started in each step.
    pub command_started: BTreeMap<StepId, Milestone>,
    /// The first ok result that was its action's last word.
    pub action_recovered: Option<Milestone>,
    /// The latest result, not yet known to be its action's last word.
    pub pending_result: Option<PendingResult>,
    /// The checks journaled from the clock on, and whether each last passed.
    pub checks: BTreeMap<String, bool>,
    pub checks_passed: Option<Milestone>,
    /// A check failed from the clock on.
    pub check_failed: bool,
    pub communicated: Option<Milestone>,
    /// Every change of a step's finished state, in journal order.
    pub step_changes: Vec<StepChange>,
    /// Each step's finished state as last seen.
    pub steps: BTreeMap<StepId, StepFinish>,
    /// Changes made before the clock (or by records stamped before it), not yet seen.
    pub unseen: BTreeMap<StepId, StepFinish>,
    /// The severity acknowledged (or declared) first.
    pub severity: Option<String>,
    /// The RTO the first declaration of that severity carried (a table row's).
    pub declared_rto_secs: Option<u64>,
    /// `CommandFinished` records with a failure (not a cancel).
    pub commands_failed: usize,
    /// `ClusterActionFinished` records not ok.
    pub actions_failed: usize,
}

impl StageClock {
    /// Folds record number `index` (0-based); `progress` has folded it already, `start`
    /// is the clock's start (the first `DrillEvent`, this record included).
    pub fn apply(
        &mut self,
        r: &Record,
        index: usize,
        progress: &Progress,
        start: Option<DateTime<Utc>>,
    ) {
        self.count(r);
        self.resolve_result(r, index, start);
        let timed = start.is_some_and(|s| r.ts >= s);
        let milestone = |by: String| Milestone {
            index,
            at: r.ts,
            by,
        };
        if timed {
            for (step, finish) in std::mem::take(&mut self.unseen) {
                self.step_changes.push(StepChange {
                    index,
                    at: r.ts,
                    step,
                    finish,
                });
            }
            let first = |slot: &mut Option<Milestone>, by: String| {
                if slot.is_none() {
                    *slot = Some(milestone(by));
                }
            };
            match &r.entry {
                Entry::SeverityAcknowledged { severity } => {
                    first(&mut self.detected, format!("acknowledged {severity}"));
                }
                Entry::SeverityDeclared { severity, .. } => {
                    first(&mut self.detected, format!("declared {severity}"));
                }
                Entry::ClusterActionRequested { action, .. } => {
                    first(&mut self.action_requested, action.clone());
                }
                Entry::CommandStarted { step, command, .. } => {
                    let line = crate::domain::progress::command_headline(command);
                    self.command_started
                        .entry(*step)
                        .or_insert_with(|| milestone(line));
                }
                Entry::VerificationStarted { check, .. } => {
                    self.checks.insert(check.clone(), false);
                }
                // A window the console quit in the middle of stays open: neither passed
                // nor failed.
                Entry::VerificationFinished { cut_short, .. }
                    if interrupted_by_quit(cut_short.as_deref()) => {}
                Entry::VerificationFinished { check, passed, .. } => {
                    self.checks.insert(check.clone(), *passed);
                    self.check_failed |= !passed;
                    if self.checks.values().all(|p| *p) {
                        let by = format!("verification checks passed ({})", self.checks.len());
                        first(&mut self.checks_passed, by);
                    }
                }
                Entry::MessageDelivered { sink, .. } => {
                    first(
                        &mut self.communicated,
                        format!("message delivered to {sink}"),
                    );
                }
                Entry::MessagePostedByHand { where_, .. } => {
                    first(
                        &mut self.communicated,
                        format!("message posted by hand to {where_}"),
                    );
                }
                _ => {}
            }
        }
        for step in touched(r, progress) {
            let finish = StepFinish::of(progress, step);
            if self.steps.get(&step).copied().unwrap_or_default() == finish {
                continue;
            }
            self.steps.insert(step, finish);
            if timed {
                self.step_changes.push(StepChange {
                    index,
                    at: r.ts,
                    step,
                    finish,
                });
            } else {
                self.unseen.insert(step, finish);
            }
        }
    }

    /// The first ok result that is its action's last word, the latest result included
    /// (nothing came after it).
    pub fn recovered_by_action(&self) -> Option<&Milestone> {
        self.action_recovered.as_ref().or(self
            .pending_result
            .as_ref()
            .and_then(|p| p.recovered.as_ref()))
    }

    /// What the scorecard counts over the whole journal.
    fn count(&mut self, r: &Record) {
        match &r.entry {
            Entry::SeverityAcknowledged { severity } | Entry::SeverityDeclared { severity, .. }
                if self.severity.is_none() =>
            {
                self.severity = Some(severity.clone());
            }
            Entry::CommandFinished {
                exit_code,
                cancelled: false,
                ..
            } if *exit_code != Some(0) => self.commands_failed += 1,
            Entry::ClusterActionFinished { ok: false, .. } => self.actions_failed += 1,
            _ => {}
        }
        if let Entry::SeverityDeclared {
            severity,
            rto_secs: Some(secs),
            ..
        } = &r.entry
            && self.declared_rto_secs.is_none()
            && self.severity.as_ref() == Some(severity)
        {
            self.declared_rto_secs = Some(*secs);
        }
    }

    /// A cluster action journals its result, then (when it rolls pods) the followed
    /// rollout's end under the same action: only the last of those is the recovery. A
    /// result followed by `RolloutFollowStarted` is never the recovery, even when the
    /// process was killed before the follow's end was written (issue 15, point 3).
    fn resolve_result(&mut self, r: &Record, index: usize, start: Option<DateTime<Utc>>) {
        let next_of = match &r.entry {
            Entry::ClusterActionFinished { action, .. }
            | Entry::RolloutFollowStarted { action } => Some(action),
            Entry::ClusterActionRequested { .. } => None,
            _ => return,
        };
        if let Some(p) = self.pending_result.take()
            && next_of != Some(&p.action)
            && self.action_recovered.is_none()
        {
            self.action_recovered = p.recovered;
        }
        if let Entry::ClusterActionFinished {
            action,
            outcome,
            ok,
        } = &r.entry
        {
            let timed = start.is_some_and(|s| r.ts >= s);
            self.pending_result = Some(PendingResult {
                action: action.clone(),
                recovered: (*ok && timed).then(|| Milestone {
                    index,
                    at: r.ts,
                    by: outcome.clone(),
                }),
            });
        }
    }
}

/// The steps whose finished state a record may change.
fn touched(r: &Record, progress: &Progress) -> Vec<StepId> {
    match &r.entry {
        Entry::StepTicked { step, .. }
        | Entry::StepUnticked { step, .. }
        | Entry::StepSkipped { step, .. }
        | Entry::StepDoneByAction { step, .. }
        | Entry::CommandStarted { step, .. } => vec![*step],
        // The outcome goes to the latest run of that number, whatever its step.
        Entry::CommandFinished { step, run, .. } => {
            let mut steps = vec![*step];
            if let Some(c) = progress.runs.iter().rev().find(|c| c.run == *run)
                && c.step != *step
            {
                steps.push(c.step);
            }
            steps
        }
        _ => Vec::new(),
    }
}
