//! The next moves after a failed check (the `next_moves` popup's requests): undo further
//! (to the revision before the one rolled back to, refused when that is a revision the
//! session left as bad), escalate (a note on the communication phase), keep watching (the
//! check again), or close.

use ratatui_textarea::TextArea;

use crate::domain::cluster::ClusterAction;
use crate::domain::runbook::PhaseKind;
use crate::domain::verify::{UndoFurther, undo_further_plan};
use crate::ui::action::Action;
use crate::ui::effect::Effect;
use crate::ui::state::verification::CheckStatus;
use crate::ui::state::{App, FlashLevel, Layer, NoteEditor, Pane};

use super::{cluster, verification};

/// Where "undo further" would go, from the Rollout pane's history and the session's
/// journaled cluster changes; `None` without a cluster or before the Deployment was seen.
pub(crate) fn undo_further(app: &App) -> Option<UndoFurther> {
    let view = app.cluster.as_ref()?.rollout.as_ref()?;
    Some(undo_further_plan(view, &app.state.cluster_changes))
}

/// Undo further would return to a revision the session left as bad: say so, name an
/// older one to pick by hand, send nothing.
fn refuse_undo_further(app: &mut App, plan: &UndoFurther) {
    let UndoFurther::Refused { why, instead, .. } = plan else {
        return;
    };
    let mut lines = vec![
        format!("Undo further is refused: {why}."),
        "Rolling back there would bring the bad release back. Nothing was sent.".to_string(),
        String::new(),
    ];
    match instead {
        Some((n, image)) => lines.push(format!(
            "To go further back, pick revision {n}{} in the Rollout pane and press u.",
            image
                .as_deref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default()
        )),
        None => lines.push(
            "No older revision is left that this session has not rolled back from: escalate, or roll forward with a fix."
                .to_string(),
        ),
    }
    app.layers.push(Layer::Notice {
        title: "Undo further refused".into(),
        lines,
    });
}

/// A key in the next-moves popup after check `check` failed.
pub(super) fn next_move(app: &mut App, check: usize, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::UndoFurther) => {
            app.layers.pop();
            if app.cluster.is_none() {
                app.flash(
                    FlashLevel::Warning,
                    "No cluster connected: undo further with the runbook's commands.",
                );
                return Vec::new();
            }
            app.focus = Pane::Rollout;
            match undo_further(app) {
                // The Deployment was not seen yet: the Rollout pane's undo says so.
                None => cluster::request_undo(app),
                Some(UndoFurther::To { revision, .. }) => cluster::start(
                    app,
                    ClusterAction::Undo {
                        to_revision: Some(revision),
                    },
                    "verification: undo further",
                )
                .unwrap_or_default(),
                Some(plan @ UndoFurther::Refused { .. }) => {
                    refuse_undo_further(app, &plan);
                    Vec::new()
                }
            }
        }
        Some(Action::Escalate) => {
            app.layers.pop();
            let Some(view) = app.verification.checks.get(check) else {
                return Vec::new();
            };
            let detail = match &view.status {
                CheckStatus::Finished { outcome } => outcome.detail(),
                _ => String::new(),
            };
            let text = format!("Escalating: check {} failed: {detail}", view.check.name);
            let step = view.check.step;
            if let Some(i) = (0..app.steps.len())
                .find(|&i| app.runbook.phases[app.steps[i].phase].kind == PhaseKind::Communication)
            {
                app.cursor = i;
                app.focus = Pane::Procedure;
            }
            let mut input = TextArea::from([app.mask_secrets(&text)]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            app.layers.push(Layer::Note(Box::new(NoteEditor {
                step: Some(step),
                input,
            })));
            Vec::new()
        }
        Some(Action::KeepWatching) => {
            app.layers.pop();
            let step = app.verification.checks.get(check).map(|v| v.check.step);
            match step {
                Some(step) => verification::start(app, step, vec![check]),
                None => Vec::new(),
            }
        }
        Some(Action::Cancel) => {
            app.layers.pop();
            Vec::new()
        }
        _ => Vec::new(),
    }
}
