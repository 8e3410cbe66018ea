//! The health Argo CD gives a Deployment (`status.health`, each resource's health in
//! `status.resources` and the resource tree), as gitops-engine computes it.

use serde_json::Value;

/// A Deployment's health as `gitops-engine/pkg/health/health_deployment.go` computes it.
pub fn deployment_health(d: &Value) -> (&'static str, Option<String>) {
    if d["spec"]["paused"].as_bool() == Some(true) {
        return ("Suspended", Some("Deployment is paused".into()));
    }
    let generation = d["metadata"]["generation"].as_i64().unwrap_or(0);
    let observed = d["status"]["observedGeneration"].as_i64().unwrap_or(0);
    if generation > observed {
        return (
            "Progressing",
            Some("Waiting for rollout to finish: observed deployment generation less than desired generation".into()),
        );
    }
    let st = &d["status"];
    let n = |k: &str| st[k].as_i64().unwrap_or(0);
    let progressing = st["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Progressing"));
    let replicas = d["spec"]["replicas"].as_i64();
    let name = d["metadata"]["name"].as_str().unwrap_or_default();
    if progressing.is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded") {
        return (
            "Degraded",
            Some(format!(
                "Deployment \"{name}\" exceeded its progress deadline"
            )),
        );
    }
    if let Some(r) = replicas
        && n("updatedReplicas") < r
    {
        return (
            "Progressing",
            Some(format!(
                "Waiting for rollout to finish: {} out of {r} new replicas have been updated...",
                n("updatedReplicas")
            )),
        );
    }
    if n("replicas") > n("updatedReplicas") {
        return (
            "Progressing",
            Some(format!(
                "Waiting for rollout to finish: {} old replicas are pending termination...",
                n("replicas") - n("updatedReplicas")
            )),
        );
    }
    if n("availableReplicas") < n("updatedReplicas") {
        return (
            "Progressing",
            Some(format!(
                "Waiting for rollout to finish: {} of {} updated replicas are available...",
                n("availableReplicas"),
                n("updatedReplicas")
            )),
        );
    }
    ("Healthy", None)
}
