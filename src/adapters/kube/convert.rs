//! Conversion of Kubernetes objects into the domain's slim, plain types — done once, on
//! arrival, so that no full object outlives its watch event.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ContainerStatus as K8sContainerStatus, Event, Pod, PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, OwnerReference};
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::domain::cluster::pod_row::{ContainerState, ContainerStatus, PodFacts};
use crate::domain::cluster::{
    Condition, DeploymentFacts, EnvValue, EnvVarShown, EventRow, PodRow, ReplicaSetFacts,
    TemplateContainer,
};

/// The label a Deployment adds to the pods and ReplicaSets of one template.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// The revision annotation of ReplicaSets and Deployments.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// The change-cause annotation (`kubectl rollout history`).
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

pub fn time(t: &Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(
        t.as_second(),
        u32::try_from(t.subsec_nanosecond()).unwrap_or(0),
    )
}

fn container(c: &K8sContainerStatus, restartable_init: bool) -> ContainerStatus {
    let state = match &c.state {
        Some(s) => {
            if let Some(w) = &s.waiting {
                ContainerState::Waiting {
                    reason: w.reason.clone().unwrap_or_default(),
                }
            } else if let Some(t) = &s.terminated {
                ContainerState::Terminated {
                    reason: t.reason.clone().unwrap_or_default(),
                    exit_code: t.exit_code,
                    signal: t.signal.unwrap_or(0),
                }
            } else if s.running.is_some() {
                ContainerState::Running
            } else {
                ContainerState::Unknown
            }
        }
        None => ContainerState::Unknown,
    };
    ContainerStatus {
        state,
        ready: c.ready,
        started: c.started.unwrap_or(false),
        restart_count: c.restart_count,
        restartable_init,
    }
}

/// A pod as a slim row.
pub fn pod_row(p: &Pod) -> PodRow {
    let spec = p.spec.as_ref();
    let status = p.status.as_ref();
    let cond = |t: &str| {
        status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == t && c.status == "True"))
    };
    let gated = status
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                c.type_ == "PodScheduled"
                    && c.status == "False"
                    && c.reason.as_deref() == Some("SchedulingGated")
            })
        });
    let init_specs = spec.and_then(|s| s.init_containers.as_ref());
    let restartable = |name: &str| {
        init_specs.is_some_and(|cs| {
            cs.iter()
                .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
        })
    };
    let facts = PodFacts {
        phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
        reason: status.and_then(|s| s.reason.clone()).unwrap_or_default(),
        deleting: p.metadata.deletion_timestamp.is_some(),
        init_container_count: init_specs.map_or(0, Vec::len),
        container_count: spec.map_or(0, |s| s.containers.len()),
        init_statuses: status
            .and_then(|s| s.init_container_statuses.as_ref())
            .map(|v| {
                v.iter()
                    .map(|c| container(c, restartable(&c.name)))
                    .collect()
            })
            .unwrap_or_default(),
        statuses: status
            .and_then(|s| s.container_statuses.as_ref())
            .map(|v| v.iter().map(|c| container(c, false)).collect())
            .unwrap_or_default(),
        initialized_condition_true: cond("Initialized"),
        ready_condition_true: cond("Ready"),
        scheduling_gated: gated,
    };
    let started = status
        .and_then(|s| s.start_time.as_ref())
        .or(p.metadata.creation_timestamp.as_ref())
        .and_then(|t| time(&t.0));
    PodRow::from_facts(
        p.metadata.name.clone().unwrap_or_default(),
        &facts,
        started,
        spec.and_then(|s| s.containers.first())
            .and_then(|c| c.image.as_deref()),
        p.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(POD_TEMPLATE_HASH))
            .cloned()
            .unwrap_or_default(),
        spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
    )
}

/// A label selector as a query string (`app=web,tier in (a,b),!canary`).
pub fn selector_string(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => format!("{} {other} ({values})", e.key),
        });
    }
    parts.join(",")
}

/// Removes nulls, empty objects and empty arrays (Go's `omitempty` and the API server's
/// defaulting make "absent" and "empty" the same thing, as `apiequality.Semantic` does).
pub fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A pod template as JSON without the `pod-template-hash` label.
pub fn template_without_hash(t: &PodTemplateSpec) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    if let Some(labels) = v
        .get_mut("metadata")
        .and_then(|m| m.get_mut("labels"))
        .and_then(Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH);
    }
    v
}

/// kubectl's `equalIgnoreHash`.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    normalize(&template_without_hash(a)) == normalize(&template_without_hash(b))
}

fn is_controlled_by(refs: Option<&Vec<OwnerReference>>, uid: &str) -> bool {
    refs.is_some_and(|r| r.iter().any(|o| o.controller == Some(true) && o.uid == uid))
}

/// Whether a ReplicaSet is controlled by the Deployment.
pub fn owned_by(rs: &ReplicaSet, d: &Deployment) -> bool {
    let uid = d.metadata.uid.as_deref().unwrap_or_default();
    !uid.is_empty() && is_controlled_by(rs.metadata.owner_references.as_ref(), uid)
}

pub fn deployment_facts(d: &Deployment) -> DeploymentFacts {
    let spec = d.spec.as_ref();
    let st = d.status.as_ref();
    DeploymentFacts {
        name: d.metadata.name.clone().unwrap_or_default(),
        generation: d.metadata.generation.unwrap_or(0),
        observed_generation: st.and_then(|s| s.observed_generation).unwrap_or(0),
        desired: spec.and_then(|s| s.replicas),
        replicas: st.and_then(|s| s.replicas).unwrap_or(0),
        updated: st.and_then(|s| s.updated_replicas).unwrap_or(0),
        ready: st.and_then(|s| s.ready_replicas).unwrap_or(0),
        available: st.and_then(|s| s.available_replicas).unwrap_or(0),
        unavailable: st.and_then(|s| s.unavailable_replicas).unwrap_or(0),
        paused: spec.and_then(|s| s.paused).unwrap_or(false),
        conditions: st
            .and_then(|s| s.conditions.as_ref())
            .map(|cs| {
                cs.iter()
                    .map(|c| Condition {
                        type_: c.type_.clone(),
                        status: c.status.clone(),
                        reason: c.reason.clone().unwrap_or_default(),
                        message: c.message.clone().unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        created: d
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(|t| time(&t.0)),
        labels: d.metadata.labels.clone().unwrap_or_default(),
        selector: spec
            .map(|s| format_label_selector(&s.selector))
            .unwrap_or_else(|| "<none>".into()),
        containers: spec
            .and_then(|s| s.template.spec.as_ref())
            .map(template_containers)
            .unwrap_or_default(),
    }
}

/// kubectl's `metav1.FormatLabelSelector`: requirements sorted by key, `k=v`, `k in
/// (a,b)`, `k notin (a,b)`, `k`, `!k`; `<none>` when empty.
pub fn format_label_selector(sel: &LabelSelector) -> String {
    let mut reqs: Vec<(String, String)> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), format!("{k}={v}")))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        let k = &e.key;
        let text = match e.operator.as_str() {
            "In" => format!("{k} in ({})", values.join(",")),
            "NotIn" => format!("{k} notin ({})", values.join(",")),
            "Exists" => k.clone(),
            "DoesNotExist" => format!("!{k}"),
            _ => return "<error>".into(),
        };
        reqs.push((k.clone(), text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    let l: Vec<String> = reqs.into_iter().map(|(_, t)| t).collect();
    if l.is_empty() {
        "<none>".into()
    } else {
        l.join(",")
    }
}

/// The template's containers then init containers, variables by value or by reference.
fn template_containers(spec: &k8s_openapi::api::core::v1::PodSpec) -> Vec<TemplateContainer> {
    let one = |c: &k8s_openapi::api::core::v1::Container, init: bool| TemplateContainer {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        init,
        env: c
            .env
            .iter()
            .flatten()
            .map(|e| EnvVarShown {
                name: e.name.clone(),
                value: match &e.value_from {
                    None => EnvValue::Value(e.value.clone().unwrap_or_default()),
                    Some(f) => EnvValue::Reference(env_ref_string(f)),
                },
            })
            .collect(),
    };
    spec.containers
        .iter()
        .map(|c| one(c, false))
        .chain(spec.init_containers.iter().flatten().map(|c| one(c, true)))
        .collect()
}

/// kubectl's `GetEnvVarRefString` (`pkg/cmd/set/env/env_resolve.go`).
fn env_ref_string(from: &k8s_openapi::api::core::v1::EnvVarSource) -> String {
    if let Some(r) = &from.config_map_key_ref {
        return format!("configmap {}, key {}", r.name, r.key);
    }
    if let Some(r) = &from.secret_key_ref {
        return format!("secret {}, key {}", r.name, r.key);
    }
    if let Some(r) = &from.field_ref {
        return format!("field path {}", r.field_path);
    }
    if let Some(r) = &from.resource_field_ref {
        let prefix = r
            .container_name
            .as_ref()
            .filter(|n| !n.is_empty())
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        return format!("resource field {prefix}{}", r.resource);
    }
    "invalid valueFrom".into()
}

/// A ReplicaSet's facts; `deployment_template` decides which one is current.
pub fn replica_set_facts(
    rs: &ReplicaSet,
    deployment_template: Option<&PodTemplateSpec>,
) -> ReplicaSetFacts {
    let ann = rs.metadata.annotations.as_ref();
    let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
    ReplicaSetFacts {
        name: rs.metadata.name.clone().unwrap_or_default(),
        revision: ann
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse().ok()),
        images: template_images(template),
        change_cause: ann.and_then(|a| a.get(CHANGE_CAUSE)).cloned(),
        created: rs
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(|t| time(&t.0)),
        replicas: rs.status.as_ref().map_or(0, |s| s.replicas),
        ready: rs
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        matches_template: match (template, deployment_template) {
            (Some(a), Some(b)) => equal_ignore_hash(a, b),
            _ => false,
        },
    }
}

/// An event as a row (`None` for events about other objects).
pub fn event_row(e: &Event) -> EventRow {
    let o = &e.involved_object;
    let last = e
        .last_timestamp
        .as_ref()
        .map(|t| &t.0)
        .or(e.event_time.as_ref().map(|t| &t.0))
        .or(e.first_timestamp.as_ref().map(|t| &t.0))
        .or(e.metadata.creation_timestamp.as_ref().map(|t| &t.0))
        .and_then(time);
    EventRow {
        warning: e.type_.as_deref() == Some("Warning"),
        reason: e.reason.clone().unwrap_or_default(),
        object: format!(
            "{}/{}",
            o.kind.as_deref().unwrap_or("?"),
            o.name.as_deref().unwrap_or("?")
        ),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.and_then(|c| u32::try_from(c).ok()).unwrap_or(1),
        last_seen: last,
    }
}

/// Whether an event is about the Deployment, one of its ReplicaSets or pods (by the
/// `NAME-` prefix ReplicaSets and pods get from the Deployment).
pub fn event_concerns(e: &Event, deployment: &str) -> bool {
    let o = &e.involved_object;
    involves(o.kind.as_deref(), o.name.as_deref(), deployment)
}

/// Whether an involved object (kind, name) is the Deployment, one of its ReplicaSets or
/// pods (by the `NAME-` prefix ReplicaSets and pods get from the Deployment).
pub fn involves(kind: Option<&str>, name: Option<&str>, deployment: &str) -> bool {
    let name = name.unwrap_or_default();
    match kind {
        Some("Deployment") => name == deployment,
        Some("ReplicaSet") | Some("Pod") => name
            .strip_prefix(deployment)
            .is_some_and(|rest| rest.starts_with('-')),
        _ => false,
    }
}

/// Annotations as an ordered map.
pub fn annotations(m: Option<&BTreeMap<String, String>>) -> BTreeMap<String, String> {
    m.cloned().unwrap_or_default()
}

/// The images of a pod template's containers, in order.
pub fn template_images(template: Option<&PodTemplateSpec>) -> Vec<String> {
    template
        .and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The set-env prompt's view of a template: values, references as kubectl's
    /// `GetEnvVarRefString` words them, containers then init containers; and the
    /// selector as `FormatLabelSelector` prints it.
    #[test]
    fn template_containers_and_selector() {
        let d: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "selector": {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]
                },
                "template": {"spec": {
                    "containers": [{"name": "app", "image": "shop/web:1.2", "env": [
                        {"name": "FLAG", "value": "on"},
                        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
                        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}
                    ]}],
                    "initContainers": [{"name": "migrate", "image": "shop/migrate:1"}]
                }}
            }
        }))
        .expect("a Deployment");
        let f = deployment_facts(&d);
        assert_eq!(f.selector, "app=web,tier in (a,b)");
        assert_eq!(f.labels.get("app").map(String::as_str), Some("web"));
        let names: Vec<(&str, bool)> = f
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.init))
            .collect();
        assert_eq!(names, [("app", false), ("migrate", true)]);
        let env: Vec<&EnvValue> = f.containers[0].env.iter().map(|e| &e.value).collect();
        assert_eq!(
            env,
            [
                &EnvValue::Value("on".into()),
                &EnvValue::Reference("secret creds, key token".into()),
                &EnvValue::Reference("field path metadata.name".into()),
            ]
        );
    }
}
