//! The report's text helpers and one-line descriptions: code spans, significant digits,
//! a window the console quit in.

use super::markdown_text::{cell, code};
use super::tests::{ALICE, journal, report};
use super::timeline::describe;
use super::to_markdown;
use crate::domain::journal::Entry;
use crate::domain::progress::Progress;
use std::collections::BTreeMap;

#[test]
fn code_spans_survive_backticks_and_pipes() {
    assert_eq!(code("kubectl get pods"), "`kubectl get pods`");
    assert_eq!(code("echo `date` | tee x"), "``echo `date` \\| tee x``");
    assert_eq!(code("`x`"), "`` `x` ``");
    assert_eq!(cell("a | b\nc"), "a \\| b c");
}

#[test]
fn baselines_read_with_four_significant_digits() {
    let mut values = BTreeMap::new();
    values.insert("error_rate".to_string(), 0.1208046695851574);
    values.insert("latency_p95".to_string(), 0.491196361940298);
    values.insert("rps".to_string(), 1520.0);
    assert_eq!(
        describe(&Entry::BaselineCaptured {
            values,
            offset_secs: None
        }),
        "captured baselines: error_rate=0.1208, latency_p95=0.4912, rps=1520"
    );
}

#[test]
fn a_window_the_console_quit_in_reads_interrupted_not_failed() {
    let quit = Entry::VerificationFinished {
        check: "health".into(),
        passed: false,
        detail: "watched 4m: 4 of 4 samples held, last seen HTTP 200".into(),
        cut_short: Some(crate::domain::verify::CUT_SHORT_BY_QUIT.into()),
        outcome: None,
    };
    assert_eq!(
        describe(&quit),
        "verification health interrupted (the console quit before the window ended): watched 4m: 4 of 4 samples held, last seen HTTP 200"
    );
    let failed = Entry::VerificationFinished {
        check: "health".into(),
        passed: false,
        detail: "sample 2 at 1m: HTTP 503".into(),
        cut_short: None,
        outcome: None,
    };
    assert_eq!(
        describe(&failed),
        "verification health failed: sample 2 at 1m: HTTP 503"
    );
}

#[test]
fn severity_changes_and_baselines_are_in_the_timeline() {
    let records = journal(vec![
        (
            0,
            ALICE,
            Entry::SessionStarted {
                runbook_path: "checkout.md".into(),
                runbook_sha256: "5f".repeat(32),
                title: "Checkout API rollback".into(),
                mode: "live".into(),
                host: "ops-laptop".into(),
            },
        ),
        (
            5,
            ALICE,
            Entry::BaselineCaptured {
                values: [("latency_p95".to_string(), 0.21)].into_iter().collect(),
                offset_secs: None,
            },
        ),
        (
            70,
            ALICE,
            Entry::SeverityChanged {
                from: None,
                to: Some("SEV-1".into()),
                rule: Some("error_rate > 0.10".into()),
            },
        ),
        (
            400,
            ALICE,
            Entry::SeverityChanged {
                from: Some("SEV-1".into()),
                to: None,
                rule: None,
            },
        ),
    ]);
    let r = report(&records, None);
    let kinds: Vec<&str> = r.timeline.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        [
            "session_started",
            "baseline_captured",
            "severity_changed",
            "severity_changed"
        ]
    );
    assert_eq!(r.timeline[1].text, "captured baselines: latency_p95=0.21");
    assert_eq!(
        r.timeline[2].text,
        "severity none → SEV-1 (error_rate > 0.10)"
    );
    assert_eq!(r.timeline[3].text, "severity SEV-1 → none: nothing fires");
    let p = Progress::replay(&records);
    assert_eq!(p.severity_changes.len(), 2);
    assert_eq!(p.severity_changes[0].to.as_deref(), Some("SEV-1"));
    assert_eq!(p.baselines_captured_at.len(), 1);
    assert!(to_markdown(&r).contains("severity none → SEV-1 (error_rate > 0.10)"));
}
