//! One pod watch line (`{"type":"MODIFIED","object":{…}}`, a 4.7 KB pod as a real API
//! server sends it, `tests/fixtures/watch/pod.json`) decoded the way kube-client decodes
//! watch lines, two ways: the full `k8s_openapi` `Pod` then `convert::pod_row` (before
//! issue 19), and `WatchedPod` (the slim decode). Prints the time per line.
//!
//! For figures that do not depend on the machine's load, count instructions:
//!
//! ```sh
//! cargo bench --bench watch_decode --no-run
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.full target/release/deps/watch_decode-* full 10000
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.slim target/release/deps/watch_decode-* slim 10000
//! ```
//!
//! Run: `cargo bench --bench watch_decode [-- full|slim|both [LINES]]`.

use std::hint::black_box;
use std::time::Instant;

use backout::adapters::kube::convert;
use backout::adapters::kube::watched_pod::WatchedPod;
use k8s_openapi::api::core::v1::Pod;
use kube::api::WatchEvent;

const POD: &str = include_str!("../tests/fixtures/watch/pod.json");

fn full(line: &str) -> usize {
    match serde_json::from_str::<WatchEvent<Pod>>(line) {
        Ok(WatchEvent::Modified(p)) => convert::pod_row(&p).name.len(),
        _ => 0,
    }
}

fn slim(line: &str) -> usize {
    match serde_json::from_str::<WatchEvent<WatchedPod>>(line) {
        Ok(WatchEvent::Modified(p)) => p.row.name.len(),
        _ => 0,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mode = args.first().map_or("both", String::as_str).to_string();
    let lines: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let pod: serde_json::Value = serde_json::from_str(POD).expect("fixture");
    let line = format!(r#"{{"type":"MODIFIED","object":{pod}}}"#);
    assert_eq!(full(&line), slim(&line), "both decode the pod");
    let run = |name: &str, f: fn(&str) -> usize| {
        let t = Instant::now();
        let mut sink = 0;
        for _ in 0..lines {
            sink += f(black_box(&line));
        }
        let per = t.elapsed() / lines as u32;
        println!(
            "{name}: {per:?} per watch line of {} bytes ({lines} lines, {sink})",
            line.len()
        );
    };
    if mode == "full" || mode == "both" {
        run("full Pod + convert::pod_row", full);
    }
    if mode == "slim" || mode == "both" {
        run("WatchedPod (slim decode)", slim);
    }
}
