//! Watch bodies fed chunk by chunk (the items kube-client's `request_events` gives for the
//! same bytes, kube-client 5.0.0 `src/client/mod.rs`).

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Bytes, Frame};
use kube::api::WatchEvent;

use super::WatchBody;
use crate::adapters::kube::watched_pod::WatchedPod;

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

fn body(chunks: &[&[u8]], fail: Option<kube::Error>) -> WatchBody<Chunks, WatchedPod> {
    WatchBody::new(Chunks {
        chunks: chunks.iter().map(|c| Bytes::copy_from_slice(c)).collect(),
        fail,
    })
}

fn pod_line(kind: &str, name: &str, rv: u32) -> String {
    format!(
        r#"{{"type":"{kind}","object":{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"shop","resourceVersion":"{rv}"}},"status":{{"phase":"Running"}}}}}}"#
    )
}

/// Every item until the end, as text.
fn drain(mut b: WatchBody<Chunks, WatchedPod>) -> Vec<String> {
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
