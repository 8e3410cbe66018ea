//! A popup's frame: a titled, double-bordered box centred over the panes, cleared of what
//! is drawn below it; and the list popup, a frame sized to the lines it holds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{centered, popup_block};
use crate::ui::state::App;
use crate::ui::theme::Role;

/// Draws a popup's frame of at most `width`×`height` centred in `area`, titled `title` in
/// `role`'s colours; returns the area inside its border.
pub fn open(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    (width, height): (u16, u16),
    title: impl Into<String>,
    role: Role,
) -> Rect {
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = popup_block(app, title, role);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}

/// A popup of `lines` (a list, its hint last), as high as they are (border included, at
/// most `area`'s height), centred in `area`.
pub fn render_lines(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    width: u16,
    title: impl Into<String>,
    lines: Vec<Line<'_>>,
) {
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = popup_block(app, title, Role::Focus);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// A list's cursor moved by `delta` rows, kept within its `len` rows.
pub fn move_cursor(cursor: &mut usize, delta: isize, len: usize) {
    *cursor = cursor
        .saturating_add_signed(delta)
        .min(len.saturating_sub(1));
}

/// A list row's marker and style: `▶` and the selection's colours on the cursor's row.
pub fn list_row(app: &App, selected: bool) -> (&'static str, Style) {
    if selected {
        ("▶", app.theme.style(Role::Selection))
    } else {
        (" ", app.theme.style(Role::Base))
    }
}

/// The hint under a list: a blank line, then `hint` (the keys) muted.
pub fn push_hint(app: &App, lines: &mut Vec<Line<'_>>, hint: String) {
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(hint, app.theme.style(Role::Muted))));
}
