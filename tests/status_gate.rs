//! `backout status --runbook FILE`: the real binary against the in-process simulator
//! (the cluster) and a local HTTP server answering Prometheus' query API (the metrics):
//! metric values, the matrix verdict and the gate's exit codes.

mod common;
mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use common::{Sim, WEB};
use serde_json::{Value, json};

const ERRORS: &str = "sum(rate(errors[2m])) / sum(rate(requests[2m]))";
const P95: &str = "histogram_quantile(0.95, rate(latency_bucket[5m]))";

/// What the fake Prometheus answers for one query: its value now, over the range
/// (history, for `for` replays) and an hour or more ago (for `baseline(...)`).
#[derive(Clone, Copy)]
struct Series {
    now: f64,
    history: f64,
    hour_ago: f64,
}

#[derive(Clone)]
struct Fake {
    series: Arc<BTreeMap<String, Series>>,
}

fn params(req: &Request) -> BTreeMap<String, String> {
    let q = req.uri().query().unwrap_or_default();
    reqwest::Url::parse(&format!("http://x/?{q}"))
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().expect("a number parameter")
}

async fn handle(State(fake): State<Fake>, req: Request) -> Response {
    let p = params(&req);
    let Some(s) = fake
        .series
        .get(p.get("query").map(String::as_str).unwrap_or(""))
    else {
        let body = json!({"status":"success","data":{"resultType":"vector","result":[]}});
        return axum::Json(body).into_response();
    };
    let wall = chrono::Utc::now().timestamp() as f64;
    let body = if req.uri().path().ends_with("/query_range") {
        let (start, end) = (num(&p["start"]), num(&p["end"]));
        let step = num(p["step"].trim_end_matches('s'));
        let mut values = Vec::new();
        let mut t = start;
        while t <= end {
            values.push(json!([t, s.history.to_string()]));
            t += step;
        }
        json!({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":values}]}})
    } else {
        let time = p.get("time").map(|t| num(t)).unwrap_or(wall);
        let v = if time < wall - 1800.0 {
            s.hour_ago
        } else {
            s.now
        };
        json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[time, v.to_string()]}]}})
    };
    axum::Json(body).into_response()
}

fn serve(sim: &Sim, series: Vec<(&str, Series)>) -> SocketAddr {
    let fake = Fake {
        series: Arc::new(
            series
                .into_iter()
                .map(|(q, s)| (q.to_string(), s))
                .collect(),
        ),
    };
    sim.runtime.block_on(async move {
        let app = Router::new().fallback(handle).with_state(fake);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    })
}

fn runbook(dir: &std::path::Path) -> std::path::PathBuf {
    write_runbook(dir, &default_runbook())
}

fn write_runbook(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("gate.md");
    std::fs::write(&path, text).unwrap();
    path
}

fn default_runbook() -> String {
    format!(
        r#"---
backout: 1
title: Web gate
target: {{ namespace: shop, deployment: web }}
metrics:
  queries:
    error_rate: "{ERRORS}"
    latency_p95: "{P95}"
matrix:
  - {{ when: "error_rate > 0.10", for: 1m, severity: SEV-1, action: Roll back now }}
  - {{ when: "latency_p95 > 2 * baseline(latency_p95)", for: 5m, severity: SEV-2, action: Roll back within 15 minutes }}
rto: {{ SEV-1: 5m, SEV-2: 15m }}
---

# Web gate

## Roll back

```sh
kubectl -n shop rollout undo deploy/web
```
"#
    )
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn status(sim: &Sim, home: &std::path::Path, extra: &[&str]) -> Run {
    let book = runbook(home);
    status_with(sim, home, &book, extra)
}

fn status_with(sim: &Sim, home: &std::path::Path, book: &std::path::Path, extra: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_backout"))
        .arg("status")
        .arg("--runbook")
        .arg(book)
        .args(extra)
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig)
        .env_remove("KUBECONFIG")
        .env_remove("PROMETHEUS_URL")
        .env("BACKOUT_HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("backout runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_status(sim: &Sim, home: &std::path::Path, url: &str) -> (Run, Value) {
    let r = status(sim, home, &["--format", "json", "--prometheus-url", url]);
    let v: Value =
        serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("json ({e}): {}\n{}", r.out, r.err));
    (r, v)
}

const QUIET: Series = Series {
    now: 0.001,
    history: 0.001,
    hour_ago: 0.001,
};
const FAST: Series = Series {
    now: 0.2,
    history: 0.2,
    hour_ago: 0.2,
};

#[test]
fn healthy_metrics_exit_zero_with_values_units_and_baselines() {
    let sim = Sim::start(WEB, 20.0);
    sim.settled("web");
    let home = tempfile::tempdir().unwrap();
    let addr = serve(&sim, vec![(ERRORS, QUIET), (P95, FAST)]);
    let (r, v) = json_status(&sim, home.path(), &format!("http://{addr}"));
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    // The deployment status is still there, the runbook target picked it.
    assert_eq!(v["deployments"][0]["namespace"], "shop");
    assert_eq!(v["deployments"][0]["rollout"]["deployment"], "web");
    assert_eq!(v["metrics"]["error_rate"]["value"], 0.001);
    assert_eq!(v["metrics"]["error_rate"]["unit"], "ratio");
    assert_eq!(v["metrics"]["error_rate"]["stale"], false);
    assert!(v["metrics"]["error_rate"]["at"].is_string());
    assert_eq!(v["metrics"]["latency_p95"]["unit"], "seconds");
    assert_eq!(v["metrics"]["latency_p95"]["baseline"], 0.2);
    let m = &v["matrix"];
    assert_eq!(m["outcome"], "healthy");
    assert_eq!(m["highest_severity"], Value::Null);
    assert_eq!(m["recommended_action"], Value::Null);
    assert_eq!(m["firing"], json!([]));
    assert_eq!(m["pending"], json!([]));
    assert_eq!(m["unknown"], json!([]));
    assert!(
        m["notes"][0]
            .as_str()
            .unwrap()
            .contains("`for` evaluated over a range query: 300s back"),
        "{m}"
    );
}

#[test]
fn a_rule_held_for_its_window_fires_exit_three_and_one_that_just_started_is_pending() {
    let sim = Sim::start(WEB, 20.0);
    sim.settled("web");
    let home = tempfile::tempdir().unwrap();
    // Errors high for the whole window; latency 5x its baseline of an hour ago.
    let errors = Series {
        now: 0.3,
        history: 0.3,
        hour_ago: 0.001,
    };
    let slow = Series {
        now: 1.0,
        history: 1.0,
        hour_ago: 0.2,
    };
    let addr = serve(&sim, vec![(ERRORS, errors), (P95, slow)]);
    let (r, v) = json_status(&sim, home.path(), &format!("http://{addr}"));
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    let m = &v["matrix"];
    assert_eq!(m["outcome"], "firing");
    assert_eq!(m["highest_severity"], "SEV-1");
    assert_eq!(m["recommended_action"], "Roll back now");
    assert_eq!(m["rto_target_secs"], 300.0);
    let firing: Vec<&str> = m["firing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["severity"].as_str().unwrap())
        .collect();
    assert_eq!(firing, ["SEV-1", "SEV-2"], "{m}");
    assert_eq!(m["firing"][0]["inputs"]["error_rate"], 0.3);
    assert_eq!(m["firing"][1]["inputs"]["baseline(latency_p95)"], 0.2);
    assert!(m["firing"][0]["held_for_secs"].as_f64().unwrap() >= 60.0);

    // Errors only just went up: the condition holds now but not for its `for`.
    let home = tempfile::tempdir().unwrap();
    let spike = Series {
        now: 0.3,
        history: 0.001,
        hour_ago: 0.001,
    };
    let addr = serve(&sim, vec![(ERRORS, spike), (P95, FAST)]);
    let (r, v) = json_status(&sim, home.path(), &format!("http://{addr}"));
    assert_eq!(r.code, 0, "pending is not firing: {}{}", r.out, r.err);
    let m = &v["matrix"];
    assert_eq!(m["outcome"], "healthy");
    assert_eq!(m["pending"][0]["severity"], "SEV-1");
    assert_eq!(m["pending"][0]["held_for_secs"], 0.0);
    assert_eq!(m["pending"][0]["for_secs"], 60.0);

    // And the readable form says the same.
    let home = tempfile::tempdir().unwrap();
    let addr = serve(&sim, vec![(ERRORS, errors), (P95, slow)]);
    let r = status(
        &sim,
        home.path(),
        &["--prometheus-url", &format!("http://{addr}")],
    );
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    assert!(r.out.contains("deployment.apps/web in shop"), "{}", r.out);
    assert!(r.out.contains("error_rate           30.0 %"), "{}", r.out);
    assert!(r.out.contains("baseline 200 ms"), "{}", r.out);
    assert!(
        r.out.contains("matrix: SEV-1 FIRING: Roll back now"),
        "{}",
        r.out
    );
}

#[test]
fn prometheus_down_is_unknown_exit_four_never_healthy() {
    let sim = Sim::start(WEB, 20.0);
    sim.settled("web");
    let home = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (r, v) = json_status(&sim, home.path(), &url);
    assert_eq!(r.code, 4, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("backout: metric error_rate: query failed:"),
        "{}",
        r.err
    );
    assert_eq!(v["metrics"]["error_rate"]["value"], Value::Null);
    assert!(
        v["metrics"]["error_rate"]["error"]
            .as_str()
            .unwrap()
            .starts_with("query failed:")
    );
    let m = &v["matrix"];
    assert_eq!(m["outcome"], "unknown");
    assert_eq!(m["highest_severity"], Value::Null);
    let unknown = m["unknown"].as_array().unwrap();
    assert_eq!(unknown.len(), 2, "{m}");
    assert_eq!(unknown[0]["rule"], 0);
    assert!(
        unknown[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("error_rate"),
        "{m}"
    );
    assert!(
        m["notes"].as_array().unwrap().iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("range query for `error_rate` gave no history")),
        "{m}"
    );

    // No Prometheus at all: a clear error, exit 2 like every command error.
    let r = status(&sim, home.path(), &["--format", "json"]);
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(r.err.contains("no Prometheus URL resolves"), "{}", r.err);
}

/// Real Prometheus scraping the simulator's `bad-deploy`: the gate fires SEV-1 once the
/// error ratio has held above the threshold for the rule's `for` (replayed over a range
/// query), and passes again after the rollback.
#[test]
fn real_prometheus_bad_deploy_fires_the_gate_and_a_rollback_clears_it() {
    let sim = Sim::drill("bad-deploy", 10.0);
    let prom = support::prometheus::scraping_sim(sim.handle());
    let home = tempfile::tempdir().unwrap();
    let book = write_runbook(
        home.path(),
        r#"---
backout: 1
title: Checkout gate
target: { namespace: checkout, deployment: checkout-api }
metrics:
  queries:
    error_rate: >-
      sum(rate(http_requests_total{app="checkout",code=~"5.."}[20s]))
      / sum(rate(http_requests_total{app="checkout"}[20s]))
matrix:
  - { when: "error_rate > 0.08", for: 10s, severity: SEV-1, action: Roll back now }
---

# Checkout gate

## Roll back

```sh
kubectl -n checkout rollout undo deploy/checkout-api
```
"#,
    );
    let gate = |want: i32, what: &str, secs: u64| -> Value {
        let start = std::time::Instant::now();
        let mut last = String::new();
        while start.elapsed() < std::time::Duration::from_secs(secs) {
            let r = status_with(
                &sim,
                home.path(),
                &book,
                &["--format", "json", "--prometheus-url", &prom.url],
            );
            if r.code == want {
                return serde_json::from_str(&r.out).expect("json");
            }
            last = format!("exit {}: {}{}", r.code, r.out, r.err);
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
        panic!("timed out after {secs}s waiting for {what}; last {last}");
    };
    let v = gate(3, "the gate to fire", 90);
    assert_eq!(v["matrix"]["highest_severity"], "SEV-1");
    assert_eq!(v["matrix"]["recommended_action"], "Roll back now");
    assert!(v["metrics"]["error_rate"]["value"].as_f64().unwrap() > 0.08);
    assert!(v["matrix"]["firing"][0]["held_for_secs"].as_f64().unwrap() >= 10.0);

    sim.rollout_undo("checkout", "checkout-api");
    let v = gate(0, "the gate to pass after the rollback", 120);
    assert_eq!(v["matrix"]["outcome"], "healthy");
    assert!(v["metrics"]["error_rate"]["value"].as_f64().unwrap() <= 0.08);
    drop(prom);
}
