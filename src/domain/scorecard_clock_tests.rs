//! The scorecard's clock: where it starts in the journal.

use super::score;
use super::tests::{ack, event, journal, rb, started, t, tick};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;

#[test]
fn the_clock_starts_at_the_first_drill_event_in_journal_order() {
    // An acknowledgement journaled before the drill event, stamped the same second, is
    // not the detection: the clock had not started (the stage clock is folded record by
    // record, and a record before the first `DrillEvent` never counts).
    let rb = rb();
    let before = journal(&[(0, started()), (10, ack("SEV-1")), (10, event("bad"))]);
    assert_eq!(score(&before, &rb).stages[0].reached_at, None);
    let after = journal(&[(0, started()), (10, event("bad")), (10, ack("SEV-1"))]);
    assert_eq!(score(&after, &rb).stages[0].secs, Some(0.0));
    // Steps finished before the clock count from its start.
    let ticked = journal(&[(0, tick(2)), (5, event("bad"))]);
    let card = score(&ticked, &rb);
    assert_eq!(
        card.stages[2].reached_at, None,
        "step 1 (the command) is not done"
    );
    let all = journal(&[
        (
            0,
            Entry::StepSkipped {
                step: StepId(1),
                title: String::new(),
                reason: "done by hand".into(),
            },
        ),
        (1, tick(2)),
        (5, event("bad")),
    ]);
    let card = score(&all, &rb);
    assert_eq!(card.stages[2].reached_at, Some(t(5)));
    assert_eq!(
        card.stages[2].by.as_deref(),
        Some("every execution step finished")
    );
}

/// A natively run block that opens with a comment is named by its first command, not by
/// the comment (`natively: # Roll back` said nothing about what ran).
#[test]
fn the_decision_is_named_by_the_blocks_first_command_not_its_comment() {
    let rb = rb();
    let records = journal(&[
        (0, event("bad")),
        (5, ack("SEV-1")),
        (
            15,
            Entry::CommandStarted {
                step: StepId(1),
                run: 1,
                command: "natively: # Rollback to previous version\nkubectl rollout undo deployment/web\n\n# Monitor\nkubectl rollout status deployment/web".into(),
            },
        ),
    ]);
    let card = score(&records, &rb);
    assert_eq!(
        card.stages[1].by.as_deref(),
        Some("natively: kubectl rollout undo deployment/web")
    );
}
