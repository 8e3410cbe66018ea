//! 10,000 pods in the simulator, watched the way the console watches them (DESIGN.md §6):
//! memory of the slim pod table, time from a pod change in the API to the `PodTable`
//! reflecting it, and the cost of a frame's `visible()` window.
//!
//! Run: `cargo bench --bench cluster_scale` (figures in docs/performance.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backout::adapters::kube::{convert, spawn_watchers};
use backout::domain::cluster::{ClusterEvent, PodTable, SortKey, Target};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
use tokio::sync::{mpsc, oneshot};

const PODS: usize = 10_000;
const CHANGES: usize = 200;

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64;
    pages * page
}

fn mb(b: u64) -> f64 {
    b as f64 / 1_048_576.0
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[path = "support/big_simulator.rs"]
mod big_simulator;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let big_simulator::BigSimulator {
        sim,
        kubeconfig: _,
        conn,
        dir: _dir,
    } = big_simulator::start("scale", PODS).await;
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "big");

    // Memory: full Pod objects versus slim rows, by RSS growth and by size accounting.
    let base = rss_bytes();
    let full = pods.list(&ListParams::default()).await.expect("list").items;
    let with_full = rss_bytes();
    assert_eq!(full.len(), PODS, "all pods listed");
    let mut table = PodTable::new();
    table.replace_all(full.iter().map(convert::pod_row).collect());
    drop(full);
    let slim_accounted = table.approx_bytes() as u64;
    println!(
        "memory: full Pod objects +{:.1} MB RSS; slim PodTable {:.1} MB by size accounting ({} B/pod)",
        mb(with_full.saturating_sub(base)),
        mb(slim_accounted),
        slim_accounted / PODS as u64
    );
    let frame_rows = 50;

    // visible(): the only per-frame call.
    let iters = 1_000_000u32;
    let t = Instant::now();
    let mut sink = 0usize;
    for i in 0..iters {
        let off = (i as usize * 7919) % (PODS - frame_rows);
        sink += table.visible(off, frame_rows).len();
    }
    let per = t.elapsed() / iters;
    println!("visible(offset, {frame_rows}) at {PODS} pods: {per:?} per call ({sink} rows seen)");
    let t = Instant::now();
    let mut bytes = 0;
    for r in table.visible(PODS / 2, frame_rows) {
        bytes += format!("{} {} {} {}", r.name, r.ready_text(), r.status, r.restarts).len();
    }
    println!(
        "formatting one window of {frame_rows} rows: {:?} ({bytes} bytes)",
        t.elapsed()
    );
    let t = Instant::now();
    table.set_sort(SortKey::Restarts, true);
    println!(
        "re-sort of {PODS} rows (on a key press, not per frame): {:?}",
        t.elapsed()
    );
    let sample = table.visible(0, 1).first().expect("a row").clone();
    let t = Instant::now();
    for i in 0..10_000u32 {
        let mut r = sample.clone();
        r.restarts = i % 50;
        table.upsert(r);
    }
    println!(
        "upsert into a sorted {PODS}-row table: {:?} per change",
        t.elapsed() / 10_000
    );
    drop(table);

    // Latency: a change in the API until the PodTable reflects it, through the real
    // watcher, channel and table.
    let (tx, mut rx) = mpsc::channel::<ClusterEvent>(4096);
    let _watchers = spawn_watchers(conn.client.clone(), &Target::new("big", "big"), tx);
    let waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Instant>>>> = Arc::default();
    let (ready_tx, ready_rx) = oneshot::channel::<(usize, u64)>();
    let consumer = {
        let waiting = waiting.clone();
        tokio::spawn(async move {
            let mut table = PodTable::new();
            let mut ready = Some(ready_tx);
            while let Some(ev) = rx.recv().await {
                match ev {
                    ClusterEvent::PodsResynced(rows) => {
                        table.replace_all(rows);
                        if let Some(r) = ready.take() {
                            let _ = r.send((table.len(), table.approx_bytes() as u64));
                        }
                    }
                    ClusterEvent::PodUpserted(row) => {
                        let name = row.name.clone();
                        table.upsert(row);
                        let _ = table.visible(0, 50);
                        if let Some(done) = waiting.lock().expect("lock").remove(&name) {
                            let _ = done.send(Instant::now());
                        }
                    }
                    ClusterEvent::PodDeleted(n) => {
                        table.remove(&n);
                    }
                    ClusterEvent::PodsChanged { changes } => {
                        let names: Vec<String> =
                            changes.iter().map(|c| c.name().to_string()).collect();
                        for c in changes {
                            table.apply(c);
                        }
                        let _ = table.visible(0, 50);
                        let mut waiting = waiting.lock().expect("lock");
                        for name in &names {
                            if let Some(done) = waiting.remove(name) {
                                let _ = done.send(Instant::now());
                            }
                        }
                    }
                    _ => {}
                }
            }
        })
    };
    let t = Instant::now();
    let (n, bytes) = ready_rx.await.expect("initial list");
    println!(
        "watch: initial list of {n} pods into the table in {:.1?}; table {:.1} MB accounted; process RSS now {:.1} MB (simulator included)",
        t.elapsed(),
        mb(bytes),
        mb(rss_bytes())
    );
    let names: Vec<String> = pods
        .list_metadata(&ListParams::default())
        .await
        .expect("names")
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    let mut lat = Vec::with_capacity(CHANGES);
    for i in 0..CHANGES {
        let name = &names[(i * 49) % names.len()];
        let (done_tx, done_rx) = oneshot::channel();
        waiting.lock().expect("lock").insert(name.clone(), done_tx);
        let patch =
            Patch::Merge(serde_json::json!({"metadata": {"labels": {"bench": i.to_string()}}}));
        let t0 = Instant::now();
        pods.patch(name, &PatchParams::default(), &patch)
            .await
            .expect("patch");
        let t1 = tokio::time::timeout(Duration::from_secs(10), done_rx)
            .await
            .expect("change seen within 10 s")
            .expect("consumer");
        lat.push(t1 - t0);
    }
    lat.sort();
    println!(
        "pod change in the API -> PodTable: p50 {:?}, p99 {:?}, max {:?} over {CHANGES} changes",
        pct(&lat, 0.50),
        pct(&lat, 0.99),
        lat[lat.len() - 1]
    );
    consumer.abort();
    sim.shutdown().await;
}
