//! A churn's pod watch body recorded from the simulator: one Deployment of `pods` pods
//! rolled three times (images 2.0, 3.0, 4.0, as `benches/watch_churn.rs` rolls it) while
//! one raw watch (`watch=true` from the list's resourceVersion, no bookmarks, no
//! `timeoutSeconds`: the simulator keeps it open 30 minutes) of the namespace's pods
//! writes every byte of its body to a file, exactly as the API server sent it.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hyper::body::Body as _;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};

#[path = "big_simulator.rs"]
mod big_simulator;

const ROLLS: [&str; 3] = ["2.0", "3.0", "4.0"];

/// Runs the churn and writes the pod watch body to `path`; returns its lines.
pub async fn record(pods: usize, path: &Path) -> usize {
    let big = big_simulator::start("replay", pods).await;
    let client = big.conn.client.clone();
    let pod_api: Api<Pod> = Api::namespaced(client.clone(), "big");
    let listed = pod_api
        .list_metadata(&ListParams::default().limit(1))
        .await
        .expect("list");
    let rv = listed.metadata.resource_version.expect("resourceVersion");
    let req = http::Request::get(format!(
        "/api/v1/namespaces/big/pods?watch=true&resourceVersion={rv}"
    ))
    .body(kube::client::Body::empty())
    .expect("request");
    let res = client.send(req).await.expect("watch");
    assert!(res.status().is_success(), "{}", res.status());
    let stop = Arc::new(AtomicBool::new(false));
    let recorder = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut body = res.into_body();
            let mut bytes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let next = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx));
                match tokio::time::timeout(Duration::from_millis(200), next).await {
                    Ok(Some(Ok(frame))) => {
                        if let Some(d) = frame.data_ref() {
                            bytes.extend_from_slice(d);
                        }
                    }
                    Ok(_) => break,
                    Err(_) => {}
                }
            }
            bytes
        })
    };
    let deployments: Api<Deployment> = Api::namespaced(client, "big");
    for version in ROLLS {
        let patch = Patch::Strategic(serde_json::json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "image": format!("shop/big:{version}")}]}}}}));
        deployments
            .patch("big", &PatchParams::default(), &patch)
            .await
            .expect("set image");
        let rolled = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let d = deployments.get("big").await.expect("deployment");
            let st = d.status.unwrap_or_default();
            let done = st.observed_generation == d.metadata.generation
                && [st.updated_replicas, st.replicas, st.available_replicas]
                    .iter()
                    .all(|n| *n == Some(pods as i32));
            if done {
                break;
            }
            assert!(
                rolled.elapsed() < Duration::from_secs(900),
                "rollout too slow"
            );
        }
        println!("rolled to {version} in {:.1?}", rolled.elapsed());
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut bytes = recorder.await.expect("recorder");
    // Only whole lines.
    let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(end);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("directory");
    }
    std::fs::write(path, &bytes).expect("recording written");
    big.sim.shutdown().await;
    bytes.iter().filter(|b| **b == b'\n').count()
}
