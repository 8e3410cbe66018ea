//! The messages list: every message with its delivery status per sink.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::key_hint::key_name;
use super::popup_frame;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::Layer;
use crate::ui::state::messaging::RowStatus;
use crate::ui::theme::Role;

fn role(status: &RowStatus) -> Role {
    match status {
        RowStatus::Journaling | RowStatus::Sending => Role::Running,
        RowStatus::Retrying { .. } => Role::Warning,
        RowStatus::Delivered { .. } => Role::Done,
        RowStatus::Failed { .. } => Role::Failed,
        RowStatus::Unknown => Role::Warning,
        RowStatus::Drafted { .. } => Role::Pending,
        RowStatus::PostedByHand { .. } => Role::Done,
    }
}

pub fn render(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 100.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(2) as usize;
    let m = &app.messaging;
    let room = (area.height as usize).saturating_sub(8).max(3);
    let mut lines: Vec<Line> = Vec::new();
    if m.rows.is_empty() {
        lines.push(Line::from(Span::styled(
            " No messages yet.",
            t.style(Role::Muted),
        )));
    }
    // keep the cursor in view
    let first = cursor.saturating_sub(room.saturating_sub(1));
    let sink_w = m.rows.iter().map(|r| r.sink.len()).max().unwrap_or(0);
    for (i, row) in m.rows.iter().enumerate().skip(first).take(room) {
        let (mark, style) = popup_frame::list_row(app, i == cursor);
        let head = format!("{mark} {:<22} {:<sink_w$}  ", row.kind.title(), row.sink);
        let status = row.status.describe(app.now);
        let rest = inner_w.saturating_sub(head.chars().count());
        lines.push(Line::from(vec![
            Span::styled(head, style),
            Span::styled(ellipsize(&status, rest), t.style(role(&row.status))),
        ]));
    }
    let key = |a: Action| key_name(app, Mode::Messages, a);
    popup_frame::push_hint(
        app,
        &mut lines,
        format!(
            " {} send the selected failed message again (same key) · {} a draft was posted by hand · {} close",
            key(Action::RetryMessage),
            key(Action::PostedByHand),
            key(Action::Cancel)
        ),
    );
    let title = if m.drill {
        "Messages (drill: outbox)"
    } else {
        "Messages"
    };
    popup_frame::render_lines(app, frame, area, width, title, lines);
}

/// Moves in the list; `r` retries the selected message; Esc closes.
pub fn on_action(app: &mut App, action: Option<Action>) -> Handled {
    match action {
        Some(Action::Up) => move_cursor(app, -1),
        Some(Action::Down) => move_cursor(app, 1),
        Some(Action::RetryMessage) => return Handled::Request(LayerRequest::RetryMessage),
        Some(Action::PostedByHand) => return Handled::Request(LayerRequest::PostedByHand),
        Some(Action::Cancel) => return Handled::Close,
        _ => return Handled::Ignored,
    }
    Handled::Consumed
}

fn move_cursor(app: &mut App, delta: isize) {
    let len = app.messaging.rows.len();
    if let Some(Layer::Messages { cursor }) = app.layers.last_mut() {
        popup_frame::move_cursor(cursor, delta, len);
    }
}
