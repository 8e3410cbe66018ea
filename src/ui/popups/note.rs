//! The multi-line note editor.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use super::key_hint::key_name;
use super::{Handled, LayerRequest, popup_frame, text_input};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::Layer;
use crate::ui::state::{App, NoteEditor};
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

pub fn render(app: &App, n: &NoteEditor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 90.min(area.width.saturating_sub(4));
    let height = 14.min(area.height.saturating_sub(2));
    let about = match n.step.and_then(|s| app.find_step(s)) {
        Some(s) => format!("Note on {} {}", s.id, s.title),
        None => "Note".to_string(),
    };
    let inner = popup_frame::open(
        app,
        frame,
        area,
        (width, height),
        crate::ui::format::ellipsize(&about, width as usize - 6),
        Role::Focus,
    );
    let [editor, help] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    frame.render_widget(&text_input::styled(app, &n.input, None), editor);
    let key = |a: Action| key_name(app, Mode::Note, a);
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
    text_input::editor_on_action(
        app,
        (action, key),
        LayerRequest::SubmitNote,
        "Note discarded.",
        editor,
    )
}

pub fn on_paste(app: &mut App, text: &str) -> Handled {
    text_input::editor_on_paste(app, text, editor)
}

/// The note's text, when the note editor is the layer.
fn editor(layer: &mut Layer) -> Option<&mut TextArea<'static>> {
    match layer {
        Layer::Note(n) => Some(&mut n.input),
        _ => None,
    }
}
