//! Object semantics shared by the HTTP handlers and the controllers: metadata on create
//! (uid, timestamps, generation, `generateName`), defaulting (`defaults.rs`) and
//! validation applied, and the rules of update (status subresource,
//! generation bumps, immutable metadata).

use serde_json::{Value, json};

use super::Shared;
pub use super::defaults::{apply_defaults, default_field};
use super::defaults::{meta_mut, qos_class};
use super::discovery::ResourceInfo;
use super::status::ApiError;
use super::validation::{validate, validate_status};

/// Alphabet of generated name suffixes and pod-template hashes (apimachinery's `rand.String`).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

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
