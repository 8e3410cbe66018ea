//! The syntax tree of a matrix condition such as
//! `error_rate > 0.10 or latency_p95 > 2 * baseline(latency_p95)`.
//!
//! Two node kinds keep the types apart: a [`Condition`] is true, false or unknown; an
//! [`Expr`] is a number. The parser ([`super::parse_condition`]) only builds
//! well-typed trees, so the evaluator never meets `1 and 2` or `(a > b) + 1`.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

/// A byte range within the condition's source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// A boolean condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `left op right`.
    Compare { op: CmpOp, left: Expr, right: Expr },
    /// `not c`, `!c`.
    Not(Box<Condition>),
    /// `a and b`, `a && b`.
    And(Box<Condition>, Box<Condition>),
    /// `a or b`, `a || b`.
    Or(Box<Condition>, Box<Condition>),
}

/// A numeric expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal, already scaled: `5%` is `0.05`, `500ms` is `0.5`.
    Number(f64),
    /// The latest value of a named metric (a key of `metrics.queries`).
    Metric { name: String, span: Span },
    /// `baseline(name)`: the metric's baseline value.
    Baseline { name: String, span: Span },
    /// `-e`.
    Neg(Box<Expr>),
    /// `left op right`.
    Arith {
        op: ArithOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `max(a, b, …)`, `min(a, b, …)`, `abs(x)`.
    Call { func: Func, args: Vec<Expr> },
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CmpOp {
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl CmpOp {
    /// Applies the comparison (IEEE semantics; callers rule out NaN beforehand).
    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            CmpOp::Gt => left > right,
            CmpOp::Ge => left >= right,
            CmpOp::Lt => left < right,
            CmpOp::Le => left <= right,
            CmpOp::Eq => left == right,
            CmpOp::Ne => left != right,
        }
    }

    /// The operator with its sides swapped: `a > b` ⇔ `b < a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
        }
    }

    /// How it is written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    /// How it is written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// A built-in numeric function. (`baseline` is not here: it takes a metric name, not
/// a number, and is its own [`Expr::Baseline`] node.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Func {
    Max,
    Min,
    Abs,
}

impl Func {
    /// How it is written.
    pub fn name(self) -> &'static str {
        match self {
            Func::Max => "max",
            Func::Min => "min",
            Func::Abs => "abs",
        }
    }
}

/// Every function name the language knows, for suggestions and documentation.
pub const FUNCTIONS: [&str; 4] = ["baseline", "max", "min", "abs"];

/// One mention of a metric in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricRef {
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    /// True for `baseline(name)`, false for a plain `name`.
    pub baseline: bool,
}

/// A constant threshold on one metric, `metric op value`, for drawing bands on a chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    pub metric: String,
    pub op: CmpOp,
    pub value: f64,
}

impl Condition {
    /// Every metric mention, in source order (for `backout check` to validate the
    /// names against `metrics.queries`).
    pub fn metric_refs(&self) -> Vec<MetricRef> {
        let mut out = Vec::new();
        self.visit_exprs(&mut |e| e.collect_refs(&mut out));
        out.sort_by_key(|r| r.span.start);
        out
    }

    /// The distinct metric names the condition reads, plain or through `baseline()`.
    pub fn metric_names(&self) -> BTreeSet<String> {
        self.metric_refs().into_iter().map(|r| r.name).collect()
    }

    /// The comparisons of a plain metric against a constant (`error_rate > 0.05`,
    /// `0.5 < latency_p95`, normalised so the metric is on the left), wherever they
    /// occur. Comparisons against baselines or other metrics are left out: they have no
    /// fixed line to draw.
    pub fn thresholds(&self) -> Vec<Threshold> {
        let mut out = Vec::new();
        self.collect_thresholds(&mut out);
        out
    }

    fn collect_thresholds(&self, out: &mut Vec<Threshold>) {
        match self {
            Condition::Compare { op, left, right } => match (left, right.constant()) {
                (Expr::Metric { name, .. }, Some(value)) => out.push(Threshold {
                    metric: name.clone(),
                    op: *op,
                    value,
                }),
                _ => {
                    if let (Some(value), Expr::Metric { name, .. }) = (left.constant(), right) {
                        out.push(Threshold {
                            metric: name.clone(),
                            op: op.flipped(),
                            value,
                        });
                    }
                }
            },
            Condition::Not(c) => c.collect_thresholds(out),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.collect_thresholds(out);
                b.collect_thresholds(out);
            }
        }
    }

    fn visit_exprs(&self, f: &mut impl FnMut(&Expr)) {
        match self {
            Condition::Compare { left, right, .. } => {
                f(left);
                f(right);
            }
            Condition::Not(c) => c.visit_exprs(f),
            Condition::And(a, b) | Condition::Or(a, b) => {
                a.visit_exprs(f);
                b.visit_exprs(f);
            }
        }
    }
}

impl Expr {
    fn collect_refs(&self, out: &mut Vec<MetricRef>) {
        match self {
            Expr::Number(_) => {}
            Expr::Metric { name, span } => out.push(MetricRef {
                name: name.clone(),
                span: *span,
                baseline: false,
            }),
            Expr::Baseline { name, span } => out.push(MetricRef {
                name: name.clone(),
                span: *span,
                baseline: true,
            }),
            Expr::Neg(e) => e.collect_refs(out),
            Expr::Arith { left, right, .. } => {
                left.collect_refs(out);
                right.collect_refs(out);
            }
            Expr::Call { args, .. } => args.iter().for_each(|a| a.collect_refs(out)),
        }
    }

    /// The value of an expression made only of literals, when finite.
    fn constant(&self) -> Option<f64> {
        let v = match self {
            Expr::Number(n) => *n,
            Expr::Neg(e) => -e.constant()?,
            _ => return None,
        };
        v.is_finite().then_some(v)
    }
}

/// Canonical form: keywords spelt out, every nested `and`/`or`/`not` and every
/// nested arithmetic parenthesised, so the display shows how the parser grouped it.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn operand(c: &Condition, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match c {
                Condition::Compare { .. } => write!(f, "{c}"),
                _ => write!(f, "({c})"),
            }
        }
        match self {
            Condition::Compare { op, left, right } => {
                write!(f, "{left} {} {right}", op.symbol())
            }
            Condition::Not(c) => {
                f.write_str("not ")?;
                operand(c, f)
            }
            Condition::And(a, b) | Condition::Or(a, b) => {
                operand(a, f)?;
                f.write_str(if matches!(self, Condition::And(..)) {
                    " and "
                } else {
                    " or "
                })?;
                operand(b, f)
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn operand(e: &Expr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match e {
                Expr::Arith { .. } | Expr::Neg(_) => write!(f, "({e})"),
                Expr::Number(n) if *n < 0.0 => write!(f, "({e})"),
                _ => write!(f, "{e}"),
            }
        }
        match self {
            Expr::Number(n) => write!(f, "{n}"),
            Expr::Metric { name, .. } => f.write_str(name),
            Expr::Baseline { name, .. } => write!(f, "baseline({name})"),
            Expr::Neg(e) => {
                f.write_str("-")?;
                operand(e, f)
            }
            Expr::Arith { op, left, right } => {
                operand(left, f)?;
                write!(f, " {} ", op.symbol())?;
                operand(right, f)
            }
            Expr::Call { func, args } => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
        }
    }
}
