//! The garbage collector: replica sets and pods whose controller is gone, and the oldest
//! events beyond a cap.

use std::collections::HashSet;

use crate::sim::deletion::delete_object;
use crate::sim::predicates::{controller_uid, terminating};
use crate::sim::store::key_of;
use crate::sim::{Shared, res};

/// Most core events kept; older ones are deleted (the real server expires them after 1 h).
const MAX_EVENTS: usize = 2_000;

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
            let (ns, name) = key_of(rs);
            let _ = shared.store.delete(res("apps", "replicasets"), &ns, &name);
        }
    }
    let (_, pods) = shared.store.list(res("", "pods"), None);
    for p in &pods {
        if let Some(owner) = controller_uid(p)
            && !owners.contains(owner)
            && !terminating(p)
        {
            let _ = delete_object(shared, res("", "pods"), p, None, None, false);
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
                let (ns, name) = key_of(e);
                let _ = shared.store.delete(r, &ns, &name);
            }
        }
    }
}
