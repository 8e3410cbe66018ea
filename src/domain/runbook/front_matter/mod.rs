//! Optional YAML front matter: binds a runbook to a target and to live data.
//!
//! Parsed with serde-saphyr; unknown keys are errors (`deny_unknown_fields`). Before the
//! typed parse, [`schema`] checks the positioned YAML tree ([`yaml`]) so that every mistake
//! is reported at once, at its key, with a suggestion.

pub(in crate::domain::runbook) mod closest_word;
pub(in crate::domain::runbook) mod parse;
pub(in crate::domain::runbook) mod schema;
pub(in crate::domain::runbook) mod schema_check;
pub(in crate::domain::runbook) mod yaml;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::phase_kind::PhaseKind;
use crate::domain::duration;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Format version. Only `1` exists.
    #[serde(default = "one")]
    pub backout: u32,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub target: Option<Target>,
    #[serde(default)]
    pub metrics: Option<Metrics>,
    #[serde(default)]
    pub matrix: Vec<MatrixRule>,
    /// Recovery-time objective per severity, e.g. `SEV-1: 2m`.
    #[serde(default)]
    pub rto: BTreeMap<String, DurationSpec>,
    #[serde(default)]
    pub notify: Option<Notify>,
    /// Message texts by kind (`all_clear: …`), overriding the built-in templates.
    #[serde(default)]
    pub messages: BTreeMap<String, String>,
    /// Placeholder values bound in advance, by placeholder name.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Explicit heading → role mapping (a phase, `alternative` or `reference`),
    /// overriding the heading words.
    #[serde(default)]
    pub phases: BTreeMap<String, HeadingRole>,
    /// Verification checks (see `docs/verification.md`).
    #[serde(default)]
    pub verify: Vec<VerifyEntry>,
    /// The deploy service's HTTP API the runbook's `curl` lines talk to.
    #[serde(default)]
    pub deploy_api: Option<DeployApiConfig>,
    /// The Argo CD API server the runbook's `argocd` lines talk to.
    #[serde(default)]
    pub argocd: Option<ArgoCdConfig>,
}

/// An Argo CD API server: its address as the `argocd` CLI takes it, and the environment
/// variable holding its auth token (the token itself never goes in a runbook).
/// `ARGOCD_SERVER` / `ARGOCD_AUTH_TOKEN` in the environment win over it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgoCdConfig {
    /// `argocd.example.com[:port][/root]` (as `--server` / `ARGOCD_SERVER`).
    pub server: String,
    /// Name of the environment variable holding the auth token (`ARGOCD_TOKEN`).
    #[serde(default)]
    pub token_env: Option<String>,
    /// Skip the server's certificate check (the CLI's `--insecure`).
    #[serde(default)]
    pub insecure: bool,
}

/// A deploy service's HTTP API: its base URL, and the environment variable holding its
/// bearer token (the token itself never goes in a runbook).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployApiConfig {
    /// `https://deploy.example.com/api`: `curl` lines under it run through the console.
    pub url: String,
    /// Name of the environment variable holding the bearer token (`DEPLOY_API_TOKEN`).
    #[serde(default)]
    pub token_env: Option<String>,
}

/// What front matter `phases:` can map a heading to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadingRole {
    Preparation,
    Execution,
    Verification,
    Communication,
    PostRollback,
    /// One of a group of alternatives (with its mapped or recognised siblings).
    Alternative,
    /// Reading material: never steps.
    Reference,
}

impl HeadingRole {
    /// The phase it names, if it names one.
    pub fn phase(self) -> Option<PhaseKind> {
        match self {
            HeadingRole::Preparation => Some(PhaseKind::Preparation),
            HeadingRole::Execution => Some(PhaseKind::Execution),
            HeadingRole::Verification => Some(PhaseKind::Verification),
            HeadingRole::Communication => Some(PhaseKind::Communication),
            HeadingRole::PostRollback => Some(PhaseKind::PostRollback),
            HeadingRole::Alternative | HeadingRole::Reference => None,
        }
    }
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default)]
    pub context: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub deployment: Option<String>,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    #[serde(default)]
    pub prometheus: Option<PrometheusConfig>,
    /// Named PromQL queries, in the order written.
    #[serde(default)]
    pub queries: BTreeMap<String, String>,
    /// Read `baseline(name)` from Prometheus this far back (`offset`, e.g. `1d` for the
    /// same time yesterday) instead of capturing the values at session start.
    #[serde(default)]
    pub baseline_offset: Option<DurationSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub url_env: Option<String>,
    /// Name of an environment variable holding a bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Path of a file holding a bearer token.
    #[serde(default)]
    pub token_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixRule {
    pub when: String,
    #[serde(default, rename = "for")]
    pub for_: Option<DurationSpec>,
    pub severity: String,
    pub action: String,
    #[serde(default)]
    pub approval: Option<String>,
}

/// Where messages go. Secrets are named by env var or file, never written inline.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    #[serde(default)]
    pub slack: Option<SecretUrl>,
    #[serde(default)]
    pub teams: Option<SecretUrl>,
    #[serde(default)]
    pub webhook: Option<SecretUrl>,
    #[serde(default)]
    pub github: Option<GithubSink>,
    #[serde(default)]
    pub statuspage: Option<StatuspageSink>,
    #[serde(default)]
    pub grafana: Option<GrafanaSink>,
    #[serde(default)]
    pub pagerduty: Option<PagerdutySink>,
}

/// A webhook URL that is itself a secret.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretUrl {
    #[serde(default)]
    pub webhook_env: Option<String>,
    #[serde(default)]
    pub webhook_file: Option<String>,
    #[serde(default)]
    pub channel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSink {
    pub repo: String,
    pub issue: u64,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<String>,
    #[serde(default)]
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuspageSink {
    pub page_id: String,
    #[serde(default)]
    pub component_id: Option<String>,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<String>,
    #[serde(default)]
    pub api_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrafanaSink {
    pub url: String,
    #[serde(default)]
    pub dashboard_uid: Option<String>,
    #[serde(default)]
    pub token_env: Option<String>,
    #[serde(default)]
    pub token_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutySink {
    #[serde(default)]
    pub routing_key_env: Option<String>,
    #[serde(default)]
    pub routing_key_file: Option<String>,
    #[serde(default)]
    pub api_url: Option<String>,
}

/// One verification check: a name, exactly one probe (`http`, `promql`, `pods`,
/// `rollout`, `shell`), and an optional monitor window sampled `every` so often.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyEntry {
    pub name: String,
    #[serde(default)]
    pub http: Option<HttpCheckSpec>,
    /// A condition over `metrics.queries`, e.g. `error_rate < 0.01`.
    #[serde(default)]
    pub promql: Option<String>,
    #[serde(default)]
    pub pods: Option<PodsCheckSpec>,
    #[serde(default)]
    pub rollout: Option<RolloutCheckSpec>,
    /// A command that must exit 0 (confirmed like any command before it first runs).
    #[serde(default)]
    pub shell: Option<String>,
    #[serde(default)]
    pub window: Option<DurationSpec>,
    #[serde(default)]
    pub every: Option<DurationSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheckSpec {
    pub url: String,
    /// Expected status (default 200).
    #[serde(default)]
    pub status: Option<u16>,
    /// RFC 6901 pointer into a JSON body, e.g. `/status`.
    #[serde(default)]
    pub json_pointer: Option<String>,
    /// The value the pointer must find, compared as text.
    #[serde(default, deserialize_with = "scalar_text")]
    pub equals: Option<String>,
    #[serde(default)]
    pub max_latency: Option<DurationSpec>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodsCheckSpec {
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub deployment: Option<String>,
    /// Expected revision (default: the Deployment's current one).
    #[serde(default)]
    pub revision: Option<i64>,
    /// Expected image, as a full reference or a tag.
    #[serde(default)]
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutCheckSpec {
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub deployment: Option<String>,
}

/// Any YAML scalar (`ok`, `true`, `3`) as text.
fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        B(bool),
        I(i64),
        F(f64),
        S(String),
    }
    Ok(Option::<Raw>::deserialize(d)?.map(|r| match r {
        Raw::B(b) => b.to_string(),
        Raw::I(i) => i.to_string(),
        Raw::F(f) => f.to_string(),
        Raw::S(s) => s,
    }))
}

/// A duration written as `90s`, `2m`, `1h30m`, `1.5h` or a bare number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DurationSpec(pub Duration);

impl DurationSpec {
    /// Parses through the one duration parser (`domain::duration`), range-checked.
    pub fn parse(s: &str) -> Result<Self, String> {
        duration::parse(s, duration::Syntax::FRONT_MATTER)
            .map(DurationSpec)
            .map_err(|e| e.to_string())
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        if secs >= 3600 && secs.is_multiple_of(3600) {
            write!(f, "{}h", secs / 3600)
        } else if secs >= 60 && secs.is_multiple_of(60) {
            write!(f, "{}m", secs / 60)
        } else {
            write!(f, "{secs}s")
        }
    }
}

impl Serialize for DurationSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => duration::from_whole_seconds(n)
                .map(DurationSpec)
                .map_err(serde::de::Error::custom),
            Raw::S(s) => DurationSpec::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}
