//! Object semantics shared by the HTTP handlers and the controllers: metadata on create
//! (uid, timestamps, generation, `generateName`), defaulting as the real API server does it
//! for the served kinds, validation, and the rules of update (status subresource,
//! generation bumps, immutable metadata).

use serde_json::{Map, Value, json};

use super::Shared;
use super::discovery::ResourceInfo;
use super::status::ApiError;
use super::validation::{validate, validate_status};

/// Alphabet of generated name suffixes and pod-template hashes (apimachinery's `rand.String`).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
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
fn qos_class(spec: &Value) -> &'static str {
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

impl Shared {
    /// A fresh UID from the seeded generator.
    pub fn new_uid(&self) -> String {
        let bytes: [u8; 16] = self.random_bytes();
        let h = hex::encode(bytes);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    /// Gives a Service without one a cluster IP from the service CIDR `10.96.0.0/12`
    /// (`10.96.0.1` is the `kubernetes` Service's), with the fields the allocator sets
    /// (`clusterIPs`, `ipFamilies`, `ipFamilyPolicy`, `internalTrafficPolicy`).
    /// `ExternalName` and headless (`None`) services get none.
    fn allocate_cluster_ip(&self, obj: &mut Value) {
        let spec = &mut obj["spec"];
        if !spec.is_object() || spec["type"] == "ExternalName" {
            return;
        }
        let ip = match spec["clusterIP"].as_str() {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => {
                let ip = self.next_service_ip();
                spec["clusterIP"] = json!(ip);
                ip
            }
        };
        default_field(spec, "clusterIPs", json!([ip]));
        default_field(spec, "ipFamilies", json!(["IPv4"]));
        default_field(spec, "ipFamilyPolicy", json!("SingleStack"));
        default_field(spec, "internalTrafficPolicy", json!("Cluster"));
    }

    /// A random suffix of `n` characters from [`NAME_ALPHABET`].
    pub fn random_suffix(&self, n: usize) -> String {
        let bytes: [u8; 16] = self.random_bytes();
        bytes
            .iter()
            .take(n)
            .map(|b| NAME_ALPHABET[*b as usize % NAME_ALPHABET.len()] as char)
            .collect()
    }

    /// Fills server-set metadata and defaults of an object about to be created in `ns`.
    pub fn prepare_create(
        &self,
        res: &'static ResourceInfo,
        ns: &str,
        mut obj: Value,
    ) -> Result<Value, ApiError> {
        if !obj.is_object() {
            return Err(ApiError::BadRequest(
                "the body of the request must be a JSON object".into(),
            ));
        }
        if let Some(kind) = obj.get("kind").and_then(Value::as_str)
            && kind != res.kind
        {
            return Err(ApiError::BadRequest(format!(
                "the kind of the provided object ({kind}) does not match the resource ({})",
                res.kind
            )));
        }
        obj["kind"] = json!(res.kind);
        obj["apiVersion"] = json!(res.api_version());
        let generate = obj["metadata"]["generateName"].as_str().map(String::from);
        let suffix = self.random_suffix(5);
        let uid = self.new_uid();
        let now = self.clock.now_rfc3339();
        let meta = meta_mut(&mut obj);
        if meta
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            match generate {
                Some(g) => {
                    meta.insert("name".into(), json!(format!("{g}{suffix}")));
                }
                None => {
                    return Err(ApiError::Invalid {
                        kind: res.qualified_kind(),
                        name: String::new(),
                        causes: vec![
                            "metadata.name: Required value: name or generateName is required"
                                .into(),
                        ],
                    });
                }
            }
        }
        if res.namespaced {
            match meta.get("namespace").and_then(Value::as_str) {
                Some(n) if !n.is_empty() && n != ns => {
                    return Err(ApiError::BadRequest(
                        "the namespace of the provided object does not match the namespace sent on the request"
                            .into(),
                    ));
                }
                _ => {
                    meta.insert("namespace".into(), json!(ns));
                }
            }
        } else {
            meta.remove("namespace");
        }
        meta.insert("uid".into(), json!(uid));
        meta.insert("creationTimestamp".into(), json!(now));
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        if res.group == "apps" {
            meta.insert("generation".into(), json!(1));
        }
        apply_defaults(res, &mut obj);
        if res.group == "apps" {
            // Status is owned by the controllers.
            obj["status"] = json!({});
        }
        if res.group.is_empty() && res.plural == "pods" {
            // The pod registry's `PrepareForCreate` (`pkg/registry/core/pod/strategy.go`):
            // the status is the kubelet's, but starts `Pending` with its QoS class.
            let qos = qos_class(&obj["spec"]);
            obj["status"] = json!({"phase": "Pending", "qosClass": qos});
        }
        if res.group.is_empty() && res.plural == "services" {
            self.allocate_cluster_ip(&mut obj);
        }
        validate(res, &obj)?;
        Ok(obj)
    }

    /// Merges an update into the stored object according to the subresource rules.
    pub fn prepare_update(
        &self,
        res: &'static ResourceInfo,
        old: &Value,
        mut new: Value,
        subresource: Option<&str>,
    ) -> Result<Value, ApiError> {
        if !new.is_object() {
            return Err(ApiError::BadRequest(
                "the body of the request must be a JSON object".into(),
            ));
        }
        let name = old["metadata"]["name"].as_str().unwrap_or_default();
        if let Some(n) = new["metadata"]["name"].as_str()
            && n != name
        {
            return Err(ApiError::BadRequest(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )));
        }
        new["kind"] = json!(res.kind);
        new["apiVersion"] = json!(res.api_version());
        if subresource == Some("ephemeralcontainers") {
            return super::exec::ephemeral::update(old, &new);
        }
        if subresource == Some("status") {
            let status = new.get("status").cloned().unwrap_or_else(|| json!({}));
            validate_status(res, name, &status)?;
            let mut out = old.clone();
            out["status"] = status;
            return Ok(out);
        }
        {
            let old_meta = old["metadata"].as_object().cloned().unwrap_or_default();
            let meta = meta_mut(&mut new);
            for k in [
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                match old_meta.get(k) {
                    Some(v) => {
                        meta.insert(k.into(), v.clone());
                    }
                    None => {
                        meta.remove(k);
                    }
                }
            }
        }
        let has_status_sub = res.subresources.contains(&"status");
        if has_status_sub {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        apply_defaults(res, &mut new);
        if res.group == "apps" && new.get("spec") != old.get("spec") {
            let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
            meta_mut(&mut new).insert("generation".into(), json!(g + 1));
        }
        validate(res, &new)?;
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::discovery;

    #[test]
    fn deployment_defaults_and_validation() {
        let res = discovery::find("apps", "v1", "deployments").expect("deployments");
        let mut d = json!({"metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}});
        apply_defaults(res, &mut d);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "IfNotPresent"
        );
        assert!(validate(res, &d).is_ok());
        d["spec"]["template"]["metadata"]["labels"]["app"] = json!("other");
        assert_eq!(validate(res, &d).expect_err("mismatch").code(), 422);
    }
}
