//! A deployment's revisions and pod-template hashes (`pkg/controller/deployment/util`):
//! the revision annotations, `ComputeHash` and `EqualIgnoreHash`.

use serde_json::Value;

use crate::sim::objects::NAME_ALPHABET;

/// Annotation holding a replica set's (and its deployment's) revision.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Annotation holding the revisions a replica set had before being rolled back to.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub(super) const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
pub(super) const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
/// Label distinguishing the pods of each template.
pub const HASH_LABEL: &str = "pod-template-hash";

pub(super) const SKIP_COPY: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

/// The revision of a replica set (0 when missing).
pub fn revision(obj: &Value) -> i64 {
    obj["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `ComputeHash`: FNV-32a of the template, rendered through `SafeEncodeString`.
pub fn template_hash(template: &Value, collision_count: i64) -> String {
    let mut h: u32 = 0x811c9dc5;
    let canonical = serde_json::to_string(template).unwrap_or_default();
    for b in canonical.bytes().chain(if collision_count > 0 {
        collision_count.to_string().into_bytes()
    } else {
        Vec::new()
    }) {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x01000193);
    }
    h.to_string()
        .bytes()
        .map(|b| NAME_ALPHABET[b as usize % NAME_ALPHABET.len()] as char)
        .collect()
}

/// The template without the `pod-template-hash` label (`EqualIgnoreHash`).
pub fn strip_hash(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
        if labels.is_empty()
            && let Some(m) = t["metadata"].as_object_mut()
        {
            m.remove("labels");
        }
    }
    if let Some(m) = t["metadata"].as_object_mut() {
        m.retain(|_, v| !v.is_null());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hash_ignores_its_own_label_and_is_stable() {
        let t = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "a:1"}]}});
        let h = template_hash(&t, 0);
        assert_eq!(h, template_hash(&t, 0));
        assert_ne!(h, template_hash(&t, 1));
        let mut with = t.clone();
        with["metadata"]["labels"][HASH_LABEL] = json!(h);
        assert_eq!(strip_hash(&with), t);
        assert!(h.bytes().all(|b| NAME_ALPHABET.contains(&b)));
    }
}
