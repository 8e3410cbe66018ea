//! The signs of impact in the journal: the first severity above none (declared by the
//! operator, or decided by the matrix when a metric breached its rule), the peak severity,
//! the first sign of recovery after it (the matrix back to no severity, or a verification
//! check that passed), and the highest value each metric was journaled at since (the
//! verification samples' `error_rate = 0.31`: the matrix's readings are not journaled). The
//! report's *Impact* section reads them with the changes made.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::verify::Verdict;

/// A moment and what it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sign {
    pub at: DateTime<Utc>,
    /// `SEV-1 declared by alice: checkout down`, `verification errors passed`.
    pub what: String,
}

/// What the journal says of the impact.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImpactSigns {
    /// The first severity above none.
    pub began: Option<Sign>,
    /// The highest severity reached (`SEV-1` is higher than `SEV-2`).
    pub peak_severity: Option<String>,
    /// The first sign of recovery after it began.
    pub recovered: Option<Sign>,
    /// The highest value each metric was seen at since it began, from verification
    /// samples.
    pub peak_values: BTreeMap<String, f64>,
}

/// `SEV-1` → 1; other names rank below every numbered severity.
fn rank(severity: &str) -> u32 {
    severity
        .rsplit(|c: char| !c.is_ascii_digit())
        .find(|s| !s.is_empty())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u32::MAX)
}

/// Keeps the higher of `peak` and `s`.
fn raise(s: &str, peak: &mut Option<String>) {
    if peak.as_deref().is_none_or(|p| rank(s) < rank(p)) {
        *peak = Some(s.to_string());
    }
}

fn is_none(severity: &str) -> bool {
    let s = severity.trim();
    s.is_empty() || s.eq_ignore_ascii_case("none")
}

impl ImpactSigns {
    /// Folds one record.
    pub fn apply(&mut self, r: &Record) {
        let sign = |what: String| Some(Sign { at: r.ts, what });
        match &r.entry {
            Entry::SeverityChanged {
                to: Some(to), rule, ..
            } if !is_none(to) => {
                raise(to, &mut self.peak_severity);
                if self.began.is_none() {
                    let why = rule
                        .as_deref()
                        .map(|w| format!(" ({w})"))
                        .unwrap_or_default();
                    self.began = sign(format!("{to} decided by the matrix{why}"));
                }
            }
            Entry::SeverityDeclared {
                severity,
                reason,
                by,
                ..
            } if !is_none(severity) => {
                raise(severity, &mut self.peak_severity);
                if self.began.is_none() {
                    self.began = sign(format!("{severity} declared by {by}: {reason}"));
                }
            }
            Entry::SeverityChanged { to, .. }
                if self.began.is_some()
                    && self.recovered.is_none()
                    && to.as_deref().is_none_or(is_none) =>
            {
                self.recovered = sign("the decision matrix back to no severity".into());
            }
            Entry::VerificationFinished {
                check,
                passed,
                detail,
                outcome,
                ..
            } if self.began.is_some() => {
                for (name, v) in measured(detail) {
                    let e = self.peak_values.entry(name).or_insert(v);
                    *e = e.max(v);
                }
                if self.recovered.is_none()
                    && Verdict::of_record(*passed, *outcome) == Verdict::Passed
                {
                    self.recovered = sign(format!("verification {check} passed"));
                }
            }
            _ => {}
        }
    }
}

/// `name = value` pairs in a verification detail (`error_rate = 0.31, rps = 1200`).
fn measured(detail: &str) -> Vec<(String, f64)> {
    detail
        .split([',', ';', ':', '(', ')'])
        .filter_map(|part| {
            let (name, value) = part.split_once(" = ")?;
            let name = name.trim();
            let value: f64 = value.trim().parse().ok()?;
            (!name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && value.is_finite())
            .then(|| (name.to_string(), value))
        })
        .collect()
}
