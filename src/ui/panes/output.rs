//! Output of the latest command, streamed as it arrives.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_memo::PaneMemo;
use crate::domain::duration_text::{compact, precise_ms};
use crate::ui::format::{ellipsize, secs_between};
use crate::ui::msg::Stream;
use crate::ui::state::output::OutputLog;
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// Draws the pane; `memo` copies back last frame's cells when it would draw the same.
pub fn render(app: &App, memo: &mut PaneMemo, frame: &mut Frame, area: Rect) {
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
            .state
            .progress
            .runs
            .iter()
            .rev()
            .find(|r| r.run == run)
            .and_then(|r| r.finished.as_ref().map(|o| (r.is_rehearsal(), o)))
        {
            Some((true, _)) => format!("run {run} · rehearsed, nothing ran"),
            Some((_, o)) if o.cancelled => format!("run {run} · cancelled"),
            Some((_, o)) => format!(
                "run {run} · {} · {}",
                o.exit_code.map_or("killed".into(), |c| format!("exit {c}")),
                precise_ms(o.duration_ms)
            ),
            None => format!("run {run}"),
        },
        _ => "no command run yet".to_string(),
    };
    // Held to the content: the title never counts rows that cannot be shown.
    let back = app.output.scroll_back.min(max_scroll_in(
        &app.output,
        usize::from(area.width.saturating_sub(2)),
        usize::from(area.height.saturating_sub(2)).saturating_sub(COMMAND_ROWS),
    ));
    let title = if back > 0 {
        format!("Output · {status} · ↑{back} lines")
    } else {
        format!("Output · {status}")
    };
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    if inner.height == 0 {
        frame.render_widget(block, area);
        return;
    }
    let height = inner.height as usize;
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if app.output.in_one_shell {
        lines.push(Line::from(Span::styled(
            ellipsize(
                "line by line in one /bin/sh (variables and cd carry over; the first failing line stops the block):",
                width,
            ),
            t.style(Role::Muted),
        )));
    } else if app.output.line_by_line {
        lines.push(Line::from(Span::styled(
            ellipsize(
                "line by line (native lines through the cluster path, the others in /bin/sh):",
                width,
            ),
            t.style(Role::Muted),
        )));
    } else if app.output.run.is_some() {
        let cmd = crate::domain::progress::command_headline(&app.output.command);
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
    let body_rows = height.saturating_sub(lines.len());
    for (stream, row) in window(&app.output, width, body_rows) {
        let style = match stream {
            Stream::Stdout => t.style(Role::Pending),
            Stream::Stderr => t.style(Role::Warning),
        };
        lines.push(Line::from(Span::styled(row, style)));
    }
    memo.render(frame, area, Paragraph::new(lines).block(block));
}

/// Rows the `$ command` line takes at the top of the pane's text area.
pub const COMMAND_ROWS: usize = 1;

/// The farthest the Output pane can scroll back, for a text area `width` wide with
/// `rows` rows for the output lines: the lines after those that fill the first page
/// (so the first line ends at the top, never blank rows above it). Costs one page.
pub fn max_scroll_in(log: &OutputLog, width: usize, rows: usize) -> usize {
    let mut filled = 0;
    for (i, l) in log.lines.iter().enumerate() {
        filled += wrapped_rows(&l.text, width);
        if filled >= rows {
            return log.lines.len() - (i + 1);
        }
    }
    0
}

/// How many rows `text` takes when wrapped to `width` columns.
fn wrapped_rows(text: &str, width: usize) -> usize {
    text.chars().count().div_ceil(width.max(1)).max(1)
}

/// The rows the pane shows: the output lines wrapped to `width`, the newest at the
/// bottom less the scroll-back (held to [`max_scroll_in`]), `rows` at most. Only the
/// lines on screen are wrapped.
pub fn window(log: &OutputLog, width: usize, rows: usize) -> Vec<(Stream, String)> {
    let width = width.max(1);
    let back = log.scroll_back.min(max_scroll_in(log, width, rows));
    let end = log.lines.len() - back;
    let mut out: Vec<(Stream, String)> = Vec::new();
    for l in log.lines.range(..end).rev() {
        if out.len() >= rows {
            break;
        }
        let chars: Vec<char> = l.text.chars().collect();
        let mut pieces: Vec<String> = chars
            .chunks(width)
            .map(|c| c.iter().collect::<String>())
            .collect();
        if pieces.is_empty() {
            pieces.push(String::new());
        }
        for piece in pieces.into_iter().rev() {
            out.push((l.stream, piece));
        }
    }
    out.truncate(rows);
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::runbook::StepId;

    fn log(texts: &[&str]) -> OutputLog {
        let mut log = OutputLog::for_run(1, StepId(3), "kubectl rollout status".into());
        for t in texts {
            log.push(Stream::Stdout, (*t).to_string());
        }
        log
    }

    fn texts(rows: Vec<(Stream, String)>) -> Vec<String> {
        rows.into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn long_lines_wrap_instead_of_being_cut() {
        let l = log(&["short", "abcdefghijklmnopqrstuvwxy"]);
        assert_eq!(
            texts(window(&l, 10, 5)),
            ["short", "abcdefghij", "klmnopqrst", "uvwxy"]
        );
    }

    #[test]
    fn the_newest_rows_show_when_the_pane_is_full() {
        let l = log(&["one", "two", "abcdefghijklmnopqrstuvwxy"]);
        assert_eq!(
            texts(window(&l, 10, 3)),
            ["abcdefghij", "klmnopqrst", "uvwxy"]
        );
        // The oldest line on screen may show only its last rows.
        assert_eq!(
            texts(window(&l, 10, 4)),
            ["two", "abcdefghij", "klmnopqrst", "uvwxy"]
        );
    }

    #[test]
    fn scrolling_back_stops_with_the_first_line_at_the_top() {
        let l = log(&["1", "2", "3", "4", "5", "6"]);
        // Four rows: lines 1–4 fill the first page, so 2 lines of scroll-back at most.
        assert_eq!(max_scroll_in(&l, 10, 4), 2);
        let mut l = l;
        l.scroll_by(100, max_scroll_in(&l, 10, 4));
        assert_eq!(l.scroll_back, 2);
        assert_eq!(texts(window(&l, 10, 4)), ["1", "2", "3", "4"]);
        // A scroll-back left over from a smaller pane never shows blank rows.
        l.scroll_back = 6;
        assert_eq!(texts(window(&l, 10, 4)), ["1", "2", "3", "4"]);
        l.scroll_by(-1, 2);
        assert_eq!(l.scroll_back, 1);
        assert_eq!(texts(window(&l, 10, 4)), ["2", "3", "4", "5"]);
        l.scroll_by(-5, 2);
        assert_eq!(l.scroll_back, 0);
    }

    #[test]
    fn content_shorter_than_the_pane_does_not_scroll() {
        let l = log(&["1", "2"]);
        assert_eq!(max_scroll_in(&l, 10, 4), 0);
        // Wrapped rows count: one 25-character line fills three rows of ten.
        let l = log(&["abcdefghijklmnopqrstuvwxy", "z"]);
        assert_eq!(max_scroll_in(&l, 10, 3), 1);
        assert_eq!(max_scroll_in(&l, 10, 4), 0);
    }
}
