//! What an action sends: the request (a patch of the Deployment, its scale, a Service's
//! selector, pod deletions) with kubectl's field managers, and the plan around it.

use kube::api::Patch;
use serde_json::{Value, json};

pub(super) const MANAGER_ROLLOUT: &str = "kubectl-rollout";
pub(super) const MANAGER_SET: &str = "kubectl-set";
pub(super) const MANAGER_PATCH: &str = "kubectl-patch";
pub(super) const MANAGER_BACKOUT: &str = "backout";
/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

pub(super) enum Request {
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

pub(super) enum Plan {
    Do {
        request: Request,
        before: Value,
        /// kubectl's success line.
        success: String,
    },
    Skip(String),
}

/// What a client-side dry run found (see [`super::actions::ActionRunner::client_dry_run`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientPlanned {
    /// Nothing to do (kubectl's "skipped rollback" and the like).
    Skip { message: String },
    /// The request that would be sent, and kubectl's success line.
    Change { request: Value, success: String },
}

impl Request {
    /// The request as JSON, for a client-side dry run.
    pub(super) fn describe(&self) -> Value {
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
