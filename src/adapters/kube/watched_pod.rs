//! A pod as the pod watcher decodes it: straight from the API server's JSON into its slim
//! row, reading only the fields the Pods pane shows (and what kubectl's STATUS column is
//! computed from). Every other field — `managedFields`, volumes, env, probes, resources,
//! condition messages, … — is skipped by serde without being built (`IgnoredAny`), so the
//! typed `k8s_openapi` `Pod` is never constructed.
//!
//! It implements `kube::Resource` (as `v1` `pods`, namespaced) and `Deserialize`, which is
//! all `kube::runtime::watcher` needs: the watcher's listing, resource versions, bookmarks
//! and `410 Gone` re-lists are kube-runtime's own, unchanged. The metadata it keeps for the
//! watcher is the name, namespace and `resourceVersion`.

use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::slim_meta::{TemplateHashLabel, slim_meta};
use crate::domain::cluster::pod_row::{ContainerState, ContainerStatus, PodFacts, PodRow};

/// A watched pod: the metadata kube-runtime's watcher reads, and the row.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedPod {
    pub meta: ObjectMeta,
    pub row: PodRow,
}

super::slim_meta::slim_resource!(WatchedPod, "Pod", "", "v1", "pods");

#[derive(Deserialize, Default)]
#[serde(default)]
struct PodJson {
    metadata: MetaJson,
    spec: Option<SpecJson>,
    status: Option<StatusJson>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MetaJson {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    creation_timestamp: Option<DateTime<Utc>>,
    /// Only its presence matters.
    deletion_timestamp: Option<IgnoredAny>,
    labels: TemplateHashLabel,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpecJson {
    init_containers: Option<Vec<ContainerJson>>,
    containers: Vec<ContainerJson>,
    node_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerJson {
    name: String,
    image: Option<String>,
    restart_policy: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusJson {
    phase: Option<String>,
    reason: Option<String>,
    conditions: Option<Vec<ConditionJson>>,
    init_container_statuses: Option<Vec<ContainerStatusJson>>,
    container_statuses: Option<Vec<ContainerStatusJson>>,
    start_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConditionJson {
    #[serde(rename = "type")]
    type_: String,
    status: String,
    reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerStatusJson {
    name: String,
    state: Option<StateJson>,
    ready: bool,
    started: Option<bool>,
    restart_count: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StateJson {
    waiting: Option<ReasonJson>,
    terminated: Option<TerminatedJson>,
    running: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReasonJson {
    reason: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TerminatedJson {
    reason: Option<String>,
    exit_code: i32,
    signal: Option<i32>,
}

/// The kubelet's state of one container, in the order kubectl reads it (waiting, then
/// terminated, then running).
fn container(c: ContainerStatusJson, restartable_init: bool) -> ContainerStatus {
    let state = match c.state {
        Some(StateJson {
            waiting: Some(w), ..
        }) => ContainerState::Waiting {
            reason: w.reason.unwrap_or_default(),
        },
        Some(StateJson {
            terminated: Some(t),
            ..
        }) => ContainerState::Terminated {
            reason: t.reason.unwrap_or_default(),
            exit_code: t.exit_code,
            signal: t.signal.unwrap_or(0),
        },
        Some(StateJson {
            running: Some(_), ..
        }) => ContainerState::Running,
        _ => ContainerState::Unknown,
    };
    ContainerStatus {
        state,
        ready: c.ready,
        started: c.started.unwrap_or(false),
        restart_count: c.restart_count,
        restartable_init,
    }
}

impl From<PodJson> for WatchedPod {
    fn from(p: PodJson) -> Self {
        let spec = p.spec.unwrap_or_default();
        let status = p.status.unwrap_or_default();
        let conditions = status.conditions.unwrap_or_default();
        let cond = |t: &str| {
            conditions
                .iter()
                .any(|c| c.type_ == t && c.status == "True")
        };
        let scheduling_gated = conditions.iter().any(|c| {
            c.type_ == "PodScheduled"
                && c.status == "False"
                && c.reason.as_deref() == Some("SchedulingGated")
        });
        let init_specs = spec.init_containers.as_deref().unwrap_or_default();
        let restartable = |name: &str| {
            init_specs
                .iter()
                .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
        };
        let facts = PodFacts {
            phase: status.phase.unwrap_or_default(),
            reason: status.reason.unwrap_or_default(),
            deleting: p.metadata.deletion_timestamp.is_some(),
            init_container_count: init_specs.len(),
            container_count: spec.containers.len(),
            init_statuses: status
                .init_container_statuses
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let r = restartable(&c.name);
                    container(c, r)
                })
                .collect(),
            statuses: status
                .container_statuses
                .unwrap_or_default()
                .into_iter()
                .map(|c| container(c, false))
                .collect(),
            initialized_condition_true: cond("Initialized"),
            ready_condition_true: cond("Ready"),
            scheduling_gated,
        };
        let mut labels = p.metadata.labels;
        let name = p.metadata.name.unwrap_or_default();
        let row = PodRow::from_facts(
            name.clone(),
            &facts,
            status.start_time.or(p.metadata.creation_timestamp),
            spec.containers.first().and_then(|c| c.image.as_deref()),
            labels.take(0).unwrap_or_default(),
            spec.node_name.unwrap_or_default(),
        );
        WatchedPod {
            meta: slim_meta(
                Some(name),
                p.metadata.namespace,
                p.metadata.resource_version,
            ),
            row,
        }
    }
}

impl<'de> Deserialize<'de> for WatchedPod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PodJson::deserialize(d).map(WatchedPod::from)
    }
}
