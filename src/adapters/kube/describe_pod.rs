//! `kubectl describe pod` for the Pods pane's `d`, byte for byte as kubectl 1.32 prints it
//! (`tests/drill_down_parity.rs` compares the two against the simulator): kubernetes/kubectl
//! `pkg/describe/describe.go` at v0.32 — `describePod`, `describeContainers` (basic info,
//! command, state, resources, probes, env from, env, mounts), `describeStatus`,
//! `describeVolumes`, `printLabelsMultiline`, `printAnnotationsMultiline`,
//! `printPodTolerationsMultiline`, `DescribeEvents` — written as its `PrefixWriter` writes
//! (two spaces a level, `printers.WriteEscaped`) and laid out by Go's tabwriter
//! ([`super::go_tabwriter`]). Kept short of kubectl: volume kinds other than emptyDir,
//! configMap, secret, persistentVolumeClaim and hostPath print `<unknown>`; a
//! `resourceFieldRef` env value and topology spread constraints are left out; quantities
//! are printed as the server stored them (kubectl re-canonicalises them).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::describe_container::{containers, containers_if_any, resources};
use super::describe_writer::{
    Writer, annotations_multiline, go_bool, labels_multiline, rfc1123z, s, seccomp, time,
    tolerations,
};
use crate::domain::cluster::printers::age::human_duration;

/// `translateTimestampSince`: `duration.HumanDuration`, `<unknown>` for a zero time.
fn since(v: &Value, now: DateTime<Utc>) -> String {
    match time(v) {
        Some(t) => human_duration((now - t).num_seconds()),
        None => "<unknown>".into(),
    }
}

/// The pod described, with its events (`involvedObject` the pod) below.
pub fn describe_pod(pod: &Value, events: &[Value], now: DateTime<Utc>) -> String {
    let mut w = Writer(String::new());
    let meta = &pod["metadata"];
    let spec = &pod["spec"];
    let status = &pod["status"];
    w.w(0, &format!("Name:\t{}\n", s(meta, &["name"])));
    w.w(0, &format!("Namespace:\t{}\n", s(meta, &["namespace"])));
    if let Some(p) = spec["priority"].as_i64() {
        w.w(0, &format!("Priority:\t{p}\n"));
    }
    for (label, key) in [
        ("Priority Class Name", "priorityClassName"),
        ("Runtime Class Name", "runtimeClassName"),
        ("Service Account", "serviceAccountName"),
    ] {
        let v = s(spec, &[key]);
        if !v.is_empty() {
            w.w(0, &format!("{label}:\t{v}\n"));
        }
    }
    let node = s(spec, &["nodeName"]);
    if node.is_empty() {
        w.w(0, "Node:\t<none>\n");
    } else {
        w.w(0, &format!("Node:\t{node}/{}\n", s(status, &["hostIP"])));
    }
    if !status["startTime"].is_null() {
        w.w(
            0,
            &format!("Start Time:\t{}\n", rfc1123z(&status["startTime"])),
        );
    }
    labels_multiline(&mut w, "Labels", &meta["labels"]);
    annotations_multiline(&mut w, "Annotations", &meta["annotations"]);
    let phase = s(status, &["phase"]);
    if !meta["deletionTimestamp"].is_null() && phase != "Failed" && phase != "Succeeded" {
        w.w(
            0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], now)
            ),
        );
        w.w(
            0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(0)
            ),
        );
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    for (label, key) in [("Reason", "reason"), ("Message", "message")] {
        let v = s(status, &[key]);
        if !v.is_empty() {
            w.w(0, &format!("{label}:\t{v}\n"));
        }
    }
    seccomp(&mut w, 0, &spec["securityContext"]);
    w.w(0, &format!("IP:\t{}\n", s(status, &["podIP"])));
    match status["podIPs"].as_array().filter(|a| !a.is_empty()) {
        None => w.w(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.w(0, "IPs:\n");
            for ip in ips {
                w.w(1, &format!("IP:\t{}\n", s(ip, &["ip"])));
            }
        }
    }
    if let Some(owner) = meta["ownerReferences"]
        .as_array()
        .and_then(|o| o.iter().find(|r| r["controller"].as_bool() == Some(true)))
    {
        w.w(
            0,
            &format!(
                "Controlled By:\t{}/{}\n",
                s(owner, &["kind"]),
                s(owner, &["name"])
            ),
        );
    }
    let nominated = s(status, &["nominatedNodeName"]);
    if !nominated.is_empty() {
        w.w(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if spec["resources"].is_object() {
        w.w(0, "Resources:\n");
        resources(&mut w, &spec["resources"], 1);
    }
    containers_if_any(
        &mut w,
        pod,
        "",
        ("Init Containers", "initContainers", "initContainerStatuses"),
    );
    containers(
        &mut w,
        pod,
        "",
        ("Containers", "containers", "containerStatuses"),
    );
    containers_if_any(
        &mut w,
        pod,
        "",
        (
            "Ephemeral Containers",
            "ephemeralContainers",
            "ephemeralContainerStatuses",
        ),
    );
    let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
    if let Some(gates) = spec["readinessGates"].as_array().filter(|g| !g.is_empty()) {
        w.w(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let t = s(g, &["conditionType"]);
            let st = conditions
                .iter()
                .find(|c| s(c, &["type"]) == t)
                .map_or("<none>", |c| s(c, &["status"]));
            w.w(1, &format!("{t} \t{st} \n"));
        }
    }
    if !conditions.is_empty() {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for c in &conditions {
            w.w(
                1,
                &format!("{} \t{} \n", s(c, &["type"]), s(c, &["status"])),
            );
        }
    }
    volumes(&mut w, "", &spec["volumes"]);
    let qos = match s(status, &["qosClass"]) {
        "" => compute_qos(spec),
        q => q.to_string(),
    };
    w.w(0, &format!("QoS Class:\t{qos}\n"));
    labels_multiline(&mut w, "Node-Selectors", &spec["nodeSelector"]);
    tolerations(&mut w, "Tolerations", &spec["tolerations"]);
    describe_events(&mut w, events, now);
    super::go_tabwriter::tab_write(&w.0)
}

/// `describeVolumes` for the common kinds.
pub(super) fn volumes(w: &mut Writer, space: &str, list: &Value) {
    let Some(list) = list.as_array().filter(|l| !l.is_empty()) else {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    };
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in list {
        w.w(1, &format!("{name_indent}{}:\n", s(v, &["name"])));
        let optional = |r: &Value| go_bool(r["optional"].as_bool() == Some(true));
        if let Some(h) = v.get("hostPath") {
            let t = match s(h, &["type"]) {
                "" if h["type"].is_null() => "<none>",
                t => t,
            };
            w.w(2, &format!("Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{t}\n", s(h, &["path"])));
        } else if let Some(e) = v.get("emptyDir") {
            let limit = match &e["sizeLimit"] {
                Value::String(l) if l != "0" => l.clone(),
                _ => "<unset>".into(),
            };
            w.w(2, &format!("Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{limit}\n", s(e, &["medium"])));
        } else if let Some(sec) = v.get("secret") {
            w.w(2, &format!("Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n", s(sec, &["secretName"]), optional(sec)));
        } else if let Some(cm) = v.get("configMap") {
            w.w(2, &format!("Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n", s(cm, &["name"]), optional(cm)));
        } else if let Some(c) = v.get("persistentVolumeClaim") {
            w.w(2, &format!("Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n", s(c, &["claimName"]), go_bool(c["readOnly"].as_bool() == Some(true))));
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// `qos.ComputePodQOS`, when the status carries no class.
fn compute_qos(spec: &Value) -> String {
    let mut requests = std::collections::BTreeMap::new();
    let mut limits = std::collections::BTreeMap::new();
    let mut guaranteed = true;
    let mut all: Vec<&Value> = Vec::new();
    if spec["resources"].is_object() {
        all.push(&spec["resources"]);
    } else {
        for key in ["containers", "initContainers"] {
            for c in spec[key].as_array().into_iter().flatten() {
                all.push(&c["resources"]);
            }
        }
    }
    for r in all {
        let qos_only = |m: &Value| -> Vec<(String, String)> {
            m.as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(k, _)| *k == "cpu" || *k == "memory")
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default()
        };
        for (k, v) in qos_only(&r["requests"]) {
            requests.insert(k, v);
        }
        let l = qos_only(&r["limits"]);
        if !(l.iter().any(|(k, _)| k == "cpu") && l.iter().any(|(k, _)| k == "memory")) {
            guaranteed = false;
        }
        for (k, v) in l {
            limits.insert(k, v);
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".into();
    }
    if guaranteed
        && requests.iter().all(|(k, v)| limits.get(k) == Some(v))
        && requests.len() == limits.len()
    {
        return "Guaranteed".into();
    }
    "Burstable".into()
}

/// `DescribeEvents`: sorted by `lastTimestamp` (a missing one first; Go's insertion sort
/// for short lists keeps equal ones in the server's order, as this stable sort does), `Age`
/// with `(xN over …)` for a repeated event or a series.
fn describe_events(w: &mut Writer, events: &[Value], now: DateTime<Utc>) {
    if events.is_empty() {
        w.w(0, "Events:\t<none>\n");
        return;
    }
    let mut events: Vec<&Value> = events.iter().collect();
    events.sort_by_key(|e| time(&e["lastTimestamp"]));
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in events {
        let first = if e["eventTime"].is_null() {
            since(&e["firstTimestamp"], now)
        } else {
            since(&e["eventTime"], now)
        };
        let count = e["count"].as_i64().unwrap_or(0);
        let interval = if e["series"].is_object() {
            format!(
                "{} (x{} over {first})",
                since(&e["series"]["lastObservedTime"], now),
                e["series"]["count"].as_i64().unwrap_or(0)
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(&e["lastTimestamp"], now)
            )
        } else {
            first
        };
        let mut source = s(e, &["source", "component"]);
        if source.is_empty() {
            source = s(e, &["reportingComponent"]);
        }
        let message = s(e, &["message"]).trim();
        w.w(
            1,
            &format!(
                "{}\t{}\t{interval}\t{source}\t{message}\n",
                s(e, &["type"]),
                s(e, &["reason"])
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_crash_looping_pod_with_its_last_state_and_back_off_events() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T10:10:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let pod = json!({
            "metadata": {"name": "web-7f8f-abcde", "namespace": "shop",
                "labels": {"app": "web", "pod-template-hash": "7f8f"},
                "ownerReferences": [{"kind": "ReplicaSet", "name": "web-7f8f", "controller": true}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "web:2.0.0",
                "env": [{"name": "MODE", "value": "fast"}]}]},
            "status": {"phase": "Running", "hostIP": "10.0.0.1", "podIP": "10.1.0.7",
                "startTime": "2026-12-06T10:00:00Z",
                "conditions": [{"type": "Ready", "status": "False"}],
                "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                    "containerID": "sim://app", "imageID": "web@sha256:ab",
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    "lastState": {"terminated": {"reason": "Error", "exitCode": 2,
                        "startedAt": "2026-12-06T10:08:00Z", "finishedAt": "2026-12-06T10:08:30Z"}}}]}
        });
        let events = vec![json!({
            "type": "Warning", "reason": "BackOff", "count": 6,
            "firstTimestamp": "2026-12-06T10:02:00Z", "lastTimestamp": "2026-12-06T10:09:00Z",
            "source": {"component": "kubelet"},
            "involvedObject": {"fieldPath": "spec.containers{app}"},
            "message": "Back-off restarting failed container app in pod web-7f8f-abcde"
        })];
        let text = describe_pod(&pod, &events, now);
        let expected = "\
Name:           web-7f8f-abcde
Namespace:      shop
Node:           node-1/10.0.0.1
Start Time:     Sun, 06 Dec 2026 10:00:00 +0000
Labels:         app=web
                pod-template-hash=7f8f
Annotations:    <none>
Status:         Running
IP:             10.1.0.7
IPs:            <none>
Controlled By:  ReplicaSet/web-7f8f
Containers:
  app:
    Container ID:   sim://app
    Image:          web:2.0.0
    Image ID:       web@sha256:ab
    Port:           <none>
    Host Port:      <none>
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       Error
      Exit Code:    2
      Started:      Sun, 06 Dec 2026 10:08:00 +0000
      Finished:     Sun, 06 Dec 2026 10:08:30 +0000
    Ready:          False
    Restart Count:  4
    Environment:
      MODE:  fast
    Mounts:  <none>
Conditions:
  Type           Status
  Ready          False 
Volumes:         <none>
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     <none>
Events:
  Type     Reason   Age               From     Message
  ----     ------   ----              ----     -------
  Warning  BackOff  60s (x6 over 8m)  kubelet  Back-off restarting failed container app in pod web-7f8f-abcde
";
        assert_eq!(text, expected, "\n{text}");
    }
}
