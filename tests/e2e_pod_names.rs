//! Issue 18 point 2, as its "Done when" asks, in tmux: the real binary at 160×48 against a
//! simulator with a 10-pod deployment shows every pod distinguishably — each pod's random
//! suffix (the five characters kubernetes adds after the ReplicaSet's name, kubernetes
//! `staging/src/k8s.io/apiserver/pkg/storage/names/generate.go`) is on screen.

mod common;
mod support;

use common::Sim;
use support::console::on_sim;
use support::tmux::Tmux;

/// Ten replicas with a long name and image, so a cut would hit the suffixes first.
const TEN: &str = r#"
name: ten
namespace: payments
apps:
  - name: intelgraph-server-payments
    replicas: 10
    image: registry.example.internal/platform/intelgraph-server
    version: "v3.1.0-rc2"
"#;

const RUNBOOK: &str = "---
backout: 1
title: Ten pods
target:
  namespace: payments
  deployment: intelgraph-server-payments
---

# Ten pods

## 1. Look

- [ ] Every pod is on screen
";

#[test]
fn every_pod_of_a_ten_pod_deployment_is_distinguishable_at_160x48() {
    let sim = Sim::start(TEN, 1.0);
    sim.settled("intelgraph-server-payments");
    let pods = sim.json(&["-n", "payments", "get", "pods", "-o", "json"]);
    let names: Vec<String> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names.len(), 10, "{names:?}");
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("ten.md");
    std::fs::write(&runbook, RUNBOOK).expect("runbook");
    let t = Tmux::start(
        "pod-names",
        160,
        48,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "{} {}",
            env!("CARGO_BIN_EXE_backout"),
            on_sim(&runbook, &sim.kubeconfig)
        ),
    );
    // On the Pods pane's rows (a `Running` row), not in an event's message naming the pod.
    let s = t.wait_until("every pod's suffix on screen", |s| {
        s.contains("Pods 10")
            && names.iter().all(|n| {
                let suffix = n.rsplit('-').next().unwrap_or(n);
                s.lines()
                    .any(|l| l.contains("Running") && l.contains(&format!("-{suffix}")))
            })
    });
    // The image column keeps the tag.
    assert!(s.contains("v3.1.0-rc2"), "{s}");
    t.quit();
}
