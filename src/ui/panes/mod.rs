//! One file per screen block.

pub mod checks;
pub mod choice;
pub mod cluster;
pub mod cluster_off;
pub mod events;
pub mod header;
pub mod hints;
pub mod journal;
pub mod matrix;
pub mod metrics;
pub mod output;
pub mod pane_memo;
pub mod plain_rows;
pub mod pod_columns;
pub mod procedure;
pub mod rollout;
pub mod run_path;
pub mod step;
pub mod stream_staleness;
pub mod target_hint;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use super::state::App;
use super::theme::Role;

/// Draws a pane's frame ([`pane_block`]) over `area` and gives the area inside it, or
/// `None` when there is no room inside for a line.
pub fn framed_pane(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    title: impl Into<String>,
    focused: bool,
) -> Option<Rect> {
    let block = pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    (inner.height > 0).then_some(inner)
}

/// A pane's frame: title, focus colour.
pub fn pane_block<'a>(app: &App, title: impl Into<String>, focused: bool) -> Block<'a> {
    let t = &app.theme;
    let (border, title_style) = if focused {
        (t.style(Role::Focus), t.style(Role::Focus))
    } else {
        (t.style(Role::Border), t.style(Role::Title))
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border)
        .title(Span::styled(format!(" {} ", title.into()), title_style))
}
