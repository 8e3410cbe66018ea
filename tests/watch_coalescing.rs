//! The pod watcher's coalescing (`adapters::kube::watch::pump_pods`): within one frame
//! interval, the changed pods reach the console as one message, each pod once with its
//! last state; a deletion wins over earlier changes, and a re-list sends what was pending
//! first.
//! The interval is an hour here, so that what falls in one interval does not depend on
//! timing: the stream ends, which flushes.

use std::time::Duration;

use backout::adapters::kube::slim_meta::slim_meta;
use backout::adapters::kube::watch::pump_pods;
use backout::adapters::kube::watched_pod::WatchedPod;
use backout::domain::cluster::{ClusterEvent, PodChange, PodRow, PodTable, Stream, WatchState};
use kube::runtime::watcher::{Error, Event};
use tokio::sync::mpsc;

const HOUR: Duration = Duration::from_secs(3600);

fn pod(name: &str, status: &str, rv: u32) -> WatchedPod {
    WatchedPod {
        meta: slim_meta(Some(name.into()), Some("shop".into()), Some(rv.to_string())),
        row: PodRow {
            name: name.into(),
            status: status.into(),
            ready: u16::from(status == "Running"),
            total: 1,
            restarts: 0,
            started: None,
            image_tag: "1.3".into(),
            template_hash: "h2".into(),
            node: "sim-node-1".into(),
        },
    }
}

/// Runs the pump over `events` and returns every message it sent.
fn pump(events: Vec<Result<Event<WatchedPod>, Error>>) -> Vec<ClusterEvent> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (tx, mut rx) = mpsc::channel(64);
        pump_pods(futures::stream::iter(events), None, tx, HOUR).await;
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(m);
        }
        out
    })
}

fn is_live(m: &ClusterEvent) -> bool {
    matches!(
        m,
        ClusterEvent::WatchState {
            stream: Stream::Pods,
            state: WatchState::Live { .. }
        }
    )
}

#[test]
fn changes_of_one_pod_within_a_frame_are_sent_once_with_the_last_state() {
    let out = pump(vec![
        Ok(Event::Init),
        Ok(Event::InitApply(pod("web-a", "Running", 1))),
        Ok(Event::InitApply(pod("web-b", "Running", 2))),
        Ok(Event::InitDone),
        Ok(Event::Apply(pod("web-c", "Pending", 3))),
        Ok(Event::Apply(pod("web-c", "ContainerCreating", 4))),
        Ok(Event::Apply(pod("web-a", "Terminating", 5))),
        Ok(Event::Apply(pod("web-c", "Running", 6))),
        Ok(Event::Delete(pod("web-a", "Terminating", 7))),
        Ok(Event::Apply(pod("web-b", "CrashLoopBackOff", 8))),
        Ok(Event::Apply(pod("web-b", "Running", 9))),
    ]);
    assert!(matches!(&out[0], ClusterEvent::PodsResynced(rows) if rows.len() == 2));
    assert!(is_live(&out[1]));
    // Seven changes, three pods: one message for the interval, one change per pod in
    // first-change order, each with its last state.
    assert_eq!(
        out[2..],
        [ClusterEvent::PodsChanged {
            changes: vec![
                PodChange::Upserted(pod("web-c", "Running", 0).row),
                PodChange::Deleted("web-a".into()),
                PodChange::Upserted(pod("web-b", "Running", 0).row),
            ]
        }]
    );

    // The table ends where applying every event one by one would have left it.
    let mut coalesced = PodTable::new();
    for m in out {
        match m {
            ClusterEvent::PodsResynced(rows) => coalesced.replace_all(rows),
            ClusterEvent::PodUpserted(r) => coalesced.upsert(r),
            ClusterEvent::PodDeleted(n) => {
                coalesced.remove(&n);
            }
            ClusterEvent::PodsChanged { changes } => {
                for c in changes {
                    coalesced.apply(c);
                }
            }
            _ => {}
        }
    }
    let names: Vec<(String, String)> = coalesced
        .visible(0, 10)
        .iter()
        .map(|r| (r.name.clone(), r.status.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("web-b".to_string(), "Running".to_string()),
            ("web-c".to_string(), "Running".to_string())
        ]
    );
    assert_eq!(coalesced.unhealthy(), 0);
}

#[test]
fn a_relist_sends_the_pending_changes_first_and_errors_do_not_lose_them() {
    let out = pump(vec![
        Ok(Event::Apply(pod("web-a", "Pending", 1))),
        Err(Error::NoResourceVersion),
        Ok(Event::Apply(pod("web-a", "Running", 2))),
        Ok(Event::Init),
        Ok(Event::InitApply(pod("web-x", "Running", 3))),
        Ok(Event::InitDone),
    ]);
    assert!(
        matches!(
            &out[0],
            ClusterEvent::WatchState {
                stream: Stream::Pods,
                state: WatchState::Reconnecting { attempt: 1, .. }
            }
        ),
        "{out:?}"
    );
    assert!(is_live(&out[1]), "{out:?}");
    assert_eq!(
        out[2],
        ClusterEvent::PodsChanged {
            changes: vec![PodChange::Upserted(pod("web-a", "Running", 0).row)]
        }
    );
    assert!(
        matches!(&out[3], ClusterEvent::PodsResynced(rows) if rows.len() == 1 && rows[0].name == "web-x")
    );
    assert!(is_live(&out[4]));
    assert_eq!(out.len(), 5, "{out:?}");
}
