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

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use kube::Client;
use kube::api::{Api, PostParams};
use kube::runtime::{WatchStreamExt, watcher};

pub use super::action_kube_error::FromKube;
use super::action_kube_error::{READ_RETRIES, READ_RETRY_PAUSE, transient};
use super::action_request::Plan;
pub use super::action_request::{ClientPlanned, RESTARTED_AT};
use super::convert;
use super::lease::LeaseGuard;
use super::set_env;
use crate::domain::cluster::diff::unified_diff;
pub use crate::domain::cluster::pipeline::{
    AccessCheck, ActionError, Executed, FollowOutcome, FollowProgress, Planned, Preflight,
};
use crate::domain::cluster::{ClusterAction, RolloutStatus, Target};

/// How long the server keeps one watch of a followed rollout open (`timeoutSeconds`):
/// below the console's request timeout, whose read timeout would otherwise cut a quiet one.
const FOLLOW_WATCH_SECS: u32 = 5;

/// Attempts after a `409 Conflict` before giving up.
pub const MAX_CONFLICT_RETRIES: u32 = 5;

/// Performs actions on one target Deployment.
#[derive(Clone)]
pub struct ActionRunner {
    pub(super) client: Client,
    pub(super) target: Target,
    pub(super) read_only: bool,
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

    pub(super) fn deployments(&self) -> Api<Deployment> {
        Api::namespaced(self.client.clone(), &self.target.namespace)
    }

    pub(super) fn name(&self) -> &str {
        &self.target.deployment
    }

    pub(super) fn qualified(&self) -> String {
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
