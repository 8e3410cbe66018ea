//! Ephemeral containers (`kubectl debug`): the `pods/NAME/ephemeralcontainers` subresource
//! changes only `spec.ephemeralContainers`, adding containers and never changing or
//! removing one (kubernetes/kubernetes `pkg/registry/core/pod/strategy.go`,
//! `podEphemeralContainersStrategy`; `pkg/apis/core/validation`,
//! `ValidatePodEphemeralContainersUpdate`), and the kubelet starts each new one
//! (`status.ephemeralContainerStatuses`, running). Attaching to one runs its command (else
//! `sh`) in the simulated shell (`session.rs`).

use serde_json::{Value, json};

use crate::sim::status::ApiError;
use crate::sim::{Shared, res};

/// The pod `old` with the ephemeral containers of `new`.
pub fn update(old: &Value, new: &Value) -> Result<Value, ApiError> {
    let name = old["metadata"]["name"].as_str().unwrap_or_default();
    let empty = Vec::new();
    let before = old["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap_or(&empty);
    let after = new["spec"]["ephemeralContainers"]
        .as_array()
        .unwrap_or(&empty);
    let mut causes = Vec::new();
    for (i, c) in before.iter().enumerate() {
        if !after.iter().any(|a| a == c) {
            causes.push(format!(
                "spec.ephemeralContainers[{i}]: Forbidden: existing ephemeral containers \"{}\" may not be changed",
                c["name"].as_str().unwrap_or_default()
            ));
        }
    }
    for (i, c) in after.iter().enumerate() {
        if c["name"].as_str().is_none_or(str::is_empty) {
            causes.push(format!(
                "spec.ephemeralContainers[{i}].name: Required value"
            ));
        }
        if c["image"].as_str().is_none_or(str::is_empty) {
            causes.push(format!(
                "spec.ephemeralContainers[{i}].image: Required value"
            ));
        }
    }
    if !causes.is_empty() {
        return Err(ApiError::Invalid {
            kind: "Pod".into(),
            name: name.into(),
            causes,
        });
    }
    let mut out = old.clone();
    out["spec"]["ephemeralContainers"] = json!(after);
    Ok(out)
}

/// Starts the ephemeral containers of `pod` that have no status yet.
pub fn start_containers(shared: &Shared, pod: &Value) {
    let specs = pod["spec"]["ephemeralContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let statuses = pod["status"]["ephemeralContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let missing: Vec<&Value> = specs
        .iter()
        .filter(|c| !statuses.iter().any(|s| s["name"] == c["name"]))
        .collect();
    if missing.is_empty() || pod["status"]["phase"] != "Running" {
        return;
    }
    let now = shared.clock.now_rfc3339();
    let mut new = pod.clone();
    let mut all = statuses.clone();
    for c in missing {
        all.push(json!({
            "name": c["name"], "image": c["image"], "imageID": "", "ready": false, "restartCount": 0,
            "state": {"running": {"startedAt": now}}, "lastState": {}
        }));
    }
    new["status"]["ephemeralContainerStatuses"] = json!(all);
    if crate::sim::controllers::replace(shared, res("", "pods"), pod, new).is_some() {
        shared.kick();
    }
}
