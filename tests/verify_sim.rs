//! Verification against the simulator (issue 6): `bad-deploy` ships checkout-api 1.6.0
//! (errors ~12 %). Without an undo, the checks fail at their first sample and say which
//! check and what value was seen; after a native undo (the `ActionRunner`), the HTTP
//! health, PromQL error-rate, pods-on-the-previous-image and rollout checks pass over a
//! fifteen-minute monitoring window compressed into seconds.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use backout::adapters::kube::{ActionRunner, FollowOutcome, LeaseGuard};
use backout::adapters::metrics_source::MetricsSource;
use backout::adapters::verify::{ClusterProbe, Control, Prober, TimeScale, run_window};
use backout::domain::cluster::{ClusterAction, Target};
use backout::domain::decision::Reading;
use backout::domain::runbook::{self, Runbook};
use backout::domain::verify::{Outcome, Probe, check_queries};
use backout::sim::metrics_source::SimMetricsSource;
use common::Sim;
use futures::future::join_all;

/// The checks of a runbook paired with the drill; the health check names the in-cluster
/// Service, which the simulator answers for (as in `backout drill`).
const RUNBOOK: &str = r#"---
target: { namespace: checkout, deployment: checkout-api }
metrics:
  queries:
    error_rate: sum(rate(http_requests_total{app="checkout",code=~"5.."}[2m])) / sum(rate(http_requests_total{app="checkout"}[2m]))
verify:
  - name: health
    http: { url: "http://checkout-api.checkout.svc.cluster.local/healthz", json_pointer: /status, equals: ok, max_latency: 5s }
    window: 15m
    every: 1m
  - { name: errors, promql: "error_rate < 0.02", window: 15m, every: 1m }
  - { name: pods, pods: { image: "1.5.0" }, window: 15m, every: 1m }
  - { name: rollout, rollout: {} }
---
# Checkout rollback

## Roll back

```bash
kubectl -n checkout rollout undo deployment/checkout-api
```

## Verify

The error ratio is back under 1 %:

```promql
sum(rate(http_requests_total{namespace="checkout",app="checkout",code=~"5.."}[5m]))
  / sum(rate(http_requests_total{namespace="checkout",app="checkout"}[5m])) < 0.01
```

p95 latency is back under 400 ms:

```promql
histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="checkout",app="checkout"}[5m]))) < 0.4
```

- [ ] Customers can check out again
"#;

/// 15 simulated minutes in 3 real seconds.
const SCALE: f64 = 300.0;

fn start() -> (Sim, Runbook, Prober, Arc<SimMetricsSource>) {
    let sim = Sim::drill("bad-deploy", 30.0);
    let book = runbook::parse(Path::new("checkout.md"), RUNBOOK).expect("runbook loads");
    let front = book.front.as_ref().expect("front matter");
    // As `backout drill` builds it: the runbook's ```promql checks are read from what
    // their expressions measure.
    let metrics = Arc::new(
        SimMetricsSource::for_runbook(sim.handle(), front)
            .expect("target complete")
            .expect("metrics")
            .with_expressions(check_queries(&book.checks)),
    );
    let conn = sim.connect("backout-sim", false);
    let prober = Prober {
        http: sim.handle().http_client(None).expect("http client"),
        timeout: Duration::from_secs(10),
        cluster: Some(ClusterProbe::new(
            conn.client,
            Target::new("checkout", "checkout-api"),
        )),
        metrics: Some(metrics.clone()),
        // The health check names the in-cluster Service: the simulator answers for it.
        simulated_services: Some(sim.handle().url()),
        shell_env: Vec::new(),
        // As in `backout drill`: only what the simulator answers is measured.
        simulated_only: true,
    };
    (sim, book, prober, metrics)
}

fn error_rate(sim: &Sim, source: &SimMetricsSource) -> Option<f64> {
    match sim
        .runtime
        .block_on(source.value_at("error_rate", chrono::Utc::now()))
    {
        Reading::Sample(s) => Some(s.value),
        Reading::Absent(_) => None,
    }
}

/// Runs every check of the runbook over its window, concurrently.
fn verify_all(sim: &Sim, book: &Runbook, prober: &Prober) -> Vec<(String, Outcome)> {
    sim.runtime.block_on(async {
        let runs = book.checks.iter().map(|check| async move {
            let (_keep, mut control) = tokio::sync::mpsc::channel::<Control>(1);
            let outcome = run_window(prober, check, TimeScale::new(SCALE), &mut control, |_| {})
                .await
                .expect("the window ends by itself");
            (check.name.clone(), outcome)
        });
        join_all(runs).await
    })
}

fn wait_for_bad_release(sim: &Sim, metrics: &SimMetricsSource) {
    sim.wait_for("every pod to run 1.6.0", || {
        error_rate(sim, metrics).is_some_and(|v| v > 0.10)
    });
}

#[test]
fn without_the_undo_the_checks_fail_and_say_which_and_why() {
    let (sim, book, prober, metrics) = start();
    wait_for_bad_release(&sim, &metrics);
    let outcomes = verify_all(&sim, &book, &prober);
    let by_name = |name: &str| {
        &outcomes
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{name} ran: {outcomes:?}"))
            .1
    };
    for name in ["health", "errors", "pods"] {
        let Outcome::Failed(f) = by_name(name) else {
            panic!("{name} must fail: {outcomes:?}")
        };
        assert_eq!(f.sample, 1, "{name} fails at its first sample: {f:?}");
    }
    // (When, in compressed check time, depends on how fast the machine answered.)
    let health = by_name("health").detail();
    assert!(
        health.starts_with("sample 1 at ") && health.ends_with(": HTTP 503 (limit: HTTP 200)"),
        "{health}"
    );
    let errors = by_name("errors").detail();
    assert!(
        errors.ends_with(": error_rate = 0.12 (limit: error_rate < 0.02)"),
        "{errors}"
    );
    let pods = by_name("pods").detail();
    assert!(
        pods.contains("runs registry.local/checkout-api:1.6.0")
            && pods.contains("(limit: 4 ready on revision 4, image 1.5.0)"),
        "{pods}"
    );
    // The bad release did roll out completely: that check alone passes.
    assert!(by_name("rollout").passed(), "{outcomes:?}");
    // The ```promql blocks, read from what their expressions measure: 12 % errors, and
    // p95 at 480 ms.
    let blocks = promql_blocks(&book);
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    let errors = by_name(&blocks[0]).detail();
    assert!(
        !by_name(&blocks[0]).passed() && errors.contains("= 0.12 (limit: "),
        "{errors}"
    );
    let latency = by_name(&blocks[1]).detail();
    assert!(
        !by_name(&blocks[1]).passed() && latency.contains("= 0.48") && latency.contains("< 0.4"),
        "{latency}"
    );
}

/// The names of the checks the runbook's ```promql blocks made, in order.
fn promql_blocks(book: &Runbook) -> Vec<String> {
    book.checks
        .iter()
        .filter(|c| matches!(&c.probe, Probe::Promql(p) if !p.queries.is_empty()))
        .map(|c| c.name.clone())
        .collect()
}

#[test]
fn after_a_native_undo_the_checks_pass_over_a_compressed_window() {
    let (sim, book, prober, metrics) = start();
    wait_for_bad_release(&sim, &metrics);

    let conn = sim.connect("backout-sim", false);
    let runner = ActionRunner::new(
        conn.client.clone(),
        Target::new("checkout", "checkout-api"),
        false,
    );
    let lease = sim
        .runtime
        .block_on(LeaseGuard::acquire(
            conn.client,
            "checkout",
            "checkout-api",
            "verify-test",
            Duration::from_secs(60),
        ))
        .expect("lease");
    sim.runtime
        .block_on(runner.execute(&ClusterAction::Undo { to_revision: None }, &lease))
        .expect("undo");
    let followed = sim
        .runtime
        .block_on(runner.follow(Duration::from_secs(120), |_| {}))
        .expect("follow");
    assert!(
        matches!(followed, FollowOutcome::Complete { .. }),
        "{followed:?}"
    );
    sim.wait_for("the old pods to stop serving", || {
        error_rate(&sim, &metrics).is_some_and(|v| v < 0.01)
    });

    let outcomes = verify_all(&sim, &book, &prober);
    assert_eq!(
        outcomes.len(),
        6,
        "four front-matter checks and two promql blocks"
    );
    for (name, outcome) in &outcomes {
        assert!(outcome.passed(), "{name}: {}", outcome.detail());
        assert_eq!(outcome.cut_short(), None);
    }
    let samples = |name: &str| match outcomes.iter().find(|(n, _)| n == name) {
        Some((_, Outcome::Passed { samples, .. })) => *samples,
        other => panic!("{name}: {other:?}"),
    };
    // A sample every simulated minute over fifteen: 16 samples, all passing.
    assert_eq!(samples("health"), 16);
    assert_eq!(samples("errors"), 16);
    assert_eq!(samples("pods"), 16);
    assert_eq!(samples("rollout"), 1);
    let detail = |name: &str| {
        outcomes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, o)| o.detail())
            .unwrap_or_default()
    };
    assert!(
        detail("errors").ends_with("last: error_rate = 0.004"),
        "{}",
        detail("errors")
    );
    assert!(
        detail("pods").contains("4/4 ready on revision 5 (registry.local/checkout-api:1.5.0)"),
        "{}",
        detail("pods")
    );
    assert!(
        detail("health").contains("/status = ok"),
        "{}",
        detail("health")
    );
    drop(lease);
}

#[test]
fn the_operator_may_cut_a_window_short_with_a_reason() {
    let (sim, book, prober, _metrics) = start();
    let health = book
        .checks
        .iter()
        .find(|c| c.name == "health")
        .expect("health");
    let outcome = sim.runtime.block_on(async {
        let (tx, mut control) = tokio::sync::mpsc::channel(1);
        let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
        // At real speed the second sample is a minute away: cut short after the first.
        let run = run_window(&prober, health, TimeScale::new(1.0), &mut control, |p| {
            let _ = seen_tx.send(p);
        });
        let cut = async {
            let first = seen.recv().await.expect("a first sample");
            assert!(first.sample.observation.is_pass(), "{first:?}");
            assert_eq!(first.passed, 1);
            assert_eq!(first.expected, 16);
            tx.send(Control::CutShort("customers confirm checkout works".into()))
                .await
                .expect("send");
        };
        let (outcome, ()) = tokio::join!(run, cut);
        outcome
    });
    let outcome = outcome.expect("cut short");
    assert!(outcome.passed(), "{outcome:?}");
    assert_eq!(
        outcome.cut_short(),
        Some("customers confirm checkout works")
    );
    assert!(
        outcome.detail().contains("1 sample passed"),
        "{}",
        outcome.detail()
    );
}

#[test]
fn a_refused_read_is_read_again_and_a_failing_api_server_is_named_plainly() {
    let (sim, book, prober, _metrics) = start();
    let rollout = book
        .checks
        .iter()
        .find(|c| c.name == "rollout")
        .expect("the rollout check");
    // Every request fails until one is refused: the sample reads again and is taken.
    sim.faults_until_one_is_refused();
    let seen = sim.runtime.block_on(prober.observe(rollout));
    assert!(seen.is_pass(), "{seen:?}");

    // An API server that keeps failing: unknown, with the server's words.
    sim.handle().shared().set_faults(backout::sim::ApiFaults {
        latency_ms: 0,
        error_ratio: 1.0,
    });
    let seen = sim.runtime.block_on(prober.observe(rollout));
    assert_eq!(
        seen,
        backout::domain::verify::Observation::Unknown {
            reason: "reading deployment/checkout-api: HTTP 500: simulated API server fault \
                     (injected by backout sim)"
                .into()
        }
    );
}

#[test]
fn a_drill_does_not_request_urls_outside_the_simulator() {
    let (sim, _book, prober, _metrics) = start();
    let outside = runbook::parse(
        Path::new("outside.md"),
        r#"---
verify:
  - { name: status-page, http: { url: "https://status.example.com/health" } }
---
# Outside

## Verify

- [ ] Status page green
"#,
    )
    .expect("runbook loads");
    let observed = sim.runtime.block_on(prober.observe(&outside.checks[0]));
    let backout::domain::verify::Observation::Unknown { reason } = &observed else {
        panic!("not requested: {observed:?}");
    };
    assert!(
        reason.starts_with("drill: https://status.example.com/health is outside the simulator"),
        "{reason}"
    );
}
