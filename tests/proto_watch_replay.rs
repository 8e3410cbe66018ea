//! `adapters::kube::proto_watch::pod_watcher` end to end over protobuf: a `kube::Client`
//! on an in-memory service that answers as a real API server does when asked for
//! `application/vnd.kubernetes.protobuf` — lists as `k8s\x00` + `Unknown` of a `PodList`
//! (apimachinery `pkg/runtime/serializer/protobuf/protobuf.go`), watches as
//! length-delimited `metav1.WatchEvent` frames with `Content-Type:
//! application/vnd.kubernetes.protobuf;stream=watch` (apiserver
//! `pkg/endpoints/handlers/watch.go`, apimachinery `pkg/util/framer/framer.go`), an expired
//! resourceVersion as an `ERROR` event holding a `Status` with code 410. The bytes are
//! built with k8s-pb (`benches/support/pod_pb.rs`). The watcher must give kube-runtime's
//! events: a paged list, watch events, bookmarks moving the resource version on, a cut
//! body resumed from the last version, 410 re-listing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use backout::adapters::kube::proto_watch::{ACCEPT_PROTOBUF, Encodings, pod_watcher};
use backout::adapters::kube::watched_pod::WatchedPod;
use futures::StreamExt;
use hyper::body::{Body, Bytes, Frame};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::watcher::{self, Event};

#[path = "../benches/support/pod_pb.rs"]
mod pod_pb;

/// A response body: its chunks, then the end — or, for the last watch, nothing more
/// ever (an open watch with no news).
struct Chunks {
    chunks: VecDeque<Bytes>,
    open: bool,
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.chunks.pop_front() {
            Some(c) => Poll::Ready(Some(Ok(Frame::data(c)))),
            None if self.open => Poll::Pending,
            None => Poll::Ready(None),
        }
    }
}

fn pod(name: &str, rv: u32) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "shop", "resourceVersion": rv.to_string(),
                     "creationTimestamp": "2026-12-07T05:15:18Z",
                     "labels": {"app": "web", "pod-template-hash": "abc"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "shop/web:2.0"}]},
        "status": {"phase": "Running", "startTime": "2026-12-07T05:15:20Z",
                   "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "app", "ready": true, "restartCount": 1,
                       "image": "shop/web:2.0", "imageID": "", "state": {"running": {}}}]}
    }))
    .expect("a pod")
}

fn frame(kind: &str, p: &Pod) -> Vec<u8> {
    pod_pb::watch_frame(kind, pod_pb::pod_object(p))
}

fn bookmark(rv: u32) -> Vec<u8> {
    let mut p = Pod::default();
    p.metadata.resource_version = Some(rv.to_string());
    frame("BOOKMARK", &p)
}

/// The scripted API server, and what it was asked.
#[derive(Clone, Default)]
struct Server {
    /// (path and query, Accept) of each request.
    requests: Arc<Mutex<Vec<(String, String)>>>,
    watches: Arc<Mutex<usize>>,
}

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

impl tower::Service<http::Request<kube::client::Body>> for Server {
    type Response = http::Response<Chunks>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<kube::client::Body>) -> Self::Future {
        let uri = req.uri().to_string();
        let accept = req
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        self.requests
            .lock()
            .expect("lock")
            .push((uri.clone(), accept));
        let (content_type, chunks, open) = if uri.contains("watch=true") {
            let mut n = self.watches.lock().expect("lock");
            *n += 1;
            let body: Vec<u8> = match *n {
                // A new pod, a bookmark, a change, then the body cut inside a frame.
                1 => {
                    let mut b = frame("ADDED", &pod("web-d", 11));
                    b.extend(bookmark(12));
                    b.extend(frame("MODIFIED", &pod("web-a", 13)));
                    let cut = frame("MODIFIED", &pod("web-c", 14));
                    b.extend(&cut[..cut.len() / 2]);
                    b
                }
                // Resumed from 13: a deletion, then 410.
                2 => {
                    let mut b = frame("DELETED", &pod("web-b", 14));
                    b.extend(pod_pb::watch_frame(
                        "ERROR",
                        pod_pb::status_object(410, "Expired", "too old resource version: 13 (20)"),
                    ));
                    b
                }
                _ => Vec::new(),
            };
            // Frames cut across chunks of 7 bytes.
            let chunks = body.chunks(7).map(Bytes::copy_from_slice).collect();
            (format!("{PROTOBUF};stream=watch"), chunks, *n > 2)
        } else {
            let page = if uri.contains("continue=page-2") {
                pod_pb::pod_list("10", "", &[pod("web-c", 9)])
            } else {
                pod_pb::pod_list("10", "page-2", &[pod("web-a", 7), pod("web-b", 8)])
            };
            (
                PROTOBUF.to_string(),
                VecDeque::from([Bytes::from(page)]),
                false,
            )
        };
        let res = http::Response::builder()
            .header(http::header::CONTENT_TYPE, content_type)
            .body(Chunks { chunks, open })
            .expect("response");
        std::future::ready(Ok(res))
    }
}

fn describe(item: Result<Event<WatchedPod>, watcher::Error>) -> String {
    match item {
        Ok(Event::Init) => "init".into(),
        Ok(Event::InitApply(p)) => format!("init-apply {} {}", p.row.name, p.row.status),
        Ok(Event::InitDone) => "init-done".into(),
        Ok(Event::Apply(p)) => format!("apply {} {}", p.row.name, p.row.ready_text()),
        Ok(Event::Delete(p)) => format!("delete {}", p.row.name),
        Err(watcher::Error::WatchError(s)) => format!("watch error {} {}", s.code, s.reason),
        Err(e) => format!("error {e}"),
    }
}

#[test]
fn protobuf_list_watch_bookmark_resume_and_410_relist() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = Server::default();
    let encodings = Arc::new(Encodings::default());
    let items = rt.block_on(async {
        let client = kube::Client::new(server.clone(), "shop");
        let api: Api<WatchedPod> = Api::namespaced(client, "shop");
        let wc = watcher::Config::default().labels("app=web").page_size(2);
        pod_watcher(api, wc, encodings.clone())
            .take(14)
            .map(describe)
            .collect::<Vec<_>>()
            .await
    });
    assert_eq!(
        items,
        [
            "init",
            "init-apply web-a Running",
            "init-apply web-b Running",
            "init-apply web-c Running",
            "init-done",
            "apply web-d 1/1",
            "apply web-a 1/1",
            "delete web-b",
            "watch error 410 Expired",
            "init",
            "init-apply web-a Running",
            "init-apply web-b Running",
            "init-apply web-c Running",
            "init-done",
        ][..],
        "{items:#?}"
    );
    let requests = server.requests.lock().expect("lock").clone();
    let paths: Vec<&str> = requests.iter().map(|(p, _)| p.as_str()).collect();
    let watches: Vec<&&str> = paths.iter().filter(|p| p.contains("watch=true")).collect();
    assert!(watches[0].contains("resourceVersion=10"), "{paths:#?}");
    assert!(
        watches[1].contains("resourceVersion=13"),
        "resumed after the bookmark and the last event: {paths:#?}"
    );
    assert!(paths.iter().any(|p| p.contains("continue=page-2")));
    for (path, accept) in &requests {
        assert_eq!(accept, ACCEPT_PROTOBUF, "{path}");
    }
    assert_eq!(encodings.json(), 0);
    assert_eq!(encodings.protobuf(), 6, "4 list pages, 2 watches");
}
