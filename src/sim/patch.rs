//! The three patch types the API server accepts: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386) and strategic merge patch for the pod-template paths kubectl produces.
//!
//! Strategic merge patch needs each list's patch strategy and merge key, which the real
//! server reads from the Go types. The table in [`merge_key`] carries the ones kubectl's
//! `set image`, `set env`, `rollout` and hand-written patches touch.

use serde_json::{Map, Value};

/// A patch that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("the body of the request was not valid JSON: {0}")]
    Json(String),
    #[error("the server rejected our request due to an error in our request: {0}")]
    JsonPatch(String),
    #[error("{0}")]
    Strategic(String),
}

/// The patch type, from the request's `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
}

impl PatchType {
    /// Maps a content type to a patch type; `None` when unsupported (e.g. server-side apply).
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or_default().trim() {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// Applies `patch` (raw request body) of type `kind` to `original`.
pub fn apply(kind: PatchType, original: &Value, patch: &[u8]) -> Result<Value, PatchError> {
    let patch_value: Value =
        serde_json::from_slice(patch).map_err(|e| PatchError::Json(e.to_string()))?;
    match kind {
        PatchType::Json => {
            let p: json_patch::Patch = serde_json::from_value(patch_value)
                .map_err(|e| PatchError::JsonPatch(e.to_string()))?;
            let mut doc = original.clone();
            json_patch::patch(&mut doc, &p).map_err(|e| PatchError::JsonPatch(e.to_string()))?;
            Ok(doc)
        }
        PatchType::Merge => {
            let mut doc = original.clone();
            json_patch::merge(&mut doc, &patch_value);
            Ok(doc)
        }
        PatchType::Strategic => strategic_merge(original, &patch_value),
    }
}

/// How a list field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListStrategy {
    /// Merge maps by this key.
    Key(&'static str),
    /// Union of primitive values.
    Primitive,
    /// Replace the whole list.
    Replace,
}

/// The patch strategy of list `field` whose parent list field (if any) is `parent`.
fn merge_key(field: &str, parent: Option<&str>) -> ListStrategy {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" => ListStrategy::Key("name"),
        "env" | "volumes" | "imagePullSecrets" => ListStrategy::Key("name"),
        "volumeMounts" => ListStrategy::Key("mountPath"),
        "volumeDevices" => ListStrategy::Key("devicePath"),
        "ports" => match parent {
            Some("containers" | "initContainers" | "ephemeralContainers") => {
                ListStrategy::Key("containerPort")
            }
            _ => ListStrategy::Key("port"),
        },
        "conditions" => ListStrategy::Key("type"),
        "ownerReferences" => ListStrategy::Key("uid"),
        "hostAliases" => ListStrategy::Key("ip"),
        "topologySpreadConstraints" => ListStrategy::Key("topologyKey"),
        "finalizers" => ListStrategy::Primitive,
        _ => ListStrategy::Replace,
    }
}

/// Applies a strategic merge patch.
pub fn strategic_merge(original: &Value, patch: &Value) -> Result<Value, PatchError> {
    let Some(patch_map) = patch.as_object() else {
        return Err(PatchError::Strategic(
            "strategic merge patch must be a JSON object".into(),
        ));
    };
    let mut doc = original.clone();
    if !doc.is_object() {
        doc = Value::Object(Map::new());
    }
    match merge_map(doc.as_object_mut(), patch_map, None)? {
        MapOutcome::Keep => Ok(doc),
        MapOutcome::Replace(m) => Ok(Value::Object(m)),
        MapOutcome::Delete => Ok(Value::Object(Map::new())),
    }
}

enum MapOutcome {
    Keep,
    Replace(Map<String, Value>),
    Delete,
}

fn strip_directives(m: &Map<String, Value>) -> Map<String, Value> {
    m.iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, v)| (k.clone(), strip_value(v)))
        .collect()
}

fn strip_value(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(strip_directives(m)),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|e| e.get("$patch").and_then(Value::as_str) != Some("delete"))
                .map(strip_value)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_map(
    orig: Option<&mut Map<String, Value>>,
    patch: &Map<String, Value>,
    list_parent: Option<&str>,
) -> Result<MapOutcome, PatchError> {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => return Ok(MapOutcome::Replace(strip_directives(patch))),
        Some("delete") => return Ok(MapOutcome::Delete),
        Some("merge") | None => {}
        Some(other) => {
            return Err(PatchError::Strategic(format!(
                "unknown patch type: {other}"
            )));
        }
    }
    let Some(orig) = orig else {
        return Ok(MapOutcome::Replace(strip_directives(patch)));
    };
    if let Some(retain) = patch.get("$retainKeys") {
        let keys: Vec<&str> = retain
            .as_array()
            .ok_or_else(|| PatchError::Strategic("$retainKeys must be a list".into()))?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        orig.retain(|k, _| keys.contains(&k.as_str()));
    }
    for (key, pv) in patch {
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Some(del)) = (orig.get_mut(field), pv.as_array()) {
                list.retain(|v| !del.contains(v));
            }
            continue;
        }
        if key.starts_with('$') {
            continue;
        }
        match pv {
            Value::Null => {
                orig.remove(key);
            }
            Value::Object(pm) => {
                let outcome = merge_map(
                    orig.get_mut(key).and_then(Value::as_object_mut),
                    pm,
                    list_parent,
                )?;
                match outcome {
                    MapOutcome::Keep => {}
                    MapOutcome::Replace(m) => {
                        orig.insert(key.clone(), Value::Object(m));
                    }
                    MapOutcome::Delete => {
                        orig.remove(key);
                    }
                }
            }
            Value::Array(pl) => {
                let strategy = merge_key(key, list_parent);
                let order = patch
                    .get(&format!("$setElementOrder/{key}"))
                    .and_then(Value::as_array);
                let merged = merge_list(
                    orig.get(key).and_then(Value::as_array),
                    pl,
                    strategy,
                    key,
                    order,
                )?;
                orig.insert(key.clone(), Value::Array(merged));
            }
            other => {
                orig.insert(key.clone(), other.clone());
            }
        }
    }
    // `$setElementOrder` for lists the patch does not otherwise mention.
    for (key, pv) in patch {
        if let Some(field) = key.strip_prefix("$setElementOrder/")
            && !patch.contains_key(field)
            && let (Some(Value::Array(list)), Some(order)) = (orig.get_mut(field), pv.as_array())
        {
            let strategy = merge_key(field, list_parent);
            reorder(list, order, strategy);
        }
    }
    Ok(MapOutcome::Keep)
}

fn merge_list(
    orig: Option<&Vec<Value>>,
    patch: &[Value],
    strategy: ListStrategy,
    field: &str,
    order: Option<&Vec<Value>>,
) -> Result<Vec<Value>, PatchError> {
    if patch
        .iter()
        .any(|e| e.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        return Ok(patch
            .iter()
            .filter(|e| e.get("$patch").is_none())
            .map(strip_value)
            .collect());
    }
    let mut out: Vec<Value> = orig.cloned().unwrap_or_default();
    match strategy {
        ListStrategy::Replace => return Ok(patch.iter().map(strip_value).collect()),
        ListStrategy::Primitive => {
            for v in patch {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
        }
        ListStrategy::Key(mk) => {
            for pe in patch {
                let Some(pm) = pe.as_object() else {
                    return Err(PatchError::Strategic(format!(
                        "unable to find api field in struct for the list {field}: elements must be objects"
                    )));
                };
                let Some(kv) = pm.get(mk) else {
                    return Err(PatchError::Strategic(format!(
                        "map: {pe} does not contain declared merge key: {mk}"
                    )));
                };
                let pos = out.iter().position(|e| e.get(mk) == Some(kv));
                let is_delete = pm.get("$patch").and_then(Value::as_str) == Some("delete");
                match (pos, is_delete) {
                    (Some(i), true) => {
                        out.remove(i);
                    }
                    (None, true) => {}
                    (Some(i), false) => {
                        let outcome = merge_map(out[i].as_object_mut(), pm, Some(field))?;
                        match outcome {
                            MapOutcome::Keep => {}
                            MapOutcome::Replace(m) => out[i] = Value::Object(m),
                            MapOutcome::Delete => {
                                out.remove(i);
                            }
                        }
                    }
                    (None, false) => out.push(Value::Object(strip_directives(pm))),
                }
            }
        }
    }
    if let Some(order) = order {
        reorder(&mut out, order, strategy);
    }
    Ok(out)
}

fn reorder(list: &mut [Value], order: &[Value], strategy: ListStrategy) {
    let rank = |v: &Value| -> usize {
        let probe = match strategy {
            ListStrategy::Key(mk) => v.get(mk),
            _ => Some(v),
        };
        order
            .iter()
            .position(|o| match strategy {
                ListStrategy::Key(mk) => o.get(mk) == probe,
                _ => Some(o) == probe,
            })
            .unwrap_or(usize::MAX)
    };
    list.sort_by_key(rank);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
             "ports": [{"containerPort": 8080, "protocol": "TCP"}]},
            {"name": "sidecar", "image": "proxy:1"}
        ]}}}})
    }

    #[test]
    fn set_image_patch_merges_container_by_name() {
        let p = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
            "containers": [{"name": "app", "image": "app:2"}]}}}});
        let out = strategic_merge(&deployment(), &p).expect("patch");
        let c = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["image"], "app:2");
        assert_eq!(c[0]["env"][1]["value"], "2");
        assert_eq!(c[1]["image"], "proxy:1");
    }

    #[test]
    fn env_by_name_and_delete_directive() {
        let p = json!({"spec": {"template": {"spec": {"containers": [{"name": "app",
            "env": [{"name": "B", "$patch": "delete"}, {"name": "C", "value": "3"}]}]}}}});
        let out = strategic_merge(&deployment(), &p).expect("patch");
        let env = &out["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            env,
            &json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}])
        );
    }

    #[test]
    fn null_deletes_and_maps_merge() {
        let orig = json!({"metadata": {"annotations": {"a": "1", "b": "2"}}});
        let p = json!({"metadata": {"annotations": {"a": null, "c": "3"}}});
        let out = strategic_merge(&orig, &p).expect("patch");
        assert_eq!(out["metadata"]["annotations"], json!({"b": "2", "c": "3"}));
    }

    #[test]
    fn retain_keys_and_replace() {
        let orig = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        let p = json!({"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}});
        let out = strategic_merge(&orig, &p).expect("patch");
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
        let p = json!({"spec": {"strategy": {"$patch": "replace", "type": "Recreate"}}});
        let out = strategic_merge(&orig, &p).expect("patch");
        assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn json_and_merge_patches() {
        let orig = json!({"spec": {"replicas": 2, "paused": true}});
        let out = apply(
            PatchType::Json,
            &orig,
            br#"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
        )
        .expect("json patch");
        assert_eq!(out["spec"]["replicas"], 5);
        let out = apply(PatchType::Merge, &orig, br#"{"spec":{"paused":null}}"#).expect("merge");
        assert_eq!(out, json!({"spec": {"replicas": 2}}));
        assert!(apply(PatchType::Json, &orig, b"{not json").is_err());
        assert!(
            apply(
                PatchType::Json,
                &orig,
                br#"[{"op":"remove","path":"/nope"}]"#
            )
            .is_err()
        );
    }
}
