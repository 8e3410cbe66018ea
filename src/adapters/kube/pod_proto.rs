//! A core/v1 `Pod` read from its protobuf bytes straight into the [`WatchedPod`] the JSON
//! decoder (`watched_pod.rs`) builds: the same row (the same `PodFacts` handed to
//! `PodRow::from_facts`) and the same slim metadata, reading only the fields the row
//! needs. Everything else — `managedFields`, volumes, env, probes, resources, condition
//! messages, … — is skipped by its length prefix without being looked at, and the strings
//! that are only compared (condition types and statuses, container names, restart
//! policies) are compared as the bytes of the message, never copied.
//!
//! Field numbers are Kubernetes' own: `k8s.io/api/core/v1/generated.proto` (`Pod` 1
//! metadata, 2 spec, 3 status; `PodSpec` 2 containers, 10 nodeName, 20 initContainers;
//! `Container` 1 name, 2 image, 24 restartPolicy; `PodStatus` 1 phase, 2 conditions,
//! 4 reason, 7 startTime, 8 containerStatuses, 10 initContainerStatuses; `PodCondition`
//! 1 type, 2 status, 5 reason; `ContainerStatus` 1 name, 2 state, 4 ready,
//! 5 restartCount, 9 started; `ContainerState` 1 waiting, 2 running, 3 terminated;
//! `ContainerStateWaiting` 1 reason; `ContainerStateTerminated` 1 exitCode, 2 signal,
//! 3 reason) and `k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto` (`ObjectMeta`
//! 1 name, 3 namespace, 6 resourceVersion, 8 creationTimestamp, 9 deletionTimestamp,
//! 11 labels, 12 annotations, a map entry being `key = 1, value = 2`; `Time` 1 seconds).
//!
//! Where the two encodings differ, the JSON meaning is kept:
//! - Go's protobuf marshaller writes every non-pointer string, even empty, where JSON
//!   omits it (`omitempty`): an empty string reads as absent (it matters for the image: an
//!   absent image is no tag, an empty one would be `latest`);
//! - a `metav1.Time` is written as an empty message when it is the zero time (JSON's
//!   `null`; `time_proto.go`, `Time.Marshal`), which reads as absent, and only its
//!   seconds are read (`Time.Unmarshal` drops the nanoseconds, as JSON's RFC 3339 does).

use chrono::{DateTime, Utc};

use super::proto_wire::{Fields, ProtoError};
use super::slim_meta::slim_meta;
use super::watched_pod::WatchedPod;
use crate::adapters::kube::convert::POD_TEMPLATE_HASH;
use crate::domain::cluster::pod_row::{ContainerState, ContainerStatus, PodFacts, PodRow};

/// The annotation of the bookmark that ends a streaming list's initial events.
pub const INITIAL_EVENTS_END: &str = "k8s.io/initial-events-end";

/// What is read of a pod's `ObjectMeta`.
#[derive(Debug, Default)]
pub struct MetaProto<'a> {
    pub name: Option<&'a [u8]>,
    pub namespace: Option<&'a [u8]>,
    pub resource_version: Option<&'a [u8]>,
    pub creation: Option<DateTime<Utc>>,
    pub deleting: bool,
    pub template_hash: Option<&'a [u8]>,
    /// The `k8s.io/initial-events-end` annotation's value (bookmarks only).
    pub initial_events_end: Option<&'a [u8]>,
}

/// A string field, empty read as absent.
fn present(b: &[u8]) -> Option<&[u8]> {
    (!b.is_empty()).then_some(b)
}

/// Owned text of a string field (Go does not check UTF-8 in protobuf strings; invalid
/// bytes become U+FFFD as Go's JSON encoder writes them).
pub fn text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// A `metav1.Time`: `None` for the zero time (an empty message).
fn time(b: &[u8]) -> Result<Option<DateTime<Utc>>, ProtoError> {
    let mut seconds = None;
    for f in Fields::new(b) {
        let (n, v) = f?;
        if n == 1 {
            seconds = Some(v.int64(n)?);
        }
    }
    Ok(seconds.and_then(|s| DateTime::from_timestamp(s, 0)))
}

/// One `map<string, string>` entry: (key, value).
fn map_entry(b: &[u8]) -> Result<(&[u8], &[u8]), ProtoError> {
    let (mut key, mut value): (&[u8], &[u8]) = (&[], &[]);
    for f in Fields::new(b) {
        match f? {
            (1, v) => key = v.bytes(1)?,
            (2, v) => value = v.bytes(2)?,
            _ => {}
        }
    }
    Ok((key, value))
}

/// What the watcher and the row read of `metadata`.
pub fn object_meta(b: &[u8]) -> Result<MetaProto<'_>, ProtoError> {
    let mut m = MetaProto::default();
    for f in Fields::new(b) {
        match f? {
            (1, v) => m.name = present(v.bytes(1)?),
            (3, v) => m.namespace = present(v.bytes(3)?),
            (6, v) => m.resource_version = present(v.bytes(6)?),
            (8, v) => m.creation = time(v.bytes(8)?)?,
            (9, v) => m.deleting = time(v.bytes(9)?)?.is_some(),
            (11, v) => {
                let (key, value) = map_entry(v.bytes(11)?)?;
                if key == POD_TEMPLATE_HASH.as_bytes() {
                    m.template_hash = Some(value);
                }
            }
            (12, v) => {
                let (key, value) = map_entry(v.bytes(12)?)?;
                if key == INITIAL_EVENTS_END.as_bytes() {
                    m.initial_events_end = Some(value);
                }
            }
            _ => {}
        }
    }
    Ok(m)
}

/// What the row reads of `spec`.
#[derive(Default)]
struct SpecProto<'a> {
    container_count: usize,
    first_image: Option<&'a [u8]>,
    init_container_count: usize,
    /// Names of init containers with `restartPolicy: Always` (native sidecars).
    restartable_init: Vec<&'a [u8]>,
    node_name: Option<&'a [u8]>,
}

/// What the row reads of a `Container`.
#[derive(Default)]
struct ContainerSpec<'a> {
    name: &'a [u8],
    image: Option<&'a [u8]>,
    restart_policy: &'a [u8],
}

fn container_spec(b: &[u8]) -> Result<ContainerSpec<'_>, ProtoError> {
    let mut c = ContainerSpec::default();
    for f in Fields::new(b) {
        match f? {
            (1, v) => c.name = v.bytes(1)?,
            (2, v) => c.image = present(v.bytes(2)?),
            (24, v) => c.restart_policy = v.bytes(24)?,
            _ => {}
        }
    }
    Ok(c)
}

fn spec(b: &[u8]) -> Result<SpecProto<'_>, ProtoError> {
    let mut s = SpecProto::default();
    for f in Fields::new(b) {
        match f? {
            (2, v) => {
                let c = v.bytes(2)?;
                // Only the first one is read; the others are counted, skipped by length.
                if s.container_count == 0 {
                    s.first_image = container_spec(c)?.image;
                }
                s.container_count += 1;
            }
            (10, v) => s.node_name = present(v.bytes(10)?),
            (20, v) => {
                let c = container_spec(v.bytes(20)?)?;
                if c.restart_policy == b"Always" {
                    s.restartable_init.push(c.name);
                }
                s.init_container_count += 1;
            }
            _ => {}
        }
    }
    Ok(s)
}

/// What the row reads of `status`.
#[derive(Default)]
struct StatusProto<'a> {
    phase: Option<&'a [u8]>,
    reason: Option<&'a [u8]>,
    initialized: bool,
    ready: bool,
    scheduling_gated: bool,
    start_time: Option<DateTime<Utc>>,
    /// (name, status) of each init container, `restartable_init` set once the spec is read.
    init_statuses: Vec<(&'a [u8], ContainerStatus)>,
    statuses: Vec<ContainerStatus>,
}

/// Whether the STATUS column reads a condition of this type.
fn condition_read(kind: &[u8]) -> bool {
    matches!(kind, b"Initialized" | b"Ready" | b"PodScheduled")
}

/// A `PodCondition` folded into what the STATUS column reads. A condition of another
/// type is left as soon as its type is read (Go writes `type`, field 1, first).
fn condition(b: &[u8], s: &mut StatusProto<'_>) -> Result<(), ProtoError> {
    let (mut kind, mut status, mut reason): (&[u8], &[u8], &[u8]) = (&[], &[], &[]);
    for f in Fields::new(b) {
        match f? {
            (1, v) => {
                kind = v.bytes(1)?;
                if !condition_read(kind) {
                    return Ok(());
                }
            }
            (2, v) => status = v.bytes(2)?,
            (5, v) => reason = v.bytes(5)?,
            _ => {}
        }
    }
    let is_true = status == b"True";
    match kind {
        b"Initialized" => s.initialized |= is_true,
        b"Ready" => s.ready |= is_true,
        b"PodScheduled" => s.scheduling_gated |= status == b"False" && reason == b"SchedulingGated",
        _ => {}
    }
    Ok(())
}

/// The reason of a `ContainerStateWaiting`.
fn waiting(b: &[u8]) -> Result<ContainerState, ProtoError> {
    let mut reason: &[u8] = &[];
    for f in Fields::new(b) {
        if let (1, v) = f? {
            reason = v.bytes(1)?;
        }
    }
    Ok(ContainerState::Waiting {
        reason: text(reason),
    })
}

/// A `ContainerStateTerminated`.
fn terminated(b: &[u8]) -> Result<ContainerState, ProtoError> {
    let (mut reason, mut exit_code, mut signal): (&[u8], i32, i32) = (&[], 0, 0);
    for f in Fields::new(b) {
        match f? {
            (1, v) => exit_code = v.int32(1)?,
            (2, v) => signal = v.int32(2)?,
            (3, v) => reason = v.bytes(3)?,
            _ => {}
        }
    }
    Ok(ContainerState::Terminated {
        reason: text(reason),
        exit_code,
        signal,
    })
}

/// A `ContainerState`, read in kubectl's order: waiting, then terminated, then running.
fn state(b: &[u8]) -> Result<ContainerState, ProtoError> {
    let (mut w, mut t, mut running) = (None, None, false);
    for f in Fields::new(b) {
        match f? {
            (1, v) => w = Some(v.bytes(1)?),
            (2, v) => {
                v.bytes(2)?;
                running = true;
            }
            (3, v) => t = Some(v.bytes(3)?),
            _ => {}
        }
    }
    match (w, t) {
        (Some(w), _) => waiting(w),
        (None, Some(t)) => terminated(t),
        (None, None) if running => Ok(ContainerState::Running),
        (None, None) => Ok(ContainerState::Unknown),
    }
}

/// A `ContainerStatus`: (name, status without `restartable_init`).
fn container_status(b: &[u8]) -> Result<(&[u8], ContainerStatus), ProtoError> {
    let mut name: &[u8] = &[];
    let mut c = ContainerStatus::default();
    for f in Fields::new(b) {
        match f? {
            (1, v) => name = v.bytes(1)?,
            (2, v) => c.state = state(v.bytes(2)?)?,
            (4, v) => c.ready = v.bool(4)?,
            (5, v) => c.restart_count = v.int32(5)?,
            (9, v) => c.started = v.bool(9)?,
            _ => {}
        }
    }
    Ok((name, c))
}

fn status(b: &[u8]) -> Result<StatusProto<'_>, ProtoError> {
    let mut s = StatusProto::default();
    for f in Fields::new(b) {
        match f? {
            (1, v) => s.phase = present(v.bytes(1)?),
            (2, v) => condition(v.bytes(2)?, &mut s)?,
            (4, v) => s.reason = present(v.bytes(4)?),
            (7, v) => s.start_time = time(v.bytes(7)?)?,
            (8, v) => s.statuses.push(container_status(v.bytes(8)?)?.1),
            (10, v) => s.init_statuses.push(container_status(v.bytes(10)?)?),
            _ => {}
        }
    }
    Ok(s)
}

/// The fields of a `Pod` message: (metadata, spec, status).
type PodParts<'a> = (&'a [u8], Option<&'a [u8]>, Option<&'a [u8]>);

fn pod_parts(b: &[u8]) -> Result<PodParts<'_>, ProtoError> {
    let (mut meta, mut spec, mut status): PodParts<'_> = (&[], None, None);
    for f in Fields::new(b) {
        match f? {
            (1, v) => meta = v.bytes(1)?,
            (2, v) => spec = Some(v.bytes(2)?),
            (3, v) => status = Some(v.bytes(3)?),
            _ => {}
        }
    }
    Ok((meta, spec, status))
}

/// The `metadata` of a `Pod` message (what a bookmark carries).
pub fn pod_meta(b: &[u8]) -> Result<MetaProto<'_>, ProtoError> {
    object_meta(pod_parts(b)?.0)
}

/// Decodes the bytes of a core/v1 `Pod` message (without envelope) into its row.
pub fn decode_pod(b: &[u8]) -> Result<WatchedPod, ProtoError> {
    let (meta, sp, st) = pod_parts(b)?;
    let meta = object_meta(meta)?;
    let spec = sp.map(spec).transpose()?.unwrap_or_default();
    let status = st.map(status).transpose()?.unwrap_or_default();
    let owned = |b: Option<&[u8]>| b.map(text).unwrap_or_default();
    let restartable = |name: &[u8]| spec.restartable_init.contains(&name);
    let facts = PodFacts {
        phase: owned(status.phase),
        reason: owned(status.reason),
        deleting: meta.deleting,
        init_container_count: spec.init_container_count,
        container_count: spec.container_count,
        init_statuses: status
            .init_statuses
            .into_iter()
            .map(|(name, c)| ContainerStatus {
                restartable_init: restartable(name),
                ..c
            })
            .collect(),
        statuses: status.statuses,
        initialized_condition_true: status.initialized,
        ready_condition_true: status.ready,
        scheduling_gated: status.scheduling_gated,
    };
    let name = owned(meta.name);
    let image = spec.first_image.map(String::from_utf8_lossy);
    let row = PodRow::from_facts(
        name.clone(),
        &facts,
        status.start_time.or(meta.creation),
        image.as_deref(),
        owned(meta.template_hash),
        owned(spec.node_name),
    );
    Ok(WatchedPod {
        meta: slim_meta(
            Some(name),
            meta.namespace.map(text),
            meta.resource_version.map(text),
        ),
        row,
    })
}
