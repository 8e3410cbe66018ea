//! The metrics half of `backout status --runbook FILE`: every named query read once,
//! `baseline(...)` values read with `offset`, and the decision matrix evaluated once,
//! for a CI rollback gate. See `docs/decision-matrix.md` ("One-shot verdict").
//!
//! # `for` in a one-shot
//!
//! There is no history in a single run, so a rule with `for` is not reported as firing
//! merely because its condition holds now, nor held back as pending forever. The
//! gate replays the rule's window instead: one range query per metric over the longest
//! `for` of the matrix (about 30 points), fed step by step through the same state
//! machine the console uses, then a final step with the instant values at `now`. A rule
//! fires when its condition held at every sampled step of its `for` window (like a
//! Prometheus alerting rule evaluated at the range step). When a range query fails, the
//! rules reading that metric can only start their clock now: they report `pending`, and
//! the note says why.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::adapters::metrics_source::{MetricsSource, Window};
use crate::domain::decision::{
    Absence, Expr, Matrix, MatrixState, Reading, RuleVerdict, Severity, Signals, UnknownReason,
    Verdict,
};
use crate::ui::format::{Unit, metric_value};

/// Exit code when no rule fires and every rule could be decided.
pub const EXIT_HEALTHY: u8 = 0;
/// Exit code when nothing fires or is unknown but a rollout has failed (`status`'s
/// meaning of 1 before the gate existed). Errors that stop the command (bad arguments,
/// cluster unreachable, no Prometheus URL) exit 2, like every `backout` command.
pub const EXIT_ROLLOUT_FAILED: u8 = 1;
/// Exit code when at least one matrix rule fires.
pub const EXIT_FIRING: u8 = 3;
/// Exit code when nothing fires but some rule could not be decided (data missing,
/// failed, stale or NaN): unknown is never reported as healthy.
pub const EXIT_UNKNOWN: u8 = 4;

/// Points per `for` window replay.
const REPLAY_POINTS: u16 = 30;

/// One metric's value as read once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricValue {
    /// `null` when there is no usable number (see `error`).
    pub value: Option<f64>,
    /// `ratio`, `seconds`, `cores` or `bytes`, guessed from the name like the console.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'static str>,
    /// The value formatted like the metrics pane (`12.0 %`, `250 ms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// The time the sample describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<DateTime<Utc>>,
    /// The sample is older than the staleness bound: it does not count.
    pub stale: bool,
    /// Why there is no value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The baseline read with `offset`, when a rule uses `baseline(name)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_error: Option<String>,
}

/// A firing or pending rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleSummary {
    pub rule: usize,
    pub when: String,
    pub severity: Severity,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    pub held_since: Option<DateTime<Utc>>,
    pub held_for_secs: f64,
    pub for_secs: f64,
    pub inputs: BTreeMap<String, f64>,
}

/// A rule that could not be decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownRule {
    pub rule: usize,
    pub when: String,
    pub severity: Severity,
    /// One line per reason, e.g. `error_rate: query failed: …`.
    pub reasons: Vec<String>,
    /// The same reasons, structured.
    pub details: Vec<UnknownReason>,
}

/// The matrix verdict of a one-shot evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixVerdict {
    pub evaluated_at: DateTime<Utc>,
    pub highest_severity: Option<Severity>,
    pub recommended_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_target_secs: Option<f64>,
    pub firing: Vec<RuleSummary>,
    pub pending: Vec<RuleSummary>,
    pub unknown: Vec<UnknownRule>,
    /// `healthy`, `firing` or `unknown` (the exit code's meaning).
    pub outcome: &'static str,
    /// How `for` was evaluated, and anything that weakened it.
    pub notes: Vec<String>,
}

/// Everything the gate prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    pub prometheus_url: String,
    pub metrics: BTreeMap<String, MetricValue>,
    pub matrix: MatrixVerdict,
}

impl Gate {
    /// The exit code: firing beats unknown beats healthy.
    pub fn exit_code(&self) -> u8 {
        match self.matrix.outcome {
            "firing" => EXIT_FIRING,
            "unknown" => EXIT_UNKNOWN,
            _ => EXIT_HEALTHY,
        }
    }

    /// A one-line summary of failures for stderr (empty when every query answered).
    pub fn errors(&self) -> Vec<String> {
        self.metrics
            .iter()
            .filter_map(|(n, m)| m.error.as_ref().map(|e| format!("metric {n}: {e}")))
            .collect()
    }
}

/// What the gate needs besides the source and the matrix.
#[derive(Debug, Clone, Copy)]
pub struct GateOptions {
    /// How far back `baseline(name)` is read (`offset`).
    pub baseline_offset: Duration,
    /// Samples older than this do not count.
    pub staleness: Duration,
}

fn baseline_names(matrix: &Matrix) -> BTreeSet<String> {
    fn walk_expr(e: &Expr, out: &mut BTreeSet<String>) {
        match e {
            Expr::Baseline { name, .. } => {
                out.insert(name.clone());
            }
            Expr::Neg(x) => walk_expr(x, out),
            Expr::Arith { left, right, .. } => {
                walk_expr(left, out);
                walk_expr(right, out);
            }
            Expr::Call { args, .. } => args.iter().for_each(|a| walk_expr(a, out)),
            Expr::Number(_) | Expr::Metric { .. } => {}
        }
    }
    fn walk(c: &crate::domain::decision::Condition, out: &mut BTreeSet<String>) {
        use crate::domain::decision::Condition as C;
        match c {
            C::Compare { left, right, .. } => {
                walk_expr(left, out);
                walk_expr(right, out);
            }
            C::Not(x) => walk(x, out),
            C::And(a, b) | C::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    for r in matrix.rules() {
        walk(&r.condition, &mut out);
    }
    out
}

fn unit_name(metric: &str) -> Option<&'static str> {
    match Unit::of(metric) {
        Unit::Percent => Some("ratio"),
        Unit::Seconds => Some("seconds"),
        Unit::Cores => Some("cores"),
        Unit::Bytes => Some("bytes"),
        Unit::Plain => None,
    }
}

fn absence_text(a: &Absence) -> String {
    match a {
        Absence::NoData => "query returned no series".into(),
        Absence::Failed(e) => format!("query failed: {e}"),
        Absence::Ambiguous(n) => format!("query returned {n} series, expected one"),
    }
}

fn summary(r: &RuleVerdict) -> RuleSummary {
    RuleSummary {
        rule: r.rule,
        when: r.when.clone(),
        severity: r.severity.clone(),
        action: r.action.clone(),
        approval: r.approval.clone(),
        held_since: r.held_since,
        held_for_secs: r.held_for.as_secs_f64(),
        for_secs: r.hold.as_secs_f64(),
        inputs: r.inputs.clone(),
    }
}

/// Reads every metric once, the baselines the matrix uses, replays the `for` windows
/// and evaluates the matrix at `now`.
pub async fn evaluate_gate(
    source: &dyn MetricsSource,
    matrix: &Matrix,
    prometheus_url: &str,
    now: DateTime<Utc>,
    options: GateOptions,
) -> Gate {
    let readings = source.current(now).await;
    let mut baselines = BTreeMap::new();
    for name in baseline_names(matrix) {
        let b = source
            .baseline_at_offset(&name, now, options.baseline_offset)
            .await;
        baselines.insert(name, b);
    }
    let with_baselines = |mut s: Signals| {
        for (name, b) in &baselines {
            if let Ok(b) = b {
                s.set_baseline(name.clone(), *b);
            }
        }
        s
    };

    let mut notes = Vec::new();
    let mut state = MatrixState::new();
    let longest = matrix
        .rules()
        .iter()
        .map(|r| r.hold)
        .max()
        .unwrap_or_default();
    if longest > Duration::ZERO {
        let window = Window::sized_to(now, longest, REPLAY_POINTS);
        let step = chrono::Duration::from_std(window.step).unwrap_or(chrono::Duration::seconds(1));
        notes.push(format!(
            "`for` evaluated over a range query: {}s back from now at a {}s step; a rule fires when its condition held at every step of its `for` window",
            longest.as_secs(),
            window.step.as_secs()
        ));
        let mut series: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
        for name in source.names() {
            match source.series(&name, window).await {
                Ok(samples) => {
                    let by_step = samples
                        .iter()
                        .map(|s| {
                            let k = (s.at - window.start).num_milliseconds() as f64
                                / step.num_milliseconds().max(1) as f64;
                            (k.round() as i64, s.value)
                        })
                        .collect();
                    series.insert(name, by_step);
                }
                Err(a) => notes.push(format!(
                    "range query for `{name}` gave no history ({}): rules reading it start their `for` clock now and stay pending",
                    absence_text(&a)
                )),
            }
        }
        let mut k = 0i64;
        while let Some(t) = window
            .start
            .checked_add_signed(step * k as i32)
            .filter(|t| *t < now)
        {
            let mut signals = Signals::new(options.staleness);
            for (name, points) in &series {
                if let Some(v) = points.get(&k) {
                    signals.set_sample(name.clone(), *v, t);
                }
            }
            state.step(matrix, &with_baselines(signals), t);
            k += 1;
        }
    }

    let mut signals = Signals::new(options.staleness);
    for (name, r) in &readings {
        signals.set_reading(name.clone(), r.clone());
    }
    let signals = with_baselines(signals);
    let verdict: Verdict = state.step(matrix, &signals, now);

    let metrics = readings
        .iter()
        .map(|(name, r)| {
            let (value, at, error) = match r {
                Reading::Sample(s) => (Some(s.value), Some(s.at), None),
                Reading::Absent(a) => (None, None, Some(absence_text(a))),
            };
            let stale = at.is_some_and(|at| signals.is_stale(at, now));
            let (baseline, baseline_error) = match baselines.get(name) {
                Some(Ok(b)) => (Some(b.value), None),
                Some(Err(a)) => (None, Some(absence_text(a))),
                None => (None, None),
            };
            let m = MetricValue {
                value: value.filter(|v| v.is_finite()),
                unit: unit_name(name),
                display: value.map(|v| metric_value(name, v)),
                at,
                stale,
                error: error.or_else(|| {
                    value
                        .filter(|v| !v.is_finite())
                        .map(|v| format!("the value is {}", metric_value(name, v)))
                }),
                baseline,
                baseline_error,
            };
            (name.clone(), m)
        })
        .collect();

    let pick = |idx: &[usize]| -> Vec<RuleSummary> {
        idx.iter().map(|&i| summary(&verdict.rules[i])).collect()
    };
    let unknown: Vec<UnknownRule> = verdict
        .unknown
        .iter()
        .map(|&i| {
            let r = &verdict.rules[i];
            UnknownRule {
                rule: r.rule,
                when: r.when.clone(),
                severity: r.severity.clone(),
                reasons: r.reasons.iter().map(|x| x.to_string()).collect(),
                details: r.reasons.clone(),
            }
        })
        .collect();
    let outcome = if !verdict.firing.is_empty() {
        "firing"
    } else if !unknown.is_empty() {
        "unknown"
    } else {
        "healthy"
    };
    Gate {
        prometheus_url: prometheus_url.to_string(),
        metrics,
        matrix: MatrixVerdict {
            evaluated_at: now,
            highest_severity: verdict.highest_severity.clone(),
            recommended_action: verdict.recommended_action.clone(),
            approval: verdict.approval.clone(),
            rto_target_secs: verdict.rto_target.map(|d| d.as_secs_f64()),
            firing: pick(&verdict.firing),
            pending: pick(&verdict.pending),
            unknown,
            outcome,
            notes,
        },
    }
}

/// The human rendering of the gate.
pub fn render(g: &Gate) -> String {
    let mut out = format!("metrics (from {}):\n", g.prometheus_url);
    for (name, m) in &g.metrics {
        let value = match (&m.display, &m.error) {
            (_, Some(e)) => format!("UNKNOWN ({e})"),
            (Some(d), None) => d.clone(),
            (None, None) => "UNKNOWN".into(),
        };
        let stale = if m.stale { " STALE" } else { "" };
        let base = match (&m.baseline, &m.baseline_error) {
            (Some(b), _) => format!("  baseline {}", metric_value(name, *b)),
            (None, Some(e)) => format!("  baseline unknown ({e})"),
            _ => String::new(),
        };
        out.push_str(&format!("  {name:<20} {value}{stale}{base}\n"));
    }
    let v = &g.matrix;
    match (&v.highest_severity, &v.recommended_action) {
        (Some(s), Some(a)) => out.push_str(&format!("matrix: {s} FIRING: {a}\n")),
        _ if v.outcome == "unknown" => {
            out.push_str("matrix: UNKNOWN: some rules cannot be decided (not healthy)\n")
        }
        _ => out.push_str("matrix: no rule firing\n"),
    }
    if let Some(a) = &v.approval {
        out.push_str(&format!("  approval: {a}\n"));
    }
    for r in &v.firing {
        out.push_str(&format!("  firing  [{}] {}\n", r.severity, r.when));
    }
    for r in &v.pending {
        out.push_str(&format!(
            "  pending [{}] {} (held {:.0}s of {:.0}s)\n",
            r.severity, r.when, r.held_for_secs, r.for_secs
        ));
    }
    for r in &v.unknown {
        out.push_str(&format!(
            "  unknown [{}] {}: {}\n",
            r.severity,
            r.when,
            r.reasons.join("; ")
        ));
    }
    for n in &v.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}
