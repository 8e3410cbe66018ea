//! How stale a watched stream is, for a pane's title: nothing while it is live.

use crate::domain::cluster::message::{Stream, WatchState};
use crate::domain::duration_text::ago;
use crate::ui::format::secs_between;
use crate::ui::state::App;
use crate::ui::state::cluster::LiveCluster;

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
