//! Modal layers drawn over the panes. The top layer gets keys first (see `update`).

pub mod action_menu;
pub mod cluster;
pub mod compose;
pub mod confirm;
pub mod drill_intro;
pub mod help;
pub mod messages;
pub mod next_moves;
pub mod note;
pub mod prompt;

use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders};

use super::state::App;
use super::theme::Role;

pub fn popup_block<'a>(app: &App, title: impl Into<String>, role: Role) -> Block<'a> {
    let t = &app.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(t.style(role))
        .style(t.style(Role::Base))
        .title(Span::styled(format!(" {} ", title.into()), t.style(role)))
}
