//! The scenario file format: the YAML of a drill (namespaces, applications with their
//! revision history, services, config maps, behaviours, a timeline of events), its
//! parsing and checks, and loading by name or path. See `docs/simulator.md` for the format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::behaviour::Behaviour;
use super::builtin::BUILTIN;

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
    pub commit: Option<crate::sim::argocd::CommitAction>,
    /// Change the deploy service's failure modes.
    #[serde(default)]
    pub deploy_api_faults: Option<crate::sim::deploy_api::FaultsAction>,
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
    pub argocd: Option<crate::sim::argocd::ArgoCdSpec>,
    /// A blue/green deploy service with an HTTP API (docs/simulator.md).
    #[serde(default)]
    pub deploy_api: Option<crate::sim::deploy_api::DeployApiSpec>,
    /// Commands scripted in the containers (`kubectl exec … -- npm run migrate:down`).
    #[serde(default)]
    pub exec: Vec<crate::sim::exec::ExecScript>,
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

    pub(super) fn app(&self, name: &str) -> Option<&AppSpec> {
        self.apps.iter().find(|a| a.name == name)
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
