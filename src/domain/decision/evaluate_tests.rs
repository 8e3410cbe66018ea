use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::*;
use crate::domain::decision::parse_condition;
use crate::domain::decision::signals::{Absence, Baseline, BaselineSource};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

/// A snapshot at t(0) with 30 s staleness.
fn signals() -> Signals {
    let mut s = Signals::new(Duration::from_secs(30))
        .with_sample("error_rate", 0.12, t(-5))
        .with_sample("latency_p95", 0.9, t(-5))
        .with_sample("saturation", 0.0, t(-5))
        .with_sample("stale_metric", 0.5, t(-120))
        .with_sample("nan_ratio", f64::NAN, t(-5))
        .with_sample("inf_quantile", f64::INFINITY, t(-5))
        .with_baseline(
            "latency_p95",
            Baseline {
                value: 0.3,
                captured_at: t(-600),
                source: BaselineSource::SessionStart,
            },
        );
    s.set_absent("empty", Absence::NoData);
    s.set_absent(
        "failing",
        Absence::Failed("HTTP 503 Service Unavailable".into()),
    );
    s
}

/// "true", "false" or "unknown: reason; reason".
fn show(src: &str) -> String {
    let c = parse_condition(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    match evaluate(&c, &signals(), t(0)).truth {
        Truth::True => "true".into(),
        Truth::False => "false".into(),
        Truth::Unknown(reasons) => format!(
            "unknown: {}",
            reasons
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

#[test]
fn truth_table() {
    let stale = "unknown: stale_metric: stale (2m old)";
    for (src, want) in [
        // comparisons and arithmetic
        ("error_rate > 0.10", "true"),
        ("error_rate > 12%", "false"),
        ("error_rate >= 12%", "true"),
        ("error_rate == 0.12", "true"),
        ("error_rate != 0.12", "false"),
        ("error_rate < 0.05", "false"),
        ("error_rate * 100 > 10", "true"),
        ("error_rate - 0.02 > 0.1 - 0.0001", "true"),
        ("-error_rate < -0.1", "true"),
        ("1 + 2 * 3 == 7", "true"),
        ("(1 + 2) * 3 == 9", "true"),
        ("8 / 4 / 2 == 1", "true"),
        ("max(error_rate, 0.5) == 0.5", "true"),
        ("min(error_rate, 0.5, 1) == error_rate", "true"),
        ("abs(0 - error_rate) == error_rate", "true"),
        // baseline
        ("latency_p95 > 2 * baseline(latency_p95)", "true"),
        ("latency_p95 > 4 * baseline(latency_p95)", "false"),
        (
            "error_rate > 2 * baseline(error_rate)",
            "unknown: baseline(error_rate): no baseline captured",
        ),
        // Kleene logic with a stale input
        ("stale_metric > 0.1", stale),
        ("not stale_metric > 0.1", stale),
        ("error_rate > 0.5 and stale_metric > 0.1", "false"),
        ("stale_metric > 0.1 and error_rate > 0.5", "false"),
        ("error_rate > 0.1 and stale_metric > 0.1", stale),
        ("error_rate > 0.1 or stale_metric > 0.1", "true"),
        ("stale_metric > 0.1 or error_rate > 0.1", "true"),
        ("error_rate > 0.5 or stale_metric > 0.1", stale),
        ("not (error_rate > 0.5 or stale_metric > 0.1)", stale),
        // every kind of unknown
        ("missing_metric > 1", "unknown: missing_metric: no data yet"),
        ("empty > 1", "unknown: empty: query returned no series"),
        (
            "failing > 1",
            "unknown: failing: query failed: HTTP 503 Service Unavailable",
        ),
        ("nan_ratio > 0.1", "unknown: nan_ratio: NaN"),
        ("nan_ratio < 0.1", "unknown: nan_ratio: NaN"),
        ("nan_ratio != nan_ratio", "unknown: nan_ratio: NaN"),
        (
            "error_rate / saturation > 1",
            "unknown: `error_rate / saturation`: division by zero",
        ),
        (
            "error_rate / 0 < 1",
            "unknown: `error_rate / 0`: division by zero",
        ),
        (
            "inf_quantile - inf_quantile > 0",
            "unknown: `inf_quantile - inf_quantile`: not a number",
        ),
        // +Inf is a value: a quantile above the highest bucket
        ("inf_quantile > 2", "true"),
        (
            "inf_quantile * 0 > 1",
            "unknown: `inf_quantile * 0`: not a number",
        ),
        // reasons from both sides, de-duplicated, in order
        (
            "empty > failing",
            "unknown: empty: query returned no series; failing: query failed: HTTP 503 Service Unavailable",
        ),
        ("stale_metric > 1 or stale_metric < 0", stale),
        (
            "max(empty, stale_metric) > 0",
            "unknown: empty: query returned no series; stale_metric: stale (2m old)",
        ),
    ] {
        assert_eq!(show(src), want, "{src}");
    }
}

#[test]
fn inputs_name_every_usable_value_read() {
    let c = parse_condition(
        "error_rate > 0.5 and latency_p95 > 2 * baseline(latency_p95) or stale_metric > 1",
    )
    .unwrap();
    let e = evaluate(&c, &signals(), t(0));
    assert!(matches!(e.truth, Truth::Unknown(_)));
    assert_eq!(
        e.inputs.into_iter().collect::<Vec<_>>(),
        [
            ("baseline(latency_p95)".to_string(), 0.3),
            ("error_rate".to_string(), 0.12),
            ("latency_p95".to_string(), 0.9),
        ]
    );
}

#[test]
fn truth_serialises_for_status_json() {
    let c = parse_condition("stale_metric > 1").unwrap();
    let e = evaluate(&c, &signals(), t(0));
    assert_eq!(
        serde_json::to_value(&e.truth).unwrap(),
        serde_json::json!({
            "truth": "unknown",
            "reasons": [{
                "subject": "stale_metric",
                "why": {"kind": "metric", "reason": {"kind": "stale", "at": "2023-11-14T22:11:20Z", "age_secs": 120}}
            }]
        })
    );
    assert_eq!(
        serde_json::to_value(Truth::True).unwrap(),
        serde_json::json!({"truth": "true"})
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever parses evaluates without panicking, over any values incl. NaN and ±Inf.
        #[test]
        fn evaluation_never_panics(
            src in "(not |!)?(a|b|baseline\\(a\\)|max\\(a, b\\)|abs\\(b\\)|[0-9]{1,3}) ?[-+*/] ?(a|b|0|[0-9]{1,3}) ?(<|>|==|!=) ?(a|b|0)( (and|or) (a|b) > 0)?",
            a in prop::num::f64::ANY, b in prop::num::f64::ANY, base in prop::num::f64::ANY,
        ) {
            let Ok(c) = parse_condition(&src) else { return Ok(()); };
            let s = Signals::new(Duration::from_secs(30))
                .with_sample("a", a, t(0))
                .with_sample("b", b, t(0))
                .with_baseline("a", Baseline { value: base, captured_at: t(0), source: BaselineSource::SessionStart });
            let e = evaluate(&c, &s, t(1));
            prop_assert!(e.inputs.values().all(|v| !v.is_nan()));
        }
    }
}
