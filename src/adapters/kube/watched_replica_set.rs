//! A ReplicaSet as the rollout watcher decodes it: the facts the Rollout pane shows
//! (revision, change cause, images, counts), its controller's uid, and its pod template
//! as the key kubectl's `equalIgnoreHash` compares, computed once on arrival. Status
//! conditions, `managedFields` and the rest are skipped without being built; only the
//! template is decoded as a typed `PodTemplateSpec`, so that the comparison is exactly
//! [`convert::equal_ignore_hash`]'s.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde_json::Value;

use super::convert::{self, CHANGE_CAUSE, REVISION};
use super::slim_meta::{KeyList, Picked, slim_meta, timestamp};
use crate::domain::cluster::ReplicaSetFacts;

/// A watched ReplicaSet.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedReplicaSet {
    pub meta: ObjectMeta,
    /// The uid of the controlling owner (empty when none).
    pub owner_uid: String,
    /// The facts, `matches_template` false: the rollout decides it against the Deployment.
    pub facts: ReplicaSetFacts,
    /// [`template_key`] of `spec.template`.
    pub template_key: Value,
}

super::slim_meta::slim_resource!(WatchedReplicaSet, "ReplicaSet", "apps", "v1", "replicasets");

/// A pod template as kubectl's `equalIgnoreHash` compares it: without the
/// `pod-template-hash` label, empty and absent the same. Two templates are equal ignoring
/// the hash exactly when their keys are equal.
pub fn template_key(t: &PodTemplateSpec) -> Value {
    convert::normalize(&convert::template_without_hash(t))
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct RevisionKeys;

impl KeyList for RevisionKeys {
    const KEYS: &'static [&'static str] = &[REVISION, CHANGE_CAUSE];
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RsJson<'a> {
    #[serde(borrow)]
    metadata: MetaJson<'a>,
    spec: Option<SpecJson>,
    status: Option<StatusJson>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MetaJson<'a> {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    #[serde(deserialize_with = "timestamp")]
    creation_timestamp: Option<DateTime<Utc>>,
    #[serde(borrow)]
    annotations: Picked<'a, RevisionKeys>,
    owner_references: Option<Vec<OwnerJson>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct OwnerJson {
    uid: String,
    controller: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpecJson {
    template: Option<PodTemplateSpec>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct StatusJson {
    replicas: i32,
    ready_replicas: Option<i32>,
}

impl From<RsJson<'_>> for WatchedReplicaSet {
    fn from(rs: RsJson<'_>) -> Self {
        let mut m = rs.metadata;
        let owner_uid = m
            .owner_references
            .unwrap_or_default()
            .into_iter()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid)
            .unwrap_or_default();
        let template = rs.spec.and_then(|s| s.template);
        let status = rs.status.unwrap_or_default();
        let name = m.name.unwrap_or_default();
        let facts = ReplicaSetFacts {
            name: name.clone(),
            revision: m.annotations.get(0).and_then(|r| r.parse().ok()),
            images: convert::template_images(template.as_ref()),
            change_cause: m.annotations.take(1).map(Cow::into_owned),
            created: m.creation_timestamp,
            replicas: status.replicas,
            ready: status.ready_replicas.unwrap_or(0),
            matches_template: false,
        };
        WatchedReplicaSet {
            meta: slim_meta(Some(name), m.namespace, m.resource_version),
            owner_uid,
            facts,
            template_key: template_key(&template.unwrap_or_default()),
        }
    }
}

impl<'de> Deserialize<'de> for WatchedReplicaSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RsJson::deserialize(d).map(WatchedReplicaSet::from)
    }
}
