//! The `argocd:` section of a scenario: the applications, the repositories they track
//! and their commits; and the `commit:` timeline action (a push to the repository).

use std::collections::BTreeMap;

use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{GitRepo, NAMESPACE};
use crate::sim::scenario::{AppSpec, ensure_namespace, parse_duration};
use crate::sim::{ApiError, Shared, controllers, tick};

/// `argocd:` in a scenario.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgoCdSpec {
    pub applications: Vec<ApplicationSpec>,
}

/// One Argo CD application managing one scenario app's Deployment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationSpec {
    /// The Application's name (default: the app's).
    #[serde(default)]
    pub name: Option<String>,
    /// The scenario app (`apps[].name`) whose Deployment it manages.
    pub app: String,
    /// Default `https://git.example.com/platform/deploy.git`.
    #[serde(default)]
    pub repo_url: Option<String>,
    /// Default: the app's name.
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default = "d_head")]
    pub target_revision: String,
    #[serde(default = "d_project")]
    pub project: String,
    /// `syncPolicy.automated`.
    #[serde(default)]
    pub automated: bool,
    #[serde(default)]
    pub self_heal: bool,
    #[serde(default)]
    pub prune: bool,
    /// Oldest first; each was synced when made (it is in `status.history`). The newest
    /// must render the app's running `version`.
    pub commits: Vec<CommitSpec>,
}

/// A commit of the scenario's repository history.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitSpec {
    /// Image tag the commit renders.
    pub version: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    /// How long before the start it was made (default: an hour per later commit).
    #[serde(default)]
    pub ago: Option<String>,
    /// The whole environment (default: the parent's; the first commit: the app's `env`).
    #[serde(default)]
    pub env: Option<BTreeMap<String, String>>,
}

/// Timeline `commit:` — a push to an application's repository (auto-sync deploys it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitAction {
    pub application: String,
    pub version: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub env: Option<BTreeMap<String, String>>,
}

fn d_head() -> String {
    "HEAD".into()
}

fn d_project() -> String {
    "default".into()
}

const DEFAULT_AUTHOR: &str = "CI Bot <ci@example.com>";
const DEFAULT_REPO: &str = "https://git.example.com/platform/deploy.git";

impl ApplicationSpec {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.app)
    }

    fn repo_url(&self) -> String {
        self.repo_url.clone().unwrap_or_else(|| DEFAULT_REPO.into())
    }
}

impl ArgoCdSpec {
    /// Checks references to apps and durations; `Err` is the message.
    pub fn check(&self, apps: &[AppSpec]) -> Result<(), String> {
        let mut urls = std::collections::BTreeSet::new();
        for a in &self.applications {
            let Some(app) = apps.iter().find(|x| x.name == a.app) else {
                return Err(format!(
                    "argocd application {}: unknown app {:?}",
                    a.name(),
                    a.app
                ));
            };
            let Some(last) = a.commits.last() else {
                return Err(format!(
                    "argocd application {}: needs at least one commit",
                    a.name()
                ));
            };
            if last.version != app.version {
                return Err(format!(
                    "argocd application {}: the newest commit renders {} but the app runs {}",
                    a.name(),
                    last.version,
                    app.version
                ));
            }
            if let Some(bad) = a
                .commits
                .iter()
                .filter_map(|c| c.ago.as_deref())
                .find(|d| parse_duration(d).is_none())
            {
                return Err(format!(
                    "argocd application {}: invalid ago {bad:?}",
                    a.name()
                ));
            }
            if !urls.insert((
                a.repo_url(),
                a.path.clone().unwrap_or_else(|| a.app.clone()),
            )) {
                return Err(format!(
                    "argocd application {}: repository path used twice",
                    a.name()
                ));
            }
        }
        Ok(())
    }

    /// Creates the repositories and the Applications (history from the commits), and
    /// lets the controller reconcile them once.
    pub fn setup(
        &self,
        shared: &Shared,
        apps: &[AppSpec],
        default_ns: &str,
    ) -> Result<(), ApiError> {
        ensure_namespace(shared, NAMESPACE)?;
        for a in &self.applications {
            let Some(app) = apps.iter().find(|x| x.name == a.app) else {
                continue;
            };
            let ns = app
                .namespace
                .clone()
                .unwrap_or_else(|| default_ns.to_string());
            let url = a.repo_url();
            let mut repo = GitRepo {
                url: url.clone(),
                path: a.path.clone().unwrap_or_else(|| a.app.clone()),
                namespace: ns.clone(),
                deployment: app.name.clone(),
                container: app.container.clone().unwrap_or_else(|| "app".into()),
                image: app.image.clone(),
                commits: Vec::new(),
            };
            let n = a.commits.len();
            let mut history = Vec::new();
            let source = source_json(a, &url, &repo.path);
            for (i, c) in a.commits.iter().enumerate() {
                let ago = c
                    .ago
                    .as_deref()
                    .and_then(parse_duration)
                    .unwrap_or(((n - i) * 3600) as f64);
                let date =
                    shared.clock.now() - chrono::Duration::milliseconds((ago * 1000.0) as i64);
                let date = date.to_rfc3339_opts(SecondsFormat::Secs, true);
                let env = c.env.clone().or_else(|| (i == 0).then(|| app.env.clone()));
                let message = c
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("{}: release {}", app.name, c.version));
                let commit = repo.commit(
                    &message,
                    c.author.as_deref().unwrap_or(DEFAULT_AUTHOR),
                    &date,
                    &c.version,
                    env,
                );
                history.push(json!({
                    "id": i, "revision": commit.sha, "deployedAt": date, "deployStartedAt": date,
                    "source": source, "initiatedBy": {"automated": true},
                }));
            }
            let head = repo
                .commits
                .last()
                .map(|c| c.sha.clone())
                .unwrap_or_default();
            // Argo CD deployed the running revision: the Deployment carries its tracking.
            if let Some(c) = repo.commits.last() {
                super::controller::apply(shared, a.name(), &repo.render(c))
                    .map_err(ApiError::Internal)?;
            }
            let finished = history
                .last()
                .map(|h| h["deployedAt"].clone())
                .unwrap_or(Value::Null);
            shared.argocd.repos().insert(url.clone(), repo);
            let mut spec = json!({
                "project": a.project,
                "source": source,
                "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
            });
            if a.automated {
                spec["syncPolicy"] =
                    json!({"automated": {"prune": a.prune, "selfHeal": a.self_heal}});
            }
            let obj = json!({
                "metadata": {"name": a.name(), "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
                "spec": spec,
                "status": {
                    "history": history,
                    "operationState": {
                        "operation": {"sync": {"revision": head}, "initiatedBy": {"automated": true}, "retry": {"limit": 5}},
                        "phase": "Succeeded", "message": "successfully synced (all tasks run)",
                        "startedAt": finished, "finishedAt": finished,
                        "syncResult": {"revision": head, "source": source, "resources": []},
                    },
                },
            });
            let r = super::controller::applications();
            let obj = shared.prepare_create(r, NAMESPACE, obj)?;
            shared.store.create(r, obj)?;
        }
        super::controller::sync_all(shared);
        tick::settle(shared);
        super::controller::sync_all(shared);
        Ok(())
    }
}

fn source_json(a: &ApplicationSpec, url: &str, path: &str) -> Value {
    json!({"repoURL": url, "path": path, "targetRevision": a.target_revision})
}

/// Plays a `commit:` timeline entry: a new commit on the application's repository.
pub fn push(shared: &Shared, c: &CommitAction) -> Result<(), ApiError> {
    let r = super::controller::applications();
    let app = shared
        .store
        .get(r, NAMESPACE, &c.application)
        .ok_or_else(|| crate::sim::store::not_found(r, &c.application))?;
    let url = app["spec"]["source"]["repoURL"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let date = shared.clock.now_rfc3339();
    let mut repos = shared.argocd.repos();
    let repo = repos
        .get_mut(&url)
        .ok_or_else(|| ApiError::BadRequest(format!("repository not found: {url}")))?;
    let message = c
        .message
        .clone()
        .unwrap_or_else(|| format!("{}: release {}", repo.deployment, c.version));
    repo.commit(
        &message,
        c.author.as_deref().unwrap_or(DEFAULT_AUTHOR),
        &date,
        &c.version,
        c.env.clone(),
    );
    drop(repos);
    // The Git webhook asks for a refresh the way Argo CD's webhook handler does
    // (`util/webhook/webhook.go`: the `argocd.argoproj.io/refresh` annotation); the
    // controller removes it when it has compared.
    let mut o = (*app).clone();
    if !o["metadata"]["annotations"].is_object() {
        o["metadata"]["annotations"] = json!({});
    }
    o["metadata"]["annotations"][super::REFRESH_ANNOTATION] = json!("normal");
    controllers::replace(shared, r, &app, o);
    shared.kick();
    Ok(())
}
