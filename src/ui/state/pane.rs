//! The panes that can take focus, in Tab order.

/// Panes that can take focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Procedure,
    /// The Rollout pane (only with a cluster).
    Rollout,
    /// The Pods pane (only with a cluster): `l` logs, `d` describe, `y` YAML.
    Pods,
    /// The Events pane (only with a cluster and events): `d` / Enter its object.
    Events,
    Output,
    Journal,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Rollout,
            Pane::Rollout => Pane::Pods,
            Pane::Pods => Pane::Events,
            Pane::Events => Pane::Output,
            Pane::Output => Pane::Journal,
            Pane::Journal => Pane::Procedure,
        }
    }
    pub fn prev(self) -> Pane {
        match self {
            Pane::Procedure => Pane::Journal,
            Pane::Rollout => Pane::Procedure,
            Pane::Pods => Pane::Rollout,
            Pane::Events => Pane::Pods,
            Pane::Output => Pane::Events,
            Pane::Journal => Pane::Output,
        }
    }

    /// One of the live cluster's panes (their keys come first: `[cluster]`).
    pub fn is_cluster(self) -> bool {
        matches!(self, Pane::Rollout | Pane::Pods | Pane::Events)
    }
}
