use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::domain::journal::{Entry, GENESIS, Record};
use crate::domain::runbook::{self, StepId};

const RUNBOOK: &str = "---
backout: 1
rto: { SEV-1: 5m, SEV-2: 15m }
---
# Drill runbook

## 1. Prepare (3 min)

- [ ] Incident declared

## 2. Execute the rollback (5 min)

```bash
kubectl rollout undo deployment/web
```

- [ ] Rollout complete

## 3. Verify recovery (10 min)

- [ ] Error ratio under 1 %

## 4. Communicate

- [ ] Incident channel updated
";

pub(super) fn rb() -> Runbook {
    runbook::load_bytes(std::path::Path::new("drill.md"), RUNBOOK.as_bytes()).expect("loads")
}

pub(super) fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap() + Duration::seconds(secs)
}

pub(super) fn journal(entries: &[(i64, Entry)]) -> Vec<Record> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (s, e))| Record {
            seq: i as u64 + 1,
            ts: t(*s),
            actor: "ana@laptop".into(),
            entry: e.clone(),
            prev: GENESIS.into(),
            hash: String::new(),
        })
        .collect()
}

pub(super) fn started() -> Entry {
    Entry::SessionStarted {
        runbook_path: "drill.md".into(),
        runbook_sha256: String::new(),
        title: "Drill".into(),
        mode: "drill".into(),
        host: "laptop".into(),
    }
}
pub(super) fn event(what: &str) -> Entry {
    Entry::DrillEvent { what: what.into() }
}
pub(super) fn ack(s: &str) -> Entry {
    Entry::SeverityAcknowledged { severity: s.into() }
}
fn requested() -> Entry {
    Entry::ClusterActionRequested {
        action: "kubectl rollout undo deployment/web".into(),
        target: "sim/checkout/web".into(),
        change: None,
    }
}
fn finished(ok: bool) -> Entry {
    Entry::ClusterActionFinished {
        action: "kubectl rollout undo deployment/web".into(),
        outcome: if ok {
            "successfully rolled out".into()
        } else {
            "timed out".into()
        },
        ok,
    }
}
pub(super) fn tick(step: usize) -> Entry {
    Entry::StepTicked {
        step: StepId(step as u32),
        title: String::new(),
    }
}
fn check(c: &str, passed: bool) -> Entry {
    Entry::VerificationFinished {
        check: c.into(),
        passed,
        detail: String::new(),
        cut_short: None,
        outcome: None,
    }
}
fn check_started(c: &str) -> Entry {
    Entry::VerificationStarted {
        check: c.into(),
        description: String::new(),
        window_secs: None,
    }
}
fn delivered() -> Entry {
    Entry::MessageDelivered {
        key: "k".into(),
        sink: "outbox".into(),
        attempts: 1,
        detail: "outbox/0001.json".into(),
    }
}
fn queued() -> Entry {
    Entry::MessageQueued {
        key: "k".into(),
        sink: "outbox".into(),
        template: "rollback_notification".into(),
        text: "rolled back".into(),
    }
}

/// Step ids of RUNBOOK: 0 declared, 1 undo command, 2 rollout complete, 3 error ratio,
/// 4 channel updated.
fn step_ids_are_as_documented() {
    let rb = rb();
    let ids: Vec<usize> = rb
        .phases
        .iter()
        .flat_map(|p| p.steps.iter().map(|s| s.id.0 as usize))
        .collect();
    assert_eq!(ids, [0, 1, 2, 3, 4]);
}

struct Case {
    name: &'static str,
    journal: Vec<(i64, Entry)>,
    /// Seconds per stage (None: not reached).
    stages: [Option<f64>; 5],
    passed: bool,
    shortfall: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let clean = vec![
        (0, started()),
        (10, event("bad release 1.6.0 rolling out")),
        (70, ack("SEV-1")),
        (100, requested()),
        (130, finished(true)),
        (131, tick(2)),
        (200, tick(3)),
        (230, tick(4)),
    ];
    vec![
        Case {
            name: "a clean drill passes, each stage timed from the previous one",
            journal: clean.clone(),
            stages: [Some(60.0), Some(30.0), Some(30.0), Some(70.0), Some(30.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "no acknowledgement: detect is not reached, the others still count",
            journal: clean
                .iter()
                .filter(|(_, e)| !matches!(e, Entry::SeverityAcknowledged { .. }))
                .cloned()
                .collect(),
            stages: [None, Some(90.0), Some(30.0), Some(70.0), Some(30.0)],
            passed: false,
            shortfall: Some("detect: not reached"),
        },
        Case {
            name: "recovery past the SEV-1 RTO fails the drill",
            journal: vec![
                (0, started()),
                (10, event("bad")),
                (20, ack("SEV-1")),
                (200, requested()),
                (400, finished(true)),
                (401, tick(2)),
                (402, tick(3)),
                (403, tick(4)),
            ],
            stages: [Some(10.0), Some(180.0), Some(200.0), Some(2.0), Some(1.0)],
            passed: false,
            shortfall: Some("against an RTO of 5m"),
        },
        Case {
            name: "a stage over its phase budget fails (decide: Prepare 3 min)",
            journal: vec![
                (0, started()),
                (0, event("bad")),
                (10, ack("SEV-2")),
                (250, requested()),
                (260, finished(true)),
                (261, tick(2)),
                (262, tick(3)),
                (263, tick(4)),
            ],
            stages: [Some(10.0), Some(240.0), Some(10.0), Some(2.0), Some(1.0)],
            passed: false,
            shortfall: Some("decide: 4m over its 3m target"),
        },
        Case {
            name: "a command step of the execution phase counts as the decision; its phase finished as recovery",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (
                    15,
                    Entry::CommandStarted {
                        step: StepId(1),
                        run: 1,
                        command: "kubectl rollout undo deployment/web".into(),
                    },
                ),
                (
                    25,
                    Entry::CommandFinished {
                        step: StepId(1),
                        run: 1,
                        exit_code: Some(0),
                        duration_ms: 1000,
                        cancelled: false,
                    },
                ),
                (40, tick(2)),
                (50, tick(3)),
                (60, tick(4)),
            ],
            stages: [Some(5.0), Some(10.0), Some(25.0), Some(10.0), Some(10.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "verification checks decide verify; a failed check fails the drill",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (20, finished(true)),
                (21, tick(2)),
                (22, check_started("v1")),
                (23, tick(3)),
                (30, check("v1", false)),
                (40, tick(4)),
            ],
            stages: [Some(5.0), Some(5.0), Some(10.0), None, Some(20.0)],
            passed: false,
            shortfall: Some("1 verification check(s) failed"),
        },
        Case {
            name: "a window the console quit in is neither passed nor failed; rerun, it passes",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (20, finished(true)),
                (22, check_started("v1")),
                (
                    25,
                    Entry::VerificationFinished {
                        check: "v1".into(),
                        passed: false,
                        detail: "watched 3s: no sample taken yet".into(),
                        cut_short: Some(crate::domain::verify::CUT_SHORT_BY_QUIT.into()),
                        outcome: None,
                    },
                ),
                (60, check_started("v1")),
                (90, check("v1", true)),
                (95, tick(4)),
            ],
            stages: [Some(5.0), Some(5.0), Some(10.0), Some(70.0), Some(5.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "passing checks end verify when the last one passes",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (20, finished(true)),
                (22, check_started("v1")),
                (23, check_started("v2")),
                (30, check("v1", true)),
                (45, check("v2", true)),
                (50, tick(4)),
            ],
            stages: [Some(5.0), Some(5.0), Some(10.0), Some(25.0), Some(5.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "with messages queued, communicate waits for a delivery, not a tick",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (20, finished(true)),
                (25, tick(2)),
                (26, tick(3)),
                (27, queued()),
                (28, tick(4)),
                (40, delivered()),
            ],
            stages: [Some(5.0), Some(5.0), Some(10.0), Some(6.0), Some(14.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "the request's result is not the recovery: the followed rollout's end is",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (
                    11,
                    Entry::ClusterActionFinished {
                        action: "kubectl rollout undo deployment/web".into(),
                        outcome: "deployment.apps/web rolled back".into(),
                        ok: true,
                    },
                ),
                (40, finished(true)),
                (41, tick(2)),
                (42, tick(3)),
                (43, tick(4)),
            ],
            stages: [Some(5.0), Some(5.0), Some(30.0), Some(2.0), Some(1.0)],
            passed: true,
            shortfall: None,
        },
        Case {
            name: "a rollback whose rollout fails is not a recovery",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (
                    11,
                    Entry::ClusterActionFinished {
                        action: "kubectl rollout undo deployment/web".into(),
                        outcome: "deployment.apps/web rolled back".into(),
                        ok: true,
                    },
                ),
                (40, finished(false)),
            ],
            stages: [Some(5.0), Some(5.0), None, None, None],
            passed: false,
            shortfall: Some("recover: not reached"),
        },
        Case {
            // Issue 15, point 3: quitting, or SIGINT/SIGTERM/SIGHUP/SIGQUIT (which quit
            // through Msg::Terminate), during the follow journals the abandonment.
            name: "a drill stopped while following the rollout is not recovered",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (
                    11,
                    Entry::ClusterActionFinished {
                        action: "kubectl rollout undo deployment/web".into(),
                        outcome: "deployment.apps/web rolled back".into(),
                        ok: true,
                    },
                ),
                (
                    15,
                    Entry::ClusterActionFinished {
                        action: "kubectl rollout undo deployment/web".into(),
                        outcome: "abandoned at quit while following the rollout: \
                                  deployment.apps/web rolled back; last seen: 75% upd 3/4"
                            .into(),
                        ok: false,
                    },
                ),
            ],
            stages: [Some(5.0), Some(5.0), None, None, None],
            passed: false,
            shortfall: Some("recover: not reached"),
        },
        Case {
            // Issue 15, point 3: SIGKILL during the follow writes nothing more; the
            // request's acknowledgement must not be scored as the recovery.
            name: "a drill killed while following the rollout is not recovered",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (
                    11,
                    Entry::ClusterActionFinished {
                        action: "kubectl rollout undo deployment/web".into(),
                        outcome: "deployment.apps/web rolled back".into(),
                        ok: true,
                    },
                ),
                (
                    11,
                    Entry::RolloutFollowStarted {
                        action: "kubectl rollout undo deployment/web".into(),
                    },
                ),
            ],
            stages: [Some(5.0), Some(5.0), None, None, None],
            passed: false,
            shortfall: Some("recover: not reached"),
        },
        Case {
            name: "a failed rollout is not a recovery",
            journal: vec![
                (0, event("bad")),
                (5, ack("SEV-1")),
                (10, requested()),
                (20, finished(false)),
            ],
            stages: [Some(5.0), Some(5.0), None, None, None],
            passed: false,
            shortfall: Some("recover: not reached"),
        },
        Case {
            name: "no drill event: nothing is timed",
            journal: vec![(0, started()), (5, ack("SEV-1"))],
            stages: [None, None, None, None, None],
            passed: false,
            shortfall: Some("the drill never started"),
        },
    ]
}

#[test]
fn scorecards_of_hand_built_journals() {
    step_ids_are_as_documented();
    let rb = rb();
    for case in cases() {
        let card = score(&journal(&case.journal), &rb);
        let got: Vec<Option<f64>> = card.stages.iter().map(|s| s.secs).collect();
        assert_eq!(got, case.stages, "{}: stage times", case.name);
        assert_eq!(
            card.passed, case.passed,
            "{}: {:?}",
            case.name, card.shortfalls
        );
        if let Some(want) = case.shortfall {
            assert!(
                card.shortfalls.iter().any(|s| s.contains(want)),
                "{}: {:?} lacks {want:?}",
                case.name,
                card.shortfalls
            );
        }
    }
}

#[test]
fn targets_come_from_phase_budgets_and_the_rto_of_the_acknowledged_severity() {
    let rb = rb();
    let card = score(&journal(&cases()[0].journal), &rb);
    let targets: Vec<Option<f64>> = card.stages.iter().map(|s| s.target_secs).collect();
    assert_eq!(targets, [None, Some(180.0), Some(300.0), Some(600.0), None]);
    assert_eq!(card.severity.as_deref(), Some("SEV-1"));
    assert_eq!(card.rto_target_secs, Some(300.0));
    assert_eq!(card.time_to_recover_secs, Some(120.0));
    assert_eq!(
        card.first_event.as_deref(),
        Some("bad release 1.6.0 rolling out")
    );
}

#[test]
fn without_an_acknowledgement_the_highest_severity_reached_sets_the_rto() {
    let rb = rb();
    let records = journal(&[
        (0, event("bad")),
        (
            5,
            Entry::SeverityChanged {
                from: None,
                to: Some("SEV-2".into()),
                rule: None,
            },
        ),
        (
            9,
            Entry::SeverityChanged {
                from: Some("SEV-2".into()),
                to: Some("SEV-1".into()),
                rule: None,
            },
        ),
    ]);
    let card = score(&records, &rb);
    assert_eq!(card.severity.as_deref(), Some("SEV-1"));
    assert_eq!(card.rto_target_secs, Some(300.0));
}

#[test]
fn skipped_steps_failed_commands_and_notes_are_counted() {
    let rb = rb();
    let records = journal(&[
        (0, event("bad")),
        (
            1,
            Entry::StepSkipped {
                step: StepId(0),
                title: String::new(),
                reason: "drill".into(),
            },
        ),
        (
            2,
            Entry::CommandFinished {
                step: StepId(1),
                run: 1,
                exit_code: Some(1),
                duration_ms: 5,
                cancelled: false,
            },
        ),
        (3, finished(false)),
        (
            4,
            Entry::NoteAdded {
                text: "paged owner".into(),
                step: None,
            },
        ),
    ]);
    let card = score(&records, &rb);
    assert_eq!(
        (card.checklist_skipped, card.commands_failed, card.notes),
        (1, 2, 1)
    );
}

#[test]
fn declaring_a_severity_is_acknowledging_it_and_only_a_post_by_hand_communicates() {
    let rb = rb();
    let declared = Entry::SeverityDeclared {
        severity: "SEV-2".into(),
        reason: "checkout 5xx".into(),
        row: Some("Error rate > 5%".into()),
        rto_secs: Some(600),
        by: "ana@laptop".into(),
    };
    let drafted = Entry::MessageDrafted {
        key: "k1".into(),
        template: "Rollback Notification".into(),
        text: "rolled back".into(),
        saved_to: "messages/k1.txt".into(),
    };
    let posted = Entry::MessagePostedByHand {
        key: "k1".into(),
        where_: "#incidents".into(),
        by: "ana@laptop".into(),
    };
    let mut entries = vec![
        (0, event("bad")),
        (20, declared),
        (60, drafted),
        (70, tick(4)),
    ];
    let card = score(&journal(&entries), &rb);
    assert_eq!(card.stages[0].secs, Some(20.0), "declared = detected");
    assert_eq!(card.stages[0].by.as_deref(), Some("declared SEV-2"));
    assert_eq!(card.severity.as_deref(), Some("SEV-2"));
    // The front matter's rto for SEV-2 wins over the row's own target.
    assert_eq!(card.rto_target_secs, Some(900.0));
    assert_eq!(
        card.stages[4].reached_at, None,
        "a draft and a ticked step are not communication"
    );
    entries.push((90, posted));
    let card = score(&journal(&entries), &rb);
    assert_eq!(
        card.stages[4].by.as_deref(),
        Some("message posted by hand to #incidents")
    );
}
