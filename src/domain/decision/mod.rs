//! The severity decision matrix: a small condition language over named metrics, its
//! three-valued evaluation over a pure snapshot of signals, the `for`-duration state
//! machine that turns conditions into firing rules, and the binding of a runbook's
//! Markdown decision table to live metrics.
//!
//! Pure: no clock, no I/O. Callers pass `now` and a [`Signals`] snapshot in.
//! See `docs/decision-matrix.md`.

mod condition;
mod condition_error;
mod condition_lexer;
mod declared;
mod evaluate;
mod matrix;
mod metric_words;
mod parser;
mod severity;
mod signals;
mod suggest;
mod table_binding;
mod table_cell;

pub use condition::{ArithOp, CmpOp, Condition, Expr, FUNCTIONS, Func, MetricRef, Span, Threshold};
pub use condition_error::ConditionError;
pub use declared::{
    Approval, Declared, SeverityChoice, SeverityState, approval_needed, row_label, timeline_secs,
};
pub use evaluate::{Evaluation, Truth, UnknownReason, Why, evaluate};
pub use matrix::{
    Matrix, MatrixError, MatrixState, Rule, RuleState, RuleVerdict, SeverityChanged, Verdict,
};
pub use parser::{MAX_DEPTH, check_metric_names, parse_condition};
pub use severity::{Severity, SeverityError};
pub use signals::{
    Absence, Baseline, BaselineSource, DEFAULT_STALENESS, Reading, Sample, Signals, Unavailable,
};
pub use suggest::did_you_mean;
pub use table_binding::{BoundRow, BoundTable, RowBinding, RowSummary};
