//! A churn's pod watch body replayed from memory through a `kube::Client` and kube-runtime's
//! `watcher` (kube-client's `request_events`: `StreamReader` + `LinesCodec`, a `String` per
//! line, `serde_json::from_str`), decoding `WatchedPod` as the console's pods watcher does,
//! in chunks of the size TLS records carry (16 KB of plaintext at most), on a
//! current-thread runtime as the console's worker runs it; the client's service answers
//! the list with an empty page and the watch with the recorded body. No network, no TLS:
//! what is counted is the watch path from body chunks to events.
//!
//! Record once (a real churn in the simulator, `support/churn_recording.rs`), then count
//! instructions per watch line (load-independent) with callgrind, collecting only inside
//! `replay`:
//!
//! ```sh
//! cargo bench --bench watch_replay --no-run --locked
//! B=$(ls -t target/release/deps/watch_replay-* | grep -v '\.d$' | head -1)
//! $B record 10000 target/watch_replay/pods.jsonl
//! valgrind --tool=callgrind --toggle-collect='watch_replay::replay*' \
//!     --callgrind-out-file=/tmp/cg.kube $B kube target/watch_replay/pods.jsonl 20000
//! ```
//!
//! The same events as protobuf (what a real API server sends client-go's typed clients,
//! and what the console's pods watcher asks for): mode `protobuf` converts the recorded
//! JSON body, before the measured part, into the protobuf watch body the API server would
//! send for it (`support/pod_pb.rs`: each pod encoded with k8s-pb as Go's marshaller
//! writes it, in `k8s\x00` + `Unknown`, in a `metav1.WatchEvent`, in a 4-byte
//! length-delimited frame), served with `Content-Type:
//! application/vnd.kubernetes.protobuf;stream=watch` and read by `proto_watch::pod_watcher`
//! (the console's pods watcher); mode `ours-json` sends the JSON body through that same
//! watcher (its JSON fallback), to tell the watcher port from the encoding:
//!
//! ```sh
//! for m in kube ours-json protobuf; do
//!   valgrind --tool=callgrind --toggle-collect='watch_replay::replay*' \
//!       --callgrind-out-file=/tmp/cg.$m $B $m target/watch_replay/pods.jsonl 20000 2>&1 | grep refs
//! done
//! # instructions per pod event = refs / events (the printed line count)
//! ```
//!
//! Run: `cargo bench --bench watch_replay -- record|kube|ours-json|protobuf [PODS|PATH]
//! [LINES]` (figures in docs/performance.md, issue 19, "frame11", and "pbwatch: pods
//! watched as protobuf").

use std::collections::VecDeque;
use std::convert::Infallible;
use std::hint::black_box;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use std::sync::Arc;

use backout::adapters::kube::proto_watch::{Encodings, pod_watcher};
use backout::adapters::kube::watched_pod::WatchedPod;
use futures::{Stream, StreamExt};
use hyper::body::{Body, Bytes, Frame};
use kube::api::Api;
use kube::runtime::watcher::{self, Event};

#[path = "support/churn_recording.rs"]
mod churn_recording;
#[path = "support/pod_pb.rs"]
mod pod_pb;

/// The largest plaintext a TLS record carries.
const TLS_RECORD: usize = 16 * 1024;
const EMPTY_LIST: &str =
    r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}"#;

/// A response body yielding its bytes in chunks.
struct Chunks(VecDeque<Bytes>);

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|c| Ok(Frame::data(c))))
    }
}

/// The API server of the replay: an empty list, and the recorded body for a watch, in
/// JSON or (`protobuf`) in Kubernetes' protobuf.
#[derive(Clone)]
struct Replay {
    body: Bytes,
    protobuf: bool,
}

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

impl tower::Service<http::Request<kube::client::Body>> for Replay {
    type Response = http::Response<Chunks>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<kube::client::Body>) -> Self::Future {
        let watch = req.uri().query().is_some_and(|q| q.contains("watch=true"));
        let body = if watch {
            let b = &self.body;
            (0..b.len())
                .step_by(TLS_RECORD)
                .map(|at| b.slice(at..(at + TLS_RECORD).min(b.len())))
                .collect()
        } else if self.protobuf {
            VecDeque::from([Bytes::from(pod_pb::pod_list("1", "", &[]))])
        } else {
            VecDeque::from([Bytes::from_static(EMPTY_LIST.as_bytes())])
        };
        let content_type = match (self.protobuf, watch) {
            (false, _) => "application/json".to_string(),
            (true, false) => PROTOBUF.to_string(),
            (true, true) => format!("{PROTOBUF};stream=watch"),
        };
        let res = http::Response::builder()
            .header(http::header::CONTENT_TYPE, content_type)
            .body(Chunks(body))
            .expect("response");
        std::future::ready(Ok(res))
    }
}

/// Takes the watcher's events until `events` pod events came; returns a checksum.
async fn drain<S>(stream: S, events: usize) -> usize
where
    S: Stream<Item = Result<Event<WatchedPod>, watcher::Error>>,
{
    let mut stream = std::pin::pin!(stream);
    let (mut seen, mut sum) = (0, 0);
    while seen < events {
        match stream.next().await.expect("the watcher goes on") {
            Ok(Event::Apply(p) | Event::Delete(p)) => {
                seen += 1;
                sum += p.row.name.len() + p.row.status.len();
            }
            Ok(_) => {}
            Err(e) => panic!("replay failed: {e}"),
        }
    }
    sum
}

/// Which watcher reads which body.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The JSON body through kube-runtime's watcher.
    Kube,
    /// The JSON body through `proto_watch::pod_watcher` (its JSON fallback).
    OursJson,
    /// The protobuf body through `proto_watch::pod_watcher`.
    Protobuf,
}

/// Replays `body` (`events` watch events) through the watcher of `mode`; returns a
/// checksum.
#[inline(never)]
fn replay(body: Bytes, events: usize, mode: Mode) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let protobuf = mode == Mode::Protobuf;
        let client = kube::Client::new(Replay { body, protobuf }, "big");
        let api: Api<WatchedPod> = Api::namespaced(client, "big");
        let wc = watcher::Config::default();
        match mode {
            Mode::Kube => drain(watcher::watcher(api, wc), events).await,
            Mode::OursJson | Mode::Protobuf => {
                let encodings = Arc::new(Encodings::default());
                let sum = drain(pod_watcher(api, wc, encodings.clone()), events).await;
                let read = (encodings.protobuf(), encodings.json());
                assert_eq!(read, if protobuf { (2, 0) } else { (0, 2) });
                sum
            }
        }
    })
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mode = args.first().map_or("kube", String::as_str);
    if mode == "record" {
        let pods: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
        let path = args.get(2).map_or_else(
            || PathBuf::from("target/watch_replay/pods.jsonl"),
            PathBuf::from,
        );
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let lines = rt.block_on(churn_recording::record(pods, &path));
        println!("{lines} pod watch lines recorded to {}", path.display());
        return;
    }
    let path = args
        .get(1)
        .map_or("target/watch_replay/pods.jsonl", String::as_str);
    let all = std::fs::read(path).unwrap_or_else(|e| {
        panic!("{path}: {e} (record it first: watch_replay record 10000 {path})")
    });
    let limit: usize = args
        .get(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let ends: Vec<usize> = memchr::memchr_iter(b'\n', &all).take(limit).collect();
    let len = ends.last().map_or(0, |e| e + 1);
    let lines = ends.len();
    let replay_mode = match mode {
        "kube" => Mode::Kube,
        "ours-json" => Mode::OursJson,
        "protobuf" => Mode::Protobuf,
        other => panic!("mode {other}: record, kube, ours-json or protobuf"),
    };
    let body = if replay_mode == Mode::Protobuf {
        Bytes::from(pod_pb::watch_body_of_json(&all[..len]))
    } else {
        Bytes::from(all).slice(..len)
    };
    println!(
        "{lines} watch events, {:.1} MB ({mode}), {:.0} bytes an event, chunks of {TLS_RECORD} bytes",
        body.len() as f64 / 1e6,
        body.len() as f64 / lines.max(1) as f64
    );
    let t = Instant::now();
    let sum = replay(black_box(body), lines, replay_mode);
    println!(
        "{mode}: {:?} per watch event ({sum})",
        t.elapsed() / lines.max(1) as u32
    );
}
