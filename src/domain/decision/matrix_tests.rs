use chrono::TimeZone;

use super::*;
use crate::domain::decision::signals::{Absence, Baseline, BaselineSource};

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
}

fn front(yaml: &str) -> FrontMatter {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{e}"))
}

/// The front matter sketched in DESIGN.md §2.
const DESIGN_EXAMPLE: &str = r#"
backout: 1
metrics:
  prometheus: { url_env: PROMETHEUS_URL }
  queries:
    error_rate: sum(rate(http_requests_total{code=~"5.."}[2m])) / sum(rate(http_requests_total[2m]))
    latency_p95: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[2m])))
matrix:
  - { when: "error_rate > 0.10", for: 1m, severity: SEV-1, action: Immediate rollback }
  - { when: "error_rate > 0.05", for: 2m, severity: SEV-2, action: Roll back within 15 minutes }
  - { when: "latency_p95 > 2 * baseline(latency_p95)", severity: SEV-2, action: Roll back, approval: service owner }
rto: { SEV-1: 2m, SEV-2: 5m, SEV-3: 15m, SEV-4: 30m }
"#;

fn design_matrix() -> Matrix {
    Matrix::from_front_matter(&front(DESIGN_EXAMPLE)).unwrap()
}

#[test]
fn builds_from_the_design_front_matter() {
    let m = design_matrix();
    let got: Vec<(String, u64, u8, &str, Option<&str>)> = m
        .rules()
        .iter()
        .map(|r| {
            (
                r.condition.to_string(),
                r.hold.as_secs(),
                r.severity.level(),
                r.action.as_str(),
                r.approval.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("error_rate > 0.1".into(), 60, 1, "Immediate rollback", None),
            (
                "error_rate > 0.05".into(),
                120,
                2,
                "Roll back within 15 minutes",
                None
            ),
            (
                "latency_p95 > 2 * baseline(latency_p95)".into(),
                0,
                2,
                "Roll back",
                Some("service owner")
            ),
        ]
    );
    let rto: Vec<(String, u64)> = m
        .rto_targets()
        .map(|(s, d)| (s.to_string(), d.as_secs()))
        .collect();
    assert_eq!(
        rto,
        [
            ("SEV-1".into(), 120),
            ("SEV-2".into(), 300),
            ("SEV-3".into(), 900),
            ("SEV-4".into(), 1800)
        ]
    );
    assert_eq!(
        m.rto(&Severity::parse("P2").unwrap()),
        Some(Duration::from_secs(300))
    );
}

#[test]
fn reports_every_defect_with_rule_and_offset() {
    let f = front(
        r#"
metrics:
  queries: { error_rate: "up", latency_p95: "up" }
matrix:
  - { when: "error_rate >", severity: SEV-1, action: a }
  - { when: "error_rat > 0.1 and latency_p95 > 2 * baseline(latency)", severity: SEV-1, action: a }
  - { when: "error_rate > 0.1", severity: urgent, action: a }
rto: { SEV-1: 2m, soon: 5m }
"#,
    );
    let errors: Vec<(String, Option<usize>)> = Matrix::from_front_matter(&f)
        .unwrap_err()
        .into_iter()
        .map(|e| {
            let offset = match &e {
                MatrixError::When { error, .. } => Some(error.offset),
                _ => None,
            };
            (e.to_string(), offset)
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("matrix rule 1: `when`: expected a comparison such as `error_rate > 0.05`, found the end of the condition".into(), Some(12)),
            ("matrix rule 2: `when`: unknown metric `error_rat`".into(), Some(0)),
            ("matrix rule 2: `when`: unknown metric `latency`".into(), Some(47)),
            ("matrix rule 3: `urgent` is not a severity (write e.g. SEV-1, SEV2, P1, critical, high, medium or low)".into(), None),
            ("rto: `soon` is not a severity (write e.g. SEV-1, SEV2, P1, critical, high, medium or low)".into(), None),
        ]
    );
}

#[test]
fn a_matrix_without_queries_names_the_missing_section() {
    let f = front("matrix:\n  - { when: \"error_rate > 0.1\", severity: SEV-1, action: a }\n");
    let errors = Matrix::from_front_matter(&f).unwrap_err();
    let [MatrixError::When { error, .. }] = errors.as_slice() else {
        panic!("{errors:?}");
    };
    assert_eq!(
        error.hint.as_deref(),
        Some("define it under `metrics.queries`")
    );
}

/// What the operator would see after a step, compactly:
/// `SEV-1 "Immediate rollback" | firing [0, 1] pending [] unknown [] | changed SEV-2→SEV-1`.
fn show(v: &Verdict) -> String {
    let sev = |s: &Option<Severity>| s.as_ref().map_or("none".to_string(), |s| s.to_string());
    let mut out = format!(
        "{} {:?} | firing {:?} pending {:?} unknown {:?}",
        sev(&v.highest_severity),
        v.recommended_action.as_deref().unwrap_or("-"),
        v.firing,
        v.pending,
        v.unknown
    );
    if let Some(c) = &v.severity_changed {
        out += &format!(" | changed {}→{}", sev(&c.from), sev(&c.to));
    }
    out
}

enum Error {
    Rate(f64),
    Stale,
    NoData,
}

#[test]
fn for_durations_pend_fire_reset_and_survive_unknowns() {
    use Error::*;
    let m = design_matrix();
    let mut state = MatrixState::new();
    let baseline = Baseline {
        value: 0.2,
        captured_at: t(-3600),
        source: BaselineSource::SessionStart,
    };
    // (seconds, error_rate, latency_p95, expected)
    let timeline: &[(i64, Error, f64, &str)] = &[
        (
            0,
            Rate(0.01),
            0.2,
            r#"none "-" | firing [] pending [] unknown []"#,
        ),
        (
            15,
            Rate(0.12),
            0.2,
            r#"none "-" | firing [] pending [0, 1] unknown []"#,
        ),
        (
            45,
            Rate(0.12),
            0.2,
            r#"none "-" | firing [] pending [0, 1] unknown []"#,
        ),
        // Held for exactly `for: 1m` → fires (Prometheus fires at >=).
        (
            75,
            Rate(0.12),
            0.2,
            r#"SEV-1 "Immediate rollback" | firing [0] pending [1] unknown [] | changed none→SEV-1"#,
        ),
        // Latency doubles: rule 2 has no `for` and fires at once; SEV-1 still decides.
        (
            90,
            Rate(0.12),
            0.5,
            r#"SEV-1 "Immediate rollback" | firing [0, 2] pending [1] unknown []"#,
        ),
        // Error ratio dips below 10 % but stays above 5 %: rule 0 resets.
        (
            105,
            Rate(0.07),
            0.5,
            r#"SEV-2 "Roll back" | firing [2] pending [1] unknown [] | changed SEV-1→SEV-2"#,
        ),
        // Rule 1 has held since 15 s: 2 minutes at 135 s. Matrix order decides among SEV-2s.
        (
            135,
            Rate(0.07),
            0.5,
            r#"SEV-2 "Roll back within 15 minutes" | firing [1, 2] pending [] unknown []"#,
        ),
        // Back above 10 %: rule 0 starts over.
        (
            150,
            Rate(0.15),
            0.5,
            r#"SEV-2 "Roll back within 15 minutes" | firing [1, 2] pending [0] unknown []"#,
        ),
        // Prometheus stops answering: error rules are unknown, neither firing nor reset.
        (
            165,
            Stale,
            0.5,
            r#"SEV-2 "Roll back" | firing [2] pending [] unknown [0, 1]"#,
        ),
        (
            200,
            NoData,
            0.5,
            r#"SEV-2 "Roll back" | firing [2] pending [] unknown [0, 1]"#,
        ),
        // Data is back and still bad: rule 0 has held since 150 s (unknowns did not reset
        // it), so at 215 s its minute is up and it fires at once.
        (
            215,
            Rate(0.15),
            0.5,
            r#"SEV-1 "Immediate rollback" | firing [0, 1, 2] pending [] unknown [] | changed SEV-2→SEV-1"#,
        ),
        // While SEV-1 data goes stale, SEV-1 is not claimed.
        (
            230,
            Stale,
            0.2,
            r#"none "-" | firing [] pending [] unknown [0, 1] | changed SEV-1→none"#,
        ),
        // Rollback worked: everything false, clocks reset.
        (
            245,
            Rate(0.01),
            0.2,
            r#"none "-" | firing [] pending [] unknown []"#,
        ),
        (
            260,
            Rate(0.12),
            0.2,
            r#"none "-" | firing [] pending [0, 1] unknown []"#,
        ),
    ];
    let mut last_fresh_sample = t(0);
    for (secs, error, latency, want) in timeline {
        let now = t(*secs);
        let mut s = Signals::new(Duration::from_secs(30))
            .with_sample("latency_p95", *latency, now)
            .with_baseline("latency_p95", baseline);
        match error {
            Rate(r) => {
                s.set_sample("error_rate", *r, now);
                last_fresh_sample = now;
            }
            Stale => s.set_sample(
                "error_rate",
                0.12,
                last_fresh_sample - chrono::Duration::seconds(31),
            ),
            NoData => s.set_absent("error_rate", Absence::NoData),
        }
        let v = state.step(&m, &s, now);
        assert_eq!(show(&v), *want, "at {secs}s");
    }
}

#[test]
fn verdict_carries_inputs_rto_and_held_times() {
    let m = design_matrix();
    let mut state = MatrixState::new();
    let s = |now| Signals::new(Duration::from_secs(30)).with_sample("error_rate", 0.2, now);
    state.step(&m, &s(t(0)), t(0));
    let v = state.step(&m, &s(t(60)), t(60));
    assert_eq!(v.highest_severity.as_ref().map(Severity::level), Some(1));
    assert_eq!(v.severity_since, Some(t(60)));
    assert_eq!(v.rto_target, Some(Duration::from_secs(120)));
    assert_eq!(v.rto_deadline, Some(t(180)));
    assert_eq!(v.inputs.get("error_rate"), Some(&0.2));
    let decider = v.deciding_rule().unwrap();
    assert_eq!(
        (decider.rule, decider.held_since, decider.held_for),
        (0, Some(t(0)), Duration::from_secs(60))
    );
    // The latency rule has neither data nor baseline: unknown, with both reasons.
    let latency = &v.rules[2];
    assert_eq!(latency.state, RuleState::Unknown);
    let reasons: Vec<String> = latency.reasons.iter().map(|r| r.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "latency_p95: no data yet",
            "baseline(latency_p95): no baseline captured"
        ]
    );
    // Later steps keep `severity_since` while the severity stays.
    let v = state.step(&m, &s(t(90)), t(90));
    assert_eq!(
        (v.severity_since, &v.severity_changed),
        (Some(t(60)), &None)
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["highest_severity"], "SEV-1");
    assert_eq!(json["rto_target_secs"], 120.0);
    assert_eq!(json["rules"][0]["state"], "firing");
    assert_eq!(json["rules"][0]["held_for_secs"], 90.0);
    assert_eq!(json["rules"][2]["reasons"][1]["why"]["kind"], "no_baseline");
}

#[test]
fn zero_for_fires_on_first_true_and_clock_going_back_does_not_panic() {
    let m = design_matrix();
    let mut state = MatrixState::new();
    let s = Signals::new(Duration::from_secs(30))
        .with_sample("error_rate", 0.01, t(0))
        .with_sample("latency_p95", 1.0, t(0))
        .with_baseline(
            "latency_p95",
            Baseline {
                value: 0.2,
                captured_at: t(0),
                source: BaselineSource::PromOffset {
                    offset: Duration::from_secs(86400),
                },
            },
        );
    let v = state.step(&m, &s, t(0));
    assert_eq!(
        show(&v),
        r#"SEV-2 "Roll back" | firing [2] pending [] unknown [] | changed none→SEV-2"#
    );
    assert_eq!(v.approval.as_deref(), Some("service owner"));
    let v = state.step(&m, &s, t(-10));
    assert_eq!(v.rules[2].held_for, Duration::ZERO);
}

#[test]
fn an_empty_matrix_decides_nothing() {
    let mut state = MatrixState::new();
    let v = state.step(&Matrix::default(), &Signals::default(), t(0));
    assert_eq!(show(&v), r#"none "-" | firing [] pending [] unknown []"#);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// What the error-rate query returned at one refresh.
    fn observation() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            3 => (0.0f64..0.2).prop_map(Some),
            1 => Just(None),
            1 => Just(Some(f64::NAN)),
        ]
    }

    proptest! {
        /// Whatever the sequence of values, gaps and NaNs: a rule fires only when its
        /// condition holds now and has held (through unknowns) for its `for`; unknown
        /// rules never fire; the highest severity is the most severe firing rule's; and a
        /// severity change is reported exactly when it changes.
        #[test]
        fn state_machine_invariants(steps in prop::collection::vec((1i64..40, observation()), 1..60)) {
            let m = design_matrix();
            let mut state = MatrixState::new();
            let mut now = 0;
            let mut previous: Option<Severity> = None;
            for (dt, value) in steps {
                now += dt;
                let mut s = Signals::new(Duration::from_secs(30));
                if let Some(v) = value {
                    s.set_sample("error_rate", v, t(now));
                }
                let v = state.step(&m, &s, t(now));
                for r in &v.rules {
                    let rule = &m.rules()[r.rule];
                    match r.state {
                        RuleState::Firing => {
                            prop_assert!(r.held_for >= rule.hold);
                            prop_assert_eq!(r.held_since.map(|h| t(now) - h >= chrono::Duration::from_std(rule.hold).unwrap()), Some(true));
                            if r.rule < 2 {
                                let value = value.unwrap();
                                let threshold = if r.rule == 0 { 0.10 } else { 0.05 };
                                prop_assert!(value > threshold, "{} > {}", value, threshold);
                            }
                        }
                        RuleState::Pending => prop_assert!(r.held_for < rule.hold),
                        RuleState::Inactive => prop_assert_eq!(r.held_since, None),
                        RuleState::Unknown => prop_assert!(!r.reasons.is_empty()),
                    }
                }
                let most_severe = v.firing.iter().map(|&i| v.rules[i].severity.clone()).max();
                prop_assert_eq!(&v.highest_severity, &most_severe);
                prop_assert_eq!(v.severity_changed.is_some(), most_severe != previous);
                previous = most_severe;
            }
        }
    }
}

#[test]
fn a_resumed_state_keeps_a_firing_severity_without_waiting_for_its_hold_again() {
    let m = design_matrix();
    let mut signals = Signals::default();
    signals.set_sample("error_rate", 0.2, t(600));
    signals.set_sample("latency_p95", 0.1, t(600));
    // The journal said SEV-1 fired at t(300), decided by the error-rate rule.
    let sev1 = Severity::parse("SEV-1").unwrap();
    let mut state = MatrixState::resumed(&m, sev1.clone(), t(300), Some("error_rate > 0.10"));
    let v = state.step(&m, &signals, t(600));
    assert_eq!(v.highest_severity.as_ref(), Some(&sev1));
    assert_eq!(v.severity_changed, None, "nothing to journal again");
    assert_eq!(
        v.severity_since,
        Some(t(300)),
        "the RTO clock keeps its start"
    );
    assert_eq!(v.rules[0].state, RuleState::Firing);

    // A fresh state would have dropped SEV-1 until the rule's minute had passed again.
    let mut fresh = MatrixState::new();
    let v = fresh.step(&m, &signals, t(600));
    assert_eq!(v.rules[0].state, RuleState::Pending);
    assert_eq!(v.highest_severity, None);
}

#[test]
fn a_resumed_state_journals_the_change_when_the_condition_no_longer_holds() {
    let m = design_matrix();
    let mut signals = Signals::default();
    signals.set_sample("error_rate", 0.001, t(600));
    signals.set_sample("latency_p95", 0.1, t(600));
    let sev1 = Severity::parse("SEV-1").unwrap();
    let mut state = MatrixState::resumed(&m, sev1.clone(), t(300), Some("error_rate > 0.10"));
    let v = state.step(&m, &signals, t(600));
    assert_eq!(v.highest_severity, None);
    let change = v.severity_changed.expect("resolved while away");
    assert_eq!(change.from, Some(sev1));
    assert_eq!(change.to, None);
}
