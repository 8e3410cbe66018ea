//! The simulated Argo CD application controller: compares each `Application`'s target
//! revision with the live Deployment, runs requested operations (sync, rollback), syncs
//! automatically (and self-heals drift) when the sync policy says so, and writes
//! `status.sync`, `status.health`, `status.history`, `status.operationState`,
//! `status.resources` and `status.summary`.
//!
//! Upstream (argoproj/argo-cd): `controller/appcontroller.go` `autoSync` (sync only when
//! OutOfSync; a new revision always, the same revision again only with self-heal, after the
//! back-off of `selfHealRemainingBackoff`: 0 s, then 2 s × 3ⁿ capped at 300 s since the last
//! operation finished), `gitops-engine/pkg/health/health_deployment.go` (in `health.rs`),
//! `gitops-engine/pkg/sync/sync_context.go` ("successfully synced (all tasks run)").

use std::collections::BTreeMap;

use serde_json::{Value, json};

pub use super::health::deployment_health;
use super::{GitRepo, INSTANCE_LABEL, Rendered, TRACKING_ANNOTATION, tracking_id};
use crate::sim::controllers::replace;
use crate::sim::{Shared, res};

/// Default `spec.revisionHistoryLimit` of an Application.
pub const HISTORY_LIMIT: usize = 10;

/// Self-heal back-off of the controller's defaults (`--self-heal-backoff-timeout-seconds`
/// 2, `--self-heal-backoff-factor` 3, `--self-heal-backoff-cap-seconds` 300), for the
/// `attempts` self-heals already made since the last ordinary sync.
pub fn self_heal_delay_secs(attempts: u64) -> f64 {
    let mut delay = 0.0;
    let mut step = 2.0;
    for _ in 0..attempts {
        delay = f64::min(step, 300.0);
        step *= 3.0;
    }
    delay
}

/// One pass over every Application; true while a self-heal waits for its back-off.
pub fn sync_all(shared: &Shared) -> bool {
    let (_, apps) = shared.store.list(applications(), None);
    let mut pending = false;
    for app in apps {
        pending |= reconcile(shared, &app);
    }
    pending
}

/// The Application resource.
pub fn applications() -> &'static crate::sim::discovery::ResourceInfo {
    res("argoproj.io", "applications")
}

/// The comparison of one Application with the cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub sync: &'static str,
    pub revision: String,
    pub health: &'static str,
    pub health_message: Option<String>,
    pub live_image: Option<String>,
}

fn reconcile(shared: &Shared, app: &Value) -> bool {
    let name = app["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let source = app["spec"]["source"].clone();
    let url = source["repoURL"].as_str().unwrap_or_default();
    let mut new = app.clone();
    if let Some(a) = new["metadata"]["annotations"].as_object_mut() {
        a.remove(super::REFRESH_ANNOTATION);
    }
    let Some(repo) = shared.argocd.repo(url) else {
        new["status"]["sync"] = json!({"status": "Unknown", "comparedTo": compared_to(app)});
        new["status"]["conditions"] = json!([{
            "type": "ComparisonError",
            "message": format!("repository not accessible: repository not found: {url}"),
        }]);
        write(shared, app, new);
        return false;
    };
    let target = target_revision(app);
    let mut pending = false;
    if let Some(op) = app.get("operation").filter(|o| o.is_object()) {
        run_operation(shared, &repo, &name, &mut new, op.clone());
    } else if automated(app) {
        let cmp = compare(shared, &repo, &target);
        if cmp.sync == "OutOfSync" {
            pending = auto_sync(shared, &repo, &name, &mut new, &cmp.revision);
        }
    }
    let cmp = compare(shared, &repo, &target);
    let status = &mut new["status"];
    match repo.resolve(&target) {
        Ok(_) => {
            if let Some(o) = status.as_object_mut() {
                o.remove("conditions");
            }
        }
        Err(e) => {
            status["conditions"] = json!([{
                "type": "ComparisonError",
                "message": format!("Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = {e}"),
            }]);
        }
    }
    status["sync"] =
        json!({"status": cmp.sync, "revision": cmp.revision, "comparedTo": compared_to(app)});
    status["health"] = match &cmp.health_message {
        Some(m) => json!({"status": cmp.health, "message": m}),
        None => json!({"status": cmp.health}),
    };
    let mut resource = json!({
        "group": "apps", "version": "v1", "kind": "Deployment",
        "namespace": repo.namespace, "name": repo.deployment,
        "status": cmp.sync, "health": status["health"].clone(),
    });
    if cmp.health == "Missing" {
        resource["health"] = json!({"status": "Missing"});
    }
    status["resources"] = json!([resource]);
    status["summary"] = json!({"images": cmp.live_image.iter().collect::<Vec<_>>()});
    status["sourceType"] = json!("Directory");
    status["controllerNamespace"] = json!(super::NAMESPACE);
    if new != *app {
        new["status"]["reconciledAt"] = json!(shared.clock.now_rfc3339());
        write(shared, app, new);
    }
    pending
}

fn write(shared: &Shared, old: &Value, new: Value) {
    if new != *old {
        let _ = replace(shared, applications(), old, new);
    }
}

fn compared_to(app: &Value) -> Value {
    json!({"source": app["spec"]["source"], "destination": app["spec"]["destination"]})
}

/// `spec.source.targetRevision`, `HEAD` when empty.
pub fn target_revision(app: &Value) -> String {
    match app["spec"]["source"]["targetRevision"].as_str() {
        Some(r) if !r.is_empty() => r.to_string(),
        _ => "HEAD".into(),
    }
}

/// True when `spec.syncPolicy.automated` is set (and not `enabled: false`).
pub fn automated(app: &Value) -> bool {
    let a = &app["spec"]["syncPolicy"]["automated"];
    a.is_object() && a["enabled"].as_bool() != Some(false)
}

/// True when automated sync heals drift.
pub fn self_heal(app: &Value) -> bool {
    automated(app) && app["spec"]["syncPolicy"]["automated"]["selfHeal"].as_bool() == Some(true)
}

/// Compares the rendered target revision with the live Deployment.
pub fn compare(shared: &Shared, repo: &GitRepo, target: &str) -> Comparison {
    let live = shared.store.get(
        res("apps", "deployments"),
        &repo.namespace,
        &repo.deployment,
    );
    let live_image = live.as_ref().and_then(|d| {
        container(d, &repo.container)["image"]
            .as_str()
            .map(str::to_string)
    });
    let (health, health_message) = match &live {
        Some(d) => deployment_health(d),
        None => ("Missing", None),
    };
    let Ok(commit) = repo.resolve(target) else {
        return Comparison {
            sync: "Unknown",
            revision: String::new(),
            health,
            health_message,
            live_image,
        };
    };
    let want = repo.render(commit);
    let sync = match &live {
        Some(d) if matches_rendered(d, &want) => "Synced",
        _ => "OutOfSync",
    };
    Comparison {
        sync,
        revision: commit.sha.clone(),
        health,
        health_message,
        live_image,
    }
}

fn container<'a>(d: &'a Value, name: &str) -> &'a Value {
    d["spec"]["template"]["spec"]["containers"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or(&Value::Null)
}

/// The literal `env` of a container as a map (`valueFrom` entries are not compared).
pub fn env_map(c: &Value) -> BTreeMap<String, String> {
    c["env"]
        .as_array()
        .map(|env| {
            env.iter()
                .filter_map(|e| {
                    Some((
                        e["name"].as_str()?.to_string(),
                        e["value"].as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn matches_rendered(d: &Value, want: &Rendered) -> bool {
    let c = container(d, &want.container);
    c["image"].as_str() == Some(want.image.as_str()) && env_map(c) == want.env
}

/// Starts an automated sync when `autoSync` would: returns true while a self-heal waits
/// for its back-off.
fn auto_sync(shared: &Shared, repo: &GitRepo, name: &str, app: &mut Value, revision: &str) -> bool {
    let last = &app["status"]["operationState"];
    let last_revision = last["syncResult"]["revision"].as_str().unwrap_or_default();
    let mut op = json!({
        "sync": {"revision": revision, "prune": app["spec"]["syncPolicy"]["automated"]["prune"].as_bool().unwrap_or(false),
                 "source": app["spec"]["source"]},
        "initiatedBy": {"automated": true},
        "retry": {"limit": 5},
    });
    if last_revision == revision {
        // Already synced to this revision: only self-heal syncs it again, and only after a
        // successful sync, after the back-off.
        if !self_heal(app) || last["phase"] != "Succeeded" {
            return false;
        }
        let attempts = last["operation"]["sync"]["selfHealAttemptsCount"]
            .as_u64()
            .unwrap_or(0);
        let since = last["finishedAt"]
            .as_str()
            .map_or(f64::INFINITY, |t| shared.clock.secs_since(t));
        if since < self_heal_delay_secs(attempts) {
            return true;
        }
        op["sync"]["selfHealAttemptsCount"] = json!(attempts + 1);
    }
    run_operation(shared, repo, name, app, op);
    false
}

/// Runs a sync operation (requested through `operation`, the API, or automated) and
/// records its state and, unless a dry run, the history entry.
pub fn run_operation(shared: &Shared, repo: &GitRepo, name: &str, app: &mut Value, op: Value) {
    let now = shared.clock.now_rfc3339();
    let target = target_revision(app);
    let revision = op["sync"]["revision"]
        .as_str()
        .filter(|r| !r.is_empty())
        .map_or(target, str::to_string);
    let source = match &op["sync"]["source"] {
        s if s.is_object() => s.clone(),
        _ => app["spec"]["source"].clone(),
    };
    let dry_run = op["sync"]["dryRun"].as_bool() == Some(true);
    let mut state = json!({"operation": op, "startedAt": now, "finishedAt": now});
    if let Some(o) = app.as_object_mut() {
        o.remove("operation");
    }
    let commit = match repo.resolve(&revision) {
        Ok(c) => c.clone(),
        Err(e) => {
            state["phase"] = json!("Error");
            state["message"] = json!(format!(
                "ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = {e}"
            ));
            app["status"]["operationState"] = state;
            return;
        }
    };
    let want = repo.render(&commit);
    let outcome = if dry_run {
        Ok("configured (dry run)")
    } else {
        apply(shared, name, &want)
    };
    let (status, message) = match outcome {
        Ok(m) => ("Synced", format!("deployment.apps/{} {m}", want.deployment)),
        Err(m) => ("SyncFailed", m),
    };
    state["syncResult"] = json!({
        "revision": commit.sha,
        "source": source,
        "resources": [{
            "group": "apps", "version": "v1", "kind": "Deployment",
            "namespace": want.namespace, "name": want.deployment,
            "status": status, "message": message, "hookPhase": "Running", "syncPhase": "Sync",
        }],
    });
    if status == "Synced" {
        state["phase"] = json!("Succeeded");
        state["message"] = json!("successfully synced (all tasks run)");
    } else {
        state["phase"] = json!("Failed");
        state["message"] =
            json!("one or more objects failed to apply, reason: ".to_string() + &message);
    }
    let succeeded = status == "Synced";
    let initiated_by = state["operation"]["initiatedBy"].clone();
    app["status"]["operationState"] = state;
    if dry_run || !succeeded {
        return;
    }
    if !app["status"]["history"].is_array() {
        app["status"]["history"] = json!([]);
    }
    let limit = app["spec"]["revisionHistoryLimit"]
        .as_u64()
        .map_or(HISTORY_LIMIT, |l| l as usize);
    if let Some(h) = app["status"]["history"].as_array_mut() {
        let id = h.last().and_then(|e| e["id"].as_i64()).map_or(0, |i| i + 1);
        h.push(json!({
            "id": id, "revision": commit.sha, "deployedAt": now, "deployStartedAt": now,
            "source": source, "initiatedBy": initiated_by,
        }));
        let extra = h.len().saturating_sub(limit.max(1));
        h.drain(..extra);
    }
}

/// Applies the rendered Deployment: image, environment and the tracking annotation/label.
/// Returns what kubectl would say (`configured`, `unchanged`) or the failure.
pub fn apply(shared: &Shared, app: &str, want: &Rendered) -> Result<&'static str, String> {
    let r = res("apps", "deployments");
    for _ in 0..8 {
        let Some(cur) = shared.store.get(r, &want.namespace, &want.deployment) else {
            return Err(format!(
                "deployments.apps \"{}\" not found",
                want.deployment
            ));
        };
        let mut o = (*cur).clone();
        let cs = &mut o["spec"]["template"]["spec"]["containers"];
        let Some(c) = cs
            .as_array_mut()
            .and_then(|cs| cs.iter_mut().find(|c| c["name"] == want.container.as_str()))
        else {
            return Err(format!("container {:?} not found", want.container));
        };
        c["image"] = json!(want.image);
        let env: Vec<Value> = want
            .env
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
        c["env"] = json!(env);
        if !o["metadata"]["annotations"].is_object() {
            o["metadata"]["annotations"] = json!({});
        }
        o["metadata"]["annotations"][TRACKING_ANNOTATION] =
            json!(tracking_id(app, &want.namespace, &want.deployment));
        if !o["metadata"]["labels"].is_object() {
            o["metadata"]["labels"] = json!({});
        }
        o["metadata"]["labels"][INSTANCE_LABEL] = json!(app);
        if o == *cur {
            return Ok("unchanged");
        }
        let o = shared
            .prepare_update(r, &cur, o, None)
            .map_err(|e| e.to_string())?;
        if replace(shared, r, &cur, o).is_some() {
            shared.kick();
            return Ok("configured");
        }
    }
    Err(format!(
        "could not update deployment {}: too many conflicts",
        want.deployment
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_heal_back_off_is_immediate_then_2s_times_3_capped() {
        assert_eq!(self_heal_delay_secs(0), 0.0);
        assert_eq!(self_heal_delay_secs(1), 2.0);
        assert_eq!(self_heal_delay_secs(2), 6.0);
        assert_eq!(self_heal_delay_secs(3), 18.0);
        assert_eq!(self_heal_delay_secs(9), 300.0);
    }

    #[test]
    fn deployment_health_follows_gitops_engine() {
        let mut d = json!({
            "metadata": {"name": "web", "generation": 2},
            "spec": {"replicas": 4},
            "status": {"observedGeneration": 2, "replicas": 4, "updatedReplicas": 4, "availableReplicas": 4},
        });
        assert_eq!(deployment_health(&d), ("Healthy", None));
        d["status"]["updatedReplicas"] = json!(1);
        assert_eq!(
            deployment_health(&d).1.as_deref(),
            Some("Waiting for rollout to finish: 1 out of 4 new replicas have been updated...")
        );
        d["status"]["conditions"] =
            json!([{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]);
        assert_eq!(
            deployment_health(&d),
            (
                "Degraded",
                Some("Deployment \"web\" exceeded its progress deadline".into())
            )
        );
        d["metadata"]["generation"] = json!(3);
        assert_eq!(deployment_health(&d).0, "Progressing");
        d["spec"]["paused"] = json!(true);
        assert_eq!(deployment_health(&d).0, "Suspended");
    }
}
