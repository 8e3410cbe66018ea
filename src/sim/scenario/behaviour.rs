//! How pods of each application version behave (error ratio, latency, resources, start
//! and readiness delays, crash loops), and which behaviour applies to a pod.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(super) fn d_error_ratio() -> f64 {
    0.002
}
fn d_p50() -> f64 {
    40.0
}
fn d_p95() -> f64 {
    110.0
}
fn d_cpu() -> f64 {
    120.0
}
fn d_mem() -> f64 {
    180.0
}
fn d_start() -> f64 {
    2.0
}
fn d_ready() -> f64 {
    3.0
}
fn d_terminate() -> f64 {
    2.0
}
fn d_exit() -> i64 {
    1
}

/// How pods of one application version behave. The first behaviour whose `version` (the
/// image tag) and `env` (variables of the first container) match a pod applies; a pod
/// matching none gets the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// Image tag to match; absent matches every version.
    #[serde(default)]
    pub version: Option<String>,
    /// Environment variables that must all be set to these values.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Share of requests answered with a 5xx.
    #[serde(default = "d_error_ratio")]
    pub error_ratio: f64,
    /// Median latency, milliseconds.
    #[serde(default = "d_p50")]
    pub latency_p50_ms: f64,
    /// 95th percentile latency, milliseconds.
    #[serde(default = "d_p95")]
    pub latency_p95_ms: f64,
    /// CPU use per pod, millicores.
    #[serde(default = "d_cpu")]
    pub cpu_millicores: f64,
    /// Memory use per pod, MiB.
    #[serde(default = "d_mem")]
    pub memory_mib: f64,
    /// Simulated seconds from scheduling to running.
    #[serde(default = "d_start")]
    pub start_seconds: f64,
    /// Simulated seconds from running to ready.
    #[serde(default = "d_ready")]
    pub ready_seconds: f64,
    /// Simulated seconds a terminating pod takes to go away.
    #[serde(default = "d_terminate")]
    pub terminate_seconds: f64,
    /// When set, containers exit this many seconds after starting (crash loop).
    #[serde(default)]
    pub crash_after_seconds: Option<f64>,
    /// Exit code of crashing containers.
    #[serde(default = "d_exit")]
    pub exit_code: i64,
    /// The image cannot be pulled (`ErrImagePull`, `ImagePullBackOff`).
    #[serde(default)]
    pub image_pull_error: bool,
    /// The readiness probe never passes (the rollout stalls).
    #[serde(default)]
    pub never_ready: bool,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            version: None,
            env: BTreeMap::new(),
            error_ratio: d_error_ratio(),
            latency_p50_ms: d_p50(),
            latency_p95_ms: d_p95(),
            cpu_millicores: d_cpu(),
            memory_mib: d_mem(),
            start_seconds: d_start(),
            ready_seconds: d_ready(),
            terminate_seconds: d_terminate(),
            crash_after_seconds: None,
            exit_code: d_exit(),
            image_pull_error: false,
            never_ready: false,
        }
    }
}

/// The version (image tag) of a pod spec's first container.
pub fn version_of(pod_spec: &Value) -> String {
    let image = pod_spec["containers"][0]["image"]
        .as_str()
        .unwrap_or_default();
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag.to_string(),
        None => "latest".to_string(),
    }
}

/// The behaviour applying to a pod spec.
pub fn behaviour_for(list: &[Behaviour], pod_spec: &Value) -> Behaviour {
    behaviour_index(list, pod_spec)
        .and_then(|i| list.get(i))
        .cloned()
        .unwrap_or_default()
}

/// Index of the behaviour applying to a pod spec; `None` means the defaults.
pub fn behaviour_index(list: &[Behaviour], pod_spec: &Value) -> Option<usize> {
    let version = version_of(pod_spec);
    let env = pod_spec["containers"][0]["env"].as_array();
    let env_value = |k: &str| -> Option<&str> {
        env?.iter()
            .find(|e| e["name"] == k)
            .and_then(|e| e["value"].as_str())
    };
    list.iter().position(|b| {
        b.version.as_deref().is_none_or(|v| v == version)
            && b.env.iter().all(|(k, v)| env_value(k) == Some(v.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn behaviour_matching_uses_tag_and_env() {
        let list = vec![
            Behaviour {
                version: Some("2".into()),
                env: [("FLAG".to_string(), "on".to_string())].into(),
                error_ratio: 0.5,
                ..Behaviour::default()
            },
            Behaviour {
                version: Some("2".into()),
                error_ratio: 0.1,
                ..Behaviour::default()
            },
        ];
        let spec = |img: &str, flag: &str| json!({"containers": [{"image": img, "env": [{"name": "FLAG", "value": flag}]}]});
        assert_eq!(
            behaviour_for(&list, &spec("reg:5000/app:2", "on")).error_ratio,
            0.5
        );
        assert_eq!(behaviour_for(&list, &spec("app:2", "off")).error_ratio, 0.1);
        assert_eq!(
            behaviour_for(&list, &spec("app:1", "on")).error_ratio,
            d_error_ratio()
        );
        assert_eq!(
            version_of(&json!({"containers": [{"image": "reg:5000/app"}]})),
            "latest"
        );
    }
}
