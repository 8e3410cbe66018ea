//! `?`: every key of every mode, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::theme::Role;
use crate::ui::view::centered;

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for mode in Mode::ALL {
        let bindings = app.keymap.bindings(mode);
        if bindings.is_empty() || (mode == Mode::Actions && app.cluster.is_none()) {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(
            mode.title().to_string(),
            t.style(Role::Heading),
        )));
        for (action, keys) in bindings {
            let cluster_only = matches!(
                action,
                Action::Undo | Action::ClusterActions | Action::SortPods | Action::FilterPods
            );
            if cluster_only && app.cluster.is_none() {
                continue;
            }
            if matches!(
                action,
                Action::RecaptureBaseline | Action::AcknowledgeSeverity
            ) && app.metrics.is_none()
            {
                continue;
            }
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<20}", keys.join("  ")), t.style(Role::Focus)),
                Span::raw(action.description().to_string()),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Keys can be changed in keymap.toml in the config directory (see README).",
        t.style(Role::Muted),
    )));
    lines
}

pub fn render(app: &App, scroll: u16, frame: &mut Frame, area: Rect) {
    let lines = lines(app);
    let height = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = centered(area, 72, height);
    let max_scroll = (lines.len() as u16).saturating_sub(height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, "Keys — Esc closes", Role::Focus);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max_scroll), 0)),
        rect,
    );
}
