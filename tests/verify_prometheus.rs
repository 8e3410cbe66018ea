//! A ```promql verification block against real Prometheus scraping the simulator: the
//! block's raw expression is queried under its own name; during `bad-deploy` the check
//! fails and shows the error ratio seen, and after an undo it holds over a (compressed)
//! window.

mod common;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use backout::adapters::prometheus::{PrometheusClient, PrometheusSource};
use backout::adapters::verify::{Control, Prober, TimeScale, run_window};
use backout::domain::runbook;
use backout::domain::verify::{Observation, Outcome, Probe};
use common::Sim;

const RUNBOOK: &str = r#"# Checkout rollback

## Roll back

- [ ] Undo the release

## Verify

Errors must fall back under 2 %:

```promql
sum(rate(http_requests_total{namespace="checkout",app="checkout",code=~"5.."}[20s]))
  / sum(rate(http_requests_total{namespace="checkout",app="checkout"}[20s])) < 0.02
```
"#;

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn a_promql_block_fails_during_the_bad_release_and_holds_after_the_undo() {
    let book = runbook::parse(Path::new("checkout.md"), RUNBOOK).expect("loads");
    assert_eq!(book.checks.len(), 1);
    let check = book.checks[0].clone();
    let Probe::Promql(p) = &check.probe else {
        panic!("{check:?}")
    };
    let sim = Sim::drill("bad-deploy", 4.0);
    let prom = support::prometheus::scraping_sim(sim.handle());
    let client = PrometheusClient::new(&prom.url, None, Duration::from_secs(5)).expect("client");
    let mut prober = Prober::new(Duration::from_secs(10));
    prober.metrics = Some(Arc::new(PrometheusSource::new(client, p.queries.clone())));

    // The bad release: the check fails and says what it saw, the full 12 % once every
    // pod runs it.
    let name = p.queries.keys().next().expect("a query name").clone();
    let mut last = String::new();
    wait_for("the error ratio to reach 12 % in Prometheus", || match sim
        .runtime
        .block_on(prober.observe(&check))
    {
        Observation::Fail { seen, limit } => {
            assert_eq!(limit, p.text);
            let value: f64 = seen
                .strip_prefix(&format!("{name} = "))
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{seen}"));
            last = seen;
            value > 0.1
        }
        _ => false,
    });
    assert!(last.starts_with("errors_must_fall_back = 0.1"), "{last}");

    // The undo: the check holds over a minute sampled every 10 s, ten times faster.
    sim.rollout_undo("checkout", "checkout-api");
    wait_for("the error ratio to fall in Prometheus", || {
        sim.runtime.block_on(prober.observe(&check)).is_pass()
    });
    let mut windowed = check.clone();
    windowed.window = Some(Duration::from_secs(60));
    windowed.every = Duration::from_secs(10);
    let outcome = sim.runtime.block_on(async {
        let (_keep, mut control) = tokio::sync::mpsc::channel::<Control>(1);
        run_window(
            &prober,
            &windowed,
            TimeScale::new(10.0),
            &mut control,
            |_| {},
        )
        .await
    });
    assert!(
        matches!(outcome, Some(Outcome::Passed { samples: 7, .. })),
        "{outcome:?}"
    );
}
