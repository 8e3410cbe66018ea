use std::time::Duration;

use super::*;
use crate::domain::verify::check::DEFAULT_EVERY;

fn check(window: Option<u64>, every: u64) -> Check {
    Check {
        name: "health".into(),
        probe: Probe::Shell(ShellProbe {
            command: "true".into(),
        }),
        window: window.map(Duration::from_secs),
        every: Duration::from_secs(every),
        source: CheckSource::FrontMatter { index: 1 },
        step: crate::domain::runbook::StepId(0),
    }
}

fn pass(v: &str) -> Observation {
    Observation::Pass { seen: v.into() }
}

fn fail(v: &str, limit: &str) -> Observation {
    Observation::Fail {
        seen: v.into(),
        limit: limit.into(),
    }
}

fn unknown(why: &str) -> Observation {
    Observation::Unknown { reason: why.into() }
}

fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

/// Feeds samples at their due times; returns the outcome and the sample count taken.
fn run(check: &Check, observations: Vec<Observation>) -> (Option<Outcome>, usize) {
    let mut m = Monitor::new(check);
    m.start();
    let mut taken = 0;
    for o in observations {
        let Some(due) = m.next_due() else { break };
        taken += 1;
        if let Some(outcome) = m.record(due, o) {
            return (Some(outcome), taken);
        }
    }
    (None, taken)
}

#[test]
fn samples_in_window() {
    let cases: &[(Option<u64>, u64, u32)] = &[
        (None, 30, 1),
        (Some(900), 30, 31),
        (Some(60), 30, 3),
        (Some(60), 25, 3),
        (Some(10), 30, 1),
        (Some(0), 30, 1),
    ];
    for (window, every, want) in cases {
        assert_eq!(
            check(*window, *every).samples_in_window(),
            *want,
            "{window:?}/{every}"
        );
    }
}

#[test]
fn sample_schedule_ends_at_the_window() {
    let c = check(Some(60), 25);
    let mut m = Monitor::new(&c);
    assert_eq!(m.next_due(), None, "idle monitors schedule nothing");
    m.start();
    let mut dues = Vec::new();
    while let Some(due) = m.next_due() {
        dues.push(due);
        if m.record(due, pass("ok")).is_some() {
            break;
        }
    }
    assert_eq!(dues, [s(0), s(25), s(60)]);
    assert!(matches!(
        m.outcome(),
        Some(Outcome::Passed { samples: 3, .. })
    ));
}

#[test]
fn windows_end_as_the_samples_say() {
    struct Case {
        name: &'static str,
        window: Option<u64>,
        observations: Vec<Observation>,
        passed: Option<bool>,
        taken: usize,
        detail: Option<&'static str>,
    }
    let cases = vec![
        Case {
            name: "no window: one pass is enough",
            window: None,
            observations: vec![pass("HTTP 200 in 3ms")],
            passed: Some(true),
            taken: 1,
            detail: Some("1 sample passed; last: HTTP 200 in 3ms"),
        },
        Case {
            name: "every sample passes",
            window: Some(90),
            observations: vec![pass("a"), pass("b"), pass("c"), pass("d")],
            passed: Some(true),
            taken: 4,
            detail: Some("4 samples passed; last: d"),
        },
        Case {
            name: "one failing sample fails at once",
            window: Some(90),
            observations: vec![
                pass("error_rate = 0.001"),
                fail("error_rate = 0.31", "error_rate < 0.01"),
                pass("never taken"),
            ],
            passed: Some(false),
            taken: 2,
            detail: Some("sample 2 at 30s: error_rate = 0.31 (limit: error_rate < 0.01)"),
        },
        Case {
            name: "an unknown sample never counts as passing",
            window: Some(90),
            observations: vec![
                pass("a"),
                pass("b"),
                unknown("error_rate: stale (1m35s old)"),
            ],
            passed: Some(false),
            taken: 3,
            detail: Some("could not verify: sample 3 at 1m: error_rate: stale (1m35s old)"),
        },
        Case {
            name: "the window is not over yet",
            window: Some(90),
            observations: vec![pass("a"), pass("b")],
            passed: None,
            taken: 2,
            detail: None,
        },
        Case {
            name: "a failure on the last sample still fails",
            window: Some(60),
            observations: vec![pass("a"), pass("b"), fail("HTTP 503", "HTTP 200")],
            passed: Some(false),
            taken: 3,
            detail: Some("sample 3 at 1m: HTTP 503 (limit: HTTP 200)"),
        },
    ];
    for case in cases {
        let (outcome, taken) = run(&check(case.window, 30), case.observations);
        assert_eq!(
            outcome.as_ref().map(Outcome::passed),
            case.passed,
            "{}",
            case.name
        );
        assert_eq!(taken, case.taken, "{}", case.name);
        assert_eq!(
            outcome.as_ref().map(Outcome::detail).as_deref(),
            case.detail,
            "{}",
            case.name
        );
    }
}

#[test]
fn late_samples_do_not_shorten_the_window() {
    // Samples taken late still need the full count and the window's end.
    let c = check(Some(60), 30);
    let mut m = Monitor::new(&c);
    m.start();
    assert_eq!(m.record(s(0), pass("a")), None);
    assert_eq!(m.record(s(70), pass("b")), None, "only 2 of 3 samples");
    assert!(m.record(s(71), pass("c")).is_some_and(|o| o.passed()));
}

#[test]
fn cutting_short() {
    let c = check(Some(900), 30);
    let mut m = Monitor::new(&c);
    assert_eq!(
        m.cut_short(s(1), "x"),
        None,
        "nothing to cut before the start"
    );
    m.start();
    let o = m.cut_short(s(5), "  nobody is watching  ").unwrap();
    assert!(!o.passed(), "cut short before any sample proves nothing");
    assert_eq!(o.cut_short(), Some("nobody is watching"));
    assert_eq!(o.detail(), "cut short at 5s before any sample");

    m.start();
    m.record(s(0), pass("HTTP 200"));
    m.record(s(30), pass("HTTP 200 again"));
    assert_eq!(m.time_left(s(75)), Some(s(825)));
    let o = m.cut_short(s(75), "customers confirm recovery").unwrap();
    assert!(o.passed());
    assert_eq!(
        o.detail(),
        "cut short at 1m15s: 2 samples passed; last: HTTP 200 again"
    );
    assert_eq!(
        m.record(s(90), fail("x", "y")),
        None,
        "finished windows ignore samples"
    );
    assert_eq!(m.cut_short(s(91), "again"), None);
}

#[test]
fn keep_watching_restarts_the_window() {
    let c = check(Some(60), 30);
    let mut m = Monitor::new(&c);
    m.start();
    m.record(s(0), fail("HTTP 500", "HTTP 200"));
    assert!(matches!(
        m.state(),
        MonitorState::Finished(Outcome::Failed(_))
    ));
    m.start();
    assert!(m.is_watching());
    assert!(m.samples().is_empty());
    assert_eq!(m.next_due(), Some(s(0)));
    assert_eq!(m.samples_passed(), 0);
}

#[test]
fn next_moves_after_a_failure() {
    let labels: Vec<&str> = NextMove::ON_FAILURE.iter().map(|m| m.label()).collect();
    assert_eq!(labels, ["Undo further", "Escalate", "Keep watching"]);
    assert_eq!(DEFAULT_EVERY, s(30));
}

#[test]
fn only_a_measured_breach_fails_and_no_data_could_not_verify() {
    let c = check(Some(90), 30);
    let (breach, _) = run(&c, vec![pass("a"), fail("HTTP 503", "HTTP 200")]);
    assert_eq!(breach.map(|o| o.verdict()), Some(Verdict::Failed));
    let (no_data, _) = run(
        &c,
        vec![unknown(
            "no metrics source: configure `metrics.prometheus` or run a drill",
        )],
    );
    let no_data = no_data.expect("an unknown sample ends the window");
    assert_eq!(no_data.verdict(), Verdict::CouldNotVerify);
    assert!(
        !no_data.passed(),
        "could not verify never counts as passing"
    );
    let (all_pass, _) = run(&c, vec![pass("a"), pass("b"), pass("c"), pass("d")]);
    assert_eq!(all_pass.map(|o| o.verdict()), Some(Verdict::Passed));
    let mut m = Monitor::new(&c);
    m.start();
    let cut = m
        .cut_short(Duration::from_secs(5), "customers confirm")
        .expect("watching");
    assert_eq!(
        cut.verdict(),
        Verdict::CouldNotVerify,
        "cut short before any sample measured nothing"
    );
}
