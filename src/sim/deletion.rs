//! Deleting an object with the API server's semantics: a scheduled pod with a grace
//! period is marked (`deletionTimestamp`) and killed by its kubelet; `Orphan` propagation
//! strips owner references; a namespace takes its contents along. Used by the HTTP
//! handlers and the garbage collector and replica-set controller.

use std::sync::Arc;

use serde_json::{Value, json};

use super::Shared;
use super::controllers::kubelet_events;
use super::discovery::ResourceInfo;
use super::status::{ApiError, success_status};
use super::store::key_of;

/// Deletes one object with the API server's semantics; returns the response body.
pub fn delete_object(
    shared: &Shared,
    res: &'static ResourceInfo,
    obj: &Arc<Value>,
    grace: Option<i64>,
    propagation: Option<&str>,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let (ns, name) = key_of(obj);
    let uid = obj["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if res.plural == "pods" && res.group.is_empty() {
        let spec_grace = obj["spec"]["terminationGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30);
        let grace = grace.unwrap_or(spec_grace).max(0);
        let scheduled = obj["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| !n.is_empty());
        if grace > 0 && scheduled {
            if obj["metadata"]["deletionTimestamp"].is_string() || dry_run {
                return Ok((**obj).clone());
            }
            let mut o = (**obj).clone();
            let when = shared.clock.now() + chrono::Duration::seconds(grace);
            o["metadata"]["deletionTimestamp"] =
                json!(when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
            let stored = shared.store.update(res, o, None)?;
            kubelet_events::killing(shared, &stored);
            shared.kick();
            return Ok((*stored).clone());
        }
    }
    if dry_run {
        return Ok(success_status(res.plural, res.group, &name, &uid));
    }
    if propagation == Some("Orphan") {
        shared.orphan_dependents(&uid);
    }
    if res.plural == "namespaces" {
        shared.delete_namespace_contents(&name);
    }
    let removed = shared.store.delete(res, &ns, &name)?;
    shared.kick();
    if res.plural == "services" || res.plural == "pods" {
        return Ok((*removed).clone());
    }
    Ok(success_status(res.plural, res.group, &name, &uid))
}
