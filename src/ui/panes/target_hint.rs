//! In the step pane: a kubectl line of the selected step that names another deployment,
//! namespace or context than the console's target says so, and that `T` switches the
//! console's target (the native path acts on the line's own target; the cluster panes
//! show the console's).

use ratatui::text::{Line, Span};

use crate::domain::runbook::Step;
use crate::domain::runbook::StepKind;
use crate::domain::runbook::target_inference::line_target;
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::theme::Role;

/// The hint for `step`, when one of its kubectl lines names another target.
pub fn text(app: &App, step: &Step) -> Option<String> {
    let cluster = app.cluster.as_ref()?;
    let StepKind::Command(block) = &step.kind else {
        return None;
    };
    let bindings = app.bindings();
    block.lines.iter().filter(|l| l.is_kubectl).find_map(|l| {
        let named = line_target(&l.text, &bindings);
        let other_deployment = named
            .deployment
            .as_ref()
            .filter(|d| **d != cluster.deployment);
        let other_namespace = named
            .namespace
            .as_ref()
            .filter(|n| **n != cluster.namespace);
        if other_deployment.is_none() && other_namespace.is_none() {
            return None;
        }
        let deployment = named.deployment.as_deref().unwrap_or(&cluster.deployment);
        let namespace = named.namespace.as_deref().unwrap_or(&cluster.namespace);
        let key = app
            .keymap
            .first_key(Mode::Normal, Action::SwitchTarget)
            .map(|k| format!(" — {k} switches the console to it"))
            .unwrap_or_default();
        Some(format!(
            "line {} names deployment {deployment} in namespace {namespace}; the console \
             watches {} in {}{key}",
            l.line, cluster.deployment, cluster.namespace
        ))
    })
}

/// The hint as step pane lines (none when the step's lines agree with the target).
pub fn lines(app: &App, step: &Step) -> Vec<Line<'static>> {
    text(app, step)
        .map(|t| vec![Line::from(Span::styled(t, app.theme.style(Role::Warning)))])
        .unwrap_or_default()
}
