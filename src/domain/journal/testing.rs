//! Test fixtures: a varied journal built with the real codec.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{Entry, GENESIS, Record, seal};
use crate::domain::runbook::StepId;

/// 2026-11-22 01:52:03 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap()
}

/// About 30 entries of every kind, with awkward text (Unicode, quotes, newlines,
/// a long note, empty strings).
pub fn varied_entries() -> Vec<(&'static str, Entry)> {
    let alice = "alice@ops-laptop";
    let bob = "bob@bastion";
    let step = |n: u32| StepId(n);
    let mut v = vec![
        (
            alice,
            Entry::SessionStarted {
                runbook_path: "/srv/runbooks/checkout-rollback.md".into(),
                runbook_sha256: "ab".repeat(32),
                title: "Checkout API rollback".into(),
                mode: "live".into(),
                host: "ops-laptop".into(),
            },
        ),
        (
            alice,
            Entry::PhaseEntered {
                phase: 0,
                title: "Pre-rollback checklist".into(),
            },
        ),
        (
            alice,
            Entry::StepTicked {
                step: step(0),
                title: "Confirm on-call is paged".into(),
            },
        ),
        (
            alice,
            Entry::StepTicked {
                step: step(1),
                title: "Open the incident channel «#inc-4711»".into(),
            },
        ),
        (
            alice,
            Entry::NoteAdded {
                text: "Error rate 12% since 01:40 — \"checkout\" 5xx".into(),
                step: Some(step(1)),
            },
        ),
        (
            alice,
            Entry::StepUnticked {
                step: step(1),
                title: "Open the incident channel «#inc-4711»".into(),
            },
        ),
        (
            alice,
            Entry::StepSkipped {
                step: step(2),
                title: "Freeze deploys".into(),
                reason: "already frozen by CI\nsee #deploys".into(),
            },
        ),
        (
            alice,
            Entry::PlaceholderBound {
                name: "service-name".into(),
                value: "checkout-api".into(),
                secret: false,
            },
        ),
        (
            alice,
            Entry::PlaceholderBound {
                name: "SLACK_TOKEN".into(),
                value: "‹redacted›".into(),
                secret: true,
            },
        ),
        (
            alice,
            Entry::PhaseEntered {
                phase: 1,
                title: "Execution".into(),
            },
        ),
        (
            alice,
            Entry::CommandStarted {
                step: step(3),
                run: 1,
                command: "kubectl rollout history deployment/checkout-api -n checkout".into(),
            },
        ),
        (
            alice,
            Entry::CommandFinished {
                step: step(3),
                run: 1,
                exit_code: Some(0),
                duration_ms: 812,
                cancelled: false,
            },
        ),
        (
            alice,
            Entry::StepTicked {
                step: step(3),
                title: "Check rollout history".into(),
            },
        ),
        (
            alice,
            Entry::CommandStarted {
                step: step(4),
                run: 2,
                command: "kubectl rollout undo deployment/checkout-api --to-revision=41".into(),
            },
        ),
        (
            bob,
            Entry::SessionResumed {
                host: "bastion".into(),
            },
        ),
        (
            bob,
            Entry::CommandStarted {
                step: step(4),
                run: 3,
                command: "kubectl rollout undo deployment/checkout-api --to-revision=41".into(),
            },
        ),
        (
            bob,
            Entry::CommandFinished {
                step: step(4),
                run: 3,
                exit_code: None,
                duration_ms: 30_000,
                cancelled: true,
            },
        ),
        (
            bob,
            Entry::CommandStarted {
                step: step(4),
                run: 4,
                command: "kubectl rollout undo deployment/checkout-api".into(),
            },
        ),
        (
            bob,
            Entry::CommandFinished {
                step: step(4),
                run: 4,
                exit_code: Some(1),
                duration_ms: 2_345,
                cancelled: false,
            },
        ),
        (
            bob,
            Entry::NoteAdded {
                text: "x".repeat(2_000),
                step: None,
            },
        ),
        (
            bob,
            Entry::NoteAdded {
                text: String::new(),
                step: None,
            },
        ),
        (
            bob,
            Entry::StepTicked {
                step: step(4),
                title: "Roll back".into(),
            },
        ),
        (
            bob,
            Entry::PhaseEntered {
                phase: 2,
                title: "Verification — 5 min".into(),
            },
        ),
        (
            bob,
            Entry::StepTicked {
                step: step(5),
                title: "Error rate < 1% for 5 min".into(),
            },
        ),
        (
            bob,
            Entry::PhaseEntered {
                phase: 3,
                title: "Communication".into(),
            },
        ),
        (
            bob,
            Entry::StepTicked {
                step: step(6),
                title: "Post in #status: ✅ resolved".into(),
            },
        ),
        (
            bob,
            Entry::NoteAdded {
                text: "tab\there, backslash \\ and NUL \u{0} survive".into(),
                step: Some(step(6)),
            },
        ),
        (
            bob,
            Entry::PhaseEntered {
                phase: 4,
                title: "Post-rollback".into(),
            },
        ),
        (
            bob,
            Entry::StepTicked {
                step: step(7),
                title: "日本語のタイトル".into(),
            },
        ),
        (bob, Entry::SessionClosed),
    ];
    v.shrink_to_fit();
    v
}

/// Seals entries into records and file bytes, one record every 7.25 s from [`t0`].
pub fn build(entries: Vec<(&str, Entry)>) -> (Vec<Record>, Vec<u8>) {
    let mut records = Vec::new();
    let mut bytes = Vec::new();
    let mut prev = GENESIS.to_string();
    for (i, (actor, entry)) in entries.into_iter().enumerate() {
        let ts = t0() + Duration::milliseconds(7_250 * i as i64);
        let (record, line) = seal(i as u64 + 1, ts, actor, entry, &prev);
        prev = record.hash.clone();
        bytes.extend_from_slice(line.as_bytes());
        records.push(record);
    }
    (records, bytes)
}

/// The varied journal.
pub fn varied() -> (Vec<Record>, Vec<u8>) {
    build(varied_entries())
}

/// Byte offsets where each line starts, plus the total length at the end.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}
