//! Native rollback actions with kubectl 1.32's semantics, as a pipeline the console drives
//! one step at a time: [`ActionRunner::preflight`] (RBAC through
//! `SelfSubjectAccessReview`), [`ActionRunner::dry_run`] (the same request with
//! `dryRun=All`, and a diff), [`ActionRunner::execute`] (under a [`LeaseGuard`]), and
//! [`ActionRunner::follow`] (like `kubectl rollout status`).
//!
//! Requests are kubectl's: `rollout undo` sends a JSON patch replacing `/spec/template`
//! (the ReplicaSet's template minus `pod-template-hash`) and `/metadata/annotations`
//! (kubectl's `getDeploymentPatch`); pause, resume and restart send strategic merge
//! patches with field manager `kubectl-rollout`; set image/env strategic merge patches
//! with `kubectl-set`; scale a merge patch of the `scale` subresource; the selector
//! switch a strategic merge patch with `kubectl-patch`. Where kubectl sets no field
//! manager (undo, scale, delete) the server would name the manager after the user agent;
//! backout names itself (`backout`) rather than pretend to be kubectl.
//!
//! One deliberate difference: the undo patch also replaces `/metadata/resourceVersion`
//! with the version that was read, which the API server treats as a precondition. kubectl
//! decides which revision to restore on one read and patches blindly; backout gets a
//! `409 Conflict` when the Deployment changed in between, re-reads, decides again (the
//! revision, the paused refusal, the already-matches skip) and retries, at most
//! [`MAX_CONFLICT_RETRIES`] times. The resulting object is the same.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::{Value, json};

use super::convert::{self, POD_TEMPLATE_HASH};
use super::guard;
use super::lease::LeaseGuard;
use super::set_env;
use crate::domain::cluster::diff::{deployment_subtree, service_subtree, unified_diff};
pub use crate::domain::cluster::pipeline::{
    AccessCheck, ActionError, Executed, FollowOutcome, FollowProgress, Planned, Preflight,
};
use crate::domain::cluster::rollout::rollback_annotations;
use crate::domain::cluster::{
    ClusterAction, RolloutStatus, Target, UndoChoice, choose_undo_revision,
};

/// How long the server keeps one watch of a followed rollout open (`timeoutSeconds`):
/// below the console's request timeout, whose read timeout would otherwise cut a quiet one.
const FOLLOW_WATCH_SECS: u32 = 5;

/// Attempts after a `409 Conflict` before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 5;

const MANAGER_ROLLOUT: &str = "kubectl-rollout";
const MANAGER_SET: &str = "kubectl-set";
const MANAGER_PATCH: &str = "kubectl-patch";
const MANAGER_BACKOUT: &str = "backout";
/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// Converts kube errors into action errors (the read-only guard's refusal included).
pub(super) trait FromKube {
    fn api(what: impl Into<String>, e: kube::Error) -> Self;
    fn is_conflict(&self) -> bool;
}

impl FromKube for ActionError {
    fn api(what: impl Into<String>, e: kube::Error) -> Self {
        if let Some(v) = guard::violation(&e) {
            return ActionError::ReadOnly(v.to_string());
        }
        if super::timed_out::timed_out(&e) {
            return ActionError::TimedOut {
                what: what.into(),
                server: String::new(),
            };
        }
        let code = match &e {
            kube::Error::Api(s) => Some(s.code),
            _ => None,
        };
        let message = match &e {
            kube::Error::Api(s) => s.message.clone(),
            other => other.to_string(),
        };
        ActionError::Api {
            what: what.into(),
            message,
            code,
        }
    }

    fn is_conflict(&self) -> bool {
        matches!(
            self,
            ActionError::Api {
                code: Some(409),
                ..
            }
        )
    }
}

enum Request {
    PatchDeployment {
        patch: Patch<Value>,
        manager: &'static str,
    },
    Scale {
        replicas: i32,
    },
    PatchService {
        name: String,
        patch: Value,
    },
    DeletePods {
        names: Vec<String>,
    },
}

enum Plan {
    Do {
        request: Request,
        before: Value,
        /// kubectl's success line.
        success: String,
    },
    Skip(String),
}

/// What a client-side dry run found (see [`ActionRunner::client_dry_run`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientPlanned {
    /// Nothing to do (kubectl's "skipped rollback" and the like).
    Skip { message: String },
    /// The request that would be sent, and kubectl's success line.
    Change { request: Value, success: String },
}

impl Request {
    /// The request as JSON, for a client-side dry run.
    fn describe(&self) -> Value {
        match self {
            Request::PatchDeployment { patch, .. } => match patch {
                Patch::Json(p) => json!({"patch": "json", "body": p}),
                Patch::Merge(v) => json!({"patch": "merge", "body": v}),
                Patch::Strategic(v) => json!({"patch": "strategic", "body": v}),
                Patch::Apply(v) => json!({"patch": "apply", "body": v}),
                _ => json!({"patch": "other"}),
            },
            Request::Scale { replicas } => json!({"scale": {"replicas": replicas}}),
            Request::PatchService { name, patch } => {
                json!({"service": name, "patch": "strategic", "body": patch})
            }
            Request::DeletePods { names } => json!({"delete": {"pods": names}}),
        }
    }
}

/// Performs actions on one target Deployment.
#[derive(Clone)]
pub struct ActionRunner {
    client: Client,
    target: Target,
    read_only: bool,
}

impl ActionRunner {
    pub fn new(client: Client, target: Target, read_only: bool) -> Self {
        Self {
            client,
            target,
            read_only,
        }
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    fn deployments(&self) -> Api<Deployment> {
        Api::namespaced(self.client.clone(), &self.target.namespace)
    }

    fn name(&self) -> &str {
        &self.target.deployment
    }

    fn qualified(&self) -> String {
        format!("deployment.apps/{}", self.name())
    }

    /// The accesses an action needs: `(verb, group, resource, subresource)`.
    pub fn required_access(
        action: &ClusterAction,
    ) -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
        match action {
            ClusterAction::Undo { .. } => vec![
                ("get", "apps", "deployments", ""),
                ("list", "apps", "replicasets", ""),
                ("patch", "apps", "deployments", ""),
            ],
            ClusterAction::Scale { .. } => vec![
                ("get", "apps", "deployments", ""),
                ("patch", "apps", "deployments", "scale"),
            ],
            ClusterAction::SwitchSelector { .. } => {
                vec![("get", "", "services", ""), ("patch", "", "services", "")]
            }
            ClusterAction::DeletePods { .. } => {
                vec![("list", "", "pods", ""), ("delete", "", "pods", "")]
            }
            ClusterAction::SetEnv { changes, .. } => {
                let mut v = vec![
                    ("get", "apps", "deployments", ""),
                    ("patch", "apps", "deployments", ""),
                ];
                if let Some((resource, _)) = set_env::source_access(changes) {
                    v.push(("get", "", resource, ""));
                }
                v
            }
            _ => vec![
                ("get", "apps", "deployments", ""),
                ("patch", "apps", "deployments", ""),
            ],
        }
    }

    /// RBAC preflight: one `SelfSubjectAccessReview` per access the action needs.
    pub async fn preflight(&self, action: &ClusterAction) -> Result<Preflight, ActionError> {
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let mut checks = Vec::new();
        for (verb, group, resource, sub) in Self::required_access(action) {
            let name = match (resource, action) {
                ("deployments", _) => Some(self.name().to_string()),
                ("services", ClusterAction::SwitchSelector { service, .. }) => {
                    Some(service.clone())
                }
                ("secrets" | "configmaps", ClusterAction::SetEnv { changes, .. }) => {
                    set_env::source_access(changes).map(|(_, name)| name)
                }
                _ => None,
            };
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        namespace: Some(self.target.namespace.clone()),
                        verb: Some(verb.into()),
                        group: Some(group.into()),
                        resource: Some(resource.into()),
                        subresource: (!sub.is_empty()).then(|| sub.to_string()),
                        name,
                        ..ResourceAttributes::default()
                    }),
                    ..SelfSubjectAccessReviewSpec::default()
                },
                ..SelfSubjectAccessReview::default()
            };
            // An access review changes nothing: ask again when the answer is lost.
            let mut faults = 0;
            let answer = loop {
                match api.create(&PostParams::default(), &review).await {
                    Ok(answer) => break answer,
                    Err(e) => {
                        let e = ActionError::api("access review", e);
                        if !transient(&e) || faults >= READ_RETRIES {
                            return Err(e);
                        }
                        faults += 1;
                        tokio::time::sleep(READ_RETRY_PAUSE * faults).await;
                    }
                }
            };
            let status = answer.status.unwrap_or_default();
            checks.push(AccessCheck {
                verb: verb.into(),
                group: group.into(),
                resource: resource.into(),
                subresource: sub.into(),
                allowed: status.allowed && !status.denied.unwrap_or(false),
                reason: status.reason.unwrap_or_default(),
            });
        }
        let denied: Vec<String> = checks
            .iter()
            .filter(|c| !c.allowed)
            .map(|c| {
                let mut s = format!(
                    "cannot {} in namespace {:?}",
                    c.describe(),
                    self.target.namespace
                );
                if !c.reason.is_empty() {
                    s.push_str(&format!(" ({})", c.reason));
                }
                s
            })
            .collect();
        Ok(if denied.is_empty() {
            Preflight::Allowed { checks }
        } else {
            Preflight::Denied {
                reason: denied.join("; "),
                checks,
            }
        })
    }

    async fn get_deployment(&self) -> Result<Deployment, ActionError> {
        self.deployments()
            .get(self.name())
            .await
            .map_err(|e| ActionError::api(format!("cannot read {}", self.qualified()), e))
    }

    /// [`plan`](Self::plan), reading again when the API server refused or lost a read
    /// (a flaky control plane): reads change nothing, so they are safe to repeat. Sends
    /// are never repeated this way (an undo sent twice would go back two revisions).
    async fn plan_patiently(&self, action: &ClusterAction) -> Result<Plan, ActionError> {
        let mut faults = 0;
        loop {
            match self.plan(action).await {
                Err(e) if transient(&e) && faults < READ_RETRIES => {
                    faults += 1;
                    tracing::info!(attempt = faults, "reading again before {action:?}: {e}");
                    tokio::time::sleep(READ_RETRY_PAUSE * faults).await;
                }
                other => return other,
            }
        }
    }

    async fn plan(&self, action: &ClusterAction) -> Result<Plan, ActionError> {
        let q = self.qualified();
        match action {
            ClusterAction::SwitchSelector { service, selector } => {
                let api: Api<Service> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let svc = api
                    .get(service)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot read service/{service}"), e))?;
                let before = service_subtree(&serde_json::to_value(&svc).unwrap_or_default());
                let current: BTreeMap<String, String> = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.clone())
                    .unwrap_or_default();
                let unchanged = selector.iter().all(|(k, v)| current.get(k) == Some(v));
                if unchanged {
                    return Ok(Plan::Skip(format!("service/{service} patched (no change)")));
                }
                return Ok(Plan::Do {
                    request: Request::PatchService {
                        name: service.clone(),
                        patch: json!({"spec": {"selector": selector}}),
                    },
                    before,
                    success: format!("service/{service} patched"),
                });
            }
            ClusterAction::DeletePods { selector } => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.target.namespace);
                let list = api
                    .list_metadata(&ListParams::default().labels(selector))
                    .await
                    .map_err(|e| ActionError::api(format!("cannot list pods -l {selector}"), e))?;
                let names: Vec<String> = list
                    .items
                    .into_iter()
                    .filter_map(|p| p.metadata.name)
                    .collect();
                if names.is_empty() {
                    return Ok(Plan::Skip("No resources found".into()));
                }
                let before = json!({"pods": names});
                let success = names
                    .iter()
                    .map(|n| format!("pod {n:?} deleted"))
                    .collect::<Vec<_>>()
                    .join("\n");
                return Ok(Plan::Do {
                    request: Request::DeletePods { names },
                    before,
                    success,
                });
            }
            _ => {}
        }
        let d = self.get_deployment().await?;
        let before_json = serde_json::to_value(&d).unwrap_or_default();
        let before = deployment_subtree(&before_json);
        let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let template = d
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        let plan = |request, success: String| Plan::Do {
            request,
            before: before.clone(),
            success,
        };
        let strategic = |patch: Value, manager| Request::PatchDeployment {
            patch: Patch::Strategic(patch),
            manager,
        };
        Ok(match action {
            ClusterAction::Undo { to_revision } => {
                let to = to_revision.unwrap_or(0);
                let selector = d
                    .spec
                    .as_ref()
                    .map(|s| convert::selector_string(&s.selector))
                    .unwrap_or_default();
                let rs_api: Api<ReplicaSet> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let sets: Vec<ReplicaSet> = rs_api
                    .list(&ListParams::default().labels(&selector))
                    .await
                    .map_err(|e| {
                        ActionError::api(
                            format!(
                                "failed to retrieve replica sets from deployment {}",
                                self.name()
                            ),
                            e,
                        )
                    })?
                    .items
                    .into_iter()
                    .filter(|rs| convert::owned_by(rs, &d))
                    .collect();
                let facts: Vec<_> = sets
                    .iter()
                    .map(|rs| convert::replica_set_facts(rs, Some(&template)))
                    .collect();
                match choose_undo_revision(self.name(), paused, &facts, to)? {
                    UndoChoice::Skip { message } => Plan::Skip(format!("{q} {message}")),
                    UndoChoice::Rollback { index, .. } => {
                        let rs = &sets[index];
                        let rs_template = rs
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.clone())
                            .unwrap_or_default();
                        let mut new_template =
                            serde_json::to_value(&rs_template).unwrap_or_default();
                        if let Some(l) = new_template
                            .get_mut("metadata")
                            .and_then(|m| m.get_mut("labels"))
                            .and_then(Value::as_object_mut)
                        {
                            l.remove(POD_TEMPLATE_HASH);
                        }
                        let empty = BTreeMap::new();
                        let annotations = rollback_annotations(
                            d.metadata.annotations.as_ref().unwrap_or(&empty),
                            rs.metadata.annotations.as_ref().unwrap_or(&empty),
                        );
                        let rv = d.metadata.resource_version.clone().unwrap_or_default();
                        let ops = json!([
                            {"op": "replace", "path": "/metadata/resourceVersion", "value": rv},
                            {"op": "replace", "path": "/spec/template", "value": new_template},
                            {"op": "replace", "path": "/metadata/annotations", "value": annotations},
                        ]);
                        let patch = serde_json::from_value(ops).map_err(|e| ActionError::Api {
                            what: "cannot build the rollback patch".into(),
                            message: e.to_string(),
                            code: None,
                        })?;
                        plan(
                            Request::PatchDeployment {
                                patch: Patch::Json(patch),
                                manager: MANAGER_BACKOUT,
                            },
                            format!("{q} rolled back"),
                        )
                    }
                }
            }
            ClusterAction::Pause => {
                if paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} is already paused",
                        self.name()
                    )));
                }
                plan(
                    strategic(json!({"spec": {"paused": true}}), MANAGER_ROLLOUT),
                    format!("{q} paused"),
                )
            }
            ClusterAction::Resume => {
                if !paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} is not paused",
                        self.name()
                    )));
                }
                plan(
                    strategic(json!({"spec": {"paused": null}}), MANAGER_ROLLOUT),
                    format!("{q} resumed"),
                )
            }
            ClusterAction::Restart => {
                if paused {
                    return Err(ActionError::Refused(format!(
                        "deployments.apps {:?} can't restart paused deployment (run rollout resume first)",
                        self.name()
                    )));
                }
                let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                plan(
                    strategic(
                        json!({"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}),
                        MANAGER_ROLLOUT,
                    ),
                    format!("{q} restarted"),
                )
            }
            ClusterAction::Scale { replicas } => plan(
                Request::Scale {
                    replicas: *replicas,
                },
                format!("{q} scaled"),
            ),
            ClusterAction::SetImage { container, image } => {
                let spec = template.spec.clone().unwrap_or_default();
                let pick = |cs: &[k8s_openapi::api::core::v1::Container]| -> Vec<Value> {
                    cs.iter()
                        .filter(|c| container == "*" || &c.name == container)
                        .filter(|c| c.image.as_deref() != Some(image.as_str()))
                        .map(|c| json!({"name": c.name, "image": image}))
                        .collect()
                };
                let known = spec
                    .containers
                    .iter()
                    .chain(spec.init_containers.iter().flatten())
                    .any(|c| container == "*" || &c.name == container);
                if !known {
                    return Err(ActionError::Refused(format!(
                        "unable to find container named {container:?}"
                    )));
                }
                let containers = pick(&spec.containers);
                let inits = pick(spec.init_containers.as_deref().unwrap_or(&[]));
                if containers.is_empty() && inits.is_empty() {
                    return Ok(Plan::Skip(format!(
                        "{q}: image already {image} (no change)"
                    )));
                }
                let mut tspec = serde_json::Map::new();
                if !containers.is_empty() {
                    tspec.insert("containers".into(), Value::Array(containers));
                }
                if !inits.is_empty() {
                    tspec.insert("initContainers".into(), Value::Array(inits));
                }
                plan(
                    strategic(json!({"spec": {"template": {"spec": tspec}}}), MANAGER_SET),
                    format!("{q} image updated"),
                )
            }
            ClusterAction::SetEnv { container, changes } => {
                let spec = template.spec.clone().unwrap_or_default();
                let update =
                    set_env::resolve(&self.client, &self.target.namespace, changes).await?;
                match set_env::template_patch(&spec, container.as_deref(), self.name(), &update)
                    .map_err(ActionError::Refused)?
                {
                    None => {
                        return Ok(Plan::Skip(format!(
                            "{q}: environment already as requested (no change)"
                        )));
                    }
                    Some(patch) => plan(strategic(patch, MANAGER_SET), format!("{q} env updated")),
                }
            }
            // Handled before the Deployment is read.
            ClusterAction::SwitchSelector { .. } | ClusterAction::DeletePods { .. } => {
                return Err(ActionError::Refused(format!(
                    "{} is not an action on a Deployment",
                    action.verb()
                )));
            }
        })
    }

    async fn send(&self, request: &Request, dry_run: bool) -> Result<Value, ActionError> {
        let q = self.qualified();
        match request {
            Request::PatchDeployment { patch, manager } => {
                let mut pp = PatchParams {
                    field_manager: Some((*manager).to_string()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let d = self
                    .deployments()
                    .patch(self.name(), &pp, patch)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot patch {q}"), e))?;
                Ok(deployment_subtree(
                    &serde_json::to_value(&d).unwrap_or_default(),
                ))
            }
            Request::Scale { replicas } => {
                let mut pp = PatchParams {
                    field_manager: Some(MANAGER_BACKOUT.into()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let patch: Patch<Value> = Patch::Merge(json!({"spec": {"replicas": replicas}}));
                self.deployments()
                    .patch_scale(self.name(), &pp, &patch)
                    .await
                    .map_err(|e| ActionError::api(format!("cannot scale {q}"), e))?;
                // The scale subresource answers with a Scale; show the Deployment view.
                let d = self.get_deployment().await?;
                let mut v = deployment_subtree(&serde_json::to_value(&d).unwrap_or_default());
                if dry_run {
                    v["replicas"] = json!(replicas);
                }
                Ok(v)
            }
            Request::PatchService { name, patch } => {
                let api: Api<Service> =
                    Api::namespaced(self.client.clone(), &self.target.namespace);
                let mut pp = PatchParams {
                    field_manager: Some(MANAGER_PATCH.into()),
                    ..PatchParams::default()
                };
                pp.dry_run = dry_run;
                let s = api
                    .patch(name, &pp, &Patch::Strategic(patch.clone()))
                    .await
                    .map_err(|e| ActionError::api(format!("cannot patch service/{name}"), e))?;
                Ok(service_subtree(
                    &serde_json::to_value(&s).unwrap_or_default(),
                ))
            }
            Request::DeletePods { names } => {
                let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.target.namespace);
                let dp = DeleteParams {
                    dry_run,
                    ..DeleteParams::background()
                };
                let mut remaining = names.clone();
                for n in names {
                    match api.delete(n, &dp).await {
                        Ok(_) => remaining.retain(|x| x != n),
                        Err(kube::Error::Api(s)) if s.code == 404 => remaining.retain(|x| x != n),
                        Err(e) => {
                            return Err(ActionError::api(format!("cannot delete pod {n:?}"), e));
                        }
                    }
                }
                Ok(json!({"pods": remaining}))
            }
        }
    }

    /// kubectl's `--dry-run=client`: the action planned from reads alone, and the request
    /// it would send; nothing else reaches the API server, not even a server dry-run.
    pub async fn client_dry_run(
        &self,
        action: &ClusterAction,
    ) -> Result<ClientPlanned, ActionError> {
        match self.plan_patiently(action).await? {
            Plan::Skip(message) => Ok(ClientPlanned::Skip { message }),
            Plan::Do {
                request, success, ..
            } => Ok(ClientPlanned::Change {
                request: request.describe(),
                success,
            }),
        }
    }

    /// The same request with `dryRun=All`, and the diff of what would change.
    pub async fn dry_run(&self, action: &ClusterAction) -> Result<Planned, ActionError> {
        if self.read_only {
            return Err(ActionError::ReadOnly(format!(
                "a dry-run of {}",
                action.verb()
            )));
        }
        match self.plan_patiently(action).await? {
            Plan::Skip(message) => Ok(Planned::Skip { message }),
            Plan::Do {
                request, before, ..
            } => {
                // A dry run changes nothing: send it again when it is refused or lost.
                let mut faults = 0;
                let after = loop {
                    match self.send(&request, true).await {
                        Err(e) if transient(&e) && faults < READ_RETRIES => {
                            faults += 1;
                            tokio::time::sleep(READ_RETRY_PAUSE * faults).await;
                        }
                        other => break other?,
                    }
                };
                Ok(Planned::Change {
                    diff: unified_diff(&before, &after, 3),
                    kubectl: action.kubectl_command(&self.target),
                })
            }
        }
    }

    /// Performs the action (the caller has journaled the intent and holds the lease).
    pub async fn execute(
        &self,
        action: &ClusterAction,
        lease: &LeaseGuard,
    ) -> Result<Executed, ActionError> {
        self.execute_with_hook(action, lease, |_| async {}).await
    }

    /// [`execute`](Self::execute), calling `before_send(attempt)` between planning and
    /// sending each attempt (tests use it to change the object concurrently).
    pub async fn execute_with_hook<F, Fut>(
        &self,
        action: &ClusterAction,
        lease: &LeaseGuard,
        mut before_send: F,
    ) -> Result<Executed, ActionError>
    where
        F: FnMut(u32) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        if self.read_only {
            return Err(ActionError::ReadOnly(action.verb().to_string()));
        }
        if lease.deployment() != self.name() || lease.namespace() != self.target.namespace {
            return Err(ActionError::WrongLease {
                held: format!("{}/{}", lease.namespace(), lease.deployment()),
                wanted: format!("{}/{}", self.target.namespace, self.name()),
            });
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (request, success) = match self.plan_patiently(action).await? {
                Plan::Skip(message) => {
                    return Ok(Executed {
                        message,
                        skipped: true,
                        attempts: attempt,
                    });
                }
                Plan::Do {
                    request, success, ..
                } => (request, success),
            };
            before_send(attempt).await;
            match self.send(&request, false).await {
                Ok(_) => {
                    return Ok(Executed {
                        message: success,
                        skipped: false,
                        attempts: attempt,
                    });
                }
                Err(e) if e.is_conflict() && attempt < MAX_CONFLICT_RETRIES => continue,
                Err(e) if e.is_conflict() => return Err(ActionError::Conflict(attempt)),
                Err(e) => return Err(e),
            }
        }
    }

    /// Follows the rollout like `kubectl rollout status` until it completes, fails
    /// (`ProgressDeadlineExceeded`) or `timeout` passes, reporting each observation.
    pub async fn follow(
        &self,
        timeout: Duration,
        mut on_progress: impl FnMut(FollowProgress),
    ) -> Result<FollowOutcome, ActionError> {
        // The server ends each watch after FOLLOW_WATCH_SECS and the watcher resumes it
        // from the last resource version: a quiet rollout is never cut by the client's
        // read timeout (the console's default request timeout is 10 s).
        let cfg = watcher::Config::default()
            .fields(&format!("metadata.name={}", self.name()))
            .timeout(FOLLOW_WATCH_SECS);
        let stream = watcher(self.deployments(), cfg).default_backoff();
        let mut stream = std::pin::pin!(stream);
        let mut last = String::from("no observation of the deployment yet");
        // A deadline verdict left from before the change is not this rollout's.
        let mut judge = crate::domain::cluster::RolloutFollow::new();
        let run = async {
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(watcher::Event::Apply(d)) | Ok(watcher::Event::InitApply(d)) => {
                        let facts = convert::deployment_facts(&d);
                        let status = judge.observe(&facts);
                        last = status.message().to_string();
                        on_progress(FollowProgress::Observed {
                            facts,
                            status: status.clone(),
                        });
                        match status {
                            RolloutStatus::Complete { message } => {
                                return FollowOutcome::Complete { message };
                            }
                            RolloutStatus::Failed { message } => {
                                return FollowOutcome::Failed { message };
                            }
                            RolloutStatus::Progressing { .. } => {}
                        }
                    }
                    Ok(watcher::Event::Delete(_)) => {
                        return FollowOutcome::Failed {
                            message: format!("{} was deleted", self.qualified()),
                        };
                    }
                    Ok(_) => {}
                    Err(e) => on_progress(FollowProgress::WatchError {
                        error: e.to_string(),
                    }),
                }
            }
            FollowOutcome::TimedOut { last: last.clone() }
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(outcome) => Ok(outcome),
            Err(_) => Ok(FollowOutcome::TimedOut {
                last: "timed out waiting for the condition".into(),
            }),
        }
    }
}

/// How many refused or lost reads (and dry runs, access reviews) planning an action
/// survives.
const READ_RETRIES: u32 = 4;
/// The pause before the n-th read retry is n times this.
const READ_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// A server-side failure (5xx, 429) or no answer at all (no HTTP status).
fn transient(e: &ActionError) -> bool {
    match e {
        ActionError::Api { code, .. } => code.is_none_or(|c| c >= 500 || c == 429),
        _ => false,
    }
}
