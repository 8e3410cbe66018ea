//! The monitor window: a check holds only if every sample over its window passes.
//!
//! Samples are due at the start of the window and then every `every`, the last one at or
//! after the end of the window. One failing sample fails the window at once (naming the
//! sample, the value seen and the limit). An unknown sample (no data, no source, a source
//! that failed) ends it at once as *could not verify*: a value nobody saw never proves
//! recovery, and it is no measured breach either. The operator may cut the window short with a reason:
//! it then passes if every sample so far passed (and there was at least one).
//!
//! Time is elapsed *check time* since the window started, passed in by the caller, so the
//! executor can run a fifteen-minute window in seconds by scaling its clock.

use std::time::Duration;

use serde::Serialize;

use super::check::Check;
use super::judge::Observation;
use super::verdict::Verdict;
use crate::domain::duration_text::compact;

/// One judged sample of a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SampleRecord {
    /// 1-based position in the window.
    pub index: u32,
    /// Check time since the window started.
    pub at: Duration,
    pub observation: Observation,
}

/// Why a window failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    /// The sample that failed (1-based) and when.
    pub sample: u32,
    pub at: Duration,
    /// The value seen, or why none was.
    pub seen: String,
    /// The limit the value broke; `None` when the sample was unknown.
    pub limit: Option<String>,
}

/// How a window ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Every sample of the window passed.
    Passed {
        samples: u32,
        last_seen: String,
    },
    Failed(Failure),
    /// A sample could not be measured (no data, no source, a failing source): the window
    /// neither passed nor failed.
    CouldNotVerify {
        sample: u32,
        at: Duration,
        reason: String,
    },
    /// The operator ended the window early.
    CutShort {
        reason: String,
        at: Duration,
        samples_passed: u32,
        last_seen: Option<String>,
    },
}

impl Outcome {
    /// Whether the check counts as passed: all samples of the full window, or of the part
    /// the operator watched before cutting it short (at least one).
    pub fn passed(&self) -> bool {
        match self {
            Outcome::Passed { .. } => true,
            Outcome::Failed(_) | Outcome::CouldNotVerify { .. } => false,
            Outcome::CutShort { samples_passed, .. } => *samples_passed > 0,
        }
    }

    /// Passed, failed (a measured breach) or could not verify. A window cut short before
    /// any sample measured nothing: could not verify.
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Failed(_) => Verdict::Failed,
            Outcome::CouldNotVerify { .. } => Verdict::CouldNotVerify,
            _ if self.passed() => Verdict::Passed,
            _ => Verdict::CouldNotVerify,
        }
    }

    /// The operator's reason, for a window cut short.
    pub fn cut_short(&self) -> Option<&str> {
        match self {
            Outcome::CutShort { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// One line for the journal and the report: the value seen, and for a failure which
    /// sample and the limit.
    pub fn detail(&self) -> String {
        match self {
            Outcome::Passed { samples, last_seen } => {
                let plural = if *samples == 1 { "" } else { "s" };
                format!("{samples} sample{plural} passed; last: {last_seen}")
            }
            Outcome::Failed(f) => match &f.limit {
                Some(limit) => format!(
                    "sample {} at {}: {} (limit: {limit})",
                    f.sample,
                    compact(f.at.as_secs()),
                    f.seen
                ),
                None => format!(
                    "sample {} at {}: unknown ({}); an unknown value never counts as passing",
                    f.sample,
                    compact(f.at.as_secs()),
                    f.seen
                ),
            },
            Outcome::CouldNotVerify { sample, at, reason } => format!(
                "could not verify: sample {sample} at {}: {reason}",
                compact(at.as_secs())
            ),
            Outcome::CutShort {
                at,
                samples_passed,
                last_seen,
                ..
            } => match last_seen {
                Some(seen) => format!(
                    "cut short at {}: {samples_passed} sample{} passed; last: {seen}",
                    compact(at.as_secs()),
                    if *samples_passed == 1 { "" } else { "s" }
                ),
                None => format!("cut short at {} before any sample", compact(at.as_secs())),
            },
        }
    }
}

/// Where a window is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MonitorState {
    /// Not started.
    Idle,
    Watching,
    Finished(Outcome),
}

/// What the operator may do after a check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextMove {
    /// Roll back further (the Rollout pane's undo flow).
    UndoFurther,
    /// Bring in more people: a note, then the communication phase.
    Escalate,
    /// Restart the window and watch again.
    KeepWatching,
}

impl NextMove {
    /// The moves offered after a failure, in the order shown.
    pub const ON_FAILURE: [NextMove; 3] = [
        NextMove::UndoFurther,
        NextMove::Escalate,
        NextMove::KeepWatching,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NextMove::UndoFurther => "Undo further",
            NextMove::Escalate => "Escalate",
            NextMove::KeepWatching => "Keep watching",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            NextMove::UndoFurther => "roll back one more revision (Rollout pane undo)",
            NextMove::Escalate => "write a note and go to the communication phase",
            NextMove::KeepWatching => "restart the monitor window",
        }
    }
}

/// The monitor window of one check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Monitor {
    window: Option<Duration>,
    every: Duration,
    expected: u32,
    state: MonitorState,
    samples: Vec<SampleRecord>,
}

impl Monitor {
    pub fn new(check: &Check) -> Monitor {
        Monitor {
            window: check.window,
            every: check.every.max(Duration::from_millis(1)),
            expected: check.samples_in_window(),
            state: MonitorState::Idle,
            samples: Vec::new(),
        }
    }

    pub fn state(&self) -> &MonitorState {
        &self.state
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        match &self.state {
            MonitorState::Finished(o) => Some(o),
            _ => None,
        }
    }

    pub fn is_watching(&self) -> bool {
        self.state == MonitorState::Watching
    }

    pub fn window(&self) -> Option<Duration> {
        self.window
    }

    pub fn every(&self) -> Duration {
        self.every
    }

    /// Samples a full window takes.
    pub fn expected_samples(&self) -> u32 {
        self.expected
    }

    pub fn samples(&self) -> &[SampleRecord] {
        &self.samples
    }

    pub fn samples_passed(&self) -> u32 {
        self.samples
            .iter()
            .filter(|s| s.observation.is_pass())
            .count() as u32
    }

    pub fn last(&self) -> Option<&SampleRecord> {
        self.samples.last()
    }

    /// Starts (or restarts: "keep watching") the window, forgetting earlier samples.
    pub fn start(&mut self) {
        self.samples.clear();
        self.state = MonitorState::Watching;
    }

    /// When (check time since start) the next sample is due; `None` unless watching.
    pub fn next_due(&self) -> Option<Duration> {
        if !self.is_watching() {
            return None;
        }
        let n = self.samples.len() as u32;
        let due = self.every.saturating_mul(n);
        Some(match self.window {
            Some(w) if n + 1 >= self.expected => due.max(w),
            _ => due,
        })
    }

    /// Check time left in the window at `elapsed` (zero once over; `None` without one).
    pub fn time_left(&self, elapsed: Duration) -> Option<Duration> {
        self.window.map(|w| w.saturating_sub(elapsed))
    }

    /// Records a judged sample taken at `elapsed`; returns the outcome when this sample
    /// ends the window. Ignored unless watching.
    pub fn record(&mut self, elapsed: Duration, observation: Observation) -> Option<Outcome> {
        if !self.is_watching() {
            return None;
        }
        let index = self.samples.len() as u32 + 1;
        self.samples.push(SampleRecord {
            index,
            at: elapsed,
            observation: observation.clone(),
        });
        let outcome = match observation {
            Observation::Fail { seen, limit } => Outcome::Failed(Failure {
                sample: index,
                at: elapsed,
                seen,
                limit: Some(limit),
            }),
            Observation::Unknown { reason } => Outcome::CouldNotVerify {
                sample: index,
                at: elapsed,
                reason,
            },
            Observation::Pass { seen } => {
                let window_over = self.window.is_none_or(|w| elapsed >= w);
                if !(window_over && self.samples_passed() >= self.expected) {
                    return None;
                }
                Outcome::Passed {
                    samples: index,
                    last_seen: seen,
                }
            }
        };
        self.state = MonitorState::Finished(outcome.clone());
        Some(outcome)
    }

    /// The operator ends the window early at `elapsed`, with a reason. Ignored unless
    /// watching.
    pub fn cut_short(&mut self, elapsed: Duration, reason: &str) -> Option<Outcome> {
        if !self.is_watching() {
            return None;
        }
        let outcome = Outcome::CutShort {
            reason: reason.trim().to_string(),
            at: elapsed,
            samples_passed: self.samples_passed(),
            last_seen: self.last().map(|s| s.observation.seen().to_string()),
        };
        self.state = MonitorState::Finished(outcome.clone());
        Some(outcome)
    }
}
