//! Simulator at scale: 10,000 pods in one namespace. Measures a full list (JSON and
//! Table), a paginated list walk, watch event throughput with three concurrent watchers,
//! and resident memory. Prints a report; `cargo bench --bench sim_scale`.

use std::time::{Duration, Instant};

use backout::sim::auth::ADMIN_TOKEN;
use backout::sim::{SimConfig, Simulator, res};
use serde_json::json;

const PODS: usize = 10_000;
const NS: &str = "scale";

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(String::from)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pod(i: usize) -> serde_json::Value {
    json!({
        "metadata": {"name": format!("scale-{i:05}"), "labels": {"app": "scale", "shard": (i % 10).to_string()},
                     "annotations": {"backout.sim/bench": "true"}},
        "spec": {"containers": [{"name": "app", "image": "registry.local/scale:1.0", "ports": [{"containerPort": 8080}],
                                  "env": [{"name": "MODE", "value": "bench"}]}]}
    })
}

fn main() {
    // As `backout sim` does.
    backout::cli::sim::limit_malloc_arenas();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let rss0 = rss_mib();
    let sim = Simulator::start(SimConfig {
        speed: 50.0,
        ..SimConfig::default()
    })
    .await
    .expect("sim");
    let shared = sim.shared().clone();
    backout::sim::scenario::ensure_namespace(&shared, NS).expect("namespace");
    let t = Instant::now();
    for i in 0..PODS {
        let p = shared
            .prepare_create(res("", "pods"), NS, pod(i))
            .expect("pod");
        shared.store.create(res("", "pods"), p).expect("create");
    }
    let create = t.elapsed();
    // Let the pod lifecycle take every pod to Running/Ready.
    let t = Instant::now();
    loop {
        let (_, pods) = shared.store.list(res("", "pods"), Some(NS));
        if pods.iter().all(|p| {
            p["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        }) {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "pods did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let settle = t.elapsed();
    let rss_loaded = rss_mib();

    let http = sim.http_client(None).expect("https client");
    let url = format!("{}/api/v1/namespaces/{NS}/pods", sim.url());
    let auth = format!("Bearer {ADMIN_TOKEN}");
    let mut json_times = Vec::new();
    let mut bytes = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let body = http
            .get(&url)
            .header("Authorization", &auth)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body");
        json_times.push(t.elapsed());
        bytes = body.len();
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(PODS));
    }
    let mut table_times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let body = http
            .get(&url)
            .header("Authorization", &auth)
            .header(
                "Accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
            )
            .send()
            .await
            .expect("table")
            .bytes()
            .await
            .expect("body");
        table_times.push(t.elapsed());
        assert!(body.len() > 1000);
    }
    let t = Instant::now();
    let mut token: Option<String> = None;
    let mut seen = 0;
    loop {
        let mut req = http
            .get(&url)
            .header("Authorization", &auth)
            .query(&[("limit", "500")]);
        if let Some(c) = &token {
            req = req.query(&[("continue", c.as_str())]);
        }
        let v: serde_json::Value = req.send().await.expect("page").json().await.expect("json");
        seen += v["items"].as_array().map_or(0, Vec::len);
        token = v["metadata"]["continue"].as_str().map(String::from);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, PODS);
    let paged = t.elapsed();

    // Three concurrent watchers; then 10,000 modifications.
    let rv = shared.store.current_rv();
    let mut watchers = Vec::new();
    for _ in 0..3 {
        let resp = http
            .get(&url)
            .header("Authorization", &auth)
            .query(&[
                ("watch", "1"),
                ("resourceVersion", &rv.to_string()),
                ("allowWatchBookmarks", "true"),
            ])
            .send()
            .await
            .expect("watch");
        watchers.push(tokio::spawn(async move {
            let mut resp = resp;
            let mut lines = 0usize;
            while let Ok(Some(chunk)) = resp.chunk().await {
                lines += chunk.iter().filter(|b| **b == b'\n').count();
                if lines >= PODS {
                    return (lines, Instant::now());
                }
            }
            (lines, Instant::now())
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = Instant::now();
    let (_, pods) = shared.store.list(res("", "pods"), Some(NS));
    for p in pods.iter() {
        let mut o = (**p).clone();
        o["metadata"]["labels"]["touched"] = json!("yes");
        // A controller may have written in between; retry like a client would.
        if shared.store.update(res("", "pods"), o, None).is_err() {
            continue;
        }
    }
    let write = t.elapsed();
    let mut last = t;
    let mut min_lines = usize::MAX;
    for w in watchers {
        let (lines, at) = tokio::time::timeout(Duration::from_secs(120), w)
            .await
            .expect("watcher finished")
            .expect("join");
        min_lines = min_lines.min(lines);
        last = last.max(at);
    }
    let delivered = last.duration_since(t);
    let rss_after = rss_mib();

    println!("backout sim scale benchmark ({PODS} pods in one namespace, 2 tokio workers)");
    println!(
        "  create {PODS} pods (store):                {:>8.1} ms",
        create.as_secs_f64() * 1e3
    );
    println!(
        "  all pods Running/Ready (controllers):      {:>8.1} ms",
        settle.as_secs_f64() * 1e3
    );
    println!(
        "  full list, JSON ({:.1} MiB), median of 7:  {:>8.1} ms",
        bytes as f64 / 1048576.0,
        median(json_times).as_secs_f64() * 1e3
    );
    println!(
        "  full list, Table (kubectl get), median 5: {:>8.1} ms",
        median(table_times).as_secs_f64() * 1e3
    );
    println!(
        "  paginated walk, limit=500 (20 pages):     {:>8.1} ms",
        paged.as_secs_f64() * 1e3
    );
    println!(
        "  {PODS} updates written:                   {:>8.1} ms",
        write.as_secs_f64() * 1e3
    );
    println!(
        "  3 watchers received >= {min_lines} events in {:.1} ms: {:.0} events/s per watcher",
        delivered.as_secs_f64() * 1e3,
        PODS as f64 / delivered.as_secs_f64()
    );
    println!(
        "  RSS: start {rss0:.1} MiB, 10k pods loaded {rss_loaded:.1} MiB, after 10k-event burst {rss_after:.1} MiB"
    );
    sim.shutdown().await;
}
