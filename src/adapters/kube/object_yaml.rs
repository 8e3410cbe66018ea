//! An object as `kubectl get -o yaml` prints it, for the drill-down `y` views, byte for byte
//! (`tests/drill_down_parity.rs` compares it with kubectl 1.32 against the simulator): the
//! object's JSON through [`to_go_yaml`], kubectl's YAML printer (go-yaml v2 via
//! `sigs.k8s.io/yaml`). `metadata.managedFields` is left out, as kubectl does unless
//! `--show-managed-fields` (kubernetes/kubectl `pkg/cmd/get/get.go`: `showManagedFields`,
//! `printObj` → `managedFieldsStripper`).

use serde_json::Value;

use crate::domain::cluster::go_yaml::to_go_yaml;

/// The object's YAML, without `metadata.managedFields`.
pub fn object_yaml(object: &Value) -> String {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    to_go_yaml(&object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_fields_are_hidden() {
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-1", "managedFields": [{"manager": "kubectl"}]},
            "spec": {"containers": [{"name": "app", "image": "web:1"}]}
        });
        let yaml = object_yaml(&pod);
        assert!(!yaml.contains("managedFields"), "{yaml}");
        assert!(yaml.contains("name: web-1"), "{yaml}");
        assert!(yaml.contains("image: web:1"), "{yaml}");
    }
}
