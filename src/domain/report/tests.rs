use super::*;
use crate::domain::journal::testing::t0;
use crate::domain::journal::{Entry, GENESIS, seal};
use crate::domain::redact::REDACTED;
use crate::domain::runbook::{Phase, PhaseKind, Step, StepKind};
use chrono::Duration;
use std::path::PathBuf;

pub(super) const ALICE: &str = "alice@ops-laptop";
const BOB: &str = "bob@bastion";

/// Seals `(seconds after t0, actor, entry)` into records.
pub(super) fn journal(entries: Vec<(i64, &str, Entry)>) -> Vec<Record> {
    let mut prev = GENESIS.to_string();
    entries
        .into_iter()
        .enumerate()
        .map(|(i, (secs, actor, entry))| {
            let (r, _) = seal(
                i as u64 + 1,
                t0() + Duration::seconds(secs),
                actor,
                entry,
                &prev,
            );
            prev = r.hash.clone();
            r
        })
        .collect()
}

fn tick(n: u32, title: &str) -> Entry {
    Entry::StepTicked {
        step: StepId(n),
        title: title.into(),
    }
}

fn phase(n: usize, title: &str) -> Entry {
    Entry::PhaseEntered {
        phase: n,
        title: title.into(),
    }
}

fn started(n: u32, run: u32, command: &str) -> Entry {
    Entry::CommandStarted {
        step: StepId(n),
        run,
        command: command.into(),
    }
}

fn finished(n: u32, run: u32, exit_code: Option<i32>, duration_ms: u64) -> Entry {
    Entry::CommandFinished {
        step: StepId(n),
        run,
        exit_code,
        duration_ms,
        cancelled: false,
    }
}

/// A SEV-1 rollback: a crash mid-rollback, a resume by someone else, a failed
/// notification, and a post-rollback step never done.
fn incident() -> Vec<Record> {
    journal(vec![
        (
            0,
            ALICE,
            Entry::SessionStarted {
                runbook_path: "/srv/runbooks/checkout-rollback.md".into(),
                runbook_sha256: "5f".repeat(32),
                title: "Checkout API rollback".into(),
                mode: "live".into(),
                host: "ops-laptop".into(),
            },
        ),
        (5, ALICE, phase(0, "Pre-rollback checklist")),
        (20, ALICE, tick(0, "Confirm on-call is paged")),
        (41, ALICE, tick(1, "Open the incident channel")),
        (
            55,
            ALICE,
            Entry::NoteAdded {
                text: "Error rate 12% since 01:40, all 5xx from checkout".into(),
                step: Some(StepId(1)),
            },
        ),
        (
            70,
            ALICE,
            Entry::StepSkipped {
                step: StepId(2),
                title: "Freeze deploys".into(),
                reason: "already frozen by CI".into(),
            },
        ),
        (
            80,
            ALICE,
            Entry::PlaceholderBound {
                name: "service-name".into(),
                value: "checkout-api".into(),
                secret: false,
            },
        ),
        (
            85,
            ALICE,
            Entry::PlaceholderBound {
                name: "SLACK_TOKEN".into(),
                value: REDACTED.into(),
                secret: true,
            },
        ),
        (95, ALICE, phase(1, "Execution")),
        (
            100,
            ALICE,
            started(
                3,
                1,
                "kubectl rollout history deployment/checkout-api -n checkout",
            ),
        ),
        (101, ALICE, finished(3, 1, Some(0), 812)),
        (110, ALICE, tick(3, "Check rollout history")),
        (
            120,
            ALICE,
            started(
                4,
                2,
                "kubectl rollout undo deployment/checkout-api --to-revision=41",
            ),
        ),
        // The laptop died here; Bob picks the session up from the bastion.
        (
            300,
            BOB,
            Entry::SessionResumed {
                host: "bastion".into(),
            },
        ),
        (
            320,
            BOB,
            started(
                4,
                3,
                "kubectl rollout undo deployment/checkout-api --to-revision=41",
            ),
        ),
        (324, BOB, finished(4, 3, Some(0), 4_210)),
        (330, BOB, tick(4, "Roll back to revision 41")),
        (340, BOB, phase(2, "Verification")),
        (640, BOB, tick(5, "Error rate below 1% for 5 minutes")),
        (650, BOB, phase(3, "Communication")),
        (
            660,
            BOB,
            started(
                6,
                4,
                "curl -X POST -H 'Authorization: Bearer xoxb-1234' -d 'rollback done' https://hooks.example/T0",
            ),
        ),
        (661, BOB, finished(6, 4, Some(22), 1_300)),
        (
            700,
            BOB,
            tick(6, "Post in #status: resolved | rollback done"),
        ),
        (
            720,
            BOB,
            Entry::NoteAdded {
                text: "Customer impact: ~18 min of elevated 5xx.\nFollow-up: INC-4711.".into(),
                step: None,
            },
        ),
        (730, BOB, Entry::SessionClosed),
    ])
}

fn step(id: u32, line: usize, title: &str, kind: StepKind) -> Step {
    Step {
        id: StepId(id),
        line,
        title: title.into(),
        text: title.into(),
        section: None,
        kind,
        alternative: None,
    }
}

fn runbook() -> Runbook {
    let check = || StepKind::Checklist {
        checked_in_source: false,
    };
    let ph = |kind, title: &str, line, steps| Phase {
        kind,
        title: title.into(),
        line,
        time_budget: None,
        body: String::new(),
        steps,
    };
    Runbook {
        source: PathBuf::from("runbook.md"),
        title: "Checkout API rollback".into(),
        front: None,
        phases: vec![
            ph(
                PhaseKind::Preparation,
                "Pre-rollback checklist",
                3,
                vec![
                    step(0, 5, "Confirm on-call is paged", check()),
                    step(1, 6, "Open the incident channel", check()),
                    step(2, 7, "Freeze deploys", check()),
                ],
            ),
            ph(
                PhaseKind::Execution,
                "Execution",
                9,
                vec![
                    step(3, 11, "Check rollout history", check()),
                    step(4, 13, "Roll back to revision 41", check()),
                ],
            ),
            ph(
                PhaseKind::Verification,
                "Verification",
                17,
                vec![step(5, 19, "Error rate below 1% for 5 minutes", check())],
            ),
            ph(
                PhaseKind::Communication,
                "Communication",
                21,
                vec![step(
                    6,
                    23,
                    "Post in #status: resolved | rollback done",
                    check(),
                )],
            ),
            ph(
                PhaseKind::PostRollback,
                "Post-rollback",
                25,
                vec![step(7, 27, "Schedule the post-mortem", check())],
            ),
        ],
        references: vec![],
        decision_tables: vec![],
        placeholders: vec![],
        warnings: vec![],
        info: vec![],
        checks: Vec::new(),
        sections: vec![],
        alternatives: vec![],
        message_templates: vec![],
        markdown: String::new(),
        deploy_api_inferred: Default::default(),
    }
}

pub(super) fn report(records: &[Record], runbook: Option<&Runbook>) -> Report {
    build(&Progress::replay(records), records, runbook)
}

#[test]
fn markdown_with_the_runbook() {
    let records = incident();
    let mut r = report(&records, Some(&runbook()))
        .with_session_id("20261122-015203-checkout-api-rollback-3f2a");
    r.warnings
        .push("journal.jsonl line 26: dropped a torn last line".into());
    insta::assert_snapshot!(to_markdown(&r));
}

#[test]
fn markdown_from_the_journal_alone() {
    let records = incident();
    insta::assert_snapshot!(to_markdown(&report(&records, None)));
}

#[test]
fn overview_durations_and_people() {
    let r = report(&incident(), Some(&runbook()));
    assert_eq!(r.title, "Checkout API rollback");
    assert_eq!(r.started_at, Some(t0()));
    assert_eq!(r.closed_at, Some(t0() + Duration::seconds(730)));
    assert_eq!(r.duration_secs, Some(730));
    assert_eq!(r.actors, [ALICE, BOB]);
    assert_eq!(r.journal.records, 25);
}

#[test]
fn a_phase_lasts_until_the_next_phase_entry_or_the_session_end() {
    let r = report(&incident(), Some(&runbook()));
    let totals: Vec<(&str, i64, usize)> = r
        .phases
        .iter()
        .map(|p| (p.title.as_str(), p.total_secs, p.visits.len()))
        .collect();
    assert_eq!(
        totals,
        [
            ("Pre-rollback checklist", 90, 1),
            ("Execution", 245, 1),
            ("Verification", 310, 1),
            ("Communication", 80, 1),
            ("Post-rollback", 0, 0),
        ]
    );
}

#[test]
fn revisited_phases_add_up() {
    let records = journal(vec![
        (0, ALICE, phase(0, "Prepare")),
        (10, ALICE, phase(1, "Execute")),
        (25, ALICE, phase(0, "Prepare")),
        (27, ALICE, phase(1, "Execute")),
        (60, ALICE, Entry::SessionClosed),
    ]);
    let r = report(&records, None);
    let prepare = &r.phases[0];
    assert_eq!(
        (prepare.title.as_str(), prepare.total_secs),
        ("Prepare", 12)
    );
    assert_eq!(prepare.visits.len(), 2);
    assert_eq!(
        (r.phases[1].title.as_str(), r.phases[1].total_secs),
        ("Execute", 48)
    );
}

#[test]
fn checklist_has_who_and_when_and_open_items() {
    let r = report(&incident(), Some(&runbook()));
    assert_eq!(r.checklist.len(), 8);
    assert_eq!(
        r.checklist[0].status,
        ItemStatus::Done {
            at: t0() + Duration::seconds(20),
            actor: ALICE.into()
        }
    );
    assert!(
        matches!(&r.checklist[2].status, ItemStatus::Skipped { reason, .. } if reason == "already frozen by CI")
    );
    assert_eq!(r.checklist[7].title, "Schedule the post-mortem");
    assert_eq!(r.checklist[7].status, ItemStatus::Open);
    assert_eq!(r.checklist[7].phase.as_deref(), Some("Post-rollback"));
}

#[test]
fn an_unticked_item_is_open_again() {
    let records = journal(vec![
        (0, ALICE, tick(0, "Page on-call")),
        (
            5,
            ALICE,
            Entry::StepUnticked {
                step: StepId(0),
                title: "Page on-call".into(),
            },
        ),
    ]);
    let r = report(&records, None);
    assert_eq!(r.checklist.len(), 1);
    assert_eq!(r.checklist[0].status, ItemStatus::Open);
}

#[test]
fn commands_have_results_and_an_interrupted_run_is_marked() {
    let r = report(&incident(), None);
    let results: Vec<(u32, RunStatus, &str, Option<u64>)> = r
        .commands
        .iter()
        .map(|c| (c.run, c.status, c.result.as_str(), c.duration_ms))
        .collect();
    assert_eq!(
        results,
        [
            (1, RunStatus::Succeeded, "exit 0", Some(812)),
            (
                2,
                RunStatus::Interrupted,
                "interrupted (session ended while running)",
                None
            ),
            (3, RunStatus::Succeeded, "exit 0", Some(4_210)),
            (4, RunStatus::Failed, "exit 22", Some(1_300)),
        ]
    );
}

/// The console died between two lines of a block: the line that ran reads exit 0, and
/// the report says the block stopped after it.
#[test]
fn a_block_that_stopped_between_two_lines_says_where() {
    let records = journal(vec![
        (0, ALICE, started(1, 1, "line 1/3: kubectl get pods")),
        (1, ALICE, finished(1, 1, Some(0), 40)),
        (
            90,
            ALICE,
            Entry::SessionResumed {
                host: "ops-laptop".into(),
            },
        ),
    ]);
    let r = report(&records, None);
    assert_eq!(r.commands[0].status, RunStatus::Succeeded);
    assert_eq!(
        r.commands[0].result,
        "exit 0; the block stopped after line 1/3: the lines after it did not run"
    );
}

#[test]
fn a_run_at_the_end_of_an_open_session_has_no_outcome_yet() {
    let records = journal(vec![
        (0, ALICE, started(0, 1, "kubectl rollout status deploy/x")),
        (
            1,
            ALICE,
            Entry::CommandStarted {
                step: StepId(1),
                run: 2,
                command: "sleep 1".into(),
            },
        ),
        (
            2,
            ALICE,
            Entry::CommandFinished {
                step: StepId(1),
                run: 2,
                exit_code: None,
                duration_ms: 900,
                cancelled: true,
            },
        ),
        (3, ALICE, started(2, 3, "false")),
        (4, ALICE, finished(2, 3, None, 10)),
    ]);
    let r = report(&records, None);
    let statuses: Vec<RunStatus> = r.commands.iter().map(|c| c.status).collect();
    assert_eq!(
        statuses,
        [
            RunStatus::NoOutcome,
            RunStatus::Cancelled,
            RunStatus::Killed
        ]
    );
    assert_eq!(r.closed_at, None);
    let mut stopped = r.clone();
    stopped.mark_console_stopped();
    assert_eq!(stopped.commands[0].status, RunStatus::Interrupted);
    assert_eq!(
        stopped.commands[0].result,
        "interrupted (session ended while running)"
    );
    assert_eq!(stopped.commands[1].status, RunStatus::Cancelled);
    assert!(
        to_markdown(&r).contains("| Closed | not closed (last activity 2026-11-22 01:52:07Z) |")
    );
}

#[test]
fn resumes_say_how_long_the_console_was_away() {
    let r = report(&incident(), None);
    assert_eq!(
        r.resumes,
        [ResumeReport {
            at: t0() + Duration::seconds(300),
            actor: BOB.into(),
            host: "bastion".into(),
            gap_secs: Some(180),
        }]
    );
}

#[test]
fn timeline_has_one_line_per_record() {
    let records = incident();
    let r = report(&records, None);
    assert_eq!(r.timeline.len(), records.len());
    let md = to_markdown(&r);
    assert!(md.contains(
        "2026-11-22 01:52:23Z  alice@ops-laptop  ticked #1 \"Confirm on-call is paged\"\n"
    ));
    assert!(md.contains(
        "bob@bastion       note: Customer impact: ~18 min of elevated 5xx. ↵ Follow-up: INC-4711.\n"
    ));
}

#[test]
fn secrets_never_reach_the_report() {
    let records = journal(vec![
        (
            0,
            ALICE,
            Entry::PlaceholderBound {
                name: "db_password".into(),
                value: "should-not-be-here".into(),
                secret: false,
            },
        ),
        (
            1,
            ALICE,
            started(0, 1, "psql postgres://app:pa55@db/app -c 'select 1'"),
        ),
        (
            2,
            ALICE,
            Entry::NoteAdded {
                text: "used token ghp_abcdef123456 to page".into(),
                step: None,
            },
        ),
    ]);
    let mut r = report(&records, None);
    r.redact(&Redactor::new(["ghp_abcdef123456"]));
    let md = to_markdown(&r);
    let json = serde_json::to_string(&r).unwrap();
    for secret in ["should-not-be-here", "pa55", "ghp_abcdef123456"] {
        assert!(!md.contains(secret), "{secret} leaked into markdown:\n{md}");
        assert!(!json.contains(secret), "{secret} leaked into JSON");
    }
    assert!(md.contains("bound db_password = ‹redacted›"));
    assert!(md.contains("postgres://app:‹redacted›@db/app"));
}

#[test]
fn json_has_the_same_facts() {
    let r = report(&incident(), Some(&runbook())).with_session_id("s1");
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["session_id"], "s1");
    assert_eq!(v["duration_secs"], 730);
    assert_eq!(v["commands"][1]["status"], "interrupted");
    assert_eq!(v["checklist"][7]["status"]["status"], "open");
    assert_eq!(v["checklist"][0]["status"]["actor"], ALICE);
    assert_eq!(v["phases"][2]["total_secs"], 310);
    assert_eq!(v["timeline"][2]["kind"], "step_ticked");
    assert_eq!(v["started_at"], "2026-11-22T01:52:03Z");
}

#[test]
fn an_empty_journal_still_renders() {
    let md = to_markdown(&report(&[], None));
    assert!(md.starts_with("# Incident report: untitled session\n"));
    assert!(md.contains("No phase was entered."));
    assert!(md.contains("No commands were run."));
}

#[test]
fn a_command_step_whose_latest_run_succeeded_is_done_as_in_the_console() {
    let mut rb = runbook();
    let command = StepKind::Command(crate::domain::runbook::CommandBlock {
        lang: "sh".into(),
        script: "kubectl rollout undo deployment/checkout-api".into(),
        lines: vec![],
        foreign: vec![],
    });
    rb.phases[1].steps[1].kind = command.clone();
    rb.phases[1].steps[0].kind = command;
    let records = journal(vec![
        (
            0,
            "alice@laptop",
            started(4, 1, "kubectl rollout undo deployment/checkout-api"),
        ),
        (2, "alice@laptop", finished(4, 1, Some(0), 1500)),
        (
            3,
            "alice@laptop",
            started(3, 2, "kubectl rollout history deployment/checkout-api"),
        ),
        (4, "alice@laptop", finished(3, 2, Some(1), 300)),
    ]);
    let progress = Progress::replay(&records);
    let r = report(&records, Some(&rb));
    // Step #5 (index 4) ran and succeeded: done, exactly as the console counts it.
    assert!(progress.is_finished(StepId(4), true));
    assert!(
        matches!(&r.checklist[4].status, ItemStatus::Ran { run: 1, actor, .. } if actor == "alice@laptop")
    );
    // Step #4 (index 3) failed its run: still open.
    assert!(!progress.is_finished(StepId(3), true));
    assert_eq!(r.checklist[3].status, ItemStatus::Open);
    let md = to_markdown(&r);
    assert!(
        md.contains("| #5 | Roll back to revision 41 | done: run 1 exited 0 | alice@laptop |"),
        "{md}"
    );
    assert!(md.contains("- Steps: 1 done, 0 skipped, 7 open"), "{md}");
}

/// A drill's rehearsal is journaled as a run that exited 0 (the drill counts the step as
/// worked), but the report says what happened: nothing ran — in the checklist and in the
/// timeline — and never "exited 0".
#[test]
fn a_rehearsed_step_is_reported_as_nothing_ran() {
    let mut rb = runbook();
    rb.phases[1].steps[1].kind = StepKind::Command(crate::domain::runbook::CommandBlock {
        lang: "sh".into(),
        script: "curl -X POST https://deploy.example/rollback".into(),
        lines: vec![],
        foreign: vec![],
    });
    let records = journal(vec![
        (
            0,
            "alice@laptop",
            started(
                4,
                1,
                &format!(
                    "{}curl -X POST https://deploy.example/rollback",
                    crate::domain::progress::REHEARSAL_PREFIX
                ),
            ),
        ),
        (0, "alice@laptop", finished(4, 1, Some(0), 0)),
    ]);
    let r = report(&records, Some(&rb));
    assert!(
        matches!(&r.checklist[4].status, ItemStatus::Rehearsed { run: 1, .. }),
        "{:?}",
        r.checklist[4].status
    );
    let md = to_markdown(&r);
    assert!(
        md.contains("| rehearsed in the drill (run 1): nothing ran | alice@laptop |"),
        "{md}"
    );
    assert!(
        md.contains("run 1 of #5: rehearsed in the drill, nothing ran"),
        "{md}"
    );
    assert!(!md.contains("exited 0"), "{md}");
    assert!(
        md.contains("| rehearsed in the drill: nothing ran | - |"),
        "{md}"
    );
    assert!(!md.contains("exit 0"), "{md}");
    assert_eq!(r.commands[0].status, RunStatus::Rehearsed);
    assert_eq!(r.commands[0].exit_code, None);
    assert!(
        md.contains("- Commands: 1 runs (1 rehearsed in the drill)"),
        "{md}"
    );
}
