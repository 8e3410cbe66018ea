//! The console's watchers under churn (issue 19): one Deployment of 10,000 pods in the
//! simulator rolls three times (images 2.0, 3.0, 4.0) while the watchers run the way the
//! console runs them (`adapters::kube::spawn_watchers`, a bounded channel, a consumer
//! applying every `ClusterEvent` to a `PodTable`).
//!
//! The watchers, their HTTP connections and the consumer run on one OS thread (a
//! current-thread tokio runtime named `console`); the simulator runs on its own worker
//! threads. The console's cost is that thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), which
//! does not depend on what else the machine runs; the pod watch events are counted by a
//! separate metadata watcher on the simulator's runtime.
//!
//! Event → table latency under churn: every 250 ms a pod's `status.reason` is patched
//! (through `pods/status`) to a new value, which is what kubectl's STATUS column shows; the
//! time from sending the patch to the consumer's table showing it is recorded.
//!
//! Run: `cargo bench --bench watch_churn` (figures in docs/performance.md, "Churn").

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backout::adapters::kube::{ConnectOptions, connect, spawn_watchers};
use backout::domain::cluster::{ClusterEvent, PodTable, Target};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::PartialObjectMeta;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::{mpsc, oneshot};

const PODS: usize = 10_000;
const ROLLS: [&str; 3] = ["2.0", "3.0", "4.0"];

#[path = "support/cpu_time.rs"]
mod cpu_time;

use cpu_time::{load_average, thread_cpu};

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// What the console thread shares with the driver.
#[derive(Default)]
struct Console {
    /// Nanoseconds of CPU of the console thread, refreshed every 50 ms and on demand.
    cpu_ns: AtomicU64,
    pods: AtomicUsize,
    /// Messages received from the watchers.
    messages: AtomicU64,
    /// Pod name → (the STATUS awaited, who to tell).
    waiting: Mutex<HashMap<String, (String, oneshot::Sender<Instant>)>>,
    names: Mutex<Vec<String>>,
    stop: AtomicBool,
}

fn console_thread(
    kubeconfig: std::path::PathBuf,
    shared: Arc<Console>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("console".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let conn = connect(&ConnectOptions {
                    kubeconfig: Some(kubeconfig),
                    context: Some("backout-sim".into()),
                    ..ConnectOptions::default()
                })
                .await
                .expect("connect");
                let (tx, mut rx) = mpsc::channel::<ClusterEvent>(256);
                let _watchers = spawn_watchers(conn.client.clone(), &Target::new("big", "big"), tx);
                let mut table = PodTable::new();
                let mut tick = tokio::time::interval(Duration::from_millis(50));
                let check = |table: &PodTable, name: &str| {
                    let mut w = shared.waiting.lock().expect("lock");
                    if let Some((want, _)) = w.get(name)
                        && table.get(name).is_some_and(|r| &r.status == want)
                        && let Some((_, done)) = w.remove(name)
                    {
                        let _ = done.send(Instant::now());
                    }
                };
                loop {
                    tokio::select! {
                        ev = rx.recv() => {
                            let Some(ev) = ev else { return };
                            shared.messages.fetch_add(1, Ordering::Relaxed);
                            match ev {
                                ClusterEvent::PodsResynced(rows) => table.replace_all(rows),
                                ClusterEvent::PodUpserted(row) => {
                                    let name = row.name.clone();
                                    table.upsert(row);
                                    check(&table, &name);
                                }
                                ClusterEvent::PodDeleted(n) => {
                                    table.remove(&n);
                                }
                                ClusterEvent::PodsChanged { changes } => {
                                    let names: Vec<String> =
                                        changes.iter().map(|c| c.name().to_string()).collect();
                                    table.apply_batch(changes);
                                    for name in &names {
                                        check(&table, name);
                                    }
                                }
                                _ => {}
                            }
                            // What a frame reads.
                            let _ = (table.visible(0, 40), table.unhealthy());
                            shared.pods.store(table.len(), Ordering::Relaxed);
                        }
                        _ = tick.tick() => {
                            shared.cpu_ns.store(thread_cpu().as_nanos() as u64, Ordering::Relaxed);
                            if shared.stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let mut names = shared.names.lock().expect("lock");
                            if names.is_empty() {
                                names.extend(
                                    table
                                        .visible(0, usize::MAX)
                                        .iter()
                                        .filter(|r| r.status == "Running")
                                        .take(64)
                                        .map(|r| r.name.clone()),
                                );
                            }
                        }
                    }
                }
            });
        })
        .expect("console thread")
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
        kubeconfig,
        conn,
        dir: _dir,
    } = big_simulator::start("churn", PODS).await;

    // Pod watch events, counted apart from the console thread.
    let pod_events = Arc::new(AtomicU64::new(0));
    let counter = {
        let n = pod_events.clone();
        let api: Api<PartialObjectMeta<Pod>> = Api::namespaced(conn.client.clone(), "big");
        tokio::spawn(async move {
            let mut s = std::pin::pin!(watcher(api, watcher::Config::default()).default_backoff());
            while let Some(ev) = s.next().await {
                if matches!(ev, Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_))) {
                    n.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };

    let shared = Arc::new(Console::default());
    let t = Instant::now();
    let console = console_thread(kubeconfig, shared.clone());
    while shared.pods.load(Ordering::Relaxed) < PODS {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "console: {PODS} pods in the table after {:.1?}",
        t.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;

    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), "big");
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "big");
    let cpu0 = shared.cpu_ns.load(Ordering::Relaxed);
    let ev0 = pod_events.load(Ordering::Relaxed);
    let msg0 = shared.messages.load(Ordering::Relaxed);
    let load0 = load_average();
    let t0 = Instant::now();
    let mut lat: Vec<Duration> = Vec::new();
    let mut lost = 0usize;
    let mut probe = 0usize;
    for version in ROLLS {
        let patch = Patch::Strategic(serde_json::json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": format!("shop/big:{version}")}]}}}}));
        deployments
            .patch("big", &PatchParams::default(), &patch)
            .await
            .expect("set image");
        let rolled = Instant::now();
        loop {
            // One probe every 250 ms while the rollout runs.
            probe += 1;
            let name = shared.names.lock().expect("lock").pop();
            if let Some(name) = name {
                let want = format!("Probe{probe}");
                let (done_tx, done_rx) = oneshot::channel();
                shared
                    .waiting
                    .lock()
                    .expect("lock")
                    .insert(name.clone(), (want.clone(), done_tx));
                let patch = Patch::Merge(serde_json::json!({"status": {"reason": want}}));
                let sent = Instant::now();
                if pods
                    .patch_status(&name, &PatchParams::default(), &patch)
                    .await
                    .is_ok()
                {
                    match tokio::time::timeout(Duration::from_secs(5), done_rx).await {
                        Ok(Ok(at)) => lat.push(at - sent),
                        _ => lost += 1,
                    }
                } else {
                    shared.waiting.lock().expect("lock").remove(&name);
                }
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            let d = deployments.get("big").await.expect("deployment");
            let st = d.status.unwrap_or_default();
            let generation = d.metadata.generation.unwrap_or(0);
            if st.observed_generation == Some(generation)
                && st.updated_replicas == Some(PODS as i32)
                && st.replicas == Some(PODS as i32)
                && st.available_replicas == Some(PODS as i32)
            {
                break;
            }
            assert!(
                rolled.elapsed() < Duration::from_secs(600),
                "rollout to {version} too slow"
            );
        }
        println!("rolled to {version} in {:.1?}", rolled.elapsed());
    }
    // Let the console drain what is still in flight.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let wall = t0.elapsed();
    let cpu = Duration::from_nanos(shared.cpu_ns.load(Ordering::Relaxed) - cpu0);
    let events = pod_events.load(Ordering::Relaxed) - ev0;
    let messages = shared.messages.load(Ordering::Relaxed) - msg0;
    let load1 = load_average();
    shared.stop.store(true, Ordering::Relaxed);
    console.join().expect("console thread");
    counter.abort();
    lat.sort();
    println!(
        "churn: {} rolling updates of {PODS} pods in {wall:.1?}: {events} pod watch events, {messages} messages to the console",
        ROLLS.len()
    );
    println!(
        "console thread CPU: {:.2} s = {:.3} s per 10,000 pod events = {:.1} % of one core over the churn",
        cpu.as_secs_f64(),
        cpu.as_secs_f64() * 10_000.0 / events.max(1) as f64,
        cpu.as_secs_f64() / wall.as_secs_f64() * 100.0
    );
    println!(
        "pod change -> table under churn: p50 {:?}, p99 {:?}, max {:?} over {} probes ({lost} lost to pod replacement)",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.last().copied().unwrap_or_default(),
        lat.len()
    );
    println!("load average before {load0}, after {load1}");
    sim.shutdown().await;
}
