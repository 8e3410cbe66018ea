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
pub mod pod_columns;
pub mod procedure;
pub mod rollout;
pub mod run_path;
pub mod step;
pub mod stream_staleness;
pub mod target_hint;

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use super::state::App;
use super::theme::Role;

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
