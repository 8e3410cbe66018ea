//! The watchers against the simulator: pods arrive as slim rows and leave, the rollout
//! view has kubectl's history, and a dropped watch or a `410 Gone` marks the stream
//! reconnecting, then live again after the re-list.

mod common;

use std::time::Duration;

use backout::domain::cluster::{ClusterEvent, EventRow, PodTable, RolloutView, Stream, WatchState};
use backout::sim::ApiFaults;
use common::{Sim, WEB};
use tokio::sync::mpsc;

/// What a console would keep from the messages.
#[derive(Default)]
struct Seen {
    pods: PodTable,
    rollout: Option<RolloutView>,
    /// The newest event list: the watcher sends the whole list when it changes, so a
    /// list that arrived while waiting for something else is not lost.
    events: Vec<EventRow>,
}

/// Receives until `pred` holds (60 s at most), applying every message to `seen` first.
fn until(
    sim: &Sim,
    rx: &mut mpsc::Receiver<ClusterEvent>,
    seen: &mut Seen,
    what: &str,
    mut pred: impl FnMut(&ClusterEvent, &Seen) -> bool,
) {
    sim.runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let msg = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!(
                        "timed out waiting for {what}; events seen last: {:#?}",
                        seen.events
                    )
                })
                .expect("watchers running");
            apply(seen, &msg);
            if pred(&msg, seen) {
                return;
            }
        }
    });
}

/// Like [`until`] for a condition on what has been seen: checked first against what was
/// already received (it may have come while the test waited for something else), then on
/// every message.
fn until_seen(
    sim: &Sim,
    rx: &mut mpsc::Receiver<ClusterEvent>,
    seen: &mut Seen,
    what: &str,
    mut pred: impl FnMut(&Seen) -> bool,
) {
    if pred(seen) {
        return;
    }
    until(sim, rx, seen, what, |_, s| pred(s));
}

/// Like [`until`], but gives up after `secs` seconds: whether `pred` held for a message.
fn received_within(
    sim: &Sim,
    rx: &mut mpsc::Receiver<ClusterEvent>,
    seen: &mut Seen,
    secs: u64,
    mut pred: impl FnMut(&ClusterEvent) -> bool,
) -> bool {
    sim.runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, rx.recv()).await {
            apply(seen, &msg);
            if pred(&msg) {
                return true;
            }
        }
        false
    })
}

/// What a console keeps of one message.
fn apply(seen: &mut Seen, msg: &ClusterEvent) {
    match msg {
        ClusterEvent::PodUpserted(r) => seen.pods.upsert(r.clone()),
        ClusterEvent::PodDeleted(n) => {
            seen.pods.remove(n);
        }
        ClusterEvent::PodsResynced(rows) => seen.pods.replace_all(rows.clone()),
        ClusterEvent::PodsChanged { changes } => {
            for c in changes {
                seen.pods.apply(c.clone());
            }
        }
        ClusterEvent::Rollout(v) => seen.rollout = Some(v.clone()),
        ClusterEvent::Events(list) => seen.events = list.clone(),
        _ => {}
    }
}

#[test]
fn pods_rollout_and_events_arrive_as_slim_rows() {
    let sim = Sim::start(WEB, 20.0);
    let (mut rx, _handle) = sim.watch_web();
    let mut table = Seen::default();
    until(
        &sim,
        &mut rx,
        &mut table,
        "3 pods",
        |m, _| matches!(m, ClusterEvent::PodsResynced(rows) if rows.len() == 3),
    );
    for r in table.pods.visible(0, 10) {
        assert!(r.name.starts_with("web-"), "{r:?}");
        assert_eq!((r.status.as_str(), r.ready, r.total), ("Running", 1, 1));
        assert_eq!(r.image_tag, "1.2");
        assert!(!r.template_hash.is_empty() && r.node.starts_with("sim-node-"));
    }
    until_seen(&sim, &mut rx, &mut table, "the rollout view", |s| {
        s.rollout
            .as_ref()
            .is_some_and(|v| v.revisions.len() == 3 && v.current_revision() == Some(3))
    });

    sim.ok(&["scale", "deploy/web", "--replicas=5"]);
    until_seen(&sim, &mut rx, &mut table, "5 running pods", |s| {
        s.pods.len() == 5 && s.pods.status_counts() == [("Running".to_string(), 5)]
    });
    sim.ok(&["scale", "deploy/web", "--replicas=1"]);
    until_seen(&sim, &mut rx, &mut table, "pods deleted", |t| {
        t.pods.len() == 1
    });

    // The rollout's scalings (up the new replica set, down the old) arrive as events of
    // the Deployment: rows are one per reason, object and message (client-go's event key),
    // so a row whose message was not there before the image was set is the rollout's.
    // (Judged by message, not by time: event timestamps are whole seconds.)
    let before: Vec<String> = table
        .events
        .iter()
        .filter(|e| e.reason == "ScalingReplicaSet" && e.object == "Deployment/web")
        .map(|e| e.message.clone())
        .collect();
    let scaled_since = move |s: &Seen| {
        s.events.iter().any(|e| {
            e.reason == "ScalingReplicaSet"
                && e.object == "Deployment/web"
                && !before.contains(&e.message)
        })
    };
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    until_seen(&sim, &mut rx, &mut table, "the new revision current", |s| {
        matches!(&s.rollout, Some(v)
            if v.current_revision() == Some(4)
                && v.revisions.last().is_some_and(|r| r.images == ["shop/web:1.3"])
                && v.status.is_done())
    });
    until_seen(&sim, &mut rx, &mut table, "events of the rollout", |s| {
        scaled_since(s)
    });
}

#[test]
fn gone_and_failing_watches_turn_stale_then_live_again() {
    let sim = Sim::start(WEB, 20.0);
    let (mut rx, _handle) = sim.watch_web();
    let mut table = Seen::default();
    let live = |m: &ClusterEvent| {
        matches!(
            m,
            ClusterEvent::WatchState {
                stream: Stream::Pods,
                state: WatchState::Live { .. }
            }
        )
    };
    until(&sim, &mut rx, &mut table, "pods live", |m, _| live(m));

    // A dropped watch is resumed from the last resource version: nothing is lost.
    sim.handle().shared().drop_watches();
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    until_seen(
        &sim,
        &mut rx,
        &mut table,
        "4 pods after a dropped watch",
        |s| s.pods.len() == 4,
    );

    // 410 Gone: the stream is marked reconnecting, re-lists, and is live again. (A write
    // elsewhere first, so that the pod watch's resource version is older than the
    // compaction.)
    // Once in about five loaded CI runs no 410 reached the pod watch within 60 s (seen
    // 2026-12-06, not reproduced alone): the compaction is provoked again, at most three
    // times, and the stream must still report reconnecting.
    let mut reconnecting = false;
    for (bump, bound) in [(1, 20), (2, 20), (3, 60)] {
        sim.ok(&[
            "label",
            "--overwrite",
            "deploy/web",
            &format!("bump={bump}"),
        ]);
        sim.handle().shared().force_gone();
        reconnecting = received_within(&sim, &mut rx, &mut table, bound, |m| {
            matches!(
                m,
                ClusterEvent::WatchState {
                    stream: Stream::Pods,
                    state: WatchState::Reconnecting { .. }
                }
            )
        });
        if reconnecting {
            break;
        }
    }
    assert!(reconnecting, "pods never reported reconnecting after a 410");
    until(&sim, &mut rx, &mut table, "pods live again", |m, _| live(m));
    assert_eq!(table.pods.len(), 4);

    // API errors: stale with the error, then live once the server answers again.
    sim.handle().shared().set_faults(ApiFaults {
        latency_ms: 0,
        error_ratio: 1.0,
    });
    sim.handle().shared().drop_watches();
    let mut error = String::new();
    until(&sim, &mut rx, &mut table, "pods failing", |m, _| match m {
        ClusterEvent::WatchState {
            stream: Stream::Pods,
            state: WatchState::Reconnecting { error: e, .. },
        } => {
            error = e.clone();
            true
        }
        _ => false,
    });
    assert!(error.contains("simulated API server fault"), "{error}");
    sim.handle().shared().set_faults(ApiFaults::default());
    until(
        &sim,
        &mut rx,
        &mut table,
        "pods live after the faults",
        |m, _| live(m),
    );
}
