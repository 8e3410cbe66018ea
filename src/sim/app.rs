//! The simulated application behind every deployment: traffic spread across ready pods,
//! each pod answering with the error ratio and latency of its version's behaviour.
//!
//! Served on the simulator's own listener (`sim/http/app_routes.rs`):
//! - `GET /metrics` and `GET /sim/metrics`: Prometheus text exposition (format 0.0.4) with
//!   `http_requests_total{namespace,app,version,code}`, the
//!   `http_request_duration_seconds` histogram, cAdvisor-style per-pod CPU and memory,
//!   and kube-state-metrics-style deployment gauges.
//! - `GET /sim/health/{namespace}/{app}`: 200 while the pods serving traffic are healthy,
//!   503 when the running mix of versions is failing (error ratio above 5 %, p95 above
//!   1 s) or nothing is ready.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::controllers::{pod_ready, terminating};
use super::latency::{lognormal, phi};
use super::scenario::version_of;
use super::selectors::LabelSelector;
use super::{Shared, res};

/// Histogram bucket bounds, seconds.
pub const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Requests per simulated second for deployments no scenario configured.
const DEFAULT_RPS: f64 = 20.0;

#[derive(Debug, Clone, Default)]
struct Series {
    ok: f64,
    errors: f64,
    buckets: Vec<f64>,
    sum: f64,
    count: f64,
}

#[derive(Debug, Clone)]
struct AppEntry {
    namespace: String,
    /// Deployment name, or `svc/<name>` for service-routed traffic.
    key: String,
    /// Value of the `app` metric label.
    label: String,
    rps: f64,
    /// Route through this service's selector instead of the `app` label.
    service: Option<String>,
}

/// Ready pods of one application counted by `(version, behaviour index)`.
type PodGroups = Vec<((String, Option<usize>), usize)>;

/// Traffic counters of the simulated application.
pub struct AppState {
    rng: ChaCha8Rng,
    apps: Vec<AppEntry>,
    /// `(namespace, app, version)` → counters.
    series: BTreeMap<(String, String, String), Series>,
    /// Per application (same order as `apps`): ready pods by version and behaviour.
    groups: Vec<PodGroups>,
    /// Store version and behaviours generation `groups` was computed at.
    cache_key: Option<(u64, u64)>,
}

impl AppState {
    /// Empty counters; noise comes from `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xa99),
            apps: Vec::new(),
            series: BTreeMap::new(),
            groups: Vec::new(),
            cache_key: None,
        }
    }

    /// Declares an application (a deployment and its `app` label) and its traffic.
    pub fn register(&mut self, namespace: &str, deployment: &str, label: &str, rps: f64) {
        self.cache_key = None;
        self.apps
            .retain(|a| !(a.namespace == namespace && a.key == deployment));
        self.apps.push(AppEntry {
            namespace: namespace.into(),
            key: deployment.into(),
            label: label.into(),
            rps,
            service: None,
        });
    }

    /// Declares traffic sent through a service: it reaches the ready pods its selector
    /// picks at each moment (blue/green switches follow the selector).
    pub fn register_service(&mut self, namespace: &str, service: &str, label: &str, rps: f64) {
        self.cache_key = None;
        let key = format!("svc/{service}");
        self.apps
            .retain(|a| !(a.namespace == namespace && a.key == key));
        self.apps.push(AppEntry {
            namespace: namespace.into(),
            key,
            label: label.into(),
            rps,
            service: Some(service.into()),
        });
    }
}

fn app_label(d: &Value) -> String {
    d["spec"]["selector"]["matchLabels"]["app"]
        .as_str()
        .or(d["metadata"]["labels"]["app"].as_str())
        .or(d["metadata"]["name"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Advances traffic by `dt` simulated seconds.
pub fn advance(shared: &Shared, dt: f64) {
    if dt <= 0.0 {
        return;
    }
    let key = (shared.store.current_rv(), shared.behaviours_generation());
    let mut st = shared.app.lock().unwrap_or_else(|p| p.into_inner());
    if st.cache_key != Some(key) {
        regroup(shared, &mut st);
        st.cache_key = Some(key);
    }
    let st = &mut *st;
    for (a, groups) in st.apps.iter().zip(st.groups.iter()) {
        let serving: usize = groups.iter().map(|(_, n)| n).sum();
        if serving == 0 || a.rps <= 0.0 {
            continue;
        }
        let noise: f64 = st.rng.random_range(0.9..1.1);
        let per_pod = a.rps * dt * noise / serving as f64;
        for ((version, index), n) in groups {
            let requests = per_pod * *n as f64;
            let b = shared.behaviour_at(*index);
            let err_noise: f64 = st.rng.random_range(0.85..1.15);
            let errors = (requests * b.error_ratio * err_noise).min(requests);
            let (mu, sigma) = lognormal(b.latency_p50_ms, b.latency_p95_ms);
            let s = st
                .series
                .entry((a.namespace.clone(), a.label.clone(), version.clone()))
                .or_default();
            if s.buckets.is_empty() {
                s.buckets = vec![0.0; BUCKETS.len()];
            }
            s.ok += requests - errors;
            s.errors += errors;
            for (i, le) in BUCKETS.iter().enumerate() {
                s.buckets[i] += requests * phi((le.ln() - mu) / sigma);
            }
            s.count += requests;
            s.sum += requests * (mu + sigma * sigma / 2.0).exp();
        }
    }
}

/// Recomputes which ready pods serve each application, grouped by version and behaviour
/// (only when the store or the behaviours changed), and registers new deployments.
fn regroup(shared: &Shared, st: &mut AppState) {
    let (_, deployments) = shared.store.list(res("apps", "deployments"), None);
    let (_, pods) = shared.store.list(res("", "pods"), None);
    for d in &deployments {
        let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        // The cluster's add-ons (CoreDNS) serve no application traffic.
        if ns == crate::sim::cluster_dns::NAMESPACE {
            continue;
        }
        if !st.apps.iter().any(|a| a.namespace == ns && a.key == name) {
            let label = app_label(d);
            st.register(ns, name, &label, DEFAULT_RPS);
        }
    }
    let mut all = Vec::with_capacity(st.apps.len());
    for a in &st.apps {
        let selector = match &a.service {
            Some(svc) => match shared.store.get(res("", "services"), &a.namespace, svc) {
                Some(s) => {
                    LabelSelector::from_object(&json!({"matchLabels": s["spec"]["selector"]}))
                }
                None => LabelSelector::default(),
            },
            None => LabelSelector::from_object(&json!({"matchLabels": {"app": a.label}})),
        };
        let mut groups: BTreeMap<(String, Option<usize>), usize> = BTreeMap::new();
        if !selector.is_empty() {
            for p in pods.iter().filter(|p| {
                p["metadata"]["namespace"] == a.namespace.as_str()
                    && selector.matches(p)
                    && !terminating(p)
                    && pod_ready(p)
            }) {
                let key = (version_of(&p["spec"]), shared.behaviour_index(&p["spec"]));
                *groups.entry(key).or_default() += 1;
            }
        }
        all.push(groups.into_iter().collect());
    }
    st.groups = all;
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        let l = format!(
            "namespace=\"{}\",app=\"{}\",version=\"{}\"",
            esc(ns),
            esc(app),
            esc(version)
        );
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
        let l = format!(
            "namespace=\"{}\",app=\"{}\",version=\"{}\"",
            esc(ns),
            esc(app),
            esc(version)
        );
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
        let spread = 0.9
            + f64::from(
                pod.bytes()
                    .fold(0u8, |h, b| h.wrapping_mul(31).wrapping_add(b))
                    % 21,
            ) / 100.0;
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

/// The health of an application from the pods serving it: `(healthy, details)`.
pub fn health(shared: &Shared, namespace: &str, app: &str) -> (bool, Value) {
    let (_, pods) = shared.store.list(res("", "pods"), Some(namespace));
    // Through the service of that name when there is one (it decides who gets traffic).
    let selector = match shared.store.get(res("", "services"), namespace, app) {
        Some(svc) if svc["spec"]["selector"].is_object() => {
            LabelSelector::from_object(&json!({"matchLabels": svc["spec"]["selector"]}))
        }
        _ => LabelSelector::from_object(&json!({"matchLabels": {"app": app}})),
    };
    let serving: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| selector.matches(p) && !terminating(p) && pod_ready(p))
        .collect();
    if serving.is_empty() {
        return (
            false,
            json!({"status": "unavailable", "reason": "no ready pods", "app": app}),
        );
    }
    let mut err = 0.0;
    let mut p95: f64 = 0.0;
    let mut versions: BTreeMap<String, usize> = BTreeMap::new();
    for p in &serving {
        let b = shared.behaviour_of(&p["spec"]);
        err += b.error_ratio;
        p95 = p95.max(b.latency_p95_ms);
        *versions.entry(version_of(&p["spec"])).or_default() += 1;
    }
    let err = err / serving.len() as f64;
    let healthy = err <= 0.05 && p95 <= 1000.0;
    (
        healthy,
        json!({"status": if healthy { "ok" } else { "degraded" }, "app": app, "readyPods": serving.len(),
               "versions": versions, "errorRatio": err, "latencyP95Ms": p95}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_quantiles_round_trip() {
        let (mu, sigma) = lognormal(40.0, 160.0);
        assert!((phi((0.040f64.ln() - mu) / sigma) - 0.5).abs() < 1e-6);
        assert!((phi((0.160f64.ln() - mu) / sigma) - 0.95).abs() < 1e-3);
    }
}
