//! Which model quantity a runbook metric reads ([`ModelMetric`]): by its name's
//! convention, else by the shape of its PromQL (see `sim/metrics_source/mod.rs`).

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
}
