//! The events a 1.32 kubelet writes about a pod's containers, with their exact wording:
//!
//! - image pulls (`pkg/kubelet/images/image_manager.go`): `Pulling image "X"`,
//!   `Successfully pulled image "X" in 1.2s (1.3s including waiting). Image size: N bytes.`,
//!   `Container image "X" already present on machine`, `Failed to pull image "X": …`,
//!   `Back-off pulling image "X"`; the pull policy defaults as the API server does
//!   (`Always` for `:latest` or no tag, else `IfNotPresent`), and each simulated node
//!   remembers the images it has pulled;
//! - container start (`pkg/kubelet/kuberuntime/kuberuntime_container.go`, `startContainer`):
//!   `Created container: NAME`, `Started container NAME`, and `Error: ErrImagePull` /
//!   `Error: ImagePullBackOff` (reason `Failed`) when the image is missing;
//! - crash loops (`kuberuntime_manager.go`, `doBackOff`): `Back-off restarting failed
//!   container NAME in pod POD_NS(UID)` (`format.Pod`);
//! - termination (`kuberuntime_container.go`, `killContainer`): `Stopping container NAME`
//!   (reason `Killing`);
//! - readiness (`pkg/kubelet/prober/prober.go`): `Readiness probe failed: …` (`Unhealthy`).
//!
//! Every one carries `involvedObject.fieldPath: spec.containers{NAME}` and `source.host`,
//! the pod's node.

use serde_json::Value;

use super::EventKind;
use crate::sim::Shared;
use crate::sim::events::{go_duration, record_container_event};

/// What happened to a pod's containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeletEvent {
    /// Scheduled: images not on the node (or `Always`) start pulling.
    Pulling,
    /// The containers started; `restart` after a crash-loop back-off.
    Started { restart: bool },
    /// The image could not be pulled (the runtime's message).
    PullFailed(String),
    /// Pulling again is backing off.
    PullBackOff,
    /// The first container crashed and restarting it backs off.
    CrashBackOff,
    /// The readiness probe fails.
    Unhealthy,
}

/// `format.Pod`: `NAME_NAMESPACE(UID)`.
pub fn format_pod(pod: &Value) -> String {
    let m = &pod["metadata"];
    format!(
        "{}_{}({})",
        m["name"].as_str().unwrap_or_default(),
        m["namespace"].as_str().unwrap_or_default(),
        m["uid"].as_str().unwrap_or_default()
    )
}

/// `(name, image, always pull)` of each container.
fn containers(pod: &Value) -> Vec<(String, String, bool)> {
    pod["spec"]["containers"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let image = c["image"].as_str().unwrap_or_default().to_string();
                    let always = match c["imagePullPolicy"].as_str() {
                        Some(p) => p == "Always",
                        None => pulls_always_by_default(&image),
                    };
                    (
                        c["name"].as_str().unwrap_or_default().to_string(),
                        image,
                        always,
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The API server's default pull policy (`pkg/apis/core/v1/defaults.go`): `Always` for
/// the `latest` tag or no tag (a digest counts as a tag), else `IfNotPresent`.
fn pulls_always_by_default(image: &str) -> bool {
    if image.contains('@') {
        return false;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The pull message: duration and size derived from the image name (stable per image).
fn pulled_message(image: &str) -> String {
    let h = fnv(image);
    let pull_ms = 800 + h % 3200;
    let waiting_ms = pull_ms + (h >> 16) % 400;
    let size = 20_000_000 + (h >> 24) % 180_000_000;
    format!(
        "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {size} bytes.",
        go_duration(pull_ms),
        go_duration(waiting_ms)
    )
}

/// Records the kubelet's events for `what` about `pod` (as stored, on its node).
pub fn emit(shared: &Shared, pod: &Value, what: &KubeletEvent) {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    let all = containers(pod);
    let first = all.first().cloned().unwrap_or_default();
    let normal = |c: &str, reason: &str, msg: &str| {
        record_container_event(shared, pod, c, EventKind::Normal, reason, msg);
    };
    let warning = |c: &str, reason: &str, msg: &str| {
        record_container_event(shared, pod, c, EventKind::Warning, reason, msg);
    };
    match what {
        KubeletEvent::Pulling => {
            for (name, image, always) in &all {
                if *always || shared.claim_image_pull(node, image, uid) {
                    normal(name, "Pulling", &format!("Pulling image \"{image}\""));
                }
            }
        }
        KubeletEvent::Started { restart } => {
            for (name, image, always) in &all {
                if *restart && *always {
                    normal(name, "Pulling", &format!("Pulling image \"{image}\""));
                }
                let pulled_now =
                    *always || (!restart && shared.finish_image_pull(node, image, uid));
                if pulled_now {
                    normal(name, "Pulled", &pulled_message(image));
                } else {
                    normal(
                        name,
                        "Pulled",
                        &format!("Container image \"{image}\" already present on machine"),
                    );
                }
                normal(name, "Created", &format!("Created container: {name}"));
                normal(name, "Started", &format!("Started container {name}"));
            }
        }
        KubeletEvent::PullFailed(msg) => {
            warning(&first.0, "Failed", msg);
            warning(&first.0, "Failed", "Error: ErrImagePull");
        }
        KubeletEvent::PullBackOff => {
            normal(
                &first.0,
                "BackOff",
                &format!("Back-off pulling image \"{}\"", first.1),
            );
            warning(&first.0, "Failed", "Error: ImagePullBackOff");
        }
        KubeletEvent::CrashBackOff => warning(
            &first.0,
            "BackOff",
            &format!(
                "Back-off restarting failed container {} in pod {}",
                first.0,
                format_pod(pod)
            ),
        ),
        KubeletEvent::Unhealthy => warning(
            &first.0,
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
        ),
    }
}

/// `Killing` for every running container of a pod being deleted.
pub fn killing(shared: &Shared, pod: &Value) {
    let Some(statuses) = pod["status"]["containerStatuses"].as_array() else {
        return;
    };
    for s in statuses {
        if s["state"]["running"].is_object() {
            let name = s["name"].as_str().unwrap_or_default();
            record_container_event(
                shared,
                pod,
                name,
                EventKind::Normal,
                "Killing",
                &format!("Stopping container {name}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `pkg/apis/core/v1/defaults.go`, `SetDefaults_Container`.
    #[test]
    fn pull_policy_defaults_like_the_api_server() {
        assert!(pulls_always_by_default("nginx"));
        assert!(pulls_always_by_default("nginx:latest"));
        assert!(pulls_always_by_default("registry.local:5000/web"));
        assert!(!pulls_always_by_default("registry.local:5000/web:1.2"));
        assert!(!pulls_always_by_default("web@sha256:abcd"));
    }

    #[test]
    fn pods_print_like_format_pod() {
        let pod = json!({"metadata": {"name": "web-1", "namespace": "shop", "uid": "u-1"}});
        assert_eq!(format_pod(&pod), "web-1_shop(u-1)");
    }

    #[test]
    fn pull_messages_are_stable_and_well_formed() {
        let m = pulled_message("shop/web:1.2");
        assert_eq!(m, pulled_message("shop/web:1.2"));
        assert!(
            m.starts_with("Successfully pulled image \"shop/web:1.2\" in ")
                && m.contains(" including waiting). Image size: ")
                && m.ends_with(" bytes."),
            "{m}"
        );
    }
}
