use super::*;
use crate::domain::journal::testing::{build, t0, varied};
use crate::domain::redact::REDACTED;

fn replay(entries: Vec<Entry>) -> Progress {
    let (records, _) = build(entries.into_iter().map(|e| ("alice@ops", e)).collect());
    Progress::replay(&records)
}

fn tick(n: u32) -> Entry {
    Entry::StepTicked {
        step: StepId(n),
        title: format!("step {n}"),
    }
}

#[test]
fn applying_one_by_one_equals_replay() {
    let (records, _) = varied();
    let mut live = Progress::default();
    for r in &records {
        live.apply(r);
    }
    assert_eq!(live, Progress::replay(&records));
    assert_eq!(live.last_seq, records.len() as u64);
}

#[test]
fn tick_untick_and_skip() {
    let p = replay(vec![
        tick(0),
        tick(1),
        Entry::StepUnticked {
            step: StepId(1),
            title: "step 1".into(),
        },
        Entry::StepSkipped {
            step: StepId(2),
            title: "step 2".into(),
            reason: "n/a".into(),
        },
    ]);
    assert!(
        matches!(p.state(StepId(0)), Some(StepState::Done { actor, .. }) if actor == "alice@ops")
    );
    assert_eq!(p.state(StepId(1)), None);
    assert!(
        matches!(p.state(StepId(2)), Some(StepState::Skipped { reason, .. }) if reason == "n/a")
    );
}

#[test]
fn command_runs_are_matched_by_run_number() {
    let p = replay(vec![
        Entry::CommandStarted {
            step: StepId(3),
            run: 1,
            command: "a".into(),
        },
        Entry::CommandStarted {
            step: StepId(4),
            run: 2,
            command: "b".into(),
        },
        Entry::CommandFinished {
            step: StepId(3),
            run: 1,
            exit_code: Some(0),
            duration_ms: 5,
            cancelled: false,
        },
    ]);
    assert!(
        p.runs[0]
            .finished
            .as_ref()
            .is_some_and(CommandOutcome::succeeded)
    );
    assert_eq!(p.runs[1].finished, None);
    assert_eq!(p.last_run(StepId(4)).map(|r| r.run), Some(2));
    assert_eq!(p.next_run_number(), 3);
}

#[test]
fn secret_bindings_are_never_restored() {
    let p = replay(vec![
        Entry::PlaceholderBound {
            name: "service-name".into(),
            value: "checkout-api".into(),
            secret: false,
        },
        Entry::PlaceholderBound {
            name: "TOKEN".into(),
            value: REDACTED.into(),
            secret: true,
        },
    ]);
    assert_eq!(
        p.bindings.get("service-name").map(String::as_str),
        Some("checkout-api")
    );
    assert!(!p.bindings.contains_key("TOKEN"));
}

#[test]
fn a_resume_reopens_a_closed_session() {
    let closed = replay(vec![tick(0), Entry::SessionClosed]);
    assert!(closed.closed_at.is_some());
    let reopened = replay(vec![
        tick(0),
        Entry::SessionClosed,
        Entry::SessionResumed { host: "h".into() },
    ]);
    assert_eq!(reopened.closed_at, None);
    assert_eq!(reopened.resumed_at.len(), 1);
}

#[test]
fn phases_remember_their_first_entry() {
    let p = replay(vec![
        Entry::PhaseEntered {
            phase: 0,
            title: "Prepare".into(),
        },
        Entry::PhaseEntered {
            phase: 1,
            title: "Execute".into(),
        },
        Entry::PhaseEntered {
            phase: 0,
            title: "Prepare".into(),
        },
    ]);
    assert_eq!(p.phase_entered_at(0), Some(t0()));
    assert_eq!(p.phase_visits.len(), 3);
    assert_eq!(p.phase_entered_at(4), None);
}

fn choose(member: &str, previous: Option<&str>) -> Entry {
    Entry::AlternativeChosen {
        group: "alt-1".into(),
        member: member.into(),
        title: format!("Option {member}"),
        previous: previous.map(str::to_string),
        by: "alice@ops".into(),
    }
}

#[test]
fn the_latest_choice_of_a_group_wins_and_remembers_the_one_before() {
    let p = replay(vec![choose("B", None), choose("A", Some("B"))]);
    assert_eq!(p.chosen("alt-1"), Some("A"));
    assert_eq!(p.chosen("alt-2"), None);
    let c = &p.choices["alt-1"];
    assert_eq!(c.previous.as_deref(), Some("B"));
    assert_eq!(c.by, "alice@ops");
    assert_eq!(c.title, "Option A");
}

fn line(run: u32, command: &str) -> Entry {
    Entry::CommandStarted {
        step: StepId(4),
        run,
        command: command.into(),
    }
}

fn exit0(run: u32) -> Entry {
    Entry::CommandFinished {
        step: StepId(4),
        run,
        exit_code: Some(0),
        duration_ms: 5,
        cancelled: false,
    }
}

/// The console died between two lines of a three-line block: line 1/3 exited 0, but
/// the step is not done, and where the block stopped is known for resume.
#[test]
fn a_block_that_stopped_after_a_middle_line_is_not_done() {
    let p = replay(vec![line(1, "line 1/3: echo a"), exit0(1)]);
    assert!(!p.is_finished(StepId(4), true));
    assert_eq!(p.last_success(StepId(4)), None);
    assert_eq!(
        p.block_stopped(StepId(4)),
        Some(BlockStop {
            total: 3,
            ran: 1,
            interrupted: None
        })
    );

    // Died while line 2/3 ran: line 2 is where it was interrupted.
    let p = replay(vec![
        line(1, "line 1/3: echo a"),
        exit0(1),
        line(2, "line 2/3 (follow): kubectl get pods -w"),
    ]);
    assert!(!p.is_finished(StepId(4), true));
    assert_eq!(
        p.block_stopped(StepId(4)),
        Some(BlockStop {
            total: 3,
            ran: 1,
            interrupted: Some(2)
        })
    );

    // Every line ran: done, nothing stopped.
    let p = replay(vec![
        line(1, "line 1/2: echo a"),
        exit0(1),
        line(2, "line 2/2: echo b"),
        exit0(2),
    ]);
    assert!(p.is_finished(StepId(4), true));
    assert_eq!(p.block_stopped(StepId(4)), None);

    // A one-line block (journaled as its command) is done when it exits 0.
    let p = replay(vec![line(1, "echo a"), exit0(1)]);
    assert!(p.is_finished(StepId(4), true));
    assert_eq!(p.block_stopped(StepId(4)), None);
}

#[test]
fn a_step_done_by_action_is_done_with_the_action_number_until_unticked() {
    let undo = "kubectl rollout undo deployment/web -n shop";
    let done = Entry::StepDoneByAction {
        step: StepId(4),
        title: "Roll back".into(),
        action: undo.into(),
    };
    let mut entries = vec![
        Entry::ClusterActionRequested {
            action: "kubectl rollout pause deployment/web -n shop".into(),
            target: "ctx/shop/web".into(),
            change: None,
        },
        Entry::ClusterActionRequested {
            action: undo.into(),
            target: "ctx/shop/web".into(),
            change: None,
        },
        Entry::ClusterActionFinished {
            action: undo.into(),
            outcome: "deployment.apps/web rolled back".into(),
            ok: true,
        },
        done,
    ];
    let p = replay(entries.clone());
    assert!(p.is_finished(StepId(4), true));
    assert!(matches!(p.state(StepId(4)), Some(StepState::Done { .. })));
    let by = &p.done_by_action[&StepId(4)];
    assert_eq!(by.number, Some(2));
    assert_eq!(by.action, undo);
    entries.push(Entry::StepUnticked {
        step: StepId(4),
        title: "Roll back".into(),
    });
    let p = replay(entries);
    assert_eq!(p.state(StepId(4)), None);
    assert!(p.done_by_action.is_empty());
}
