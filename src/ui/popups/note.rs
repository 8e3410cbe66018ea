//! The multi-line note editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Clear, Paragraph};

use super::centered;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::{App, NoteEditor};
use crate::ui::state::{FlashLevel, Layer};
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;

pub fn render(app: &App, n: &NoteEditor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 90.min(area.width.saturating_sub(4));
    let height = 14.min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let about = match n.step.and_then(|s| app.find_step(s)) {
        Some(s) => format!("Note on {} {}", s.id, s.title),
        None => "Note".to_string(),
    };
    let block = super::popup_block(
        app,
        crate::ui::format::ellipsize(&about, width as usize - 6),
        Role::Focus,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [editor, help] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    let mut ta = n.input.clone();
    ta.set_style(t.style(Role::Base));
    ta.set_cursor_line_style(t.style(Role::Base));
    frame.render_widget(&ta, editor);
    let key = |a: Action| {
        app.keymap
            .first_key(Mode::Note, a)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                "Enter new line · {} save to the journal · {} discard",
                key(Action::Submit),
                key(Action::Cancel)
            ),
            t.style(Role::Muted),
        )),
        help,
    );
}

/// Ctrl-S saves the note, Esc discards it; other keys edit it.
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    match action {
        Some(Action::Submit) => Handled::Request(LayerRequest::SubmitNote),
        Some(Action::Cancel) => {
            app.flash(FlashLevel::Info, "Note discarded.");
            Handled::Close
        }
        _ => {
            if let Some(Layer::Note(n)) = app.layers.last_mut() {
                n.input.input(key);
            }
            Handled::Consumed
        }
    }
}

pub fn on_paste(app: &mut App, text: &str) -> Handled {
    if let Some(Layer::Note(n)) = app.layers.last_mut() {
        n.input.insert_str(text);
    }
    Handled::Consumed
}
