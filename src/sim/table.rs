//! Server-side printing: the `meta.k8s.io/v1` `Table` kubectl asks for with
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, with the columns the real API
//! server prints for each kind (wide columns at priority 1).

use serde_json::{Value, json};

use super::clock::{SimClock, human_duration};
use super::discovery::ResourceInfo;
use super::selectors::LabelSelector;

/// What each row carries in its `object` field (`includeObject=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

impl IncludeObject {
    /// Parses the query parameter; the default is `Metadata`, like the real server.
    pub fn parse(s: Option<&str>) -> Self {
        match s {
            Some("None") => IncludeObject::None,
            Some("Object") => IncludeObject::Object,
            _ => IncludeObject::Metadata,
        }
    }
}

/// Whether an `Accept` header asks for a Table.
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}

fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

fn name_col() -> Value {
    col(
        "Name",
        "string",
        "name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        0,
    )
}

fn age_col() -> Value {
    col(
        "Age",
        "string",
        "",
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        0,
    )
}

/// The column definitions for a resource.
pub fn columns(res: &ResourceInfo) -> Vec<Value> {
    match (res.group, res.plural) {
        ("", "pods") => vec![
            name_col(),
            col(
                "Ready",
                "string",
                "",
                "The aggregate readiness state of this pod for accepting traffic.",
                0,
            ),
            col(
                "Status",
                "string",
                "",
                "The aggregate status of the containers in this pod.",
                0,
            ),
            col(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
            ),
            age_col(),
            col(
                "IP",
                "string",
                "",
                "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                1,
            ),
            col(
                "Node",
                "string",
                "",
                "NodeName is a request to schedule this pod onto a specific node.",
                1,
            ),
            col(
                "Nominated Node",
                "string",
                "",
                "nominatedNodeName is set only when this pod preempts other pods on the node.",
                1,
            ),
            col(
                "Readiness Gates",
                "string",
                "",
                "If specified, all readiness gates will be evaluated for pod readiness.",
                1,
            ),
        ],
        ("apps", "deployments") => vec![
            name_col(),
            col(
                "Ready",
                "string",
                "",
                "Number of the pod with ready state",
                0,
            ),
            col(
                "Up-to-date",
                "integer",
                "",
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                0,
            ),
            col(
                "Available",
                "integer",
                "",
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                0,
            ),
            age_col(),
            col(
                "Containers",
                "string",
                "",
                "Names of each container in the template.",
                1,
            ),
            col(
                "Images",
                "string",
                "",
                "Images referenced by each container in the template.",
                1,
            ),
            col(
                "Selector",
                "string",
                "",
                "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
                1,
            ),
        ],
        ("apps", "replicasets") => vec![
            name_col(),
            col(
                "Desired",
                "integer",
                "",
                "Replicas is the number of desired replicas.",
                0,
            ),
            col(
                "Current",
                "integer",
                "",
                "Replicas is the most recently observed number of replicas.",
                0,
            ),
            col(
                "Ready",
                "integer",
                "",
                "The number of ready replicas for this replica set.",
                0,
            ),
            age_col(),
            col(
                "Containers",
                "string",
                "",
                "Names of each container in the template.",
                1,
            ),
            col(
                "Images",
                "string",
                "",
                "Images referenced by each container in the template.",
                1,
            ),
            col(
                "Selector",
                "string",
                "",
                "Selector is a label query over pods that should match the replica count.",
                1,
            ),
        ],
        ("", "nodes") => vec![
            name_col(),
            col("Status", "string", "", "The status of the node", 0),
            col("Roles", "string", "", "The roles of the node", 0),
            age_col(),
            col(
                "Version",
                "string",
                "",
                "Kubelet Version reported by the node.",
                0,
            ),
            col(
                "Internal-IP",
                "string",
                "",
                "List of internal IPs for the node",
                1,
            ),
            col(
                "External-IP",
                "string",
                "",
                "List of external IPs for the node",
                1,
            ),
            col(
                "OS-Image",
                "string",
                "",
                "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                1,
            ),
            col(
                "Kernel-Version",
                "string",
                "",
                "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                1,
            ),
            col(
                "Container-Runtime",
                "string",
                "",
                "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                1,
            ),
        ],
        ("", "namespaces") => vec![
            name_col(),
            col("Status", "string", "", "The status of the namespace", 0),
            age_col(),
        ],
        ("", "services") => vec![
            name_col(),
            col("Type", "string", "", "Type of the service", 0),
            col("Cluster-IP", "string", "", "Cluster IP of the service", 0),
            col("External-IP", "string", "", "External IP of the service", 0),
            col("Port(s)", "string", "", "Ports of the service", 0),
            age_col(),
            col("Selector", "string", "", "Selector of the service", 1),
        ],
        // `printSecret` (`pkg/printers/internalversion/printers.go`).
        ("", "secrets") => vec![
            name_col(),
            col("Type", "string", "", "The type of secret", 0),
            col(
                "Data",
                "string",
                "",
                "The number of key/value pairs in the secret",
                0,
            ),
            age_col(),
        ],
        ("", "serviceaccounts") => vec![
            name_col(),
            col(
                "Secrets",
                "integer",
                "",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                0,
            ),
            age_col(),
        ],
        ("", "configmaps") => vec![
            name_col(),
            col("Data", "integer", "", "Number of keys in the config map", 0),
            age_col(),
        ],
        // `pkg/printers/internalversion/printers.go`, `eventColumnDefinitions`.
        (_, "events") => vec![
            col(
                "Last Seen",
                "string",
                "",
                "Time when last event occurred",
                0,
            ),
            col("Type", "string", "", "Type of the event", 0),
            col("Reason", "string", "", "Reason of the event", 0),
            col("Object", "string", "", "Object the event is about", 0),
            col(
                "Subobject",
                "string",
                "",
                "The part of the object the event is about (fieldPath)",
                1,
            ),
            col(
                "Source",
                "string",
                "",
                "The component reporting the event",
                1,
            ),
            col("Message", "string", "", "Message of the event", 0),
            col(
                "First Seen",
                "string",
                "",
                "Time when the event was first recorded",
                1,
            ),
            col(
                "Count",
                "string",
                "",
                "The number of times this event has occurred",
                1,
            ),
            col("Name", "string", "", "Name of the event", 1),
        ],
        // The CRD's additionalPrinterColumns (argoproj/argo-cd
        // manifests/crds/application-crd.yaml): no Age column, as a CRD that declares columns
        // gets only those after the name.
        ("argoproj.io", "applications") => vec![
            name_col(),
            col("Sync Status", "string", "", "", 0),
            col("Health Status", "string", "", "", 0),
            col("Revision", "string", "", "", 10),
            col("Project", "string", "", "", 10),
        ],
        ("coordination.k8s.io", "leases") => vec![
            name_col(),
            col("Holder", "string", "", "The holder of the lease", 0),
            age_col(),
        ],
        ("", "endpoints") | ("discovery.k8s.io", "endpointslices") => {
            let mut cols = vec![name_col()];
            for (n, d) in super::services::table::middle_columns(res.plural) {
                cols.push(col(n, "string", "", d, 0));
            }
            cols.push(age_col());
            cols
        }
        _ => vec![name_col(), age_col()],
    }
}

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
            cells.extend(super::services::table::middle_cells(res.plural, obj));
            cells.push(json!(age(obj, clock)));
            cells
        }
        _ => vec![json!(name), json!(age(obj, clock))],
    }
}

/// One row.
pub fn row(res: &ResourceInfo, obj: &Value, clock: &SimClock, include: IncludeObject) -> Value {
    let mut r = json!({"cells": cells(res, obj, clock)});
    match include {
        IncludeObject::None => {}
        IncludeObject::Metadata => {
            r["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj.get("metadata").cloned().unwrap_or_else(|| json!({})),
            });
        }
        IncludeObject::Object => {
            r["object"] = obj.clone();
        }
    }
    r
}

/// A whole Table.
pub fn table(
    res: &ResourceInfo,
    items: &[&Value],
    meta: Value,
    clock: &SimClock,
    include: IncludeObject,
) -> Value {
    let rows: Vec<Value> = items.iter().map(|o| row(res, o, clock, include)).collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": columns(res),
        "rows": rows,
    })
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

    #[test]
    fn accept_header_detection() {
        assert!(wants_table(
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
        ));
        assert!(!wants_table("application/json"));
    }
}
