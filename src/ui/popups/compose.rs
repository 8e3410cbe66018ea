//! The message composer: the drafted message of a kind, editable, and the sinks it will
//! go to. Sending asks for confirmation first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::key_hint::key_name;
use super::{Handled, LayerRequest, popup_frame, text_input};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::Layer;
use crate::ui::state::messaging::Composer;
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

pub fn render(app: &App, c: &Composer, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 96.min(area.width.saturating_sub(4));
    let height = 20.min(area.height.saturating_sub(2));
    let title = c
        .template
        .and_then(|i| app.runbook.message_templates.get(i))
        .map_or_else(
            || c.kind.title().to_string(),
            |t| format!("{} (runbook line {})", t.title, t.line),
        );
    let inner = popup_frame::open(
        app,
        frame,
        area,
        (width, height),
        format!("Message: {title}"),
        Role::Focus,
    );
    let [to, editor, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    let m = &app.messaging;
    let by_hand = m.sinks.is_empty();
    let sinks = if by_hand {
        "no sinks: you post it (copied to the clipboard, saved in the session)".to_string()
    } else {
        m.sinks.join(", ")
    };
    let mut spans = vec![
        Span::styled("To: ", t.style(Role::Muted)),
        Span::styled(
            ellipsize(&sinks, inner.width.saturating_sub(20) as usize),
            t.style(Role::Title),
        ),
    ];
    if m.drill {
        spans.push(Span::styled("  drill: outbox only", t.style(Role::Warning)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), to);
    let rule = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::TOP)
        .border_style(t.style(Role::Border));
    frame.render_widget(&text_input::styled(app, &c.input, Some(rule)), editor);
    let key = |a: Action| key_name(app, Mode::Compose, a);
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                "{} next kind · {} {} · {} discard",
                key(Action::NextMessageKind),
                key(Action::Submit),
                if by_hand {
                    "copy and save"
                } else {
                    "send (asks first)"
                },
                key(Action::Cancel)
            ),
            t.style(Role::Muted),
        )),
        help,
    );
}

/// Ctrl-S sends (after a confirmation), Tab changes the kind, Esc discards; other keys
/// edit the text.
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    if action == Some(Action::NextMessageKind) {
        return Handled::Request(LayerRequest::NextMessageKind);
    }
    text_input::editor_on_action(
        app,
        (action, key),
        LayerRequest::SubmitComposer,
        "Message discarded: nothing sent.",
        editor,
    )
}

pub fn on_paste(app: &mut App, text: &str) -> Handled {
    text_input::editor_on_paste(app, text, editor)
}

/// The message's text, when the composer is the layer.
fn editor(layer: &mut Layer) -> Option<&mut TextArea<'static>> {
    match layer {
        Layer::Compose(c) => Some(&mut c.input),
        _ => None,
    }
}
