//! A drill's scorecard, computed from the session's journal and its runbook: how long the
//! team took to detect, decide, recover, verify and communicate, each against a target
//! where the runbook has one, plus what was skipped, failed and noted.
//!
//! Times are wall-clock (the journal's timestamps): the simulator may compress the
//! scenario, the team does not. The clock starts at the first `DrillEvent` (the bad
//! release, or "drill started" on a real cluster); each stage ends at its first
//! milestone after the previous one:
//!
//! | stage | ends at |
//! |---|---|
//! | detect | `SeverityAcknowledged`, or `SeverityDeclared` (declaring is acknowledging) |
//! | decide | the rollback confirmed: the first `ClusterActionRequested`, or the first command started in an execution phase |
//! | recover | the rollout complete: the last `ClusterActionFinished` of an action ok (an action that rolls pods journals its result, then the followed rollout's end), or every step of the execution phases finished |
//! | verify | every `VerificationFinished` passed; with no verification checks journaled, every step of the verification phases finished |
//! | communicate | the first `MessageDelivered` or `MessagePostedByHand` (a draft only counts once the operator says it was posted); with no message queued or drafted, the first communication-phase step finished |
//!
//! Targets: the time budget written in the heading of the phase a stage belongs to
//! (decide: preparation, recover: execution, verify: verification, communicate:
//! communication) for the stage itself, and the runbook's `rto` for the acknowledged
//! severity for the time from the clock's start to recovery. The drill passes when every
//! stage was reached, every target met, and no verification check failed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::decision::Severity;
use crate::domain::duration_text::compact_f64;
use crate::domain::journal::{Entry, Record};
use crate::domain::progress::Progress;
use crate::domain::runbook::{PhaseKind, Runbook, StepKind};
use crate::domain::session_state::SessionState;
use crate::domain::verify::interrupted_by_quit;

/// The five stages of a drill, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageName {
    Detect,
    Decide,
    Recover,
    Verify,
    Communicate,
}

impl StageName {
    pub const ALL: [StageName; 5] = [
        StageName::Detect,
        StageName::Decide,
        StageName::Recover,
        StageName::Verify,
        StageName::Communicate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StageName::Detect => "detect",
            StageName::Decide => "decide",
            StageName::Recover => "recover",
            StageName::Verify => "verify",
            StageName::Communicate => "communicate",
        }
    }

    /// The phase whose heading time budget is this stage's target.
    fn phase(self) -> Option<PhaseKind> {
        match self {
            StageName::Detect => None,
            StageName::Decide => Some(PhaseKind::Preparation),
            StageName::Recover => Some(PhaseKind::Execution),
            StageName::Verify => Some(PhaseKind::Verification),
            StageName::Communicate => Some(PhaseKind::Communication),
        }
    }
}

/// One stage's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub name: StageName,
    /// When it ended; `None` when the drill never got there.
    pub reached_at: Option<DateTime<Utc>>,
    /// Seconds from the end of the previous stage (the clock's start for `detect`).
    pub secs: Option<f64>,
    /// Seconds from the clock's start.
    pub since_start_secs: Option<f64>,
    /// The target for `secs`, when the runbook has one.
    pub target_secs: Option<f64>,
    /// What ended it (`SeverityAcknowledged SEV-1`, `kubectl rollout undo …`).
    pub by: Option<String>,
}

impl Stage {
    /// Reached, and within its target if it has one.
    pub fn met(&self) -> bool {
        match (self.secs, self.target_secs) {
            (Some(s), Some(t)) => s <= t,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

/// The scorecard of one drill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// The first record's time.
    pub session_started: Option<DateTime<Utc>>,
    /// The first `DrillEvent`: the clock's start.
    pub clock_started: Option<DateTime<Utc>>,
    /// What started the clock.
    pub first_event: Option<String>,
    /// The severity acknowledged, else the highest the matrix reached.
    pub severity: Option<String>,
    pub stages: Vec<Stage>,
    /// The runbook's `rto` for `severity`, seconds.
    pub rto_target_secs: Option<f64>,
    /// Clock's start → recovered, seconds.
    pub time_to_recover_secs: Option<f64>,
    pub checklist_skipped: usize,
    pub commands_failed: usize,
    pub verifications_failed: usize,
    pub notes: usize,
    pub passed: bool,
    /// Why it did not pass, one line each.
    pub shortfalls: Vec<String>,
}

/// Computes the scorecard of a drill session.
pub fn score(records: &[Record], runbook: &Runbook) -> Scorecard {
    let clock = records.iter().find_map(|r| match &r.entry {
        Entry::DrillEvent { what } => Some((r.ts, what.clone())),
        _ => None,
    });
    let start = clock.as_ref().map(|c| c.0);
    let phase_steps = |kind: PhaseKind| -> Vec<(crate::domain::runbook::StepId, bool)> {
        runbook
            .phases
            .iter()
            .filter(|p| p.kind == kind)
            .flat_map(|p| p.steps.iter())
            .map(|s| (s.id, matches!(s.kind, StepKind::Command(_))))
            .collect()
    };
    let execution = phase_steps(PhaseKind::Execution);
    let verification = phase_steps(PhaseKind::Verification);
    let communication = phase_steps(PhaseKind::Communication);
    let has_checks = records.iter().any(|r| {
        matches!(
            r.entry,
            Entry::VerificationStarted { .. } | Entry::VerificationFinished { .. }
        )
    });
    let has_messages = records.iter().any(|r| {
        matches!(
            r.entry,
            Entry::MessageQueued { .. } | Entry::MessageDrafted { .. }
        )
    });

    // A cluster action journals its result, then (when it rolls pods) the followed
    // rollout's end under the same action: only the last of those is the recovery. A
    // result followed by `RolloutFollowStarted` is never the recovery, even when the
    // process was killed before the follow's end was written (issue 15, point 3).
    let superseded: std::collections::BTreeSet<usize> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.entry {
            Entry::ClusterActionFinished { action, .. } => {
                let next = records[i + 1..].iter().find(|n| {
                    matches!(
                        n.entry,
                        Entry::ClusterActionFinished { .. }
                            | Entry::ClusterActionRequested { .. }
                            | Entry::RolloutFollowStarted { .. }
                    )
                });
                match next.map(|n| &n.entry) {
                    Some(
                        Entry::ClusterActionFinished { action: a, .. }
                        | Entry::RolloutFollowStarted { action: a },
                    ) if a == action => Some(i),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    // Milestones: the first time each condition holds, after the clock started.
    let mut progress = Progress::default();
    let mut first: [Option<(DateTime<Utc>, String)>; 5] = Default::default();
    let mut checks_open: std::collections::BTreeMap<String, bool> = Default::default();
    let mut any_check_failed = false;
    for (i, r) in records.iter().enumerate() {
        progress.apply(r);
        if start.is_none_or(|s| r.ts < s) {
            continue;
        }
        let all_done = |steps: &[(crate::domain::runbook::StepId, bool)]| {
            !steps.is_empty()
                && steps
                    .iter()
                    .all(|(id, cmd)| progress.is_finished(*id, *cmd))
        };
        let any_done = |steps: &[(crate::domain::runbook::StepId, bool)]| {
            steps
                .iter()
                .any(|(id, cmd)| progress.is_finished(*id, *cmd))
        };
        let mut hit = |i: usize, by: String| {
            if first[i].is_none() {
                first[i] = Some((r.ts, by));
            }
        };
        match &r.entry {
            Entry::SeverityAcknowledged { severity } => {
                hit(0, format!("acknowledged {severity}"));
            }
            Entry::SeverityDeclared { severity, .. } => {
                hit(0, format!("declared {severity}"));
            }
            Entry::ClusterActionRequested { action, .. } => hit(1, action.clone()),
            Entry::CommandStarted { step, command, .. }
                if execution.iter().any(|(id, _)| id == step) =>
            {
                hit(1, first_line(command));
            }
            Entry::ClusterActionFinished {
                ok: true, outcome, ..
            } if !superseded.contains(&i) => hit(2, outcome.clone()),
            Entry::VerificationStarted { check, .. } => {
                checks_open.insert(check.clone(), false);
            }
            // A window the console quit in the middle of stays open: neither passed nor
            // failed.
            Entry::VerificationFinished { cut_short, .. }
                if interrupted_by_quit(cut_short.as_deref()) => {}
            Entry::VerificationFinished { check, passed, .. } => {
                checks_open.insert(check.clone(), *passed);
                any_check_failed |= !passed;
                if checks_open.values().all(|p| *p) {
                    hit(
                        3,
                        format!("verification checks passed ({})", checks_open.len()),
                    );
                }
            }
            Entry::MessageDelivered { sink, .. } => hit(4, format!("message delivered to {sink}")),
            Entry::MessagePostedByHand { where_, .. } => {
                hit(4, format!("message posted by hand to {where_}"));
            }
            _ => {}
        }
        if all_done(&execution) {
            hit(2, "every execution step finished".into());
        }
        if !has_checks && all_done(&verification) {
            hit(3, "every verification step finished".into());
        }
        if !has_messages && any_done(&communication) {
            hit(4, "a communication step finished".into());
        }
    }

    let severity = records
        .iter()
        .find_map(|r| match &r.entry {
            Entry::SeverityAcknowledged { severity } | Entry::SeverityDeclared { severity, .. } => {
                Some(severity.clone())
            }
            _ => None,
        })
        .or_else(|| highest_severity(records));
    // A declaration from a table row carries its own target (the row's timeline).
    let declared_rto = records.iter().find_map(|r| match &r.entry {
        Entry::SeverityDeclared {
            severity: s,
            rto_secs: Some(secs),
            ..
        } if Some(s) == severity.as_ref() => Some(*secs as f64),
        _ => None,
    });
    let rto_target_secs = severity
        .as_deref()
        .and_then(|s| rto_for(runbook, s))
        .or(declared_rto);
    let budget = |kind: PhaseKind| {
        runbook
            .phases
            .iter()
            .find(|p| p.kind == kind)
            .and_then(|p| p.time_budget)
            .map(|d: Duration| d.as_secs_f64())
    };
    let secs = |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_milliseconds() as f64 / 1000.0;
    let mut stages = Vec::new();
    let mut previous = start;
    for (i, name) in StageName::ALL.into_iter().enumerate() {
        let reached = first[i].clone();
        // A stage counts from the later of the previous milestone and the clock.
        let from = previous;
        let (reached_at, by) = match reached {
            Some((at, by)) => (Some(at), Some(by)),
            None => (None, None),
        };
        let stage = Stage {
            name,
            reached_at,
            secs: match (from, reached_at) {
                (Some(f), Some(t)) => Some(secs(f, t).max(0.0)),
                _ => None,
            },
            since_start_secs: match (start, reached_at) {
                (Some(s), Some(t)) => Some(secs(s, t)),
                _ => None,
            },
            target_secs: name.phase().and_then(budget),
            by,
        };
        if let Some(t) = reached_at {
            previous = Some(previous.map_or(t, |p| p.max(t)));
        }
        stages.push(stage);
    }
    let time_to_recover_secs = stages[2].since_start_secs;
    let mut shortfalls = Vec::new();
    if start.is_none() {
        shortfalls.push("the drill never started (no drill event in the journal)".to_string());
    }
    for s in &stages {
        match (s.secs, s.target_secs) {
            (None, _) => shortfalls.push(format!("{}: not reached", s.name.label())),
            (Some(v), Some(t)) if v > t => shortfalls.push(format!(
                "{}: {} over its {} target",
                s.name.label(),
                compact_f64(v),
                compact_f64(t)
            )),
            _ => {}
        }
    }
    if let (Some(v), Some(t)) = (time_to_recover_secs, rto_target_secs)
        && v > t
    {
        shortfalls.push(format!(
            "recovery took {} against an RTO of {}",
            compact_f64(v),
            compact_f64(t)
        ));
    }
    let verifications_failed = records
        .iter()
        .filter(|r| match &r.entry {
            Entry::VerificationFinished {
                passed: false,
                cut_short,
                ..
            } => !interrupted_by_quit(cut_short.as_deref()),
            _ => false,
        })
        .count();
    if any_check_failed {
        shortfalls.push(format!(
            "{verifications_failed} verification check(s) failed"
        ));
    }
    let final_progress = SessionState::replay(records).progress;
    let checklist_skipped = final_progress
        .steps
        .values()
        .filter(|s| matches!(s, crate::domain::progress::StepState::Skipped { .. }))
        .count();
    let commands_failed = records
        .iter()
        .filter(|r| {
            matches!(
                &r.entry,
                Entry::CommandFinished { exit_code, cancelled: false, .. } if *exit_code != Some(0)
            )
        })
        .count()
        + records
            .iter()
            .filter(|r| matches!(r.entry, Entry::ClusterActionFinished { ok: false, .. }))
            .count();
    let notes = records
        .iter()
        .filter(|r| matches!(r.entry, Entry::NoteAdded { .. }))
        .count();
    Scorecard {
        session_started: records.first().map(|r| r.ts),
        clock_started: start,
        first_event: clock.map(|c| c.1),
        severity,
        passed: shortfalls.is_empty(),
        stages,
        rto_target_secs,
        time_to_recover_secs,
        checklist_skipped,
        commands_failed,
        verifications_failed,
        notes,
        shortfalls,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

/// The most severe severity the matrix reached in the session.
fn highest_severity(records: &[Record]) -> Option<String> {
    records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::SeverityChanged { to: Some(to), .. } => Some(to.clone()),
            _ => None,
        })
        .filter_map(|s| Severity::parse(&s).ok().map(|p| (p, s)))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, s)| s)
}

fn rto_for(runbook: &Runbook, severity: &str) -> Option<f64> {
    let wanted = Severity::parse(severity).ok()?;
    runbook
        .front
        .as_ref()?
        .rto
        .iter()
        .find(|(k, _)| Severity::parse(k).ok().as_ref() == Some(&wanted))
        .map(|(_, d)| d.0.as_secs_f64())
}

#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
