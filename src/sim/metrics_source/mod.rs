//! The runbook's named metrics computed directly from the simulated application's model,
//! for drills without a Prometheus: the same [`MetricsSource`] interface as
//! [`crate::adapters::prometheus::PrometheusSource`], so the metrics pane and the
//! decision matrix cannot tell them apart.
//!
//! A query's **name** (not its PromQL, which nothing evaluates here) says what it
//! measures, by convention (case-insensitive, first match wins):
//!
//! | name contains | value | unit |
//! |---|---|---|
//! | `error`, `5xx`, `fail` | share of requests answered with a 5xx | ratio 0–1 |
//! | `success`, `availability` | 1 − the error share | ratio 0–1 |
//! | `p99` / `p90` / `p50`, `median` | that latency quantile | seconds |
//! | `p95`, `latency`, `duration` | p95 latency | seconds |
//! | `cpu` | CPU of the target's running pods, summed | cores |
//! | `memory`, `mem_`, `rss`, `working_set` | working set of the running pods, summed | bytes |
//! | `restart` | container restarts of the target's pods, summed | count |
//! | `ready`, `available`, `replicas` | ready pods serving the target | count |
//!
//! A name no convention maps is read from its **PromQL** (parsed with `promql-parser`) when
//! the source was given it
//! ([`SimMetricsSource::with_expressions`]: a runbook's ```promql checks, named `step_N`):
//! exactly `histogram_quantile(q, …)` is that latency quantile; a ratio (`/`) with a 5xx
//! selector (`code=~"5.."`, `status=~"5.."`) in the numerator the error share;
//! `kube_deployment_status_replicas_available` or `…_ready`, bare or under one of
//! `sum`/`max`/`min`/`avg`, ready pods; `sum(rate(container_cpu_usage_seconds_total{…}[…]))`
//! CPU; `sum(container_memory_working_set_bytes{…})` memory;
//! `sum(kube_pod_container_status_restarts_total{…})` restarts. Anything else (arithmetic
//! around a shape, `avg`, `by (pod)`, `increase`, `absent`) reads as unknown.
//!
//! Other names read as unknown, with a reason naming this convention ([`unmapped`]).
//!
//! Values are the model's expected values, without the noise the simulator adds to its
//! `/sim/metrics` counters: traffic is spread evenly over the ready, non-terminating pods
//! the target's selector picks (the service's when the target names one, else the
//! deployment's), each answering with its version's behaviour; the latency quantile is
//! the quantile of that mixture of log-normal distributions. With no pod serving there is
//! no traffic, so error and latency read as "no data" (Prometheus would return no
//! series, or NaN), never as 0.
//!
//! The model has no past: values are computed for "now" (a requested time within
//! [`LIVE_TOLERANCE`] of the wall clock, or later) and remembered, so charts
//! ([`MetricsSource::series`]) and offsets reach back only to when this source was
//! first read. An older time reads the latest remembered value before it (the staleness
//! bound then judges it), or unknown. Baselines therefore come from the session start.
//!
//! [`unmapped`]: SimMetricsSource::unmapped

pub mod model_metric;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::domain::decision::{Absence, Reading, Sample};
use crate::domain::metrics_source::{MetricsSource, Window};
use crate::domain::runbook::front_matter::FrontMatter;
use crate::sim::controllers::{pod_ready, terminating};
use crate::sim::latency::{lognormal, mixture_quantile};
use crate::sim::selectors::LabelSelector;
use crate::sim::{Shared, SimHandle, res};

pub use model_metric::ModelMetric;

/// How far behind the wall clock a requested time still counts as "now".
pub const LIVE_TOLERANCE: Duration = Duration::from_secs(10);

/// Samples remembered per metric (at one refresh every 2 s: over two hours).
const HISTORY: usize = 4096;

/// Whose pods the metrics describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimTarget {
    pub namespace: String,
    pub deployment: String,
    /// Route through this service's selector (blue/green) instead of the deployment's.
    pub service: Option<String>,
}

/// Named metrics computed from the simulator's application model.
pub struct SimMetricsSource {
    shared: Arc<Shared>,
    target: SimTarget,
    names: Vec<String>,
    /// The PromQL of names read from their expression (a runbook's ```promql checks).
    expressions: BTreeMap<String, String>,
    history: Mutex<BTreeMap<String, Vec<Sample>>>,
}

impl std::fmt::Debug for SimMetricsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimMetricsSource")
            .field("target", &self.target)
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl SimMetricsSource {
    /// The metrics `names` of `target`, read from a running simulator.
    pub fn new(
        sim: &SimHandle,
        target: SimTarget,
        names: impl IntoIterator<Item = String>,
    ) -> SimMetricsSource {
        SimMetricsSource::from_shared(Arc::clone(sim.shared()), target, names)
    }

    /// The same, from the simulator's shared state.
    pub fn from_shared(
        shared: Arc<Shared>,
        target: SimTarget,
        names: impl IntoIterator<Item = String>,
    ) -> SimMetricsSource {
        SimMetricsSource {
            shared,
            target,
            names: names.into_iter().collect(),
            expressions: BTreeMap::new(),
            history: Mutex::new(BTreeMap::new()),
        }
    }

    /// Adds named PromQL expressions (a runbook's ```promql checks): a name the naming
    /// convention does not map is read from what its expression measures.
    pub fn with_expressions(
        mut self,
        queries: impl IntoIterator<Item = (String, String)>,
    ) -> SimMetricsSource {
        for (name, expr) in queries {
            if !self.names.contains(&name) {
                self.names.push(name.clone());
            }
            self.expressions.insert(name, expr);
        }
        self
    }

    /// What `name` measures: by its name, else by its expression.
    fn metric(&self, name: &str) -> Option<ModelMetric> {
        ModelMetric::of(name).or_else(|| {
            self.expressions
                .get(name)
                .and_then(|e| ModelMetric::of_promql(e))
        })
    }

    /// What a drill calls when no Prometheus is configured: the runbook's
    /// `metrics.queries` names, for its `target` (namespace and deployment required,
    /// `service` optional). `Ok(None)` when the runbook has no metrics.
    pub fn for_runbook(
        sim: &SimHandle,
        front: &FrontMatter,
    ) -> Result<Option<SimMetricsSource>, String> {
        SimMetricsSource::for_runbook_and_checks(sim, front, BTreeMap::new())
    }

    /// The same, also serving the queries the runbook's ```promql checks introduce (read
    /// from their expressions; see [`SimMetricsSource::with_expressions`]). `Ok(None)` when
    /// there is neither a named query nor a check query.
    pub fn for_runbook_and_checks(
        sim: &SimHandle,
        front: &FrontMatter,
        check_queries: BTreeMap<String, String>,
    ) -> Result<Option<SimMetricsSource>, String> {
        let names: Vec<String> = front
            .metrics
            .as_ref()
            .map(|m| m.queries.keys().cloned().collect())
            .unwrap_or_default();
        if names.is_empty() && check_queries.is_empty() {
            return Ok(None);
        }
        let target = front.target.as_ref();
        let namespace = target
            .and_then(|t| t.namespace.clone())
            .ok_or("simulator metrics need the runbook's target.namespace")?;
        let deployment = target
            .and_then(|t| t.deployment.clone())
            .ok_or("simulator metrics need the runbook's target.deployment")?;
        Ok(Some(
            SimMetricsSource::new(
                sim,
                SimTarget {
                    namespace,
                    deployment,
                    service: target.and_then(|t| t.service.clone()),
                },
                names,
            )
            .with_expressions(check_queries),
        ))
    }

    /// The names no convention maps (they always read as unknown): warn about them.
    pub fn unmapped(&self) -> Vec<String> {
        self.names
            .iter()
            .filter(|n| self.metric(n).is_none())
            .cloned()
            .collect()
    }

    /// The selector of the pods serving the target, or why there is none.
    fn selector(&self) -> Result<LabelSelector, Absence> {
        let t = &self.target;
        let sel = match &t.service {
            Some(svc) => {
                let s = self
                    .shared
                    .store
                    .get(res("", "services"), &t.namespace, svc)
                    .ok_or_else(|| {
                        Absence::Failed(format!("service {}/{svc} not found", t.namespace))
                    })?;
                json!({"matchLabels": s["spec"]["selector"]})
            }
            None => {
                let d = self
                    .shared
                    .store
                    .get(res("apps", "deployments"), &t.namespace, &t.deployment)
                    .ok_or_else(|| {
                        Absence::Failed(format!(
                            "deployment.apps/{} not found in {}",
                            t.deployment, t.namespace
                        ))
                    })?;
                d["spec"]["selector"].clone()
            }
        };
        let selector = LabelSelector::from_object(&sel);
        if selector.is_empty() {
            return Err(Absence::Failed("the target's selector is empty".into()));
        }
        Ok(selector)
    }

    /// The metric's value in the model right now.
    pub fn compute(&self, name: &str) -> Result<f64, Absence> {
        let metric = self.metric(name).ok_or_else(|| {
            Absence::Failed(match self.expressions.get(name) {
                Some(expr) => format!(
                    "the simulator cannot compute `{expr}`: it reads histogram_quantile, 5xx ratios and the kube-state/cAdvisor series named in docs/decision-matrix.md"
                ),
                None => format!(
                    "the simulator cannot compute `{name}`: name it after what it measures (error, p95/latency, cpu, memory, restart, ready; see docs/decision-matrix.md)"
                ),
            })
        })?;
        let selector = self.selector()?;
        let (_, pods) = self
            .shared
            .store
            .list(res("", "pods"), Some(&self.target.namespace));
        let mine: Vec<&Arc<Value>> = pods.iter().filter(|p| selector.matches(p)).collect();
        let serving: Vec<&Arc<Value>> = mine
            .iter()
            .copied()
            .filter(|p| !terminating(p) && pod_ready(p))
            .collect();
        let running = mine.iter().filter(|p| p["status"]["phase"] == "Running");
        let no_traffic = || {
            if serving.is_empty() {
                Err(Absence::NoData)
            } else {
                Ok(())
            }
        };
        Ok(match metric {
            ModelMetric::ErrorRatio | ModelMetric::SuccessRatio => {
                no_traffic()?;
                let sum: f64 = serving
                    .iter()
                    .map(|p| self.shared.with_behaviour(&p["spec"], |b| b.error_ratio))
                    .sum();
                let err = (sum / serving.len() as f64).clamp(0.0, 1.0);
                if metric == ModelMetric::ErrorRatio {
                    err
                } else {
                    1.0 - err
                }
            }
            ModelMetric::Latency(q) => {
                no_traffic()?;
                let dists: Vec<(f64, f64)> = serving
                    .iter()
                    .map(|p| {
                        self.shared.with_behaviour(&p["spec"], |b| {
                            lognormal(b.latency_p50_ms, b.latency_p95_ms)
                        })
                    })
                    .collect();
                mixture_quantile(&dists, q)
            }
            ModelMetric::CpuCores => running
                .map(|p| {
                    let pod = p["metadata"]["name"].as_str().unwrap_or_default();
                    self.shared
                        .with_behaviour(&p["spec"], |b| b.cpu_millicores / 1000.0)
                        * crate::sim::app::pod_spread(pod)
                })
                .sum(),
            ModelMetric::MemoryBytes => running
                .map(|p| {
                    self.shared
                        .with_behaviour(&p["spec"], |b| (b.memory_mib * 1024.0 * 1024.0).round())
                })
                .sum(),
            ModelMetric::Restarts => mine
                .iter()
                .flat_map(|p| {
                    p["status"]["containerStatuses"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                })
                .map(|c| c["restartCount"].as_f64().unwrap_or(0.0))
                .sum(),
            ModelMetric::ReadyPods => serving.len() as f64,
        })
    }

    fn remember(&self, name: &str, sample: Sample) {
        let mut h = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let list = h.entry(name.to_string()).or_default();
        if list.last().is_some_and(|l| l.at > sample.at) {
            // Out of order (a slow caller): keep the history sorted.
            let i = list.partition_point(|s| s.at <= sample.at);
            list.insert(i, sample);
        } else {
            list.push(sample);
        }
        if list.len() > HISTORY {
            let excess = list.len() - HISTORY;
            list.drain(..excess);
        }
    }

    fn is_live(at: DateTime<Utc>) -> bool {
        let tolerance = chrono::Duration::from_std(LIVE_TOLERANCE).unwrap_or_default();
        at >= Utc::now() - tolerance
    }

    fn read(&self, name: &str, at: DateTime<Utc>) -> Reading {
        if !self.names.iter().any(|n| n == name) {
            return Reading::Absent(Absence::Failed(format!("no query named `{name}`")));
        }
        if Self::is_live(at) {
            return match self.compute(name) {
                Ok(value) => {
                    let s = Sample { value, at };
                    self.remember(name, s);
                    Reading::Sample(s)
                }
                Err(a) => Reading::Absent(a),
            };
        }
        let h = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let list = h.get(name).map(Vec::as_slice).unwrap_or_default();
        match list.iter().rev().find(|s| s.at <= at) {
            Some(s) => Reading::Sample(*s),
            None => Reading::Absent(Absence::Failed(format!(
                "the simulator's model keeps no history before {}: its values are remembered from when they are first read",
                list.first()
                    .map(|s| s.at.to_rfc3339())
                    .unwrap_or_else(|| "now".into())
            ))),
        }
    }
}

impl MetricsSource for SimMetricsSource {
    fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    fn value_at<'a>(&'a self, name: &'a str, at: DateTime<Utc>) -> BoxFuture<'a, Reading> {
        Box::pin(async move { self.read(name, at) })
    }

    fn series<'a>(
        &'a self,
        name: &'a str,
        window: Window,
    ) -> BoxFuture<'a, Result<Vec<Sample>, Absence>> {
        Box::pin(async move {
            // A live window's end is "now": compute and remember it first.
            let live = if Self::is_live(window.end) {
                match self.read(name, window.end) {
                    Reading::Absent(a) => Some(a),
                    Reading::Sample(_) => None,
                }
            } else {
                None
            };
            let h = self.history.lock().unwrap_or_else(|p| p.into_inner());
            let samples: Vec<Sample> = h
                .get(name)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|s| s.at >= window.start && s.at <= window.end)
                .copied()
                .collect();
            if samples.is_empty() {
                Err(live.unwrap_or(Absence::NoData))
            } else {
                Ok(samples)
            }
        })
    }
}
