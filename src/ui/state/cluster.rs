//! The live cluster panes' state: what the watchers reported, fed by `update` from
//! `Msg::Cluster`. Plain data; the watcher task lives in `runtime::console`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::domain::cluster::events::EventRow;
use crate::domain::cluster::message::{ClusterEvent, Stream, WatchState};
use crate::domain::cluster::{
    ClusterAction, Executed, FollowOutcome, FollowProgress, Planned, Preflight, Target,
};
use crate::domain::cluster::{PodTable, RolloutView, SortKey};

/// One watched stream's health and when it last brought data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHealth {
    pub state: WatchState,
    pub updated: Option<DateTime<Utc>>,
}

/// Everything the Cluster panes show.
pub struct LiveCluster {
    pub context: String,
    pub namespace: String,
    pub deployment: String,
    /// The context matches a production pattern: a banner in the header.
    pub production: bool,
    pub read_only: bool,
    pub pods: PodTable,
    pub rollout: Option<RolloutView>,
    /// The Deployment does not exist (the watcher said so).
    pub rollout_missing: bool,
    /// Deduplicated, warnings first.
    pub events: Vec<EventRow>,
    pub streams: BTreeMap<&'static str, StreamHealth>,
    /// The revision the operator picked in the Rollout pane; `None` follows the current
    /// revision (kept by number, so new revisions arriving do not move the selection).
    pub selected_number: Option<i64>,
    /// The cluster action in progress.
    pub op: Option<ClusterOp>,
    pub next_op: u64,
    /// The runbook's `target.service` (the blue-green selector switch acts on it).
    pub service: Option<String>,
    /// The runbook's `target.container` (set image's default container).
    pub container: Option<String>,
    /// A command step whose kubectl lines run natively, one after the other.
    pub native: Option<super::native_run::NativeRun>,
    /// How many times the Rollout watch has spoken (a waiting `rollout status` line trusts
    /// only a verdict given after it started).
    pub rollout_events: u64,
    /// The selected row of the Pods pane (an index into its sorted, filtered rows).
    pub pod_cursor: usize,
    /// The selected row of the Events pane.
    pub event_cursor: usize,
    /// The id the next drill-down read gets.
    pub next_view: u64,
}

/// A pane's selection `cursor` moved by `delta`, kept within its `len` rows.
fn moved_within(cursor: usize, delta: isize, len: usize) -> usize {
    let max = len.saturating_sub(1) as isize;
    (cursor as isize).saturating_add(delta).clamp(0, max) as usize
}

fn key(s: Stream) -> &'static str {
    match s {
        Stream::Pods => "pods",
        Stream::Rollout => "rollout",
        Stream::Events => "events",
    }
}

impl LiveCluster {
    pub fn new(
        context: impl Into<String>,
        namespace: impl Into<String>,
        deployment: impl Into<String>,
        production: bool,
        read_only: bool,
    ) -> LiveCluster {
        let streams = [Stream::Pods, Stream::Rollout, Stream::Events]
            .into_iter()
            .map(|s| {
                (
                    key(s),
                    StreamHealth {
                        state: WatchState::Connecting,
                        updated: None,
                    },
                )
            })
            .collect();
        // Most restarts first: crash-looping pods are at the top of the pane.
        let mut pods = PodTable::new();
        pods.set_sort(SortKey::Restarts, true);
        LiveCluster {
            context: context.into(),
            namespace: namespace.into(),
            deployment: deployment.into(),
            production,
            read_only,
            pods,
            rollout: None,
            rollout_missing: false,
            events: Vec::new(),
            streams,
            selected_number: None,
            op: None,
            next_op: 1,
            service: None,
            container: None,
            native: None,
            rollout_events: 0,
            pod_cursor: 0,
            event_cursor: 0,
            next_view: 1,
        }
    }

    /// Moves the Pods pane's selection, within its rows.
    pub fn move_pod_cursor(&mut self, delta: isize) {
        self.pod_cursor = moved_within(self.pod_cursor, delta, self.pods.visible_len());
    }

    /// The pod selected in the Pods pane.
    pub fn selected_pod(&self) -> Option<&crate::domain::cluster::PodRow> {
        let last = self.pods.visible_len().checked_sub(1)?;
        self.pods.visible(self.pod_cursor.min(last), 1).first()
    }

    /// Moves the Events pane's selection, within its rows.
    pub fn move_event_cursor(&mut self, delta: isize) {
        self.event_cursor = moved_within(self.event_cursor, delta, self.events.len());
    }

    /// The event selected in the Events pane.
    pub fn selected_event(&self) -> Option<&crate::domain::cluster::EventRow> {
        self.events
            .get(self.event_cursor.min(self.events.len().saturating_sub(1)))
    }

    pub fn health(&self, s: Stream) -> &StreamHealth {
        &self.streams[key(s)]
    }

    fn touch(&mut self, s: Stream, now: DateTime<Utc>) {
        if let Some(h) = self.streams.get_mut(key(s)) {
            h.updated = Some(now);
        }
    }

    /// Applies one watcher message, received at `now`.
    pub fn apply(&mut self, ev: ClusterEvent, now: DateTime<Utc>) {
        match ev {
            ClusterEvent::PodUpserted(row) => {
                self.pods.upsert(row);
                self.touch(Stream::Pods, now);
            }
            ClusterEvent::PodDeleted(name) => {
                self.pods.remove(&name);
                self.touch(Stream::Pods, now);
            }
            ClusterEvent::PodsResynced(rows) => {
                self.pods.replace_all(rows);
                self.touch(Stream::Pods, now);
            }
            ClusterEvent::Rollout(view) => {
                self.rollout_missing = false;
                // A picked revision that has left the history (revisionHistoryLimit)
                // falls back to following the current one.
                if let Some(n) = self.selected_number
                    && !view.revisions.iter().any(|r| r.number == n)
                {
                    self.selected_number = None;
                }
                self.rollout = Some(view);
                self.rollout_events += 1;
                self.touch(Stream::Rollout, now);
            }
            ClusterEvent::RolloutMissing => {
                self.rollout = None;
                self.rollout_missing = true;
                self.rollout_events += 1;
                self.touch(Stream::Rollout, now);
            }
            ClusterEvent::Events(rows) => {
                self.events = rows;
                self.touch(Stream::Events, now);
            }
            ClusterEvent::WatchState { stream, state } => {
                if let Some(h) = self.streams.get_mut(key(stream)) {
                    h.state = state;
                }
            }
            ClusterEvent::PodsChanged { changes } => {
                self.pods.apply_batch(changes);
                self.touch(Stream::Pods, now);
            }
        }
    }

    /// The workload, as actions and the journal name it.
    pub fn target(&self) -> Target {
        Target {
            context: Some(self.context.clone()),
            namespace: self.namespace.clone(),
            deployment: self.deployment.clone(),
        }
    }

    /// Index of the current revision in the list.
    pub fn current_index(&self) -> Option<usize> {
        self.rollout
            .as_ref()?
            .revisions
            .iter()
            .position(|r| r.current)
    }

    /// Index in `rollout.revisions` (oldest first) of the selected revision: the picked
    /// one, else the current one.
    pub fn selected_index(&self) -> Option<usize> {
        let r = self.rollout.as_ref()?;
        self.selected_number
            .and_then(|n| r.revisions.iter().position(|rev| rev.number == n))
            .or_else(|| self.current_index())
            .or_else(|| r.revisions.len().checked_sub(1))
    }

    /// Moves the revision selection by `delta` rows down the pane, which lists the
    /// newest revision first (so down is towards older revisions).
    pub fn move_selection(&mut self, delta: isize) {
        let Some(r) = self.rollout.as_ref() else {
            return;
        };
        let n = r.revisions.len();
        let Some(at) = self.selected_index() else {
            return;
        };
        let next = (at as isize).saturating_sub(delta).clamp(0, n as isize - 1) as usize;
        self.selected_number = r.revisions.get(next).map(|rev| rev.number);
    }

    /// The revision `u` undoes to: the selected one, or the previous one (kubectl's
    /// default, `None`) when the current revision is selected.
    pub fn undo_target(&self) -> Option<i64> {
        let r = self.rollout.as_ref()?;
        let sel = r.revisions.get(self.selected_index()?)?;
        (!sel.current).then_some(sel.number)
    }
}

/// The answer to one step of a cluster action, from the executor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterStep {
    Preflight(Result<Preflight, String>),
    Planned(Result<Planned, String>),
    /// The Lease lock: taken, or why not.
    Locked(Result<(), LockRefusal>),
    Executed(Result<Executed, String>),
    Progress(FollowProgress),
    Followed(Result<FollowOutcome, String>),
}

/// Why the Lease lock was not taken: someone else holds it, or the lock could not be
/// taken at all (the API server failing, RBAC on leases, read-only mode). The two read
/// very differently to an operator: one means "talk to them", the other "the cluster".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockRefusal {
    Held(String),
    Failed(String),
}

/// Where a cluster action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpStage {
    /// RBAC preflight in flight.
    Checking,
    /// Server dry-run in flight.
    Planning,
    /// The typed confirmation is open.
    Confirming,
    /// Taking the Lease lock.
    Locking,
    /// `ClusterActionRequested` is being written.
    Journaling,
    Executing,
    Following,
}

/// The one cluster action in progress (at most one at a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterOp {
    pub id: u64,
    pub action: ClusterAction,
    /// The kubectl command doing the same (journaled and shown).
    pub kubectl: String,
    pub stage: OpStage,
    /// The executor's result line (`deployment.apps/x rolled back`).
    pub executed: Option<String>,
    /// The latest rollout status line while following.
    pub progress: Option<String>,
    /// Where the action was asked for (`rollout pane`, `actions menu`, `step #4`,
    /// `verification: undo further`), for the journal's change detail.
    pub via: Option<String>,
}

impl ClusterOp {
    pub fn new(id: u64, action: ClusterAction, kubectl: String) -> ClusterOp {
        ClusterOp {
            id,
            action,
            kubectl,
            stage: OpStage::Checking,
            executed: None,
            progress: None,
            via: None,
        }
    }
}

/// The popup with the diff and the typed confirmation.
pub struct ClusterConfirm {
    pub op: u64,
    pub title: String,
    pub diff: Vec<String>,
    pub kubectl: String,
    /// What the operator must type: the deployment name.
    pub expected: String,
    /// Typed confirmation (undo, scale to zero, selector switch, pod deletion); else `y`.
    pub typed: bool,
    /// The question above the input (`Type the deployment name … to roll it back:`).
    pub question: String,
    pub input: ratatui_textarea::TextArea<'static>,
    pub error: Option<String>,
}
