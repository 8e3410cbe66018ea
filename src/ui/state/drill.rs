//! The intro layer of `backout drill`.

/// The intro screen of a drill: what is about to happen and which keys matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillIntro {
    /// `Drill: bad-deploy`.
    pub title: String,
    /// What the scenario does, in a sentence or two.
    pub story: Vec<String>,
    /// What the team is expected to do, in order.
    pub tasks: Vec<String>,
    /// The Rollout pane's undo rolls this drill back. False when the scenario's rollback
    /// is a deploy service's traffic switch: undoing the Deployment would not switch
    /// traffic back, so the intro does not offer `u`.
    pub undo_rolls_back: bool,
}
