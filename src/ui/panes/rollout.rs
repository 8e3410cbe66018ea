//! The Rollout pane: the rollout's status line, a progress gauge, the Argo CD
//! application managing the Deployment, the revisions (newest first) and the conditions
//! that are not well.
//!
//! The status and Argo CD lines are what an operator reads first; when the pane is too
//! narrow for them they wrap over more rows (at word boundaries) instead of being cut.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::domain::cluster::message::Stream;
use crate::domain::cluster::{RolloutStatus, RolloutView};
use crate::ui::format::{display_width, ellipsize};
use crate::ui::state::cluster::{LiveCluster, OpStage};
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// Rows the rollout status line may take (the kubectl progress message is ~100 columns).
const STATUS_ROWS: usize = 3;
/// Rows the Argo CD line may take.
const ARGO_ROWS: usize = 2;
/// Revisions kept in view before a status line may wrap.
const KEEP_REVISIONS: usize = 3;
/// The widest the revisions' image column gets.
const MAX_IMAGE: usize = 10;

pub fn render(app: &App, c: &LiveCluster, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Pane::Rollout && app.layers.is_empty();
    let mut title = format!(
        "Rollout deploy/{}{}",
        c.deployment,
        super::stream_staleness::staleness(app, c, Stream::Rollout)
    );
    if let Some(op) = &c.op {
        let stage = match op.stage {
            OpStage::Checking => "checking access…",
            OpStage::Planning => "dry-run…",
            OpStage::Confirming => "awaiting confirmation",
            OpStage::Locking => "taking the lock…",
            OpStage::Journaling => "journaling…",
            OpStage::Executing => "sending…",
            OpStage::Following => "following the rollout…",
        };
        title.push_str(&format!(" · {}: {stage}", op.action.verb()));
    } else if c.read_only {
        title.push_str(" · read-only");
    }
    let Some(inner) = super::framed_pane(app, frame, area, title, focused) else {
        return;
    };
    let width = inner.width as usize;
    let Some(r) = &c.rollout else {
        let text = if c.rollout_missing {
            format!("deployment {} not found in {}", c.deployment, c.namespace)
        } else {
            "waiting for the first list…".to_string()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, t.style(Role::Muted))),
            inner,
        );
        return;
    };
    let status_role = match &r.status {
        RolloutStatus::Complete { .. } => Role::Done,
        RolloutStatus::Failed { .. } => Role::Failed,
        RolloutStatus::Progressing { .. } => Role::Running,
    };
    let mut status = r.status.message().to_string();
    if r.paused {
        status = format!("PAUSED · {status}");
    }
    // Rows beyond one per line go to wrapping only while the conditions and a few
    // revisions (the selected one and its neighbours) stay on screen.
    let one_row_each = one_row_each(app, r);
    let mut spare = (inner.height as usize).saturating_sub(one_row_each);
    let status_rows = wrap_rows(&status, width, 1 + spare.min(STATUS_ROWS - 1));
    spare = spare.saturating_sub(status_rows.len().saturating_sub(1));
    let [status_area, gauge_row, rest] = Layout::vertical([
        Constraint::Length(status_rows.len() as u16),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let status_lines: Vec<Line> = status_rows
        .into_iter()
        .map(|row| Line::from(Span::styled(row, t.style(status_role))))
        .collect();
    frame.render_widget(Paragraph::new(status_lines), status_area);
    let label = format!(
        "{:>3.0}% upd {}/{d} rdy {}/{d} avl {}/{d}",
        r.progress() * 100.0,
        r.updated,
        r.ready,
        r.available,
        d = r.desired
    );
    frame.render_widget(
        LineGauge::default()
            .ratio(r.progress().clamp(0.0, 1.0))
            .label(Span::styled(label, t.style(Role::Base)))
            .filled_style(t.style(status_role))
            .unfilled_style(t.style(Role::Muted)),
        gauge_row,
    );
    let mut lines: Vec<Line> = Vec::new();
    // The Argo CD application managing the Deployment: its sync, health and policy (a
    // change made here is reverted when self-heal is on).
    if let Some(s) = &app.argo.status {
        let role = if s.reverts_drift() {
            Role::Warning
        } else {
            Role::Muted
        };
        // A commit is named by its first seven digits, as Argo CD's UI does.
        let text = match s.revision.get(..7) {
            Some(short) if s.revision.len() == 40 => s.line().replacen(&s.revision, short, 1),
            _ => s.line(),
        };
        for row in wrap_rows(&text, width, 1 + spare.min(ARGO_ROWS - 1)) {
            lines.push(Line::from(Span::styled(row, t.style(role))));
        }
    }
    // Newest first: the revision to go back to is near the top.
    let rows = (rest.height as usize).saturating_sub(lines.len());
    let order: Vec<usize> = (0..r.revisions.len()).rev().collect();
    let selected = c.selected_index();
    let sel_pos = order.iter().position(|&i| Some(i) == selected).unwrap_or(0);
    let start = sel_pos.saturating_sub(rows.saturating_sub(1));
    let tags: Vec<String> = r
        .revisions
        .iter()
        .map(|rev| {
            rev.images
                .iter()
                .map(|im| crate::domain::cluster::pod_row::image_tag(im))
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    // As wide as the longest tag (up to MAX_IMAGE): the change cause gets the rest.
    let image_width = tags
        .iter()
        .map(|tag| display_width(tag))
        .max()
        .unwrap_or(0)
        .clamp(1, MAX_IMAGE);
    for &i in order.iter().skip(start) {
        let rev = &r.revisions[i];
        let mark = if rev.current { "*" } else { " " };
        let text = format!(
            "{mark}{:>3} {:<image_width$} {}",
            rev.number,
            ellipsize(&tags[i], image_width),
            rev.change_cause.as_deref().unwrap_or("<none>")
        );
        let mut style = if rev.current {
            t.style(Role::Heading)
        } else {
            t.style(Role::Base)
        };
        if focused && Some(i) == selected {
            style = t.style(Role::Selection);
        }
        lines.push(Line::from(Span::styled(ellipsize(&text, width), style)));
    }
    for cond in &r.conditions {
        if cond.status != "True" || cond.reason == "ProgressDeadlineExceeded" {
            lines.push(Line::from(Span::styled(
                ellipsize(
                    &format!("{}={} {}", cond.type_, cond.status, cond.reason),
                    width,
                ),
                t.style(Role::Warning),
            )));
        }
    }
    frame.render_widget(Paragraph::new(lines), rest);
}

/// Rows (borders included) the pane needs to give each of its lines one row, with up to
/// [`KEEP_REVISIONS`] revisions: what it asks for when focused on a short screen, so
/// that the revision `u` rolls back to can be seen and selected.
pub fn rows_wanted(app: &App, c: &LiveCluster) -> u16 {
    let rows = c.rollout.as_ref().map_or(1, |r| one_row_each(app, r));
    u16::try_from(rows + 2).unwrap_or(u16::MAX)
}

/// Inner rows for the status line, the gauge, the Argo CD line, a few revisions and the
/// conditions that are not well, one row each.
fn one_row_each(app: &App, r: &RolloutView) -> usize {
    let bad_conditions = r
        .conditions
        .iter()
        .filter(|c| c.status != "True" || c.reason == "ProgressDeadlineExceeded")
        .count();
    2 + usize::from(app.argo.status.is_some())
        + r.revisions.len().min(KEEP_REVISIONS)
        + bad_conditions
}

/// `text` in rows of at most `width` columns, broken between words, at most `max_rows`
/// of them (the last ends in `…` when the text goes on). A word longer than a row is
/// cut where the row ends.
pub fn wrap_rows(text: &str, width: usize, max_rows: usize) -> Vec<String> {
    if width == 0 || max_rows == 0 {
        return Vec::new();
    }
    let mut rows: Vec<String> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if rows.len() + 1 == max_rows || display_width(rest) <= width {
            rows.push(ellipsize(rest, width));
            break;
        }
        let (row, next) = split_at_width(rest, width);
        rows.push(row.trim_end().to_string());
        rest = next.trim_start();
    }
    if rows.is_empty() {
        rows.push(String::new());
    }
    rows
}

/// The longest head of `s` that fits `width` columns and ends before a space (else the
/// head cut at `width`), and what follows it.
fn split_at_width(s: &str, width: usize) -> (&str, &str) {
    use unicode_width::UnicodeWidthChar;
    let mut used = 0;
    let mut cut = s.len();
    let mut last_space: Option<usize> = None;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            cut = i;
            // A space right at the edge breaks there too.
            if c == ' ' {
                last_space = Some(i);
            }
            break;
        }
        if c == ' ' {
            last_space = Some(i);
        }
        used += w;
    }
    match last_space {
        Some(at) if at > 0 => (&s[..at], &s[at..]),
        _ => (&s[..cut], &s[cut..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_fits_is_one_row() {
        assert_eq!(
            wrap_rows("deployment \"app\" successfully rolled out", 40, 3),
            ["deployment \"app\" successfully rolled out"]
        );
    }

    #[test]
    fn a_long_line_breaks_between_words_and_the_last_row_is_cut() {
        let msg = "Waiting for deployment \"checkout-api\" rollout to finish: 2 out of 4 new replicas have been updated...";
        let rows = wrap_rows(msg, 40, 3);
        assert_eq!(
            rows,
            [
                "Waiting for deployment \"checkout-api\"",
                "rollout to finish: 2 out of 4 new",
                "replicas have been updated...",
            ]
        );
        assert_eq!(
            wrap_rows(msg, 40, 2),
            [
                "Waiting for deployment \"checkout-api\"",
                "rollout to finish: 2 out of 4 new repli…",
            ]
        );
        assert_eq!(wrap_rows(msg, 40, 1), [ellipsize(msg, 40)]);
    }

    #[test]
    fn a_word_longer_than_the_row_is_cut_where_the_row_ends() {
        assert_eq!(wrap_rows("abcdefghijklm", 4, 3), ["abcd", "efgh", "ijk…"]);
        assert_eq!(wrap_rows("", 10, 2), [""]);
    }
}
