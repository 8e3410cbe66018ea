//! The API server's validation of the kinds the simulator serves — the subset of
//! `pkg/apis/core/validation` and `pkg/apis/apps/validation` whose absence would break the
//! controllers — reporting every error at once, each as a `field.Error` (`field: body`),
//! as `apierrors.NewInvalid` does.

use serde_json::{Value, json};

use super::discovery::ResourceInfo;
use super::selectors::LabelSelector;
use super::status::ApiError;

/// `IsDNS1123Subdomain` (apimachinery `util/validation`).
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

fn result(res: &ResourceInfo, name: &str, errors: Vec<String>) -> Result<(), ApiError> {
    if errors.is_empty() {
        return Ok(());
    }
    Err(ApiError::Invalid {
        kind: res.qualified_kind(),
        name: name.to_string(),
        causes: errors,
    })
}

/// Go's `%#v`-ish rendering of a value in `Invalid value: …` (strings quoted).
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn validate_containers(spec: Option<&Value>, path: &str, errors: &mut Vec<String>) {
    let containers = spec
        .and_then(|s| s.get("containers"))
        .and_then(Value::as_array);
    let Some(containers) = containers.filter(|c| !c.is_empty()) else {
        errors.push(format!("{path}.containers: Required value"));
        return;
    };
    let mut seen = std::collections::HashSet::new();
    for (i, c) in containers.iter().enumerate() {
        match c
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            None => errors.push(format!("{path}.containers[{i}].name: Required value")),
            Some(n) => {
                if !seen.insert(n) {
                    errors.push(format!(
                        "{path}.containers[{i}].name: Duplicate value: \"{n}\""
                    ));
                }
            }
        }
        if c.get("image")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            errors.push(format!("{path}.containers[{i}].image: Required value"));
        }
    }
}

/// Validates an object about to be stored; every error, in the order the API server
/// finds them (metadata, then spec).
pub fn validate(res: &ResourceInfo, obj: &Value) -> Result<(), ApiError> {
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push("metadata.name: Required value: name or generateName is required".into());
    } else if !is_dns_subdomain(name) {
        errors.push(format!(
            "metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ));
    }
    match (res.group, res.plural) {
        ("apps", "deployments") | ("apps", "replicasets") => {
            validate_workload(obj, &mut errors);
        }
        ("", "pods") => validate_containers(obj.get("spec"), "spec", &mut errors),
        ("", "secrets") => validate_secret(obj, &mut errors),
        _ => {}
    }
    result(res, name, errors)
}

/// `ValidateDeploymentSpec` / `ValidateReplicaSetSpec`: replicas, selector, template.
fn validate_workload(obj: &Value, errors: &mut Vec<String>) {
    let spec = &obj["spec"];
    if let Some(r) = spec.get("replicas")
        && r.as_i64().is_none_or(|r| r < 0)
    {
        errors.push(format!(
            "spec.replicas: Invalid value: {}: must be greater than or equal to 0",
            shown(r)
        ));
    }
    let tmpl_labels = &spec["template"]["metadata"]["labels"];
    if !tmpl_labels.is_object() && !tmpl_labels.is_null() {
        errors.push("spec.template.metadata.labels: Invalid value: must be a map".into());
    }
    match spec.get("selector").filter(|s| s.is_object()) {
        None => errors.push("spec.selector: Required value".into()),
        Some(selector) => {
            if selector
                .get("matchLabels")
                .is_some_and(|m| !m.is_object() && !m.is_null())
            {
                errors.push("spec.selector.matchLabels: Invalid value: must be a map".into());
            }
            let sel = LabelSelector::from_object(selector);
            if sel.is_empty() {
                errors.push(
                    "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".into(),
                );
            } else {
                let tmpl_meta = spec["template"]
                    .get("metadata")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                if !sel.matches(&json!({"metadata": tmpl_meta})) {
                    errors.push(format!(
                        "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                        go_map(tmpl_labels)
                    ));
                }
            }
        }
    }
    validate_containers(spec["template"].get("spec"), "spec.template.spec", errors);
}

/// `ValidateSecret` (`pkg/apis/core/validation/validation.go`): keys are config keys.
fn validate_secret(obj: &Value, errors: &mut Vec<String>) {
    let Some(data) = obj["data"].as_object() else {
        return;
    };
    for k in data.keys() {
        let key_ok = !k.is_empty()
            && k.len() <= 253
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !key_ok {
            errors.push(format!(
                "data[{k}]: Invalid value: {k:?}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
            ));
        }
    }
}

/// Go's `%v` of a `map[string]string` (`map[a:b c:d]`, keys sorted).
fn go_map(v: &Value) -> String {
    let mut pairs: Vec<String> = v
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}:{}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    format!("map[{}]", pairs.join(" "))
}

/// The shape the controllers rely on in a status written through `/status`.
pub fn validate_status(res: &ResourceInfo, name: &str, status: &Value) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if !status.is_object() {
        errors.push("status: Invalid value: must be an object".to_string());
        return result(res, name, errors);
    }
    for list in ["conditions", "containerStatuses", "initContainerStatuses"] {
        if status
            .get(list)
            .is_some_and(|l| !l.is_array() && !l.is_null())
        {
            errors.push(format!("status.{list}: Invalid value: must be a list"));
        }
    }
    for (i, c) in status["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !c.is_object() || c.get("state").is_some_and(|s| !s.is_object()) {
            errors.push(format!(
                "status.containerStatuses[{i}]: Invalid value: must be an object"
            ));
        }
    }
    result(res, name, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::discovery;

    /// `apierrors.NewInvalid` (apimachinery `pkg/api/errors/errors.go`): every field error,
    /// aggregated as `[a, b]`, each a cause with its field and body.
    #[test]
    fn every_error_is_reported_with_its_field() {
        let res = discovery::find("apps", "v1", "deployments").expect("deployments");
        let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": -1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app"}]}}}});
        let err = validate(res, &d).expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "Deployment.apps \"web\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value]"
        );
        let status = err.to_status();
        assert_eq!(status["details"]["causes"][0]["field"], "spec.replicas");
        assert_eq!(
            status["details"]["causes"][0]["message"],
            "Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(
            status["details"]["causes"][1]["reason"],
            "FieldValueRequired"
        );
        assert_eq!(
            status["details"]["causes"][1]["field"],
            "spec.template.spec.containers[0].image"
        );
    }
}
