//! The one line that says why there are no cluster panes (`cluster off: no deployment
//! named — try --deployment NAME -n NAMESPACE`), or which target is being connected to.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::theme::Role;

/// The line's text, when there is one to show.
pub fn text(app: &App) -> Option<String> {
    if let Some((_, target)) = &app.target.connecting {
        let namespace = if target.namespace.is_empty() {
            String::new()
        } else {
            format!(" in namespace {}", target.namespace)
        };
        return Some(format!(
            "connecting to deployment {}{namespace}…",
            target.deployment
        ));
    }
    app.target.off.clone()
}

/// The key hint after the reason (`· T sets the target`).
fn hint(app: &App) -> Option<String> {
    if app.target.connecting.is_some() {
        return None;
    }
    let key = app.keymap.first_key(Mode::Normal, Action::SwitchTarget)?;
    Some(format!(" · {key} sets the target"))
}

/// The columns the line takes, hint included.
pub fn width(app: &App, text: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    text.width() + hint(app).map_or(0, |h| h.width())
}

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(text) = text(app) else {
        return;
    };
    let t = &app.theme;
    let mut spans = vec![Span::styled(text, t.style(Role::Warning))];
    if let Some(h) = hint(app) {
        spans.push(Span::styled(h, t.style(Role::Muted)));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: true }),
        area,
    );
}
