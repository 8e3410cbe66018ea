//! Controllers: the deployment and replica-set controllers, the pod lifecycle (a stand-in
//! for scheduler and kubelet), garbage collection of orphans and old events, and the
//! simulated application's traffic. They run together in one loop, level-triggered: each
//! pass reads the store and writes only what differs.

pub mod deployment;
pub mod kubelet_events;
pub mod namespace_defaults;
pub mod pod_lifecycle;
pub mod replicaset;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;

pub use super::events::{EventKind, record_event};
use super::{Shared, res};

/// Most core events kept; older ones are deleted (the real server expires them after 1 h).
const MAX_EVENTS: usize = 2_000;

/// Most events recorded per controller pass; the rest are dropped, like client-go's event
/// spam filter does for bursts (a 10,000-pod scale-up would otherwise create 40,000).
pub const EVENTS_PER_PASS: usize = 250;

/// Options of one controller pass.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    /// Ignore every delay (initial cluster set-up): pods become ready at once.
    pub instant: bool,
}

/// Per-replica-set pod counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCounts {
    pub active: i64,
    pub ready: i64,
    pub available: i64,
}

/// The controller-owner UID of an object.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|o| o["controller"].as_bool() == Some(true))?
        .get("uid")?
        .as_str()
}

/// True when the object is being deleted.
pub fn terminating(obj: &Value) -> bool {
    obj["metadata"]["deletionTimestamp"].is_string()
}

/// True when a pod's `Ready` condition is `True`.
pub fn pod_ready(pod: &Value) -> bool {
    pod_condition(pod, "Ready").is_some_and(|c| c["status"] == "True")
}

/// A pod condition by type.
pub fn pod_condition<'a>(pod: &'a Value, ty: &str) -> Option<&'a Value> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}

/// Writes `new` over `original` unless someone else wrote in between (then the next pass
/// sees the newer object and tries again).
pub fn replace(
    shared: &Shared,
    r: &'static crate::sim::discovery::ResourceInfo,
    original: &Value,
    new: Value,
) -> Option<Arc<Value>> {
    let rv = original["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok());
    shared.store.update(r, new, rv).ok()
}

/// Counts the pods of every replica set (keyed by its UID).
pub fn count_pods(
    shared: &Shared,
    pods: &[Arc<Value>],
    instant: bool,
) -> HashMap<String, PodCounts> {
    let mut out: HashMap<String, PodCounts> = HashMap::new();
    for p in pods {
        let Some(owner) = controller_uid(p) else {
            continue;
        };
        if terminating(p) {
            continue;
        }
        let phase = p["status"]["phase"].as_str().unwrap_or_default();
        if phase == "Failed" || phase == "Succeeded" {
            continue;
        }
        let c = out.entry(owner.to_string()).or_default();
        c.active += 1;
        if pod_ready(p) {
            c.ready += 1;
            // Available = ready for minReadySeconds (annotated on the pod by the RS controller).
            let min_ready = p["metadata"]["annotations"]["backout.sim/min-ready-seconds"]
                .as_str()
                .and_then(|s| s.parse::<f64>().ok())
                .unwrap_or(0.0);
            let available = instant
                || min_ready <= 0.0
                || pod_condition(p, "Ready")
                    .and_then(|c| c["lastTransitionTime"].as_str())
                    .is_none_or(|t| shared.clock.secs_since(t) >= min_ready);
            if available {
                c.available += 1;
            }
        }
    }
    out
}

/// What a pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Something was written (another pass may have follow-up work).
    pub wrote: bool,
    /// A timed transition is pending (a pod starting, a rollout in progress).
    pub pending: bool,
}

/// One pass of every controller.
pub fn pass(shared: &Shared, opts: Pass) -> Outcome {
    shared.reset_event_budget(EVENTS_PER_PASS);
    let before = shared.store.current_rv();
    namespace_defaults::sync(shared);
    let pods_pending = pod_lifecycle::sync(shared, opts);
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let counts = count_pods(shared, &pods, opts.instant);
    replicaset::sync_all(shared, &pods, &counts);
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let counts = count_pods(shared, &pods, opts.instant);
    let rollouts_pending = deployment::sync_all(shared, &counts, opts);
    let self_heal_pending = super::argocd::controller::sync_all(shared);
    super::services::sync(shared);
    collect_garbage(shared);
    Outcome {
        wrote: shared.store.current_rv() != before,
        pending: pods_pending || rollouts_pending || self_heal_pending,
    }
}

/// Runs passes without delays until the cluster stops changing (initial set-up).
pub fn settle(shared: &Shared) {
    for _ in 0..64 {
        if !pass(shared, Pass { instant: true }).wrote {
            break;
        }
    }
}

/// Deletes replica sets and pods whose controller is gone, and the oldest events beyond
/// [`MAX_EVENTS`].
pub fn collect_garbage(shared: &Shared) {
    let (_, deployments) = shared.store.list(res("apps", "deployments"), None);
    let (_, rss) = shared.store.list(res("apps", "replicasets"), None);
    let mut owners: HashSet<String> = HashSet::new();
    for o in deployments.iter().chain(rss.iter()) {
        if let Some(uid) = o["metadata"]["uid"].as_str() {
            owners.insert(uid.to_string());
        }
    }
    for rs in &rss {
        if let Some(owner) = controller_uid(rs)
            && !owners.contains(owner)
        {
            let (ns, name) = super::store::key_of(rs);
            let _ = shared.store.delete(res("apps", "replicasets"), &ns, &name);
        }
    }
    let (_, pods) = shared.store.list(res("", "pods"), None);
    for p in &pods {
        if let Some(owner) = controller_uid(p)
            && !owners.contains(owner)
            && !terminating(p)
        {
            let _ = super::server::delete_object(shared, res("", "pods"), p, None, None, false);
        }
    }
    for r in [res("", "events"), res("events.k8s.io", "events")] {
        let n = shared.store.count(r);
        if n > MAX_EVENTS {
            let (_, mut evs) = shared.store.list(r, None);
            evs.sort_by(|a, b| {
                a["metadata"]["creationTimestamp"]
                    .as_str()
                    .cmp(&b["metadata"]["creationTimestamp"].as_str())
            });
            for e in evs.iter().take(n - MAX_EVENTS) {
                let (ns, name) = super::store::key_of(e);
                let _ = shared.store.delete(r, &ns, &name);
            }
        }
    }
}

/// The controller loop: one pass per tick (a simulated second at most, 10–100 ms real)
/// or as soon as a client writes, plus the application's traffic.
pub async fn run(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let speed = shared.clock.speed();
    // One simulated second per tick at most, between 10 and 100 real milliseconds.
    let tick = Duration::from_secs_f64((1.0 / speed).clamp(0.01, 0.1));
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_traffic = shared.clock.elapsed_secs();
    // Level-triggered, but idle when idle: a pass runs when the store changed since the
    // last one started, while a timed transition is pending, and every 5 s regardless.
    let mut seen_rv = 0u64;
    let mut pending = true;
    let mut last_pass = std::time::Instant::now();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = interval.tick() => {}
            _ = shared.kicked() => {}
        }
        let sh = shared.clone();
        let now = sh.clock.elapsed_secs();
        let dt = now - last_traffic;
        last_traffic = now;
        // Controllers touch every pod: keep that work off the async workers.
        let rv = shared.store.current_rv();
        let due = rv != seen_rv || pending || last_pass.elapsed() >= Duration::from_secs(5);
        let joined = tokio::task::spawn_blocking(move || {
            let outcome = due.then(|| pass(&sh, Pass { instant: false }));
            let runs_pending = due && crate::sim::exec::runs::sync(&sh);
            let outcome = outcome.map(|o| Outcome {
                pending: o.pending || runs_pending,
                ..o
            });
            super::app::advance(&sh, dt);
            outcome
        })
        .await;
        match joined {
            Ok(Some(outcome)) => {
                seen_rv = rv;
                pending = outcome.pending;
                last_pass = std::time::Instant::now();
            }
            Ok(None) => {}
            Err(_) => tracing::error!("simulator controller pass panicked"),
        }
    }
}
