//! The endpoints controller (kubernetes/kubernetes
//! `pkg/controller/endpoint/endpoints_controller.go`): one `Endpoints` object per Service
//! with a selector, named after it, ready pods in `addresses`, the others in
//! `notReadyAddresses`, terminating pods left out (unless `publishNotReadyAddresses`),
//! at most 1000 addresses (`maxCapacity`, then the `over-capacity: truncated` annotation).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Backend, ResolvedPort, TRIGGER_TIME, service_labels};
use crate::sim::{Shared, res};

/// `maxCapacity` of the endpoints controller.
const MAX_CAPACITY: usize = 1000;
const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

fn address(b: &Backend) -> Value {
    let mut a = json!({"ip": b.ip, "targetRef": b.target_ref()});
    if !b.node.is_empty() {
        a["nodeName"] = json!(b.node);
    }
    a
}

/// The `subsets` for these backends: one subset per set of ports (`RepackSubsets`).
pub fn subsets(svc: &Value, backends: &[Backend]) -> (Vec<Value>, bool) {
    let publish_not_ready = svc["spec"]["publishNotReadyAddresses"].as_bool() == Some(true);
    let mut groups: BTreeMap<Vec<ResolvedPort>, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    let mut total = 0usize;
    let mut truncated = false;
    for b in backends {
        if b.terminating && !publish_not_ready {
            continue;
        }
        if b.ports.is_empty()
            && svc["spec"]["ports"]
                .as_array()
                .is_some_and(|p| !p.is_empty())
        {
            continue;
        }
        if total == MAX_CAPACITY {
            truncated = true;
            break;
        }
        total += 1;
        let g = groups.entry(b.ports.clone()).or_default();
        if b.ready || publish_not_ready {
            g.0.push(address(b));
        } else {
            g.1.push(address(b));
        }
    }
    let out = groups
        .into_iter()
        .map(|(ports, (ready, not_ready))| {
            let mut s = json!({});
            if !ready.is_empty() {
                s["addresses"] = json!(ready);
            }
            if !not_ready.is_empty() {
                s["notReadyAddresses"] = json!(not_ready);
            }
            if !ports.is_empty() {
                let ports: Vec<Value> = ports
                    .iter()
                    .map(|(name, port, proto)| {
                        let mut p = json!({"port": port, "protocol": proto});
                        if !name.is_empty() {
                            p["name"] = json!(name);
                        }
                        p
                    })
                    .collect();
                s["ports"] = json!(ports);
            }
            s
        })
        .collect();
    (out, truncated)
}

/// Writes the Service's `Endpoints` when what it should hold changed.
pub fn reconcile(shared: &Shared, svc: &Value, backends: &[Backend]) {
    let r = res("", "endpoints");
    let ns = svc["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = svc["metadata"]["name"].as_str().unwrap_or_default();
    let (subsets, truncated) = subsets(svc, backends);
    let labels = service_labels(svc);
    let current = shared.store.get(r, ns, name);
    if let Some(cur) = &current {
        let same_subsets = match cur["subsets"].as_array() {
            Some(a) => *a == subsets,
            None => subsets.is_empty(),
        };
        let same_cap = cur["metadata"]["annotations"][OVER_CAPACITY].is_string() == truncated;
        let same_labels = cur["metadata"]["labels"]
            .as_object()
            .cloned()
            .unwrap_or_default()
            == labels;
        if same_subsets && same_cap && same_labels {
            return;
        }
    }
    let mut annotations = json!({TRIGGER_TIME: shared.clock.now_rfc3339()});
    if truncated {
        annotations[OVER_CAPACITY] = json!("truncated");
    }
    let mut obj = match &current {
        Some(cur) => (**cur).clone(),
        None => json!({"metadata": {"name": name}}),
    };
    obj["metadata"]["labels"] = Value::Object(labels);
    obj["metadata"]["annotations"] = annotations;
    match obj.as_object_mut() {
        Some(o) if subsets.is_empty() => {
            o.remove("subsets");
        }
        Some(o) => {
            o.insert("subsets".into(), json!(subsets));
        }
        None => return,
    }
    match current {
        Some(cur) => {
            let _ = crate::sim::controllers::replace(shared, r, &cur, obj);
        }
        None => {
            if let Ok(o) = shared.prepare_create(r, ns, obj) {
                let _ = shared.store.create(r, o);
            }
        }
    }
}

/// Deletes the `Endpoints` this controller wrote for Services that are gone (or lost their
/// selector).
pub fn remove_orphans(
    shared: &Shared,
    all: &[Arc<Value>],
    live: &BTreeMap<(String, String), &Arc<Value>>,
) {
    for ep in all {
        if !ep["metadata"]["annotations"][TRIGGER_TIME].is_string() {
            continue;
        }
        let (ns, name) = crate::sim::store::key_of(ep);
        if !live.contains_key(&(ns.clone(), name.clone())) {
            let _ = shared.store.delete(res("", "endpoints"), &ns, &name);
        }
    }
}
