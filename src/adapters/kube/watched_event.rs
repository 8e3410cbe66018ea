//! An Event as the events watcher decodes it: the row the Events pane shows and the
//! involved object (to keep only events about the target). Everything else (source,
//! series, related, `managedFields`, …) is skipped without being built.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;

use super::convert;
use super::slim_meta::{opt_text, slim_meta, timestamp};
use crate::domain::cluster::EventRow;

/// A watched core/v1 Event.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchedEvent {
    pub meta: ObjectMeta,
    /// `involvedObject.kind` and `.name`.
    pub kind: Option<String>,
    pub name: Option<String>,
    pub row: EventRow,
}

super::slim_meta::slim_resource!(WatchedEvent, "Event", "", "v1", "events");

impl WatchedEvent {
    /// Whether the event is about the Deployment, one of its ReplicaSets or pods
    /// ([`convert::involves`]).
    pub fn concerns(&self, deployment: &str) -> bool {
        convert::involves(self.kind.as_deref(), self.name.as_deref(), deployment)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct EventJson<'a> {
    metadata: MetaJson,
    involved_object: InvolvedJson,
    /// Only compared.
    #[serde(rename = "type", borrow, deserialize_with = "opt_text")]
    type_: Option<Cow<'a, str>>,
    reason: Option<String>,
    message: Option<String>,
    count: Option<i32>,
    #[serde(deserialize_with = "timestamp")]
    last_timestamp: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "timestamp")]
    event_time: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "timestamp")]
    first_timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct MetaJson {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    #[serde(deserialize_with = "timestamp")]
    creation_timestamp: Option<DateTime<Utc>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InvolvedJson {
    kind: Option<String>,
    name: Option<String>,
}

impl From<EventJson<'_>> for WatchedEvent {
    fn from(e: EventJson<'_>) -> Self {
        let o = e.involved_object;
        let row = EventRow {
            warning: e.type_.as_deref() == Some("Warning"),
            reason: e.reason.unwrap_or_default(),
            object: format!(
                "{}/{}",
                o.kind.as_deref().unwrap_or("?"),
                o.name.as_deref().unwrap_or("?")
            ),
            message: e.message.unwrap_or_default(),
            count: e.count.and_then(|c| u32::try_from(c).ok()).unwrap_or(1),
            last_seen: e
                .last_timestamp
                .or(e.event_time)
                .or(e.first_timestamp)
                .or(e.metadata.creation_timestamp),
        };
        WatchedEvent {
            meta: slim_meta(
                e.metadata.name,
                e.metadata.namespace,
                e.metadata.resource_version,
            ),
            kind: o.kind,
            name: o.name,
            row,
        }
    }
}

impl<'de> Deserialize<'de> for WatchedEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        EventJson::deserialize(d).map(WatchedEvent::from)
    }
}
