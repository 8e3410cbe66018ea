//! The journal as it is on disk: the newest records, each with its time and actor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_memo::PaneMemo;
use crate::domain::journal::Entry;
use crate::domain::session_state::timeline::describe_with;
use crate::ui::format::ellipsize;
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// Draws the pane; `memo` copies back last frame's cells when it would draw the same.
pub fn render(app: &App, memo: &mut PaneMemo, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Pane::Journal && app.layers.is_empty();
    let saving = app.pending.len();
    let n = app.records.len();
    let mut title = format!("Journal · {n} record{}", if n == 1 { "" } else { "s" });
    if saving > 0 {
        title.push_str(&format!(" · saving {saving}…"));
    }
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    let height = inner.height as usize;
    let width = inner.width as usize;
    let end = app.records.len().saturating_sub(app.journal_scroll);
    let start = end.saturating_sub(height);
    let lines: Vec<Line> = app.records[start..end]
        .iter()
        .map(|r| {
            let role = match &r.entry {
                Entry::StepTicked { .. } => Role::Done,
                Entry::StepSkipped { .. } => Role::Skipped,
                Entry::CommandFinished {
                    exit_code: Some(0),
                    cancelled: false,
                    ..
                } => Role::Done,
                Entry::CommandFinished { .. } => Role::Failed,
                Entry::NoteAdded { .. } => Role::Info,
                Entry::PhaseEntered { .. } | Entry::SessionStarted { .. } => Role::Heading,
                _ => Role::Pending,
            };
            let time = r.ts.format("%H:%M:%S").to_string();
            let user = r.actor.split('@').next().unwrap_or("").to_string();
            let text_w = width.saturating_sub(time.len() + user.chars().count() + 2);
            Line::from(vec![
                Span::styled(time, t.style(Role::Muted)),
                Span::raw(" "),
                Span::styled(user, t.style(Role::Muted)),
                Span::raw(" "),
                Span::styled(
                    ellipsize(&describe_with(&r.entry, &app.state.progress), text_w),
                    t.style(role),
                ),
            ])
        })
        .collect();
    memo.render(frame, area, Paragraph::new(lines).block(block));
}
