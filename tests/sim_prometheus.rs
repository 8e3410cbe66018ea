//! Real Prometheus scraping the simulator: the standard error-ratio and p95 PromQL queries
//! rise when the `bad-deploy` drill ships its bad version and fall after
//! `kubectl rollout undo`.
//!
//! Needs `/usr/bin/prometheus` (Debian package `prometheus`) or `$PROMETHEUS`; without it
//! the test fails, it never skips.

mod common;
mod support;

use std::time::{Duration, Instant};

use common::Sim;

/// Rate window: the drill's standard queries with a window short enough for a test.
const WINDOW: &str = "20s";

fn error_ratio() -> String {
    format!(
        "sum(rate(http_requests_total{{app=\"checkout\",code=~\"5..\"}}[{WINDOW}])) / sum(rate(http_requests_total{{app=\"checkout\"}}[{WINDOW}]))"
    )
}

fn p95() -> String {
    format!(
        "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{{app=\"checkout\"}}[{WINDOW}])))"
    )
}

/// Runs an instant query; `None` while Prometheus has no answer.
async fn query(http: &reqwest::Client, prom: &str, q: &str) -> Option<f64> {
    let r = http
        .get(format!("{prom}/api/v1/query"))
        .query(&[("query", q)])
        .send()
        .await
        .ok()?;
    let v: serde_json::Value = r.json().await.ok()?;
    let s = v["data"]["result"][0]["value"][1].as_str()?;
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

async fn wait_value(
    http: &reqwest::Client,
    prom: &str,
    q: &str,
    what: &str,
    secs: u64,
    ok: impl Fn(f64) -> bool,
) -> f64 {
    let start = Instant::now();
    let mut last = None;
    while start.elapsed() < Duration::from_secs(secs) {
        if let Some(v) = query(http, prom, q).await {
            last = Some(v);
            if ok(v) {
                return v;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("timed out after {secs}s waiting for {what}; last value {last:?} of {q}");
}

#[test]
fn error_ratio_and_p95_rise_after_bad_deploy_and_fall_after_rollback() {
    // At speed 10 the bad deploy (60 s into the drill) lands 6 s after start.
    let sim = Sim::drill("bad-deploy", 10.0);
    let prom = support::prometheus::scraping_sim(sim.handle());
    let http = reqwest::Client::new();
    sim.runtime.block_on(async {
        let start = Instant::now();
        while query(&http, &prom.url, "up").await.is_none() {
            assert!(start.elapsed() < Duration::from_secs(30), "prometheus did not come up at {}", prom.url);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let base_err = wait_value(&http, &prom.url, &error_ratio(), "baseline error ratio", 30, |_| true).await;
        let base_p95 = wait_value(&http, &prom.url, &p95(), "baseline p95", 30, |_| true).await;
        assert!(base_err < 0.02, "baseline error ratio {base_err}");
        assert!(base_p95 < 0.25, "baseline p95 {base_p95}");

        let bad_err = wait_value(&http, &prom.url, &error_ratio(), "error ratio to rise", 60, |v| v > 0.08).await;
        let bad_p95 = wait_value(&http, &prom.url, &p95(), "p95 to rise", 60, |v| v > 2.0 * base_p95 && v > 0.3).await;
        eprintln!("baseline: errors {base_err:.4}, p95 {base_p95:.3}s; after bad deploy: errors {bad_err:.4}, p95 {bad_p95:.3}s");
    });
    let out = sim.rollout_undo("checkout", "checkout-api");
    assert_eq!(out.trim(), "deployment.apps/checkout-api rolled back");
    sim.ok(&[
        "-n",
        "checkout",
        "rollout",
        "status",
        "deployment/checkout-api",
        "--timeout=60s",
    ]);
    sim.runtime.block_on(async {
        let err = wait_value(
            &http,
            &prom.url,
            &error_ratio(),
            "error ratio to fall",
            90,
            |v| v < 0.02,
        )
        .await;
        let p = wait_value(&http, &prom.url, &p95(), "p95 to fall", 90, |v| v < 0.25).await;
        eprintln!("after rollback: errors {err:.4}, p95 {p:.3}s");
    });
    drop(prom);
}
