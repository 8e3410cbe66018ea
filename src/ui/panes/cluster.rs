//! The live cluster panes: Rollout (revisions, a progress gauge, paused, conditions),
//! Pods (only the visible window is formatted) and a compact Events list, warnings
//! first. A stream that is not live shows as stale in its pane's title.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::domain::cluster::message::{Stream, WatchState};
use crate::domain::cluster::{PodRow, RolloutStatus, SortKey};
use crate::domain::duration_text::{age, ago};
use crate::ui::format::{ellipsize, secs_between};
use crate::ui::panes::pod_columns::{Cells, Needs, PodColumns};
use crate::ui::state::cluster::{LiveCluster, OpStage};
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// Draws Rollout, Pods and Events in `area` (the caller only calls this with a cluster).
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(c) = &app.cluster else { return };
    let show_events = area.height >= 10 && !c.events.is_empty();
    let events_h = if show_events {
        (c.events.len() as u16 + 2).min(4)
    } else {
        0
    };
    let [top, events] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(events_h)]).areas(area);
    let [rollout, pods] = if top.width >= 90 {
        Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(top)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top)
    };
    render_rollout(app, c, frame, rollout);
    render_pods(app, c, frame, pods);
    if show_events {
        render_events(app, c, frame, events);
    }
}

/// ` · stale: reconnecting (attempt 2), updated 14s ago` when the stream is not live;
/// ` · stale 23 s — no answer from the API server` while the liveness probe is unanswered.
pub fn staleness(app: &App, c: &LiveCluster, s: Stream) -> String {
    let h = c.health(s);
    let state = match &h.state {
        WatchState::Live { .. } => return String::new(),
        WatchState::Connecting => "connecting…".to_string(),
        WatchState::Reconnecting { attempt, .. } => {
            format!("stale: reconnecting (attempt {attempt})")
        }
        WatchState::Silent { last_heard } => {
            return format!(
                " · stale {} s — no answer from the API server",
                secs_between(*last_heard, app.now)
            );
        }
    };
    match h.updated {
        Some(at) => format!(" · {state}, updated {}", ago(secs_between(at, app.now))),
        None => format!(" · {state}"),
    }
}

fn render_rollout(app: &App, c: &LiveCluster, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let focused = app.focus == Pane::Rollout && app.layers.is_empty();
    let mut title = format!(
        "Rollout deploy/{}{}",
        c.deployment,
        staleness(app, c, Stream::Rollout)
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
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
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
    let [status_row, gauge_row, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Span::styled(
            ellipsize(&status, width),
            t.style(status_role),
        )),
        status_row,
    );
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
        lines.push(Line::from(Span::styled(
            ellipsize(&s.line(), width),
            t.style(role),
        )));
    }
    // Newest first: the revision to go back to is near the top.
    let rows = (rest.height as usize).saturating_sub(lines.len());
    let order: Vec<usize> = (0..r.revisions.len()).rev().collect();
    let selected = c.selected_index();
    let sel_pos = order.iter().position(|&i| Some(i) == selected).unwrap_or(0);
    let start = sel_pos.saturating_sub(rows.saturating_sub(1));
    for &i in order.iter().skip(start) {
        let rev = &r.revisions[i];
        let mark = if rev.current { "*" } else { " " };
        let images: Vec<String> = rev
            .images
            .iter()
            .map(|im| crate::domain::cluster::pod_row::image_tag(im))
            .collect();
        let text = format!(
            "{mark}{:>3} {:<10} {}",
            rev.number,
            ellipsize(&images.join(","), 10),
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

fn render_pods(app: &App, c: &LiveCluster, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let unhealthy = c.pods.unhealthy();
    let mut title = format!("Pods {}", c.pods.len());
    if unhealthy > 0 {
        title.push_str(&format!(" · {unhealthy} unhealthy"));
    }
    title.push_str(&staleness(app, c, Stream::Pods));
    let (key, descending) = c.pods.sort_key();
    let key = match key {
        SortKey::Name => "name",
        SortKey::Status => "status",
        SortKey::Restarts => "restarts",
        SortKey::Age => "age",
        SortKey::Revision => "revision",
    };
    title.push_str(&format!(
        " · by {key}{}",
        if descending { "↓" } else { "↑" }
    ));
    if !c.pods.filter().is_empty() {
        title.push_str(&format!(
            " · /{} {} shown",
            c.pods.filter(),
            c.pods.visible_len()
        ));
    }
    let focused = app.focus == Pane::Pods && app.layers.is_empty();
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let rows = (inner.height as usize).saturating_sub(1);
    // Only the visible window is measured and formatted; it follows the selection.
    let cursor = c.pod_cursor.min(c.pods.visible_len().saturating_sub(1));
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    let visible: Vec<&PodRow> = c.pods.visible(offset, rows).iter().map(|p| &**p).collect();
    let ages: Vec<String> = visible
        .iter()
        .map(|p| {
            p.started
                .map(|s| age(secs_between(s, app.now)))
                .unwrap_or_else(|| "-".into())
        })
        .collect();
    let columns = PodColumns::fit(width, &Needs::measure(&visible, &ages, &c.deployment));
    let header = columns.line(&Cells {
        name: &columns.name_header(),
        ready: "READY",
        status: "STATUS",
        restarts: "RST",
        age: "AGE",
        image: "IMAGE",
        hash: "HASH",
        node: "NODE",
    });
    let mut lines = vec![Line::from(Span::styled(
        ellipsize(&header, width),
        t.style(Role::Muted),
    ))];
    for (i, (p, age)) in visible.iter().zip(&ages).enumerate() {
        let role = if focused && offset + i == cursor {
            Role::Selection
        } else if p.is_unhealthy() {
            Role::Failed
        } else if p.status == "Running" {
            Role::Done
        } else {
            Role::Pending
        };
        let line = columns.line(&Cells {
            name: &columns.name_of(&p.name),
            ready: &p.ready_text(),
            status: &p.status,
            restarts: &p.restarts.to_string(),
            age,
            image: &p.image_tag,
            hash: &p.template_hash,
            node: &p.node,
        });
        lines.push(Line::from(Span::styled(
            ellipsize(&line, width),
            t.style(role),
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn render_events(app: &App, c: &LiveCluster, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let title = format!("Events{}", staleness(app, c, Stream::Events));
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
