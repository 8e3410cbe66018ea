//! Every drill in `runbooks/drills/` loads, sets its cluster up, and its timeline does what
//! it says (played at high speed).

use std::path::Path;
use std::time::{Duration, Instant};

use backout::sim::{Scenario, SimConfig, SimHandle, Simulator, res};
use serde_json::Value;

const DRILLS: &[&str] = &[
    "bad-deploy",
    "crashloop",
    "latency-regression",
    "stuck-rollout",
    "feature-flag",
    "blue-green",
    "argocd-self-heal",
    "blue-green-api",
];

async fn start(name: &str, speed: f64) -> SimHandle {
    let s = Scenario::load(name, Path::new("runbooks/drills")).expect("drill loads");
    Simulator::start(SimConfig {
        speed,
        scenario: Some(s),
        ..SimConfig::default()
    })
    .await
    .expect("starts")
}

fn get(sim: &SimHandle, group: &str, plural: &str, ns: &str, name: &str) -> Value {
    sim.shared()
        .store
        .get(res(group, plural), ns, name)
        .map(|v| (*v).clone())
        .unwrap_or_default()
}

async fn until(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(secs) {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_drill_loads_and_starts_settled() {
    for name in DRILLS {
        let sim = start(name, 1.0).await;
        let (_, deployments) = sim.shared().store.list(res("apps", "deployments"), None);
        assert!(!deployments.is_empty(), "{name}");
        for d in deployments {
            assert_eq!(
                d["status"]["availableReplicas"], d["spec"]["replicas"],
                "{name}: {}",
                d["metadata"]["name"]
            );
        }
        sim.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashloop_drill_crash_loops() {
    let sim = start("crashloop", 60.0).await;
    until("CrashLoopBackOff with restarts", 20, || {
        let (_, pods) = sim.shared().store.list(res("", "pods"), Some("payments"));
        pods.iter().any(|p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
                && p["status"]["containerStatuses"][0]["restartCount"]
                    .as_i64()
                    .unwrap_or(0)
                    >= 1
        })
    })
    .await;
    let d = get(&sim, "apps", "deployments", "payments", "payments-worker");
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stuck_rollout_drill_exceeds_its_progress_deadline() {
    let sim = start("stuck-rollout", 60.0).await;
    until("ProgressDeadlineExceeded", 30, || {
        let d = get(&sim, "apps", "deployments", "inventory", "inventory");
        d["status"]["conditions"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["reason"] == "ProgressDeadlineExceeded"))
    })
    .await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_flag_and_blue_green_drills_switch() {
    let sim = start("feature-flag", 60.0).await;
    until("NEW_PRICING=on rolled out", 20, || {
        let d = get(&sim, "apps", "deployments", "cart", "cart-api");
        let env_on = d["spec"]["template"]["spec"]["containers"][0]["env"]
            .as_array()
            .is_some_and(|e| {
                e.iter()
                    .any(|v| v["name"] == "NEW_PRICING" && v["value"] == "on")
            });
        // The deployment's status can say 3 updated and available while the old replica
        // set's pods still serve (they leave on the controllers' next pass): the flag's
        // effect is judged once only new pods serve, as a client would see it.
        env_on
            && d["status"]["updatedReplicas"] == 3
            && d["status"]["availableReplicas"] == 3
            && !backout::sim::app::health(sim.shared(), "cart", "cart").0
    })
    .await;
    let cm = get(&sim, "", "configmaps", "cart", "cart-flags");
    assert_eq!(cm["data"]["NEW_PRICING"], "on");
    let (ok, health) = backout::sim::app::health(sim.shared(), "cart", "cart");
    assert!(!ok, "{health}");
    sim.shutdown().await;

    let sim = start("blue-green", 60.0).await;
    assert!(backout::sim::app::health(sim.shared(), "storefront", "storefront").0);
    until("service switched to green", 20, || {
        get(&sim, "", "services", "storefront", "storefront")["spec"]["selector"]["track"]
            == "green"
    })
    .await;
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_pull_errors_show_err_image_pull_then_back_off() {
    let yaml = r#"
name: pull
namespace: shop
apps:
  - {name: web, replicas: 2, image: shop/web, version: "1.0"}
behaviours:
  - {version: "9.9", image_pull_error: true}
timeline:
  - {at: 1s, deploy: {app: web, version: "9.9"}}
"#;
    let s = Scenario::parse(yaml, "pull.yaml").expect("parses");
    let sim = Simulator::start(SimConfig {
        // ErrImagePull lasts 5 simulated seconds before the back-off: at 4× that is 1.25 s
        // of real time, long enough for the 50 ms polls of a loaded machine to see it
        // (at 20× it was 250 ms, and a loaded run missed it once).
        speed: 4.0,
        scenario: Some(s),
        ..SimConfig::default()
    })
    .await
    .expect("starts");
    let reason = |want: &'static str| {
        let shared = sim.shared().clone();
        move || {
            let (_, pods) = shared.store.list(res("", "pods"), Some("shop"));
            pods.iter()
                .any(|p| p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == want)
        }
    };
    until("ErrImagePull", 20, reason("ErrImagePull")).await;
    until("ImagePullBackOff", 20, reason("ImagePullBackOff")).await;
    let d = get(&sim, "apps", "deployments", "shop", "web");
    // 2 replicas at 25 %/25 %: surge 1, unavailable 0, so both old pods keep serving.
    assert_eq!(d["status"]["availableReplicas"], 2);
    assert_eq!(d["status"]["updatedReplicas"], 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_cluster() {
    let names = |sim: &SimHandle| {
        let (_, pods) = sim.shared().store.list(res("", "pods"), None);
        let mut v: Vec<(String, String)> = pods
            .iter()
            .map(|p| {
                (
                    p["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    p["metadata"]["uid"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let start_seeded = |seed: u64| async move {
        let s = Scenario::load("bad-deploy", Path::new("runbooks/drills")).expect("loads");
        Simulator::start(SimConfig {
            seed,
            scenario: Some(s),
            ..SimConfig::default()
        })
        .await
        .expect("starts")
    };
    let a = start_seeded(7).await;
    let b = start_seeded(7).await;
    let c = start_seeded(8).await;
    assert_eq!(names(&a), names(&b));
    assert_ne!(names(&a), names(&c));
    for s in [a, b, c] {
        s.shutdown().await;
    }
}

/// A held timeline (a drill's intro on screen) plays nothing until released, then plays
/// its entries timed from the release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_timeline_waits_for_its_release() {
    let s = Scenario::load("bad-deploy", Path::new("runbooks/drills")).expect("drill loads");
    // The bad release is 60 s into the scenario: 0.5 s at speed 120.
    let sim = Simulator::start(SimConfig {
        speed: 120.0,
        scenario: Some(s),
        hold_timeline: true,
        ..SimConfig::default()
    })
    .await
    .expect("starts");
    // Four times the entry's delay: a timeline that was not held would have played it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        sim.shared().timeline_played().is_empty(),
        "{:?}",
        sim.shared().timeline_played()
    );
    let released = sim.shared().clock.elapsed_secs();
    sim.release_timeline();
    until("the bad release after the release", 30, || {
        !sim.shared().timeline_played().is_empty()
    })
    .await;
    let first = &sim.shared().timeline_played()[0];
    assert!(first.what.contains("1.6.0"), "{first:?}");
    assert!(
        first.at_secs >= released + 60.0,
        "timed from the release: {} < {} + 60",
        first.at_secs,
        released
    );
    sim.shutdown().await;
}
