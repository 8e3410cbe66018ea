//! An object as `kubectl get -o yaml` prints it, for the drill-down `y` views: the one place
//! the console turns an object into YAML (the integrator may share it with the native
//! `kubectl get -o yaml` printer). `metadata.managedFields` is left out, as kubectl does
//! unless `--show-managed-fields` (kubernetes/kubectl `pkg/cmd/get/get.go`:
//! `showManagedFields`, `printObj` → `managedFieldsStripper`).

use serde_json::Value;

/// The object's YAML, without `metadata.managedFields`.
pub fn object_yaml(object: &Value) -> String {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    serde_saphyr::to_string(&object).unwrap_or_else(|e| format!("# not printable as YAML: {e}\n"))
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
