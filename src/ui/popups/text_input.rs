//! A text input in a popup: the editor drawn in the theme, a one-line input boxed with a
//! status line below it (the error, else the keys), and a key typed into a one-line input.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui_textarea::TextArea;

use super::{Handled, LayerRequest, is_newline};
use crate::ui::action::Action;
use crate::ui::state::{App, FlashLevel, Layer};
use crate::ui::theme::Role;

/// The editor as drawn: its text and cursor line in the base style, inside `block` if
/// given.
pub fn styled<'a>(app: &App, input: &TextArea<'a>, block: Option<Block<'a>>) -> TextArea<'a> {
    let t = &app.theme;
    let mut ta = input.clone();
    if let Some(block) = block {
        ta.set_block(block);
    }
    ta.set_style(t.style(Role::Base));
    ta.set_cursor_line_style(t.style(Role::Base));
    ta
}

/// The status line under an input: its error, else `hint` (the keys).
pub fn status_line(app: &App, error: Option<&String>, hint: String) -> Line<'static> {
    let t = &app.theme;
    match error {
        Some(e) => Line::from(Span::styled(e.clone(), t.style(Role::Error))),
        None => Line::from(Span::styled(hint, t.style(Role::Muted))),
    }
}

/// A one-line input in a bordered box at `input_area`, its status line at `status_area`.
pub fn render_line(
    app: &App,
    frame: &mut Frame,
    (input, error): (&TextArea<'_>, Option<&String>),
    hint: &str,
    (input_area, status_area): (Rect, Rect),
) {
    let boxed = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.style(Role::Border));
    frame.render_widget(&styled(app, input, Some(boxed)), input_area);
    frame.render_widget(
        Paragraph::new(status_line(app, error, hint.to_string())),
        status_area,
    );
}

/// A key typed into a one-line input: it edits the line (Enter is not text) and clears
/// the error shown under it.
pub fn edit_line(input: &mut TextArea<'_>, error: &mut Option<String>, key: KeyEvent) {
    if !is_newline(&key) {
        input.input(key);
        *error = None;
    }
}

/// Where a multi-line editor's text is in its layer (`None` for another layer).
pub type EditorOf = fn(&mut Layer) -> Option<&mut TextArea<'static>>;

/// A multi-line editor's keys: Submit asks the reducers for `submit`, Cancel discards the
/// text (flashing `discarded`) and closes, any other key edits the text.
pub fn editor_on_action(
    app: &mut App,
    (action, key): (Option<Action>, KeyEvent),
    submit: LayerRequest,
    discarded: &str,
    editor_of: EditorOf,
) -> Handled {
    match action {
        Some(Action::Submit) => Handled::Request(submit),
        Some(Action::Cancel) => {
            app.flash(FlashLevel::Info, discarded);
            Handled::Close
        }
        _ => {
            if let Some(input) = app.layers.last_mut().and_then(editor_of) {
                input.input(key);
            }
            Handled::Consumed
        }
    }
}

/// A paste into a multi-line editor: inserted as it is, new lines included.
pub fn editor_on_paste(app: &mut App, text: &str, editor_of: EditorOf) -> Handled {
    if let Some(input) = app.layers.last_mut().and_then(editor_of) {
        input.insert_str(text);
    }
    Handled::Consumed
}
