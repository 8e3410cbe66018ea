//! One time base at any `--speed` (issue 16, gap 9): every timestamp the simulator serves
//! is a wall-clock time, so the ages real kubectl 1.32 computes from them on its own clock
//! (`kubectl describe`: `translateTimestampSince` in
//! `staging/src/k8s.io/kubectl/pkg/describe/describe.go`, `HumanDuration` in
//! `apimachinery/pkg/util/duration/duration.go`, which prints `<invalid>` below -1 s), the
//! ages the server prints (`kubectl get`), and the console's AGE column all agree; a
//! scenario's "three hours ago" reads as three hours; a deletion's `deletionTimestamp` is
//! the request's time plus the grace period (`pkg/registry/rest/delete.go`,
//! `BeforeDelete`).

mod common;

use chrono::{DateTime, Utc};
use common::Sim;
use serde_json::Value;

/// `web` 1.0 three hours ago, 1.1 running since twenty minutes ago; 1.2 crash-loops.
const DATED: &str = r#"
name: dated
namespace: shop
apps:
  - name: web
    replicas: 2
    image: shop/web
    history: [{version: "1.0", ago: 3h}]
    version: "1.1"
    deployed_ago: 20m
behaviours:
  - {version: "1.2", crash_after_seconds: 2, exit_code: 1}
"#;

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn time(ts: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(ts)
        .unwrap_or_else(|e| panic!("{ts}: {e}"))
        .with_timezone(&Utc)
}

fn image(p: &Value) -> &str {
    p["spec"]["containers"][0]["image"]
        .as_str()
        .or(p["spec"]["template"]["spec"]["containers"][0]["image"].as_str())
        .unwrap_or_default()
}

/// Every timestamp field anywhere in `v` (keys ending in `Timestamp`, `Time` or `At`).
fn timestamps(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x.as_str() {
                    Some(s)
                        if (k.ends_with("Timestamp")
                            || k.ends_with("Time")
                            || k.ends_with("At"))
                            && k != "deletionTimestamp" =>
                    {
                        out.push((k.clone(), s.to_string()));
                    }
                    _ => timestamps(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| timestamps(x, out)),
        _ => {}
    }
}

/// The `Age` cell of the `kubectl describe` event row whose message contains `message`.
fn described_age(described: &str, message: &str) -> String {
    let row = described
        .lines()
        .find(|l| l.contains(message))
        .unwrap_or_else(|| panic!("no event row {message:?} in\n{described}"));
    row.split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_served_time_is_on_the_wall_clock_at_any_speed() {
    for speed in [1.0, 50.0, 500.0] {
        let sim = Sim::start(DATED, speed);
        let rs = items(&sim.json(&["get", "rs"]));
        let rs_of = |v: &str| {
            rs.iter()
                .find(|r| image(r) == format!("shop/web:{v}"))
                .and_then(|r| r["metadata"]["name"].as_str().map(String::from))
                .unwrap_or_else(|| panic!("speed {speed}: no replica set for {v}"))
        };
        let (old, current) = (rs_of("1.0"), rs_of("1.1"));

        // The scenario's past reads as stated, in the server's ages and in kubectl's own.
        let got = sim.ok(&["get", "rs", &old, "--no-headers"]);
        assert_eq!(got.split_whitespace().last(), Some("3h"), "speed {speed}");
        let described = sim.ok(&["describe", "deploy", "web"]);
        assert_eq!(
            described_age(&described, &format!("Scaled up replica set {old} to 2")),
            "3h",
            "speed {speed}: {described}"
        );
        assert_eq!(
            described_age(&described, &format!("Scaled down replica set {old} to 0")),
            "20m",
            "speed {speed}: {described}"
        );

        // A crash loop made now: its events are seconds old on every clock.
        sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.2"]);
        let crashing = || {
            items(&sim.json(&["get", "pods"]))
                .into_iter()
                .find(|p| image(p) == "shop/web:1.2")
        };
        sim.wait_for("a restarted 1.2 pod", || {
            crashing().is_some_and(|p| {
                p["status"]["containerStatuses"][0]["restartCount"]
                    .as_i64()
                    .unwrap_or(0)
                    >= 1
            })
        });
        let pod = crashing().unwrap_or_default();
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let described = sim.ok(&["describe", "pod", name]);
        assert!(
            !described.contains("<invalid>"),
            "speed {speed}: {described}"
        );
        let age = described_age(&described, "Started container app");
        let secs = age.strip_suffix('s').and_then(|n| n.parse::<u32>().ok());
        assert!(
            secs.is_some_and(|s| s < 90),
            "speed {speed}: started {age} ago:\n{described}"
        );

        // Nothing the API serves lies in the future of the clock kubectl compares with:
        // every stamp of an answer is at or before the moment the answer is in (the crash
        // loop keeps writing events, so the clock is read after each list, not before).
        for kind in ["pods", "events", "rs", "deploy", "nodes", "leases"] {
            let list = sim.json(&["get", kind, "-A"]);
            let after = Utc::now();
            let mut stamps = Vec::new();
            timestamps(&list, &mut stamps);
            for (key, ts) in stamps {
                assert!(
                    time(&ts) <= after,
                    "speed {speed}: {kind} {key} {ts} is after {after}"
                );
            }
        }

        // The pods of the running revision: 20m old for kubectl get (server), kubectl's
        // client-side age and the console's AGE column alike.
        let now = Utc::now();
        let table = sim.ok(&["get", "pods", "--no-headers"]);
        let mut checked = 0;
        for p in items(&sim.json(&["get", "pods"])) {
            if image(&p) != "shop/web:1.1" {
                continue;
            }
            let pname = p["metadata"]["name"].as_str().unwrap_or_default();
            let row = table
                .lines()
                .find(|l| l.starts_with(pname))
                .unwrap_or_default();
            assert_eq!(
                row.split_whitespace().last(),
                Some("20m"),
                "speed {speed}: {row}"
            );
            let created = time(
                p["metadata"]["creationTimestamp"]
                    .as_str()
                    .unwrap_or_default(),
            );
            let console = backout::domain::duration_text::age(backout::ui::format::secs_between(
                created, now,
            ));
            assert_eq!(console, "20m", "speed {speed}: {pname}");
            assert!(pname.starts_with(&current), "{pname} of {current}");
            checked += 1;
        }
        assert_eq!(checked, 2, "speed {speed}: {table}");

        // A pod deleted now is terminating for its grace period from now.
        let victim = items(&sim.json(&["get", "pods"]))
            .into_iter()
            .find(|p| image(p) == "shop/web:1.1")
            .and_then(|p| p["metadata"]["name"].as_str().map(String::from))
            .unwrap_or_default();
        let client = sim
            .handle()
            .http_client(Some(backout::sim::auth::ADMIN_TOKEN))
            .expect("client");
        let url = format!(
            "{}/api/v1/namespaces/shop/pods/{victim}",
            sim.handle().url()
        );
        let before = Utc::now();
        let deleted: Value = sim.runtime.block_on(async {
            client
                .delete(&url)
                .send()
                .await
                .expect("delete sent")
                .json()
                .await
                .expect("delete answer is JSON")
        });
        let deadline = time(
            deleted["metadata"]["deletionTimestamp"]
                .as_str()
                .unwrap_or_default(),
        );
        let grace = deleted["metadata"]["deletionGracePeriodSeconds"]
            .as_i64()
            .unwrap_or_default();
        assert_eq!(grace, 30, "speed {speed}: {deleted}");
        let lead = (deadline - before).num_seconds();
        assert!(
            (28..=31).contains(&lead),
            "speed {speed}: {lead} s: {deleted}"
        );
    }
}
