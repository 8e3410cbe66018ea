//! Watch lines decoded the way the console decodes them, one kind of line per mode:
//!
//! - `full` / `slim`: one pod watch line (`{"type":"MODIFIED","object":{…}}`, a 4.7 KB
//!   pod as a real API server sends it, `tests/fixtures/watch/pod.json`), as the full
//!   `k8s_openapi` `Pod` then `convert::pod_row` (before issue 19) and as `WatchedPod`.
//! - `pods`, `events`, `replica-sets`: the lines the simulator (`backout sim`) sent
//!   during a rolling update, recorded with `kubectl get --raw '…?watch=true'`: the six
//!   lines of a pod's churn (added pending, container creating, running twice, then
//!   terminating and deleted: `tests/fixtures/watch/churn_pods.jsonl`, ≈ 2 KB each), one
//!   Event of each reason (`churn_events.jsonl`), two ReplicaSets
//!   (`churn_replica_sets.jsonl`). Decoded with `serde_json::from_str`, as kube-client's
//!   watch stream does.
//!
//! - `pods-proto`: the same six churn pods as the protobuf watch events a real API server
//!   sends client-go (`support/pod_pb.rs`: k8s-pb, written as Go's marshaller writes),
//!   decoded by `proto_envelope::watch_event` (what `proto_watch` does per frame).
//!
//! Prints the time per line. For figures that do not depend on the machine's load, count
//! instructions, and subtract a 1-round run from an N-round run (the setup is the same):
//!
//! ```sh
//! cargo bench --bench watch_decode --no-run --locked
//! B=$(ls -t target/release/deps/watch_decode-* | grep -v '\.d$' | head -1)
//! for r in 1 2001; do
//!   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.pods.$r $B pods $r 2>&1 | grep refs
//! done
//! # instructions per line = (refs(2001) - refs(1)) / (2000 × lines in the mode)
//! ```
//!
//! Run: `cargo bench --bench watch_decode [-- MODE [ROUNDS]]` (MODE `all` by default).

use std::hint::black_box;
use std::time::Instant;

use backout::adapters::kube::convert;
use backout::adapters::kube::proto_envelope;
use backout::adapters::kube::watched_event::WatchedEvent;
use backout::adapters::kube::watched_pod::WatchedPod;
use backout::adapters::kube::watched_replica_set::WatchedReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::WatchEvent;
use serde::de::DeserializeOwned;

#[path = "support/pod_pb.rs"]
mod pod_pb;

const POD: &str = include_str!("../tests/fixtures/watch/pod.json");
const CHURN_PODS: &str = include_str!("../tests/fixtures/watch/churn_pods.jsonl");
const CHURN_EVENTS: &str = include_str!("../tests/fixtures/watch/churn_events.jsonl");
const CHURN_REPLICA_SETS: &str = include_str!("../tests/fixtures/watch/churn_replica_sets.jsonl");

/// Something of the decoded object, so that the decode is not optimised away.
trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for WatchedPod {
    fn weight(&self) -> usize {
        self.row.name.len() + self.row.status.len()
    }
}

impl Weight for WatchedEvent {
    fn weight(&self) -> usize {
        self.row.reason.len() + self.row.object.len()
    }
}

impl Weight for WatchedReplicaSet {
    fn weight(&self) -> usize {
        self.facts.name.len() + self.facts.images.len()
    }
}

fn weight<K: Weight>(e: WatchEvent<K>) -> usize {
    match e {
        WatchEvent::Added(k) | WatchEvent::Modified(k) | WatchEvent::Deleted(k) => k.weight(),
        WatchEvent::Bookmark(_) | WatchEvent::Error(_) => 1,
    }
}

fn full(line: &str) -> usize {
    match serde_json::from_str::<WatchEvent<Pod>>(line) {
        Ok(WatchEvent::Modified(p)) => convert::pod_row(&p).name.len(),
        _ => 0,
    }
}

/// As kube-client's watch stream decodes a line.
fn from_str<K: DeserializeOwned + Weight>(line: &str) -> usize {
    serde_json::from_str::<WatchEvent<K>>(line).map_or(0, weight)
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn run(name: &str, lines: &[String], rounds: usize, mut f: impl FnMut(&str) -> usize) {
    let t = Instant::now();
    let mut sink = 0;
    for _ in 0..rounds {
        for l in lines {
            sink += f(black_box(l));
        }
    }
    let n = (rounds * lines.len()).max(1);
    let per = t.elapsed() / u32::try_from(n).unwrap_or(u32::MAX);
    let bytes = lines.iter().map(String::len).sum::<usize>() / lines.len().max(1);
    println!("{name}: {per:?} per line of {bytes} bytes on average ({n} lines, {sink})");
}

/// The churn pod lines as protobuf `WatchEvent` messages (the frames without their length).
fn proto_events(lines: &[String]) -> Vec<Vec<u8>> {
    lines
        .iter()
        .map(|l| pod_pb::watch_body_of_json(l.as_bytes())[4..].to_vec())
        .collect()
}

fn run_proto(name: &str, events: &[Vec<u8>], rounds: usize) {
    let t = Instant::now();
    let mut sink = 0;
    for _ in 0..rounds {
        for e in events {
            sink += proto_envelope::watch_event(black_box(e)).map_or(0, weight);
        }
    }
    let n = (rounds * events.len()).max(1);
    let per = t.elapsed() / u32::try_from(n).unwrap_or(u32::MAX);
    let bytes = events.iter().map(Vec::len).sum::<usize>() / events.len().max(1);
    println!("{name}: {per:?} per event of {bytes} bytes on average ({n} events, {sink})");
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mode = args.first().map_or("all", String::as_str).to_string();
    let rounds: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let pod: serde_json::Value = serde_json::from_str(POD).expect("fixture");
    let fixture = vec![format!(r#"{{"type":"MODIFIED","object":{pod}}}"#)];
    let full_row = serde_json::from_str::<Pod>(POD).map(|p| convert::pod_row(&p));
    let slim_row = serde_json::from_str::<WatchedPod>(POD).map(|p| p.row);
    assert_eq!(full_row.ok(), slim_row.ok(), "both decode the pod");
    let pods = lines(CHURN_PODS);
    let events = lines(CHURN_EVENTS);
    let replica_sets = lines(CHURN_REPLICA_SETS);
    let on = |m: &str| mode == "all" || mode == m;
    if on("full") {
        run("full Pod + convert::pod_row", &fixture, rounds, full);
    }
    if on("slim") {
        run(
            "WatchedPod (slim decode)",
            &fixture,
            rounds,
            from_str::<WatchedPod>,
        );
    }
    if on("pods") {
        run(
            "churn pods, from_str",
            &pods,
            rounds,
            from_str::<WatchedPod>,
        );
    }
    if on("pods-proto") {
        run_proto("churn pods, protobuf", &proto_events(&pods), rounds);
    }
    if on("events") {
        run(
            "churn events, from_str",
            &events,
            rounds,
            from_str::<WatchedEvent>,
        );
    }
    if on("replica-sets") {
        run(
            "churn replica sets, from_str",
            &replica_sets,
            rounds,
            from_str::<WatchedReplicaSet>,
        );
    }
}
