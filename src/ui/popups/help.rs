//! `?`: every key of every mode, generated from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Handled;
use super::centered;
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::Layer;
use crate::ui::theme::Role;

pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for mode in Mode::ALL {
        let bindings = app.keymap.bindings(mode);
        if bindings.is_empty()
            || (matches!(
                mode,
                Mode::Actions
                    | Mode::Cluster
                    | Mode::ClusterConfirm
                    | Mode::ClusterConfirmTyped
                    | Mode::ClusterView
            ) && app.cluster.is_none())
            || (mode == Mode::Choice && app.runbook.alternatives.is_empty())
        {
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
            if *action == Action::RecaptureBaseline && app.metrics.is_none() {
                continue;
            }
            // `A` acknowledges the matrix's severity, and records the approvals a decision
            // table asks for: shown with metrics or with a table that can ask for one.
            let approvals = app.severity.rows.iter().any(|r| r.approval.is_some());
            if *action == Action::AcknowledgeSeverity && app.metrics.is_none() && !approvals {
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

/// The popup's height in a terminal `area_height` rows tall, for `total` lines.
fn height(total: u16, area_height: u16) -> u16 {
    (total + 2).min(area_height.saturating_sub(2))
}

/// How far the help can scroll at the terminal's current size (the reducer keeps the
/// scroll within it, so `k` answers at once after too many `j`).
pub fn max_scroll(app: &App) -> u16 {
    let total = lines(app).len() as u16;
    total.saturating_sub(height(total, app.size.1).saturating_sub(2))
}

pub fn render(app: &App, scroll: u16, frame: &mut Frame, area: Rect) {
    let lines = lines(app);
    let total = lines.len() as u16;
    let height = height(total, area.height);
    let rect = centered(area, 72, height);
    let visible = height.saturating_sub(2);
    let max_scroll = total.saturating_sub(visible);
    let top = scroll.min(max_scroll);
    // When it does not fit, the title says where the window is and how to move it.
    let title = if max_scroll == 0 {
        "Keys — Esc closes".to_string()
    } else {
        format!(
            "Keys {}–{} of {total} — j/k scroll, Esc closes",
            top + 1,
            (top + visible).min(total)
        )
    };
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, &title, Role::Focus);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((top, 0)), rect);
}

/// Scrolls within the keys; Esc closes.
pub fn on_action(app: &mut App, action: Option<Action>) -> Handled {
    let max = max_scroll(app);
    let Some(Layer::Help { scroll }) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    match action {
        Some(Action::Up) => *scroll = scroll.saturating_sub(1).min(max),
        Some(Action::Down) => *scroll = scroll.saturating_add(1).min(max),
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(10).min(max),
        Some(Action::PageDown) => *scroll = scroll.saturating_add(10).min(max),
        Some(Action::Cancel) => return Handled::Close,
        _ => return Handled::Ignored,
    }
    Handled::Consumed
}
