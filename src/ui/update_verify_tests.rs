//! The verification sub-reducer, driven like an operator.

use std::path::Path;
use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::runbook::{self, StepId};
use crate::domain::verify::{Failure, Observation, Outcome, Verdict};
use crate::ui::effect::{ClusterEffect, Effect, JournalEffect};
use crate::ui::keymap::Keymap;
use crate::ui::msg::Msg;
use crate::ui::state::verification::{CheckStatus, VerifyEffect, VerifyMsg};
use crate::ui::state::{App, Layer, SessionInfo};
use crate::ui::testkit::*;
use crate::ui::theme::Theme;
use crate::ui::update::update;

pub(crate) const RUNBOOK: &str = r#"---
target: { namespace: checkout, deployment: checkout-api }
metrics: { queries: { error_rate: "sum(rate(errors[2m]))" } }
verify:
  - { name: health, http: { url: "http://checkout.internal/healthz", json_pointer: /status, equals: ok }, window: 15m, every: 1m }
  - { name: errors, promql: "error_rate < 0.02", window: 15m, every: 1m }
  - { name: smoke, shell: ./smoke.sh --quick }
---
# Checkout rollback

## Roll back

- [ ] Undo the release

## Verify

- [ ] Customers can check out

## Communicate

- [ ] Post the all-clear
"#;

/// A console on [`RUNBOOK`] with the cursor on step `#n`.
pub(crate) fn verify_app(step: u32) -> App {
    let book = runbook::parse(Path::new("checkout.md"), RUNBOOK).expect("loads");
    let mut app = App::new(
        book,
        SessionInfo {
            id: "20261122-030000-checkout-rollback-1a2b".into(),
            actor: "alice@laptop".into(),
        },
        Vec::new(),
        Theme::dark(),
        Keymap::defaults(),
        t0(),
    );
    app.size = (120, 40);
    app.cursor = app.flat_index_of(StepId(step - 1)).expect("step");
    app
}

pub(crate) fn sample(check: usize, run: u64, n: u32, o: Observation, left: u64) -> Msg {
    Msg::Verify(VerifyMsg::Sample {
        check,
        run,
        sample: n,
        observation: o,
        time_left: Some(Duration::from_secs(left)),
        passed: n,
        expected: 16,
    })
}

pub(crate) fn finished(check: usize, run: u64, outcome: Outcome) -> Msg {
    Msg::Verify(VerifyMsg::Finished {
        check,
        run,
        outcome,
    })
}

pub(crate) fn pass(seen: &str) -> Observation {
    Observation::Pass { seen: seen.into() }
}

pub(crate) fn failed_outcome() -> Outcome {
    Outcome::Failed(Failure {
        sample: 3,
        at: Duration::from_secs(120),
        seen: "HTTP 503".into(),
        limit: Some("HTTP 200".into()),
    })
}

/// The (check, run) of every start effect.
fn starts(fx: &[Effect]) -> Vec<(usize, u64)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Verify(VerifyEffect::Start { check, run, .. }) => Some((*check, *run)),
            _ => None,
        })
        .collect()
}

fn status(app: &App, check: usize) -> &CheckStatus {
    &app.verification.checks[check].status
}

#[test]
fn checks_come_from_the_runbook_under_their_steps() {
    let app = verify_app(3);
    let names: Vec<(&str, String)> = app
        .verification
        .checks
        .iter()
        .map(|c| (c.check.name.as_str(), c.check.step.to_string()))
        .collect();
    assert_eq!(
        names,
        [
            ("health", "#3".to_string()),
            ("errors", "#4".to_string()),
            ("smoke", "#5".to_string())
        ]
    );
}

#[test]
fn a_check_samples_only_once_its_start_is_on_disk() {
    let mut app = verify_app(3);
    let fx = update(&mut app, key('v'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Verify(_))),
        "nothing runs before the record is written: {fx:?}"
    );
    assert_eq!(*status(&app, 0), CheckStatus::Starting { run: 1 });
    let (others, written) = settle(&mut app, fx);
    assert_eq!(starts(&others), [(0, 1)]);
    assert!(matches!(
        written.last(),
        Some(Entry::VerificationStarted { check, window_secs: Some(900), description })
            if check == "health" && description.contains("GET http://checkout.internal/healthz")
    ));
    assert!(matches!(
        status(&app, 0),
        CheckStatus::Watching {
            run: 1,
            last: None,
            ..
        }
    ));
    // Pressing again while it runs starts nothing new.
    let (fx, written) = send(&mut app, key('v'));
    assert!(fx.is_empty() && written.is_empty());
}

#[test]
fn a_pass_shows_only_after_its_record_and_ticks_the_check_step() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    send(&mut app, sample(0, 1, 1, pass("HTTP 200 in 4ms"), 900));
    let CheckStatus::Watching {
        last: Some(last), ..
    } = status(&app, 0)
    else {
        panic!("{:?}", status(&app, 0))
    };
    assert_eq!(
        (last.passed, last.time_left),
        (1, Some(Duration::from_secs(900)))
    );
    let outcome = Outcome::Passed {
        samples: 16,
        last_seen: "HTTP 200 in 5ms".into(),
    };
    let fx = update(&mut app, finished(0, 1, outcome.clone()));
    assert!(
        matches!(status(&app, 0), CheckStatus::Saving { .. }),
        "not passed yet"
    );
    let (_, written) = settle(&mut app, fx);
    assert_eq!(
        written,
        [
            Entry::VerificationFinished {
                check: "health".into(),
                passed: true,
                detail: "16 samples passed; last: HTTP 200 in 5ms".into(),
                cut_short: None,
                outcome: Some(Verdict::Passed),
            },
            Entry::StepTicked {
                step: StepId(2),
                title: app.find_step(StepId(2)).unwrap().title.clone(),
            },
        ]
    );
    assert_eq!(*status(&app, 0), CheckStatus::Finished { outcome });
}

#[test]
fn stale_windows_are_ignored() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    let (fx, written) = send(&mut app, finished(0, 7, failed_outcome()));
    assert!(fx.is_empty() && written.is_empty());
    assert!(matches!(
        status(&app, 0),
        CheckStatus::Watching { run: 1, .. }
    ));
}

#[test]
fn a_failure_offers_the_next_moves() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    let (_, written) = send(&mut app, finished(0, 1, failed_outcome()));
    assert!(matches!(
        &written[..],
        [Entry::VerificationFinished { passed: false, detail, .. }]
            if detail == "sample 3 at 2m: HTTP 503 (limit: HTTP 200)"
    ));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::NextMoves { check: 0 })
    ));

    // Keep watching: the window starts again (journaled anew).
    let (fx, written) = send(&mut app, key('w'));
    assert!(app.layers.is_empty());
    assert!(
        matches!(&written[..], [Entry::VerificationStarted { check, .. }] if check == "health")
    );
    assert_eq!(starts(&fx), [(0, 2)]);
    assert_eq!(fx.len(), 1);

    // Escalate: a note about the failure, with the communication phase selected.
    send(&mut app, finished(0, 2, failed_outcome()));
    send(&mut app, key('e'));
    let Some(Layer::Note(note)) = app.layers.last() else {
        panic!("a note editor")
    };
    assert_eq!(
        note.input.lines().join("\n"),
        "Escalating: check health failed: sample 3 at 2m: HTTP 503 (limit: HTTP 200)"
    );
    assert_eq!(app.selected().unwrap().title, "Post the all-clear");
    let (_, written) = send(&mut app, ctrl('s'));
    assert!(
        matches!(&written[..], [Entry::NoteAdded { text, .. }] if text.starts_with("Escalating"))
    );

    // Undo further without a cluster says so.
    send(&mut app, key('k'));
    app.cursor = app.flat_index_of(StepId(2)).unwrap();
    send(&mut app, key('v'));
    send(&mut app, finished(0, 3, failed_outcome()));
    send(&mut app, key('u'));
    assert!(app.layers.is_empty());
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("No cluster connected")
    );
}

#[test]
fn undo_further_opens_the_rollout_undo_flow() {
    let mut app = verify_app(3);
    let cluster = rollout_focused(false).cluster.take().expect("cluster");
    app.cluster = Some(cluster);
    send(&mut app, key('v'));
    send(&mut app, finished(0, 1, failed_outcome()));
    let (fx, _) = send(&mut app, key('u'));
    assert_eq!(app.focus, crate::ui::state::Pane::Rollout);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Cluster(ClusterEffect::Preflight { .. }))),
        "the undo flow starts with its preflight: {fx:?}"
    );
}

#[test]
fn a_shell_check_asks_before_it_first_runs() {
    let mut app = verify_app(5);
    let (fx, written) = send(&mut app, key('v'));
    assert!(fx.is_empty() && written.is_empty());
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("a confirmation")
    };
    assert_eq!(c.body, ["./smoke.sh --quick"]);
    let (fx, _) = send(&mut app, key('y'));
    assert_eq!(starts(&fx), [(2, 1)]);
    // Once confirmed, keep watching does not ask again.
    send(&mut app, finished(2, 1, failed_outcome()));
    let (fx, _) = send(&mut app, key('w'));
    assert_eq!(starts(&fx), [(2, 2)]);
}

#[test]
fn cutting_a_window_short_asks_why_and_journals_it() {
    let mut app = verify_app(4);
    send(&mut app, key('v'));
    send(&mut app, key('w'));
    assert!(matches!(app.layers.last(), Some(Layer::Prompt(_))));
    typed(&mut app, "customers confirm checkout works");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    assert_eq!(
        fx,
        [Effect::Verify(VerifyEffect::CutShort {
            check: 1,
            run: 1,
            reason: "customers confirm checkout works".into()
        })]
    );
    let outcome = Outcome::CutShort {
        reason: "customers confirm checkout works".into(),
        at: Duration::from_secs(240),
        samples_passed: 5,
        last_seen: Some("error_rate = 0.004".into()),
    };
    let (_, written) = send(&mut app, finished(1, 1, outcome));
    assert_eq!(
        written[0],
        Entry::VerificationFinished {
            check: "errors".into(),
            passed: true,
            detail: "cut short at 4m: 5 samples passed; last: error_rate = 0.004".into(),
            cut_short: Some("customers confirm checkout works".into()),
            outcome: Some(Verdict::Passed),
        }
    );
    // Nothing is running any more.
    send(&mut app, key('w'));
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("No verification window")
    );
}

#[test]
fn a_failed_start_record_leaves_the_check_idle() {
    let mut app = verify_app(3);
    let fx = update(&mut app, key('v'));
    let reqs: Vec<u64> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(JournalEffect::Append { req, .. }) => Some(*req),
            _ => None,
        })
        .collect();
    for req in reqs {
        let fx = update(
            &mut app,
            Msg::Journaled {
                req,
                result: Err("disk full".into()),
            },
        );
        assert!(fx.is_empty());
    }
    assert_eq!(*status(&app, 0), CheckStatus::Idle);
}

#[test]
fn a_resumed_console_shows_what_the_journal_says() {
    let book = runbook::parse(Path::new("checkout.md"), RUNBOOK).expect("loads");
    let records = vec![
        record(
            1,
            Entry::VerificationStarted {
                check: "health".into(),
                description: "GET …".into(),
                window_secs: Some(900),
            },
            t0(),
        ),
        record(
            2,
            Entry::VerificationFinished {
                check: "health".into(),
                passed: false,
                detail: "sample 3 at 2m: HTTP 503 (limit: HTTP 200)".into(),
                cut_short: None,
                // Written before outcomes existed: `passed` alone decides.
                outcome: None,
            },
            t0(),
        ),
        record(
            3,
            Entry::VerificationStarted {
                check: "errors".into(),
                description: "error_rate < 0.02".into(),
                window_secs: Some(900),
            },
            t0(),
        ),
    ];
    let app = App::new(
        book,
        SessionInfo {
            id: "s".into(),
            actor: "alice@laptop".into(),
        },
        records,
        Theme::dark(),
        Keymap::defaults(),
        t0(),
    );
    assert_eq!(
        *status(&app, 0),
        CheckStatus::Recorded {
            verdict: Verdict::Failed,
            detail: "sample 3 at 2m: HTTP 503 (limit: HTTP 200)".into(),
            cut_short: None,
        }
    );
    assert_eq!(*status(&app, 1), CheckStatus::Idle, "interrupted: not run");
    assert_eq!(*status(&app, 2), CheckStatus::Idle);
}

#[test]
fn placeholders_in_a_check_are_asked_for_then_filled_in() {
    let text = RUNBOOK.replace("checkout.internal", "<health-host>");
    let book = runbook::parse(Path::new("checkout.md"), &text).expect("loads");
    let mut app = App::new(
        book,
        SessionInfo {
            id: "s".into(),
            actor: "alice@laptop".into(),
        },
        Vec::new(),
        Theme::dark(),
        Keymap::defaults(),
        t0(),
    );
    app.cursor = app.flat_index_of(StepId(2)).unwrap();
    let (fx, written) = send(&mut app, key('v'));
    assert!(fx.is_empty() && written.is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Prompt(_))));
    typed(&mut app, "checkout.prod.internal");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(&written[0], Entry::PlaceholderBound { name, .. } if name == "health-host"));
    assert!(matches!(
        &written.last(),
        Some(Entry::VerificationStarted { description, .. })
            if description.starts_with("GET http://checkout.prod.internal/healthz")
    ));
    let Some(Effect::Verify(VerifyEffect::Start {
        probe: crate::domain::verify::Probe::Http(h),
        ..
    })) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(h.url, "http://checkout.prod.internal/healthz");
}

#[test]
fn a_failure_while_writing_a_note_waits_under_the_editor() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    send(&mut app, key('n'));
    assert!(matches!(app.layers.last(), Some(Layer::Note(_))));
    send(&mut app, finished(0, 1, failed_outcome()));
    assert!(
        matches!(app.layers.last(), Some(Layer::Note(_))),
        "the note keeps the keys"
    );
    send(&mut app, code(KeyCode::Esc));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::NextMoves { check: 0 })
    ));
}

#[test]
fn quitting_mid_window_records_it_as_cut_short_by_the_quit_then_quits() {
    let mut app = verify_app(3);
    send(&mut app, key('v'));
    send(
        &mut app,
        sample(0, 1, 4, pass("HTTP 200, /status = ok"), 660),
    );
    app.now += chrono::Duration::seconds(240);
    let fx = update(&mut app, key('q'));
    assert!(!app.quitting, "not before the record is on disk");
    let (others, written) = settle(&mut app, fx);
    assert_eq!(
        written,
        [Entry::VerificationFinished {
            check: "health".into(),
            passed: false,
            detail: "watched 4m: 4 of 4 samples held, last seen HTTP 200, /status = ok".into(),
            cut_short: Some("the console quit before the window ended".into()),
            outcome: None,
        }]
    );
    assert_eq!(others, [Effect::Quit]);
    assert!(app.quitting);

    // Resumed, the check is one to run again, not a failure.
    let book = app.runbook.clone();
    let restored = crate::ui::state::verification::Verification::restore(
        &book,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    assert_eq!(restored.checks[0].status, CheckStatus::Idle);
}

#[test]
fn quitting_with_no_window_open_writes_nothing_about_verification() {
    let mut app = verify_app(3);
    let fx = update(&mut app, key('q'));
    assert_eq!(fx, [Effect::Quit]);
}

#[test]
fn a_simulated_drill_does_not_start_a_shell_check_that_would_reach_beyond_it() {
    // Check `smoke` (step #5) runs ./smoke.sh: not known to stay local.
    let mut app = verify_app(5);
    app.rehearse_outside_commands = true;
    let fx = update(&mut app, key('v'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(app.layers.is_empty(), "no confirmation");
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("check smoke runs ./smoke.sh, which would reach beyond the simulator"),
        "{:?}",
        app.flash
    );
    assert!(app.verification.checks.iter().all(|c| !c.is_active()));
}
