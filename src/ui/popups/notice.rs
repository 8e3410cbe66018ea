//! A notice that only needs closing (an action not allowed, a lock held).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Handled, centered};
use crate::ui::action::Action;
use crate::ui::state::App;
use crate::ui::theme::Role;

pub fn render(app: &App, title: &str, lines: &[String], frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 80.min(area.width.saturating_sub(4));
    let rect = centered(area, width, lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, title, Role::Error);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut text: Vec<Line> = lines
        .iter()
        .map(|l| Line::from(Span::styled(l.clone(), t.style(Role::Base))))
        .collect();
    text.push(Line::from(Span::styled(
        "Enter or Esc closes",
        t.style(Role::Muted),
    )));
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
}

/// Enter or Esc closes it.
pub fn on_action(action: Option<Action>) -> Handled {
    if matches!(action, Some(Action::Confirm | Action::Cancel)) {
        Handled::Close
    } else {
        Handled::Ignored
    }
}
