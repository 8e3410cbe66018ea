//! The decision matrix: rules (`when`, `for`, `severity`, `action`, `approval`) and RTO
//! targets from the runbook's front matter, and the pure state machine that evaluates
//! them over successive snapshots like Prometheus evaluates alerting rules.
//!
//! # `for` semantics
//!
//! A rule is **pending** from the first evaluation at which its condition is true, and
//! **firing** once it has been true for at least its `for` duration (immediately when
//! it has none). A false evaluation resets it.
//!
//! An **unknown** evaluation (stale, missing or NaN data) neither resets nor fires: the
//! rule keeps the time it became pending but is reported as unknown, not firing, for as
//! long as its data is unusable. When the data comes back and the condition is still
//! true, the rule fires at once if `for` has elapsed since it first became pending. A
//! scrape gap therefore does not restart a SEV-1's clock, and stale data never keeps a
//! severity on screen as if it were current.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use thiserror::Error;

use super::condition::Condition;
use super::evaluate::{Truth, UnknownReason, evaluate};
use super::parser::{ConditionError, check_metric_names, parse_condition};
use super::severity::{Severity, SeverityError};
use super::signals::Signals;
use crate::domain::runbook::front_matter::FrontMatter;

/// One rule of the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The condition as written.
    pub when: String,
    pub condition: Condition,
    /// How long the condition must hold before the rule fires (`for`); zero fires at once.
    pub hold: Duration,
    pub severity: Severity,
    /// What to do, e.g. "Immediate rollback".
    pub action: String,
    /// Who must approve the action, if anyone.
    pub approval: Option<String>,
}

/// Rules in the order written, and the recovery-time target of each severity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix {
    rules: Vec<Rule>,
    rto: BTreeMap<Severity, Duration>,
}

/// A matrix defect, naming the rule (0-based index into `matrix`) and field.
///
/// For `when` errors the [`ConditionError::offset`] is a byte offset within the `when`
/// string, so the loader can point at `file:line:col`.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MatrixError {
    #[error("matrix rule {}: `when`: {error}", rule + 1)]
    When { rule: usize, error: ConditionError },
    #[error("matrix rule {}: {error}", rule + 1)]
    Severity { rule: usize, error: SeverityError },
    #[error("rto: {error}")]
    Rto { key: String, error: SeverityError },
}

impl Matrix {
    /// A matrix from rules already built (e.g. from a bound Markdown table) and RTO
    /// targets.
    pub fn new(rules: Vec<Rule>, rto: BTreeMap<Severity, Duration>) -> Matrix {
        Matrix { rules, rto }
    }

    /// Builds the matrix from front matter, checking every rule: conditions parse, the
    /// metrics they read are keys of `metrics.queries`, severities and RTO keys are
    /// severities. Returns every defect found, not just the first.
    pub fn from_front_matter(front: &FrontMatter) -> Result<Matrix, Vec<MatrixError>> {
        let queries: Vec<&str> = front
            .metrics
            .as_ref()
            .map(|m| m.queries.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut errors = Vec::new();
        let mut rules = Vec::new();
        for (i, r) in front.matrix.iter().enumerate() {
            let condition = match parse_condition(&r.when) {
                Ok(c) => {
                    let unknown = check_metric_names(&c, queries.iter().copied());
                    let ok = unknown.is_empty();
                    errors.extend(
                        unknown
                            .into_iter()
                            .map(|error| MatrixError::When { rule: i, error }),
                    );
                    ok.then_some(c)
                }
                Err(error) => {
                    errors.push(MatrixError::When { rule: i, error });
                    None
                }
            };
            let severity = Severity::parse(&r.severity)
                .map_err(|error| errors.push(MatrixError::Severity { rule: i, error }))
                .ok();
            if let (Some(condition), Some(severity)) = (condition, severity) {
                rules.push(Rule {
                    when: r.when.clone(),
                    condition,
                    hold: r.for_.map(|d| d.0).unwrap_or_default(),
                    severity,
                    action: r.action.clone(),
                    approval: r.approval.clone(),
                });
            }
        }
        let mut rto = BTreeMap::new();
        for (key, d) in &front.rto {
            match Severity::parse(key) {
                Ok(s) => {
                    rto.insert(s, d.0);
                }
                Err(error) => errors.push(MatrixError::Rto {
                    key: key.clone(),
                    error,
                }),
            }
        }
        if errors.is_empty() {
            Ok(Matrix { rules, rto })
        } else {
            Err(errors)
        }
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The recovery-time target for a severity, if the runbook sets one.
    pub fn rto(&self, severity: &Severity) -> Option<Duration> {
        self.rto.get(severity).copied()
    }

    /// Every RTO target, most severe first.
    pub fn rto_targets(&self) -> impl Iterator<Item = (&Severity, Duration)> {
        self.rto.iter().rev().map(|(s, d)| (s, *d))
    }

    /// Whether there is nothing to evaluate.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Where a rule stands after an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleState {
    /// The condition is false.
    Inactive,
    /// True, but not yet for its `for` duration.
    Pending,
    /// True for at least its `for` duration.
    Firing,
    /// Could not be decided; see the reasons.
    Unknown,
}

/// One rule's outcome, for the matrix pane and `status --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleVerdict {
    /// Index into [`Matrix::rules`].
    pub rule: usize,
    pub state: RuleState,
    pub when: String,
    pub severity: Severity,
    pub action: String,
    pub approval: Option<String>,
    /// When the condition first held in the current run (kept through unknowns).
    pub held_since: Option<DateTime<Utc>>,
    /// How long it has held (zero when not held).
    #[serde(rename = "held_for_secs", serialize_with = "secs")]
    pub held_for: Duration,
    /// The rule's `for`.
    #[serde(rename = "for_secs", serialize_with = "secs")]
    pub hold: Duration,
    /// Why the rule is unknown (empty otherwise).
    pub reasons: Vec<UnknownReason>,
    /// The values this rule read.
    pub inputs: BTreeMap<String, f64>,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

fn opt_secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

/// The highest firing severity changed: journal it, show it in the report timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeverityChanged {
    /// `None` when nothing was firing.
    pub from: Option<Severity>,
    /// `None` when nothing fires any more (resolved, or its data became unknown).
    pub to: Option<Severity>,
    pub at: DateTime<Utc>,
}

/// The matrix's answer at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub at: DateTime<Utc>,
    /// Every rule, in matrix order (for drawing the table).
    pub rules: Vec<RuleVerdict>,
    /// Indices into `rules` of the firing rules, most severe first, then in matrix order.
    pub firing: Vec<usize>,
    /// Indices of the pending rules, in matrix order.
    pub pending: Vec<usize>,
    /// Indices of the unknown rules, in matrix order.
    pub unknown: Vec<usize>,
    /// The most severe firing severity.
    pub highest_severity: Option<Severity>,
    /// Since when the highest severity has been this one.
    pub severity_since: Option<DateTime<Utc>>,
    /// The action of the first firing rule of the highest severity.
    pub recommended_action: Option<String>,
    /// Its approval requirement.
    pub approval: Option<String>,
    /// The RTO target of the highest severity.
    #[serde(rename = "rto_target_secs", serialize_with = "opt_secs")]
    pub rto_target: Option<Duration>,
    /// `severity_since + rto_target`: when recovery is due.
    pub rto_deadline: Option<DateTime<Utc>>,
    /// Every usable value read by any rule, by metric name or `baseline(name)`.
    pub inputs: BTreeMap<String, f64>,
    /// Set when the highest severity differs from the previous step's.
    pub severity_changed: Option<SeverityChanged>,
}

impl Verdict {
    /// The firing rule that decides the severity and action, if any.
    pub fn deciding_rule(&self) -> Option<&RuleVerdict> {
        self.firing.first().and_then(|&i| self.rules.get(i))
    }
}

/// The state carried between evaluations: when each rule started holding, and the
/// last highest severity. Create one per session; feed it every snapshot with `step`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatrixState {
    held_since: Vec<Option<DateTime<Utc>>>,
    severity: Option<Severity>,
    severity_since: Option<DateTime<Utc>>,
}

impl MatrixState {
    /// A fresh state: nothing pending, nothing firing.
    pub fn new() -> MatrixState {
        MatrixState::default()
    }

    /// The state of a resumed session whose journal last said `severity` fired from
    /// `since`, decided by the rule written `rule_when`. That rule's `for` clock is set as
    /// if it had been holding since `since - for`, so if its condition still holds at the
    /// first evaluation it fires at once and the severity does not change (nothing is
    /// journaled twice); if it no longer holds, the change to the new severity is real and
    /// is journaled. Without a matching rule (the runbook changed) only the severity is
    /// remembered, and the clocks start idle.
    pub fn resumed(
        matrix: &Matrix,
        severity: Severity,
        since: DateTime<Utc>,
        rule_when: Option<&str>,
    ) -> MatrixState {
        let mut held_since = vec![None; matrix.rules.len()];
        let decider = matrix
            .rules
            .iter()
            .position(|r| r.severity == severity && rule_when.is_none_or(|w| r.when == w));
        if let Some(i) = decider {
            let hold = chrono::Duration::from_std(matrix.rules[i].hold).unwrap_or_default();
            held_since[i] = Some(since.checked_sub_signed(hold).unwrap_or(since));
        }
        MatrixState {
            held_since,
            severity: Some(severity),
            severity_since: Some(since),
        }
    }

    /// Evaluates every rule at `now` and advances the `for` clocks.
    ///
    /// `now` should not go backwards; if it does, holding times count as zero rather
    /// than negative. If the matrix gains or loses rules between steps (a reloaded
    /// runbook), the clocks of the surviving positions are kept and new ones start idle.
    pub fn step(&mut self, matrix: &Matrix, signals: &Signals, now: DateTime<Utc>) -> Verdict {
        self.held_since.resize(matrix.rules.len(), None);
        let mut rules = Vec::with_capacity(matrix.rules.len());
        let mut inputs = BTreeMap::new();
        for (i, rule) in matrix.rules.iter().enumerate() {
            let evaluation = evaluate(&rule.condition, signals, now);
            inputs.extend(evaluation.inputs.iter().map(|(k, v)| (k.clone(), *v)));
            let since = &mut self.held_since[i];
            let (state, reasons) = match evaluation.truth {
                Truth::False => {
                    *since = None;
                    (RuleState::Inactive, Vec::new())
                }
                Truth::True => {
                    let start = *since.get_or_insert(now);
                    if held(start, now) >= rule.hold {
                        (RuleState::Firing, Vec::new())
                    } else {
                        (RuleState::Pending, Vec::new())
                    }
                }
                Truth::Unknown(reasons) => (RuleState::Unknown, reasons),
            };
            rules.push(RuleVerdict {
                rule: i,
                state,
                when: rule.when.clone(),
                severity: rule.severity.clone(),
                action: rule.action.clone(),
                approval: rule.approval.clone(),
                held_since: *since,
                held_for: since.map(|s| held(s, now)).unwrap_or_default(),
                hold: rule.hold,
                reasons,
                inputs: evaluation.inputs,
            });
        }
        let of = |state| -> Vec<usize> {
            rules
                .iter()
                .filter(|r| r.state == state)
                .map(|r| r.rule)
                .collect()
        };
        let mut firing = of(RuleState::Firing);
        // Stable: most severe first, matrix order within a severity.
        firing.sort_by(|&a, &b| rules[b].severity.cmp(&rules[a].severity));
        let pending = of(RuleState::Pending);
        let unknown = of(RuleState::Unknown);
        let decider = firing.first().map(|&i| &rules[i]);
        let highest = decider.map(|r| r.severity.clone());
        let severity_changed = (highest != self.severity).then(|| SeverityChanged {
            from: self.severity.clone(),
            to: highest.clone(),
            at: now,
        });
        if severity_changed.is_some() {
            self.severity = highest.clone();
            self.severity_since = highest.as_ref().map(|_| now);
        }
        let rto_target = highest.as_ref().and_then(|s| matrix.rto(s));
        let rto_deadline = match (self.severity_since, rto_target) {
            (Some(since), Some(rto)) => chrono::Duration::from_std(rto)
                .ok()
                .and_then(|d| since.checked_add_signed(d)),
            _ => None,
        };
        Verdict {
            at: now,
            recommended_action: decider.map(|r| r.action.clone()),
            approval: decider.and_then(|r| r.approval.clone()),
            highest_severity: highest,
            severity_since: self.severity_since,
            rto_target,
            rto_deadline,
            rules,
            firing,
            pending,
            unknown,
            inputs,
            severity_changed,
        }
    }
}

fn held(since: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (now - since).to_std().unwrap_or_default()
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
