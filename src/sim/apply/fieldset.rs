//! Field sets as server-side apply keeps them (kubernetes-sigs/structured-merge-diff
//! `fieldpath/`, `merge/update.go`): the leaf fields and list items an object sets, as
//! paths of `f:NAME` (a map field) and `k:{…}` (an item of a list keyed by its merge
//! keys) tokens; their `fieldsV1` form (`fieldpath/serialize.go`: nested objects, `.` for
//! an item itself); their printed form (`.spec.template.spec.containers[name="web"].image`);
//! and the apply merge over them. Associative lists are those of the core and apps
//! schemas' `x-kubernetes-list-map-keys` that Deployments, Services and ConfigMaps use;
//! every other list is atomic (owned and replaced whole).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// One path: `f:` and `k:` tokens from the object's root.
pub type Path = Vec<String>;
/// A set of paths.
pub type Set = BTreeSet<Path>;

/// The merge keys of a list field, by the list's name and an item (ports differ between
/// containers and services); `None` for an atomic list.
fn list_keys(field: &str, item: &Value) -> Option<&'static [&'static str]> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => Some(&["name"]),
        "ports" if item.get("containerPort").is_some() => Some(&["containerPort", "protocol"]),
        "ports" if item.get("port").is_some() => Some(&["port", "protocol"]),
        "volumeMounts" => Some(&["mountPath"]),
        "ownerReferences" => Some(&["uid"]),
        "conditions" => Some(&["type"]),
        _ => None,
    }
}

/// An item's key object (`protocol` defaults to `TCP`, as the schema's default does).
fn key_of(keys: &[&str], item: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    for k in keys {
        let v = match (&item[*k], *k) {
            (Value::Null, "protocol") => json!("TCP"),
            (Value::Null, _) => continue,
            (v, _) => v.clone(),
        };
        m.insert((*k).to_string(), v);
    }
    m
}

fn key_token(key: &Map<String, Value>) -> String {
    format!("k:{}", Value::Object(key.clone()))
}

/// The metadata fields apply never tracks (`fieldmanager` `stripSet`).
const STRIPPED_META: [&str; 8] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
];

/// The fields `obj` sets: leaves, and each item of an associative list.
pub fn fields_of(obj: &Value) -> Set {
    let mut out = Set::new();
    if let Some(m) = obj.as_object() {
        for (k, v) in m {
            match k.as_str() {
                "apiVersion" | "kind" | "status" => continue,
                "metadata" => {
                    let mut meta = v.clone();
                    if let Some(mm) = meta.as_object_mut() {
                        for s in STRIPPED_META {
                            mm.remove(s);
                        }
                    }
                    if meta.as_object().is_some_and(|m| !m.is_empty()) {
                        walk(&meta, &mut vec!["f:metadata".into()], &mut out);
                    }
                }
                _ => walk(v, &mut vec![format!("f:{k}")], &mut out),
            }
        }
    }
    out
}

fn walk(v: &Value, path: &mut Path, out: &mut Set) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                path.push(format!("f:{k}"));
                walk(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            let field = path.last().and_then(|t| t.strip_prefix("f:")).unwrap_or("");
            let keyed = items
                .first()
                .and_then(|i| list_keys(field, i))
                .filter(|_| items.iter().all(Value::is_object));
            match keyed {
                Some(keys) => {
                    for item in items {
                        path.push(key_token(&key_of(keys, item)));
                        out.insert(path.clone());
                        walk(item, path, out);
                        path.pop();
                    }
                }
                None => {
                    out.insert(path.clone());
                }
            }
        }
        Value::Null => {}
        _ => {
            out.insert(path.clone());
        }
    }
}

/// A set as `fieldsV1` (`{"f:spec":{"f:replicas":{}}}`, `".": {}` for an item itself).
pub fn to_fields_v1(set: &Set) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for t in path {
            node = node
                .entry(t.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("inserted as an object");
        }
        if path.last().is_some_and(|t| t.starts_with("k:")) {
            node.insert(".".into(), json!({}));
        }
    }
    Value::Object(root)
}

/// The set a `fieldsV1` value stands for.
pub fn from_fields_v1(v: &Value) -> Set {
    fn go(v: &Value, path: &mut Path, out: &mut Set) {
        let Some(m) = v.as_object() else { return };
        if m.is_empty() && !path.is_empty() {
            out.insert(path.clone());
            return;
        }
        for (k, child) in m {
            if k == "." {
                out.insert(path.clone());
                continue;
            }
            path.push(k.clone());
            go(child, path, out);
            path.pop();
        }
    }
    let mut out = Set::new();
    go(v, &mut Vec::new(), &mut out);
    out
}

/// A path as structured-merge-diff prints it (`fieldpath.Path.String`).
pub fn display(path: &Path) -> String {
    let mut s = String::new();
    for t in path {
        if let Some(f) = t.strip_prefix("f:") {
            s.push('.');
            s.push_str(f);
        } else if let Some(k) = t.strip_prefix("k:") {
            let key: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
            let parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v}")).collect();
            s.push('[');
            s.push_str(&parts.join(","));
            s.push(']');
        }
    }
    s
}

fn item_matches(item: &Value, token: &str) -> bool {
    let Some(k) = token.strip_prefix("k:") else {
        return false;
    };
    let key: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
    let keys: Vec<&str> = key.keys().map(String::as_str).collect();
    key_of(&keys, item) == key
}

/// The value at `path` in `obj`, if it is there.
pub fn value_at<'a>(obj: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut v = obj;
    for t in path {
        v = if let Some(f) = t.strip_prefix("f:") {
            v.get(f)?
        } else {
            v.as_array()?.iter().find(|i| item_matches(i, t))?
        };
    }
    Some(v)
}

/// Removes the field or list item at `path` from `obj` (nothing when it is not there).
pub fn remove_at(obj: &mut Value, path: &Path) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let mut v = obj;
    for t in parent {
        let next = if let Some(f) = t.strip_prefix("f:") {
            v.get_mut(f)
        } else {
            v.as_array_mut()
                .and_then(|a| a.iter_mut().find(|i| item_matches(i, t)))
        };
        let Some(n) = next else { return };
        v = n;
    }
    if let Some(f) = last.strip_prefix("f:") {
        if let Some(m) = v.as_object_mut() {
            m.remove(f);
        }
    } else if let Some(a) = v.as_array_mut() {
        a.retain(|i| !item_matches(i, last));
    }
}

/// `applied` merged into `live`: maps field by field, associative lists item by item
/// (by key; new items appended), everything else replaced.
pub fn merge(live: &Value, applied: &Value, field: &str) -> Value {
    match (live, applied) {
        (Value::Object(l), Value::Object(a)) => {
            let mut out = l.clone();
            for (k, av) in a {
                let merged = match l.get(k) {
                    Some(lv) => merge(lv, av, k),
                    None => av.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(a)) => {
            let keys = a.first().or(l.first()).and_then(|i| list_keys(field, i));
            match keys {
                Some(keys) if l.iter().chain(a).all(Value::is_object) => {
                    let mut out = l.clone();
                    for ai in a {
                        let k = key_of(keys, ai);
                        match out.iter_mut().find(|li| key_of(keys, li) == k) {
                            Some(li) => *li = merge(li, ai, ""),
                            None => out.push(ai.clone()),
                        }
                    }
                    Value::Array(out)
                }
                _ => applied.clone(),
            }
        }
        _ => applied.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
               "spec": {"replicas": 2, "template": {"spec": {"containers": [
                   {"name": "web", "image": "shop/web:1.2", "ports": [{"containerPort": 8080}],
                    "args": ["--a", "--b"]}]}}}})
    }

    /// The fieldsV1 the API server records for such an object (`.` for list items,
    /// ports keyed by containerPort and the defaulted protocol, atomic `args`).
    #[test]
    fn an_objects_fields_in_fields_v1_form() {
        let set = fields_of(&deployment());
        let v1 = to_fields_v1(&set);
        assert_eq!(
            v1,
            json!({"f:metadata": {"f:labels": {"f:app": {}}},
                   "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                       "k:{\"name\":\"web\"}": {".": {}, "f:args": {}, "f:image": {}, "f:name": {},
                           "f:ports": {"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {
                               ".": {}, "f:containerPort": {}}}}}}}}})
        );
        assert_eq!(from_fields_v1(&v1), set);
    }

    #[test]
    fn paths_print_as_structured_merge_diff_does() {
        let image: Path = [
            "f:spec",
            "f:template",
            "f:spec",
            "f:containers",
            "k:{\"name\":\"web\"}",
            "f:image",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            display(&image),
            ".spec.template.spec.containers[name=\"web\"].image"
        );
        assert_eq!(
            value_at(&deployment(), &image),
            Some(&json!("shop/web:1.2"))
        );
        let mut d = deployment();
        remove_at(&mut d, &image);
        assert_eq!(value_at(&d, &image), None);
    }

    #[test]
    fn merge_keeps_other_items_and_replaces_atomic_lists() {
        let applied = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "shop/web:1.3", "args": ["--c"]},
            {"name": "sidecar", "image": "envoy"}]}}}});
        let out = merge(&deployment(), &applied, "");
        let c = &out["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["image"], "shop/web:1.3");
        assert_eq!(c[0]["args"], json!(["--c"]));
        assert_eq!(c[0]["ports"][0]["containerPort"], 8080);
        assert_eq!(c[1]["name"], "sidecar");
        assert_eq!(out["spec"]["replicas"], 2);
    }
}
