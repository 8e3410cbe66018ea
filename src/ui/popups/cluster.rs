//! A cluster action's confirmation: the diff with the kubectl equivalent, and the typed
//! name when the action is on the target workload.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::key_hint::key_name;
use super::{Handled, LayerRequest, popup_frame, text_input};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::Layer;
use crate::ui::state::cluster::ClusterConfirm;
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;

pub fn render_confirm(app: &App, cc: &ClusterConfirm, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 96.min(area.width.saturating_sub(4));
    let input_rows = if cc.typed { 3 } else { 0 };
    let want = cc.diff.len() as u16 + 7 + input_rows;
    let height = want.min(area.height.saturating_sub(2));
    let inner = popup_frame::open(app, frame, area, (width, height), &cc.title, Role::Warning);
    let [kubectl, diff, prompt, input, status] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(input_rows),
        Constraint::Length(1),
    ])
    .areas(inner);
    let w = inner.width as usize;
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled("equivalent:", t.style(Role::Muted))),
            Line::from(Span::styled(
                ellipsize(&cc.kubectl, w),
                t.style(Role::Command),
            )),
        ]),
        kubectl,
    );
    // The diff's tail is cut when it does not fit; say so.
    let rows = diff.height as usize;
    let mut lines: Vec<Line> = cc
        .diff
        .iter()
        .take(if cc.diff.len() > rows {
            rows.saturating_sub(1)
        } else {
            rows
        })
        .map(|l| {
            let role = if l.starts_with('+') {
                Role::Done
            } else if l.starts_with('-') {
                Role::Failed
            } else {
                Role::Muted
            };
            Line::from(Span::styled(ellipsize(l, w), t.style(role)))
        })
        .collect();
    if cc.diff.len() > rows {
        lines.push(Line::from(Span::styled(
            format!("… {} more diff line(s)", cc.diff.len() - rows + 1),
            t.style(Role::Muted),
        )));
    }
    frame.render_widget(Paragraph::new(lines), diff);
    frame.render_widget(
        Paragraph::new(Span::styled(cc.question.clone(), t.style(Role::Warning))),
        prompt,
    );
    if !cc.typed {
        let key = |a: Action| key_name(app, Mode::ClusterConfirm, a);
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!(
                    "{} goes ahead · {} cancels",
                    key(Action::Confirm),
                    key(Action::Cancel)
                ),
                t.style(Role::Muted),
            )),
            status,
        );
        return;
    }
    text_input::render_line(
        app,
        frame,
        (&cc.input, cc.error.as_ref()),
        "Enter goes ahead · Esc cancels",
        (input, status),
    );
}

/// Typed: Enter checks the name, Esc cancels, other keys edit it. Untyped: `y` goes
/// ahead, `n` cancels.
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    match action {
        Some(Action::Submit) if cc.typed => Handled::Request(LayerRequest::SubmitClusterConfirm),
        Some(Action::Confirm) if !cc.typed => Handled::Request(LayerRequest::ConfirmCluster),
        Some(Action::Cancel) => Handled::Request(LayerRequest::CancelClusterConfirm),
        Some(Action::AutoSyncOff) => Handled::Request(LayerRequest::AutoSyncOff),
        _ if cc.typed => {
            text_input::edit_line(&mut cc.input, &mut cc.error, key);
            Handled::Consumed
        }
        _ => Handled::Ignored,
    }
}
