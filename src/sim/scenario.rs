//! Drill scenarios: YAML files describing an initial cluster (namespaces, applications
//! with their revision history, services, config maps), how each application version
//! behaves, and a timeline of events (deploys, crash loops, stalled rollouts, config map
//! changes, API faults). See `docs/simulator.md` for the format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::{ApiError, ApiFaults, Shared, controllers, res};

/// A scenario that cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("no scenario named {name:?} in {dir} (and no such file)")]
    NotFound { name: String, dir: String },
    #[error("cannot read scenario {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid scenario {path}: {message}")]
    Parse { path: String, message: String },
    #[error("invalid scenario {path}: timeline entry {index}: {message}")]
    Timeline {
        path: String,
        index: usize,
        message: String,
    },
}

fn d_error_ratio() -> f64 {
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

/// An earlier version of an application: `"1.4.0"`, or `{version: "1.4.0", ago: 3d}`
/// to state when it was rolled out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum HistoryEntry {
    Version(String),
    Dated { version: String, ago: String },
}

impl HistoryEntry {
    /// The version (image tag).
    pub fn version(&self) -> &str {
        match self {
            HistoryEntry::Version(v) | HistoryEntry::Dated { version: v, .. } => v,
        }
    }
}

/// Default distance between two revisions whose time the scenario does not state.
const REVISION_SPACING_SECS: f64 = 86_400.0;

impl AppSpec {
    /// Seconds before the start at which each revision (history, then the running
    /// version) was rolled out: stated times as stated, the running version at start
    /// unless `deployed_ago`, an unstated earlier one a day before the next. Errors name
    /// an unparsable time or a revision not earlier than the next.
    pub fn revision_times(&self) -> Result<Vec<f64>, String> {
        let current = match &self.deployed_ago {
            Some(a) => parse_duration(a).ok_or_else(|| format!("invalid deployed_ago {a:?}"))?,
            None => 0.0,
        };
        let mut times = vec![current];
        for (i, h) in self.history.iter().enumerate().rev() {
            let next = times.last().copied().unwrap_or(0.0);
            let t = match h {
                HistoryEntry::Version(_) => next + REVISION_SPACING_SECS,
                HistoryEntry::Dated { ago, .. } => parse_duration(ago)
                    .ok_or_else(|| format!("history entry {i}: invalid ago {ago:?}"))?,
            };
            if t <= next {
                return Err(format!(
                    "history entry {i} ({}): ago {} must be earlier than the next revision",
                    h.version(),
                    match h {
                        HistoryEntry::Dated { ago, .. } => ago.as_str(),
                        HistoryEntry::Version(_) => "",
                    }
                ));
            }
            times.push(t);
        }
        times.reverse();
        Ok(times)
    }
}

/// An application: a deployment (with its revision history), optionally a service.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Deployment name.
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    /// Value of the `app` label (defaults to the name).
    #[serde(default)]
    pub app: Option<String>,
    #[serde(default = "d_replicas")]
    pub replicas: i64,
    /// Image repository without tag.
    pub image: String,
    /// Container name (default `app`).
    #[serde(default)]
    pub container: Option<String>,
    /// Earlier versions, oldest first; each becomes a revision, rolled out at its `ago`
    /// (default: a day before the next revision).
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// The running version (the latest revision).
    pub version: String,
    /// How long before the start the running version was rolled out (default: at start).
    #[serde(default)]
    pub deployed_ago: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Extra labels on the pods and in the selector (e.g. `track: blue`).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default = "d_port")]
    pub port: i64,
    /// Requests per simulated second across ready pods.
    #[serde(default = "d_rps")]
    pub rps: f64,
    #[serde(default)]
    pub max_surge: Option<String>,
    #[serde(default)]
    pub max_unavailable: Option<String>,
    #[serde(default)]
    pub progress_deadline_seconds: Option<i64>,
    #[serde(default)]
    pub min_ready_seconds: Option<i64>,
    #[serde(default)]
    pub revision_history_limit: Option<i64>,
    /// Create a ClusterIP service selecting the pods (default true).
    #[serde(default = "d_true")]
    pub service: bool,
}

fn d_replicas() -> i64 {
    3
}
fn d_port() -> i64 {
    8080
}
fn d_rps() -> f64 {
    50.0
}
fn d_true() -> bool {
    true
}

/// A config map of the initial cluster.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigMapSpec {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

/// A service of the initial cluster; with `rps`, traffic flows through its selector.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub name: String,
    #[serde(default)]
    pub namespace: Option<String>,
    pub selector: BTreeMap<String, String>,
    #[serde(default = "d_port")]
    pub target_port: i64,
    /// Requests per simulated second sent through this service (0: none).
    #[serde(default)]
    pub rps: f64,
}

/// `service_selector`: point a service at other pods (blue/green switch).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectorAction {
    pub service: String,
    pub selector: BTreeMap<String, String>,
}

/// `deploy`: roll an application to a version (like `kubectl set image`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployAction {
    pub app: String,
    pub version: String,
    #[serde(default)]
    pub change_cause: Option<String>,
}

/// `set_env`: set an environment variable of an application's container.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetEnvAction {
    pub app: String,
    pub name: String,
    pub value: String,
}

/// `scale`: change an application's replica count.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleAction {
    pub app: String,
    pub replicas: i64,
}

/// `api_faults`: degrade the API server for a while.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultWindow {
    /// How long (simulated), e.g. `30s`.
    #[serde(rename = "for")]
    pub duration: String,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub error_ratio: f64,
}

/// One timeline entry: a time and exactly one action.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// Simulated time since start: `90s`, `2m`, `1m30s`.
    pub at: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub deploy: Option<DeployAction>,
    #[serde(default)]
    pub set_env: Option<SetEnvAction>,
    #[serde(default)]
    pub scale: Option<ScaleAction>,
    /// Add a behaviour (takes precedence over earlier ones), e.g. make a version crash-loop.
    #[serde(default)]
    pub behaviour: Option<Behaviour>,
    #[serde(default)]
    pub configmap: Option<ConfigMapSpec>,
    #[serde(default)]
    pub service_selector: Option<SelectorAction>,
    #[serde(default)]
    pub api_faults: Option<FaultWindow>,
    /// Close every open watch.
    #[serde(default)]
    pub drop_watches: Option<bool>,
    /// Forget the watch history: resumes get 410 Gone.
    #[serde(default)]
    pub force_410: Option<bool>,
    /// Push a commit to an Argo CD application's repository.
    #[serde(default)]
    pub commit: Option<super::argocd::CommitAction>,
    /// Change the deploy service's failure modes.
    #[serde(default)]
    pub deploy_api_faults: Option<super::deploy_api::FaultsAction>,
}

impl TimelineEntry {
    /// The note, or a one-line description of the action.
    pub fn describe(&self) -> String {
        if let Some(n) = &self.note {
            return n.clone();
        }
        if let Some(d) = &self.deploy {
            return format!("deploy {} {}", d.app, d.version);
        }
        if let Some(s) = &self.set_env {
            return format!("set env {}={} on {}", s.name, s.value, s.app);
        }
        if let Some(s) = &self.scale {
            return format!("scale {} to {}", s.app, s.replicas);
        }
        if let Some(b) = &self.behaviour {
            return format!(
                "behaviour of version {}",
                b.version.as_deref().unwrap_or("*")
            );
        }
        if let Some(c) = &self.configmap {
            return format!("config map {} changed", c.name);
        }
        if let Some(s) = &self.service_selector {
            return format!("service {} selector switched", s.service);
        }
        if let Some(f) = &self.api_faults {
            return format!("API faults for {}", f.duration);
        }
        if self.drop_watches.is_some() {
            return "watches dropped".into();
        }
        if let Some(c) = &self.commit {
            return format!("commit {} to {}", c.version, c.application);
        }
        if self.deploy_api_faults.is_some() {
            return "deploy service failure modes changed".into();
        }
        "watch history forgotten (410)".into()
    }
}

/// The drills of `runbooks/drills/`, built in so that `backout sim --scenario NAME` and
/// `backout drill` work from any directory.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "bad-deploy",
        include_str!("../../runbooks/drills/bad-deploy.yaml"),
    ),
    (
        "crashloop",
        include_str!("../../runbooks/drills/crashloop.yaml"),
    ),
    (
        "latency-regression",
        include_str!("../../runbooks/drills/latency-regression.yaml"),
    ),
    (
        "stuck-rollout",
        include_str!("../../runbooks/drills/stuck-rollout.yaml"),
    ),
    (
        "feature-flag",
        include_str!("../../runbooks/drills/feature-flag.yaml"),
    ),
    (
        "blue-green",
        include_str!("../../runbooks/drills/blue-green.yaml"),
    ),
    (
        "argocd-self-heal",
        include_str!("../../runbooks/drills/argocd-self-heal.yaml"),
    ),
    (
        "blue-green-api",
        include_str!("../../runbooks/drills/blue-green-api.yaml"),
    ),
    (
        "flaky-api-server",
        include_str!("../../runbooks/drills/flaky-api-server.yaml"),
    ),
];

/// A scenario file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Namespace of entries that name none, and of the kubeconfig context.
    #[serde(default = "d_namespace")]
    pub namespace: String,
    /// Simulated length of the drill (informational; the simulator keeps running).
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    #[serde(default)]
    pub configmaps: Vec<ConfigMapSpec>,
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    #[serde(default)]
    pub behaviours: Vec<Behaviour>,
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
    /// The runbook `backout drill` opens for this scenario, relative to the scenario
    /// file's directory (e.g. `../deployment-rollback.md`).
    #[serde(default)]
    pub runbook: Option<String>,
    /// Argo CD applications managing some of the apps (docs/simulator.md).
    #[serde(default)]
    pub argocd: Option<super::argocd::ArgoCdSpec>,
    /// A blue/green deploy service with an HTTP API (docs/simulator.md).
    #[serde(default)]
    pub deploy_api: Option<super::deploy_api::DeployApiSpec>,
    /// Commands scripted in the containers (`kubectl exec … -- npm run migrate:down`).
    #[serde(default)]
    pub exec: Vec<super::exec::ExecScript>,
}

fn d_namespace() -> String {
    "default".into()
}

/// Parses `90s`, `2m`, `1m30s`, `1h`, `3d`, `250ms` or a bare number of seconds, with the
/// project's one duration parser (range-checked: an absurd length is refused, never a
/// panic further on).
pub fn parse_duration(s: &str) -> Option<f64> {
    crate::domain::duration::parse(s, crate::domain::duration::Syntax::SCENARIO)
        .ok()
        .map(|d| d.as_secs_f64())
}

impl Scenario {
    /// Parses scenario YAML (`path` is only used in messages).
    pub fn parse(text: &str, path: &str) -> Result<Self, ScenarioError> {
        let s: Scenario = serde_saphyr::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.into(),
            message: e.to_string(),
        })?;
        for a in &s.apps {
            a.revision_times().map_err(|m| ScenarioError::Parse {
                path: path.into(),
                message: format!("app {}: {m}", a.name),
            })?;
        }
        for (i, e) in s.timeline.iter().enumerate() {
            let err = |message: String| ScenarioError::Timeline {
                path: path.into(),
                index: i,
                message,
            };
            if parse_duration(&e.at).is_none() {
                return Err(err(format!(
                    "invalid time {:?} (use e.g. 90s, 2m, 1m30s)",
                    e.at
                )));
            }
            let actions = [
                e.deploy.is_some(),
                e.set_env.is_some(),
                e.scale.is_some(),
                e.behaviour.is_some(),
                e.configmap.is_some(),
                e.service_selector.is_some(),
                e.api_faults.is_some(),
                e.drop_watches.is_some(),
                e.force_410.is_some(),
                e.commit.is_some(),
                e.deploy_api_faults.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if actions != 1 {
                return Err(err(format!("needs exactly one action, found {actions}")));
            }
            if let Some(f) = &e.api_faults
                && parse_duration(&f.duration).is_none()
            {
                return Err(err(format!("invalid fault window length {:?}", f.duration)));
            }
            let app_ref = e
                .deploy
                .as_ref()
                .map(|d| &d.app)
                .or(e.set_env.as_ref().map(|d| &d.app))
                .or(e.scale.as_ref().map(|d| &d.app));
            if let Some(a) = app_ref
                && !s.apps.iter().any(|x| &x.name == a)
            {
                return Err(err(format!("unknown app {a:?}")));
            }
            if let Some(c) = &e.commit
                && !s
                    .argocd
                    .as_ref()
                    .is_some_and(|a| a.applications.iter().any(|x| x.name() == c.application))
            {
                return Err(err(format!(
                    "unknown argocd application {:?}",
                    c.application
                )));
            }
        }
        if let Some(a) = &s.argocd {
            a.check(&s.apps).map_err(|message| ScenarioError::Parse {
                path: path.into(),
                message,
            })?;
        }
        Ok(s)
    }

    /// Loads a scenario from a file path, else by name from `dir` (`dir/NAME.yaml`), else
    /// from the drills built into the binary ([`BUILTIN`]).
    pub fn load(name_or_path: &str, dir: &Path) -> Result<Self, ScenarioError> {
        let direct = PathBuf::from(name_or_path);
        let path = if direct.is_file() {
            direct
        } else {
            let p = dir.join(format!("{name_or_path}.yaml"));
            if !p.is_file() {
                if let Some((name, text)) = BUILTIN.iter().find(|(n, _)| *n == name_or_path) {
                    return Self::parse(text, &format!("(built-in) {name}.yaml"));
                }
                return Err(ScenarioError::NotFound {
                    name: name_or_path.into(),
                    dir: dir.display().to_string(),
                });
            }
            p
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The namespace for the kubeconfig context.
    pub fn default_namespace(&self) -> String {
        self.namespace.clone()
    }

    fn app(&self, name: &str) -> Option<&AppSpec> {
        self.apps.iter().find(|a| a.name == name)
    }

    /// Creates the initial cluster; each historical version is rolled out through the
    /// deployment controller, so replica sets, revisions and events are real.
    pub fn setup(&self, shared: &Shared) -> Result<(), ApiError> {
        let result = self.setup_at_stated_times(shared);
        shared.clock.set_rewind_secs(0.0);
        result?;
        if let Some(d) = &self.deploy_api {
            shared.deploy_api.setup(shared, d, &self.namespace);
        }
        match &self.argocd {
            Some(a) => a.setup(shared, &self.apps, &self.namespace),
            None => Ok(()),
        }
    }

    /// [`Scenario::setup`], with the clock set back to when each revision happened.
    fn setup_at_stated_times(&self, shared: &Shared) -> Result<(), ApiError> {
        let earliest = self
            .apps
            .iter()
            .filter_map(|a| a.revision_times().ok()?.first().copied())
            .fold(0.0, f64::max);
        shared.clock.set_rewind_secs(earliest);
        ensure_namespace(shared, &self.namespace)?;
        for cm in &self.configmaps {
            let ns = cm
                .namespace
                .clone()
                .unwrap_or_else(|| self.namespace.clone());
            ensure_namespace(shared, &ns)?;
            let obj = json!({"metadata": {"name": cm.name}, "data": cm.data});
            let obj = shared.prepare_create(res("", "configmaps"), &ns, obj)?;
            shared.store.create(res("", "configmaps"), obj)?;
        }
        for a in &self.apps {
            let ns = a
                .namespace
                .clone()
                .unwrap_or_else(|| self.namespace.clone());
            ensure_namespace(shared, &ns)?;
            let label = a.app.clone().unwrap_or_else(|| a.name.clone());
            let container = a.container.clone().unwrap_or_else(|| "app".into());
            let versions: Vec<&str> = a
                .history
                .iter()
                .map(HistoryEntry::version)
                .chain(std::iter::once(a.version.as_str()))
                .collect();
            let times = a.revision_times().map_err(ApiError::BadRequest)?;
            shared.clock.set_rewind_secs(times[0]);
            let env: Vec<Value> = a
                .env
                .iter()
                .map(|(k, v)| json!({"name": k, "value": v}))
                .collect();
            let mut strategy = json!({"type": "RollingUpdate", "rollingUpdate": {}});
            if let Some(s) = &a.max_surge {
                strategy["rollingUpdate"]["maxSurge"] = int_or_string(s);
            }
            if let Some(s) = &a.max_unavailable {
                strategy["rollingUpdate"]["maxUnavailable"] = int_or_string(s);
            }
            let mut labels = json!({"app": label});
            for (k, v) in &a.labels {
                labels[k] = json!(v);
            }
            let mut spec = json!({
                "replicas": a.replicas,
                "selector": {"matchLabels": labels},
                "strategy": strategy,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{
                        "name": container,
                        "image": format!("{}:{}", a.image, versions[0]),
                        "ports": [{"containerPort": a.port, "name": "http"}],
                        "env": env,
                    }]}
                }
            });
            if let Some(p) = a.progress_deadline_seconds {
                spec["progressDeadlineSeconds"] = json!(p);
            }
            if let Some(m) = a.min_ready_seconds {
                spec["minReadySeconds"] = json!(m);
            }
            if let Some(l) = a.revision_history_limit {
                spec["revisionHistoryLimit"] = json!(l);
            }
            let d = json!({
                "metadata": {"name": a.name, "labels": labels,
                    "annotations": {"kubernetes.io/change-cause": format!("deploy {} {}", a.name, versions[0])}},
                "spec": spec,
            });
            let d = shared.prepare_create(res("apps", "deployments"), &ns, d)?;
            shared.store.create(res("apps", "deployments"), d)?;
            controllers::settle(shared);
            for (v, ago) in versions.iter().zip(&times).skip(1) {
                shared.clock.set_rewind_secs(*ago);
                set_version(
                    shared,
                    &ns,
                    &a.name,
                    v,
                    Some(&format!("deploy {} {v}", a.name)),
                )?;
                controllers::settle(shared);
            }
            // The service came with the first revision.
            shared.clock.set_rewind_secs(times[0]);
            if a.service {
                let svc = json!({
                    "metadata": {"name": a.name, "labels": {"app": label}},
                    "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": a.port}],
                             "clusterIP": format!("10.96.{}.{}", shared.random_bytes::<1>()[0], shared.random_bytes::<1>()[0] % 250 + 2)}
                });
                let svc = shared.prepare_create(res("", "services"), &ns, svc)?;
                shared.store.create(res("", "services"), svc)?;
            }
            shared
                .app
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .register(&ns, &a.name, &label, a.rps);
        }
        for svc in &self.services {
            let ns = svc
                .namespace
                .clone()
                .unwrap_or_else(|| self.namespace.clone());
            ensure_namespace(shared, &ns)?;
            let ip = shared.random_bytes::<2>();
            let obj = json!({
                "metadata": {"name": svc.name},
                "spec": {"selector": svc.selector, "ports": [{"name": "http", "port": 80, "targetPort": svc.target_port}],
                         "clusterIP": format!("10.96.{}.{}", ip[0], ip[1] % 250 + 2)}
            });
            let obj = shared.prepare_create(res("", "services"), &ns, obj)?;
            shared.store.create(res("", "services"), obj)?;
            let label = svc
                .selector
                .get("app")
                .cloned()
                .unwrap_or_else(|| svc.name.clone());
            shared
                .app
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .register_service(&ns, &svc.name, &label, svc.rps);
        }
        Ok(())
    }
}

fn int_or_string(s: &str) -> Value {
    s.parse::<i64>()
        .map(|n| json!(n))
        .unwrap_or_else(|_| json!(s))
}

/// Creates a namespace unless it exists.
pub fn ensure_namespace(shared: &Shared, ns: &str) -> Result<(), ApiError> {
    if shared.store.get(shared.namespaces(), "", ns).is_some() {
        return Ok(());
    }
    let obj = shared.prepare_create(shared.namespaces(), "", json!({"metadata": {"name": ns}}))?;
    shared.store.create(shared.namespaces(), obj)?;
    Ok(())
}

fn edit_deployment(
    shared: &Shared,
    ns: &str,
    name: &str,
    f: impl Fn(&mut Value),
) -> Result<(), ApiError> {
    let r = res("apps", "deployments");
    for _ in 0..8 {
        let cur = shared
            .store
            .get(r, ns, name)
            .ok_or_else(|| super::store::not_found(r, name))?;
        let mut o = (*cur).clone();
        f(&mut o);
        let o = shared.prepare_update(r, &cur, o, None)?;
        let rv = cur["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|s| s.parse().ok());
        match shared.store.update(r, o, rv) {
            Ok(_) => {
                shared.kick();
                return Ok(());
            }
            Err(ApiError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(ApiError::Internal(format!(
        "could not update deployment {name}: too many conflicts"
    )))
}

/// Sets the image tag of a deployment's first container (like `kubectl set image`).
pub fn set_version(
    shared: &Shared,
    ns: &str,
    name: &str,
    version: &str,
    cause: Option<&str>,
) -> Result<(), ApiError> {
    edit_deployment(shared, ns, name, |o| {
        let image = o["spec"]["template"]["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let repo = match image.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => r.to_string(),
            _ => image.clone(),
        };
        o["spec"]["template"]["spec"]["containers"][0]["image"] =
            json!(format!("{repo}:{version}"));
        if let Some(c) = cause {
            if !o["metadata"]["annotations"].is_object() {
                o["metadata"]["annotations"] = json!({});
            }
            o["metadata"]["annotations"]["kubernetes.io/change-cause"] = json!(c);
        }
    })
}

/// Applies one timeline entry now.
pub fn apply(shared: &Arc<Shared>, scenario: &Scenario, e: &TimelineEntry) -> Result<(), ApiError> {
    let ns_of = |app: &str| {
        scenario
            .app(app)
            .and_then(|a| a.namespace.clone())
            .unwrap_or_else(|| scenario.namespace.clone())
    };
    if let Some(d) = &e.deploy {
        set_version(
            shared,
            &ns_of(&d.app),
            &d.app,
            &d.version,
            Some(
                d.change_cause
                    .as_deref()
                    .unwrap_or(&format!("deploy {} {}", d.app, d.version)),
            ),
        )?;
    }
    if let Some(s) = &e.set_env {
        edit_deployment(shared, &ns_of(&s.app), &s.app, |o| {
            let c = &mut o["spec"]["template"]["spec"]["containers"][0];
            if !c["env"].is_array() {
                c["env"] = json!([]);
            }
            if let Some(env) = c["env"].as_array_mut() {
                match env.iter_mut().find(|v| v["name"] == s.name.as_str()) {
                    Some(v) => *v = json!({"name": s.name, "value": s.value}),
                    None => env.push(json!({"name": s.name, "value": s.value})),
                }
            }
        })?;
    }
    if let Some(s) = &e.scale {
        edit_deployment(shared, &ns_of(&s.app), &s.app, |o| {
            o["spec"]["replicas"] = json!(s.replicas)
        })?;
    }
    if let Some(b) = &e.behaviour {
        shared.add_behaviour(b.clone());
    }
    if let Some(cm) = &e.configmap {
        let ns = cm
            .namespace
            .clone()
            .unwrap_or_else(|| scenario.namespace.clone());
        let r = res("", "configmaps");
        match shared.store.get(r, &ns, &cm.name) {
            Some(cur) => {
                let mut o = (*cur).clone();
                o["data"] = json!(cm.data);
                shared.store.update(r, o, None)?;
            }
            None => {
                let o = shared.prepare_create(
                    r,
                    &ns,
                    json!({"metadata": {"name": cm.name}, "data": cm.data}),
                )?;
                shared.store.create(r, o)?;
            }
        }
    }
    if let Some(sel) = &e.service_selector {
        let ns = scenario.namespace.clone();
        let r = res("", "services");
        let cur = shared
            .store
            .get(r, &ns, &sel.service)
            .ok_or_else(|| super::store::not_found(r, &sel.service))?;
        let mut o = (*cur).clone();
        o["spec"]["selector"] = json!(sel.selector);
        shared.store.update(r, o, None)?;
        shared.deploy_api.record_switch(shared, "release");
    }
    if let Some(f) = &e.api_faults {
        shared.set_faults(ApiFaults {
            latency_ms: f.latency_ms,
            error_ratio: f.error_ratio,
        });
        let secs = parse_duration(&f.duration).unwrap_or(0.0);
        let sh = shared.clone();
        let real = shared.clock.real_duration(secs);
        let window = shared.faults_generation();
        tokio::spawn(async move {
            tokio::time::sleep(real).await;
            // A later window (or a manual change) owns the faults now.
            if sh.faults_generation() == window {
                sh.set_faults(ApiFaults::default());
            }
        });
    }
    if e.drop_watches == Some(true) {
        shared.drop_watches();
    }
    if e.force_410 == Some(true) {
        shared.force_gone();
    }
    if let Some(c) = &e.commit {
        super::argocd::spec::push(shared, c)?;
    }
    if let Some(f) = &e.deploy_api_faults {
        shared
            .deploy_api
            .set_faults(f.rollback_refused.clone(), f.health_stays_degraded);
    }
    Ok(())
}

/// Plays the timeline in simulated time.
pub async fn run_timeline(
    shared: Arc<Shared>,
    scenario: Scenario,
    mut stop: watch::Receiver<bool>,
    mut go: watch::Receiver<bool>,
) {
    // A held timeline starts when released; its entries are timed from then.
    tokio::select! {
        _ = stop.wait_for(|s| *s) => return,
        released = go.wait_for(|g| *g) => if released.is_err() { return },
    }
    let offset = shared.clock.elapsed_secs();
    let mut entries: Vec<(f64, TimelineEntry)> = scenario
        .timeline
        .iter()
        .map(|e| (parse_duration(&e.at).unwrap_or(0.0), e.clone()))
        .collect();
    entries.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (at, e) in entries {
        let wait = shared
            .clock
            .real_duration(offset + at - shared.clock.elapsed_secs());
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let result = apply(&shared, &scenario, &e);
        if let Err(err) = &result {
            tracing::warn!(scenario = %scenario.name, at, "timeline entry failed: {err}");
        }
        shared.log_timeline(super::TimelineRecord {
            at_secs: shared.clock.elapsed_secs(),
            wall_time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            what: e.describe(),
            error: result.err().map(|err| err.to_string()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_drills_parse_and_load_from_anywhere() {
        for (name, text) in BUILTIN {
            let s = Scenario::parse(text, name).expect("built-in drill parses");
            assert_eq!(&s.name, name);
        }
        let nowhere = std::path::Path::new("/nonexistent-drills");
        assert_eq!(
            Scenario::load("bad-deploy", nowhere)
                .expect("built in")
                .name,
            "bad-deploy"
        );
        assert!(matches!(
            Scenario::load("nope", nowhere),
            Err(ScenarioError::NotFound { .. })
        ));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(90.0));
        assert_eq!(parse_duration("1m30s"), Some(90.0));
        assert_eq!(parse_duration("2m"), Some(120.0));
        assert_eq!(parse_duration("250ms"), Some(0.25));
        assert_eq!(parse_duration("12"), Some(12.0));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_duration("5"), Some(5.0));
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("3d"), Some(259_200.0));
    }

    fn app_with(history: &str, deployed_ago: &str) -> Result<Vec<f64>, String> {
        let text = format!(
            "name: t\napps:\n  - {{name: web, image: web, version: \"3\", history: {history}{deployed_ago}}}\n"
        );
        Scenario::parse(&text, "t.yaml")
            .map_err(|e| e.to_string())?
            .apps[0]
            .revision_times()
    }

    #[test]
    fn revisions_are_spread_over_their_stated_times() {
        assert_eq!(
            app_with(r#"["1", "2"]"#, ""),
            Ok(vec![172_800.0, 86_400.0, 0.0])
        );
        assert_eq!(
            app_with(r#"["1", {version: "2", ago: 3h}]"#, ", deployed_ago: 20m"),
            Ok(vec![97_200.0, 10_800.0, 1_200.0])
        );
        let err =
            app_with(r#"[{version: "1", ago: 1h}, {version: "2", ago: 2h}]"#, "").unwrap_err();
        assert!(
            err.contains("history entry 0 (1): ago 1h must be earlier than the next revision"),
            "{err}"
        );
        let err = app_with(r#"[{version: "1", ago: soon}]"#, "").unwrap_err();
        assert!(err.contains("invalid ago \"soon\""), "{err}");
    }

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

    #[test]
    fn timeline_entries_need_one_action() {
        let y = "name: x\napps: []\ntimeline:\n  - at: 10s\n";
        assert!(matches!(
            Scenario::parse(y, "x.yaml"),
            Err(ScenarioError::Timeline { .. })
        ));
        let y = "name: x\ntimeline:\n  - at: soon\n    drop_watches: true\n";
        assert!(matches!(
            Scenario::parse(y, "x.yaml"),
            Err(ScenarioError::Timeline { .. })
        ));
        let y = "name: x\ntimeline:\n  - at: 10s\n    drop_watches: true\n";
        assert!(Scenario::parse(y, "x.yaml").is_ok());
    }
}
