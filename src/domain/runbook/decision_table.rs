//! Which Markdown tables are a severity decision matrix.
//!
//! A table is one when its header has a column naming a severity (`Severity`, `Sev`,
//! `Priority`, `Impact`) and another naming what triggers it (`Metric`, `Threshold`,
//! `Condition`, `Error rate`, `Latency`, `Trigger`, `Signal`, `Symptom`, `Criteria`, `When`).

use super::model::{DecisionTable, MatrixRow};
use super::phase_words::words;

/// What a column of a decision table holds, by the words of its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Condition,
    Action,
    Strategy,
    Timeline,
    Approval,
}

fn column_meaning(header: &str) -> Option<Column> {
    let w = words(header);
    let has = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    if has(&[
        "approval",
        "approve",
        "approver",
        "approvers",
        "sign",
        "signoff",
    ]) {
        Some(Column::Approval)
    } else if has(&["strategy", "strategies", "approach", "option", "method"]) {
        Some(Column::Strategy)
    } else if has(&[
        "timeline", "time", "duration", "deadline", "sla", "rto", "within",
    ]) {
        Some(Column::Timeline)
    } else if has(&[
        "action", "actions", "response", "decision", "do", "rollback", "roll",
    ]) {
        Some(Column::Action)
    } else if TRIGGER_WORDS
        .iter()
        .any(|phrase| w.windows(phrase.len()).any(|win| win == *phrase))
        || has(&[
            "impact",
            "user",
            "users",
            "customer",
            "customers",
            "issue",
            "indicator",
            "signals",
        ])
    {
        Some(Column::Condition)
    } else {
        None
    }
}

impl DecisionTable {
    /// Its rows with columns read by meaning: condition (symptom, metric, threshold),
    /// action, strategy (names an alternative), timeline (target time) and approval.
    pub fn matrix_rows(&self) -> Vec<MatrixRow> {
        let meanings: Vec<Option<Column>> = self
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                (i != self.severity_column)
                    .then(|| column_meaning(h))
                    .flatten()
            })
            .collect();
        self.rows
            .iter()
            .map(|row| {
                let mut out = MatrixRow {
                    severity: row.get(self.severity_column).cloned().unwrap_or_default(),
                    ..MatrixRow::default()
                };
                for (cell, meaning) in row.iter().zip(&meanings) {
                    let slot = match meaning {
                        Some(Column::Condition) => &mut out.condition,
                        Some(Column::Action) => &mut out.action,
                        Some(Column::Strategy) => &mut out.strategy,
                        Some(Column::Timeline) => &mut out.timeline,
                        Some(Column::Approval) => &mut out.approval,
                        None => continue,
                    };
                    if cell.trim().is_empty() {
                        continue;
                    }
                    match slot {
                        Some(existing) => {
                            existing.push_str("; ");
                            existing.push_str(cell);
                        }
                        None => *slot = Some(cell.clone()),
                    }
                }
                out
            })
            .collect()
    }
}

const SEVERITY_WORDS: &[&str] = &["severity", "sev", "priority", "impact"];
const TRIGGER_WORDS: &[&[&str]] = &[
    &["metric"],
    &["metrics"],
    &["threshold"],
    &["thresholds"],
    &["condition"],
    &["conditions"],
    &["error", "rate"],
    &["errors"],
    &["latency"],
    &["trigger"],
    &["triggers"],
    &["signal"],
    &["symptom"],
    &["symptoms"],
    &["criteria"],
    &["criterion"],
    &["when"],
];

/// The index of the severity column when a table is a decision table: a column whose
/// header names a severity (`Severity`, `Priority`, `Impact`, …) or whose values are
/// severities (`SEV-1`, `Sev 2`, `P0`, `Critical`/`High`/…), beside a column that says
/// what triggers it or what to do (condition, action, strategy, timeline).
pub(super) fn severity_column(headers: &[String], rows: &[Vec<String>]) -> Option<usize> {
    let words: Vec<Vec<String>> = headers.iter().map(|h| words(h)).collect();
    let by_header: Vec<usize> = words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.iter().any(|w| SEVERITY_WORDS.contains(&w.as_str())))
        .map(|(i, _)| i)
        .collect();
    let by_values = |i: usize| severity_values(rows, i);
    let (severity, from_values) = match by_header.iter().copied().find(|&i| by_values(i)) {
        Some(i) => (i, false),
        None => match (0..headers.len()).find(|&i| by_values(i)) {
            Some(i) => (i, true),
            None => (*by_header.first()?, false),
        },
    };
    let has_trigger = words.iter().enumerate().any(|(i, w)| {
        i != severity
            && TRIGGER_WORDS
                .iter()
                .any(|phrase| w.windows(phrase.len()).any(|win| win == *phrase))
    });
    // Read only when no column names a trigger.
    let has_meaning = || {
        words.iter().enumerate().any(|(i, w)| {
            i != severity
                && column_meaning(&w.join(" ")).is_some_and(|c| {
                    from_values || matches!(c, Column::Strategy | Column::Timeline | Column::Action)
                })
        })
    };
    (has_trigger || has_meaning()).then_some(severity)
}

/// Whether column `i` holds severities: at least two rows, every filled cell a severity
/// level, and at least one that is unmistakably one (`SEV-1`, `P0`, `Critical`) rather
/// than a plain `High`/`Low` (a risk table's likelihood).
fn severity_values(rows: &[Vec<String>], i: usize) -> bool {
    let mut filled = 0;
    let mut marked = false;
    for row in rows {
        let Some(cell) = row.get(i).filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        match severity_level(cell) {
            Some(strong) => {
                filled += 1;
                marked |= strong;
            }
            None => return false,
        }
    }
    filled >= 2 && marked
}

/// Whether a cell names a severity level; `Some(true)` for an unmistakable one.
fn severity_level(cell: &str) -> Option<bool> {
    let w = words(cell);
    let first = w.first()?;
    let numbered = |prefix: &str| {
        first
            .strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if numbered("sev")
        || (first == "sev"
            && w.get(1)
                .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit())))
    {
        return Some(true);
    }
    if first.len() == 2 && first.starts_with('p') && matches!(first.as_bytes()[1], b'0'..=b'4') {
        return Some(true);
    }
    match first.as_str() {
        "critical" | "blocker" | "emergency" => Some(true),
        "high" | "medium" | "low" | "major" | "minor" | "urgent" | "moderate" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(headers: &[&str]) -> Option<usize> {
        severity_column(
            &headers.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
            &[],
        )
    }

    #[test]
    fn recognises_decision_tables() {
        assert_eq!(
            cols(&["Metric", "Threshold", "Action", "Severity"]),
            Some(3)
        );
        assert_eq!(cols(&["Sev", "Condition", "Action"]), Some(0));
        assert_eq!(cols(&["Priority", "Error rate", "Response"]), Some(0));
        assert_eq!(cols(&["Impact", "Trigger", "Roll back?"]), Some(0));
        assert_eq!(cols(&["**Severity**", "p95 latency"]), Some(0));
    }

    #[test]
    fn columns_by_meaning() {
        let table = DecisionTable {
            line: 1,
            headers: [
                "Issue Severity",
                "User Impact",
                "Rollback Strategy",
                "Timeline",
                "Approval required",
            ]
            .map(String::from)
            .to_vec(),
            rows: vec![
                [
                    "Critical",
                    "Checkout down",
                    "Strategy 2",
                    "< 5 min",
                    "IC, can approve after",
                ]
                .map(String::from)
                .to_vec(),
            ],
            severity_column: 0,
        };
        let row = &table.matrix_rows()[0];
        assert_eq!(row.severity, "Critical");
        assert_eq!(row.condition.as_deref(), Some("Checkout down"));
        assert_eq!(row.strategy.as_deref(), Some("Strategy 2"));
        assert_eq!(row.timeline.as_deref(), Some("< 5 min"));
        assert_eq!(row.approval.as_deref(), Some("IC, can approve after"));
        assert_eq!(row.action, None);
    }

    fn table(headers: &[&str], rows: &[&[&str]]) -> Option<usize> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let rows: Vec<Vec<String>> = rows
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        severity_column(&headers, &rows)
    }

    #[test]
    fn severity_columns_recognised_by_their_values() {
        // No header says severity: the values do.
        assert_eq!(
            table(
                &["Level", "What users see", "Response"],
                &[
                    &["**SEV-1**", "Checkout down", "Roll back now"],
                    &["SEV2", "Slow pages", "Roll back within 30 min"],
                    &["Sev 3", "One region degraded", "Fix forward"],
                ]
            ),
            Some(0)
        );
        assert_eq!(
            table(
                &["Class", "Burn rate", "Action"],
                &[&["P0", "> 10x", "page"], &["P1", "> 2x", "ticket"]]
            ),
            Some(0)
        );
        assert_eq!(
            table(
                &["", "Symptom", "Do"],
                &[
                    &["🔴 Critical", "errors > 5%", "undo"],
                    &["🟠 High", "errors > 1%", "watch"]
                ]
            ),
            Some(0)
        );
        // Of two columns a header could mean, the one holding severities.
        assert_eq!(
            table(
                &["Symptom", "User impact", "Severity", "Action"],
                &[
                    &["5xx", "All users", "SEV1", "undo"],
                    &["slow", "Some", "SEV3", "wait"]
                ]
            ),
            Some(2)
        );
        // A risk table's High/Medium/Low likelihood is no severity column.
        assert_eq!(
            table(
                &["Risk", "Likelihood", "Mitigation"],
                &[
                    &["Data loss", "Low", "Backups"],
                    &["Downtime", "High", "Blue-green"]
                ]
            ),
            None
        );
        // Severity values beside nothing that says what to do: no decision table.
        assert_eq!(
            table(&["Level", "Pager"], &[&["SEV1", "yes"], &["SEV2", "no"]]),
            None
        );
    }

    #[test]
    fn other_tables_are_not() {
        assert_eq!(cols(&["Service", "Owner", "Channel"]), None);
        // A severity column with a strategy, timeline or action column is one too.
        assert_eq!(
            cols(&[
                "Issue Severity",
                "User Impact",
                "Rollback Strategy",
                "Timeline"
            ]),
            Some(0)
        );
        assert_eq!(cols(&["Severity", "Response time"]), Some(0));
        assert_eq!(cols(&["Severity", "Owner"]), None);
        assert_eq!(cols(&["Metric", "Dashboard"]), None);
        assert_eq!(cols(&[]), None);
    }
}
