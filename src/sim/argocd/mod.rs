//! Argo CD in the simulator: the `Application` custom resource (`argoproj.io/v1alpha1`,
//! namespace `argocd`), simulated Git repositories of commits, an application controller
//! (comparison, automated sync with self-heal, health, history, operation state) and the
//! subset of Argo CD's REST API the `argocd` CLI uses, served under `/argocd/api/v1/…` on
//! the simulator's HTTPS listener (Argo CD's `server.rootpath`).
//!
//! Behaviour and wording follow argoproj/argo-cd: `controller/appcontroller.go`
//! (auto-sync, self-heal back-off), `server/application/application.go` (sync, rollback and
//! their refusals), `gitops-engine/pkg/health/health_deployment.go` (health).

pub mod api;
pub mod controller;
pub mod health;
pub mod repo;
pub mod spec;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

pub use repo::{Commit, GitRepo, Rendered, RevisionError};
pub use spec::{ArgoCdSpec, CommitAction};

/// Namespace Argo CD runs in and keeps its applications in.
pub const NAMESPACE: &str = "argocd";

/// The tracking annotation Argo CD writes on the resources it manages (annotation
/// tracking, the default since Argo CD 3.0; `common/common.go` `AnnotationKeyAppInstance`).
pub const TRACKING_ANNOTATION: &str = "argocd.argoproj.io/tracking-id";

/// The instance label (label tracking, `common/common.go` `LabelKeyAppInstance`), also set
/// so label selectors written for older Argo CD versions find the resources.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";

/// The annotation asking the controller for a refresh (`common/common.go`
/// `AnnotationKeyRefresh`); the controller removes it.
pub const REFRESH_ANNOTATION: &str = "argocd.argoproj.io/refresh";

/// The Argo CD state that is not in the API store: the Git repositories, by `repoURL`.
#[derive(Debug, Default)]
pub struct ArgoCdState {
    repos: Mutex<BTreeMap<String, GitRepo>>,
}

impl ArgoCdState {
    /// The repositories, locked.
    pub fn repos(&self) -> MutexGuard<'_, BTreeMap<String, GitRepo>> {
        self.repos.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A copy of one repository.
    pub fn repo(&self, url: &str) -> Option<GitRepo> {
        self.repos().get(url).cloned()
    }
}

/// The tracking id of a Deployment (`util/argo/resource_tracking.go`:
/// `app:group/kind:namespace/name`).
pub fn tracking_id(app: &str, namespace: &str, deployment: &str) -> String {
    format!("{app}:apps/Deployment:{namespace}/{deployment}")
}
