//! A drill's scorecard, computed from the session's state (the journal folded once: its
//! stage clock is `domain::session_state::stage_clock`) and its runbook: how long the
//! team took to detect, decide, recover, verify and communicate, each against a target
//! where the runbook has one, plus what was skipped, failed and noted.
//!
//! Times are wall-clock (the journal's timestamps): the simulator may compress the
//! scenario, the team does not. The clock starts at the first `DrillEvent` (the bad
//! release, or "drill started" on a real cluster; what was journaled before it does not
//! count); each stage ends at its first milestone after the previous one:
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

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::decision::Severity;
use crate::domain::duration_text::compact_f64;
use crate::domain::journal::Record;
use crate::domain::progress::{Progress, StepState};
use crate::domain::runbook::{PhaseKind, Runbook, StepId, StepKind};
use crate::domain::session_state::{Milestone, SessionState, StageClock, StepFinish};
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

/// Computes the scorecard of a drill session from its records (folded here: callers
/// holding the session's state use [`score_from`]).
pub fn score(records: &[Record], runbook: &Runbook) -> Scorecard {
    score_from(&SessionState::replay(records), runbook)
}

/// A runbook phase's steps, each with whether it is a command step.
type PhaseSteps = Vec<(StepId, bool)>;

/// The first of two milestones (by their records' order); `a` wins a tie (the record's
/// own entry is read before the steps it finished).
fn earlier(a: Option<Reached>, b: Option<Reached>) -> Option<Reached> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Whether a step is finished in `now`.
fn finished(now: &BTreeMap<StepId, StepFinish>, (id, cmd): &(StepId, bool)) -> bool {
    now.get(id).is_some_and(|f| f.is_finished(*cmd))
}

/// Whether a phase has steps and every one is finished in `now`.
fn all_finished(steps: &[(StepId, bool)], now: &BTreeMap<StepId, StepFinish>) -> bool {
    !steps.is_empty() && steps.iter().all(|s| finished(now, s))
}

/// A milestone: its record's position, when, and what it was.
type Reached = (usize, DateTime<Utc>, String);

fn reached(m: Option<&Milestone>) -> Option<Reached> {
    m.map(|m| (m.index, m.at, m.by.clone()))
}

/// The first record (from the clock on) after which `holds` is true of the steps'
/// finished states, named `by`.
fn steps_reached(
    clock: &StageClock,
    holds: impl Fn(&BTreeMap<StepId, StepFinish>) -> bool,
    by: &str,
) -> Option<Reached> {
    let mut now: BTreeMap<StepId, StepFinish> = BTreeMap::new();
    let changes = &clock.step_changes;
    let mut i = 0;
    while let Some(c) = changes.get(i) {
        let (index, at) = (c.index, c.at);
        while let Some(c) = changes.get(i).filter(|c| c.index == index) {
            now.insert(c.step, c.finish);
            i += 1;
        }
        if holds(&now) {
            return Some((index, at, by.to_string()));
        }
    }
    None
}

/// Computes the scorecard of a drill session from its state (the journal folded once)
/// and its runbook.
pub fn score_from(state: &SessionState, runbook: &Runbook) -> Scorecard {
    let clock_event = state.drill_stages.first();
    let start = clock_event.map(|c| c.at);
    let clock = &state.stage_clock;
    let phase_steps = |kind: PhaseKind| -> PhaseSteps {
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
    // Every verification record makes a window, every message queued or drafted a row.
    let has_checks = !state.verification.is_empty();
    let has_messages = !state.messages.is_empty();
    let decided_by_command = execution
        .iter()
        .filter_map(|(id, _)| reached(clock.command_started.get(id)))
        .min_by_key(|r| r.0);
    let first: [Option<Reached>; 5] = [
        reached(clock.detected.as_ref()),
        earlier(reached(clock.action_requested.as_ref()), decided_by_command),
        earlier(
            reached(clock.recovered_by_action()),
            steps_reached(
                clock,
                |now| all_finished(&execution, now),
                "every execution step finished",
            ),
        ),
        earlier(
            reached(clock.checks_passed.as_ref()),
            (!has_checks)
                .then(|| {
                    steps_reached(
                        clock,
                        |now| all_finished(&verification, now),
                        "every verification step finished",
                    )
                })
                .flatten(),
        ),
        earlier(
            reached(clock.communicated.as_ref()),
            (!has_messages)
                .then(|| {
                    steps_reached(
                        clock,
                        |now| communication.iter().any(|s| finished(now, s)),
                        "a communication step finished",
                    )
                })
                .flatten(),
        ),
    ];

    let severity = clock
        .severity
        .clone()
        .or_else(|| highest_severity(&state.progress));
    // A declaration from a table row carries its own target (the row's timeline).
    let declared_rto = clock.declared_rto_secs.map(|secs| secs as f64);
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
        // A stage counts from the later of the previous milestone and the clock.
        let from = previous;
        let (reached_at, by) = match first[i].clone() {
            Some((_, at, by)) => (Some(at), Some(by)),
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
    // Each `VerificationFinished` ends one window.
    let verifications_failed = state
        .verification
        .iter()
        .filter(|v| v.passed == Some(false) && !interrupted_by_quit(v.cut_short.as_deref()))
        .count();
    if clock.check_failed {
        shortfalls.push(format!(
            "{verifications_failed} verification check(s) failed"
        ));
    }
    let checklist_skipped = state
        .progress
        .steps
        .values()
        .filter(|s| matches!(s, StepState::Skipped { .. }))
        .count();
    let commands_failed = clock.commands_failed + clock.actions_failed;
    let notes = state.progress.notes.len();
    Scorecard {
        session_started: state.head.first_at,
        clock_started: start,
        first_event: clock_event.map(|c| c.what.clone()),
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

/// The most severe severity the matrix reached in the session.
fn highest_severity(progress: &Progress) -> Option<String> {
    progress
        .severity_changes
        .iter()
        .filter_map(|c| c.to.clone())
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
#[path = "scorecard_clock_tests.rs"]
mod clock_tests;
#[cfg(test)]
#[path = "scorecard_tests.rs"]
mod tests;
