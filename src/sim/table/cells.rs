//! The cells of one object's `Table` row, per kind, matching `columns.rs`: pod status
//! (`CrashLoopBackOff`, `Init:0/1`, restarts with their age), readiness counts, images,
//! selectors, ages.

use serde_json::{Value, json};

use crate::sim::clock::{SimClock, human_duration};
use crate::sim::discovery::ResourceInfo;
use crate::sim::selectors::LabelSelector;

/// `printEvent` (`pkg/printers/internalversion/printers.go`) over a core/v1 or an
/// `events.k8s.io/v1` event: first and last seen (falling back to `eventTime`, `series`
/// first), type, reason, object, subobject, source (`formatEventSource`), message, count
/// (1 for singletons) and name.
fn event_cells(obj: &Value, core: bool, clock: &SimClock) -> Vec<Value> {
    let pick = |core_key: &str, modern_key: &str| {
        if core {
            s(obj, &[core_key])
        } else {
            s(obj, &[modern_key])
        }
    };
    let since = |t: &str| {
        if t.is_empty() {
            "<unknown>".to_string()
        } else {
            human_duration(clock.age_secs(t))
        }
    };
    let first_ts = pick("firstTimestamp", "deprecatedFirstTimestamp");
    let first = since(if first_ts.is_empty() {
        s(obj, &["eventTime"])
    } else {
        first_ts
    });
    let last_ts = pick("lastTimestamp", "deprecatedLastTimestamp");
    let mut last = if last_ts.is_empty() {
        first.clone()
    } else {
        since(last_ts)
    };
    let mut count = obj[if core { "count" } else { "deprecatedCount" }]
        .as_i64()
        .unwrap_or(0);
    if obj["series"].is_object() {
        last = since(s(obj, &["series", "lastObservedTime"]));
        count = obj["series"]["count"].as_i64().unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let regarding = &obj[if core { "involvedObject" } else { "regarding" }];
    let kind = s(regarding, &["kind"]).to_lowercase();
    let target = match s(regarding, &["name"]) {
        "" => kind,
        name => format!("{kind}/{name}"),
    };
    let source = &obj[if core { "source" } else { "deprecatedSource" }];
    let component = [
        s(source, &["component"]),
        pick("reportingComponent", "reportingController"),
    ]
    .into_iter()
    .find(|c| !c.is_empty())
    .unwrap_or_default();
    let instance = [s(source, &["host"]), s(obj, &["reportingInstance"])]
        .into_iter()
        .find(|c| !c.is_empty())
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    vec![
        json!(last),
        json!(s(obj, &["type"])),
        json!(s(obj, &["reason"])),
        json!(target),
        json!(s(regarding, &["fieldPath"])),
        json!(source),
        json!(pick("message", "note").trim()),
        json!(first),
        json!(count),
        json!(s(obj, &["metadata", "name"])),
    ]
}

fn s<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_default()
}

fn i(v: &Value, path: &[&str]) -> i64 {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_i64().unwrap_or(0)
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s.into()
    }
}

fn age(obj: &Value, clock: &SimClock) -> String {
    let ts = s(obj, &["metadata", "creationTimestamp"]);
    if ts.is_empty() {
        "<unknown>".into()
    } else {
        human_duration(clock.age_secs(ts))
    }
}

fn containers_images(template_spec: &Value) -> (String, String) {
    let cs = template_spec["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let names: Vec<&str> = cs.iter().filter_map(|c| c["name"].as_str()).collect();
    let images: Vec<&str> = cs.iter().filter_map(|c| c["image"].as_str()).collect();
    (names.join(","), images.join(","))
}

fn selector_string(sel: &Value) -> String {
    let s = LabelSelector::from_object(sel).to_string();
    if s.is_empty() { "<none>".into() } else { s }
}

/// kubectl's pod STATUS column and RESTARTS column.
pub fn pod_status(pod: &Value, clock: &SimClock) -> (String, usize, usize, String) {
    let status = &pod["status"];
    let mut reason = s(status, &["phase"]).to_string();
    if !s(status, &["reason"]).is_empty() {
        reason = s(status, &["reason"]).to_string();
    }
    let statuses = status["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    let mut restarts = 0i64;
    let mut ready = 0usize;
    let mut last_restart: Option<String> = None;
    let mut has_running = false;
    for c in statuses.iter().rev() {
        restarts += c["restartCount"].as_i64().unwrap_or(0);
        let finished = s(c, &["lastState", "terminated", "finishedAt"]);
        if !finished.is_empty() && last_restart.as_deref().is_none_or(|l| finished > l) {
            last_restart = Some(finished.to_string());
        }
        let waiting = s(c, &["state", "waiting", "reason"]);
        let terminated = &c["state"]["terminated"];
        if !waiting.is_empty() {
            reason = waiting.to_string();
        } else if !s(terminated, &["reason"]).is_empty() {
            reason = s(terminated, &["reason"]).to_string();
        } else if terminated.is_object() {
            reason = format!("ExitCode:{}", i(terminated, &["exitCode"]));
        } else if c["ready"].as_bool() == Some(true) && c["state"]["running"].is_object() {
            has_running = true;
            ready += 1;
        }
    }
    if reason == "Completed" && has_running {
        reason = "Running".into();
    }
    if !s(pod, &["metadata", "deletionTimestamp"]).is_empty() {
        reason = "Terminating".into();
    }
    let restarts_text = match last_restart {
        Some(t) if restarts > 0 => {
            format!("{restarts} ({} ago)", human_duration(clock.age_secs(&t)))
        }
        _ => restarts.to_string(),
    };
    (reason, ready, total, restarts_text)
}

/// The cells of one row.
pub fn cells(res: &ResourceInfo, obj: &Value, clock: &SimClock) -> Vec<Value> {
    let name = s(obj, &["metadata", "name"]).to_string();
    match (res.group, res.plural) {
        ("", "pods") => {
            let (status, ready, total, restarts) = pod_status(obj, clock);
            vec![
                json!(name),
                json!(format!("{ready}/{total}")),
                json!(status),
                json!(restarts),
                json!(age(obj, clock)),
                json!(or_none(s(obj, &["status", "podIP"]))),
                json!(or_none(s(obj, &["spec", "nodeName"]))),
                json!("<none>"),
                json!("<none>"),
            ]
        }
        ("apps", "deployments") => {
            let (c, im) = containers_images(&obj["spec"]["template"]["spec"]);
            vec![
                json!(name),
                json!(format!(
                    "{}/{}",
                    i(obj, &["status", "readyReplicas"]),
                    i(obj, &["spec", "replicas"])
                )),
                json!(i(obj, &["status", "updatedReplicas"])),
                json!(i(obj, &["status", "availableReplicas"])),
                json!(age(obj, clock)),
                json!(c),
                json!(im),
                json!(selector_string(&obj["spec"]["selector"])),
            ]
        }
        ("apps", "replicasets") => {
            let (c, im) = containers_images(&obj["spec"]["template"]["spec"]);
            vec![
                json!(name),
                json!(i(obj, &["spec", "replicas"])),
                json!(i(obj, &["status", "replicas"])),
                json!(i(obj, &["status", "readyReplicas"])),
                json!(age(obj, clock)),
                json!(c),
                json!(im),
                json!(selector_string(&obj["spec"]["selector"])),
            ]
        }
        ("", "nodes") => {
            let ready = obj["status"]["conditions"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                .is_some_and(|c| c["status"] == "True");
            let mut status = if ready {
                "Ready".to_string()
            } else {
                "NotReady".to_string()
            };
            if obj["spec"]["unschedulable"].as_bool() == Some(true) {
                status.push_str(",SchedulingDisabled");
            }
            let roles: Vec<&str> = obj["metadata"]["labels"]
                .as_object()
                .map(|l| {
                    l.keys()
                        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
                        .collect()
                })
                .unwrap_or_default();
            let addr = |ty: &str| {
                obj["status"]["addresses"]
                    .as_array()
                    .and_then(|a| a.iter().find(|x| x["type"] == ty))
                    .and_then(|x| x["address"].as_str())
                    .unwrap_or("<none>")
                    .to_string()
            };
            let info = &obj["status"]["nodeInfo"];
            vec![
                json!(name),
                json!(status),
                json!(if roles.is_empty() {
                    "<none>".to_string()
                } else {
                    roles.join(",")
                }),
                json!(age(obj, clock)),
                json!(s(info, &["kubeletVersion"])),
                json!(addr("InternalIP")),
                json!(addr("ExternalIP")),
                json!(s(info, &["osImage"])),
                json!(s(info, &["kernelVersion"])),
                json!(s(info, &["containerRuntimeVersion"])),
            ]
        }
        ("", "namespaces") => vec![
            json!(name),
            json!(s(obj, &["status", "phase"])),
            json!(age(obj, clock)),
        ],
        ("", "services") => {
            let ports: Vec<String> = obj["spec"]["ports"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| format!("{}/{}", i(p, &["port"]), s(p, &["protocol"])))
                        .collect()
                })
                .unwrap_or_default();
            let selector: Vec<String> = obj["spec"]["selector"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            vec![
                json!(name),
                json!(s(obj, &["spec", "type"])),
                json!(or_none(s(obj, &["spec", "clusterIP"]))),
                json!("<none>"),
                json!(if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(age(obj, clock)),
                json!(if selector.is_empty() {
                    "<none>".to_string()
                } else {
                    selector.join(",")
                }),
            ]
        }
        ("", "secrets") => {
            let n = obj["data"].as_object().map_or(0, |m| m.len());
            vec![
                json!(name),
                json!(s(obj, &["type"])),
                json!(n),
                json!(age(obj, clock)),
            ]
        }
        ("", "serviceaccounts") => {
            let n = obj["secrets"].as_array().map_or(0, Vec::len);
            vec![json!(name), json!(n), json!(age(obj, clock))]
        }
        ("", "configmaps") => {
            let n = obj["data"].as_object().map_or(0, |m| m.len())
                + obj["binaryData"].as_object().map_or(0, |m| m.len());
            vec![json!(name), json!(n), json!(age(obj, clock))]
        }
        (group, "events") => event_cells(obj, group.is_empty(), clock),
        ("argoproj.io", "applications") => {
            // A CRD column whose JSON path finds nothing is a null cell (`<none>`).
            let cell = |path: &[&str]| match s(obj, path) {
                "" => Value::Null,
                v => json!(v),
            };
            vec![
                json!(name),
                cell(&["status", "sync", "status"]),
                cell(&["status", "health", "status"]),
                cell(&["status", "sync", "revision"]),
                cell(&["spec", "project"]),
            ]
        }
        ("coordination.k8s.io", "leases") => {
            vec![
                json!(name),
                json!(s(obj, &["spec", "holderIdentity"])),
                json!(age(obj, clock)),
            ]
        }
        ("", "endpoints") | ("discovery.k8s.io", "endpointslices") => {
            let mut cells = vec![json!(name)];
            cells.extend(crate::sim::services::table::middle_cells(res.plural, obj));
            cells.push(json!(age(obj, clock)));
            cells
        }
        _ => vec![json!(name), json!(age(obj, clock))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crashlooping_pod_prints_like_kubectl() {
        let clock = SimClock::new(1.0);
        let pod = json!({
            "metadata": {"name": "web-1"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [{
                "name": "app", "ready": false, "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "finishedAt": clock.now_rfc3339()}}
            }]}
        });
        let (status, ready, total, restarts) = pod_status(&pod, &clock);
        assert_eq!(status, "CrashLoopBackOff");
        assert_eq!((ready, total), (0, 1));
        assert!(restarts.starts_with("3 ("), "{restarts}");
    }
}
