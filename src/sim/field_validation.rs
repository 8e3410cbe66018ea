//! Server-side field validation (`fieldValidation=Strict|Warn|Ignore`) for the kinds whose
//! schema the simulator knows: Deployment, ReplicaSet, Pod, Service, ConfigMap, Secret.
//!
//! As the API server decodes a create or update body
//! (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go`, `update.go`): an
//! unknown field is dropped from the stored object; `Strict` (what kubectl 1.32 sends)
//! refuses the request instead with `400 Deployment in version "v1" cannot be handled as a
//! Deployment: strict decoding error: unknown field "spec.replica"` (every unknown field,
//! sorted, joined by `, `; `transformDecodeError` in `handlers/rest.go`, the strict error of
//! `apimachinery/pkg/runtime/error.go`); `Warn` — also the default when the parameter is
//! absent (`fieldValidation` in `handlers/rest.go`) — answers with one `Warning: 299 -
//! "unknown field \"spec.replica\""` header per field (kubectl prints `Warning: unknown
//! field "spec.replica"`); `Ignore` drops them silently. Sub-structures the simulator does
//! not model (volumes, affinity, security contexts, status, …) are not checked.

use serde_json::Value;

use super::discovery::ResourceInfo;
use super::status::ApiError;

/// The `fieldValidation` directive of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    Strict,
    Warn,
    Ignore,
}

impl Directive {
    /// From the query parameter; absent is `Warn`, as in the API server.
    pub fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value.unwrap_or("") {
            "" | "Warn" => Ok(Self::Warn),
            "Strict" => Ok(Self::Strict),
            "Ignore" => Ok(Self::Ignore),
            other => Err(ApiError::BadRequest(format!(
                "fieldValidation parameter unsupported: {other}"
            ))),
        }
    }
}

/// What a field holds.
#[derive(Clone, Copy)]
enum Ty {
    /// A scalar, a list of scalars, a string map, or a structure not modelled.
    Any,
    /// A structure whose fields are known.
    Obj(&'static [(&'static str, Ty)]),
    /// A list of such structures.
    List(&'static [(&'static str, Ty)]),
}

use Ty::{Any, List, Obj};

const META: &[(&str, Ty)] = &[
    ("name", Any),
    ("generateName", Any),
    ("namespace", Any),
    ("selfLink", Any),
    ("uid", Any),
    ("resourceVersion", Any),
    ("generation", Any),
    ("creationTimestamp", Any),
    ("deletionTimestamp", Any),
    ("deletionGracePeriodSeconds", Any),
    ("labels", Any),
    ("annotations", Any),
    ("ownerReferences", Any),
    ("finalizers", Any),
    ("managedFields", Any),
];

const PROBE: &[(&str, Ty)] = &[
    ("exec", Any),
    ("httpGet", Any),
    ("tcpSocket", Any),
    ("grpc", Any),
    ("initialDelaySeconds", Any),
    ("timeoutSeconds", Any),
    ("periodSeconds", Any),
    ("successThreshold", Any),
    ("failureThreshold", Any),
    ("terminationGracePeriodSeconds", Any),
];

const CONTAINER_PORT: &[(&str, Ty)] = &[
    ("name", Any),
    ("hostPort", Any),
    ("containerPort", Any),
    ("protocol", Any),
    ("hostIP", Any),
];

const ENV_VAR: &[(&str, Ty)] = &[("name", Any), ("value", Any), ("valueFrom", Any)];

const CONTAINER: &[(&str, Ty)] = &[
    ("name", Any),
    ("image", Any),
    ("command", Any),
    ("args", Any),
    ("workingDir", Any),
    ("ports", List(CONTAINER_PORT)),
    ("envFrom", Any),
    ("env", List(ENV_VAR)),
    ("resources", Any),
    ("resizePolicy", Any),
    ("restartPolicy", Any),
    ("volumeMounts", Any),
    ("volumeDevices", Any),
    ("livenessProbe", Obj(PROBE)),
    ("readinessProbe", Obj(PROBE)),
    ("startupProbe", Obj(PROBE)),
    ("lifecycle", Any),
    ("terminationMessagePath", Any),
    ("terminationMessagePolicy", Any),
    ("imagePullPolicy", Any),
    ("securityContext", Any),
    ("stdin", Any),
    ("stdinOnce", Any),
    ("tty", Any),
];

const POD_SPEC: &[(&str, Ty)] = &[
    ("volumes", Any),
    ("initContainers", List(CONTAINER)),
    ("containers", List(CONTAINER)),
    ("ephemeralContainers", Any),
    ("restartPolicy", Any),
    ("terminationGracePeriodSeconds", Any),
    ("activeDeadlineSeconds", Any),
    ("dnsPolicy", Any),
    ("nodeSelector", Any),
    ("serviceAccountName", Any),
    ("serviceAccount", Any),
    ("automountServiceAccountToken", Any),
    ("nodeName", Any),
    ("hostNetwork", Any),
    ("hostPID", Any),
    ("hostIPC", Any),
    ("shareProcessNamespace", Any),
    ("securityContext", Any),
    ("imagePullSecrets", Any),
    ("hostname", Any),
    ("subdomain", Any),
    ("affinity", Any),
    ("schedulerName", Any),
    ("tolerations", Any),
    ("hostAliases", Any),
    ("priorityClassName", Any),
    ("priority", Any),
    ("dnsConfig", Any),
    ("readinessGates", Any),
    ("runtimeClassName", Any),
    ("enableServiceLinks", Any),
    ("preemptionPolicy", Any),
    ("overhead", Any),
    ("topologySpreadConstraints", Any),
    ("setHostnameAsFQDN", Any),
    ("os", Any),
    ("hostUsers", Any),
    ("schedulingGates", Any),
    ("resourceClaims", Any),
    ("resources", Any),
];

const TEMPLATE: &[(&str, Ty)] = &[("metadata", Obj(META)), ("spec", Obj(POD_SPEC))];

const ROLLING: &[(&str, Ty)] = &[("maxUnavailable", Any), ("maxSurge", Any)];

const STRATEGY: &[(&str, Ty)] = &[("type", Any), ("rollingUpdate", Obj(ROLLING))];

const DEPLOYMENT_SPEC: &[(&str, Ty)] = &[
    ("replicas", Any),
    ("selector", Any),
    ("template", Obj(TEMPLATE)),
    ("strategy", Obj(STRATEGY)),
    ("minReadySeconds", Any),
    ("revisionHistoryLimit", Any),
    ("paused", Any),
    ("progressDeadlineSeconds", Any),
];

const REPLICA_SET_SPEC: &[(&str, Ty)] = &[
    ("replicas", Any),
    ("minReadySeconds", Any),
    ("selector", Any),
    ("template", Obj(TEMPLATE)),
];

const SERVICE_PORT: &[(&str, Ty)] = &[
    ("name", Any),
    ("protocol", Any),
    ("appProtocol", Any),
    ("port", Any),
    ("targetPort", Any),
    ("nodePort", Any),
];

const SERVICE_SPEC: &[(&str, Ty)] = &[
    ("ports", List(SERVICE_PORT)),
    ("selector", Any),
    ("clusterIP", Any),
    ("clusterIPs", Any),
    ("type", Any),
    ("externalIPs", Any),
    ("sessionAffinity", Any),
    ("loadBalancerIP", Any),
    ("loadBalancerSourceRanges", Any),
    ("externalName", Any),
    ("externalTrafficPolicy", Any),
    ("healthCheckNodePort", Any),
    ("publishNotReadyAddresses", Any),
    ("sessionAffinityConfig", Any),
    ("ipFamilies", Any),
    ("ipFamilyPolicy", Any),
    ("allocateLoadBalancerNodePorts", Any),
    ("loadBalancerClass", Any),
    ("internalTrafficPolicy", Any),
    ("trafficDistribution", Any),
];

/// The top-level fields of a kind the simulator knows the schema of.
fn schema(res: &ResourceInfo) -> Option<Vec<(&'static str, Ty)>> {
    let mut top = vec![("apiVersion", Any), ("kind", Any), ("metadata", Obj(META))];
    match (res.group, res.plural) {
        ("apps", "deployments") => top.extend([("spec", Obj(DEPLOYMENT_SPEC)), ("status", Any)]),
        ("apps", "replicasets") => {
            top.extend([("spec", Obj(REPLICA_SET_SPEC)), ("status", Any)]);
        }
        ("", "pods") => top.extend([("spec", Obj(POD_SPEC)), ("status", Any)]),
        ("", "services") => top.extend([("spec", Obj(SERVICE_SPEC)), ("status", Any)]),
        ("", "configmaps") => top.extend([("data", Any), ("binaryData", Any), ("immutable", Any)]),
        ("", "secrets") => top.extend([
            ("data", Any),
            ("stringData", Any),
            ("type", Any),
            ("immutable", Any),
        ]),
        _ => return None,
    }
    Some(top)
}

/// Removes the fields `fields` does not know from `obj`, recording their paths.
fn prune(obj: &mut Value, fields: &[(&str, Ty)], path: &str, unknown: &mut Vec<String>) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match fields.iter().find(|(name, _)| *name == key) {
            None => {
                map.remove(&key);
                unknown.push(here);
            }
            Some((_, Any)) => {}
            Some((_, Obj(inner))) => {
                if let Some(v) = map.get_mut(&key) {
                    prune(v, inner, &here, unknown);
                }
            }
            Some((_, List(inner))) => {
                if let Some(items) = map.get_mut(&key).and_then(Value::as_array_mut) {
                    for (i, item) in items.iter_mut().enumerate() {
                        prune(item, inner, &format!("{here}[{i}]"), unknown);
                    }
                }
            }
        }
    }
}

/// Drops `obj`'s unknown fields and returns what the response warns about (`Warn`), or
/// the refusal (`Strict`).
pub fn check(
    res: &ResourceInfo,
    obj: &mut Value,
    directive: Directive,
) -> Result<Vec<String>, ApiError> {
    let Some(fields) = schema(res) else {
        return Ok(Vec::new());
    };
    let mut unknown = Vec::new();
    prune(obj, &fields, "", &mut unknown);
    unknown.sort();
    let unknown: Vec<String> = unknown
        .into_iter()
        .map(|p| format!("unknown field {p:?}"))
        .collect();
    match directive {
        _ if unknown.is_empty() => Ok(Vec::new()),
        Directive::Strict => Err(ApiError::BadRequest(format!(
            "{kind} in version {version:?} cannot be handled as a {kind}: strict decoding error: {}",
            unknown.join(", "),
            kind = res.kind,
            version = res.version,
        ))),
        Directive::Warn => Ok(unknown),
        Directive::Ignore => Ok(Vec::new()),
    }
}

/// Adds one `Warning: 299 - "…"` header per warning (RFC 7234 warn-code 299, the form
/// `k8s.io/apiserver/pkg/warning` writes).
pub fn add_warnings(resp: &mut axum::response::Response, warnings: &[String]) {
    for w in warnings {
        let escaped = w.replace('\\', "\\\\").replace('"', "\\\"");
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("299 - \"{escaped}\"")) {
            resp.headers_mut().append(axum::http::header::WARNING, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployments() -> &'static ResourceInfo {
        crate::sim::res("apps", "deployments")
    }

    #[test]
    fn every_unknown_field_is_named_by_its_path_and_dropped() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labelz": {}},
            "spec": {"replica": 2, "template": {"spec": {"containers": [
                {"name": "app", "image": "x", "imagee": "y", "readinessProbe": {"periodSecond": 1}}]}}}});
        let err = check(deployments(), &mut d.clone(), Directive::Strict)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains(concat!(
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: ",
            "unknown field \"metadata.labelz\", unknown field \"spec.replica\", ",
            "unknown field \"spec.template.spec.containers[0].imagee\", ",
            "unknown field \"spec.template.spec.containers[0].readinessProbe.periodSecond\""
        )), "{err}");
        let warned = check(deployments(), &mut d, Directive::Warn).unwrap_or_default();
        assert_eq!(warned.len(), 4);
        assert!(d["spec"].get("replica").is_none());
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["image"], "x");
        assert!(Directive::parse(Some("Loud")).is_err());
        assert_eq!(Directive::parse(None).ok(), Some(Directive::Warn));
    }
}
