//! A one-line question: a placeholder's value, or why a step is skipped.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Text;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Handled, LayerRequest, popup_frame, text_input};
use crate::ui::action::Action;
use crate::ui::state::Layer;
use crate::ui::state::{App, Prompt};
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;

pub fn render(app: &App, p: &Prompt, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 80.min(area.width.saturating_sub(4));
    let hint_height = hint_height(&p.hint, width.saturating_sub(2));
    let inner = popup_frame::open(
        app,
        frame,
        area,
        (width, 7 + hint_height),
        &p.title,
        Role::Focus,
    );
    let [hint, input, status] = Layout::vertical([
        Constraint::Length(hint_height),
        Constraint::Length(3),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Text::styled(p.hint.clone(), t.style(Role::Muted)))
            .wrap(Wrap { trim: true }),
        hint,
    );
    text_input::render_line(
        app,
        frame,
        (&p.input, p.error.as_ref()),
        "Enter saves · Esc cancels",
        (input, status),
    );
}

/// Two lines for a one-paragraph hint (as always); a hint of several lines (the set-env
/// prompt's current variables) gets the lines it wraps to, up to 12.
fn hint_height(hint: &str, width: u16) -> u16 {
    if !hint.contains('\n') {
        return 2;
    }
    let w = usize::from(width.max(1));
    let lines: usize = hint
        .lines()
        .map(|l| l.chars().count().div_ceil(w).max(1))
        .sum();
    u16::try_from(lines.clamp(2, 12)).unwrap_or(12)
}

/// Enter submits, Esc cancels; other keys edit the single line.
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    match action {
        Some(Action::Submit) => Handled::Request(LayerRequest::SubmitPrompt),
        Some(Action::Cancel)
            if matches!(
                app.layers.last(),
                Some(Layer::Prompt(p)) if matches!(p.purpose, crate::ui::state::PromptPurpose::GuardedLine { .. })
            ) =>
        {
            Handled::Request(LayerRequest::Declined)
        }
        Some(Action::Cancel) => Handled::Close,
        _ => {
            if let Some(Layer::Prompt(p)) = app.layers.last_mut() {
                text_input::edit_line(&mut p.input, &mut p.error, key);
            }
            Handled::Consumed
        }
    }
}

/// A paste fills the line with its first line.
pub fn on_paste(app: &mut App, text: &str) -> Handled {
    if let Some(Layer::Prompt(p)) = app.layers.last_mut() {
        p.input.insert_str(text.lines().next().unwrap_or(""));
    }
    Handled::Consumed
}
