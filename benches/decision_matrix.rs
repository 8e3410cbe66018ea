//! The decision matrix's CPU cost per console refresh: parsing conditions (once per
//! runbook load), one `step` of a 50-rule matrix over a snapshot (once per refresh),
//! and binding a decision table (once per load).
//!
//! Run: `cargo bench --bench decision_matrix`. Figures: docs/decision-matrix.md.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

use backout::domain::decision::{
    Baseline, BaselineSource, BoundTable, Matrix, MatrixState, Rule, Severity, Signals,
    parse_condition,
};
use backout::domain::runbook::DecisionTable;

const METRICS: [&str; 10] = [
    "error_rate",
    "latency_p50",
    "latency_p95",
    "latency_p99",
    "cpu_saturation",
    "memory_saturation",
    "restarts",
    "queue_depth",
    "availability",
    "throughput",
];

/// 50 conditions of the shapes runbooks use.
fn conditions() -> Vec<String> {
    (0..50)
        .map(|i| {
            let m = METRICS[i % METRICS.len()];
            let n = METRICS[(i + 3) % METRICS.len()];
            match i % 5 {
                0 => format!("{m} > 0.{:02}", i + 1),
                1 => format!("{m} > 2 * baseline({m})"),
                2 => format!("{m} > 5% and {n} >= 500ms"),
                3 => format!("not ({m} < 0.99) or max({m}, {n}) / baseline({n}) > 1.5"),
                _ => format!("({m} - baseline({m})) / baseline({m}) > 50% and {n} > 0"),
            }
        })
        .collect()
}

fn matrix() -> Matrix {
    let rules = conditions()
        .into_iter()
        .enumerate()
        .map(|(i, when)| Rule {
            condition: parse_condition(&when).unwrap(),
            when,
            hold: Duration::from_secs(60 * (i as u64 % 3)),
            severity: Severity::new(1 + (i % 4) as u8),
            action: format!("action {i}"),
            approval: None,
        })
        .collect();
    Matrix::new(rules, BTreeMap::new())
}

fn bench(c: &mut Criterion) {
    let sources = conditions();
    c.bench_function("parse 50 conditions", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(parse_condition(black_box(s)).unwrap());
            }
        })
    });

    let m = matrix();
    let t0 = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
    let mut signals = Signals::new(Duration::from_secs(60));
    for (i, name) in METRICS.iter().enumerate() {
        signals.set_sample(*name, 0.05 * (i as f64 + 1.0), t0);
        signals.set_baseline(
            *name,
            Baseline {
                value: 0.03 * (i as f64 + 1.0),
                captured_at: t0,
                source: BaselineSource::SessionStart,
            },
        );
    }
    c.bench_function("step a 50-rule matrix over a 10-metric snapshot", |b| {
        let mut state = MatrixState::new();
        let mut now = t0;
        b.iter(|| {
            now += chrono::Duration::seconds(5);
            black_box(state.step(&m, &signals, now));
        })
    });

    let table = DecisionTable {
        line: 1,
        headers: vec!["Severity".into(), "Condition".into(), "Action".into()],
        rows: (0..20)
            .map(|i| {
                vec![
                    format!("SEV-{}", 1 + i % 4),
                    format!(
                        "Error rate > {}% for 5 minutes or p95 latency above {}ms",
                        i + 1,
                        100 * (i + 1)
                    ),
                    "Roll back".into(),
                ]
            })
            .collect(),
        severity_column: 0,
    };
    c.bench_function("bind a 20-row decision table", |b| {
        b.iter(|| black_box(BoundTable::bind(black_box(&table), METRICS)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
