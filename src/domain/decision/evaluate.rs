//! Three-valued evaluation of a [`Condition`] over a [`Signals`] snapshot.
//!
//! A condition is [`Truth::True`], [`Truth::False`] or [`Truth::Unknown`] with the
//! reasons. Stale or missing data, NaN, and division by zero make the comparison they
//! feed unknown, never false and never true. Unknown then combines like SQL's NULL
//! (Kleene logic): `not unknown` is unknown, `false and unknown` is false, `true or
//! unknown` is true, anything else with an unknown is unknown. So a rule whose
//! decisive input is missing says so instead of quietly not firing.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::condition::{ArithOp, Condition, Expr, Func};
use super::signals::{Signals, Unavailable};

/// The outcome of a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "truth", content = "reasons", rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    /// Could not be decided; every reason, without duplicates, in source order.
    Unknown(Vec<UnknownReason>),
}

impl Truth {
    /// True only for [`Truth::True`].
    pub fn is_true(&self) -> bool {
        matches!(self, Truth::True)
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            unknown => unknown,
        }
    }

    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            (a, b) => Truth::Unknown(merge(a, b)),
        }
    }

    fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            (a, b) => Truth::Unknown(merge(a, b)),
        }
    }
}

fn merge(a: Truth, b: Truth) -> Vec<UnknownReason> {
    let mut out = Vec::new();
    for t in [a, b] {
        if let Truth::Unknown(reasons) = t {
            for r in reasons {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Why part of a condition is unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownReason {
    /// What could not be computed: a metric name, `baseline(name)`, or an expression.
    pub subject: String,
    pub why: Why,
}

/// The kinds of unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The metric's value cannot be used (missing, failed, stale, NaN).
    Metric { reason: Unavailable },
    /// `baseline(name)` was used but no baseline has been captured.
    NoBaseline,
    /// The baseline is NaN.
    BaselineNaN,
    /// A division whose divisor is zero.
    DivisionByZero,
    /// Arithmetic produced NaN (e.g. `+Inf - +Inf`).
    NotANumber,
}

impl fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = &self.subject;
        match &self.why {
            Why::Metric { reason } => write!(f, "{subject}: {reason}"),
            Why::NoBaseline => write!(f, "{subject}: no baseline captured"),
            Why::BaselineNaN => write!(f, "{subject}: baseline is NaN"),
            Why::DivisionByZero => write!(f, "`{subject}`: division by zero"),
            Why::NotANumber => write!(f, "`{subject}`: not a number"),
        }
    }
}

/// A condition's truth and the input values read to reach it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub truth: Truth,
    /// Every usable value read, by metric name or `baseline(name)`. Both sides of
    /// `and`/`or` are always evaluated, so the inputs are complete.
    pub inputs: BTreeMap<String, f64>,
}

/// Evaluates a condition at `now`.
pub fn evaluate(condition: &Condition, signals: &Signals, now: DateTime<Utc>) -> Evaluation {
    let mut inputs = BTreeMap::new();
    let truth = Evaluator {
        signals,
        now,
        inputs: &mut inputs,
    }
    .condition(condition);
    Evaluation { truth, inputs }
}

struct Evaluator<'a> {
    signals: &'a Signals,
    now: DateTime<Utc>,
    inputs: &'a mut BTreeMap<String, f64>,
}

type Num = Result<f64, Vec<UnknownReason>>;

impl Evaluator<'_> {
    fn condition(&mut self, c: &Condition) -> Truth {
        match c {
            Condition::Compare { op, left, right } => match (self.expr(left), self.expr(right)) {
                (Ok(l), Ok(r)) => {
                    if op.holds(l, r) {
                        Truth::True
                    } else {
                        Truth::False
                    }
                }
                (l, r) => Truth::Unknown(merge_num(l, r)),
            },
            Condition::Not(c) => self.condition(c).not(),
            Condition::And(a, b) => {
                let a = self.condition(a);
                a.and(self.condition(b))
            }
            Condition::Or(a, b) => {
                let a = self.condition(a);
                a.or(self.condition(b))
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Num {
        let value = match e {
            Expr::Number(n) => *n,
            Expr::Metric { name, .. } => match self.signals.value(name, self.now) {
                Ok(v) => {
                    self.inputs.insert(name.clone(), v);
                    v
                }
                Err(reason) => {
                    return Err(vec![UnknownReason {
                        subject: name.clone(),
                        why: Why::Metric { reason },
                    }]);
                }
            },
            Expr::Baseline { name, .. } => {
                let subject = format!("baseline({name})");
                match self.signals.baseline(name) {
                    None => {
                        return Err(vec![UnknownReason {
                            subject,
                            why: Why::NoBaseline,
                        }]);
                    }
                    Some(b) if b.value.is_nan() => {
                        return Err(vec![UnknownReason {
                            subject,
                            why: Why::BaselineNaN,
                        }]);
                    }
                    Some(b) => {
                        self.inputs.insert(subject, b.value);
                        b.value
                    }
                }
            }
            Expr::Neg(inner) => -self.expr(inner)?,
            Expr::Arith { op, left, right } => {
                let (l, r) = match (self.expr(left), self.expr(right)) {
                    (Ok(l), Ok(r)) => (l, r),
                    (l, r) => return Err(merge_num(l, r)),
                };
                match op {
                    ArithOp::Add => l + r,
                    ArithOp::Sub => l - r,
                    ArithOp::Mul => l * r,
                    ArithOp::Div if r == 0.0 => {
                        return Err(vec![UnknownReason {
                            subject: e.to_string(),
                            why: Why::DivisionByZero,
                        }]);
                    }
                    ArithOp::Div => l / r,
                }
            }
            Expr::Call { func, args } => {
                let mut values = Vec::with_capacity(args.len());
                let mut reasons = Vec::new();
                for a in args {
                    match self.expr(a) {
                        Ok(v) => values.push(v),
                        Err(r) => reasons.extend(r),
                    }
                }
                if !reasons.is_empty() {
                    return Err(dedup(reasons));
                }
                match func {
                    Func::Abs => values.first().copied().unwrap_or(f64::NAN).abs(),
                    Func::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    Func::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
                }
            }
        };
        if value.is_nan() {
            return Err(vec![UnknownReason {
                subject: e.to_string(),
                why: Why::NotANumber,
            }]);
        }
        Ok(value)
    }
}

fn merge_num(a: Num, b: Num) -> Vec<UnknownReason> {
    let mut out = Vec::new();
    for r in [a, b] {
        if let Err(reasons) = r {
            out.extend(reasons);
        }
    }
    dedup(out)
}

fn dedup(reasons: Vec<UnknownReason>) -> Vec<UnknownReason> {
    let mut out: Vec<UnknownReason> = Vec::with_capacity(reasons.len());
    for r in reasons {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

#[cfg(test)]
#[path = "evaluate_tests.rs"]
mod tests;
