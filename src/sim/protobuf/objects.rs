//! The objects the simulator serves in protobuf: a `Pod`, a `PodList` and a `Status`
//! (errors and watch `ERROR` events), each as a complete body (`k8s\0` + `runtime.Unknown`).

use serde_json::{Map, Value};

use super::envelope::unknown;
use super::message::encode;
use super::schema::{META_LIST_META, META_STATUS, POD};
use super::writer::message_field;

fn fields(v: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
    v.as_object().unwrap_or(&EMPTY)
}

/// A pod (its own `apiVersion` and `kind`, `v1` `Pod` when it lacks them).
pub fn pod(obj: &Value) -> Vec<u8> {
    let api_version = obj["apiVersion"].as_str().unwrap_or("v1");
    let kind = obj["kind"].as_str().unwrap_or("Pod");
    unknown(api_version, kind, |b| encode(b, &POD, fields(obj)))
}

/// A `PodList`: `{metadata = 1 ListMeta, items = 2 repeated Pod}`.
pub fn pod_list(list_meta: &Value, items: &[&Value]) -> Vec<u8> {
    unknown("v1", "PodList", |b| {
        message_field(b, 1, |b| encode(b, &META_LIST_META, fields(list_meta)));
        for item in items {
            message_field(b, 2, |b| encode(b, &POD, fields(item)));
        }
    })
}

/// A `metav1.Status` (as `v1`, the group-version of the pods it answers for).
pub fn status(status: &Value) -> Vec<u8> {
    unknown("v1", "Status", |b| encode(b, &META_STATUS, fields(status)))
}

/// Any of the above by its `kind`; `None` for kinds served only as JSON.
pub fn object(v: &Value) -> Option<Vec<u8>> {
    match v["kind"].as_str()? {
        "Pod" => Some(pod(v)),
        "Status" => Some(status(v)),
        "PodList" => {
            let items: Vec<&Value> = v["items"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            Some(pod_list(&v["metadata"], &items))
        }
        _ => None,
    }
}
