//! The slim watch decoders (`WatchedPod`, `WatchedReplicaSet`, `WatchedEvent`) against the
//! full `k8s_openapi` decode followed by the conversion they replace: for a corpus of pod
//! JSON covering kubectl's STATUS cases (every phase, waiting and terminated reasons,
//! init containers and native sidecars, deletion timestamps, scheduling gates — the cases
//! of `printPod` in kubernetes `pkg/printers/internalversion/printers.go`), and for every
//! pod, ReplicaSet and event the simulator serves during a rolling update. Also the
//! shapes kube-rs decodes them in: a list, and watch lines (`ADDED`, `BOOKMARK`,
//! `ERROR`).

mod common;

use backout::adapters::kube::convert;
use backout::adapters::kube::watched_event::WatchedEvent;
use backout::adapters::kube::watched_pod::WatchedPod;
use backout::adapters::kube::watched_replica_set::{WatchedReplicaSet, template_key};
use common::{Sim, WEB};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{ObjectList, WatchEvent};
use serde_json::{Value, json};

const POD: &str = include_str!("fixtures/watch/pod.json");

fn running(name: &str, ready: bool, restarts: i32) -> Value {
    json!({"name": name, "image": "shop/app:1", "imageID": "", "ready": ready,
           "restartCount": restarts, "started": true,
           "state": {"running": {"startedAt": "2026-12-01T09:30:14Z"}}, "lastState": {}})
}

fn waiting(name: &str, reason: &str, restarts: i32) -> Value {
    json!({"name": name, "image": "shop/app:1", "imageID": "", "ready": false,
           "restartCount": restarts, "started": false,
           "state": {"waiting": {"reason": reason, "message": "back-off 5m0s restarting failed container"}},
           "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                        "startedAt": "2026-12-01T09:31:00Z", "finishedAt": "2026-12-01T09:31:02Z"}}})
}

fn terminated(name: &str, reason: Option<&str>, exit: i32, signal: Option<i32>) -> Value {
    let mut t = json!({"exitCode": exit, "startedAt": "2026-12-01T09:31:00Z",
                       "finishedAt": "2026-12-01T09:31:02Z", "containerID": "containerd://ab"});
    if let Some(r) = reason {
        t["reason"] = json!(r);
    }
    if let Some(s) = signal {
        t["signal"] = json!(s);
    }
    json!({"name": name, "image": "shop/app:1", "imageID": "", "ready": false,
           "restartCount": 0, "started": false, "state": {"terminated": t}, "lastState": {}})
}

fn conditions(initialized: &str, ready: &str) -> Value {
    json!([
        {"type": "Initialized", "status": initialized, "lastProbeTime": null, "lastTransitionTime": "2026-12-01T09:30:12Z"},
        {"type": "Ready", "status": ready, "lastProbeTime": null, "lastTransitionTime": "2026-12-01T09:30:19Z",
         "reason": "ContainersNotReady", "message": "containers with unready status: [app]"},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": "2026-12-01T09:30:12Z"}
    ])
}

fn init_spec(names: &[(&str, Option<&str>)]) -> Value {
    Value::Array(
        names
            .iter()
            .map(|(n, policy)| {
                let mut c =
                    json!({"name": n, "image": "busybox:1.36", "command": ["sh", "-c", "true"]});
                if let Some(p) = policy {
                    c["restartPolicy"] = json!(p);
                }
                c
            })
            .collect(),
    )
}

/// The corpus: (what, JSON merge patch over the base pod). `null` removes a field.
fn corpus() -> Vec<(&'static str, Value)> {
    vec![
        ("running and ready", json!({})),
        (
            "running, not ready",
            json!({"status": {"conditions": conditions("True", "False"),
            "containerStatuses": [running("app", false, 0)]}}),
        ),
        (
            "pending, unscheduled, no statuses",
            json!({"spec": {"nodeName": null},
            "status": {"phase": "Pending", "containerStatuses": null, "startTime": null, "podIP": null,
                       "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                       "message": "0/3 nodes are available", "lastProbeTime": null,
                                       "lastTransitionTime": "2026-12-01T09:30:12Z"}]}}),
        ),
        (
            "scheduling gated",
            json!({"spec": {"nodeName": null, "schedulingGates": [{"name": "example.com/quota"}]},
            "status": {"phase": "Pending", "containerStatuses": null, "startTime": null,
                       "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated",
                                       "lastProbeTime": null, "lastTransitionTime": "2026-12-01T09:30:12Z"}]}}),
        ),
        (
            "container creating",
            json!({"status": {"phase": "Pending", "conditions": conditions("True", "False"),
            "containerStatuses": [waiting("app", "ContainerCreating", 0)]}}),
        ),
        (
            "image pull back-off",
            json!({"status": {"phase": "Pending",
            "containerStatuses": [waiting("app", "ImagePullBackOff", 0)]}}),
        ),
        (
            "err image pull",
            json!({"status": {"phase": "Pending",
            "containerStatuses": [waiting("app", "ErrImagePull", 0)]}}),
        ),
        (
            "crash loop back-off",
            json!({"status": {"conditions": conditions("True", "False"),
            "containerStatuses": [waiting("app", "CrashLoopBackOff", 7)]}}),
        ),
        (
            "two containers: crash loop and running",
            json!({
            "spec": {"containers": [{"name": "app", "image": "shop/app:1"}, {"name": "proxy", "image": "envoy:1.30"}]},
            "status": {"containerStatuses": [waiting("app", "CrashLoopBackOff", 3), running("proxy", true, 1)]}}),
        ),
        (
            "error, failed",
            json!({"status": {"phase": "Failed", "containerStatuses": [terminated("app", Some("Error"), 1, None)]}}),
        ),
        (
            "OOM killed",
            json!({"status": {"containerStatuses": [terminated("app", Some("OOMKilled"), 137, None)]}}),
        ),
        (
            "terminated by a signal, no reason",
            json!({"status": {"containerStatuses": [terminated("app", None, 0, Some(9))]}}),
        ),
        (
            "terminated, exit code only",
            json!({"status": {"containerStatuses": [terminated("app", None, 2, None)]}}),
        ),
        (
            "succeeded, completed",
            json!({"status": {"phase": "Succeeded", "conditions": conditions("True", "False"),
            "containerStatuses": [terminated("app", Some("Completed"), 0, None)]}}),
        ),
        (
            "completed beside a running container, not ready",
            json!({
            "spec": {"containers": [{"name": "app", "image": "shop/app:1"}, {"name": "side", "image": "side:2"}]},
            "status": {"conditions": conditions("True", "False"),
                       "containerStatuses": [terminated("app", Some("Completed"), 0, None), running("side", true, 0)]}}),
        ),
        (
            "completed beside a running container, ready",
            json!({
            "spec": {"containers": [{"name": "app", "image": "shop/app:1"}, {"name": "side", "image": "side:2"}]},
            "status": {"containerStatuses": [terminated("app", Some("Completed"), 0, None), running("side", true, 0)]}}),
        ),
        (
            "evicted",
            json!({"status": {"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory.", "conditions": null,
            "containerStatuses": null}}),
        ),
        (
            "evicted, container status unknown",
            json!({"status": {"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory.", "conditions": null,
            "containerStatuses": [terminated("app", Some("ContainerStatusUnknown"), 137, None)]}}),
        ),
        (
            "terminating",
            json!({"metadata": {"deletionTimestamp": "2026-12-01T10:00:00Z", "deletionGracePeriodSeconds": 30}}),
        ),
        (
            "terminating on a lost node",
            json!({"metadata": {"deletionTimestamp": "2026-12-01T10:00:00Z"},
            "status": {"reason": "NodeLost"}}),
        ),
        (
            "deleting a succeeded pod",
            json!({"metadata": {"deletionTimestamp": "2026-12-01T10:00:00Z"},
            "status": {"phase": "Succeeded", "containerStatuses": [terminated("app", Some("Completed"), 0, None)]}}),
        ),
        (
            "init 1/2 running",
            json!({"spec": {"initContainers": init_spec(&[("migrate", None), ("warm", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [terminated("migrate", Some("Completed"), 0, None), running("warm", false, 2)],
                       "containerStatuses": [waiting("app", "PodInitializing", 0)]}}),
        ),
        (
            "init crash loop",
            json!({"spec": {"initContainers": init_spec(&[("migrate", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [waiting("migrate", "CrashLoopBackOff", 4)],
                       "containerStatuses": [waiting("app", "PodInitializing", 0)]}}),
        ),
        (
            "init error",
            json!({"spec": {"initContainers": init_spec(&[("migrate", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [terminated("migrate", Some("Error"), 1, None)]}}),
        ),
        (
            "init killed by a signal",
            json!({"spec": {"initContainers": init_spec(&[("migrate", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [terminated("migrate", None, 1, Some(9))]}}),
        ),
        (
            "init exit code",
            json!({"spec": {"initContainers": init_spec(&[("migrate", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [terminated("migrate", None, 3, None)]}}),
        ),
        (
            "init waiting, no statuses yet",
            json!({"spec": {"initContainers": init_spec(&[("a", None), ("b", None)])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [waiting("a", "PodInitializing", 0)], "containerStatuses": null}}),
        ),
        (
            "native sidecar started, app running",
            json!({
            "spec": {"initContainers": init_spec(&[("mesh", Some("Always"))])},
            "status": {"initContainerStatuses": [running("mesh", true, 1)],
                       "containerStatuses": [running("app", true, 2)]}}),
        ),
        (
            "native sidecar not started",
            json!({
            "spec": {"initContainers": init_spec(&[("mesh", Some("Always"))])},
            "status": {"phase": "Pending", "conditions": conditions("False", "False"),
                       "initContainerStatuses": [{"name": "mesh", "image": "mesh:1", "imageID": "", "ready": false,
                           "restartCount": 0, "started": false, "state": {"running": {"startedAt": "2026-12-01T09:30:14Z"}}}]}}),
        ),
        (
            "image by digest",
            json!({"spec": {"containers": [{"name": "app",
            "image": "shop/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}}),
        ),
        (
            "image without a tag, port in the registry",
            json!({"spec": {"containers": [{"name": "app", "image": "registry:5000/shop/app"}]}}),
        ),
        (
            "no labels, no start time",
            json!({"metadata": {"labels": null}, "status": {"startTime": null}}),
        ),
        ("no status at all", json!({"status": null})),
        (
            "fractional timestamps and escaped text",
            json!({"metadata": {"creationTimestamp": "2026-12-01T09:30:12.123456Z",
            "name": "caf\u{e9}-7d9c5f6b8-x2lkq", "labels": {"pod-template-hash": "7d9c\"5f"}},
            "status": {"startTime": "2026-12-01T09:30:12.5Z", "reason": "Sp\u{e9}cial \\ reason"}}),
        ),
        (
            "unknown state",
            json!({"status": {"containerStatuses": [{"name": "app", "image": "x", "imageID": "",
            "ready": false, "restartCount": 0, "state": {}}]}}),
        ),
    ]
}

fn pod(patch: &Value) -> String {
    let mut doc: Value = serde_json::from_str(POD).expect("fixture");
    json_patch::merge(&mut doc, patch);
    doc.to_string()
}

/// The old path: the full `Pod`, then the conversion.
fn full(json: &str) -> backout::domain::cluster::PodRow {
    convert::pod_row(&serde_json::from_str::<Pod>(json).expect("full Pod decode"))
}

#[test]
fn slim_pod_decode_equals_full_decode_then_convert() {
    let mut statuses = std::collections::BTreeSet::new();
    for (what, patch) in corpus() {
        let json = pod(&patch);
        let slim: WatchedPod = serde_json::from_str(&json).expect(what);
        let old = full(&json);
        assert_eq!(slim.row, old, "{what}");
        assert_eq!(
            slim.meta.resource_version.as_deref(),
            Some("48213377"),
            "{what}"
        );
        assert_eq!(slim.meta.name.as_deref(), Some(old.name.as_str()), "{what}");
        statuses.insert(old.status);
    }
    // The corpus really covers the STATUS column's cases.
    for s in [
        "Running",
        "Pending",
        "SchedulingGated",
        "ContainerCreating",
        "ImagePullBackOff",
        "ErrImagePull",
        "CrashLoopBackOff",
        "Error",
        "OOMKilled",
        "Signal:9",
        "ExitCode:2",
        "Completed",
        "NotReady",
        "Evicted",
        "Terminating",
        "Unknown",
        "Init:1/2",
        "Init:CrashLoopBackOff",
        "Init:Error",
        "Init:Signal:9",
        "Init:ExitCode:3",
        "Init:0/2",
        "Init:0/1",
    ] {
        assert!(statuses.contains(s), "{s} not covered: {statuses:?}");
    }
}

#[test]
fn slim_pods_decode_in_lists_and_watch_lines_like_kube_does() {
    let items: Vec<Value> = corpus()
        .iter()
        .map(|(_, p)| serde_json::from_str(&pod(p)).expect("pod"))
        .collect();
    let list = json!({"apiVersion": "v1", "kind": "PodList",
                      "metadata": {"resourceVersion": "48213400"}, "items": items});
    let slim: ObjectList<WatchedPod> = serde_json::from_value(list.clone()).expect("slim list");
    let typed: ObjectList<Pod> = serde_json::from_value(list).expect("typed list");
    assert_eq!(slim.metadata.resource_version.as_deref(), Some("48213400"));
    let rows: Vec<_> = slim.items.iter().map(|p| p.row.clone()).collect();
    let old: Vec<_> = typed.items.iter().map(convert::pod_row).collect();
    assert_eq!(rows, old);

    // Watch lines, decoded as kube-client decodes them (`WatchEvent<K>` per line).
    let line = format!(r#"{{"type":"MODIFIED","object":{}}}"#, pod(&json!({})));
    match serde_json::from_str::<WatchEvent<WatchedPod>>(&line).expect("modified") {
        WatchEvent::Modified(p) => {
            assert_eq!(p.row, full(&pod(&json!({}))));
            assert_eq!(
                kube::ResourceExt::resource_version(&p).as_deref(),
                Some("48213377")
            );
        }
        other => panic!("{other:?}"),
    }
    let bookmark = r#"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"48213500","annotations":{"k8s.io/initial-events-end":"true"}}}}"#;
    match serde_json::from_str::<WatchEvent<WatchedPod>>(bookmark).expect("bookmark") {
        WatchEvent::Bookmark(b) => assert_eq!(b.metadata.resource_version, "48213500"),
        other => panic!("{other:?}"),
    }
    let gone = r#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (48213377)","reason":"Expired","code":410}}"#;
    match serde_json::from_str::<WatchEvent<WatchedPod>>(gone).expect("error") {
        WatchEvent::Error(e) => assert_eq!(e.code, 410),
        other => panic!("{other:?}"),
    }
    // A pod that is not an object is an error, as it is for the typed decode.
    assert!(serde_json::from_str::<WatchedPod>("[1]").is_err());
    assert!(serde_json::from_str::<WatchedPod>(r#"{"status":{"startTime":"yesterday"}}"#).is_err());
}

#[test]
fn everything_the_simulator_serves_during_a_rollout_decodes_the_same() {
    let sim = Sim::start(WEB, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    sim.ok(&["scale", "deploy/web", "--replicas=6"]);
    // Mid-rollout and after: pods in several states, four ReplicaSets, events.
    for _ in 0..2 {
        let pods = sim.ok(&["get", "pods", "-o", "json"]);
        let typed: ObjectList<Pod> = serde_json::from_str(&pods).expect("pods");
        let slim: ObjectList<WatchedPod> = serde_json::from_str(&pods).expect("slim pods");
        assert!(!typed.items.is_empty());
        for (t, s) in typed.items.iter().zip(&slim.items) {
            assert_eq!(s.row, convert::pod_row(t));
            assert_eq!(s.meta.resource_version, t.metadata.resource_version);
        }

        let d: Deployment = serde_json::from_str(&sim.ok(&["get", "deploy/web", "-o", "json"]))
            .expect("deployment");
        let template = &d.spec.as_ref().expect("spec").template;
        let sets = sim.ok(&["get", "replicasets", "-o", "json"]);
        let typed: ObjectList<ReplicaSet> = serde_json::from_str(&sets).expect("sets");
        let slim: ObjectList<WatchedReplicaSet> = serde_json::from_str(&sets).expect("slim sets");
        assert!(typed.items.len() >= 4);
        let mut matching = 0;
        for (t, s) in typed.items.iter().zip(&slim.items) {
            assert_eq!(s.facts, convert::replica_set_facts(t, None));
            assert!(convert::owned_by(t, &d));
            assert_eq!(s.owner_uid, d.metadata.uid.clone().unwrap_or_default());
            let t_template = t
                .spec
                .as_ref()
                .and_then(|s| s.template.clone())
                .unwrap_or_default();
            let same = convert::equal_ignore_hash(&t_template, template);
            assert_eq!(s.template_key == template_key(template), same);
            matching += usize::from(same);
        }
        assert_eq!(matching, 1, "exactly one ReplicaSet is current");

        let events = sim.ok(&["get", "events", "-o", "json"]);
        let typed: ObjectList<Event> = serde_json::from_str(&events).expect("events");
        let slim: ObjectList<WatchedEvent> = serde_json::from_str(&events).expect("slim events");
        assert!(!typed.items.is_empty());
        for (t, s) in typed.items.iter().zip(&slim.items) {
            assert_eq!(s.row, convert::event_row(t));
            assert_eq!(s.concerns("web"), convert::event_concerns(t, "web"));
            assert_eq!(s.meta.name, t.metadata.name);
        }
        sim.wait_for("the rollout to finish", || {
            sim.run(&["rollout", "status", "deploy/web", "--timeout=1s"])
                .0
                == 0
        });
    }
}
