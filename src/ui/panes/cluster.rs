//! The live cluster panes: Rollout ([`super::rollout`]), Pods (only the visible window is
//! formatted) and a compact Events list ([`super::events`]). A stream that is not live
//! shows as stale in its pane's title.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;

use crate::domain::cluster::message::Stream;
use crate::domain::cluster::{PodRow, SortKey};
use crate::domain::duration_text::age;
use crate::ui::format::{ellipsize, secs_between};
use crate::ui::panes::pod_columns::{Cells, Needs, PodColumns};
use crate::ui::state::cluster::LiveCluster;
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// The Rollout pane's share (%) of the width when it sits beside the Pods pane. The
/// Pods pane keeps the rest: at 160 columns a crash-looping deployment's rows need it
/// (the name's hash and suffix, `CrashLoopBackOff`, the whole image tag); the Rollout
/// pane's status and Argo CD lines wrap instead (see [`super::rollout`]).
pub const ROLLOUT_SHARE: u16 = 40;

/// The fewest rows the Pods pane keeps under a focused Rollout pane: its borders, the
/// column header and one pod.
const MIN_POD_ROWS: u16 = 4;

/// Draws Rollout, Pods and Events in `area` (the caller only calls this with a cluster).
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(c) = &app.cluster else { return };
    let stacked = area.width < 90;
    // Stacked on a short screen with the Rollout pane focused, the revisions (what `u`
    // rolls back to) get the Events pane's rows.
    let rollout_first = stacked && app.focus == Pane::Rollout && area.height < 20;
    let show_events = area.height >= 10 && !c.events.is_empty() && !rollout_first;
    let events_h = if show_events {
        (c.events.len() as u16 + 2).min(4)
    } else {
        0
    };
    let [top, events] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(events_h)]).areas(area);
    let [rollout, pods] = if !stacked {
        Layout::horizontal([
            Constraint::Percentage(ROLLOUT_SHARE),
            Constraint::Percentage(100 - ROLLOUT_SHARE),
        ])
        .areas(top)
    } else if app.focus == Pane::Rollout {
        // Stacked and focused: the Rollout pane shows its revisions (`u` rolls back to
        // the selected one) and the Pods pane keeps the rest, a header and a row at least.
        let rows = super::rollout::rows_wanted(app, c)
            .max(top.height.div_ceil(2))
            .min(top.height.saturating_sub(MIN_POD_ROWS));
        Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(top)
    } else {
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top)
    };
    super::rollout::render(app, c, frame, rollout);
    render_pods(app, c, frame, pods);
    if show_events {
        super::events::render(app, c, frame, events);
    }
}

pub use super::stream_staleness::staleness;

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
    let Some(inner) = super::framed_pane(app, frame, area, title, focused) else {
        return;
    };
    let width = inner.width as usize;
    let rows = (inner.height as usize).saturating_sub(1);
    // Only the visible window is measured and formatted; it follows the selection.
    let cursor = c.pod_cursor.min(c.pods.visible_len().saturating_sub(1));
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    let visible: Vec<&PodRow> = c.pods.visible(offset, rows).iter().collect();
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
    // One style a row: the header, then the pods.
    let mut rows: Vec<(String, Style)> = Vec::with_capacity(visible.len() + 1);
    rows.push((ellipsize(&header, width), t.style(Role::Muted)));
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
        rows.push((ellipsize(&line, width), t.style(role)));
    }
    // The rows change every frame under churn: written cell by cell (`plain_rows`).
    super::plain_rows::render(frame.buffer_mut(), inner, &rows);
}
