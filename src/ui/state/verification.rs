//! The console's view of verification: every check of the runbook, where its monitor
//! window is, and what it last saw. Changed only by the reducers (see
//! `ui/update/verification.rs`).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::domain::runbook::{Bindings, Placeholder, Runbook, StepId, fill, fill_text};
use crate::domain::session_state::{LastRecord, SessionState};
use crate::domain::verify::{
    Check, HttpProbe, Observation, Outcome, Probe, ShellProbe, Verdict, interrupted_by_quit,
};

/// What the executor reports about a running window (`run` tells stale windows apart).
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyMsg {
    /// A sample was taken.
    Sample {
        check: usize,
        run: u64,
        sample: u32,
        observation: Observation,
        time_left: Option<Duration>,
        passed: u32,
        expected: u32,
    },
    /// The window ended (passed, failed or cut short).
    Finished {
        check: usize,
        run: u64,
        outcome: Outcome,
    },
}

/// What `update` asks the verification executor to do.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyEffect {
    /// Start sampling check `check` (its `VerificationStarted` record is on disk), with its
    /// placeholders filled in from the session's bindings.
    Start {
        check: usize,
        run: u64,
        probe: Probe,
    },
    /// End the window now, with the operator's reason.
    CutShort {
        check: usize,
        run: u64,
        reason: String,
    },
}

/// Where one check is.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckStatus {
    /// Not started in this session.
    Idle,
    /// `VerificationStarted` is being written.
    Starting { run: u64 },
    Watching {
        run: u64,
        /// When the window started (wall clock; the countdown uses `time_left`).
        since: DateTime<Utc>,
        last: Option<LastSample>,
    },
    /// The window ended; `VerificationFinished` is being written.
    Saving { run: u64, outcome: Outcome },
    /// Its record is on disk.
    Finished { outcome: Outcome },
    /// Finished in an earlier run of the console: what its `VerificationFinished` record
    /// says (after `backout resume`).
    Recorded {
        verdict: Verdict,
        detail: String,
        cut_short: Option<String>,
    },
}

impl CheckStatus {
    /// Finished (now or before a resume) and passed.
    pub fn passed(&self) -> bool {
        match self {
            CheckStatus::Finished { outcome } => outcome.passed(),
            CheckStatus::Recorded { verdict, .. } => *verdict == Verdict::Passed,
            _ => false,
        }
    }

    /// How a finished check (now or before a resume) ended.
    pub fn verdict(&self) -> Option<Verdict> {
        match self {
            CheckStatus::Finished { outcome } => Some(outcome.verdict()),
            CheckStatus::Recorded { verdict, .. } => Some(*verdict),
            _ => None,
        }
    }
}

/// The latest sample of a watching check.
#[derive(Debug, Clone, PartialEq)]
pub struct LastSample {
    pub sample: u32,
    pub observation: Observation,
    pub time_left: Option<Duration>,
    pub passed: u32,
    pub expected: u32,
}

/// One check as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckView {
    pub check: Check,
    pub status: CheckStatus,
    /// A shell check's command was confirmed once this session (it asks only before it
    /// first runs).
    pub shell_confirmed: bool,
}

impl CheckView {
    /// The probe with the session's placeholder values filled into an HTTP check's URL and a
    /// shell check's command, or the placeholders still unbound.
    pub fn bound_probe(&self, bindings: &Bindings) -> Result<Probe, Vec<Placeholder>> {
        Ok(match &self.check.probe {
            Probe::Http(h) => Probe::Http(HttpProbe {
                url: fill_text(&h.url, bindings)?,
                ..h.clone()
            }),
            Probe::Shell(s) => Probe::Shell(ShellProbe {
                command: fill(&s.command, bindings)?,
            }),
            other => other.clone(),
        })
    }

    pub fn is_active(&self) -> bool {
        matches!(
            self.status,
            CheckStatus::Starting { .. }
                | CheckStatus::Watching { .. }
                | CheckStatus::Saving { .. }
        )
    }

    /// The run number of an active window.
    pub fn run(&self) -> Option<u64> {
        match self.status {
            CheckStatus::Starting { run }
            | CheckStatus::Watching { run, .. }
            | CheckStatus::Saving { run, .. } => Some(run),
            _ => None,
        }
    }
}

/// Every check of the runbook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verification {
    pub checks: Vec<CheckView>,
    /// The next window's run number.
    pub next_run: u64,
}

impl Verification {
    /// The runbook's checks, each as the journal last left it (the session state's
    /// last record of each check).
    pub fn restore(runbook: &Runbook, state: &SessionState) -> Verification {
        let mut v = Verification::for_runbook(runbook);
        for view in v.checks.iter_mut() {
            match state.verification_last.get(&view.check.name) {
                // A window the console did not see end: not run, as far as we know.
                Some(LastRecord::Started) => view.status = CheckStatus::Idle,
                // A window the console quit in the middle of: not run, as far as the
                // verdict goes (`v` starts it again).
                Some(LastRecord::Finished { cut_short, .. })
                    if interrupted_by_quit(cut_short.as_deref()) =>
                {
                    view.status = CheckStatus::Idle;
                }
                Some(LastRecord::Finished {
                    passed,
                    outcome,
                    detail,
                    cut_short,
                }) => {
                    view.status = CheckStatus::Recorded {
                        verdict: Verdict::of_record(*passed, *outcome),
                        detail: detail.clone(),
                        cut_short: cut_short.clone(),
                    };
                }
                None => {}
            }
        }
        v
    }

    pub fn for_runbook(runbook: &Runbook) -> Verification {
        Verification {
            checks: runbook
                .checks
                .iter()
                .map(|c| CheckView {
                    check: c.clone(),
                    status: CheckStatus::Idle,
                    shell_confirmed: false,
                })
                .collect(),
            next_run: 1,
        }
    }

    /// Indexes of the checks shown under a step.
    pub fn of_step(&self, step: StepId) -> Vec<usize> {
        (0..self.checks.len())
            .filter(|&i| self.checks[i].check.step == step)
            .collect()
    }

    pub fn has_checks(&self, step: StepId) -> bool {
        self.checks.iter().any(|c| c.check.step == step)
    }
}
