//! `kubectl set env` on the target Deployment's pod template, computed as kubectl computes
//! it (`pkg/cmd/set/set_env.go` `RunEnv`, `pkg/cmd/set/helper.go` `updateEnv` and
//! `selectContainers`): the `NAME=VALUE` arguments in order, then one variable per key of
//! `--from`'s Secret or ConfigMap (a `secretKeyRef`/`configMapKeyRef`, never its value);
//! every container and init container whose name matches `-c` (default `*`) gets them,
//! existing variables replaced in place (the first of duplicated arguments wins), new ones
//! appended, `NAME-` removed. The request is the strategic merge patch kubectl's
//! `CreateTwoWayMergePatch` yields for that change.

use k8s_openapi::api::core::v1::{ConfigMap, Container, PodSpec, Secret};
use kube::Client;
use kube::api::Api;
use serde_json::{Value, json};

use super::action_kube_error::{ActionError, FromKube};
use crate::domain::cluster::env_args::{key_to_env_name, select_container};
use crate::domain::cluster::{EnvChange, EnvSource};

/// kubectl's two lists: the variables to set (in order) and the names to remove.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct EnvUpdate {
    pub env: Vec<Value>,
    pub remove: Vec<String>,
}

/// The accesses `--from` needs besides the Deployment's: `get` on its Secret or ConfigMap.
pub(super) fn source_access(changes: &[EnvChange]) -> Option<(&'static str, String)> {
    changes.iter().find_map(|c| match c {
        EnvChange::From {
            source: EnvSource::Secret(n),
            ..
        } => Some(("secrets", n.clone())),
        EnvChange::From {
            source: EnvSource::ConfigMap(n),
            ..
        } => Some(("configmaps", n.clone())),
        _ => None,
    })
}

/// kubectl's `contains(key, keys)`: every key when `--keys` is not given.
fn wanted(key: &str, keys: &[String]) -> bool {
    keys.is_empty() || keys.iter().any(|k| k == key)
}

/// Object `kind/name` in `namespace` (`cannot read kind/name` when it cannot be).
async fn read<K>(client: &Client, namespace: &str, kind: &str, name: &str) -> Result<K, ActionError>
where
    K: kube::Resource<Scope = kube::core::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    K::DynamicType: Default,
{
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    api.get(name)
        .await
        .map_err(|e| ActionError::api(format!("cannot read {kind}/{name}"), e))
}

/// The variables `--from` adds, one per key of the object's `data` (sorted: kubectl walks
/// a Go map, in no fixed order). Only the keys are kept; the object is dropped here.
async fn from_source(
    client: &Client,
    namespace: &str,
    source: &EnvSource,
    keys: &[String],
) -> Result<Vec<Value>, ActionError> {
    let (names, reference) = match source {
        EnvSource::Secret(name) => {
            let s: Secret = read(client, namespace, "secret", name).await?;
            let keys: Vec<String> = s.data.into_iter().flat_map(|d| d.into_keys()).collect();
            (keys, "secretKeyRef")
        }
        EnvSource::ConfigMap(name) => {
            let c: ConfigMap = read(client, namespace, "configmap", name).await?;
            let keys: Vec<String> = c.data.into_iter().flat_map(|d| d.into_keys()).collect();
            (keys, "configMapKeyRef")
        }
    };
    let object = match source {
        EnvSource::Secret(n) | EnvSource::ConfigMap(n) => n,
    };
    Ok(names
        .into_iter()
        .filter(|k| wanted(k, keys))
        .map(|key| {
            json!({
                "name": key_to_env_name(&key),
                "valueFrom": {reference: {"name": object, "key": key}},
            })
        })
        .collect())
}

/// Resolves the changes into kubectl's `env` and `remove` lists (`--from` read from the
/// cluster, appended after the `NAME=VALUE` arguments as kubectl appends them).
pub(super) async fn resolve(
    client: &Client,
    namespace: &str,
    changes: &[EnvChange],
) -> Result<EnvUpdate, ActionError> {
    let mut u = EnvUpdate::default();
    let mut from = Vec::new();
    for c in changes {
        match c {
            EnvChange::Set { name, value } => u.env.push(json!({"name": name, "value": value})),
            EnvChange::Unset { name } => u.remove.push(name.clone()),
            EnvChange::From { source, keys } => {
                from.extend(from_source(client, namespace, source, keys).await?);
            }
        }
    }
    u.env.extend(from);
    Ok(u)
}

/// kubectl's `updateEnv` (`pkg/cmd/set/helper.go`).
pub(super) fn update_env(existing: &[Value], u: &EnvUpdate) -> Vec<Value> {
    let mut out = Vec::new();
    let mut covered: Vec<&str> = u.remove.iter().map(String::as_str).collect();
    let find = |name: &str| u.env.iter().find(|e| e["name"] == name);
    for e in existing {
        let name = e["name"].as_str().unwrap_or_default();
        if covered.contains(&name) {
            continue;
        }
        match find(name) {
            Some(newer) => {
                covered.push(name);
                out.push(newer.clone());
            }
            None => out.push(e.clone()),
        }
    }
    for e in &u.env {
        let name = e["name"].as_str().unwrap_or_default();
        if covered.contains(&name) {
            continue;
        }
        covered.push(name);
        out.push(e.clone());
    }
    out
}

/// The strategic merge patch of one container's `env` from `old` to `new` (merge key
/// `name`): changed entries with `null` for the fields they lost, removed ones as
/// `$patch: delete`, and the new order; `None` when nothing changes.
fn container_patch(name: &str, old: &[Value], new: &[Value]) -> Option<Value> {
    if new == old {
        return None;
    }
    let mut items = Vec::new();
    for e in new {
        let before = old.iter().find(|o| o["name"] == e["name"]);
        if before == Some(e) {
            continue;
        }
        let mut e = e.clone();
        if let (Some(Value::Object(b)), Value::Object(n)) = (before, &mut e) {
            for k in b.keys() {
                if !n.contains_key(k) {
                    n.insert(k.clone(), Value::Null);
                }
            }
        }
        items.push(e);
    }
    for o in old {
        if !new.iter().any(|e| e["name"] == o["name"]) {
            items.push(json!({"$patch": "delete", "name": o["name"]}));
        }
    }
    let order: Vec<Value> = new.iter().map(|e| json!({"name": e["name"]})).collect();
    Some(json!({
        "name": name,
        "env": items,
        "$setElementOrder/env": order,
    }))
}

fn patches(containers: &[Container], glob: &str, u: &EnvUpdate) -> (usize, Vec<Value>) {
    let mut selected = 0;
    let mut out = Vec::new();
    for c in containers
        .iter()
        .filter(|c| select_container(&c.name, glob))
    {
        selected += 1;
        let old: Vec<Value> = c
            .env
            .iter()
            .flatten()
            .map(|e| serde_json::to_value(e).unwrap_or_default())
            .collect();
        if let Some(p) = container_patch(&c.name, &old, &update_env(&old, u)) {
            out.push(p);
        }
    }
    (selected, out)
}

/// The pod template patch (`{"spec":{"template":{"spec":{containers, initContainers}}}}`);
/// `Ok(None)` when nothing changes, `Err` with kubectl's warning when no container matches.
pub(super) fn template_patch(
    spec: &PodSpec,
    container: Option<&str>,
    deployment: &str,
    u: &EnvUpdate,
) -> Result<Option<Value>, String> {
    let glob = container.unwrap_or("*");
    let (n, containers) = patches(&spec.containers, glob, u);
    let (m, inits) = patches(spec.init_containers.as_deref().unwrap_or(&[]), glob, u);
    if n + m == 0 {
        return Err(format!(
            "Deployment/{deployment} does not have any containers matching {glob:?}"
        ));
    }
    if containers.is_empty() && inits.is_empty() {
        return Ok(None);
    }
    let mut tspec = serde_json::Map::new();
    if !containers.is_empty() {
        tspec.insert("containers".into(), Value::Array(containers));
    }
    if !inits.is_empty() {
        tspec.insert("initContainers".into(), Value::Array(inits));
    }
    Ok(Some(json!({"spec": {"template": {"spec": tspec}}})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(n: &str, v: &str) -> Value {
        json!({"name": n, "value": v})
    }

    /// `updateEnv` in kubectl `pkg/cmd/set/helper.go`: in place, appended, removed; the
    /// first of two arguments for one name wins.
    #[test]
    fn update_env_is_kubectls() {
        let old = vec![set("A", "1"), set("B", "2"), set("C", "3")];
        let u = EnvUpdate {
            env: vec![set("B", "x"), set("D", "4"), set("D", "5")],
            remove: vec!["A".into()],
        };
        assert_eq!(
            update_env(&old, &u),
            vec![set("B", "x"), set("C", "3"), set("D", "4")]
        );
    }

    #[test]
    fn a_changed_reference_drops_the_field_it_no_longer_has() {
        let old =
            vec![json!({"name": "T", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}})];
        let new = vec![set("T", "plain")];
        let p = container_patch("app", &old, &new).expect("a change");
        assert_eq!(
            p["env"],
            json!([{"name": "T", "value": "plain", "valueFrom": null}])
        );
        assert_eq!(container_patch("app", &new, &new), None);
    }

    #[test]
    fn containers_are_selected_by_kubectls_glob_and_none_matching_is_said() {
        let spec: PodSpec = serde_json::from_value(json!({
            "containers": [{"name": "app"}, {"name": "app-proxy"}],
            "initContainers": [{"name": "migrate"}],
        }))
        .expect("spec");
        let u = EnvUpdate {
            env: vec![set("X", "1")],
            remove: vec![],
        };
        let p = template_patch(&spec, None, "web", &u).unwrap().unwrap();
        let tspec = &p["spec"]["template"]["spec"];
        assert_eq!(tspec["containers"].as_array().map(Vec::len), Some(2));
        assert_eq!(tspec["initContainers"][0]["name"], "migrate");
        let p = template_patch(&spec, Some("app*"), "web", &u)
            .unwrap()
            .unwrap();
        assert_eq!(
            p["spec"]["template"]["spec"]["containers"]
                .as_array()
                .map(Vec::len),
            Some(2)
        );
        assert!(p["spec"]["template"]["spec"]["initContainers"].is_null());
        assert_eq!(
            template_patch(&spec, Some("db"), "web", &u),
            Err("Deployment/web does not have any containers matching \"db\"".into())
        );
    }
}
