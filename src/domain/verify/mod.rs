//! Verification: the checks that prove a rollback worked, and the monitor window that
//! makes them hold over time ("error ratio under 1 % for fifteen minutes").
//!
//! Pure: no clock, no I/O. A probe adapter (`crate::adapters::verify`) measures and hands
//! the raw facts to the judges in [`judge`]; a [`Monitor`] turns judged samples into a
//! verdict. Time is passed in as elapsed *check time*, so drills and tests can compress a
//! fifteen-minute window into seconds by scaling the clock they read.
//! See `docs/verification.md`.

mod check;
mod judge;
mod monitor;
mod undo_further;
mod verdict;

pub use check::{
    Check, CheckSource, DEFAULT_EVERY, HttpProbe, PodsProbe, Probe, PromqlProbe, RolloutProbe,
    ShellProbe,
};
pub use judge::{
    HttpResponse, Observation, PodOnRevision, judge_http, judge_pods, judge_promql, judge_rollout,
    judge_shell,
};
pub use monitor::{Failure, Monitor, MonitorState, NextMove, Outcome, SampleRecord};
pub use undo_further::{UndoFurther, plan as undo_further_plan};
pub use verdict::{Verdict, ways_to_get_data};

/// The queries the runbook's PromQL checks introduce (a ```promql block's expression under
/// a name of its own), name → expression.
pub fn check_queries(checks: &[Check]) -> std::collections::BTreeMap<String, String> {
    checks
        .iter()
        .filter_map(|c| match &c.probe {
            Probe::Promql(p) => Some(p.queries.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The cut-short reason journaled for a window that was still open when the console quit.
/// Such a window neither passed nor failed: it was interrupted.
pub const CUT_SHORT_BY_QUIT: &str = "the console quit before the window ended";

/// Whether a `VerificationFinished` record is a window interrupted by a quit.
pub fn interrupted_by_quit(cut_short: Option<&str>) -> bool {
    cut_short == Some(CUT_SHORT_BY_QUIT)
}

#[cfg(test)]
mod judge_tests;
#[cfg(test)]
mod monitor_tests;
