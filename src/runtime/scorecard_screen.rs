//! Shows the scorecard screen (`ui::scorecard_view`) until a key is pressed.

use std::io;

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::domain::drill_record::DrillRecord;
use crate::ui::scorecard_view;
use crate::ui::theme::Theme;

use super::terminal::TerminalGuard;

/// Takes the terminal, draws the scorecard (redrawing on resize) and returns on the first
/// key press.
pub fn show(
    theme: &Theme,
    current: Option<&DrillRecord>,
    history: &[DrillRecord],
) -> io::Result<()> {
    let mut guard = TerminalGuard::enter()?;
    loop {
        guard
            .terminal
            .draw(|f| scorecard_view::render(theme, current, history, f))?;
        match event::read()? {
            Event::Key(k) if k.kind != KeyEventKind::Release => break,
            _ => {}
        }
    }
    drop(guard);
    Ok(())
}
