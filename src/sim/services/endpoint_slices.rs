//! The EndpointSlice controller (kubernetes/kubernetes `pkg/controller/endpointslice`,
//! `staging/src/k8s.io/endpointslice/reconciler.go`): `discovery.k8s.io/v1` slices
//! labelled `kubernetes.io/service-name` and managed by
//! `endpointslice-controller.k8s.io`, owned by their Service, at most 100 endpoints each
//! (`--max-endpoints-per-slice`), terminating pods kept with `ready: false,
//! terminating: true`, and one empty placeholder slice for a Service with no pods.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Backend, ResolvedPort, TRIGGER_TIME, service_labels};
use crate::sim::{Shared, res};

pub const SERVICE_NAME: &str = "kubernetes.io/service-name";
pub const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const CONTROLLER: &str = "endpointslice-controller.k8s.io";
const MAX_PER_SLICE: usize = 100;

/// True for a slice this controller manages for the Service `ns/name`.
pub fn belongs_to(slice: &Value, ns: &str, name: &str) -> bool {
    let labels = &slice["metadata"]["labels"];
    slice["metadata"]["namespace"] == ns
        && labels[SERVICE_NAME] == name
        && labels[MANAGED_BY] == CONTROLLER
}

fn endpoint(b: &Backend) -> Value {
    let mut e = json!({
        "addresses": [b.ip],
        "conditions": {"ready": b.ready, "serving": b.serving, "terminating": b.terminating},
        "targetRef": b.target_ref(),
    });
    if !b.node.is_empty() {
        e["nodeName"] = json!(b.node);
    }
    e
}

fn ports_json(ports: &[ResolvedPort]) -> Value {
    json!(
        ports
            .iter()
            .map(|(name, port, proto)| json!({"name": name, "port": port, "protocol": proto}))
            .collect::<Vec<_>>()
    )
}

/// What the slices of a Service should hold: `(ports, endpoints)` per slice.
pub fn desired(svc: &Value, backends: &[Backend]) -> Vec<(Value, Vec<Value>)> {
    let wants_ports = svc["spec"]["ports"]
        .as_array()
        .is_some_and(|p| !p.is_empty());
    let mut groups: BTreeMap<Vec<ResolvedPort>, Vec<Value>> = BTreeMap::new();
    for b in backends {
        if wants_ports && b.ports.is_empty() {
            continue;
        }
        groups.entry(b.ports.clone()).or_default().push(endpoint(b));
    }
    let mut out = Vec::new();
    for (ports, eps) in groups {
        for chunk in eps.chunks(MAX_PER_SLICE) {
            out.push((ports_json(&ports), chunk.to_vec()));
        }
    }
    if out.is_empty() {
        // The placeholder slice: no ports, no endpoints.
        out.push((Value::Null, Vec::new()));
    }
    out
}

fn slice_holds(
    slice: &Value,
    ports: &Value,
    eps: &[Value],
    labels: &serde_json::Map<String, Value>,
) -> bool {
    let cur_eps = slice["endpoints"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let cur_labels = slice["metadata"]["labels"].as_object();
    let mut want_labels = labels.clone();
    want_labels.insert(
        SERVICE_NAME.into(),
        slice["metadata"]["labels"][SERVICE_NAME].clone(),
    );
    want_labels.insert(MANAGED_BY.into(), json!(CONTROLLER));
    slice["ports"] == *ports && cur_eps == eps && cur_labels == Some(&want_labels)
}

/// Creates, updates and deletes the Service's slices so they hold [`desired`].
pub fn reconcile(shared: &Shared, svc: &Value, backends: &[Backend], existing: &[&Arc<Value>]) {
    let r = res("discovery.k8s.io", "endpointslices");
    let meta = &svc["metadata"];
    let ns = meta["namespace"].as_str().unwrap_or_default();
    let name = meta["name"].as_str().unwrap_or_default();
    let labels = service_labels(svc);
    let mut existing: Vec<&Arc<Value>> = existing.to_vec();
    existing.sort_by(|a, b| {
        a["metadata"]["name"]
            .as_str()
            .cmp(&b["metadata"]["name"].as_str())
    });
    let want = desired(svc, backends);
    for (i, (ports, eps)) in want.iter().enumerate() {
        let mut l = labels.clone();
        l.insert(SERVICE_NAME.into(), json!(name));
        l.insert(MANAGED_BY.into(), json!(CONTROLLER));
        match existing.get(i) {
            Some(cur) if slice_holds(cur, ports, eps, &labels) => {}
            Some(cur) => {
                let mut o = (***cur).clone();
                o["metadata"]["labels"] = Value::Object(l);
                o["metadata"]["annotations"] = json!({TRIGGER_TIME: shared.clock.now_rfc3339()});
                o["endpoints"] = json!(eps);
                set_ports(&mut o, ports);
                let _ = crate::sim::controllers::replace(shared, r, cur, o);
            }
            None => {
                let mut o = json!({
                    "metadata": {
                        "generateName": format!("{name}-"),
                        "labels": l,
                        "annotations": {TRIGGER_TIME: shared.clock.now_rfc3339()},
                        "ownerReferences": [{
                            "apiVersion": "v1", "kind": "Service", "name": name,
                            "uid": meta["uid"], "controller": true, "blockOwnerDeletion": true
                        }],
                    },
                    "addressType": "IPv4",
                    "endpoints": eps,
                });
                set_ports(&mut o, ports);
                if let Ok(o) = shared.prepare_create(r, ns, o) {
                    let _ = shared.store.create(r, o);
                }
            }
        }
    }
    for extra in existing.iter().skip(want.len()) {
        let (ns, name) = crate::sim::store::key_of(extra);
        let _ = shared.store.delete(r, &ns, &name);
    }
}

fn set_ports(o: &mut Value, ports: &Value) {
    if let Some(m) = o.as_object_mut() {
        if ports.is_null() {
            m.remove("ports");
        } else {
            m.insert("ports".into(), ports.clone());
        }
    }
}

/// Deletes managed slices whose Service is gone (the garbage collector follows their
/// owner reference on a cluster).
pub fn remove_orphans(
    shared: &Shared,
    all: &[Arc<Value>],
    live: &BTreeMap<(String, String), &Arc<Value>>,
) {
    for s in all {
        let labels = &s["metadata"]["labels"];
        if labels[MANAGED_BY] != CONTROLLER {
            continue;
        }
        let ns = s["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let svc = labels[SERVICE_NAME]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let owner_uid = s["metadata"]["ownerReferences"][0]["uid"].as_str();
        let alive = live
            .get(&(ns, svc))
            .is_some_and(|svc| svc["metadata"]["uid"].as_str() == owner_uid);
        if !alive {
            let (ns, name) = crate::sim::store::key_of(s);
            let _ = shared
                .store
                .delete(res("discovery.k8s.io", "endpointslices"), &ns, &name);
        }
    }
}
