//! Liveness of the cluster streams: kube-runtime's watcher has no liveness of its own
//! (behind a connection that stays open and passes nothing it just waits), so the console
//! probes the API server and marks every stream [`WatchState::Silent`] while it does not
//! answer.

use std::time::Duration;

use chrono::Utc;
use kube::Client;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::domain::cluster::{ClusterEvent, Stream as StreamName, WatchState};

/// How the console tells a silent API server (connections open, nothing passes) from a
/// quiet one: kube-runtime's watcher has no liveness of its own, so a cheap `GET /version`
/// is sent every `every`, each given `timeout` to answer.
#[derive(Debug, Clone, Copy)]
pub struct Liveness {
    /// Time between probes.
    pub every: Duration,
    /// How long one probe may take.
    pub timeout: Duration,
    /// Silence (no successful probe) after which every stream is marked
    /// [`WatchState::Silent`].
    pub stale_after: Duration,
}

impl Default for Liveness {
    /// Stale at most `stale_after + every + timeout` = 10 s after the server falls silent;
    /// live again at most `every` (plus one round trip) after it answers.
    fn default() -> Self {
        Liveness {
            every: Duration::from_secs(2),
            timeout: Duration::from_secs(3),
            stale_after: Duration::from_secs(5),
        }
    }
}

const ALL_STREAMS: [StreamName; 3] = [StreamName::Pods, StreamName::Rollout, StreamName::Events];

/// Probes the API server and marks every stream silent while it does not answer, live
/// again once it does (the watches themselves resume on the same connections, or
/// kube-runtime reconnects them).
pub async fn liveness_task(client: Client, tx: mpsc::Sender<ClusterEvent>, cfg: Liveness) {
    let mut last_heard = Instant::now();
    let mut last_heard_at = Utc::now();
    let mut silent = false;
    loop {
        tokio::time::sleep(cfg.every).await;
        let answered = tokio::time::timeout(cfg.timeout, client.apiserver_version())
            .await
            .is_ok_and(|r| r.is_ok());
        if answered {
            last_heard = Instant::now();
            last_heard_at = Utc::now();
            if silent {
                silent = false;
                for s in ALL_STREAMS {
                    if !state(
                        &tx,
                        s,
                        WatchState::Live {
                            since: last_heard_at,
                        },
                    )
                    .await
                    {
                        return;
                    }
                }
            }
        } else if !silent && last_heard.elapsed() >= cfg.stale_after {
            silent = true;
            for s in ALL_STREAMS {
                let st = WatchState::Silent {
                    last_heard: last_heard_at,
                };
                if !state(&tx, s, st).await {
                    return;
                }
            }
        }
    }
}

async fn state(tx: &mpsc::Sender<ClusterEvent>, stream: StreamName, state: WatchState) -> bool {
    tx.send(ClusterEvent::WatchState { stream, state })
        .await
        .is_ok()
}
