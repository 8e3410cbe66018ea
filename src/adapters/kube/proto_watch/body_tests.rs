//! Watch bodies fed chunk by chunk: JSON (the items kube-client's `request_events` gives
//! for the same bytes, kube-client 5.0.0 `src/client/mod.rs`) and protobuf (frames of
//! `metav1.WatchEvent`s built with k8s-pb, prost's compilation of Kubernetes' own
//! `generated.proto`, framed as apimachinery `pkg/util/framer/framer.go` frames them).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Bytes, Frame};
use kube::api::WatchEvent;

use k8s_pb::api::core::v1 as pb;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta_pb;
use k8s_pb::apimachinery::pkg::runtime as runtime_pb;
use prost::Message;

use super::WatchBody;

/// A body that yields the given chunks, then optionally an error.
struct Chunks {
    chunks: VecDeque<Bytes>,
    fail: Option<kube::Error>,
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = kube::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, kube::Error>>> {
        Poll::Ready(match self.chunks.pop_front() {
            Some(c) => Some(Ok(Frame::data(c))),
            None => self.fail.take().map(Err),
        })
    }
}

fn chunks(chunks: &[&[u8]], fail: Option<kube::Error>) -> Chunks {
    Chunks {
        chunks: chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect(),
        fail,
    }
}

fn body(c: &[&[u8]], fail: Option<kube::Error>) -> WatchBody<Chunks> {
    WatchBody::json(chunks(c, fail))
}

fn proto_body(c: &[&[u8]], fail: Option<kube::Error>) -> WatchBody<Chunks> {
    WatchBody::protobuf(chunks(c, fail))
}

fn pod_line(kind: &str, name: &str, rv: u32) -> String {
    format!(
        r#"{{"type":"{kind}","object":{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"shop","resourceVersion":"{rv}"}},"status":{{"phase":"Running"}}}}}}"#
    )
}

/// Every item until the end, as text.
fn drain(mut b: WatchBody<Chunks>) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut out = Vec::new();
        while let Some(item) = b.next().await {
            out.push(match item {
                Ok(WatchEvent::Added(p)) => format!("added {}", p.row.name),
                Ok(WatchEvent::Modified(p)) => format!("modified {}", p.row.name),
                Ok(WatchEvent::Deleted(p)) => format!("deleted {}", p.row.name),
                Ok(WatchEvent::Bookmark(b)) => format!("bookmark {}", b.metadata.resource_version),
                Ok(WatchEvent::Error(s)) => format!("error event {}", s.code),
                Err(kube::Error::Api(s)) => format!("api {}", s.code),
                Err(kube::Error::SerdeError(_)) => "serde".to_string(),
                Err(kube::Error::ReadEvents(e)) => format!("read {:?}", e.kind()),
                Err(e) => format!("other {e}"),
            });
        }
        out
    })
}

#[test]
fn a_line_split_across_chunks_and_several_lines_in_one_chunk() {
    let a = pod_line("ADDED", "web-1", 5);
    let m = pod_line("MODIFIED", "web-2", 6);
    let d = pod_line("DELETED", "web-1", 7);
    let all = format!("{a}\n{m}\n{d}\n");
    let (x, y) = all.as_bytes().split_at(a.len() / 2);
    let (y, z) = y.split_at(y.len() - 10);
    let items = drain(body(&[x, y, z], None));
    assert_eq!(items, ["added web-1", "modified web-2", "deleted web-1"]);
    // One byte per chunk: the same.
    let bytes: Vec<&[u8]> = all.as_bytes().chunks(1).collect();
    assert_eq!(drain(body(&bytes, None)), items);
}

#[test]
fn a_final_line_without_newline_is_decoded_and_a_truncated_one_skipped() {
    let a = pod_line("ADDED", "web-1", 5);
    let m = pod_line("MODIFIED", "web-2", 6);
    let whole = format!("{a}\n{m}");
    assert_eq!(
        drain(body(&[whole.as_bytes()], None)),
        ["added web-1", "modified web-2"]
    );
    // Cut short (LinesCodec::decode_eof, then serde's EOF error): skipped, as kube does.
    let cut = format!("{a}\n{}", &m[..m.len() - 20]);
    assert_eq!(drain(body(&[cut.as_bytes()], None)), ["added web-1"]);
}

#[test]
fn a_malformed_line_is_an_error_and_the_stream_goes_on() {
    let a = pod_line("ADDED", "web-1", 5);
    let status = r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"boom","reason":"InternalError","code":500}"#;
    let text = format!("{a}\nnot json at all\n\n{status}\r\n{a}\n");
    assert_eq!(
        drain(body(&[text.as_bytes()], None)),
        ["added web-1", "serde", "api 500", "added web-1"],
        "garbage is a serde error, an empty line is skipped, a bare Status is an API error"
    );
}

#[test]
fn a_line_that_is_not_utf8_ends_the_stream_with_a_read_error() {
    let a = pod_line("ADDED", "web-1", 5);
    let mut text = format!("{a}\n").into_bytes();
    text.extend_from_slice(b"{\"type\":\xff}\n");
    text.extend_from_slice(format!("{a}\n").as_bytes());
    assert_eq!(
        drain(body(&[&text], None)),
        ["added web-1", "read InvalidData"]
    );
}

#[test]
fn bookmarks_and_error_events_are_events() {
    let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12345","annotations":{"k8s.io/initial-events-end":"true"}}}}"#;
    let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#;
    let text = format!("{bookmark}\n{gone}\n");
    assert_eq!(
        drain(body(&[text.as_bytes()], None)),
        ["bookmark 12345", "error event 410"]
    );
}

#[test]
fn a_body_cut_by_an_unexpected_eof_ends_quietly_other_failures_are_errors() {
    let a = pod_line("ADDED", "web-1", 5);
    let text = format!("{a}\n{}", &a[..30]);
    let eof = kube::Error::Service(Box::new(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "peer closed connection without sending TLS close_notify",
    )));
    assert_eq!(
        drain(body(&[text.as_bytes()], Some(eof))),
        ["added web-1"],
        "the partial line is dropped and the stream ends (to be resumed)"
    );
    let chunk_eof = kube::Error::Service("unexpected EOF during chunk size line".into());
    assert_eq!(
        drain(body(&[text.as_bytes()], Some(chunk_eof))),
        ["added web-1"]
    );
    let reset = kube::Error::Service("connection reset".into());
    assert_eq!(
        drain(body(&[text.as_bytes()], Some(reset))),
        ["added web-1", "read Other"]
    );
}

/// `k8s\x00` + `runtime.Unknown` around an object's message (apimachinery
/// `pkg/runtime/serializer/protobuf/protobuf.go`).
fn unknown(kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let mut out = b"k8s\x00".to_vec();
    runtime_pb::Unknown {
        type_meta: Some(runtime_pb::TypeMeta {
            api_version: Some("v1".into()),
            kind: Some(kind.into()),
        }),
        raw: Some(raw),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    }
    .encode(&mut out)
    .expect("a Vec grows");
    out
}

fn pb_pod(name: &str, rv: u32) -> Vec<u8> {
    pb::Pod {
        metadata: Some(meta_pb::ObjectMeta {
            name: Some(name.into()),
            namespace: Some("shop".into()),
            resource_version: Some(rv.to_string()),
            ..Default::default()
        }),
        spec: None,
        status: Some(pb::PodStatus {
            phase: Some("Running".into()),
            ..Default::default()
        }),
    }
    .encode_to_vec()
}

/// One watch event in its length-delimited frame (4-byte big-endian length).
fn frame(kind: &str, object: Vec<u8>) -> Vec<u8> {
    let event = meta_pb::WatchEvent {
        r#type: Some(kind.into()),
        object: Some(runtime_pb::RawExtension { raw: Some(object) }),
    }
    .encode_to_vec();
    let mut out = u32::try_from(event.len())
        .expect("small")
        .to_be_bytes()
        .to_vec();
    out.extend(event);
    out
}

fn pod_frame(kind: &str, name: &str, rv: u32) -> Vec<u8> {
    frame(kind, unknown("Pod", pb_pod(name, rv)))
}

#[test]
fn protobuf_frames_split_across_chunks_and_several_in_one_chunk() {
    let mut all = pod_frame("ADDED", "web-1", 5);
    all.extend(pod_frame("MODIFIED", "web-2", 6));
    all.extend(pod_frame("DELETED", "web-1", 7));
    let want = ["added web-1", "modified web-2", "deleted web-1"];
    assert_eq!(drain(proto_body(&[&all], None)), want);
    for size in [1, 2, 3, 5, 7, 16, 50] {
        let c: Vec<&[u8]> = all.chunks(size).collect();
        assert_eq!(drain(proto_body(&c, None)), want, "chunks of {size}");
    }
}

#[test]
fn protobuf_bookmarks_and_error_410_are_events() {
    let bookmark = pb::Pod {
        metadata: Some(meta_pb::ObjectMeta {
            resource_version: Some("12345".into()),
            annotations: [("k8s.io/initial-events-end".to_string(), "true".to_string())].into(),
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec();
    // The watch cache's answer to a too old resourceVersion (apiserver
    // `pkg/storage/cacher`, `newErrWatcher`: a `Status` with code 410, reason Expired).
    let gone = meta_pb::Status {
        status: Some("Failure".into()),
        message: Some("too old resource version: 1 (5)".into()),
        reason: Some("Expired".into()),
        code: Some(410),
        ..Default::default()
    }
    .encode_to_vec();
    let mut all = frame("BOOKMARK", unknown("Pod", bookmark.clone()));
    all.extend(frame("ERROR", unknown("Status", gone)));
    assert_eq!(
        drain(proto_body(&[&all], None)),
        ["bookmark 12345", "error event 410"]
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let only = frame("BOOKMARK", unknown("Pod", bookmark));
    let mut b = proto_body(&[&only], None);
    match rt.block_on(b.next()) {
        Some(Ok(WatchEvent::Bookmark(bm))) => {
            assert_eq!(bm.types.kind, "Pod");
            assert_eq!(
                bm.metadata.annotations.get("k8s.io/initial-events-end"),
                Some(&"true".to_string())
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_protobuf_body_cut_inside_a_frame_ends_quietly() {
    let mut all = pod_frame("ADDED", "web-1", 5);
    let second = pod_frame("MODIFIED", "web-2", 6);
    all.extend_from_slice(&second[..second.len() - 7]);
    assert_eq!(drain(proto_body(&[&all], None)), ["added web-1"]);
    let eof = kube::Error::Service(Box::new(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        "peer closed connection without sending TLS close_notify",
    )));
    assert_eq!(drain(proto_body(&[&all], Some(eof))), ["added web-1"]);
    let reset = kube::Error::Service("connection reset".into());
    assert_eq!(
        drain(proto_body(&[&all], Some(reset))),
        ["added web-1", "read Other"]
    );
}

#[test]
fn a_malformed_protobuf_frame_is_an_error_and_the_stream_goes_on() {
    let a = pod_frame("ADDED", "web-1", 5);
    let mut all = a.clone();
    // A frame whose event is not a protobuf message, one without the k8s\x00 prefix,
    // one of an unknown type, and one of another kind than Pod.
    all.extend([0, 0, 0, 3, 0xff, 0xff, 0xff]);
    all.extend(frame("ADDED", pb_pod("web-2", 6)));
    all.extend(frame("RENAMED", unknown("Pod", pb_pod("web-2", 6))));
    all.extend(frame("ADDED", unknown("Secret", pb_pod("web-2", 6))));
    all.extend(&a);
    assert_eq!(
        drain(proto_body(&[&all], None)),
        [
            "added web-1",
            "serde",
            "serde",
            "serde",
            "serde",
            "added web-1"
        ]
    );
    // A frame longer than 16 MiB: the framing is lost, the stream ends.
    let mut huge = a.clone();
    huge.extend([0x7f, 0, 0, 0, 1, 2, 3]);
    huge.extend(&a);
    assert_eq!(
        drain(proto_body(&[&huge], None)),
        ["added web-1", "read InvalidData"]
    );
}
