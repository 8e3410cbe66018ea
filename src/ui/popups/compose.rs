//! The message composer: the drafted message of a kind, editable, and the sinks it will
//! go to. Sending asks for confirmation first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::centered;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::messaging::Composer;
use crate::ui::state::{FlashLevel, Layer};
use crate::ui::theme::Role;
use ratatui::crossterm::event::KeyEvent;

pub fn render(app: &App, c: &Composer, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 96.min(area.width.saturating_sub(4));
    let height = 20.min(area.height.saturating_sub(2));
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let title = c
        .template
        .and_then(|i| app.runbook.message_templates.get(i))
        .map_or_else(
            || c.kind.title().to_string(),
            |t| format!("{} (runbook line {})", t.title, t.line),
        );
    let block = super::popup_block(app, format!("Message: {title}"), Role::Focus);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
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
    let mut ta = c.input.clone();
    ta.set_style(t.style(Role::Base));
    ta.set_cursor_line_style(t.style(Role::Base));
    ta.set_block(
        ratatui::widgets::Block::default()
            .borders(ratatui::widgets::Borders::TOP)
            .border_style(t.style(Role::Border)),
    );
    frame.render_widget(&ta, editor);
    let key = |a: Action| {
        app.keymap
            .first_key(Mode::Compose, a)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
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
    match action {
        Some(Action::Submit) => Handled::Request(LayerRequest::SubmitComposer),
        Some(Action::NextMessageKind) => Handled::Request(LayerRequest::NextMessageKind),
        Some(Action::Cancel) => {
            app.flash(FlashLevel::Info, "Message discarded: nothing sent.");
            Handled::Close
        }
        _ => {
            if let Some(Layer::Compose(c)) = app.layers.last_mut() {
                c.input.input(key);
            }
            Handled::Consumed
        }
    }
}

pub fn on_paste(app: &mut App, text: &str) -> Handled {
    if let Some(Layer::Compose(c)) = app.layers.last_mut() {
        c.input.insert_str(text);
    }
    Handled::Consumed
}
