//! The Prometheus adapter and the decision matrix against REAL Prometheus, scraping a
//! tiny `/metrics` endpoint served here whose error ratio we control: 1 %, then 12 %,
//! then back to 1 %. The runbook rule `error_rate > 0.10 for 10s` must go pending, fire
//! as SEV-1 no sooner than its `for`, and resolve when the ratio falls.
//!
//! Needs `/usr/bin/prometheus` (Debian package `prometheus`) or `$PROMETHEUS`; without
//! it the test fails with a clear message, it never skips.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::Utc;

use backout::adapters::metrics_source::{MetricsSource, Window};
use backout::adapters::prometheus::{
    ErrorType, PromError, PrometheusClient, PrometheusSource, client_config,
};
use backout::domain::decision::{
    Matrix, MatrixState, Reading, RuleState, Severity, Signals, Verdict,
};
use backout::domain::runbook::front_matter::FrontMatter;

/// Counters of the fake application, advanced by a ticker.
#[derive(Default)]
struct App {
    ok: f64,
    errors: f64,
    error_ratio: f64,
}

async fn metrics(State(app): State<Arc<Mutex<App>>>) -> String {
    let a = app.lock().unwrap();
    format!(
        "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n\
         http_requests_total{{app=\"checkout\",code=\"200\"}} {}\n\
         http_requests_total{{app=\"checkout\",code=\"500\"}} {}\n",
        a.ok, a.errors
    )
}

const FRONT_MATTER: &str = r#"
metrics:
  prometheus: { url_env: TEST_PROM_URL }
  queries:
    error_rate: sum(rate(http_requests_total{app="checkout",code=~"5.."}[5s])) / sum(rate(http_requests_total{app="checkout"}[5s]))
matrix:
  - { when: "error_rate > 0.10", for: 10s, severity: SEV-1, action: Immediate rollback }
rto: { SEV-1: 2m }
"#;

/// One console refresh: query every metric, build the snapshot, step the matrix.
async fn refresh(source: &PrometheusSource, matrix: &Matrix, state: &mut MatrixState) -> Verdict {
    let now = Utc::now();
    let mut signals = Signals::new(Duration::from_secs(15));
    for (name, reading) in source.current(now).await {
        match reading {
            Reading::Sample(s) => signals.set_sample(name, s.value, s.at),
            Reading::Absent(a) => signals.set_absent(name, a),
        }
    }
    state.step(matrix, &signals, now)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_ratio_drives_the_matrix_to_sev1_after_its_for_window_and_back() {
    // The application: 200 requests/s at a controlled error ratio.
    let app = Arc::new(Mutex::new(App {
        error_ratio: 0.01,
        ..App::default()
    }));
    let ticker = app.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut a = ticker.lock().unwrap();
            let r = a.error_ratio;
            a.errors += 10.0 * r;
            a.ok += 10.0 * (1.0 - r);
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let router = Router::new()
        .route("/metrics", get(metrics))
        .with_state(app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let prom = support::prometheus::start(&target, "/metrics");
    let front: FrontMatter = serde_saphyr::from_str(FRONT_MATTER).unwrap();
    let config = client_config(
        Some(&front),
        |k| (k == "TEST_PROM_URL").then(|| prom.url.clone()),
        Path::new("."),
    )
    .unwrap()
    .expect("a Prometheus is configured");
    let client = config.client(Duration::from_secs(5)).unwrap();
    let queries = front.metrics.as_ref().unwrap().queries.clone();
    let source = PrometheusSource::new(client.clone(), queries);
    let matrix = Matrix::from_front_matter(&front).unwrap();
    let mut state = MatrixState::new();

    // Prometheus up and the ratio known (needs two scrapes inside the rate window).
    let started = Instant::now();
    let quiet = loop {
        let v = refresh(&source, &matrix, &mut state).await;
        if v.inputs.contains_key("error_rate") {
            break v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no error_rate from Prometheus at {} after 60s; last verdict: {:?}",
            prom.url,
            v.rules[0].reasons
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let baseline = quiet.inputs["error_rate"];
    assert!(
        (0.005..0.02).contains(&baseline),
        "quiet error ratio {baseline}"
    );
    assert_eq!(quiet.highest_severity, None);
    assert_eq!(quiet.rules[0].state, RuleState::Inactive);

    // The bad deploy: 12 % errors.
    app.lock().unwrap().error_ratio = 0.12;
    let bad_since = Instant::now();
    let mut first_pending: Option<Instant> = None;
    let fired = loop {
        // Taken before the refresh, so it is no later than the evaluation time.
        let before = Instant::now();
        let v = refresh(&source, &matrix, &mut state).await;
        match v.rules[0].state {
            RuleState::Pending if first_pending.is_none() => first_pending = Some(before),
            RuleState::Firing => break v,
            _ => {}
        }
        assert!(
            bad_since.elapsed() < Duration::from_secs(60),
            "SEV-1 did not fire within 60s of the ratio rising; last: {:?} {:?} inputs {:?}",
            v.rules[0].state,
            v.rules[0].reasons,
            v.inputs
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let pending_at = first_pending.expect("the rule was pending before it fired");
    assert!(
        pending_at.elapsed() >= Duration::from_secs(10),
        "fired {:?} after going pending, before its `for: 10s`",
        pending_at.elapsed()
    );
    assert_eq!(fired.highest_severity, Some(Severity::new(1)));
    assert_eq!(
        fired.recommended_action.as_deref(),
        Some("Immediate rollback")
    );
    assert_eq!(fired.rto_target, Some(Duration::from_secs(120)));
    assert!(fired.inputs["error_rate"] > 0.10, "{:?}", fired.inputs);
    let changed = fired.severity_changed.as_ref().expect("a severity change");
    assert_eq!(
        (changed.from.clone(), changed.to.clone()),
        (None, Some(Severity::new(1)))
    );

    // Charts: a range query over the last 30 s shows the rise.
    let series = source
        .series(
            "error_rate",
            Window::sized_to(Utc::now(), Duration::from_secs(30), 30),
        )
        .await
        .expect("a series");
    assert!(series.len() >= 10, "{} points", series.len());
    let max = series.iter().map(|s| s.value).fold(f64::NAN, f64::max);
    assert!(max > 0.10, "series max {max}");

    // The rollback: back to 1 %; the rule resolves and the severity clears.
    app.lock().unwrap().error_ratio = 0.01;
    let rolled_back = Instant::now();
    loop {
        let v = refresh(&source, &matrix, &mut state).await;
        if v.rules[0].state == RuleState::Inactive {
            assert_eq!(v.highest_severity, None);
            assert!(v.inputs["error_rate"] <= 0.10);
            break;
        }
        assert!(
            rolled_back.elapsed() < Duration::from_secs(60),
            "did not resolve within 60s: {:?} {:?}",
            v.rules[0].state,
            v.inputs
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Real error shapes: a malformed query is bad_data, not retried.
    let e = client.instant("sum(rate(", None).await.unwrap_err();
    assert!(
        matches!(
            &e,
            PromError::Api {
                status: 400,
                error_type: ErrorType::BadData,
                ..
            }
        ),
        "{e}"
    );
    assert!(!e.is_transient());
    assert!(!e.to_string().contains('\n'), "{e}");
    // Many-to-many matching is an execution error (HTTP 422).
    let e = client
        .instant(
            "http_requests_total + on(app) group_left http_requests_total",
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            PromError::Api {
                status: 422,
                error_type: ErrorType::Execution,
                ..
            }
        ),
        "{e}"
    );
    // A client whose base URL has a wrong path prefix hits Prometheus' 404 page.
    let wrong =
        PrometheusClient::new(&format!("{}/nope", prom.url), None, Duration::from_secs(5)).unwrap();
    let e = wrong.instant("up", None).await.unwrap_err();
    assert!(
        matches!(&e, PromError::NotPrometheus { status: 404, .. }),
        "{e}"
    );
}
