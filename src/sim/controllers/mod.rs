//! Controllers: the deployment and replica-set controllers, the pod lifecycle (a stand-in
//! for scheduler and kubelet), garbage collection of orphans and old events. This file
//! holds what they share (a pass's options, pod counts, the optimistic write); the loop
//! that runs them together is `sim/tick.rs`.

pub mod deployment;
pub mod deployment_conditions;
pub mod deployment_revisions;
pub mod deployment_rollout;
pub mod garbage;
pub mod kubelet_events;
pub mod namespace_defaults;
pub mod pod_lifecycle;
pub mod replicaset;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::Shared;
pub use super::events::{EventKind, record_event};
pub use super::predicates::{controller_uid, pod_condition, pod_ready, terminating};

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
