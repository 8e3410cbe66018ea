//! `metrics.k8s.io/v1beta1` as metrics-server serves it (kubernetes-sigs/metrics-server
//! `pkg/api/pod.go`, `pkg/api/node.go`): PodMetrics for every pod whose containers run,
//! NodeMetrics for every node, from the simulated application's model — each container
//! uses its version's `cpu_millicores` and `memory_mib` (the same figures `/metrics`
//! exposes as cAdvisor series), ±10 % per pod and a slow wobble over simulated time, so
//! `kubectl top pods|nodes` moves with the scenario (a new version's usage shows as its
//! pods roll out).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::params::Params;
use super::status::{ApiError, json_response};
use super::{Shared, res};

/// metrics-server's default resolution, reported as each sample's `window`.
const WINDOW: &str = "15s";
/// What a node uses besides its pods (kubelet, runtime, system daemons).
const NODE_BASE_MILLICORES: f64 = 120.0;
const NODE_BASE_MIB: f64 = 900.0;

/// A pod's `(container, millicores, MiB)` now, or `None` while none of its containers runs.
pub fn pod_usage(shared: &Shared, pod: &Value) -> Option<Vec<(String, f64, f64)>> {
    let statuses = pod["status"]["containerStatuses"].as_array()?;
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let spread = super::app::pod_spread(name);
    // ±5 % over a simulated five minutes, phase-shifted per pod.
    let phase = f64::from(name.bytes().fold(0u8, |h, b| h.wrapping_add(b)));
    let wobble =
        1.0 + 0.05 * ((shared.clock.elapsed_secs() / 300.0 * std::f64::consts::TAU) + phase).sin();
    let b = shared.behaviour_of(&pod["spec"]);
    let out: Vec<(String, f64, f64)> = statuses
        .iter()
        .filter(|s| s["state"]["running"].is_object())
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_string(),
                b.cpu_millicores * spread * wobble,
                b.memory_mib * (0.95 + (spread - 0.9) / 2.0),
            )
        })
        .collect();
    (!out.is_empty() && !super::controllers::terminating(pod)).then_some(out)
}

fn cpu(millicores: f64) -> String {
    format!("{}n", (millicores * 1_000_000.0).round() as i64)
}

fn memory(mib: f64) -> String {
    format!("{}Ki", (mib * 1024.0).round() as i64)
}

fn pod_metrics(shared: &Shared, pod: &Value) -> Option<Value> {
    let usage = pod_usage(shared, pod)?;
    let meta = &pod["metadata"];
    let containers: Vec<Value> = usage
        .iter()
        .map(|(c, m, mib)| json!({"name": c, "usage": {"cpu": cpu(*m), "memory": memory(*mib)}}))
        .collect();
    Some(json!({
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"],
            "creationTimestamp": shared.clock.now_rfc3339(),
            "labels": meta.get("labels").cloned().unwrap_or_else(|| json!({})),
        },
        "timestamp": shared.clock.now_rfc3339(),
        "window": WINDOW,
        "containers": containers,
    }))
}

fn node_metrics(shared: &Shared, node: &Value, pods: &[Arc<Value>]) -> Value {
    let name = node["metadata"]["name"].as_str().unwrap_or_default();
    let (mut m, mut mib) = (NODE_BASE_MILLICORES, NODE_BASE_MIB);
    for p in pods.iter().filter(|p| p["spec"]["nodeName"] == name) {
        for (_, c, b) in pod_usage(shared, p).unwrap_or_default() {
            m += c;
            mib += b;
        }
    }
    json!({
        "kind": "NodeMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": name,
            "creationTimestamp": shared.clock.now_rfc3339(),
            "labels": node["metadata"].get("labels").cloned().unwrap_or_else(|| json!({})),
        },
        "timestamp": shared.clock.now_rfc3339(),
        "window": WINDOW,
        "usage": {"cpu": cpu(m), "memory": memory(mib)},
    })
}

fn not_found(plural: &str, name: String) -> ApiError {
    ApiError::NotFound {
        qualified: format!("{plural}.metrics.k8s.io"),
        plural: plural.into(),
        group: "metrics.k8s.io".into(),
        name,
    }
}

/// `get` and `list` of `pods` and `nodes` in `metrics.k8s.io/v1beta1`.
pub fn serve(
    shared: &Shared,
    plural: &str,
    namespace: Option<&str>,
    name: Option<&str>,
    verb: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    if verb != "get" && verb != "list" {
        return Err(ApiError::MethodNotAllowed);
    }
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let items: Vec<Value> = if plural == "nodes" {
        let (_, nodes) = shared.store.list(res("", "nodes"), None);
        nodes
            .iter()
            .filter(|n| name.is_none_or(|want| n["metadata"]["name"] == want))
            .filter(|n| params.selects(n))
            .map(|n| node_metrics(shared, n, &pods))
            .collect()
    } else {
        pods.iter()
            .filter(|p| namespace.is_none_or(|ns| p["metadata"]["namespace"] == ns))
            .filter(|p| name.is_none_or(|want| p["metadata"]["name"] == want))
            .filter(|p| params.selects(p))
            .filter_map(|p| pod_metrics(shared, p))
            .collect()
    };
    if let Some(n) = name {
        let (kind, shown) = if plural == "nodes" {
            ("nodemetrics", n.to_string())
        } else {
            (
                "podmetrics",
                format!("{}/{n}", namespace.unwrap_or_default()),
            )
        };
        let one = items
            .into_iter()
            .next()
            .ok_or_else(|| not_found(kind, shown))?;
        return Ok(json_response(StatusCode::OK, &one));
    }
    let kind = if plural == "nodes" {
        "NodeMetricsList"
    } else {
        "PodMetricsList"
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({"kind": kind, "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}),
    ))
}
