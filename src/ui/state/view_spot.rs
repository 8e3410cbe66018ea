//! Where the operator was looking: the selected step and the focused pane, kept by
//! `cli::console` in a small private file of the session directory (`view.json`) so
//! that `backout resume` opens where the console was left. The open phase follows from
//! the journal (`PhaseEntered`); where one looks is not an incident fact, so it is not
//! journaled.

use serde::{Deserialize, Serialize};

use super::app::App;
use super::pane::Pane;
use crate::domain::runbook::StepId;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewSpot {
    /// The selected step's id (`#N`).
    #[serde(default)]
    pub step: Option<u32>,
    /// `procedure`, `rollout`, `pods`, `events`, `output` or `journal`.
    #[serde(default)]
    pub focus: String,
}

impl ViewSpot {
    /// Where `app` is now.
    pub fn of(app: &App) -> ViewSpot {
        ViewSpot {
            step: app.selected().map(|s| s.id.0),
            focus: match app.focus {
                Pane::Procedure => "procedure",
                Pane::Rollout => "rollout",
                Pane::Pods => "pods",
                Pane::Events => "events",
                Pane::Output => "output",
                Pane::Journal => "journal",
            }
            .to_string(),
        }
    }

    /// Puts `app` back there: a step that no longer exists, or the Rollout pane
    /// without a cluster, leaves that part as it is.
    pub fn restore(&self, app: &mut App) {
        if let Some(i) = self.step.and_then(|id| app.flat_index_of(StepId(id))) {
            app.cursor = i;
        }
        app.focus = match self.focus.as_str() {
            "rollout" if app.cluster.is_some() => Pane::Rollout,
            "pods" if app.cluster.is_some() => Pane::Pods,
            // Events take the focus only while there are events: the Rollout pane then.
            "events" if app.cluster.is_some() => Pane::Rollout,
            "output" => Pane::Output,
            "journal" => Pane::Journal,
            _ => app.focus,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::testkit::{app, cluster_app};

    #[test]
    fn a_new_console_is_put_back_on_the_step_and_pane_it_was_left_on() {
        let mut left = app();
        left.cursor = 3;
        left.focus = Pane::Journal;
        let spot = ViewSpot::of(&left);
        assert_eq!(spot.focus, "journal");
        let mut resumed = app();
        assert_eq!(resumed.cursor, 0);
        spot.restore(&mut resumed);
        assert_eq!((resumed.cursor, resumed.focus), (3, Pane::Journal));
    }

    #[test]
    fn the_rollout_pane_is_focused_again_only_with_a_cluster_and_a_lost_step_is_ignored() {
        let spot = ViewSpot {
            step: Some(999),
            focus: "rollout".into(),
        };
        let mut plain = app();
        spot.restore(&mut plain);
        assert_eq!((plain.cursor, plain.focus), (0, Pane::Procedure));
        let mut live = cluster_app("kind-edge", false);
        spot.restore(&mut live);
        assert_eq!(live.focus, Pane::Rollout);
    }
}
