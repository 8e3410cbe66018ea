//! Output of the latest command, streamed as it arrives.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::domain::duration_text::{compact, precise_ms};
use crate::ui::format::{ellipsize, secs_between};
use crate::ui::msg::Stream;
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Pane::Output && app.layers.is_empty();
    let status = match (&app.running, app.output.run) {
        (Some(r), Some(run)) if r.run == run => {
            if r.cancel_requested {
                format!("run {run} · cancelling…")
            } else {
                format!(
                    "run {run} · running {}",
                    compact(secs_between(r.started, app.now))
                )
            }
        }
        (_, Some(run)) => match app
            .progress
            .runs
            .iter()
            .rev()
            .find(|r| r.run == run)
            .and_then(|r| r.finished.as_ref())
        {
            Some(o) if o.cancelled => format!("run {run} · cancelled"),
            Some(o) => format!(
                "run {run} · {} · {}",
                o.exit_code.map_or("killed".into(), |c| format!("exit {c}")),
                precise_ms(o.duration_ms)
            ),
            None => format!("run {run}"),
        },
        _ => "no command run yet".to_string(),
    };
    let title = if app.output.scroll_back > 0 {
        format!("Output · {status} · ↑{} lines", app.output.scroll_back)
    } else {
        format!("Output · {status}")
    };
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let height = inner.height as usize;
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if app.output.line_by_line {
        lines.push(Line::from(Span::styled(
            ellipsize(
                "line by line (native lines through the cluster path, the others in /bin/sh):",
                width,
            ),
            t.style(Role::Muted),
        )));
    } else if app.output.run.is_some() {
        let cmd = app.output.command.lines().next().unwrap_or("");
        lines.push(Line::from(Span::styled(
            ellipsize(&format!("$ {cmd}"), width),
            t.style(Role::Muted),
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "Select a $ step and press r: the command's output streams here.",
            t.style(Role::Muted),
        )));
    }
    let body_height = height.saturating_sub(lines.len());
    let total = app.output.lines.len();
    let end = total.saturating_sub(app.output.scroll_back);
    let start = end.saturating_sub(body_height);
    for l in app.output.lines.range(start..end) {
        let style = match l.stream {
            Stream::Stdout => t.style(Role::Pending),
            Stream::Stderr => t.style(Role::Warning),
        };
        lines.push(Line::from(Span::styled(ellipsize(&l.text, width), style)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
