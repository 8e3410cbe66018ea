//! A pod as the pod watcher decodes it: straight from the API server's JSON into its slim
//! row, reading only the fields the Pods pane shows (and what kubectl's STATUS column is
//! computed from). Every other field — `managedFields`, volumes, env, probes, resources,
//! condition messages, … — is skipped by serde without being built (`IgnoredAny`), so the
//! typed `k8s_openapi` `Pod` is never constructed. The strings that are only compared
//! or cut (container names and images, condition types and statuses, restart policies)
//! are borrowed from the watch line (`Cow`, owned only when the JSON escapes them), so
//! decoding a pod allocates little more than its row.
//!
//! It implements `kube::Resource` (as `v1` `pods`, namespaced) and `Deserialize`, which is
//! all `kube::runtime::watcher` needs: the watcher's listing, resource versions, bookmarks
//! and `410 Gone` re-lists are kube-runtime's own, unchanged. The metadata it keeps for the
//! watcher is the name, namespace and `resourceVersion`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::{IgnoredAny, SeqAccess, Visitor};

use super::slim_meta::{TemplateHashLabel, opt_text, slim_meta, timestamp};
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
struct PodJson<'a> {
    #[serde(borrow)]
    metadata: MetaJson<'a>,
    #[serde(borrow)]
    spec: Option<SpecJson<'a>>,
    #[serde(borrow)]
    status: Option<StatusJson<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MetaJson<'a> {
    #[serde(borrow, deserialize_with = "opt_text")]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "opt_text")]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "opt_text")]
    resource_version: Option<Cow<'a, str>>,
    #[serde(deserialize_with = "timestamp")]
    creation_timestamp: Option<DateTime<Utc>>,
    /// Only its presence matters.
    deletion_timestamp: Option<IgnoredAny>,
    #[serde(borrow)]
    labels: TemplateHashLabel<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpecJson<'a> {
    #[serde(borrow)]
    init_containers: Option<Vec<ContainerJson<'a>>>,
    #[serde(borrow)]
    containers: ContainersJson<'a>,
    #[serde(borrow, deserialize_with = "opt_text")]
    node_name: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerJson<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "opt_text")]
    image: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "opt_text")]
    restart_policy: Option<Cow<'a, str>>,
}

/// `spec.containers` as the row reads it: how many, and the first one's image (folded
/// while reading, no list built).
#[derive(Default)]
struct ContainersJson<'a> {
    count: usize,
    first_image: Option<Cow<'a, str>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for ContainersJson<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = ContainersJson<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of containers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = ContainersJson::default();
                while let Some(c) = s.next_element::<ContainerJson<'a>>()? {
                    if out.count == 0 {
                        out.first_image = c.image;
                    }
                    out.count += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusJson<'a> {
    #[serde(borrow, deserialize_with = "opt_text")]
    phase: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "opt_text")]
    reason: Option<Cow<'a, str>>,
    conditions: Option<ConditionsJson>,
    #[serde(borrow)]
    init_container_statuses: Option<Vec<ContainerStatusJson<'a>>>,
    container_statuses: Option<StatusesJson>,
    #[serde(deserialize_with = "timestamp")]
    start_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConditionJson<'a> {
    #[serde(rename = "type", borrow)]
    type_: Cow<'a, str>,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow, deserialize_with = "opt_text")]
    reason: Option<Cow<'a, str>>,
}

/// What the STATUS column reads of `status.conditions` (folded while reading).
#[derive(Default)]
struct ConditionsJson {
    initialized: bool,
    ready: bool,
    scheduling_gated: bool,
}

impl<'de> Deserialize<'de> for ConditionsJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConditionsJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of conditions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = ConditionsJson::default();
                while let Some(c) = s.next_element::<ConditionJson<'de>>()? {
                    let is_true = c.status == "True";
                    match &*c.type_ {
                        "Initialized" => out.initialized |= is_true,
                        "Ready" => out.ready |= is_true,
                        "PodScheduled" => {
                            out.scheduling_gated |= c.status == "False"
                                && c.reason.as_deref() == Some("SchedulingGated");
                        }
                        _ => {}
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerStatusJson<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    state: Option<StateJson>,
    ready: bool,
    started: Option<bool>,
    restart_count: i32,
}

/// `status.containerStatuses`, each converted while reading.
#[derive(Default)]
struct StatusesJson(Vec<ContainerStatus>);

impl<'de> Deserialize<'de> for StatusesJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StatusesJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of container statuses")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(s.size_hint().unwrap_or(1).min(16));
                while let Some(c) = s.next_element::<ContainerStatusJson<'de>>()? {
                    out.push(container(c, false));
                }
                Ok(StatusesJson(out))
            }
        }
        d.deserialize_seq(V)
    }
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
fn container(c: ContainerStatusJson<'_>, restartable_init: bool) -> ContainerStatus {
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

impl From<PodJson<'_>> for WatchedPod {
    fn from(p: PodJson<'_>) -> Self {
        let spec = p.spec.unwrap_or_default();
        let status = p.status.unwrap_or_default();
        let conditions = status.conditions.unwrap_or_default();
        let init_specs = spec.init_containers.as_deref().unwrap_or_default();
        let restartable = |name: &str| {
            init_specs
                .iter()
                .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
        };
        let owned = |s: Option<Cow<'_, str>>| s.map(Cow::into_owned).unwrap_or_default();
        let facts = PodFacts {
            phase: owned(status.phase),
            reason: owned(status.reason),
            deleting: p.metadata.deletion_timestamp.is_some(),
            init_container_count: init_specs.len(),
            container_count: spec.containers.count,
            init_statuses: status
                .init_container_statuses
                .unwrap_or_default()
                .into_iter()
                .map(|c| {
                    let r = restartable(&c.name);
                    container(c, r)
                })
                .collect(),
            statuses: status.container_statuses.unwrap_or_default().0,
            initialized_condition_true: conditions.initialized,
            ready_condition_true: conditions.ready,
            scheduling_gated: conditions.scheduling_gated,
        };
        let mut labels = p.metadata.labels;
        let name = owned(p.metadata.name);
        let row = PodRow::from_facts(
            name.clone(),
            &facts,
            status.start_time.or(p.metadata.creation_timestamp),
            spec.containers.first_image.as_deref(),
            owned(labels.take(0)),
            owned(spec.node_name),
        );
        WatchedPod {
            meta: slim_meta(
                Some(name),
                p.metadata.namespace.map(Cow::into_owned),
                p.metadata.resource_version.map(Cow::into_owned),
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

#[cfg(test)]
#[path = "../../../tests/fixtures/watch/pod_variants.rs"]
mod pod_variants;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::kube::convert;

    /// A pod's start time read directly (the API server's form) is chrono's; other
    /// RFC 3339 forms still go through chrono, and what chrono rejects is still an error
    /// (the direct reading itself: `slim_meta`'s tests).
    #[test]
    fn start_times_read_like_chrono() {
        let start = |t: &str| {
            serde_json::from_str::<WatchedPod>(&format!(
                r#"{{"metadata":{{"name":"p"}},"status":{{"startTime":"{t}"}}}}"#
            ))
            .map(|p| p.row.started)
        };
        let expected: DateTime<Utc> = "2026-01-02T03:04:05Z".parse().expect("parses");
        assert_eq!(start("2026-01-02T03:04:05Z").ok(), Some(Some(expected)));
        assert_eq!(
            start("2026-01-02T05:04:05+02:00").ok(),
            Some(Some(expected))
        );
        assert!(start("2023-02-29T00:00:00Z").is_err());
        assert!(start("yesterday").is_err());
    }

    /// A pod whose borrowed strings are written with JSON escapes (which cannot be
    /// borrowed, so serde gives an owned `Cow`) decodes to the same row as plain text.
    #[test]
    fn escaped_strings_decode_like_plain_ones() {
        let pod = |name: &str, ready: &str, image: &str| {
            format!(
                r#"{{"metadata":{{"name":"web-1","namespace":"ns","resourceVersion":"7"}},
                "spec":{{"containers":[{{"name":"{name}","image":"{image}"}}]}},
                "status":{{"phase":"Running","startTime":"2026-01-02T03:04:05Z",
                  "conditions":[{{"type":"{ready}","status":"True"}}],
                  "containerStatuses":[{{"name":"{name}","ready":true,"restartCount":2,
                    "state":{{"running":{{}}}}}}]}}}}"#
            )
        };
        let plain: WatchedPod =
            serde_json::from_str(&pod("app", "Ready", "shop/web:2.0")).expect("plain pod");
        let escaped: WatchedPod =
            serde_json::from_str(&pod(r"\u0061pp", r"Re\u0061dy", r"shop\/web:2.0"))
                .expect("escaped pod");
        assert_eq!(escaped, plain);
        let r = &plain.row;
        assert_eq!(
            (r.status.as_str(), r.ready, r.total, r.restarts),
            ("Running", 1, 1, 2)
        );
        assert_eq!(r.image_tag, "2.0");
    }

    /// The whole churn lines, as kube-client's watch stream decodes them, give the row
    /// `convert::pod_row` gives for the full `k8s_openapi` `Pod`.
    #[test]
    fn churn_lines_decode_to_the_full_pods_rows() {
        let churn = include_str!("../../../tests/fixtures/watch/churn_pods.jsonl");
        for (i, line) in churn.lines().enumerate() {
            let decoded: kube::api::WatchEvent<WatchedPod> =
                serde_json::from_str(line).expect("decodes");
            let full: kube::api::WatchEvent<k8s_openapi::api::core::v1::Pod> =
                serde_json::from_str(line).expect("full decode");
            match (decoded, full) {
                (kube::api::WatchEvent::Added(s), kube::api::WatchEvent::Added(f))
                | (kube::api::WatchEvent::Modified(s), kube::api::WatchEvent::Modified(f))
                | (kube::api::WatchEvent::Deleted(s), kube::api::WatchEvent::Deleted(f)) => {
                    assert_eq!(s.row, convert::pod_row(&f), "churn line {i}");
                }
                other => panic!("churn line {i}: {other:?}"),
            }
        }
    }

    /// The slim decode gives, for every pod of `tests/fixtures/watch/pod_variants.rs`
    /// (the real API server's pod, the simulator's rolling-update lines, that pod in
    /// every phase and container state the STATUS column distinguishes), the row
    /// `convert::pod_row` gives for the full `k8s_openapi` `Pod`, and the metadata the
    /// watcher reads.
    #[test]
    fn slim_rows_are_the_full_pods_rows() {
        let pods = super::pod_variants::pods();
        let mut statuses = Vec::new();
        for (what, pod) in &pods {
            let full: k8s_openapi::api::core::v1::Pod =
                serde_json::from_value(pod.clone()).expect("full pod");
            let slim: WatchedPod = serde_json::from_str(&pod.to_string()).expect("slim pod");
            assert_eq!(slim.row, convert::pod_row(&full), "{what}");
            let m = &full.metadata;
            assert_eq!(
                (
                    &slim.meta.name,
                    &slim.meta.namespace,
                    &slim.meta.resource_version
                ),
                (&m.name, &m.namespace, &m.resource_version),
                "{what}"
            );
            statuses.push(slim.row.status);
        }
        assert_eq!(statuses, super::pod_variants::STATUSES);
    }
}
