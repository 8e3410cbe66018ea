//! Events as Kubernetes 1.32 writes them, read back with real kubectl 1.32: the deployment
//! controller's scaling messages, the scheduler's and kubelet's container events with
//! their exact wording, aggregation of repeated events, names `<object>.<hex UnixNano>`
//! and the `-o wide` columns. Each expectation cites the upstream file it comes from.

mod common;

use common::{Sim, WEB};
use serde_json::Value;

/// `web` 1.2 (3 pods) whose version 1.3 crashes 2 s after every start and whose 9.9
/// cannot be pulled.
const FAULTY: &str = r#"
name: faulty
namespace: shop
apps:
  - {name: web, replicas: 1, image: shop/web, version: "1.2"}
behaviours:
  - {version: "1.3", crash_after_seconds: 2, exit_code: 1}
  - {version: "9.9", image_pull_error: true}
"#;

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// Core events about objects whose name starts with `prefix`.
fn events_about(sim: &Sim, prefix: &str) -> Vec<Value> {
    items(&sim.json(&["get", "events"]))
        .into_iter()
        .filter(|e| {
            e["involvedObject"]["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

fn messages(events: &[Value], reason: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["reason"] == reason)
        .filter_map(|e| e["message"].as_str().map(String::from))
        .collect()
}

/// The name of the replica set running `image`.
fn rs_for(sim: &Sim, image: &str) -> String {
    items(&sim.json(&["get", "rs"]))
        .iter()
        .find(|r| r["spec"]["template"]["spec"]["containers"][0]["image"] == image)
        .and_then(|r| r["metadata"]["name"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no replica set runs {image}"))
}

/// `pkg/controller/deployment/sync.go`: a replica set the controller creates is reported
/// `Scaled up replica set X to N` (`getNewReplicaSet`); every later resize `Scaled up|down
/// replica set X to N from M` (`scaleReplicaSet`) — never `from 0 to N`.
#[test]
fn scaling_events_read_as_the_1_32_deployment_controller_writes_them() {
    let sim = Sim::start(WEB, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let new = rs_for(&sim, "shop/web:1.3");
    let old = rs_for(&sim, "shop/web:1.2");
    let scaling = messages(&events_about(&sim, "web"), "ScalingReplicaSet");
    assert!(
        scaling.contains(&format!("Scaled up replica set {new} to 1")),
        "{scaling:#?}"
    );
    assert!(
        scaling.contains(&format!("Scaled down replica set {old} to 2 from 3")),
        "{scaling:#?}"
    );
    assert!(
        scaling.contains(&format!("Scaled up replica set {new} to 3 from 2")),
        "{scaling:#?}"
    );
    assert!(
        scaling.contains(&format!("Scaled down replica set {old} to 0 from 1")),
        "{scaling:#?}"
    );
    assert!(
        scaling.iter().all(|m| !m.contains(" from 0 to ")),
        "{scaling:#?}"
    );

    // Rolling back scales an existing replica set up from zero.
    sim.ok(&["rollout", "undo", "deploy/web"]);
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let scaling = messages(&events_about(&sim, "web"), "ScalingReplicaSet");
    assert!(
        scaling.contains(&format!("Scaled up replica set {old} to 1 from 0")),
        "{scaling:#?}"
    );
    let described = sim.ok(&["describe", "deploy", "web"]);
    assert!(
        described.contains(&format!("Scaled up replica set {old} to 1 from 0")),
        "{described}"
    );
}

/// The scheduler's `Scheduled` is a new-style event (`pkg/scheduler/schedule_one.go`,
/// client-go `tools/events/recorder.go`); the kubelet's `Pulling`/`Pulled`
/// (`pkg/kubelet/images/image_manager.go`), `Created container: NAME` and `Started container
/// NAME` (`pkg/kubelet/kuberuntime/kuberuntime_container.go`, `startContainer`) name the
/// container in `fieldPath` and the node in `source.host`; deleting a pod is `Killing`
/// `Stopping container NAME` (`killContainer`).
#[test]
fn pod_events_name_the_scheduler_the_image_and_the_container() {
    let sim = Sim::start(WEB, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let pods = items(&sim.json(&["get", "pods", "-l", "app=web"]));
    let mut pulled_fresh = 0;
    for pod in pods
        .iter()
        .filter(|p| p["spec"]["containers"][0]["image"] == "shop/web:1.3")
    {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
        let evs: Vec<Value> = events_about(&sim, name);
        let scheduled = evs
            .iter()
            .find(|e| e["reason"] == "Scheduled")
            .unwrap_or_else(|| panic!("no Scheduled event for {name}: {evs:#?}"));
        assert_eq!(
            scheduled["message"],
            format!("Successfully assigned shop/{name} to {node}")
        );
        assert_eq!(scheduled["reportingComponent"], "default-scheduler");
        assert_eq!(scheduled["action"], "Binding");
        assert!(scheduled["eventTime"].is_string(), "{scheduled}");
        assert!(scheduled["firstTimestamp"].is_null(), "{scheduled}");

        for reason in ["Pulled", "Created", "Started"] {
            let e = evs
                .iter()
                .find(|e| e["reason"] == reason)
                .unwrap_or_else(|| panic!("no {reason} event for {name}: {evs:#?}"));
            assert_eq!(e["involvedObject"]["fieldPath"], "spec.containers{app}");
            assert_eq!(e["source"]["component"], "kubelet");
            assert_eq!(e["source"]["host"], node);
        }
        assert_eq!(
            messages(&evs, "Created"),
            ["Created container: app".to_string()]
        );
        assert_eq!(
            messages(&evs, "Started"),
            ["Started container app".to_string()]
        );
        let pulled = messages(&evs, "Pulled");
        assert_eq!(pulled.len(), 1, "{pulled:?}");
        if pulled[0].starts_with("Successfully pulled image \"shop/web:1.3\" in ") {
            assert!(
                pulled[0].contains(" including waiting). Image size: ")
                    && pulled[0].ends_with(" bytes."),
                "{pulled:?}"
            );
            assert_eq!(
                messages(&evs, "Pulling"),
                ["Pulling image \"shop/web:1.3\"".to_string()]
            );
            pulled_fresh += 1;
        } else {
            assert_eq!(
                pulled[0],
                "Container image \"shop/web:1.3\" already present on machine"
            );
        }
    }
    assert!(pulled_fresh >= 1, "a new image is pulled at least once");

    // A pod of the new release, not terminating: the old release's pods may already be
    // gone by the time the list above is read back.
    let victim = pods
        .iter()
        .find(|p| {
            p["spec"]["containers"][0]["image"] == "shop/web:1.3"
                && p["metadata"]["deletionTimestamp"].is_null()
        })
        .and_then(|p| p["metadata"]["name"].as_str())
        .expect("a running pod of the new release");
    sim.ok(&["delete", "pod", victim, "--wait=false"]);
    let killing = messages(&events_about(&sim, victim), "Killing");
    assert_eq!(killing, ["Stopping container app".to_string()]);
}

/// client-go's event correlator (`tools/record/events_cache.go`, `eventLogger`) folds
/// identical events into one whose `count` and `lastTimestamp` grow; the kubelet's back-off
/// message names the container and the pod as `format.Pod` prints it
/// (`pkg/kubelet/kuberuntime/kuberuntime_manager.go`, `doBackOff`).
#[test]
fn a_crash_loop_is_one_backoff_event_counted_over_time() {
    let sim = Sim::start(FAULTY, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    let pod_of = || {
        items(&sim.json(&["get", "pods", "-l", "app=web"]))
            .into_iter()
            .find(|p| p["spec"]["containers"][0]["image"] == "shop/web:1.3")
    };
    sim.wait_for("three restarts", || {
        pod_of().is_some_and(|p| {
            p["status"]["containerStatuses"][0]["restartCount"]
                .as_i64()
                .unwrap_or(0)
                >= 3
        })
    });
    // Timestamps are wall-clock times (one time base): at speed 20 the back-offs of 10
    // and 20 simulated seconds are 0.5 s and 1 s apart, so wait for a later second.
    sim.wait_for("a back-off repeated in a later second", || {
        events_about(&sim, "web-").iter().any(|e| {
            e["reason"] == "BackOff" && e["lastTimestamp"].as_str() > e["firstTimestamp"].as_str()
        })
    });
    let pod = pod_of().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let backoffs: Vec<Value> = events_about(&sim, name)
        .into_iter()
        .filter(|e| e["reason"] == "BackOff")
        .collect();
    assert_eq!(backoffs.len(), 1, "{backoffs:#?}");
    let e = &backoffs[0];
    assert_eq!(
        e["message"],
        format!("Back-off restarting failed container app in pod {name}_shop({uid})")
    );
    assert_eq!(e["type"], "Warning");
    assert!(e["count"].as_i64().unwrap_or(0) >= 2, "{e}");
    assert!(
        e["lastTimestamp"].as_str() > e["firstTimestamp"].as_str(),
        "{e}"
    );
    // Its events.k8s.io/v1 view carries the same count.
    let ev_name = e["metadata"]["name"].as_str().unwrap_or_default();
    let modern = sim.json(&["get", "events.v1.events.k8s.io", ev_name]);
    assert_eq!(modern["deprecatedCount"], e["count"]);
    assert_eq!(modern["note"], e["message"]);

    // The waiting state's message (`doBackOff`'s error, a Go duration).
    let waiting = &pod["status"]["containerStatuses"][0]["state"]["waiting"];
    if waiting["reason"] == "CrashLoopBackOff" {
        let msg = waiting["message"].as_str().unwrap_or_default();
        assert!(
            msg.starts_with("back-off ")
                && msg.ends_with(&format!(
                    " restarting failed container=app pod={name}_shop({uid})"
                )),
            "{msg}"
        );
    }

    // `kubectl describe` prints the aggregate as "(xN over …)".
    let described = sim.ok(&["describe", "pod", name]);
    assert!(
        described.contains("BackOff") && described.contains(" (x"),
        "{described}"
    );
}

/// `pkg/kubelet/images/image_manager.go` (`Failed to pull image`, `Back-off pulling image`)
/// and `kuberuntime_container.go` (`Error: ErrImagePull`, `Error: ImagePullBackOff`).
#[test]
fn an_image_that_cannot_be_pulled_reports_each_kubelet_step() {
    let sim = Sim::start(FAULTY, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:9.9"]);
    let pod_name = || {
        items(&sim.json(&["get", "pods", "-l", "app=web"]))
            .into_iter()
            .find(|p| p["spec"]["containers"][0]["image"] == "shop/web:9.9")
            .and_then(|p| p["metadata"]["name"].as_str().map(String::from))
    };
    sim.wait_for("ImagePullBackOff", || {
        pod_name().is_some_and(|n| {
            messages(&events_about(&sim, &n), "Failed")
                .contains(&"Error: ImagePullBackOff".to_string())
        })
    });
    let name = pod_name().unwrap_or_default();
    let evs = events_about(&sim, &name);
    assert_eq!(
        messages(&evs, "Pulling"),
        ["Pulling image \"shop/web:9.9\"".to_string()]
    );
    let failed = messages(&evs, "Failed");
    assert!(
        failed
            .iter()
            .any(|m| m.starts_with("Failed to pull image \"shop/web:9.9\": ")),
        "{failed:?}"
    );
    assert!(
        failed.contains(&"Error: ErrImagePull".to_string()),
        "{failed:?}"
    );
    assert_eq!(
        messages(&evs, "BackOff"),
        ["Back-off pulling image \"shop/web:9.9\"".to_string()]
    );
}

/// client-go `tools/record/event.go`, `makeEvent`: `fmt.Sprintf("%v.%x", ref.Name,
/// t.UnixNano())`, so that one object's events list in the order they happened.
#[test]
fn event_names_are_the_object_and_the_hex_unix_nanos_of_their_time() {
    // Two applications with histories: the second's past is set up after the first's
    // present, and its names must still carry its own times.
    let sim = Sim::start(
        r#"
name: two
namespace: shop
apps:
  - {name: web, replicas: 3, image: shop/web, history: ["1.0", "1.1"], version: "1.2"}
  - {name: api, replicas: 2, image: shop/api, history: ["3.0"], version: "3.1"}
"#,
        20.0,
    );
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let evs = items(&sim.json(&["get", "events"]));
    assert!(evs.len() > 10, "{}", evs.len());
    let mut last_by_object: std::collections::HashMap<String, i64> = Default::default();
    for e in &evs {
        let name = e["metadata"]["name"].as_str().unwrap_or_default();
        let object = e["involvedObject"]["name"].as_str().unwrap_or_default();
        let hex = name
            .strip_prefix(&format!("{object}."))
            .unwrap_or_else(|| panic!("{name} is not {object}.<hex>"));
        let nanos = i64::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("{name}"));
        let when = e["firstTimestamp"]
            .as_str()
            .or(e["eventTime"].as_str())
            .unwrap_or_default();
        let when = chrono::DateTime::parse_from_rfc3339(when)
            .unwrap_or_else(|_| panic!("{e}"))
            .timestamp();
        assert!(
            (nanos / 1_000_000_000 - when).abs() <= 1,
            "{name}: {nanos} vs {when}"
        );
        // Listed by name, so in time order per object.
        if let Some(prev) = last_by_object.insert(object.to_string(), nanos) {
            assert!(prev < nanos, "{name} listed after a later event");
        }
    }
}

/// `kubectl get events -o wide`: the columns `printEvent` fills when `Wide`
/// (`pkg/printers/internalversion/printers.go`), the source as `formatEventSource`.
#[test]
fn get_events_wide_shows_subobject_source_first_seen_count_and_name() {
    let sim = Sim::start(FAULTY, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    sim.wait_for("a second back-off", || {
        events_about(&sim, "web-")
            .iter()
            .any(|e| e["reason"] == "BackOff" && e["count"].as_i64().unwrap_or(0) >= 2)
    });
    let out = sim.ok(&["get", "events", "-o", "wide"]);
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap_or_default()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        header,
        [
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "SUBOBJECT",
            "SOURCE",
            "MESSAGE",
            "FIRST SEEN",
            "COUNT",
            "NAME"
        ],
        "{out}"
    );
    let backoff = out
        .lines()
        .find(|l| l.contains("Back-off restarting failed container app"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        backoff.contains("spec.containers{app}") && backoff.contains("kubelet, sim-node-"),
        "{backoff}"
    );
    let cells: Vec<&str> = backoff.split_whitespace().collect();
    let count: i64 = cells[cells.len() - 2].parse().unwrap_or(0);
    assert!(count >= 2, "{backoff}");
    assert!(cells[cells.len() - 1].starts_with("web-"), "{backoff}");
    let scheduled = out
        .lines()
        .find(|l| l.contains("Scheduled"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        scheduled.contains("default-scheduler, default-scheduler-"),
        "{scheduled}"
    );
    let plain = sim.ok(&["get", "events"]);
    assert!(
        plain.starts_with("LAST SEEN   TYPE      REASON") && !plain.contains("SUBOBJECT"),
        "{plain}"
    );
}

/// A scenario's history happened at its stated times: each revision's replica set, and
/// the controller's events about it, carry the time the scenario gives (ages computed by
/// the server, as `kubectl get` prints them; `HumanDuration` in apimachinery).
#[test]
fn history_revisions_are_rolled_out_at_their_stated_past_times() {
    let sim = Sim::start(
        r#"
name: dated
namespace: shop
apps:
  - name: web
    replicas: 2
    image: shop/web
    history: [{version: "1.0", ago: 3h}, {version: "1.1", ago: 90m}]
    version: "1.2"
    deployed_ago: 20m
"#,
        1.0,
    );
    let rs_age = |image: &str| {
        let name = rs_for(&sim, image);
        let out = sim.ok(&["get", "rs", &name, "--no-headers"]);
        out.split_whitespace()
            .last()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(rs_age("shop/web:1.0"), "3h");
    assert_eq!(rs_age("shop/web:1.1"), "90m");
    assert_eq!(rs_age("shop/web:1.2"), "20m");
    let deploy = sim.ok(&["get", "deploy", "web", "--no-headers"]);
    assert!(deploy.trim_end().ends_with("3h"), "{deploy}");
    let first = rs_for(&sim, "shop/web:1.0");
    let events = sim.ok(&["get", "events", "--no-headers"]);
    let line = events
        .lines()
        .find(|l| l.contains(&format!("Scaled up replica set {first} to 2")))
        .unwrap_or_else(|| panic!("{events}"));
    assert!(line.starts_with("3h "), "{line}");
}

/// Event series, as client-go's new events library writes them
/// (`staging/src/k8s.io/client-go/tools/events/event_broadcaster.go`): the first
/// isomorphic event (`getKey`: type, action, reason, reporting controller and instance,
/// `regarding`) is created; the second patches `series: {count: 2, lastObservedTime}` onto
/// it (`recordToSink`); later ones only count in the recorder's cache; `finishSeries`
/// writes the final count once the series has gone 6 minutes unobserved and forgets it, so
/// the next one is a new object. The core/v1 view carries the same `series`, which
/// `kubectl get events` prints as `COUNT` (`printEvent`,
/// `pkg/printers/internalversion/printers.go`) and `kubectl describe` as `(x4 over …)`
/// (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`, `DescribeEvents`). The clock
/// is driven: `finish_series` is asked at a time 7 minutes on.
#[test]
fn repeated_new_style_events_become_one_series() {
    use backout::sim::event_series::finish_series;
    use backout::sim::events::{EventKind, NewStyleEvent, record_new_style};
    let sim = Sim::start(WEB, 20.0);
    let shared = sim.handle().shared().clone();
    let pod = shared
        .store
        .list(backout::sim::res("", "pods"), Some("shop"))
        .1
        .into_iter()
        .next()
        .expect("a pod");
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // What the scheduler writes for a pod it cannot place (pkg/scheduler/schedule_one.go,
    // `handleSchedulingFailure`), repeated at each retry.
    let message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    let failed = NewStyleEvent {
        kind: EventKind::Warning,
        reason: "FailedScheduling",
        action: "Scheduling",
        message,
        controller: "default-scheduler",
        instance: "default-scheduler-sim-control-plane",
    };
    let stored = |api: &str| -> Vec<Value> {
        items(&sim.json(&["get", api, "-n", "shop"]))
            .into_iter()
            .filter(|e| e["reason"] == "FailedScheduling")
            .collect()
    };
    let core = "events";
    let modern = "events.v1.events.k8s.io";

    record_new_style(&shared, &pod, &failed);
    let first = stored(modern);
    assert_eq!(first.len(), 1, "{first:#?}");
    assert!(first[0]["series"].is_null(), "a singleton has no series");

    record_new_style(&shared, &pod, &failed);
    for api in [modern, core] {
        let evs = stored(api);
        assert_eq!(evs.len(), 1, "one object: {evs:#?}");
        assert_eq!(evs[0]["metadata"]["name"], first[0]["metadata"]["name"]);
        assert_eq!(evs[0]["series"]["count"], 2, "{api}: {:#}", evs[0]);
        let observed = evs[0]["series"]["lastObservedTime"]
            .as_str()
            .unwrap_or_default();
        assert!(
            observed.len() == "2026-01-01T00:00:00.000000Z".len() && observed.ends_with('Z'),
            "a MicroTime: {observed}"
        );
    }

    // Later ones count in the recorder's cache only: the stored series still says 2.
    record_new_style(&shared, &pod, &failed);
    record_new_style(&shared, &pod, &failed);
    assert_eq!(stored(modern)[0]["series"]["count"], 2);

    // Six minutes unobserved: the final count is written, and the series is over.
    finish_series(&shared, shared.clock.now() + chrono::Duration::minutes(7));
    for api in [modern, core] {
        let evs = stored(api);
        assert_eq!(evs.len(), 1, "{evs:#?}");
        assert_eq!(evs[0]["series"]["count"], 4, "{api}: {:#}", evs[0]);
    }
    let table = sim.ok(&["get", "events", "-n", "shop", "-o", "wide"]);
    let row = table
        .lines()
        .find(|l| l.contains("FailedScheduling"))
        .unwrap_or_else(|| panic!("{table}"));
    let header = table.lines().next().unwrap_or_default();
    let count_col = header.find("COUNT").unwrap_or_else(|| panic!("{header}"));
    assert!(
        row.get(count_col..)
            .is_some_and(|rest| rest.split_whitespace().next() == Some("4")),
        "COUNT 4:\n{table}"
    );
    let described = sim.ok(&["describe", "pod", &pod_name]);
    assert!(
        described
            .lines()
            .any(|l| l.contains("FailedScheduling") && l.contains("(x4 over")),
        "{described}"
    );

    // The next one starts a new object.
    record_new_style(&shared, &pod, &failed);
    let evs = stored(modern);
    assert_eq!(evs.len(), 2, "{evs:#?}");
    assert_eq!(
        evs.iter().filter(|e| e["series"].is_null()).count(),
        1,
        "{evs:#?}"
    );
}
