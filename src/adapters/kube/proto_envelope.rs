//! The envelopes around a protobuf pod, as the API server writes them:
//!
//! - an object or a list in a response body (a `GET`/list answered with
//!   `Content-Type: application/vnd.kubernetes.protobuf`) is the 4-byte magic `k8s\x00`
//!   followed by a `runtime.Unknown` message (`typeMeta` 1 {`apiVersion` 1, `kind` 2},
//!   `raw` 2, `contentEncoding` 3, `contentType` 4) whose `raw` is the object's own message
//!   (apimachinery `pkg/runtime/serializer/protobuf/protobuf.go`, `protoEncodingPrefix` and
//!   `Serializer.doEncode`; `pkg/runtime/generated.proto`, `Unknown`);
//! - a list is a `PodList` (`metadata` 1: a `ListMeta` with `resourceVersion` 2 and
//!   `continue` 3; `items` 2: the pods) (api `core/v1/generated.proto`,
//!   apimachinery `pkg/apis/meta/v1/generated.proto`);
//! - a watch event is a `metav1.WatchEvent` (`type` 1, `object` 2: a `RawExtension` whose
//!   `raw` 1 holds the object in the first envelope, `k8s\x00` + `Unknown`), written
//!   without magic or `Unknown` of its own by the stream serializer (`RawSerializer`) in
//!   one length-delimited frame (apiserver `pkg/endpoints/handlers/response.go`,
//!   `watchEncoder.doEncode`; `pkg/endpoints/handlers/watch.go`; apimachinery
//!   `pkg/runtime/serializer/codec_factory.go`, the protobuf `StreamSerializer`);
//! - an `ERROR` event's object, and an error response, is a `metav1.Status` (`status` 2,
//!   `message` 3, `reason` 4, `code` 6).

use kube::api::WatchEvent;
use kube::core::response::StatusSummary;
use kube::core::watch::{Bookmark, BookmarkMeta};
use kube::core::{Status, TypeMeta};

use super::pod_proto::{self, INITIAL_EVENTS_END, text};
use super::proto_wire::{Fields, ProtoError, Value};
use super::watched_pod::WatchedPod;

/// The magic number in front of every protobuf object the API server sends.
pub const MAGIC: [u8; 4] = *b"k8s\x00";

fn envelope(what: impl Into<String>) -> ProtoError {
    ProtoError::Envelope(what.into())
}

/// A `runtime.Unknown`: the object's type and its own message.
#[derive(Debug, Clone, Copy)]
pub struct Unknown<'a> {
    pub api_version: &'a [u8],
    pub kind: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads `k8s\x00` + `runtime.Unknown`.
pub fn unknown(bytes: &[u8]) -> Result<Unknown<'_>, ProtoError> {
    let Some(body) = bytes.strip_prefix(&MAGIC) else {
        return Err(envelope("protobuf object without the k8s\\x00 prefix"));
    };
    let mut u = Unknown {
        api_version: &[],
        kind: &[],
        raw: &[],
    };
    for f in Fields::new(body) {
        match f? {
            (1, v) => {
                for f in Fields::new(v.bytes(1)?) {
                    match f? {
                        (1, v) => u.api_version = v.bytes(1)?,
                        (2, v) => u.kind = v.bytes(2)?,
                        _ => {}
                    }
                }
            }
            (2, v) => u.raw = v.bytes(2)?,
            // Set only by clients that compress the object; the API server does not.
            (3, Value::Bytes(encoding)) if !encoding.is_empty() => {
                return Err(envelope("protobuf object with a content encoding"));
            }
            _ => {}
        }
    }
    Ok(u)
}

/// A `metav1.Status` message (an `ERROR` event's object, an error response).
pub fn status(raw: &[u8]) -> Result<Status, ProtoError> {
    let mut s = Status::default();
    for f in Fields::new(raw) {
        match f? {
            (2, v) => {
                s.status = match v.bytes(2)? {
                    b"Success" => Some(StatusSummary::Success),
                    b"Failure" => Some(StatusSummary::Failure),
                    _ => None,
                }
            }
            (3, v) => s.message = text(v.bytes(3)?),
            (4, v) => s.reason = text(v.bytes(4)?),
            (6, v) => s.code = u16::try_from(v.int32(6)?).unwrap_or(0),
            _ => {}
        }
    }
    Ok(s)
}

/// A `Status` sent where another object was expected (`k8s\x00` + `Unknown` of kind
/// `Status`), or `None`.
pub fn status_object(bytes: &[u8]) -> Option<Status> {
    let u = unknown(bytes).ok()?;
    (u.kind == b"Status").then(|| status(u.raw).ok()).flatten()
}

/// One page of a pod list.
#[derive(Debug, Default)]
pub struct PodPage {
    pub resource_version: Option<String>,
    pub continue_token: Option<String>,
    pub items: Vec<WatchedPod>,
}

/// A list response body: `k8s\x00` + `Unknown` of kind `PodList`.
pub fn pod_list(bytes: &[u8]) -> Result<PodPage, ProtoError> {
    let u = unknown(bytes)?;
    if u.kind != b"PodList" {
        return Err(envelope(format!(
            "expected a PodList, got a {}",
            String::from_utf8_lossy(u.kind)
        )));
    }
    let mut page = PodPage::default();
    for f in Fields::new(u.raw) {
        match f? {
            (1, v) => {
                for f in Fields::new(v.bytes(1)?) {
                    match f? {
                        (2, v) => page.resource_version = Some(text(v.bytes(2)?)),
                        (3, v) => page.continue_token = Some(text(v.bytes(3)?)),
                        _ => {}
                    }
                }
            }
            (2, v) => page.items.push(pod_proto::decode_pod(v.bytes(2)?)?),
            _ => {}
        }
    }
    Ok(page)
}

/// One frame of a protobuf watch body: a `metav1.WatchEvent` of a pod (or a `Status`
/// for `ERROR`).
pub fn watch_event(frame: &[u8]) -> Result<WatchEvent<WatchedPod>, ProtoError> {
    let (mut kind, mut object): (&[u8], &[u8]) = (&[], &[]);
    for f in Fields::new(frame) {
        match f? {
            (1, v) => kind = v.bytes(1)?,
            (2, v) => {
                for f in Fields::new(v.bytes(2)?) {
                    if let (1, v) = f? {
                        object = v.bytes(1)?;
                    }
                }
            }
            _ => {}
        }
    }
    let u = unknown(object)?;
    let pod = |u: Unknown<'_>| {
        if u.kind == b"Pod" {
            pod_proto::decode_pod(u.raw)
        } else {
            Err(envelope(format!(
                "watch event of a {}, not a Pod",
                String::from_utf8_lossy(u.kind)
            )))
        }
    };
    match kind {
        b"ADDED" => pod(u).map(WatchEvent::Added),
        b"MODIFIED" => pod(u).map(WatchEvent::Modified),
        b"DELETED" => pod(u).map(WatchEvent::Deleted),
        b"BOOKMARK" => {
            let meta = pod_proto::pod_meta(u.raw)?;
            Ok(WatchEvent::Bookmark(Bookmark {
                types: TypeMeta {
                    api_version: text(u.api_version),
                    kind: text(u.kind),
                },
                metadata: BookmarkMeta {
                    resource_version: meta.resource_version.map(text).unwrap_or_default(),
                    annotations: meta
                        .initial_events_end
                        .map(|v| (INITIAL_EVENTS_END.to_string(), text(v)))
                        .into_iter()
                        .collect(),
                },
            }))
        }
        b"ERROR" => Ok(WatchEvent::Error(Box::new(status(u.raw)?))),
        other => Err(envelope(format!(
            "unknown watch event type {:?}",
            String::from_utf8_lossy(other)
        ))),
    }
}
