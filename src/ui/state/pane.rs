//! The panes that can take focus, in Tab order.

/// Panes that can take focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Procedure,
    /// The Rollout pane (only with a cluster).
    Rollout,
    Output,
    Journal,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Rollout,
            Pane::Rollout => Pane::Output,
            Pane::Output => Pane::Journal,
            Pane::Journal => Pane::Procedure,
        }
    }
    pub fn prev(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Journal,
            Pane::Rollout => Pane::Procedure,
            Pane::Output => Pane::Rollout,
            Pane::Journal => Pane::Output,
        }
    }
}
