//! Simulator-fed metrics: the runbook's named metrics computed from the in-process
//! simulator's application model (no Prometheus), through the same `MetricsSource`
//! interface, while `bad-deploy` plays at high speed and is then undone with kubectl.
//! The decision matrix reads them like Prometheus answers.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use backout::adapters::metrics_source::{MetricsSource, Window};
use backout::adapters::runbook_file;
use backout::domain::decision::{Matrix, MatrixState, Reading, Signals};
use backout::domain::runbook;
use backout::sim::metrics_source::SimMetricsSource;
use backout::sim::{Scenario, SimConfig};
use chrono::Utc;
use common::Sim;

const RUNBOOK: &str = r#"---
backout: 1
title: Checkout drill
target: { namespace: checkout, deployment: checkout-api }
metrics:
  queries:
    error_rate: "sum(rate(http_requests_total{code=~'5..'}[1m])) / sum(rate(http_requests_total[1m]))"
    latency_p95: "histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[1m]))"
    cpu: "sum(rate(container_cpu_usage_seconds_total[1m]))"
    memory: "sum(container_memory_working_set_bytes)"
    queue_depth: "sum(queue_depth)"
matrix:
  - { when: "error_rate > 0.10", severity: SEV-1, action: Roll back now }
  - { when: "latency_p95 > 2 * baseline(latency_p95)", severity: SEV-2, action: Roll back soon }
---

# Checkout drill

## Roll back

```sh
kubectl -n checkout rollout undo deploy/checkout-api
```
"#;

fn value(sim: &Sim, source: &SimMetricsSource, name: &str) -> Option<f64> {
    match sim.runtime.block_on(source.value_at(name, Utc::now())) {
        Reading::Sample(s) => Some(s.value),
        Reading::Absent(_) => None,
    }
}

fn wait_value(
    sim: &Sim,
    source: &SimMetricsSource,
    name: &str,
    what: &str,
    ok: impl Fn(f64) -> bool,
) -> f64 {
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < Duration::from_secs(60) {
        if let Some(v) = value(sim, source, name) {
            last = Some(v);
            if ok(v) {
                return v;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}; last {name} = {last:?}");
}

#[test]
fn bad_deploy_raises_errors_and_latency_and_an_undo_brings_them_back() {
    let sim = Sim::drill("bad-deploy", 8.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drill.md");
    std::fs::write(&path, RUNBOOK).unwrap();
    let book = runbook_file::load(&path).expect("runbook loads");
    let front = book.front.as_ref().expect("front matter");
    let source = SimMetricsSource::for_runbook(sim.handle(), front)
        .expect("target complete")
        .expect("the runbook has metrics");
    assert_eq!(source.unmapped(), ["queue_depth"]);
    let matrix = Matrix::from_front_matter(front).expect("matrix loads");

    // Before the bad deploy (at 60 s simulated, 7.5 s here): 4 pods of 1.5.0.
    let now = Utc::now();
    let readings = sim.runtime.block_on(source.current(now));
    let Reading::Sample(err) = readings["error_rate"] else {
        panic!("{readings:?}")
    };
    assert!((err.value - 0.004).abs() < 1e-9, "{err:?}");
    assert_eq!(err.at, now);
    let Reading::Sample(p95) = readings["latency_p95"] else {
        panic!("{readings:?}")
    };
    assert!((p95.value - 0.120).abs() < 0.002, "{p95:?}");
    let Reading::Sample(mem) = readings["memory"] else {
        panic!("{readings:?}")
    };
    assert!(
        mem.value > 0.0 && mem.value % (1024.0 * 1024.0) == 0.0,
        "{mem:?}"
    );
    assert!(matches!(readings["cpu"], Reading::Sample(s) if s.value > 0.0));
    let Reading::Absent(why) = &readings["queue_depth"] else {
        panic!("{readings:?}")
    };
    assert!(format!("{why:?}").contains("cannot compute `queue_depth`"));

    // The session's baseline, then the matrix is quiet.
    let mut signals = Signals::default();
    for (k, r) in &readings {
        signals.set_reading(k.clone(), r.clone());
    }
    assert!(
        signals
            .capture_baselines(now)
            .iter()
            .any(|(k, _)| k == "queue_depth")
    );
    let mut state = MatrixState::new();
    let quiet = state.step(&matrix, &signals, now);
    assert_eq!(quiet.highest_severity, None, "{quiet:?}");

    // 1.6.0 rolls out: errors 12 %, p95 480 ms once every pod runs it.
    let bad = wait_value(&sim, &source, "error_rate", "errors to rise", |v| v > 0.10);
    assert!((bad - 0.12).abs() < 1e-9, "{bad}");
    let slow = wait_value(&sim, &source, "latency_p95", "p95 to rise", |v| v > 0.4);
    assert!(slow <= 0.481, "{slow}");
    let now = Utc::now();
    let mut s2 = signals.clone();
    for (k, r) in sim.runtime.block_on(source.current(now)) {
        s2.set_reading(k, r);
    }
    let v = state.step(&matrix, &s2, now);
    assert_eq!(
        v.highest_severity.as_ref().map(|s| s.to_string()),
        Some("SEV-1".into())
    );
    assert_eq!(v.firing.len(), 2, "errors and latency both fire: {v:?}");

    // The chart has the history since the source was first read, rising.
    let window = Window::sized_to(Utc::now(), Duration::from_secs(600), 60);
    let series = sim
        .runtime
        .block_on(source.series("error_rate", window))
        .expect("series");
    assert!(series.len() >= 3, "{series:?}");
    assert!(series.first().unwrap().value < 0.01 && series.last().unwrap().value > 0.1);
    assert!(series.windows(2).all(|w| w[0].at <= w[1].at));

    // Undo: back to 1.5.0, errors and latency fall, the matrix goes quiet.
    sim.rollout_undo("checkout", "checkout-api");
    let fixed = wait_value(&sim, &source, "error_rate", "errors to fall", |v| v < 0.01);
    assert!((fixed - 0.004).abs() < 1e-9, "{fixed}");
    wait_value(&sim, &source, "latency_p95", "p95 to fall", |v| v < 0.13);
    let now = Utc::now();
    let mut s3 = signals.clone();
    for (k, r) in sim.runtime.block_on(source.current(now)) {
        s3.set_reading(k, r);
    }
    let v = state.step(&matrix, &s3, now);
    assert_eq!(v.highest_severity, None, "{v:?}");

    // An hour ago is before anything was read: unknown, never a made-up value.
    let then = sim.runtime.block_on(source.baseline_at_offset(
        "error_rate",
        Utc::now(),
        Duration::from_secs(3600),
    ));
    let err = then.expect_err("no history an hour back");
    assert!(
        format!("{err:?}").contains("keeps no history before"),
        "{err:?}"
    );
}

#[test]
fn a_missing_target_or_no_ready_pods_is_unknown_not_zero() {
    let sim = Sim::start(common::WEB, 20.0);
    let gone = SimMetricsSource::new(
        sim.handle(),
        backout::sim::metrics_source::SimTarget {
            namespace: "shop".into(),
            deployment: "nope".into(),
            service: None,
        },
        ["error_rate".to_string()],
    );
    let r = sim
        .runtime
        .block_on(gone.value_at("error_rate", Utc::now()));
    assert!(
        matches!(&r, Reading::Absent(backout::domain::decision::Absence::Failed(m)) if m.contains("deployment.apps/nope not found in shop")),
        "{r:?}"
    );

    let web = SimMetricsSource::new(
        sim.handle(),
        backout::sim::metrics_source::SimTarget {
            namespace: "shop".into(),
            deployment: "web".into(),
            service: None,
        },
        ["error_rate".to_string(), "ready_pods".to_string()],
    );
    assert_eq!(value(&sim, &web, "ready_pods"), Some(3.0));
    sim.ok(&["-n", "shop", "scale", "deploy/web", "--replicas=0"]);
    sim.wait_for("no ready pods", || {
        value(&sim, &web, "ready_pods") == Some(0.0)
    });
    let r = sim.runtime.block_on(web.value_at("error_rate", Utc::now()));
    assert_eq!(
        r,
        Reading::Absent(backout::domain::decision::Absence::NoData),
        "no traffic is no data"
    );
}

/// A runbook whose only metrics are its ```promql verification blocks: a drill reads them
/// from the model all the same.
#[test]
fn promql_checks_are_served_without_any_named_query() {
    let scenario =
        Scenario::load("bad-deploy", Path::new("runbooks/drills")).expect("bad-deploy loads");
    let sim = Sim::start_with(SimConfig {
        scenario: Some(scenario),
        ..SimConfig::default()
    });
    let book = runbook::parse(
        Path::new("checks-only.md"),
        r#"---
target: { namespace: checkout, deployment: checkout-api }
---
# Checkout

## Verify

```promql
sum(rate(http_requests_total{namespace="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{namespace="checkout"}[5m])) < 0.01
```
"#,
    )
    .expect("runbook loads");
    let front = book.front.as_ref().expect("front matter");
    assert!(
        SimMetricsSource::for_runbook(sim.handle(), front)
            .unwrap()
            .is_none(),
        "no named queries"
    );
    let queries = backout::domain::verify::check_queries(&book.checks);
    let name = queries.keys().next().expect("the block's query").clone();
    let source = SimMetricsSource::for_runbook_and_checks(sim.handle(), front, queries.clone())
        .expect("target complete")
        .expect("the checks' queries");
    assert!(source.unmapped().is_empty());
    // Before the bad release: 0.4 % errors.
    let v = value(&sim, &source, &name).expect("a value");
    assert!((v - 0.004).abs() < 1e-9, "{v}");
}
