//! Defaulting as the real API server does it for the served kinds (`SetDefaults_*` in
//! `pkg/apis/{core,apps}/v1/defaults.go`), applied on create and update, and the pod's
//! QoS class (`status.qosClass`).

use serde_json::{Map, Value, json};

use super::discovery::ResourceInfo;

/// An object's `metadata`, made an empty object first when it is missing or not one.
pub(super) fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    match obj.get_mut("metadata").and_then(Value::as_object_mut) {
        Some(m) => m,
        None => unreachable!("metadata was just made an object"),
    }
}

/// Sets `key` in a JSON object when it is missing or null.
pub fn default_field(obj: &mut Value, key: &str, value: Value) {
    if let Some(m) = obj.as_object_mut() {
        let missing = m.get(key).is_none_or(Value::is_null);
        if missing {
            m.insert(key.to_string(), value);
        }
    }
}

fn default_pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    default_field(spec, "restartPolicy", json!("Always"));
    default_field(spec, "terminationGracePeriodSeconds", json!(30));
    default_field(spec, "dnsPolicy", json!("ClusterFirst"));
    default_field(spec, "securityContext", json!({}));
    default_field(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        if let Some(cs) = spec.get_mut(list).and_then(Value::as_array_mut) {
            for c in cs {
                let image = c
                    .get("image")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let tag = image
                    .rsplit_once(':')
                    .map(|(_, t)| t)
                    .filter(|t| !t.contains('/'));
                let policy = if tag.is_none() || tag == Some("latest") {
                    "Always"
                } else {
                    "IfNotPresent"
                };
                default_field(c, "imagePullPolicy", json!(policy));
                default_field(c, "terminationMessagePath", json!("/dev/termination-log"));
                default_field(c, "terminationMessagePolicy", json!("File"));
                default_field(c, "resources", json!({}));
                for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                    if let Some(p) = c.get_mut(probe) {
                        default_probe(p);
                    }
                }
                if let Some(ports) = c.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        default_field(p, "protocol", json!("TCP"));
                    }
                }
            }
        }
    }
}

/// `SetDefaults_Probe` and `SetDefaults_HTTPGetAction` (`pkg/apis/core/v1/defaults.go`).
fn default_probe(p: &mut Value) {
    if !p.is_object() {
        return;
    }
    default_field(p, "timeoutSeconds", json!(1));
    default_field(p, "periodSeconds", json!(10));
    default_field(p, "successThreshold", json!(1));
    default_field(p, "failureThreshold", json!(3));
    if let Some(h) = p.get_mut("httpGet").filter(|h| h.is_object()) {
        default_field(h, "path", json!("/"));
        default_field(h, "scheme", json!("HTTP"));
    }
}

/// Applies the API server's defaults for `res` (idempotent).
pub fn apply_defaults(res: &ResourceInfo, obj: &mut Value) {
    match (res.group, res.plural) {
        ("apps", "deployments") => {
            if !obj.get("spec").is_some_and(Value::is_object) {
                obj["spec"] = json!({});
            }
            let spec = &mut obj["spec"];
            default_field(spec, "replicas", json!(1));
            default_field(spec, "revisionHistoryLimit", json!(10));
            default_field(spec, "progressDeadlineSeconds", json!(600));
            default_field(
                spec,
                "strategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
            );
            if spec["strategy"]["type"] == "RollingUpdate" {
                default_field(&mut spec["strategy"], "rollingUpdate", json!({}));
                default_field(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxSurge",
                    json!("25%"),
                );
                default_field(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxUnavailable",
                    json!("25%"),
                );
            }
            if let Some(t) = spec.get_mut("template") {
                default_field(t, "metadata", json!({}));
                if let Some(s) = t.get_mut("spec") {
                    default_pod_spec(s);
                }
            }
        }
        ("apps", "replicasets") => {
            if !obj.get("spec").is_some_and(Value::is_object) {
                obj["spec"] = json!({});
            }
            default_field(&mut obj["spec"], "replicas", json!(1));
            if let Some(s) = obj["spec"]
                .get_mut("template")
                .and_then(|t| t.get_mut("spec"))
            {
                default_pod_spec(s);
            }
        }
        ("", "pods") => {
            if let Some(s) = obj.get_mut("spec") {
                default_pod_spec(s);
                default_field(s, "enableServiceLinks", json!(true));
                default_field(s, "serviceAccountName", json!("default"));
            }
            default_field(obj, "status", json!({}));
            default_field(&mut obj["status"], "phase", json!("Pending"));
            default_field(&mut obj["status"], "qosClass", json!("BestEffort"));
        }
        ("", "services") => {
            if let Some(s) = obj.get_mut("spec") {
                default_field(s, "type", json!("ClusterIP"));
                default_field(s, "sessionAffinity", json!("None"));
                if let Some(ports) = s.get_mut("ports").and_then(Value::as_array_mut) {
                    for p in ports {
                        default_field(p, "protocol", json!("TCP"));
                        let port = p.get("port").cloned().unwrap_or(Value::Null);
                        default_field(p, "targetPort", port);
                    }
                }
            }
        }
        // `SetDefaults_Secret`; `stringData` is merged into `data` and dropped, as the
        // registry's `PrepareForCreate`/`PrepareForUpdate` do.
        ("", "secrets") => {
            use base64::Engine as _;
            default_field(obj, "type", json!("Opaque"));
            if let Some(Value::Object(plain)) =
                obj.as_object_mut().and_then(|m| m.remove("stringData"))
            {
                default_field(obj, "data", json!({}));
                for (k, v) in plain {
                    let text = v.as_str().unwrap_or_default().to_string();
                    obj["data"][k] = json!(base64::engine::general_purpose::STANDARD.encode(text));
                }
            }
        }
        ("", "namespaces") => {
            default_field(obj, "spec", json!({"finalizers": ["kubernetes"]}));
            default_field(obj, "status", json!({"phase": "Active"}));
            let name = obj["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let meta = meta_mut(obj);
            let labels = meta.entry("labels").or_insert_with(|| json!({}));
            default_field(labels, "kubernetes.io/metadata.name", json!(name));
        }
        _ => {}
    }
}

/// `GetPodQOS` (`pkg/apis/core/helper/qos`): `BestEffort` without any request or limit,
/// `Guaranteed` when every container limits CPU and memory with requests equal to (or
/// defaulted from) its limits, else `Burstable`.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers = spec["containers"].as_array().cloned().unwrap_or_default();
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in &containers {
        let req = &c["resources"]["requests"];
        let lim = &c["resources"]["limits"];
        let has = |m: &Value| m.as_object().is_some_and(|m| !m.is_empty());
        any |= has(req) || has(lim);
        for r in ["cpu", "memory"] {
            let limit = &lim[r];
            let request = &req[r];
            if limit.is_null() || (!request.is_null() && request != limit) {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}
