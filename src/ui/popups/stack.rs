//! The layer stack's dispatch: the top layer gets keys and pastes first, and every layer
//! is drawn over the panes, bottom to top. A new layer is a `state::Layer` variant, a file
//! beside this one, and one line in each match below.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

use super::{
    Handled, action_menu, choice, cluster, cluster_view, compose, confirm, declare_severity,
    drill_intro, help, line_failed, messages, next_moves, note, notice, prompt, runbook_view,
    target,
};
use crate::ui::action::Action;
use crate::ui::state::{App, Layer};

/// The top layer's answer to a key (`action` is what the keymap makes of it).
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    match app.layers.last() {
        None => Handled::Ignored,
        Some(Layer::Help { .. }) => help::on_action(app, action),
        Some(Layer::Confirm(_)) => confirm::on_action(app, action),
        Some(Layer::Prompt(_)) => prompt::on_action(app, action, key),
        Some(Layer::Note(_)) => note::on_action(app, action, key),
        Some(Layer::ClusterConfirm(_)) => cluster::on_action(app, action, key),
        Some(Layer::ActionMenu(_)) => action_menu::on_action(action),
        Some(Layer::Notice { .. }) => notice::on_action(action),
        Some(Layer::Compose(_)) => compose::on_action(app, action, key),
        Some(Layer::Messages { .. }) => messages::on_action(app, action),
        Some(Layer::NextMoves { check }) => next_moves::on_action(*check, action),
        Some(Layer::DrillIntro(_)) => drill_intro::on_action(),
        Some(Layer::DeclareSeverity { .. }) => declare_severity::on_action(app, action),
        Some(Layer::Choice(_)) => choice::on_action(app, action, key),
        Some(Layer::Target(_)) => target::on_action(app, action, key),
        Some(Layer::LineFailed { .. }) => line_failed::on_action(action),
        Some(Layer::RunbookView(_)) => runbook_view::on_action(app, action, key),
        Some(Layer::ClusterView(_)) => cluster_view::on_action(app, action, key),
    }
}

/// The top layer's answer to pasted text (only editors take it).
pub fn on_paste(app: &mut App, text: &str) -> Handled {
    match app.layers.last() {
        Some(Layer::Prompt(_)) => prompt::on_paste(app, text),
        Some(Layer::Note(_)) => note::on_paste(app, text),
        Some(Layer::Compose(_)) => compose::on_paste(app, text),
        Some(Layer::Target(_)) => target::on_paste(app, text),
        _ => Handled::Ignored,
    }
}

/// Draws every layer over the panes, bottom to top.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    for layer in &app.layers {
        match layer {
            Layer::Help { scroll } => help::render(app, *scroll, frame, area),
            Layer::Confirm(c) => confirm::render(app, c, frame, area),
            Layer::Prompt(p) => prompt::render(app, p, frame, area),
            Layer::Note(n) => note::render(app, n, frame, area),
            Layer::ClusterConfirm(cc) => cluster::render_confirm(app, cc, frame, area),
            Layer::ActionMenu(m) => action_menu::render(app, m, frame, area),
            Layer::Notice { title, lines } => notice::render(app, title, lines, frame, area),
            Layer::Compose(c) => compose::render(app, c, frame, area),
            Layer::Messages { cursor } => messages::render(app, *cursor, frame, area),
            Layer::NextMoves { check } => next_moves::render(app, *check, frame, area),
            Layer::DrillIntro(intro) => drill_intro::render(app, intro, frame, area),
            Layer::DeclareSeverity { cursor } => {
                declare_severity::render(app, *cursor, frame, area)
            }
            Layer::Choice(c) => choice::render(app, c, frame, area),
            Layer::Target(form) => target::render(app, form, frame, area),
            Layer::LineFailed { .. } => line_failed::render(app, frame, area),
            Layer::RunbookView(view) => runbook_view::render(app, view, frame, area),
            Layer::ClusterView(view) => cluster_view::render(app, view, frame, area),
        }
    }
}
