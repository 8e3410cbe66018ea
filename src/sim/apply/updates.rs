//! `Update` entries in `metadata.managedFields` for every write that is not an apply
//! (create, update, patch, and their `status`/`scale` subresources), as the API server's
//! field manager records them (apimachinery `pkg/util/managedfields/internal/
//! structuredmerge.go` `Update`, structured-merge-diff `merge/update.go` `Updater.Update`,
//! `managedfields.go` for the order of entries):
//!
//! - the manager is the request's `fieldManager`, else the User-Agent up to its first `/`
//!   (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go`,
//!   `managerOrUserAgent`/`prefixFromUserAgent`: non-printable characters dropped, at most
//!   128 bytes), so `kubectl edit` is `kubectl-edit`, `kubectl apply` (client-side)
//!   `kubectl-client-side-apply`, `kubectl rollout restart` `kubectl-rollout`, a client
//!   without a `fieldManager` its program name (`kubectl`, `python-requests`, …);
//! - the fields the write added or changed go to the manager's entry (`operation:
//!   Update`, the object's `apiVersion`, `subresource` when written through one), and
//!   leave every other manager's set (an update takes fields from appliers, without
//!   conflict); fields it removed leave every set; a manager left with no field has no
//!   entry;
//! - entries are ordered Apply before Update, then by time, manager, apiVersion,
//!   subresource (`sortEncodedManagedFields`); a write that changes nothing changes no
//!   entry (and is not written at all).
//!
//! Field sets are `fieldset::fields_of`'s (the metadata the API server strips, e.g. name,
//! uid, resourceVersion, are never owned); the main resource's writes own no `status`,
//! the `status` subresource's only `status`.

use serde_json::{Value, json};

use super::fieldset::{self, Path, Set};

/// `validation.FieldManagerMaxLength`.
const MAX_MANAGER_BYTES: usize = 128;

/// The manager of a non-apply write: `fieldManager`, else `prefixFromUserAgent`.
pub fn manager_of(field_manager: Option<&str>, user_agent: &str) -> String {
    if let Some(m) = field_manager.filter(|m| !m.is_empty()) {
        return m.to_string();
    }
    let prefix = user_agent.split('/').next().unwrap_or_default();
    let mut out = String::new();
    for c in prefix.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MAX_MANAGER_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

/// The fields a write through `subresource` can own in `obj`.
fn owned_fields(obj: &Value, subresource: Option<&str>) -> Set {
    if subresource == Some("status") {
        // `fields_of` never walks `status`: walk it under another name, then rename.
        let renamed = json!({"x-status": obj["status"].clone()});
        return fieldset::fields_of(&renamed)
            .into_iter()
            .map(|mut p| {
                if let Some(first) = p.first_mut() {
                    *first = "f:status".into();
                }
                p
            })
            .collect();
    }
    fieldset::fields_of(obj)
}

fn is_item(p: &Path) -> bool {
    p.last().is_some_and(|t| t.starts_with("k:"))
}

/// Records the write of `manager` that turns `live` (`None`: a create) into `new` in
/// `new`'s `metadata.managedFields`, at `now`. The entries start from `new`'s own when
/// it carries some (a client sending them back), else `live`'s.
pub fn record(
    live: Option<&Value>,
    new: &mut Value,
    manager: &str,
    subresource: Option<&str>,
    now: &str,
) {
    if manager.is_empty() || !new["metadata"].is_object() {
        return;
    }
    let empty = json!({});
    let before = live.unwrap_or(&empty);
    let old_set = live
        .map(|l| owned_fields(l, subresource))
        .unwrap_or_default();
    let new_set = owned_fields(new, subresource);
    // Added or modified: leaves whose value differs, items that are new.
    let changed: Set = new_set
        .iter()
        .filter(|p| {
            if is_item(p) {
                fieldset::value_at(before, p).is_none()
            } else {
                fieldset::value_at(before, p) != fieldset::value_at(new, p)
            }
        })
        .cloned()
        .collect();
    let removed: Set = old_set.difference(&new_set).cloned().collect();
    let api_version = new["apiVersion"].as_str().unwrap_or_default().to_string();
    let sub = subresource.unwrap_or_default();
    let entries: Vec<Value> = match new["metadata"]["managedFields"].as_array() {
        Some(own) if !own.is_empty() => own.clone(),
        _ => live
            .and_then(|l| l["metadata"]["managedFields"].as_array().cloned())
            .unwrap_or_default(),
    };
    if changed.is_empty() && removed.is_empty() {
        // Nothing written: the entries stay as they are, in their order.
        if !entries.is_empty() {
            new["metadata"]["managedFields"] = Value::Array(entries);
        }
        return;
    }
    let is_mine = |e: &Value| {
        e["manager"] == manager
            && e["operation"] == "Update"
            && e["apiVersion"] == api_version.as_str()
            && e["subresource"].as_str().unwrap_or_default() == sub
    };
    let mut out: Vec<Value> = Vec::new();
    let mut mine: Option<(Set, Value)> = None;
    for e in entries {
        let set = fieldset::from_fields_v1(&e["fieldsV1"]);
        if is_mine(&e) {
            mine = Some((set, e));
            continue;
        }
        let kept: Set = set
            .iter()
            .filter(|p| !changed.contains(*p) && !removed.contains(*p))
            .cloned()
            .collect();
        if kept.is_empty() {
            continue;
        }
        let mut e = e;
        if kept.len() != set.len() {
            e["fieldsV1"] = fieldset::to_fields_v1(&kept);
        }
        out.push(e);
    }
    let (prev, prev_entry) = mine.unwrap_or_default();
    let set: Set = prev
        .difference(&removed)
        .cloned()
        .chain(changed.iter().cloned())
        .collect();
    if !set.is_empty() {
        let time = if changed.is_empty() {
            prev_entry["time"].clone()
        } else {
            json!(now)
        };
        let mut e = json!({"manager": manager, "operation": "Update", "apiVersion": api_version,
                           "time": time, "fieldsType": "FieldsV1", "fieldsV1": fieldset::to_fields_v1(&set)});
        if !sub.is_empty() {
            e["subresource"] = json!(sub);
        }
        out.push(e);
    }
    sort_entries(&mut out);
    if out.is_empty() {
        if let Some(m) = new["metadata"].as_object_mut() {
            m.remove("managedFields");
        }
    } else {
        new["metadata"]["managedFields"] = Value::Array(out);
    }
}

/// `sortEncodedManagedFields`: operation, time (seconds), manager, apiVersion, subresource.
fn sort_entries(entries: &mut [Value]) {
    let key = |e: &Value| {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
        (
            s("operation"),
            s("time"),
            s("manager"),
            s("apiVersion"),
            s("subresource"),
        )
    };
    entries.sort_by_key(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `prefixFromUserAgent` (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go`).
    #[test]
    fn the_manager_is_the_field_manager_else_the_user_agent_before_its_first_slash() {
        assert_eq!(
            manager_of(
                Some("kubectl-edit"),
                "kubectl/v1.32.4 (linux/amd64) kubernetes/abc"
            ),
            "kubectl-edit"
        );
        assert_eq!(
            manager_of(None, "kubectl/v1.32.4 (linux/amd64) kubernetes/abc"),
            "kubectl"
        );
        assert_eq!(
            manager_of(Some(""), "python-requests/2.32"),
            "python-requests"
        );
        assert_eq!(manager_of(None, &"m".repeat(300)).len(), 128);
    }

    #[test]
    fn an_update_takes_the_fields_it_changes_from_other_managers() {
        let created = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "uid": "u", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "paused": false}});
        let mut live = created.clone();
        record(
            None,
            &mut live,
            "kubectl-create",
            None,
            "2026-01-01T00:00:00Z",
        );
        let entries = live["metadata"]["managedFields"].clone();
        assert_eq!(entries.as_array().map(Vec::len), Some(1), "{entries}");
        assert_eq!(entries[0]["manager"], "kubectl-create");
        assert_eq!(entries[0]["operation"], "Update");
        assert_eq!(
            entries[0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:paused": {}, "f:replicas": {}}})
        );
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(5);
        record(
            Some(&live),
            &mut scaled,
            "kubectl",
            Some("scale"),
            "2026-01-01T00:01:00Z",
        );
        let entries = scaled["metadata"]["managedFields"].clone();
        assert_eq!(
            entries[0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {"f:paused": {}}})
        );
        assert_eq!(entries[1]["manager"], "kubectl");
        assert_eq!(entries[1]["subresource"], "scale");
        assert_eq!(
            entries[1]["fieldsV1"],
            json!({"f:spec": {"f:replicas": {}}})
        );
        // Nothing changed: no entry moves, no time changes.
        let mut same = scaled.clone();
        record(
            Some(&scaled),
            &mut same,
            "kubectl-edit",
            None,
            "2026-01-01T00:02:00Z",
        );
        assert_eq!(same, scaled);
        // Even in an order the sort would change (an applier's entry after an update's):
        // a no-op write must stay byte-identical, so it is not written.
        let mut applied = scaled.clone();
        if let Some(es) = applied["metadata"]["managedFields"].as_array_mut() {
            es.push(
                json!({"manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1",
                           "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:paused": {}}}}),
            );
        }
        let mut again = applied.clone();
        record(
            Some(&applied),
            &mut again,
            "kubectl-edit",
            None,
            "2026-01-01T00:03:00Z",
        );
        assert_eq!(again, applied);
    }
}
