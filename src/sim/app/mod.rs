//! The simulated application behind every deployment: traffic spread across ready pods,
//! each pod answering with the error ratio and latency of its version's behaviour.
//!
//! Served on the simulator's own listener (`sim/http/app_routes.rs`):
//! - `GET /metrics` and `GET /sim/metrics`: Prometheus text exposition (format 0.0.4) with
//!   `http_requests_total{namespace,app,version,code}`, the
//!   `http_request_duration_seconds` histogram, cAdvisor-style per-pod CPU and memory,
//!   and kube-state-metrics-style deployment gauges (`exposition.rs`).
//! - `GET /sim/health/{namespace}/{app}`: 200 while the pods serving traffic are healthy,
//!   503 when the running mix of versions is failing (error ratio above 5 %, p95 above
//!   1 s) or nothing is ready (`health.rs`).
//!
//! This file holds the traffic model: the applications declared, their counters, and
//! `advance`, which spreads a tick's requests over the ready pods.

mod exposition;
mod health;

use std::collections::BTreeMap;

pub use exposition::render_metrics;
pub use health::health;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::controllers::{pod_ready, terminating};
use super::latency::{lognormal, phi};
use super::scenario::version_of;
use super::selectors::LabelSelector;
use super::{Shared, res};

/// A pod's spread around its behaviour's resource usage (0.90–1.10), fixed by its name:
/// the CPU in `/sim/metrics` and `metrics.k8s.io`, and the drill metrics computed from them.
pub fn pod_spread(pod: &str) -> f64 {
    0.9 + f64::from(
        pod.bytes()
            .fold(0u8, |h, b| h.wrapping_mul(31).wrapping_add(b))
            % 21,
    ) / 100.0
}

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
