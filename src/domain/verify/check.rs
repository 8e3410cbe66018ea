//! What a verification check is: a probe (what to measure and what must hold), where it
//! was written, and its monitor window.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::domain::decision::Condition;
use crate::domain::duration_text::precise_ms;
use crate::domain::runbook::StepId;

/// One verification check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Unique within the runbook; the journal and the report name the check by it.
    pub name: String,
    pub probe: Probe,
    /// How long it must hold. `None`: one passing sample is enough.
    pub window: Option<Duration>,
    /// Time between samples within the window.
    pub every: Duration,
    /// Where the check was written.
    pub source: CheckSource,
    /// The verification-phase step it shows under.
    pub step: StepId,
}

/// The sampling interval when a check names none.
pub const DEFAULT_EVERY: Duration = Duration::from_secs(30);

impl Check {
    /// One line for lists, the journal and the report: what is measured and what must hold.
    pub fn description(&self) -> String {
        self.probe.description()
    }

    /// Samples a full window takes: one at the start, then one every `every` up to and
    /// including the end of the window (1 without a window).
    pub fn samples_in_window(&self) -> u32 {
        match self.window {
            None => 1,
            Some(w) => {
                let every = self.every.as_secs_f64().max(0.001);
                (w.as_secs_f64() / every).floor() as u32 + 1
            }
        }
    }
}

/// Where a check was written in the runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckSource {
    /// An entry of front matter `verify:` (1-based index).
    FrontMatter { index: usize },
    /// A ```promql block holding a comparison, in the verification phase.
    PromqlBlock,
    /// A `kubectl rollout status deployment/NAME` line, in the verification phase.
    RolloutStatusLine,
}

/// What a check measures and what must hold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Probe {
    Http(HttpProbe),
    Promql(PromqlProbe),
    Pods(PodsProbe),
    Rollout(RolloutProbe),
    Shell(ShellProbe),
}

impl Probe {
    pub fn description(&self) -> String {
        match self {
            Probe::Http(h) => {
                let mut s = format!("GET {} → {}", h.url, h.expect_status);
                if let Some(p) = &h.json_pointer {
                    s.push_str(&format!(
                        ", {p} == {}",
                        h.expect_value.as_deref().unwrap_or("(present)")
                    ));
                }
                if let Some(l) = h.max_latency {
                    s.push_str(&format!(", within {}", precise_ms(l.as_millis() as u64)));
                }
                s
            }
            Probe::Promql(p) => p.text.clone(),
            Probe::Pods(p) => {
                let mut s = match &p.deployment {
                    Some(d) => format!("all pods of deployment/{d} ready"),
                    None => "all pods of the target Deployment ready".to_string(),
                };
                if let Some(r) = p.revision {
                    s.push_str(&format!(" on revision {r}"));
                } else {
                    s.push_str(" on the current revision");
                }
                if let Some(i) = &p.image {
                    s.push_str(&format!(", image {i}"));
                }
                s
            }
            Probe::Rollout(r) => match &r.deployment {
                Some(d) => format!("rollout of deployment/{d} complete"),
                None => "rollout of the target Deployment complete".to_string(),
            },
            Probe::Shell(s) => format!("`{}` exits 0", s.command),
        }
    }
}

/// An HTTP GET whose answer must have a status, optionally a JSON value, within a latency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpProbe {
    pub url: String,
    pub expect_status: u16,
    /// RFC 6901 pointer into a JSON body (`/status`).
    pub json_pointer: Option<String>,
    /// The value the pointer must find, compared as text (`"ok"`, `true`, `3`).
    pub expect_value: Option<String>,
    pub max_latency: Option<Duration>,
}

/// A comparison over named PromQL queries, in the decision matrix's condition language
/// (`error_rate < 0.01`, `latency_p95 < 1.2 * baseline(latency_p95)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PromqlProbe {
    /// The condition as written (for a ```promql block: `<name> < 0.01`).
    pub text: String,
    #[serde(skip)]
    pub condition: Condition,
    /// Queries the check itself introduces (a ```promql block's expression under a name of
    /// its own), added to the runbook's `metrics.queries` for the probe.
    pub queries: BTreeMap<String, String>,
}

/// Every pod of the target is ready, on the expected revision and image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodsProbe {
    pub namespace: Option<String>,
    /// `None`: the runbook's target.
    pub deployment: Option<String>,
    /// `None`: the Deployment's current revision.
    pub revision: Option<i64>,
    /// An image reference or a tag (`registry/app:1.4.2` or `1.4.2`).
    pub image: Option<String>,
}

/// The Deployment's rollout is complete, as `kubectl rollout status` judges it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RolloutProbe {
    pub namespace: Option<String>,
    pub deployment: Option<String>,
}

/// A shell command that must exit 0 (it runs after the same confirmation as any command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShellProbe {
    pub command: String,
}
