//! What the cluster watchers tell the console, as plain data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::EventRow;
use super::pod_changes::PodChange;
use super::pod_row::PodRow;
use super::rollout::RolloutView;

/// One watched stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    Pods,
    /// The Deployment and its ReplicaSets (one Rollout pane).
    Rollout,
    Events,
}

/// Health of one watch: a pane whose stream is not `Live` shows its data as stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WatchState {
    /// Listing for the first time.
    Connecting,
    /// Up to date since this instant (the last (re-)list or reconnect).
    Live { since: DateTime<Utc> },
    /// The watch failed; kube-runtime retries with back-off (and re-lists after `410
    /// Gone`). `attempt` counts consecutive failures.
    Reconnecting { attempt: u32, error: String },
    /// The API server has not answered a liveness probe since `last_heard` (the
    /// connections may still be open): what the panes show may be out of date.
    Silent { last_heard: DateTime<Utc> },
}

impl WatchState {
    pub fn is_live(&self) -> bool {
        matches!(self, WatchState::Live { .. })
    }
}

/// A message from the cluster watchers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ClusterEvent {
    PodUpserted(PodRow),
    PodDeleted(String),
    /// Every pod, after a (re-)list: replaces the table.
    PodsResynced(Vec<PodRow>),
    Rollout(RolloutView),
    /// The Deployment does not exist (yet, or any more).
    RolloutMissing,
    /// The deduplicated events, warnings first (replaces the pane's list).
    Events(Vec<EventRow>),
    WatchState {
        stream: Stream,
        state: WatchState,
    },
    /// The pods changed within one frame interval, in the order they first changed, at
    /// most one change per pod (the pod watcher's batch: one message per frame, however
    /// many pods changed).
    PodsChanged {
        changes: Vec<PodChange>,
    },
}
