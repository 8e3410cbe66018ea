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
}
