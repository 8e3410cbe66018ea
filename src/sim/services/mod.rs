//! What makes a Service reach its pods: the endpoints controller
//! (kubernetes/kubernetes `pkg/controller/endpoint/endpoints_controller.go`) and the
//! EndpointSlice controller (`pkg/controller/endpointslice`, with
//! `staging/src/k8s.io/endpointslice/reconciler.go`), both fed from the pods matching a
//! Service's selector, so a blue-green selector switch shows in `kubectl get endpoints`,
//! `get endpointslices` and `describe svc` within a controller pass.

pub mod endpoint_slices;
pub mod endpoints;
pub mod table;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use super::controllers::{pod_ready, terminating};
use super::{Shared, res};

/// The annotation both controllers stamp with the time of the change they publish.
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// One port of a Service resolved against a pod: `(name, port, protocol)`.
pub type ResolvedPort = (String, i64, String);

/// One pod backing a Service, as both controllers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    pub ip: String,
    pub node: String,
    pub name: String,
    pub namespace: String,
    pub uid: String,
    /// The pod's `Ready` condition is `True`.
    pub ready: bool,
    /// The pod's `Ready` condition, whether or not it is terminating (a slice's `serving`).
    pub serving: bool,
    /// The pod has a `deletionTimestamp`.
    pub terminating: bool,
    /// The Service's ports this pod serves, in the Service's order.
    pub ports: Vec<ResolvedPort>,
}

impl Backend {
    /// The `targetRef` both APIs carry.
    pub fn target_ref(&self) -> Value {
        json!({"kind": "Pod", "namespace": self.namespace, "name": self.name, "uid": self.uid})
    }
}

/// The selector of a Service, or `None` for a Service without one (its endpoints are the
/// user's to write).
fn selector(svc: &Value) -> Option<&serde_json::Map<String, Value>> {
    svc["spec"]["selector"]
        .as_object()
        .filter(|m| !m.is_empty())
}

fn selects(sel: &serde_json::Map<String, Value>, pod: &Value) -> bool {
    let labels = &pod["metadata"]["labels"];
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// The container port a Service port's `targetPort` names on this pod
/// (`podutil.FindPort`: a number as is, a name looked up among the containers' ports).
fn find_port(pod: &Value, target: &Value) -> Option<i64> {
    if let Some(n) = target.as_i64() {
        return Some(n);
    }
    let name = target.as_str()?;
    if let Ok(n) = name.parse::<i64>() {
        return Some(n);
    }
    pod["spec"]["containers"]
        .as_array()?
        .iter()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p["containerPort"].as_i64())
}

/// The pods a Service selects that have an IP and have not finished, in IP order.
pub fn backends(svc: &Value, pods: &[&Arc<Value>]) -> Vec<Backend> {
    let Some(sel) = selector(svc) else {
        return Vec::new();
    };
    let ports: Vec<&Value> = svc["spec"]["ports"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut out: Vec<Backend> = pods
        .iter()
        .filter(|p| selects(sel, p))
        .filter(|p| !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed")))
        .filter_map(|p| {
            let ip = p["status"]["podIP"].as_str().filter(|ip| !ip.is_empty())?;
            let resolved = ports
                .iter()
                .filter_map(|sp| {
                    let target = match &sp["targetPort"] {
                        Value::Null => sp["port"].clone(),
                        t => t.clone(),
                    };
                    Some((
                        sp["name"].as_str().unwrap_or_default().to_string(),
                        find_port(p, &target)?,
                        sp["protocol"].as_str().unwrap_or("TCP").to_string(),
                    ))
                })
                .collect();
            let meta = &p["metadata"];
            Some(Backend {
                ip: ip.to_string(),
                node: p["spec"]["nodeName"].as_str().unwrap_or_default().into(),
                name: meta["name"].as_str().unwrap_or_default().into(),
                namespace: meta["namespace"].as_str().unwrap_or_default().into(),
                uid: meta["uid"].as_str().unwrap_or_default().into(),
                ready: pod_ready(p) && !terminating(p),
                serving: pod_ready(p),
                terminating: terminating(p),
                ports: resolved,
            })
        })
        .collect();
    out.sort_by(|a, b| a.ip.cmp(&b.ip).then_with(|| a.uid.cmp(&b.uid)));
    out
}

/// The labels both controllers copy from the Service (plus the headless marker).
pub fn service_labels(svc: &Value) -> serde_json::Map<String, Value> {
    let mut labels = svc["metadata"]["labels"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if svc["spec"]["clusterIP"] == "None" {
        labels.insert("service.kubernetes.io/headless".into(), json!(""));
    }
    labels
}

/// One pass of both controllers over every Service.
pub fn sync(shared: &Shared) {
    let (_, services) = shared.store.list(res("", "services"), None);
    let (_, endpoints) = shared.store.list(res("", "endpoints"), None);
    let (_, slices) = shared
        .store
        .list(res("discovery.k8s.io", "endpointslices"), None);
    let selected: Vec<&Arc<Value>> = services.iter().filter(|s| selector(s).is_some()).collect();
    if selected.is_empty() && endpoints.is_empty() && slices.is_empty() {
        return;
    }
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let mut by_ns: HashMap<&str, Vec<&Arc<Value>>> = HashMap::new();
    for p in &pods {
        by_ns
            .entry(p["metadata"]["namespace"].as_str().unwrap_or_default())
            .or_default()
            .push(p);
    }
    let mut live: BTreeMap<(String, String), &Arc<Value>> = BTreeMap::new();
    for svc in &selected {
        let ns = svc["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = svc["metadata"]["name"].as_str().unwrap_or_default();
        live.insert((ns.to_string(), name.to_string()), svc);
        let pods = by_ns.get(ns).map(Vec::as_slice).unwrap_or_default();
        let backends = backends(svc, pods);
        endpoints::reconcile(shared, svc, &backends);
        let mine: Vec<&Arc<Value>> = slices
            .iter()
            .filter(|s| endpoint_slices::belongs_to(s, ns, name))
            .collect();
        endpoint_slices::reconcile(shared, svc, &backends, &mine);
    }
    endpoints::remove_orphans(shared, &endpoints, &live);
    endpoint_slices::remove_orphans(shared, &slices, &live);
}
