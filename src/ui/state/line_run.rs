//! A command step whose lines the console runs itself through a service's API, one after
//! the other (`argocd app` lines through Argo CD's, `curl` lines through a deploy
//! service's): the lines left, the one in flight and where it is. The families differ in
//! their line (`L`) and its stages (`S`) only; `ui::update::line_runs` holds what their
//! reducers share.

use std::collections::VecDeque;

use crate::domain::runbook::StepId;

/// A step's lines running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRun<L, S> {
    pub step: StepId,
    pub run: u32,
    pub started: chrono::DateTime<chrono::Utc>,
    pub pending: VecDeque<L>,
    /// Every line so far succeeded.
    pub ok: bool,
    /// The line in flight.
    pub current: Option<LineCurrent<L, S>>,
}

/// The line in flight and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineCurrent<L, S> {
    /// Its request's id (answers for another id are stale).
    pub op: u64,
    pub line: L,
    pub stage: S,
}

impl<L, S> LineRun<L, S> {
    /// Run `run` of `step`, started at `started`, with `lines` to go.
    pub fn new(
        step: StepId,
        run: u32,
        started: chrono::DateTime<chrono::Utc>,
        lines: Vec<L>,
    ) -> LineRun<L, S> {
        LineRun {
            step,
            run,
            started,
            pending: lines.into(),
            ok: true,
            current: None,
        }
    }

    /// A line failed: the run stops after it.
    pub fn fail(&mut self) {
        self.ok = false;
        self.pending.clear();
    }

    /// The line in flight when it is request `op`.
    pub fn current_op(&mut self, op: u64) -> Option<&mut LineCurrent<L, S>> {
        self.current.as_mut().filter(|c| c.op == op)
    }
}
