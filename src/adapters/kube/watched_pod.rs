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
struct PodJson<'a> {
    metadata: MetaJson,
    #[serde(borrow)]
    spec: Option<SpecJson<'a>>,
    #[serde(borrow)]
    status: Option<StatusJson<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MetaJson {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    #[serde(deserialize_with = "timestamp")]
    creation_timestamp: Option<DateTime<Utc>>,
    /// Only its presence matters.
    deletion_timestamp: Option<IgnoredAny>,
    labels: TemplateHashLabel,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SpecJson<'a> {
    #[serde(borrow)]
    init_containers: Option<Vec<ContainerJson<'a>>>,
    #[serde(borrow)]
    containers: Vec<ContainerJson<'a>>,
    node_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ContainerJson<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    image: Option<Cow<'a, str>>,
    #[serde(borrow)]
    restart_policy: Option<Cow<'a, str>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusJson<'a> {
    phase: Option<String>,
    reason: Option<String>,
    #[serde(borrow)]
    conditions: Option<Vec<ConditionJson<'a>>>,
    #[serde(borrow)]
    init_container_statuses: Option<Vec<ContainerStatusJson<'a>>>,
    #[serde(borrow)]
    container_statuses: Option<Vec<ContainerStatusJson<'a>>>,
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
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
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

/// A Kubernetes timestamp (RFC 3339). The API server writes them as
/// `YYYY-MM-DDTHH:MM:SSZ` (`metav1.Time`, seconds, UTC), which is read directly; any other
/// form goes through chrono's parser, as chrono's own `Deserialize` does (and fails as it
/// does). Two per pod per watch event, so chrono's general format parser showed in the
/// churn profile.
fn timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(text) = Option::<Cow<'de, str>>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(t) = utc_seconds(&text) {
        return Ok(Some(t));
    }
    text.parse::<DateTime<Utc>>()
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, and nothing else.
fn utc_seconds(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 20
        || (b[4], b[7], b[10], b[13], b[16], b[19]) != (b'-', b'-', b'T', b':', b':', b'Z')
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct reading of the API server's timestamps gives what chrono's parser
    /// gives; other RFC 3339 forms still go through chrono, and what chrono rejects is
    /// still an error.
    #[test]
    fn timestamps_read_directly_match_chrono() {
        for text in [
            "2026-01-02T03:04:05Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
            "2026-12-06T19:45:00Z",
        ] {
            let chrono: DateTime<Utc> = text.parse().expect("chrono parses it");
            assert_eq!(utc_seconds(text), Some(chrono), "{text}");
        }
        // Not the API server's form: left to chrono.
        for text in [
            "2026-01-02T03:04:05.250Z",
            "2026-01-02T05:04:05+02:00",
            "2023-02-29T00:00:00Z",
            "2026-01-02T24:00:00Z",
            "2026-01-02 03:04:05Z",
            "2026-1-02T03:04:05Z",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
        }
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
}
