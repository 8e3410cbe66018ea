//! A command block running in the shell line by line: its logical lines, the line
//! running, and where it stopped when a line failed.

use crate::domain::runbook::{Follow, StepId};

/// A step's block running in one shell, a logical line at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRun {
    pub step: StepId,
    /// The block's shell (the first line's run number).
    pub block: u32,
    /// The logical lines, placeholders filled.
    pub lines: Vec<String>,
    /// The same lines as shown (secrets masked).
    pub shown: Vec<String>,
    /// `$VAR` placeholders, also given to the shell as its environment.
    pub env: Vec<(String, String)>,
    /// The line running or asking what to do next (0-based).
    pub index: usize,
    /// The line running now.
    pub current: Option<LineRun>,
    /// The line that failed, while the operator chooses retry, continue or stop.
    pub failed: Option<LineFailure>,
    /// The block's shell ended (its variables and `cd` are gone): the next line starts a
    /// new one.
    pub shell_gone: bool,
    /// The line whose guard (typed name) the operator has passed.
    pub cleared: Option<usize>,
    /// The changing kubectl line whose server dry run is being asked for.
    pub previewing: Option<usize>,
    /// The line whose preview (server dry run and diff) the operator accepted.
    pub previewed: Option<usize>,
}

/// The line running now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRun {
    pub run: u32,
    pub follow: Option<Follow>,
    /// Enter on a follow: it is being stopped, and ends as a success.
    pub stop_requested: bool,
    /// `kubectl get pods -w` on the console's target: not run in the shell, the live
    /// Pods pane (focused) is the stream.
    pub pods_pane: bool,
}

/// A line that ended badly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFailure {
    pub run: u32,
    pub exit_code: Option<i32>,
    pub cancelled: bool,
}

impl BlockRun {
    /// "line 2/3", as the step, the output and the journal name a line ("the line"
    /// in a one-line block).
    pub fn label(&self, index: usize) -> String {
        match self.lines.len() {
            1 => "the line".to_string(),
            n => crate::domain::runbook::line_label(index, n),
        }
    }

    /// The line running now is a follow (Enter stops it and goes on).
    pub fn following(&self) -> bool {
        self.current.as_ref().is_some_and(|c| c.follow.is_some())
    }
}
