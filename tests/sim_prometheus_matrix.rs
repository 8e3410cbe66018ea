//! The shipped runbook's decision matrix, fed through the Prometheus adapter by REAL
//! Prometheus scraping the simulator: the `bad-deploy` drill drives it to SEV-1 — pending
//! first, firing no sooner than the rule's `for` — and a rollback brings every metric back
//! below every threshold.
//!
//! The runbook is `runbooks/deployment-rollback.md` as shipped, with two changes so that
//! the test takes a minute rather than ten: rate windows of 20 s instead of 2–5 minutes,
//! and every `for` divided by six (SEV-1's 1 m becomes 10 s). The conditions, severities and
//! actions are the runbook's own.
//!
//! Needs `/usr/bin/prometheus` (Debian package `prometheus`) or `$PROMETHEUS`; without it
//! the test fails, it never skips.

mod common;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;

use backout::adapters::metrics_source::MetricsSource;
use backout::adapters::prometheus::{PrometheusSource, client_config};
use backout::adapters::runbook_file;
use backout::domain::decision::{
    Matrix, MatrixState, Reading, RuleState, Signals, Threshold, Verdict,
};
use backout::domain::runbook::front_matter::DurationSpec;
use common::Sim;

/// One console refresh: every named query, into the signals, then a matrix step.
async fn refresh(
    source: &PrometheusSource,
    matrix: &Matrix,
    state: &mut MatrixState,
    signals: &mut Signals,
) -> Verdict {
    let now = Utc::now();
    for (name, reading) in source.current(now).await {
        match reading {
            Reading::Sample(s) => signals.set_sample(name, s.value, s.at),
            Reading::Absent(a) => signals.set_absent(name, a),
        }
    }
    state.step(matrix, signals, now)
}

fn below_every_threshold(v: &Verdict, thresholds: &[Threshold]) -> bool {
    thresholds.iter().all(|t| {
        v.inputs
            .get(&t.metric)
            .is_some_and(|value| !t.op.holds(*value, t.value))
    })
}

#[test]
fn bad_deploy_drives_the_runbooks_matrix_to_sev1_and_a_rollback_clears_it() {
    let path = Path::new("runbooks/deployment-rollback.md");
    let mut rb = runbook_file::load(path).expect("the shipped runbook loads");
    let mut front = rb.front.take().expect("front matter");
    let metrics = front.metrics.as_mut().expect("metrics");
    for q in metrics.queries.values_mut() {
        *q = q.replace("[2m]", "[20s]").replace("[5m]", "[20s]");
    }
    metrics.prometheus.as_mut().expect("prometheus").token_env = None;
    for rule in &mut front.matrix {
        if let Some(DurationSpec(d)) = rule.for_.as_mut() {
            *d /= 6;
        }
    }
    let matrix = Matrix::from_front_matter(&front).expect("the runbook's matrix builds");
    let sev1 = matrix
        .rules()
        .iter()
        .position(|r| r.severity.label() == "SEV-1")
        .expect("a SEV-1 rule");
    let hold = matrix.rules()[sev1].hold;
    assert_eq!(hold, Duration::from_secs(10));
    let thresholds: Vec<Threshold> = matrix
        .rules()
        .iter()
        .flat_map(|r| r.condition.thresholds())
        .collect();
    assert!(!thresholds.is_empty());

    // At speed 4 the bad release (60 s into the drill) lands 15 s after start: time for
    // Prometheus to have a healthy rate window and for the baselines to be taken.
    let sim = Sim::drill("bad-deploy", 4.0);
    let prom = support::prometheus::scraping_sim(sim.handle());
    let config = client_config(
        Some(&front),
        |k| (k == "PROMETHEUS_URL").then(|| prom.url.clone()),
        Path::new("."),
    )
    .expect("config")
    .expect("a Prometheus is configured");
    let client = config.client(Duration::from_secs(5)).expect("client");
    let queries = front.metrics.as_ref().expect("metrics").queries.clone();
    let source = PrometheusSource::new(client, queries);
    let mut state = MatrixState::new();
    let mut signals = Signals::new(Duration::from_secs(15));

    sim.runtime.block_on(async {
        // Healthy: every query answers, nothing fires; baselines captured as at session start.
        let started = Instant::now();
        let quiet = loop {
            let v = refresh(&source, &matrix, &mut state, &mut signals).await;
            if v.inputs.contains_key("error_rate") && v.inputs.contains_key("latency_p95") {
                break v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no values from Prometheus at {} after 60 s: {:?}",
                prom.url,
                v.rules.iter().map(|r| &r.reasons).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        assert_eq!(quiet.highest_severity, None, "healthy: {:?}", quiet.inputs);
        let skipped = signals.capture_baselines(Utc::now());
        assert!(skipped.is_empty(), "baselines: {skipped:?}");

        // The bad release: the SEV-1 rule goes pending, then fires after its `for`.
        let mut pending_at: Option<chrono::DateTime<Utc>> = None;
        let started = Instant::now();
        let fired = loop {
            let v = refresh(&source, &matrix, &mut state, &mut signals).await;
            match v.rules[sev1].state {
                RuleState::Pending => {
                    pending_at.get_or_insert(v.at);
                }
                RuleState::Firing => break v,
                _ => {}
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "SEV-1 did not fire within 120 s; inputs {:?}",
                v.inputs
            );
            tokio::time::sleep(Duration::from_millis(1000)).await;
        };
        let pending_at = pending_at.expect("pending before firing");
        let held = (fired.at - pending_at).to_std().unwrap_or_default();
        assert!(held >= hold, "fired after {held:?}, its `for` is {hold:?}");
        assert_eq!(
            fired.highest_severity.as_ref().map(|s| s.label()),
            Some("SEV-1")
        );
        assert!(fired.inputs["error_rate"] > 0.10, "{:?}", fired.inputs);
        assert_eq!(
            fired.recommended_action.as_deref(),
            Some("Roll back now; page the service owner")
        );
    });

    let out = sim.rollout_undo("checkout", "checkout-api");
    assert_eq!(out.trim(), "deployment.apps/checkout-api rolled back");

    sim.runtime.block_on(async {
        let started = Instant::now();
        let recovered = loop {
            let v = refresh(&source, &matrix, &mut state, &mut signals).await;
            if v.highest_severity.is_none() && below_every_threshold(&v, &thresholds) {
                break v;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "not recovered within 120 s of the rollback: {:?} {:?}",
                v.highest_severity,
                v.inputs
            );
            tokio::time::sleep(Duration::from_millis(1000)).await;
        };
        assert!(recovered.firing.is_empty() && recovered.pending.is_empty());
    });
    drop(prom);
}
