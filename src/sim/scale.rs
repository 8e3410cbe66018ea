//! The `autoscaling/v1` `Scale` subresource of deployments and replica sets.

use serde_json::{Value, json};

use super::selectors::LabelSelector;

/// The `autoscaling/v1` `Scale` view of a deployment or replica set.
pub fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    let selector = LabelSelector::from_object(&obj["spec"]["selector"]).to_string();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]
        },
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector}
    })
}
