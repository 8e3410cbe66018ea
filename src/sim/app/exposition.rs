//! The simulated application's Prometheus text exposition (format 0.0.4), served as
//! `GET /metrics` and `GET /sim/metrics`: `http_requests_total{namespace,app,version,code}`,
//! the `http_request_duration_seconds` histogram, cAdvisor-style per-pod CPU and memory,
//! and kube-state-metrics-style deployment gauges.

use std::fmt::Write as _;

use super::{BUCKETS, pod_spread};
use crate::sim::{Shared, res};

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The labels of one series of the application's requests.
fn series_labels(ns: &str, app: &str, version: &str) -> String {
    format!(
        "namespace=\"{}\",app=\"{}\",version=\"{}\"",
        esc(ns),
        esc(app),
        esc(version)
    )
}

/// Renders the exposition text.
pub fn render_metrics(shared: &Shared) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let (_, deployments) = shared.store.list(res("apps", "deployments"), None);
    let deployments: Vec<_> = deployments
        .into_iter()
        .filter(|d| d["metadata"]["namespace"] != crate::sim::cluster_dns::NAMESPACE)
        .collect();
    // The application's deployments and pods: the cluster's add-ons in `kube-system`
    // (CoreDNS) are not part of the simulated application's series, so a drill's unscoped sums stay its own.
    let (_, pods) = shared.store.list(res("", "pods"), None);
    let pods: Vec<_> = pods
        .into_iter()
        .filter(|p| p["metadata"]["namespace"] != crate::sim::cluster_dns::NAMESPACE)
        .collect();
    let st = shared.app.lock().unwrap_or_else(|p| p.into_inner());
    out.push_str("# HELP http_requests_total Requests answered by the simulated application.\n# TYPE http_requests_total counter\n");
    for ((ns, app, version), s) in &st.series {
        let l = series_labels(ns, app, version);
        let _ = writeln!(
            out,
            "http_requests_total{{{l},code=\"200\"}} {}",
            s.ok.floor()
        );
        let _ = writeln!(
            out,
            "http_requests_total{{{l},code=\"500\"}} {}",
            s.errors.floor()
        );
    }
    out.push_str("# HELP http_request_duration_seconds Latency of requests answered by the simulated application.\n# TYPE http_request_duration_seconds histogram\n");
    for ((ns, app, version), s) in &st.series {
        let l = series_labels(ns, app, version);
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{l},le=\"{le}\"}} {}",
                s.buckets[i].floor().min(s.count.floor())
            );
        }
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{{l},le=\"+Inf\"}} {}",
            s.count.floor()
        );
        let _ = writeln!(out, "http_request_duration_seconds_sum{{{l}}} {:.6}", s.sum);
        let _ = writeln!(
            out,
            "http_request_duration_seconds_count{{{l}}} {}",
            s.count.floor()
        );
    }
    drop(st);
    // CPU time of a container: its behaviour's usage over the time it has been running
    // (so the counter resets on a restart, as cAdvisor's does), ±10 % per pod.
    out.push_str("# HELP container_cpu_usage_seconds_total Cumulative CPU time consumed (simulated).\n# TYPE container_cpu_usage_seconds_total counter\n");
    for p in &pods {
        let Some(started) =
            p["status"]["containerStatuses"][0]["state"]["running"]["startedAt"].as_str()
        else {
            continue;
        };
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let pod = p["metadata"]["name"].as_str().unwrap_or_default();
        let c = p["spec"]["containers"][0]["name"]
            .as_str()
            .unwrap_or_default();
        let spread = pod_spread(pod);
        let cores = shared.with_behaviour(&p["spec"], |b| b.cpu_millicores / 1000.0);
        let v = cores * spread * shared.clock.secs_since(started);
        let _ = writeln!(
            out,
            "container_cpu_usage_seconds_total{{namespace=\"{}\",pod=\"{}\",container=\"{}\"}} {v:.6}",
            esc(ns),
            esc(pod),
            esc(c)
        );
    }
    out.push_str("# HELP container_memory_working_set_bytes Current working set (simulated).\n# TYPE container_memory_working_set_bytes gauge\n");
    for p in &pods {
        if p["status"]["phase"] != "Running" {
            continue;
        }
        let b = shared.behaviour_of(&p["spec"]);
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let pod = p["metadata"]["name"].as_str().unwrap_or_default();
        let c = p["spec"]["containers"][0]["name"]
            .as_str()
            .unwrap_or_default();
        let bytes = (b.memory_mib * 1024.0 * 1024.0).round();
        let _ = writeln!(
            out,
            "container_memory_working_set_bytes{{namespace=\"{}\",pod=\"{}\",container=\"{}\"}} {bytes}",
            esc(ns),
            esc(pod),
            esc(c)
        );
    }
    out.push_str("# HELP kube_pod_container_status_restarts_total The number of container restarts per container.\n# TYPE kube_pod_container_status_restarts_total counter\n");
    for p in &pods {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let pod = p["metadata"]["name"].as_str().unwrap_or_default();
        for c in p["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let _ = writeln!(
                out,
                "kube_pod_container_status_restarts_total{{namespace=\"{}\",pod=\"{}\",container=\"{}\"}} {}",
                esc(ns),
                esc(pod),
                esc(c["name"].as_str().unwrap_or_default()),
                c["restartCount"].as_i64().unwrap_or(0)
            );
        }
    }
    let gauges: &[(&str, &str, &[&str])] = &[
        (
            "kube_deployment_spec_replicas",
            "Number of desired pods for a deployment.",
            &["spec", "replicas"],
        ),
        (
            "kube_deployment_status_replicas",
            "The number of replicas per deployment.",
            &["status", "replicas"],
        ),
        (
            "kube_deployment_status_replicas_ready",
            "The number of ready replicas per deployment.",
            &["status", "readyReplicas"],
        ),
        (
            "kube_deployment_status_replicas_available",
            "The number of available replicas per deployment.",
            &["status", "availableReplicas"],
        ),
        (
            "kube_deployment_status_replicas_unavailable",
            "The number of unavailable replicas per deployment.",
            &["status", "unavailableReplicas"],
        ),
        (
            "kube_deployment_status_replicas_updated",
            "The number of updated replicas per deployment.",
            &["status", "updatedReplicas"],
        ),
        (
            "kube_deployment_status_observed_generation",
            "The generation observed by the deployment controller.",
            &["status", "observedGeneration"],
        ),
        (
            "kube_deployment_metadata_generation",
            "Sequence number representing a specific generation of the desired state.",
            &["metadata", "generation"],
        ),
    ];
    for (name, help, path) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for d in &deployments {
            let v = path
                .iter()
                .fold(&**d, |cur, k| &cur[*k])
                .as_i64()
                .unwrap_or(0);
            let _ = writeln!(
                out,
                "{name}{{namespace=\"{}\",deployment=\"{}\"}} {v}",
                esc(d["metadata"]["namespace"].as_str().unwrap_or_default()),
                esc(d["metadata"]["name"].as_str().unwrap_or_default())
            );
        }
    }
    out
}
