//! Binding a runbook's Markdown decision table to live metrics.
//!
//! Runbooks carry their severity matrix as a table written for people:
//!
//! ```markdown
//! | Severity | Error rate | p95 latency  | Action                  |
//! |----------|------------|--------------|-------------------------|
//! | SEV-1    | > 10%      | > 2s         | Roll back immediately   |
//! | SEV-2    | 5–10%      | 2x baseline  | Roll back within 15 min |
//! | SEV-3    | Customer complaints only  || Monitor                 |
//! ```
//!
//! A row is *bound* when its cells name a metric (a key of `metrics.queries`, matched by
//! its words: `error_rate` ↔ "Error rate", `latency_p95` ↔ "p95 latency" or "95th
//! percentile latency") and give a threshold the binder can read; it then becomes a
//! [`Condition`] evaluated live. Anything else stays display-only, with the reason.
//!
//! Reading rules (see `docs/decision-matrix.md`):
//! - The metric is the one named in the cell before the threshold, else the one named
//!   by the column header, else the one a cell of its own names just before it
//!   (`| Error Rate | >10% |`).
//! - Thresholds: `> 5%`, `>= 2s`, `≥ 500ms`, `above 10%`, `more than 1.5 s`, `under
//!   99%`, `at least 3`, `5%+`, ranges `5–10%` / `between 5% and 10%` (inclusive), and
//!   `2x baseline` / `3× normal` (= `metric > 2 * baseline(metric)`).
//! - Units: `%` is a ratio (`5%` = 0.05); `ms`, `s`, `min`, `h` are seconds, as
//!   Prometheus reports latency.
//! - Several clauses in one cell join with the connective written between them (`and`,
//!   else `or`); thresholds in different cells of a row join with `or`: any one symptom
//!   is enough for the row's severity.
//! - `for 5 minutes`, `sustained for 10m`, `over 5 min` after a threshold is the row's
//!   `for` duration.

use std::time::Duration;

use serde::Serialize;

use super::condition::Condition;
use super::matrix::Rule;
use super::metric_words::{Found, MetricWords, find_metric, words};
use super::parser::parse_condition;
use super::severity::Severity;
use super::table_cell::{CellReading, read_cell};
use crate::domain::runbook::DecisionTable;

/// A decision table with each row bound to metrics where possible.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundTable {
    /// 1-based line of the table in the runbook.
    pub line: usize,
    pub headers: Vec<String>,
    pub severity_column: usize,
    /// The column holding the action, when a header says so ("Action", "Response", …).
    pub action_column: Option<usize>,
    pub rows: Vec<BoundRow>,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundRow {
    /// 0-based index among the table's body rows.
    pub index: usize,
    /// The cells as written.
    pub cells: Vec<String>,
    pub severity: Option<Severity>,
    pub binding: RowBinding,
}

/// Whether a row can be evaluated live.
#[derive(Debug, Clone, PartialEq)]
pub enum RowBinding {
    /// The row reads as a condition over named metrics.
    Live {
        /// The condition in the matrix language, e.g. `error_rate > 0.1 or latency_p95 > 2`.
        when: String,
        condition: Condition,
        /// The row's `for` duration (zero when none is written).
        hold: Duration,
        /// Cells that name a metric but whose threshold could not be read; they are
        /// left out of the condition (so the row may fire less often, never more).
        ignored: Vec<String>,
    },
    /// Shown as written, not evaluated.
    DisplayOnly { reason: String },
}

/// Words in a header that mark the action column.
const ACTION_HEADERS: &[&str] = &["action", "actions", "response", "decision", "do", "next"];

impl BoundTable {
    /// Binds every row of `table` to the metrics named `metrics`.
    pub fn bind<'a>(
        table: &DecisionTable,
        metrics: impl IntoIterator<Item = &'a str>,
    ) -> BoundTable {
        let metrics: Vec<MetricWords> = metrics.into_iter().map(MetricWords::new).collect();
        let action_column = table.headers.iter().position(|h| {
            words(h)
                .iter()
                .any(|w| ACTION_HEADERS.contains(&w.text.as_str()))
        });
        let header_metric: Vec<Option<&str>> = table
            .headers
            .iter()
            .map(|h| match find_metric(&words(h), &metrics) {
                Found::One(m) => Some(m),
                _ => None,
            })
            .collect();
        let rows = table
            .rows
            .iter()
            .enumerate()
            .map(|(index, cells)| {
                let severity = cells
                    .get(table.severity_column)
                    .and_then(|c| Severity::find_in(c));
                let binding = if metrics.is_empty() {
                    RowBinding::DisplayOnly {
                        reason: "the runbook defines no metrics.queries".into(),
                    }
                } else {
                    bind_row(
                        cells,
                        table.severity_column,
                        action_column,
                        &header_metric,
                        &metrics,
                    )
                };
                BoundRow {
                    index,
                    cells: cells.clone(),
                    severity,
                    binding,
                }
            })
            .collect();
        BoundTable {
            line: table.line,
            headers: table.headers.clone(),
            severity_column: table.severity_column,
            action_column,
            rows,
        }
    }

    /// The live rows that name a severity, as matrix rules (action from the action
    /// column), in table order, paired with their row index.
    pub fn rules(&self) -> Vec<(usize, Rule)> {
        self.rows
            .iter()
            .filter_map(|row| {
                let RowBinding::Live {
                    when,
                    condition,
                    hold,
                    ..
                } = &row.binding
                else {
                    return None;
                };
                let severity = row.severity.clone()?;
                let action = self
                    .action_column
                    .and_then(|c| row.cells.get(c))
                    .map(|a| a.trim().to_string())
                    .unwrap_or_default();
                Some((
                    row.index,
                    Rule {
                        when: when.clone(),
                        condition: condition.clone(),
                        hold: *hold,
                        severity,
                        action,
                        approval: None,
                    },
                ))
            })
            .collect()
    }
}

fn bind_row(
    cells: &[String],
    severity_column: usize,
    action_column: Option<usize>,
    header_metric: &[Option<&str>],
    metrics: &[MetricWords],
) -> RowBinding {
    let mut parts: Vec<String> = Vec::new();
    let mut ignored = Vec::new();
    let mut hold = Duration::ZERO;
    let mut mentioned = false;
    // A cell that names a metric and no threshold ("| Error Rate | >10% |"): the next
    // cell's threshold is that metric's (its note in `ignored` is then withdrawn).
    let mut named_before: Option<(String, usize)> = None;
    for (col, cell) in cells.iter().enumerate() {
        if col == severity_column || Some(col) == action_column || is_blank(cell) {
            continue;
        }
        let before = named_before.take();
        let fallback = header_metric
            .get(col)
            .copied()
            .flatten()
            .or(before.as_ref().map(|(m, _)| m.as_str()));
        match read_cell(cell, fallback, metrics) {
            CellReading::Clauses { source, hold: h } => {
                if let Some((metric, note)) = before
                    && source.contains(metric.as_str())
                {
                    ignored.remove(note);
                }
                parts.push(source);
                hold = hold.max(h);
            }
            CellReading::MetricWithoutThreshold(metric) => {
                mentioned = true;
                ignored.push(format!(
                    "`{}`: names {metric} but gives no threshold",
                    cell.trim()
                ));
                named_before = Some((metric, ignored.len() - 1));
            }
            CellReading::RateFor(metric) => {
                mentioned = true;
                ignored.push(format!(
                    "`{}`: a count per unit of time, not a value of {metric}",
                    cell.trim()
                ));
            }
            CellReading::Ambiguous(names) => {
                mentioned = true;
                ignored.push(format!(
                    "`{}`: could mean {}",
                    cell.trim(),
                    names.join(" or ")
                ));
            }
            CellReading::Nothing => {}
        }
    }
    if parts.is_empty() {
        let names: Vec<&str> = metrics.iter().map(|m| m.name).collect();
        let reason = if mentioned {
            ignored.join("; ")
        } else {
            format!("no cell names a metric ({})", names.join(", "))
        };
        return RowBinding::DisplayOnly { reason };
    }
    let when = if parts.len() == 1 {
        parts.remove(0)
    } else {
        parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match parse_condition(&when) {
        Ok(condition) => RowBinding::Live {
            when,
            condition,
            hold,
            ignored,
        },
        Err(e) => RowBinding::DisplayOnly {
            reason: format!("`{when}` is not a valid condition: {e}"),
        },
    }
}

fn is_blank(cell: &str) -> bool {
    matches!(
        cell.trim().trim_matches('*').to_lowercase().as_str(),
        "" | "-" | "—" | "–" | "n/a" | "na" | "none" | "any"
    )
}

/// A row's binding as plain data, for `status --format json` and the pane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowSummary {
    pub index: usize,
    pub severity: Option<Severity>,
    pub when: Option<String>,
    pub display_only_reason: Option<String>,
}

impl BoundRow {
    /// The row as plain data.
    pub fn summary(&self) -> RowSummary {
        let (when, reason) = match &self.binding {
            RowBinding::Live { when, .. } => (Some(when.clone()), None),
            RowBinding::DisplayOnly { reason } => (None, Some(reason.clone())),
        };
        RowSummary {
            index: self.index,
            severity: self.severity.clone(),
            when,
            display_only_reason: reason,
        }
    }
}

#[cfg(test)]
#[path = "table_binding_tests.rs"]
mod tests;
