//! Behaviour of the reducer, driven as an operator would drive it.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::progress::{Progress, StepState};
use crate::domain::runbook::StepId;

use crate::ui::effect::Effect;
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::{Layer, Pane};
use crate::ui::testkit::*;
use crate::ui::update::update;

#[test]
fn ticking_journals_first_and_shows_done_only_after_the_record_is_on_disk() {
    let mut app = app();
    let fx = update(&mut app, key(' '));
    let Some(Effect::Journal {
        req: enter_req,
        entry: Entry::PhaseEntered { phase: 0, .. },
    }) = fx.first().cloned()
    else {
        panic!("first effect should enter the phase: {fx:?}")
    };
    let Some(Effect::Journal {
        req,
        entry: Entry::StepTicked {
            step: StepId(0), ..
        },
    }) = fx.get(1).cloned()
    else {
        panic!("second effect should tick: {fx:?}")
    };
    assert_eq!(
        app.progress.state(StepId(0)),
        None,
        "not done before the record is on disk"
    );
    assert!(app.is_pending(StepId(0)));
    update(
        &mut app,
        Msg::Journaled {
            req: enter_req,
            result: Ok(record(
                2,
                Entry::PhaseEntered {
                    phase: 0,
                    title: "p".into(),
                },
                t0(),
            )),
        },
    );
    update(
        &mut app,
        Msg::Journaled {
            req,
            result: Ok(record(
                3,
                Entry::StepTicked {
                    step: StepId(0),
                    title: "t".into(),
                },
                t0(),
            )),
        },
    );
    assert!(matches!(
        app.progress.state(StepId(0)),
        Some(StepState::Done { .. })
    ));
    assert!(!app.is_pending(StepId(0)));
    // A second press reopens it.
    let (_, written) = send(&mut app, key('x'));
    assert!(matches!(
        written.as_slice(),
        [Entry::StepUnticked {
            step: StepId(0),
            ..
        }]
    ));
    assert_eq!(app.progress.state(StepId(0)), None);
}

#[test]
fn a_failed_journal_write_leaves_the_step_open_and_says_so() {
    let mut app = app();
    let fx = update(&mut app, key(' '));
    for f in fx {
        if let Effect::Journal { req, .. } = f {
            update(
                &mut app,
                Msg::Journaled {
                    req,
                    result: Err("No space left on device".into()),
                },
            );
        }
    }
    assert_eq!(app.progress.state(StepId(0)), None);
    assert!(app.pending.is_empty());
    let flash = app.flash.as_ref().expect("a flash message");
    assert!(
        flash.text.contains("No space left on device"),
        "{}",
        flash.text
    );
}

#[test]
fn running_a_command_asks_for_placeholders_then_confirms_then_journals_before_spawning() {
    let mut app = app();
    update(&mut app, key('j'));
    update(&mut app, key('j'));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(2)));
    // r: the placeholder is asked for first.
    assert!(update(&mut app, key('r')).is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Prompt(_))));
    // Enter on an empty value is refused.
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Prompt(p)) if p.error.is_some()));
    typed(&mut app, "checkout-api");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty());
    assert_eq!(
        written,
        vec![Entry::PlaceholderBound {
            name: "service-name".into(),
            value: "checkout-api".into(),
            secret: false
        }]
    );
    // Now the confirmation shows the exact command.
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("expected a confirmation")
    };
    assert_eq!(
        c.body,
        vec!["kubectl rollout undo deployment/checkout-api -n checkout".to_string()]
    );
    // y: the start is journaled, and only then is the command spawned.
    let fx = update(&mut app, key('y'));
    assert!(
        fx.iter().all(|f| matches!(f, Effect::Journal { .. })),
        "nothing spawns before the journal: {fx:?}"
    );
    let (fx, written) = settle(&mut app, fx);
    assert!(
        matches!(written.last(), Some(Entry::CommandStarted { run: 1, command, .. }) if command == "kubectl rollout undo deployment/checkout-api -n checkout")
    );
    assert_eq!(
        fx,
        vec![Effect::Spawn {
            run: 1,
            script: "kubectl rollout undo deployment/checkout-api -n checkout".into(),
            env: vec![]
        }]
    );
    // Output streams in; the exit is journaled with its code and duration.
    update(
        &mut app,
        Msg::Output {
            run: 1,
            stream: Stream::Stdout,
            line: "deployment.apps/checkout-api rolled back".into(),
        },
    );
    assert_eq!(
        app.output.lines.back().map(|l| l.text.as_str()),
        Some("deployment.apps/checkout-api rolled back")
    );
    let (_, written) = send(
        &mut app,
        Msg::Exited {
            run: 1,
            exit_code: Some(0),
            duration_ms: 1200,
            cancelled: false,
        },
    );
    assert_eq!(
        written,
        vec![Entry::CommandFinished {
            step: StepId(2),
            run: 1,
            exit_code: Some(0),
            duration_ms: 1200,
            cancelled: false
        }]
    );
    assert!(app.running.is_none());
    assert!(app.is_finished(app.selected().expect("selected")));
    // Asked once per session: a second run goes straight to the confirmation.
    update(&mut app, key('r'));
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
}

#[test]
fn secret_placeholders_are_never_journaled_or_shown_but_reach_the_command() {
    let mut app = app();
    app.cursor = 3;
    update(&mut app, key('r'));
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("expected a prompt")
    };
    assert_eq!(p.input.mask_char(), Some('•'));
    typed(&mut app, "s3cr3t-t0ken");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert_eq!(
        written,
        vec![Entry::PlaceholderBound {
            name: "DEPLOY_TOKEN".into(),
            value: "<redacted>".into(),
            secret: true
        }]
    );
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("expected a confirmation")
    };
    assert!(c.body.iter().all(|l| !l.contains("s3cr3t")), "{:?}", c.body);
    assert!(c.body[0].contains("‹secret›"));
    let (fx, written) = send(&mut app, key('y'));
    for e in &written {
        assert!(
            !format!("{e:?}").contains("s3cr3t"),
            "secret in journal entry {e:?}"
        );
    }
    let Some(Effect::Spawn { script, env, .. }) = fx.first() else {
        panic!("expected a spawn: {fx:?}")
    };
    assert!(script.contains("Bearer s3cr3t-t0ken"));
    assert_eq!(
        env,
        &vec![("DEPLOY_TOKEN".to_string(), "s3cr3t-t0ken".to_string())]
    );
    // Replay (as on resume) forgets the secret: it will be asked again.
    let replayed = Progress::replay(&app.records);
    assert!(!replayed.bindings.contains_key("DEPLOY_TOKEN"));
}

#[test]
fn cancelling_the_confirmation_runs_nothing_and_writes_nothing() {
    let mut app = app();
    app.progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    let fx = update(&mut app, key('n'));
    assert!(fx.is_empty());
    assert!(app.layers.is_empty());
    assert!(app.running.is_none());
}

#[test]
fn ctrl_c_cancels_a_running_command_and_the_cancellation_is_journaled() {
    let mut app = app();
    app.progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    assert!(app.running.as_ref().is_some_and(|r| r.spawned));
    let fx = update(&mut app, ctrl('c'));
    assert_eq!(fx, vec![Effect::Cancel { run: 1 }]);
    let (_, written) = send(
        &mut app,
        Msg::Exited {
            run: 1,
            exit_code: None,
            duration_ms: 800,
            cancelled: true,
        },
    );
    assert_eq!(
        written,
        vec![Entry::CommandFinished {
            step: StepId(2),
            run: 1,
            exit_code: None,
            duration_ms: 800,
            cancelled: true
        }]
    );
    assert!(!app.is_finished(app.selected().expect("selected")));
}

#[test]
fn skipping_needs_a_reason() {
    let mut app = app();
    update(&mut app, key('s'));
    assert!(
        update(&mut app, code(KeyCode::Enter)).is_empty(),
        "empty reason refused"
    );
    typed(&mut app, "owner already paged by the bot");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(written.last(), Some(Entry::StepSkipped { step: StepId(0), reason, .. }) if reason == "owner already paged by the bot")
    );
    assert!(matches!(
        app.progress.state(StepId(0)),
        Some(StepState::Skipped { .. })
    ));
}

#[test]
fn notes_are_multi_line_and_saved_with_ctrl_s() {
    let mut app = app();
    update(&mut app, key('n'));
    typed(&mut app, "rollback started");
    update(&mut app, code(KeyCode::Enter));
    typed(&mut app, "paged db team");
    let (_, written) = send(&mut app, ctrl('s'));
    assert_eq!(
        written,
        vec![Entry::NoteAdded {
            text: "rollback started\npaged db team".into(),
            step: Some(StepId(0))
        }]
    );
    assert!(app.layers.is_empty());
    // An empty note is not saved.
    update(&mut app, key('n'));
    let (_, written) = send(&mut app, ctrl('s'));
    assert!(written.is_empty());
}

#[test]
fn navigation_moves_between_steps_phases_and_panes() {
    let mut app = app();
    update(&mut app, key(']'));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(2)));
    update(&mut app, key(']'));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(4)));
    update(&mut app, key(']'));
    assert_eq!(
        app.selected().map(|s| s.id),
        Some(StepId(4)),
        "stays on the last phase"
    );
    update(&mut app, key('['));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(2)));
    update(&mut app, key('g'));
    assert_eq!(app.cursor, 0);
    update(&mut app, key('G'));
    assert_eq!(app.cursor, 4);
    update(&mut app, code(KeyCode::Up));
    assert_eq!(app.cursor, 3);
    update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.focus, Pane::Output);
    update(&mut app, code(KeyCode::BackTab));
    assert_eq!(app.focus, Pane::Procedure);
}

#[test]
fn quitting_while_a_command_runs_cancels_it_journals_the_end_then_quits() {
    let mut app = app();
    app.progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    assert!(update(&mut app, key('q')).is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
    let fx = update(&mut app, key('y'));
    assert_eq!(fx, vec![Effect::Cancel { run: 1 }]);
    assert!(!app.quitting);
    let (fx, written) = send(
        &mut app,
        Msg::Exited {
            run: 1,
            exit_code: None,
            duration_ms: 50,
            cancelled: true,
        },
    );
    assert!(matches!(
        written.as_slice(),
        [Entry::CommandFinished {
            cancelled: true,
            ..
        }]
    ));
    assert_eq!(fx, vec![Effect::Quit]);
    assert!(app.quitting);
}

#[test]
fn closing_the_session_journals_it_and_quits() {
    let mut app = app();
    update(&mut app, key('Q'));
    let (fx, written) = send(&mut app, key('y'));
    assert_eq!(written, vec![Entry::SessionClosed]);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn replaying_the_journal_gives_exactly_the_live_state() {
    let mut app = app();
    send(&mut app, key(' '));
    send(&mut app, key('j'));
    update(&mut app, key('s'));
    typed(&mut app, "done by the bot");
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('j'));
    update(&mut app, key('r'));
    typed(&mut app, "checkout-api");
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('y'));
    send(
        &mut app,
        Msg::Exited {
            run: 1,
            exit_code: Some(2),
            duration_ms: 10,
            cancelled: false,
        },
    );
    update(&mut app, key('n'));
    typed(&mut app, "undo failed, retrying");
    send(&mut app, ctrl('s'));
    let replayed = Progress::replay(&app.records);
    assert_eq!(replayed, app.progress);
    assert_eq!(replayed.runs.len(), 1);
    assert_eq!(replayed.notes.len(), 1);
    assert_eq!(replayed.phase_visits.len(), 2);
}

#[test]
fn help_opens_over_everything_and_closes_with_esc() {
    let mut app = app();
    update(&mut app, key('?'));
    assert!(matches!(app.layers.last(), Some(Layer::Help { .. })));
    update(&mut app, key('j'));
    assert_eq!(app.cursor, 0, "keys go to the top layer");
    update(&mut app, code(KeyCode::Esc));
    assert!(app.layers.is_empty());
}
