//! What an object is, read from its fields: its controlling owner, whether it is being
//! deleted, a pod's conditions and readiness. Shared by the controllers, the simulated
//! application, the services and the HTTP handlers.

use serde_json::Value;

/// The controller-owner UID of an object.
pub fn controller_uid(obj: &Value) -> Option<&str> {
    obj["metadata"]["ownerReferences"]
        .as_array()?
        .iter()
        .find(|o| o["controller"].as_bool() == Some(true))?
        .get("uid")?
        .as_str()
}

/// True when the object is being deleted.
pub fn terminating(obj: &Value) -> bool {
    obj["metadata"]["deletionTimestamp"].is_string()
}

/// True when a pod's `Ready` condition is `True`.
pub fn pod_ready(pod: &Value) -> bool {
    pod_condition(pod, "Ready").is_some_and(|c| c["status"] == "True")
}

/// A pod condition by type.
pub fn pod_condition<'a>(pod: &'a Value, ty: &str) -> Option<&'a Value> {
    pod["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
}
