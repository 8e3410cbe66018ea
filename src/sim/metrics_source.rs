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

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::adapters::metrics_source::{MetricsSource, Window};
use crate::domain::decision::{Absence, Reading, Sample};
use crate::domain::runbook::front_matter::FrontMatter;
use crate::sim::controllers::{pod_ready, terminating};
use crate::sim::selectors::LabelSelector;
use crate::sim::{Shared, SimHandle, res};

/// How far behind the wall clock a requested time still counts as "now".
pub const LIVE_TOLERANCE: Duration = Duration::from_secs(10);

/// Samples remembered per metric (at one refresh every 2 s: over two hours).
const HISTORY: usize = 4096;

/// What a metric name measures in the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelMetric {
    ErrorRatio,
    SuccessRatio,
    /// A latency quantile (0–1), seconds.
    Latency(f64),
    CpuCores,
    MemoryBytes,
    Restarts,
    ReadyPods,
}

impl ModelMetric {
    /// The naming convention (see the module documentation).
    pub fn of(name: &str) -> Option<ModelMetric> {
        let n = name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        Some(if has(&["error", "5xx", "fail"]) {
            ModelMetric::ErrorRatio
        } else if has(&["success", "availability"]) {
            ModelMetric::SuccessRatio
        } else if has(&["p99"]) {
            ModelMetric::Latency(0.99)
        } else if has(&["p90"]) {
            ModelMetric::Latency(0.90)
        } else if has(&["p50", "median"]) {
            ModelMetric::Latency(0.50)
        } else if has(&["p95", "latency", "duration"]) {
            ModelMetric::Latency(0.95)
        } else if has(&["cpu"]) {
            ModelMetric::CpuCores
        } else if has(&["memory", "mem_", "rss", "working_set"]) {
            ModelMetric::MemoryBytes
        } else if has(&["restart"]) {
            ModelMetric::Restarts
        } else if has(&["ready", "available", "replicas"]) {
            ModelMetric::ReadyPods
        } else {
            return None;
        })
    }
}

impl ModelMetric {
    /// What a PromQL expression measures, for the common shapes (see the module
    /// documentation), read with a PromQL parser (promql-parser); `None` for anything else,
    /// including what does not parse. Only an expression that is exactly the
    /// shape counts: `histogram_quantile(…) * 1000` (milliseconds), `100 * a / b`
    /// (percent) or `1 - a / b` (availability) mean something else, and are not guessed.
    pub fn of_promql(expr: &str) -> Option<ModelMetric> {
        use promql_parser::label::{MatchOp, Matcher};
        use promql_parser::parser::{self, Expr, VectorSelector};

        /// `e` without the parentheses around it.
        fn bare(mut e: &Expr) -> &Expr {
            while let Expr::Paren(p) = e {
                e = &p.expr;
            }
            e
        }
        /// `metric` or `metric{…}`, with no `offset` or `@`.
        fn selects<'a>(e: &'a Expr, metric: &str) -> Option<&'a VectorSelector> {
            match bare(e) {
                Expr::VectorSelector(vs)
                    if vs.name.as_deref() == Some(metric)
                        && vs.offset.is_none()
                        && vs.at.is_none() =>
                {
                    Some(vs)
                }
                _ => None,
            }
        }
        /// The argument of `agg(…)` when `e` is one of `aggs` with no `by`/`without`.
        fn aggregated<'a>(e: &'a Expr, aggs: &[&str]) -> Option<&'a Expr> {
            match bare(e) {
                Expr::Aggregate(a)
                    if a.modifier.is_none()
                        && a.param.is_none()
                        && aggs.contains(&a.op.to_string().as_str()) =>
                {
                    Some(&a.expr)
                }
                _ => None,
            }
        }
        /// Every label matcher of every selector in `e`.
        fn matchers<'a>(e: &'a Expr, out: &mut Vec<&'a Matcher>) {
            let mut selector = |vs: &'a VectorSelector| {
                out.extend(vs.matchers.matchers.iter());
                out.extend(vs.matchers.or_matchers.iter().flatten());
            };
            match e {
                Expr::VectorSelector(vs) => selector(vs),
                Expr::MatrixSelector(ms) => selector(&ms.vs),
                Expr::Aggregate(a) => {
                    matchers(&a.expr, out);
                    if let Some(p) = &a.param {
                        matchers(p, out);
                    }
                }
                Expr::Unary(u) => matchers(&u.expr, out),
                Expr::Binary(b) => {
                    matchers(&b.lhs, out);
                    matchers(&b.rhs, out);
                }
                Expr::Paren(p) => matchers(&p.expr, out),
                Expr::Subquery(q) => matchers(&q.expr, out),
                Expr::Call(c) => c.args.args.iter().for_each(|a| matchers(a, out)),
                _ => {}
            }
        }
        /// A selector of 5xx responses: `code`, `status` or `status_code` matching `5…`.
        fn five_xx(e: &Expr) -> bool {
            let mut all = Vec::new();
            matchers(e, &mut all);
            all.iter().any(|m| {
                ["code", "status", "status_code"].contains(&m.name.as_str())
                    && matches!(m.op, MatchOp::Equal | MatchOp::Re(_))
                    && m.value.starts_with('5')
            })
        }

        // A real PromQL parser: what does not parse is not read.
        let parsed = parser::parse(expr).ok()?;
        let e = bare(&parsed);
        if let Expr::Call(c) = e {
            if c.func.name != "histogram_quantile" {
                return None;
            }
            let q = match c.args.args.first().map(|a| bare(a)) {
                Some(Expr::NumberLiteral(n)) => n.val,
                _ => return None,
            };
            return (0.0..=1.0).contains(&q).then_some(ModelMetric::Latency(q));
        }
        if let Expr::Binary(b) = e {
            // Exactly `errors / total`: arithmetic around it (`100 * …`, `1 - …`) means
            // something else.
            let plain = |x: &Expr| !matches!(bare(x), Expr::Binary(_) | Expr::NumberLiteral(_));
            let ratio = b.op.to_string() == "/" && b.modifier.is_none();
            return (ratio
                && plain(&b.lhs)
                && plain(&b.rhs)
                && five_xx(&b.lhs)
                && !five_xx(&b.rhs))
            .then_some(ModelMetric::ErrorRatio);
        }
        // The model gives one number per target: the sum over its pods. Only shapes
        // Prometheus also answers with that one number are read — `sum(…)` of a per-pod
        // series with no `by`/`without` (an `avg`, a `by (pod)` or a bare per-pod series
        // means something else, or several series); the Deployment's own ready count bare
        // or under any single-series aggregation. `absent(…)`, `increase(…)` and the like
        // are not read through.
        let sum_of = aggregated(e, &["sum"]);
        let bare_sum = |metric: &str| sum_of.is_some_and(|i| selects(i, metric).is_some());
        let sum_rate = |metric: &str| {
            sum_of.is_some_and(|inner| match bare(inner) {
                Expr::Call(c) if ["rate", "irate"].contains(&c.func.name) => {
                    matches!(c.args.args.as_slice(), [arg] if matches!(bare(arg),
                        Expr::MatrixSelector(ms) if ms.vs.name.as_deref() == Some(metric)
                            && ms.vs.offset.is_none() && ms.vs.at.is_none()))
                }
                _ => false,
            })
        };
        let ready = |metric: &str| {
            selects(e, metric).is_some()
                || aggregated(e, &["sum", "max", "min", "avg"])
                    .is_some_and(|i| selects(i, metric).is_some())
        };
        Some(
            if ready("kube_deployment_status_replicas_available")
                || ready("kube_deployment_status_replicas_ready")
            {
                ModelMetric::ReadyPods
            } else if sum_rate("container_cpu_usage_seconds_total") {
                ModelMetric::CpuCores
            } else if bare_sum("container_memory_working_set_bytes") {
                ModelMetric::MemoryBytes
            } else if bare_sum("kube_pod_container_status_restarts_total") {
                ModelMetric::Restarts
            } else {
                return None;
            },
        )
    }
}

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
                        * spread(pod)
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

/// The per-pod spread the simulator applies to CPU in `/sim/metrics` (0.90–1.10).
fn spread(pod: &str) -> f64 {
    0.9 + f64::from(
        pod.bytes()
            .fold(0u8, |h, b| h.wrapping_mul(31).wrapping_add(b))
            % 21,
    ) / 100.0
}

/// Standard normal CDF (as the simulator computes its histogram).
fn phi(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.3275911 * z.abs());
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-z * z).exp();
    let erf = if z >= 0.0 { y } else { -y };
    0.5 * (1.0 + erf)
}

/// `(mu, sigma)` of the log-normal latency, seconds, like the simulator's.
fn lognormal(p50_ms: f64, p95_ms: f64) -> (f64, f64) {
    let p50 = (p50_ms.max(0.1)) / 1000.0;
    let p95 = (p95_ms.max(p50_ms + 0.1)) / 1000.0;
    let mu = p50.ln();
    let sigma = ((p95.ln() - mu) / 1.644_853_6).max(1e-3);
    (mu, sigma)
}

/// The `q` quantile (seconds) of an equal-weight mixture of log-normals, by bisection on
/// the log of the latency.
fn mixture_quantile(dists: &[(f64, f64)], q: f64) -> f64 {
    let cdf = |ln_x: f64| {
        dists
            .iter()
            .map(|(mu, sigma)| phi((ln_x - mu) / sigma))
            .sum::<f64>()
            / dists.len() as f64
    };
    let (mut lo, mut hi) = (1e-6f64.ln(), 1e4f64.ln());
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    ((lo + hi) / 2.0).exp()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_by_convention() {
        let cases = [
            ("error_rate", Some(ModelMetric::ErrorRatio)),
            ("http_5xx_ratio", Some(ModelMetric::ErrorRatio)),
            ("availability", Some(ModelMetric::SuccessRatio)),
            ("latency_p95", Some(ModelMetric::Latency(0.95))),
            ("latency_p99", Some(ModelMetric::Latency(0.99))),
            ("p50_latency", Some(ModelMetric::Latency(0.5))),
            ("request_duration", Some(ModelMetric::Latency(0.95))),
            ("CPU_cores", Some(ModelMetric::CpuCores)),
            ("memory_working_set", Some(ModelMetric::MemoryBytes)),
            ("pod_restarts", Some(ModelMetric::Restarts)),
            ("ready_pods", Some(ModelMetric::ReadyPods)),
            ("queue_depth", None),
        ];
        for (name, want) in cases {
            assert_eq!(ModelMetric::of(name), want, "{name}");
        }
    }

    #[test]
    fn promql_expressions_map_by_what_they_measure() {
        let cases = [
            (
                "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{app=\"checkout\"}[5m])))",
                Some(ModelMetric::Latency(0.95)),
            ),
            (
                "histogram_quantile( 0.99 , sum by (le) (rate(x_bucket[1m])))",
                Some(ModelMetric::Latency(0.99)),
            ),
            (
                "sum(rate(http_requests_total{namespace=\"checkout\",code=~\"5..\"}[5m]))\n  / sum(rate(http_requests_total{namespace=\"checkout\"}[5m]))",
                Some(ModelMetric::ErrorRatio),
            ),
            (
                "sum(rate(http_requests_total{status=~\"5..\"}[2m])) / sum(rate(http_requests_total[2m]))",
                Some(ModelMetric::ErrorRatio),
            ),
            // A 5xx rate that is not a ratio is not the error share.
            ("sum(rate(http_requests_total{code=~\"5..\"}[5m]))", None),
            (
                "kube_deployment_status_replicas_available{deployment=\"inventory\"}",
                Some(ModelMetric::ReadyPods),
            ),
            (
                "sum(rate(container_cpu_usage_seconds_total{pod=~\"web-.*\"}[5m]))",
                Some(ModelMetric::CpuCores),
            ),
            (
                "sum(container_memory_working_set_bytes{pod=~\"web-.*\"})",
                Some(ModelMetric::MemoryBytes),
            ),
            (
                "sum(increase(kube_pod_container_status_restarts_total{namespace=\"x\"}[10m]))",
                None,
            ),
            ("histogram_quantile(1.5, x)", None),
            ("up", None),
            // Arithmetic around a shape changes what it measures: not guessed.
            (
                "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) * 1000",
                None,
            ),
            (
                "100 * sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
                None,
            ),
            (
                "1 - sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
                None,
            ),
            // A `/` inside a label value is not a ratio.
            (
                "sum(rate(http_requests_total{code=~\"5..\",path=\"/x\"}[5m]))",
                None,
            ),
            // The 5xx selector belongs in the numerator.
            (
                "sum(rate(http_requests_total[5m])) / sum(rate(http_requests_total{code=~\"5..\"}[5m]))",
                None,
            ),
            ("sum(rate(x{a=\"(\"}[5m]))) / y", None),
            (
                "sum(container_memory_working_set_bytes{pod=~\"web-.*\"}) / 1024 / 1024",
                None,
            ),
            // Functions that change the meaning are not read through.
            (
                "absent(kube_deployment_status_replicas_available{deployment=\"web\"})",
                None,
            ),
            (
                "sum(increase(kube_pod_container_status_restarts_total[10m]))",
                None,
            ),
            (
                "max(kube_deployment_status_replicas_available{deployment=\"web\"})",
                Some(ModelMetric::ReadyPods),
            ),
            // Several series in Prometheus, or another aggregate: not the model's sum.
            (
                "sum(kube_pod_container_status_restarts_total{namespace=\"x\"}) by (pod)",
                None,
            ),
            (
                "avg(container_memory_working_set_bytes{pod=~\"web-.*\"})",
                None,
            ),
            ("container_memory_working_set_bytes{pod=~\"web-.*\"}", None),
            (
                "rate(container_cpu_usage_seconds_total{pod=~\"web-.*\"}[5m])",
                None,
            ),
            // Read by a PromQL parser: labels by name, not by substring; parentheses and
            // comments are syntax; `offset` and what does not parse are not read.
            (
                "sum(rate(http_requests_total{error_code=\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
                None,
            ),
            (
                "sum(rate(http_requests_total{code!~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))",
                None,
            ),
            (
                "(sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))) # 5xx share",
                Some(ModelMetric::ErrorRatio),
            ),
            (
                "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / on() sum(rate(http_requests_total[5m]))",
                None,
            ),
            (
                "kube_deployment_status_replicas_available{deployment=\"web\"} offset 5m",
                None,
            ),
            ("sum(rate(container_cpu_usage_seconds_total[5m])", None),
            (
                "sum(irate(container_cpu_usage_seconds_total{pod=~\"web-.*\"}[1m]))",
                Some(ModelMetric::CpuCores),
            ),
        ];
        for (expr, want) in cases {
            assert_eq!(ModelMetric::of_promql(expr), want, "{expr}");
        }
    }

    #[test]
    fn mixture_quantiles_match_one_distribution_and_sit_between_two() {
        let one = lognormal(40.0, 120.0);
        assert!((mixture_quantile(&[one], 0.95) - 0.120).abs() < 0.001);
        assert!((mixture_quantile(&[one], 0.5) - 0.040).abs() < 0.0005);
        let bad = lognormal(90.0, 480.0);
        let mixed = mixture_quantile(&[one, bad], 0.95);
        assert!(mixed > 0.120 && mixed < 0.480, "{mixed}");
    }
}
