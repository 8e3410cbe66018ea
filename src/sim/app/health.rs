//! The health of a simulated application from the pods serving it, served as
//! `GET /sim/health/{namespace}/{app}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::sim::controllers::{pod_ready, terminating};
use crate::sim::scenario::version_of;
use crate::sim::selectors::LabelSelector;
use crate::sim::{Shared, res};

/// The health of an application from the pods serving it: `(healthy, details)`.
pub fn health(shared: &Shared, namespace: &str, app: &str) -> (bool, Value) {
    let (_, pods) = shared.store.list(res("", "pods"), Some(namespace));
    // Through the service of that name when there is one (it decides who gets traffic).
    let selector = match shared.store.get(res("", "services"), namespace, app) {
        Some(svc) if svc["spec"]["selector"].is_object() => {
            LabelSelector::from_object(&json!({"matchLabels": svc["spec"]["selector"]}))
        }
        _ => LabelSelector::from_object(&json!({"matchLabels": {"app": app}})),
    };
    let serving: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| selector.matches(p) && !terminating(p) && pod_ready(p))
        .collect();
    if serving.is_empty() {
        return (
            false,
            json!({"status": "unavailable", "reason": "no ready pods", "app": app}),
        );
    }
    let mut err = 0.0;
    let mut p95: f64 = 0.0;
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    for p in &serving {
        let b = shared.behaviour_of(&p["spec"]);
        err += b.error_ratio;
        p95 = p95.max(b.latency_p95_ms);
        *versions.entry(version_of(&p["spec"])).or_default() += 1;
    }
    let err = err / serving.len() as f64;
    let healthy = err <= 0.05 && p95 <= 1000.0;
    (
        healthy,
        json!({"status": if healthy { "ok" } else { "degraded" }, "app": app, "readyPods": serving.len(),
               "versions": versions, "errorRatio": err, "latencyP95Ms": p95}),
    )
}
