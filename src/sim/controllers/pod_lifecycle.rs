//! The pod lifecycle, standing in for the scheduler and the kubelet: scheduling onto a
//! simulated node, `ContainerCreating`, running, readiness, crash loops with exponential
//! back-off, image pull errors, and graceful termination. Every delay comes from the
//! behaviour of the pod's version and is in simulated seconds.

use serde_json::{Value, json};

use super::kubelet_events::{self, KubeletEvent};
use super::{EventKind, Pass, pod_ready, replace, terminating};
use crate::sim::events::{NewStyleEvent, go_duration, record_new_style};
use crate::sim::{Behaviour, Shared, res};

/// `reportingInstance` of the scheduler's events (`default-scheduler-<host>`).
const SCHEDULER_INSTANCE: &str = "default-scheduler-sim-control-plane";

/// Names of the simulated nodes.
pub const NODES: &[&str] = &["sim-node-1", "sim-node-2", "sim-node-3"];

/// The `Node` object of simulated node `index` (0-based), as created at start.
pub fn node_object(index: usize) -> Value {
    let name = NODES.get(index).copied().unwrap_or("sim-node");
    json!({
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
            "node-role.kubernetes.io/worker": ""}},
        "spec": {"podCIDR": format!("10.244.{index}.0/24")},
        "status": {
            "capacity": {"cpu": "8", "memory": "32Gi", "pods": "5000"},
            "allocatable": {"cpu": "7800m", "memory": "31Gi", "pods": "5000"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}
            ],
            "addresses": [{"type": "InternalIP", "address": format!("10.0.0.{}", index + 1)}, {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.4", "kubeProxyVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "kernelVersion": "6.1.0-backout-sim", "containerRuntimeVersion": "containerd://1.7.24",
                         "operatingSystem": "linux", "architecture": "amd64"}
        }
    })
}

/// Crash-loop back-off after `restarts` restarts (10 s doubling, capped at 5 min).
pub fn backoff_secs(restarts: i64) -> f64 {
    let exp = (restarts.max(1) - 1).min(5) as i32;
    (10.0 * 2f64.powi(exp)).min(300.0)
}

fn fnv(s: &str) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x01000193);
    }
    h
}

fn cond(ty: &str, status: bool, now: &str) -> Value {
    json!({"type": ty, "status": if status { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now})
}

fn set_cond(pod: &mut Value, ty: &str, status: bool, now: &str) {
    let want = if status { "True" } else { "False" };
    let conds = pod["status"]["conditions"].as_array_mut();
    match conds {
        Some(cs) => match cs.iter_mut().find(|c| c["type"] == ty) {
            Some(c) if c["status"] == want => {}
            Some(c) => *c = cond(ty, status, now),
            None => cs.push(cond(ty, status, now)),
        },
        None => pod["status"]["conditions"] = json!([cond(ty, status, now)]),
    }
}

fn container_names(pod: &Value) -> Vec<(String, String)> {
    pod["spec"]["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["name"].as_str().unwrap_or_default().to_string(),
                        c["image"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn statuses(pod: &Value, f: impl Fn(&str, &str, i64, &Value) -> Value) -> Value {
    let old = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let out: Vec<Value> = container_names(pod)
        .iter()
        .map(|(n, i)| {
            let prev = old
                .iter()
                .find(|c| c["name"] == n.as_str())
                .cloned()
                .unwrap_or(Value::Null);
            let restarts = prev["restartCount"].as_i64().unwrap_or(0);
            f(n, i, restarts, &prev)
        })
        .collect();
    json!(out)
}

fn image_id(image: &str) -> String {
    format!("{image}@sha256:{:08x}{:056x}", fnv(image), 0)
}

/// Advances every pod that has somewhere to go. Returns whether any pod is still on its
/// way somewhere (a later pass has work even if nothing else changes).
pub fn sync(shared: &Shared, opts: Pass) -> bool {
    let mut pending = false;
    let pods_res = res("", "pods");
    let (_, pods) = shared.store.list(pods_res, None);
    for p in pods {
        let now = shared.clock.now_rfc3339();
        let instant = opts.instant;
        let elapsed = |ts: &str| {
            if instant {
                f64::MAX
            } else {
                shared.clock.secs_since(ts)
            }
        };
        if terminating(&p) {
            pending = true;
            let grace = p["metadata"]["deletionGracePeriodSeconds"]
                .as_f64()
                .unwrap_or(0.0);
            let deadline = p["metadata"]["deletionTimestamp"]
                .as_str()
                .unwrap_or_default();
            let b = shared.behaviour_of(&p["spec"]);
            // `deletionTimestamp` is the request's wall-clock time + the grace period
            // (`pkg/registry/rest/delete.go`); simulated seconds since the request:
            let since_request = shared
                .clock
                .signed_secs_since(deadline)
                .map_or(f64::MAX, |s| s + grace * shared.clock.speed());
            if instant || since_request >= b.terminate_seconds.min(grace) {
                let (ns, name) = crate::sim::store::key_of(&p);
                let _ = shared.store.delete(pods_res, &ns, &name);
            }
            continue;
        }
        let phase = p["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if phase == "Succeeded" || phase == "Failed" {
            continue;
        }
        // Fast path: steady pods (the vast majority at scale) need no copy and no change.
        if phase == "Running" && !instant {
            let ready = pod_ready(&p);
            let waiting = p["status"]["containerStatuses"][0]["state"]["waiting"].is_object();
            let (crashes, never_ready) = shared.with_behaviour(&p["spec"], |b| {
                (b.crash_after_seconds.is_some(), b.never_ready)
            });
            if !waiting && !crashes && ready != never_ready {
                continue;
            }
        }
        pending = true;
        let b: Behaviour = shared.behaviour_of(&p["spec"]);
        let name = p["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let ns = p["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let scheduled = p["spec"]["nodeName"]
            .as_str()
            .is_some_and(|n| !n.is_empty());
        let mut pod = (*p).clone();
        if !scheduled {
            let h = fnv(&name);
            let node = NODES[h as usize % NODES.len()];
            let node_idx = h as usize % NODES.len() + 1;
            pod["spec"]["nodeName"] = json!(node);
            pod["status"]["phase"] = json!("Pending");
            pod["status"]["hostIP"] = json!(format!("10.0.0.{node_idx}"));
            pod["status"]["hostIPs"] = json!([{"ip": format!("10.0.0.{node_idx}")}]);
            let ip = shared.allocate_pod_ip();
            pod["status"]["podIP"] = json!(ip);
            pod["status"]["podIPs"] = json!([{"ip": ip}]);
            pod["status"]["startTime"] = json!(now);
            pod["status"]["conditions"] = json!([
                cond("PodReadyToStartContainers", false, &now),
                cond("Initialized", true, &now),
                cond("Ready", false, &now),
                cond("ContainersReady", false, &now),
                cond("PodScheduled", true, &now),
            ]);
            pod["status"]["containerStatuses"] = statuses(&p, |n, i, _, _| {
                json!({"name": n, "image": i, "imageID": "", "ready": false, "restartCount": 0, "started": false,
                       "state": {"waiting": {"reason": "ContainerCreating"}}, "lastState": {}})
            });
            if let Some(stored) = replace(shared, pods_res, &p, pod) {
                // The scheduler writes new-style events (`pkg/scheduler/schedule_one.go`).
                record_new_style(
                    shared,
                    &p,
                    &NewStyleEvent {
                        kind: EventKind::Normal,
                        reason: "Scheduled",
                        action: "Binding",
                        message: &format!("Successfully assigned {ns}/{name} to {node}"),
                        controller: "default-scheduler",
                        instance: SCHEDULER_INSTANCE,
                    },
                );
                kubelet_events::emit(shared, &stored, &KubeletEvent::Pulling);
            }
            continue;
        }
        let started = p["status"]["startTime"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let first = &p["status"]["containerStatuses"][0];
        let waiting = first["state"]["waiting"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let running_since = first["state"]["running"]["startedAt"]
            .as_str()
            .map(String::from);
        let restarts = first["restartCount"].as_i64().unwrap_or(0);
        let mut event: Option<KubeletEvent> = None;
        if waiting == "ContainerCreating"
            || waiting == "ErrImagePull"
            || waiting == "ImagePullBackOff"
        {
            if elapsed(&started) < b.start_seconds && !instant {
                continue;
            }
            if b.image_pull_error {
                if waiting == "ErrImagePull" && elapsed(&started) >= b.start_seconds + 5.0 {
                    pod["status"]["containerStatuses"] = statuses(&p, |n, i, r, _| {
                        json!({"name": n, "image": i, "imageID": "", "ready": false, "restartCount": r, "started": false,
                               "state": {"waiting": {"reason": "ImagePullBackOff", "message": format!("Back-off pulling image \"{i}\"")}}, "lastState": {}})
                    });
                    event = Some(KubeletEvent::PullBackOff);
                } else if waiting == "ContainerCreating" {
                    let image = container_names(&p)
                        .first()
                        .map(|c| c.1.clone())
                        .unwrap_or_default();
                    let msg = format!(
                        "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found"
                    );
                    pod["status"]["containerStatuses"] = statuses(&p, |n, i, r, _| {
                        json!({"name": n, "image": i, "imageID": "", "ready": false, "restartCount": r, "started": false,
                               "state": {"waiting": {"reason": "ErrImagePull", "message": msg}}, "lastState": {}})
                    });
                    event = Some(KubeletEvent::PullFailed(msg.clone()));
                } else {
                    continue;
                }
            } else {
                pod["status"]["phase"] = json!("Running");
                set_cond(&mut pod, "PodReadyToStartContainers", true, &now);
                pod["status"]["containerStatuses"] = statuses(&p, |n, i, r, prev| {
                    json!({"name": n, "image": i, "imageID": image_id(i), "ready": false, "restartCount": r, "started": true,
                           "containerID": format!("containerd://{:016x}", fnv(&format!("{n}{now}{r}"))),
                           "state": {"running": {"startedAt": now}}, "lastState": prev["lastState"].clone()})
                });
                event = Some(KubeletEvent::Started { restart: false });
            }
        } else if waiting == "CrashLoopBackOff" {
            let finished = first["lastState"]["terminated"]["finishedAt"]
                .as_str()
                .unwrap_or_default();
            if elapsed(finished) < backoff_secs(restarts) {
                continue;
            }
            pod["status"]["containerStatuses"] = statuses(&p, |n, i, r, prev| {
                json!({"name": n, "image": i, "imageID": image_id(i), "ready": false, "restartCount": r, "started": true,
                       "containerID": format!("containerd://{:016x}", fnv(&format!("{n}{now}{r}"))),
                       "state": {"running": {"startedAt": now}}, "lastState": prev["lastState"].clone()})
            });
            event = Some(KubeletEvent::Started { restart: true });
        } else if let Some(since) = running_since {
            let up = elapsed(&since);
            if let Some(crash) = b.crash_after_seconds
                && (up >= crash || (instant && crash <= 0.0))
                && !instant
            {
                let r = restarts + 1;
                let pod_ref = kubelet_events::format_pod(&p);
                pod["status"]["containerStatuses"] = statuses(&p, |n, i, _, prev| {
                    json!({"name": n, "image": i, "imageID": image_id(i), "ready": false, "restartCount": r, "started": false,
                           "containerID": prev["containerID"].clone(),
                           "state": {"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off {} restarting failed container={n} pod={pod_ref}", go_duration(backoff_secs(r) as u64 * 1000))}},
                           "lastState": {"terminated": {"exitCode": b.exit_code, "reason": "Error", "startedAt": since, "finishedAt": now, "containerID": prev["containerID"].clone()}}})
                });
                set_cond(&mut pod, "Ready", false, &now);
                set_cond(&mut pod, "ContainersReady", false, &now);
                event = Some(KubeletEvent::CrashBackOff);
            } else if !pod_ready(&p) && !b.never_ready && (up >= b.ready_seconds || instant) {
                if let Some(cs) = pod["status"]["containerStatuses"].as_array_mut() {
                    for c in cs {
                        c["ready"] = json!(true);
                    }
                }
                set_cond(&mut pod, "ContainersReady", true, &now);
                set_cond(&mut pod, "Ready", true, &now);
            } else if pod_ready(&p) && b.never_ready {
                if let Some(cs) = pod["status"]["containerStatuses"].as_array_mut() {
                    for c in cs {
                        c["ready"] = json!(false);
                    }
                }
                set_cond(&mut pod, "ContainersReady", false, &now);
                set_cond(&mut pod, "Ready", false, &now);
                event = Some(KubeletEvent::Unhealthy);
            } else {
                continue;
            }
        } else {
            continue;
        }
        if let Some(stored) = replace(shared, pods_res, &p, pod)
            && let Some(what) = event
        {
            if matches!(what, KubeletEvent::CrashBackOff) {
                // The run that ended stays readable after later restarts.
                shared.kept_runs.keep(shared, &stored);
            }
            kubelet_events::emit(shared, &stored, &what);
        }
    }
    pending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff_secs(1), 10.0);
        assert_eq!(backoff_secs(2), 20.0);
        assert_eq!(backoff_secs(4), 80.0);
        assert_eq!(backoff_secs(20), 300.0);
    }
}
