//! Server-side apply: `PATCH` with `Content-Type: application/apply-patch+yaml`
//! (`kubectl apply --server-side`, Argo CD, Flux), a faithful subset of the API server's
//! field manager (kubernetes/apimachinery pkg/util/managedfields/internal
//! `structuredmerge.go`, `conflict.go`, `managedfields.go`; structured-merge-diff
//! `merge/update.go`):
//!
//! - the applied configuration (YAML or JSON) creates the object when it does not exist,
//!   else is merged into it (`fieldset::merge`); `status` is not applied;
//! - the manager (`fieldManager`, required) gets one `operation: Apply` entry in
//!   `metadata.managedFields` owning exactly the fields it applied (`fieldsType: FieldsV1`);
//!   fields it applied before and applies no more are removed unless another manager
//!   owns them;
//! - a field another manager owns with a different value is a conflict: 409 `Conflict`
//!   "Apply failed with 1 conflict: conflict with \"M\": .spec.replicas" (several:
//!   "Apply failed with N conflicts: conflicts with \"M\":\n- PATH…"), each a
//!   `FieldManagerConflict` cause; with `force=true` the field changes hands instead;
//!   the same value is shared ownership.
//!
//! Writes other than apply record `Update` entries (`updates.rs`), so an applier conflicts
//! with the field a `kubectl scale` or `edit` changed. Not modelled: set-valued lists (`finalizers`), schema-specific atomic maps
//! (`selector` is granular here), and the strict-decoding wording of apply requests.

pub mod fieldset;
pub mod updates;

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::Shared;
use super::discovery::ResourceInfo;
use super::status::{ApiError, json_response};
use fieldset::{Path, Set};

/// Whether a PATCH body is an apply configuration.
pub fn is_apply(content_type: &str) -> bool {
    content_type.starts_with("application/apply-patch")
}

/// What the server does with an apply request.
#[derive(Debug)]
pub enum Plan {
    /// Create this object (JSON), as a POST would.
    Create(Vec<u8>),
    /// Replace the object with this one (JSON, with the read `resourceVersion`), as a PUT.
    Update(Vec<u8>),
    /// Refused: the response (a 409 with the conflicts).
    Refused(Response),
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

/// The managers' field sets: `(index in managedFields, manager name, operation, set)`.
fn managers(obj: &Value) -> Vec<(String, String, Set)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or_default().to_string(),
                e["operation"].as_str().unwrap_or_default().to_string(),
                fieldset::from_fields_v1(&e["fieldsV1"]),
            )
        })
        .collect()
}

/// `printManager` (`managedfields/internal/conflict.go`): `"M"` for an applier, `"M"
/// using apps/v1` for an updater, `"M" with subresource "scale" using apps/v1` through a
/// subresource (the manager identifier has no time).
fn print_manager(entry: &Value) -> String {
    let mut name = format!("{:?}", entry["manager"].as_str().unwrap_or_default());
    if let Some(sub) = entry["subresource"].as_str().filter(|s| !s.is_empty()) {
        name = format!("{name} with subresource {sub:?}");
    }
    if entry["operation"] == "Update" {
        return format!(
            "{name} using {}",
            entry["apiVersion"].as_str().unwrap_or_default()
        );
    }
    name
}

/// The 409 of `NewConflictError` (`getConflictMessage`).
pub fn conflict_response(conflicts: &[(Value, Path)]) -> Response {
    let message = if let [(entry, path)] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            print_manager(entry),
            fieldset::display(path)
        )
    } else {
        let mut by: Vec<(String, Vec<String>)> = Vec::new();
        for (entry, path) in conflicts {
            let m = print_manager(entry);
            match by.iter_mut().find(|(n, _)| *n == m) {
                Some((_, ps)) => ps.push(fieldset::display(path)),
                None => by.push((m, vec![fieldset::display(path)])),
            }
        }
        by.sort_by(|a, b| a.0.cmp(&b.0));
        let lines: Vec<String> = by
            .iter()
            .flat_map(|(m, ps)| {
                std::iter::once(format!("conflicts with {m}:"))
                    .chain(ps.iter().map(|p| format!("- {p}")))
            })
            .collect();
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(entry, path)| {
            json!({"reason": "FieldManagerConflict",
                   "message": format!("conflict with {}", print_manager(entry)),
                   "field": fieldset::display(path)})
        })
        .collect();
    json_response(
        StatusCode::CONFLICT,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": message, "reason": "Conflict", "details": {"causes": causes}, "code": 409}),
    )
}

/// Plans an apply of `body` to `res` `ns/name` with the request's query `raw`.
pub fn plan(
    shared: &Shared,
    res: &'static ResourceInfo,
    ns: &str,
    name: &str,
    raw: &HashMap<String, String>,
    body: &[u8],
) -> Result<Plan, ApiError> {
    let manager = raw
        .get("fieldManager")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| bad("fieldManager is required for apply requests"))?
        .clone();
    let force = matches!(raw.get("force").map(String::as_str), Some("true" | "1"));
    let text = std::str::from_utf8(body).map_err(|e| bad(e.to_string()))?;
    let mut applied: Value = serde_json::from_str(text)
        .or_else(|_| serde_saphyr::from_str(text))
        .map_err(|e| bad(format!("error decoding YAML: {e}")))?;
    if !applied.is_object() {
        return Err(bad("the applied configuration must be an object"));
    }
    if let Some(m) = applied.as_object_mut() {
        m.remove("status");
    }
    if applied["metadata"]["name"]
        .as_str()
        .is_some_and(|n| n != name)
    {
        return Err(bad(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            applied["metadata"]["name"].as_str().unwrap_or_default()
        )));
    }
    if let Some(meta) = applied["metadata"].as_object_mut() {
        meta.remove("managedFields");
        meta.remove("resourceVersion");
    }
    let api_version = applied["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let applied_set = fieldset::fields_of(&applied);
    let now = shared.clock.now_rfc3339();
    let entry = |set: &Set| {
        json!({"manager": manager, "operation": "Apply", "apiVersion": api_version,
               "time": now, "fieldsType": "FieldsV1", "fieldsV1": fieldset::to_fields_v1(set)})
    };
    let Some(live) = shared.store.get(res, ns, name) else {
        let mut obj = applied.clone();
        obj["metadata"]["name"] = json!(name);
        if res.namespaced {
            obj["metadata"]["namespace"] = json!(ns);
        }
        obj["metadata"]["managedFields"] = json!([entry(&applied_set)]);
        return serde_json::to_vec(&obj)
            .map(Plan::Create)
            .map_err(|e| ApiError::Internal(e.to_string()));
    };
    let entries: Vec<Value> = live["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sets = managers(&live);
    let mine = |m: &str, op: &str| m == manager && op == "Apply";
    // Conflicts: a field another manager owns, applied with a different value.
    let mut conflicts: Vec<(Value, Path)> = Vec::new();
    let mut taken: Vec<Set> = sets.iter().map(|(_, _, s)| s.clone()).collect();
    for (i, (m, op, set)) in sets.iter().enumerate() {
        if mine(m, op) {
            continue;
        }
        for path in set.intersection(&applied_set) {
            let differs = fieldset::value_at(&live, path) != fieldset::value_at(&applied, path);
            let item = path.last().is_some_and(|t| t.starts_with("k:"));
            if differs && !item {
                if force {
                    taken[i].remove(path);
                } else {
                    conflicts.push((entries[i].clone(), path.clone()));
                }
            }
        }
    }
    if !conflicts.is_empty() {
        return Ok(Plan::Refused(conflict_response(&conflicts)));
    }
    let mut merged = fieldset::merge(&live, &applied, "");
    // Fields this manager applied before and no longer applies go, unless owned by others.
    let before: Set = sets
        .iter()
        .filter(|(m, op, _)| mine(m, op))
        .flat_map(|(_, _, s)| s.iter().cloned())
        .collect();
    let others: Set = sets
        .iter()
        .zip(&taken)
        .filter(|((m, op, _), _)| !mine(m, op))
        .flat_map(|(_, s)| s.iter().cloned())
        .collect();
    for path in before.difference(&applied_set) {
        if !others.contains(path) {
            fieldset::remove_at(&mut merged, path);
        }
    }
    let mut out_entries: Vec<Value> = Vec::new();
    let mut placed = false;
    for (i, (m, op, _)) in sets.iter().enumerate() {
        if mine(m, op) {
            if !placed {
                out_entries.push(entry(&applied_set));
                placed = true;
            }
        } else if !taken[i].is_empty() {
            let mut e = entries[i].clone();
            if taken[i].len() != sets[i].2.len() {
                e["fieldsV1"] = fieldset::to_fields_v1(&taken[i]);
            }
            out_entries.push(e);
        }
    }
    if !placed {
        out_entries.push(entry(&applied_set));
    }
    merged["metadata"]["managedFields"] = Value::Array(out_entries);
    serde_json::to_vec(&merged)
        .map(Plan::Update)
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `getConflictMessage` for several conflicts: grouped by sorted manager.
    #[test]
    fn several_conflicts_are_grouped_by_manager() {
        let a = json!({"manager": "b-tool", "operation": "Apply"});
        let b = json!({"manager": "a-tool", "operation": "Update", "apiVersion": "apps/v1"});
        let p = |s: &str| vec![format!("f:spec"), format!("f:{s}")];
        let resp = conflict_response(&[(a.clone(), p("replicas")), (b, p("paused")), (a, p("x"))]);
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let body = futures::executor::block_on(axum::body::to_bytes(resp.into_body(), 1 << 20))
            .expect("body");
        let v: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(
            v["message"],
            "Apply failed with 3 conflicts: conflicts with \"a-tool\" using apps/v1:\n- .spec.paused\nconflicts with \"b-tool\":\n- .spec.replicas\n- .spec.x"
        );
        assert_eq!(v["details"]["causes"][0]["reason"], "FieldManagerConflict");
        assert_eq!(v["details"]["causes"][0]["field"], ".spec.replicas");
    }
}
