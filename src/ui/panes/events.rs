//! The Events pane: one row per event as `kubectl get events` lists them (see
//! [`crate::domain::cluster::summarize_events`]), warnings first, with a count.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::cluster::message::Stream;
use crate::ui::format::ellipsize;
use crate::ui::state::cluster::LiveCluster;
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

pub fn render(app: &App, c: &LiveCluster, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let title = format!(
        "Events{}",
        super::stream_staleness::staleness(app, c, Stream::Events)
    );
    let focused = app.focus == Pane::Events && app.layers.is_empty();
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let rows = (inner.height as usize).max(1);
    let cursor = c.event_cursor.min(c.events.len().saturating_sub(1));
    let offset = cursor.saturating_sub(rows - 1);
    let lines: Vec<Line> = c
        .events
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner.height as usize)
        .map(|(i, e)| {
            let count = if e.count > 1 {
                format!(" ×{}", e.count)
            } else {
                String::new()
            };
            let text = format!("{} {}{count}: {}", e.reason, e.object, e.message);
            let role = if focused && i == cursor {
                Role::Selection
            } else if e.warning {
                Role::Warning
            } else {
                Role::Muted
            };
            Line::from(Span::styled(ellipsize(&text, width), t.style(role)))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
