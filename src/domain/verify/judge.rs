//! Judging one sample: the raw facts a probe measured → passed, failed (with the value
//! seen and the limit), or unknown (with why). Unknown never counts as passing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::check::{HttpProbe, PodsProbe, PromqlProbe};
use crate::domain::cluster::pod_row::image_tag;
use crate::domain::cluster::{DeploymentFacts, RolloutStatus, rollout_status};
use crate::domain::decision::{Signals, Truth, evaluate};
use crate::domain::duration_text::precise_ms;

/// The judgement of one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Observation {
    Pass { seen: String },
    Fail { seen: String, limit: String },
    Unknown { reason: String },
}

impl Observation {
    pub fn is_pass(&self) -> bool {
        matches!(self, Observation::Pass { .. })
    }

    /// What was seen, or why nothing was.
    pub fn seen(&self) -> &str {
        match self {
            Observation::Pass { seen } | Observation::Fail { seen, .. } => seen,
            Observation::Unknown { reason } => reason,
        }
    }

    fn fail(seen: impl Into<String>, limit: impl Into<String>) -> Observation {
        Observation::Fail {
            seen: seen.into(),
            limit: limit.into(),
        }
    }
}

/// What an HTTP probe got back.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub latency: Duration,
    /// The body, when it parsed as JSON.
    pub json: Option<serde_json::Value>,
}

/// An HTTP answer (or the transport error) against the probe's expectations.
pub fn judge_http(probe: &HttpProbe, got: Result<&HttpResponse, &str>) -> Observation {
    let r = match got {
        Ok(r) => r,
        Err(e) => {
            return Observation::Unknown {
                reason: format!("no answer: {e}"),
            };
        }
    };
    let took = precise_ms(r.latency.as_millis() as u64);
    if r.status != probe.expect_status {
        return Observation::fail(
            format!("HTTP {}", r.status),
            format!("HTTP {}", probe.expect_status),
        );
    }
    if let Some(limit) = probe.max_latency
        && r.latency > limit
    {
        return Observation::fail(took, format!("≤ {}", precise_ms(limit.as_millis() as u64)));
    }
    let mut seen = format!("HTTP {} in {took}", r.status);
    if let Some(pointer) = &probe.json_pointer {
        let Some(json) = &r.json else {
            return Observation::fail("a body that is not JSON", format!("JSON with {pointer}"));
        };
        let Some(value) = json.pointer(pointer) else {
            return Observation::fail(format!("no {pointer}"), format!("{pointer} present"));
        };
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(want) = &probe.expect_value
            && &text != want
        {
            return Observation::fail(format!("{pointer} = {text}"), format!("{pointer} = {want}"));
        }
        seen.push_str(&format!(", {pointer} = {text}"));
    }
    Observation::Pass { seen }
}

/// A PromQL condition over the current readings.
pub fn judge_promql(probe: &PromqlProbe, signals: &Signals, now: DateTime<Utc>) -> Observation {
    let evaluation = evaluate(&probe.condition, signals, now);
    let seen = evaluation
        .inputs
        .iter()
        .map(|(name, v)| format!("{name} = {}", number(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    match evaluation.truth {
        Truth::True => Observation::Pass { seen },
        Truth::False => Observation::fail(seen, probe.text.clone()),
        Truth::Unknown(reasons) => Observation::Unknown {
            reason: reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        },
    }
}

/// Four significant digits, no trailing zeros: `0.0123`, `0.25`, `1200`.
fn number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A pod of the target, as a pods check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodOnRevision {
    pub name: String,
    pub ready: bool,
    pub terminating: bool,
    /// The revision of the ReplicaSet owning it (from its `pod-template-hash`).
    pub revision: Option<i64>,
    /// The first container's image.
    pub image: String,
}

/// Every pod of the target ready, on the expected revision and image, and as many as the
/// Deployment wants. `current_revision` is the Deployment's (used when the probe names
/// none); `desired` its `spec.replicas`.
pub fn judge_pods(
    probe: &PodsProbe,
    pods: &[PodOnRevision],
    current_revision: Option<i64>,
    desired: i32,
) -> Observation {
    let Some(want_rev) = probe.revision.or(current_revision) else {
        return Observation::Unknown {
            reason: "the Deployment's current revision is not known yet".into(),
        };
    };
    let live: Vec<&PodOnRevision> = pods.iter().filter(|p| !p.terminating).collect();
    let limit = match &probe.image {
        Some(i) => format!("{desired} ready on revision {want_rev}, image {i}"),
        None => format!("{desired} ready on revision {want_rev}"),
    };
    if let Some(p) = live.iter().find(|p| p.revision != Some(want_rev)) {
        let rev = p.revision.map_or("unknown".to_string(), |r| r.to_string());
        return Observation::fail(format!("pod {} on revision {rev}", p.name), limit);
    }
    if let Some(want) = &probe.image
        && let Some(p) = live.iter().find(|p| !image_matches(&p.image, want))
    {
        return Observation::fail(format!("pod {} runs {}", p.name, p.image), limit);
    }
    if let Some(p) = live.iter().find(|p| !p.ready) {
        return Observation::fail(format!("pod {} not ready", p.name), limit);
    }
    let ready = live.len() as i32;
    if ready < desired {
        return Observation::fail(format!("{ready} of {desired} pods ready"), limit);
    }
    let image = live.first().map(|p| p.image.as_str()).unwrap_or("no image");
    Observation::Pass {
        seen: format!("{ready}/{desired} ready on revision {want_rev} ({image})"),
    }
}

/// `registry/app:1.4.2` matches `registry/app:1.4.2` and the tag `1.4.2`.
fn image_matches(image: &str, want: &str) -> bool {
    image == want || (!want.contains([':', '/', '@']) && image_tag(image) == want)
}

/// The Deployment's rollout, as `kubectl rollout status` judges it.
pub fn judge_rollout(deployment: Option<&DeploymentFacts>) -> Observation {
    let Some(d) = deployment else {
        return Observation::Unknown {
            reason: "the Deployment was not found".into(),
        };
    };
    match rollout_status(d) {
        RolloutStatus::Complete { message } => Observation::Pass { seen: message },
        RolloutStatus::Progressing { message } | RolloutStatus::Failed { message } => {
            Observation::fail(message, "successfully rolled out")
        }
    }
}

/// A shell command's exit: code 0 passes; `tail` is the last line of its output.
pub fn judge_shell(exit: Result<i32, &str>, tail: &str) -> Observation {
    let tail = tail.trim();
    let with_tail = |s: String| {
        if tail.is_empty() {
            s
        } else {
            format!("{s}: {tail}")
        }
    };
    match exit {
        Ok(0) => Observation::Pass {
            seen: with_tail("exit 0".into()),
        },
        Ok(code) => Observation::fail(with_tail(format!("exit {code}")), "exit 0"),
        Err(e) => Observation::Unknown {
            reason: format!("did not run to an exit: {e}"),
        },
    }
}
