use super::*;

/// A table as the loader gives it: header cells, body rows, severity column.
fn table(rows: &[&[&str]], severity_column: usize) -> DecisionTable {
    DecisionTable {
        line: 42,
        headers: rows[0].iter().map(|s| s.to_string()).collect(),
        rows: rows[1..]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect(),
        severity_column,
    }
}

const METRICS: [&str; 4] = ["error_rate", "latency_p95", "latency_p99", "cpu_saturation"];

/// Each row as `SEV | when [for]` or `SEV | display-only: reason`.
fn bound(t: &DecisionTable, metrics: &[&str]) -> Vec<String> {
    BoundTable::bind(t, metrics.iter().copied())
        .rows
        .iter()
        .map(|r| {
            let sev = r
                .severity
                .as_ref()
                .map_or("-".to_string(), |s| s.to_string());
            match &r.binding {
                RowBinding::Live {
                    when,
                    hold,
                    ignored,
                    ..
                } => {
                    let mut s = format!("{sev} | {when}");
                    if !hold.is_zero() {
                        s += &format!(" [for {}s]", hold.as_secs());
                    }
                    for i in ignored {
                        s += &format!(" [ignored {i}]");
                    }
                    s
                }
                RowBinding::DisplayOnly { reason } => format!("{sev} | display-only: {reason}"),
            }
        })
        .collect()
}

#[test]
fn metric_per_column_with_thresholds_in_cells() {
    let t = table(
        &[
            &["Severity", "Error rate", "p95 latency", "Action"],
            &["**SEV-1**", "> 10%", "> 2s", "Roll back immediately"],
            &["SEV-2", "5–10%", "2x baseline", "Roll back within 15 min"],
            &["SEV-3", "≥ 1%", "—", "Monitor"],
            &["SEV-4", "n/a", "", "Note in channel"],
        ],
        0,
    );
    assert_eq!(
        bound(&t, &METRICS),
        [
            "SEV-1 | (error_rate > 0.1) or (latency_p95 > 2)",
            "SEV-2 | (error_rate >= 0.05 and error_rate <= 0.1) or (latency_p95 > 2 * baseline(latency_p95))",
            "SEV-3 | error_rate >= 0.01",
            "SEV-4 | display-only: no cell names a metric (error_rate, latency_p95, latency_p99, cpu_saturation)",
        ]
    );
    let b = BoundTable::bind(&t, METRICS);
    assert_eq!(b.action_column, Some(3));
    let rules = b.rules();
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0].1.action, "Roll back immediately");
    assert_eq!(rules[0].1.severity.level(), 1);
}

#[test]
fn conditions_written_in_a_criteria_column() {
    let t = table(
        &[
            &["Condition", "Severity", "Response"],
            &[
                "Error rate > 5% for 5 minutes",
                "SEV-1",
                "Rollback immediately",
            ],
            &[
                "p95 latency above 500ms and error rate over 1%",
                "SEV-2",
                "Rollback after approval",
            ],
            &[
                "95th percentile latency more than 1.5 s sustained for 10m",
                "SEV-2",
                "Page owner",
            ],
            &["Errors 2%+", "SEV-3", "Watch"],
            &[
                "CPU saturation at least 90 % over 15 minutes",
                "SEV-3",
                "Scale out",
            ],
            &["Latency above 3× normal", "SEV-2", "Roll back"],
            &["Error rate elevated", "SEV-3", "Watch"],
            &["Customer complaints in #support", "SEV-3", "Triage"],
            &[
                "error_rate between 1% and 5% or p99 latency > 2 seconds",
                "P2",
                "Roll back",
            ],
        ],
        1,
    );
    assert_eq!(
        bound(&t, &METRICS),
        [
            "SEV-1 | error_rate > 0.05 [for 300s]",
            "SEV-2 | latency_p95 > 0.5 and error_rate > 0.01",
            "SEV-2 | latency_p95 > 1.5 [for 600s]",
            "SEV-3 | error_rate >= 0.02",
            "SEV-3 | cpu_saturation >= 0.9 [for 900s]",
            "SEV-2 | display-only: `Latency above 3× normal`: could mean latency_p95 or latency_p99",
            "SEV-3 | display-only: `Error rate elevated`: names error_rate but gives no threshold",
            "SEV-3 | display-only: no cell names a metric (error_rate, latency_p95, latency_p99, cpu_saturation)",
            "P2 | (error_rate >= 0.01 and error_rate <= 0.05) or latency_p99 > 2",
        ]
    );
}

#[test]
fn with_a_single_latency_metric_the_bare_word_binds() {
    let t = table(
        &[
            &["Sev", "Signal", "What to do"],
            &["critical", "Latency above 3× normal", "Roll back"],
            &["high", "p95 > 750ms", "Roll back"],
            &["low", "Latency 2s", "Watch"],
        ],
        0,
    );
    assert_eq!(
        bound(&t, &["error_rate", "latency_p95"]),
        [
            "critical | latency_p95 > 3 * baseline(latency_p95)",
            "high | latency_p95 > 0.75",
            "low | display-only: `Latency 2s`: names latency_p95 but gives no threshold",
        ]
    );
}

#[test]
fn partly_readable_rows_keep_what_they_can() {
    let t = table(
        &[
            &["Severity", "Error rate", "Latency p95", "Action"],
            &["SEV-1", "> 10%", "very high", "Roll back"],
        ],
        0,
    );
    assert_eq!(
        bound(&t, &METRICS),
        [
            "SEV-1 | error_rate > 0.1 [ignored `very high`: names latency_p95 but gives no threshold]"
        ]
    );
}

#[test]
fn without_queries_every_row_is_display_only() {
    let t = table(&[&["Severity", "Error rate"], &["SEV-1", "> 10%"]], 0);
    assert_eq!(
        bound(&t, &[]),
        ["SEV-1 | display-only: the runbook defines no metrics.queries"]
    );
}

#[test]
fn bound_rows_evaluate_through_the_matrix() {
    use crate::domain::decision::{Matrix, MatrixState, Signals};
    use chrono::TimeZone;
    let t = table(
        &[
            &["Severity", "Error rate", "Action"],
            &["SEV-1", "> 10% for 1 minute", "Roll back now"],
            &["SEV-2", "> 5%", "Roll back soon"],
        ],
        0,
    );
    let rules = BoundTable::bind(&t, METRICS)
        .rules()
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let m = Matrix::new(rules, Default::default());
    let mut state = MatrixState::new();
    let at = |s: i64| chrono::Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap();
    let signals = |s: i64| Signals::default().with_sample("error_rate", 0.2, at(s));
    let v = state.step(&m, &signals(0), at(0));
    assert_eq!(v.recommended_action.as_deref(), Some("Roll back soon"));
    let v = state.step(&m, &signals(60), at(60));
    assert_eq!(v.recommended_action.as_deref(), Some("Roll back now"));
}

#[test]
fn huge_numbers_stay_numbers() {
    let t = table(
        &[
            &["Severity", "Error rate"],
            &["SEV-1", &format!("> 1{}", "0".repeat(400))],
            &["SEV-2", "> 12345678901234567890"],
        ],
        0,
    );
    assert_eq!(
        bound(&t, &METRICS),
        [
            "SEV-1 | display-only: `> 1{zeros}`: names error_rate but gives no threshold"
                .replace("{zeros}", &"0".repeat(400)),
            "SEV-2 | error_rate > 12345678901234567000".to_string(),
        ]
    );
}

#[test]
fn summaries_serialise() {
    let t = table(
        &[
            &["Severity", "Error rate"],
            &["SEV-1", "> 10%"],
            &["SEV-2", "bad"],
        ],
        0,
    );
    let b = BoundTable::bind(&t, METRICS);
    let json =
        serde_json::to_value(b.rows.iter().map(BoundRow::summary).collect::<Vec<_>>()).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"index": 0, "severity": "SEV-1", "when": "error_rate > 0.1", "display_only_reason": null},
            {"index": 1, "severity": "SEV-2", "when": null, "display_only_reason": "`bad`: names error_rate but gives no threshold"},
        ])
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any cell text binds or explains itself, and whatever binds is a valid condition.
        #[test]
        fn arbitrary_cells_never_panic(cells in prop::collection::vec("\\PC{0,40}|(error rate|p95 latency|>|<|≥|above|between|and|or|for|[0-9]{1,3}(\\.[0-9])?(%|ms|s|x| minutes)?|–|\\+| ){0,12}", 1..4)) {
            let mut row = vec!["SEV-1".to_string()];
            row.extend(cells);
            let headers: Vec<String> = (0..row.len()).map(|i| if i == 0 { "Severity".into() } else { "Error rate".into() }).collect();
            let t = DecisionTable { line: 1, headers, rows: vec![row], severity_column: 0 };
            let b = BoundTable::bind(&t, METRICS);
            if let RowBinding::Live { when, condition, .. } = &b.rows[0].binding {
                prop_assert!(parse_condition(when).is_ok(), "{}", when);
                // Only real metrics are referenced (a huge number must not print as `inf`).
                prop_assert!(condition.metric_names().iter().all(|m| METRICS.contains(&m.as_str())), "{}", when);
            }
        }
    }
}

/// The shape many teams write: one column names the metric, the next gives its threshold
/// ("| Metric | Threshold | Action | Severity |"). The threshold cell reads against the
/// metric named in the cell before it.
#[test]
fn a_metric_column_and_a_threshold_column() {
    let t = table(
        &[
            &["Metric", "Threshold", "Action", "Severity"],
            &["Error Rate", ">10%", "Immediate rollback", "P0"],
            &["Error Rate", "5-10%", "Rollback within 5 min", "P1"],
            &["Latency P95", ">5s", "Immediate rollback", "P1"],
            &["Memory Usage", ">95%", "Scale first, then rollback", "P2"],
            &["500 Errors", ">100/min", "Immediate rollback", "P0"],
        ],
        3,
    );
    let got = bound(&t, &["error_rate", "latency_p95", "ready_pods", "restarts"]);
    assert_eq!(got[0], "P0 | error_rate > 0.1");
    assert_eq!(got[1], "P1 | error_rate >= 0.05 and error_rate <= 0.1");
    assert_eq!(got[2], "P1 | latency_p95 > 5");
    assert!(got[3].starts_with("P2 | display-only"), "{got:?}");
    // A count per minute is not an error ratio (nor 100 minutes): not read as a threshold.
    assert_eq!(
        got[4],
        "P0 | display-only: `500 Errors`: names error_rate but gives no threshold; \
         `>100/min`: a count per unit of time, not a value of error_rate"
    );
    let rate = table(
        &[
            &["Severity", "Condition"],
            &["SEV-1", "error rate above 50 per minute"],
        ],
        0,
    );
    assert!(
        bound(&rate, &["error_rate"])[0].starts_with("SEV-1 | display-only"),
        "{:?}",
        bound(&rate, &["error_rate"])
    );
}
