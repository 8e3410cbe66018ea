//! Behaviour of the reducer, driven as an operator would drive it.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::progress::{Progress, StepState};
use crate::domain::runbook::StepId;

use crate::ui::effect::{ClusterEffect, Effect, JournalEffect, MetricsEffect, ShellEffect};
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::{Layer, Pane};
use crate::ui::testkit::*;
use crate::ui::update::update;

#[test]
fn ticking_journals_first_and_shows_done_only_after_the_record_is_on_disk() {
    let mut app = app();
    let fx = update(&mut app, key(' '));
    let Some(Effect::Journal(JournalEffect::Append {
        req: enter_req,
        entry: Entry::PhaseEntered { phase: 0, .. },
    })) = fx.first().cloned()
    else {
        panic!("first effect should enter the phase: {fx:?}")
    };
    let Some(Effect::Journal(JournalEffect::Append {
        req,
        entry: Entry::StepTicked {
            step: StepId(0), ..
        },
    })) = fx.get(1).cloned()
    else {
        panic!("second effect should tick: {fx:?}")
    };
    assert_eq!(
        app.state.progress.state(StepId(0)),
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
        app.state.progress.state(StepId(0)),
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
    assert_eq!(app.state.progress.state(StepId(0)), None);
}

#[test]
fn a_failed_journal_write_leaves_the_step_open_and_says_so() {
    let mut app = app();
    let fx = update(&mut app, key(' '));
    for f in fx {
        if let Effect::Journal(JournalEffect::Append { req, .. }) = f {
            update(
                &mut app,
                Msg::Journaled {
                    req,
                    result: Err("No space left on device".into()),
                },
            );
        }
    }
    assert_eq!(app.state.progress.state(StepId(0)), None);
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
        vec![
            "kubectl rollout undo deployment/checkout-api -n checkout".to_string(),
            "⚠ line 1 changes: rollout undo deployment/checkout-api".to_string()
        ]
    );
    // y: the start is journaled, and only then is the command spawned.
    let fx = update(&mut app, key('y'));
    assert!(
        fx.iter()
            .all(|f| matches!(f, Effect::Journal(JournalEffect::Append { .. }))),
        "nothing spawns before the journal: {fx:?}"
    );
    let (fx, written) = settle(&mut app, fx);
    assert!(
        matches!(written.last(), Some(Entry::CommandStarted { run: 1, command, .. }) if command == "kubectl rollout undo deployment/checkout-api -n checkout")
    );
    assert_eq!(
        fx,
        vec![Effect::Shell(ShellEffect::Line {
            block: 1,
            run: 1,
            text: "kubectl rollout undo deployment/checkout-api -n checkout".into(),
            every_secs: None,
            env: vec![]
        })]
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
    let (fx, written) = send(
        &mut app,
        Msg::LineExited {
            block: 1,
            run: 1,
            exit_code: Some(0),
            shell_gone: false,
            duration_ms: 1200,
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
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::End { block: 1 })]);
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
    assert!(c.body[0].contains("‹redacted›"));
    let (fx, written) = send(&mut app, key('y'));
    for e in &written {
        assert!(
            !format!("{e:?}").contains("s3cr3t"),
            "secret in journal entry {e:?}"
        );
    }
    let Some(Effect::Shell(ShellEffect::Line { text, env, .. })) = fx.first() else {
        panic!("expected a shell line: {fx:?}")
    };
    assert!(text.contains("Bearer s3cr3t-t0ken"));
    assert_eq!(
        env,
        &vec![("DEPLOY_TOKEN".to_string(), "s3cr3t-t0ken".to_string())]
    );
    // Replay (as on resume) forgets the secret: it will be asked again.
    let replayed = Progress::replay(&app.records);
    assert!(!replayed.bindings.contains_key("DEPLOY_TOKEN"));
}

#[test]
fn declining_the_confirmation_runs_nothing_and_journals_it_as_declined() {
    let mut app = app();
    app.state
        .progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    let (fx, written) = send(&mut app, key('n'));
    assert!(fx.is_empty(), "nothing runs: {fx:?}");
    assert_eq!(
        written,
        vec![Entry::CommandDeclined {
            step: StepId(2),
            command: "kubectl rollout undo deployment/checkout-api -n checkout".into()
        }]
    );
    assert!(app.layers.is_empty());
    assert!(app.running.is_none());
    // Declined is not failed: no run, and the step is not finished.
    assert!(app.state.progress.last_run(StepId(2)).is_none());
    assert!(!app.is_finished(app.selected().expect("selected")));
    assert_eq!(
        crate::domain::report::describe(&written[0]),
        "#3 not run (declined): kubectl rollout undo deployment/checkout-api -n checkout"
    );
}

#[test]
fn ctrl_c_cancels_a_running_command_and_the_cancellation_is_journaled() {
    let mut app = app();
    app.state
        .progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    assert!(app.running.as_ref().is_some_and(|r| r.spawned));
    let fx = update(&mut app, ctrl('c'));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::Cancel { run: 1 })]);
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
        app.state.progress.state(StepId(0)),
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
    app.state
        .progress
        .bindings
        .insert("service-name".into(), "checkout-api".into());
    app.cursor = 2;
    update(&mut app, key('r'));
    send(&mut app, key('y'));
    assert!(update(&mut app, key('q')).is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
    let fx = update(&mut app, key('y'));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::Cancel { run: 1 })]);
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

/// The close confirmation's last line: a live session can be resumed; a drill on the
/// simulator cannot (its cluster ends with the process), so it points at the scorecard.
#[test]
fn closing_says_how_to_come_back_live_and_in_a_drill() {
    let body_of = |app: &crate::ui::state::App| match app.layers.last() {
        Some(Layer::Confirm(c)) => c.body.join("\n"),
        _ => panic!("expected the close confirmation on top"),
    };
    let mut live = app();
    update(&mut live, key('Q'));
    assert!(body_of(&live).contains("reopened with `backout resume`"));
    let mut drill = app();
    drill.rehearse_outside_commands = true;
    update(&mut drill, key('Q'));
    let body = body_of(&drill);
    assert!(body.contains("`backout drill --report`"), "{body}");
    assert!(!body.contains("backout resume"), "{body}");
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
    assert_eq!(replayed, app.state.progress);
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

#[test]
fn help_scrolls_no_further_than_its_last_line_so_k_answers_at_once() {
    fn scroll(app: &crate::ui::state::App) -> u16 {
        match app.layers.last() {
            Some(Layer::Help { scroll }) => *scroll,
            _ => panic!("the help is open"),
        }
    }
    let mut app = app();
    app.size = (120, 30);
    update(&mut app, key('?'));
    let max = crate::ui::popups::help::max_scroll(&app);
    assert!(max > 10, "the keys do not fit in 30 rows");
    for _ in 0..200 {
        update(&mut app, key('j'));
    }
    assert_eq!(scroll(&app), max);
    update(&mut app, key('k'));
    assert_eq!(scroll(&app), max - 1);
    update(&mut app, ctrl('u'));
    assert_eq!(scroll(&app), max - 11);
    for _ in 0..10 {
        update(&mut app, ctrl('u'));
    }
    assert_eq!(scroll(&app), 0);
}

// ---------------------------------------------------------------- metrics and matrix

mod metrics {
    use super::*;
    use crate::domain::decision::RuleState;

    fn severity_changes(written: &[Entry]) -> Vec<Entry> {
        written
            .iter()
            .filter(|e| matches!(e, Entry::SeverityChanged { .. }))
            .cloned()
            .collect()
    }

    /// A session resumed while SEV-1 was firing: the first refresh that still shows the
    /// error rate above the line keeps SEV-1 (firing at once, nothing journaled again).
    #[test]
    fn a_resumed_session_keeps_its_firing_severity_without_journaling_it_twice() {
        let mut app = app();
        app.runbook = metrics_runbook();
        let at = t0() + chrono::Duration::seconds(120);
        app.records.push(record(
            2,
            Entry::BaselineCaptured {
                values: [
                    ("error_rate".to_string(), 0.004),
                    ("latency_p95".to_string(), 0.2),
                ]
                .into_iter()
                .collect(),
                offset_secs: None,
            },
            t0(),
        ));
        app.records.push(record(
            3,
            Entry::SeverityChanged {
                from: None,
                to: Some("SEV-1".into()),
                rule: Some("error_rate > 0.10".into()),
            },
            at,
        ));
        app.metrics = crate::ui::state::metrics::LiveMetrics::for_runbook(
            &app.runbook,
            &crate::domain::session_state::SessionState::replay(&app.records),
            "x",
        );
        let (_, written) = send(
            &mut app,
            metrics_msg(
                1,
                300,
                &[
                    ("error_rate", Some(0.2), 300),
                    ("latency_p95", Some(0.21), 300),
                ],
            ),
        );
        assert!(severity_changes(&written).is_empty(), "{written:?}");
        let verdict = app
            .metrics
            .as_ref()
            .and_then(|m| m.verdict.as_ref())
            .expect("verdict");
        assert_eq!(
            verdict.highest_severity.as_ref().map(|s| s.label()),
            Some("SEV-1")
        );
        assert_eq!(
            verdict.severity_since,
            Some(at),
            "the RTO clock keeps its start"
        );
    }

    #[test]
    fn the_first_complete_update_captures_baselines_and_yields_a_verdict() {
        let mut app = metrics_app();
        let (fx, written) = send(
            &mut app,
            metrics_msg(
                1,
                5,
                &[
                    ("error_rate", Some(0.004), 5),
                    ("latency_p95", Some(0.21), 5),
                ],
            ),
        );
        assert!(fx.is_empty(), "{fx:?}");
        let Some(Entry::BaselineCaptured { values, .. }) = written.first() else {
            panic!("baseline not journaled: {written:?}")
        };
        assert_eq!(values.get("error_rate"), Some(&0.004));
        assert_eq!(values.get("latency_p95"), Some(&0.21));
        assert!(severity_changes(&written).is_empty());
        let live = app.metrics.as_ref().expect("metrics");
        let verdict = live.verdict.as_ref().expect("verdict");
        assert_eq!(verdict.highest_severity, None);
        assert!(verdict.firing.is_empty() && verdict.unknown.is_empty());
        assert_eq!(app.state.progress.baselines_captured_at.len(), 1);
        // A second update does not capture again.
        let (_, written) = send(
            &mut app,
            metrics_msg(
                2,
                10,
                &[
                    ("error_rate", Some(0.005), 10),
                    ("latency_p95", Some(0.2), 10),
                ],
            ),
        );
        assert!(written.is_empty(), "{written:?}");
    }

    #[test]
    fn an_incomplete_first_update_does_not_capture_a_baseline() {
        let mut app = metrics_app();
        let (_, written) = send(
            &mut app,
            metrics_msg(
                1,
                5,
                &[("error_rate", Some(0.004), 5), ("latency_p95", None, 5)],
            ),
        );
        assert!(written.is_empty(), "{written:?}");
        assert!(!app.metrics.as_ref().expect("metrics").baseline_captured);
    }

    #[test]
    fn a_severity_change_is_journaled_once_when_the_rule_fires() {
        let mut app = metrics_app();
        let bad = |g, s| {
            metrics_msg(
                g,
                s,
                &[
                    ("error_rate", Some(0.15), s),
                    ("latency_p95", Some(0.25), s),
                ],
            )
        };
        let (_, written) = send(&mut app, bad(1, 0));
        assert!(severity_changes(&written).is_empty(), "pending, not firing");
        let v = app
            .metrics
            .as_ref()
            .and_then(|m| m.verdict.clone())
            .expect("verdict");
        assert_eq!(v.rules[0].state, RuleState::Pending);
        let (_, written) = send(&mut app, bad(2, 30));
        assert!(severity_changes(&written).is_empty());
        let (_, written) = send(&mut app, bad(3, 61));
        assert_eq!(
            severity_changes(&written),
            [Entry::SeverityChanged {
                from: None,
                to: Some("SEV-1".into()),
                rule: Some("error_rate > 0.10".into()),
            }]
        );
        let (_, written) = send(&mut app, bad(4, 66));
        assert!(severity_changes(&written).is_empty(), "journaled once");
        assert_eq!(
            app.metrics.as_ref().and_then(|m| m.severity()),
            Some("SEV-1")
        );
        assert_eq!(app.state.progress.severity_changes.len(), 1);
        assert_eq!(
            app.state.progress.severity_changes[0].to.as_deref(),
            Some("SEV-1")
        );
    }

    #[test]
    fn a_refresh_answered_after_a_later_tick_does_not_make_the_severity_flap() {
        let mut app = metrics_app();
        let bad = |g, s| {
            metrics_msg(
                g,
                s,
                &[
                    ("error_rate", Some(0.15), s),
                    ("latency_p95", Some(0.25), s),
                ],
            )
        };
        send(&mut app, bad(1, 0));
        send(&mut app, bad(2, 30));
        let (_, written) = send(&mut app, Msg::Tick(t0() + chrono::Duration::seconds(60)));
        assert_eq!(severity_changes(&written).len(), 1, "fires on the tick");
        // Asked for at 59 s, answered after the 60 s tick.
        let (_, written) = send(&mut app, bad(3, 59));
        assert!(severity_changes(&written).is_empty(), "{written:?}");
        assert_eq!(
            app.metrics.as_ref().and_then(|m| m.severity()),
            Some("SEV-1")
        );
    }

    #[test]
    fn stale_data_is_unknown_not_firing() {
        let mut app = metrics_app();
        // Samples two minutes old when the refresh lands: past the 60 s staleness bound.
        let (_, written) = send(
            &mut app,
            metrics_msg(
                1,
                200,
                &[
                    ("error_rate", Some(0.5), 80),
                    ("latency_p95", Some(9.0), 80),
                ],
            ),
        );
        assert!(
            written.is_empty(),
            "no baseline from stale data, no severity: {written:?}"
        );
        let v = app
            .metrics
            .as_ref()
            .and_then(|m| m.verdict.clone())
            .expect("verdict");
        assert_eq!(v.highest_severity, None);
        assert!(v.firing.is_empty());
        assert_eq!(v.rules[0].state, RuleState::Unknown);
        assert!(
            v.rules[0].reasons[0].to_string().contains("stale"),
            "{:?}",
            v.rules[0].reasons
        );
    }

    #[test]
    fn a_firing_severity_clears_when_its_data_goes_stale() {
        let mut app = metrics_app();
        for (g, s) in [(1, 0), (2, 61)] {
            send(
                &mut app,
                metrics_msg(
                    g,
                    s,
                    &[("error_rate", Some(0.2), s), ("latency_p95", Some(0.2), s)],
                ),
            );
        }
        assert_eq!(
            app.metrics.as_ref().and_then(|m| m.severity()),
            Some("SEV-1")
        );
        // No refresh arrives; time passes.
        let (_, written) = send(&mut app, Msg::Tick(t0() + chrono::Duration::seconds(200)));
        assert_eq!(
            severity_changes(&written),
            [Entry::SeverityChanged {
                from: Some("SEV-1".into()),
                to: None,
                rule: None,
            }]
        );
    }

    #[test]
    fn an_older_generation_is_dropped() {
        let mut app = metrics_app();
        send(
            &mut app,
            metrics_msg(
                5,
                10,
                &[
                    ("error_rate", Some(0.01), 10),
                    ("latency_p95", Some(0.2), 10),
                ],
            ),
        );
        send(
            &mut app,
            metrics_msg(
                4,
                12,
                &[
                    ("error_rate", Some(0.9), 12),
                    ("latency_p95", Some(0.2), 12),
                ],
            ),
        );
        let live = app.metrics.as_ref().expect("metrics");
        assert_eq!(live.generation, Some(5));
        assert_eq!(
            live.signals
                .value("error_rate", t0() + chrono::Duration::seconds(12)),
            Ok(0.01)
        );
    }

    #[test]
    fn a_failed_refresh_keeps_a_fresh_sample_but_marks_the_failure() {
        let mut app = metrics_app();
        send(
            &mut app,
            metrics_msg(
                1,
                10,
                &[
                    ("error_rate", Some(0.01), 10),
                    ("latency_p95", Some(0.2), 10),
                ],
            ),
        );
        send(
            &mut app,
            metrics_msg(
                2,
                15,
                &[("error_rate", None, 15), ("latency_p95", Some(0.2), 15)],
            ),
        );
        let live = app.metrics.as_ref().expect("metrics");
        assert!(live.failures.contains_key("error_rate"));
        assert!(!live.complete(t0() + chrono::Duration::seconds(15)));
        assert_eq!(
            live.signals
                .value("error_rate", t0() + chrono::Duration::seconds(15)),
            Ok(0.01)
        );
    }

    #[test]
    fn b_recaptures_baselines_and_journals_them() {
        let mut app = metrics_app();
        send(
            &mut app,
            metrics_msg(
                1,
                5,
                &[("error_rate", Some(0.01), 5), ("latency_p95", Some(0.2), 5)],
            ),
        );
        send(
            &mut app,
            metrics_msg(
                2,
                10,
                &[
                    ("error_rate", Some(0.03), 10),
                    ("latency_p95", Some(0.4), 10),
                ],
            ),
        );
        app.now = t0() + chrono::Duration::seconds(11);
        let (_, written) = send(&mut app, key('b'));
        let Some(Entry::BaselineCaptured { values, .. }) = written.first() else {
            panic!("not journaled: {written:?}")
        };
        assert_eq!(values.get("latency_p95"), Some(&0.4));
        let live = app.metrics.as_ref().expect("metrics");
        assert_eq!(
            live.signals.baseline("latency_p95").map(|b| b.value),
            Some(0.4)
        );
        assert_eq!(app.state.progress.baselines_captured_at.len(), 2);
    }

    /// `metrics.baseline_offset: 1d`: the baselines are the values Prometheus had a day
    /// earlier, never the current ones; `b` asks for them again.
    #[test]
    fn with_a_baseline_offset_baselines_come_from_prometheus_offset() {
        use crate::domain::decision::{Absence, BaselineSource};
        use crate::domain::runbook::front_matter::DurationSpec;
        let day = std::time::Duration::from_secs(86_400);
        let mut app = app();
        app.runbook = metrics_runbook();
        if let Some(m) = app.runbook.front.as_mut().and_then(|f| f.metrics.as_mut()) {
            m.baseline_offset = Some(DurationSpec(day));
        }
        app.metrics = crate::ui::state::metrics::LiveMetrics::for_runbook(
            &app.runbook,
            &crate::domain::session_state::SessionState::replay(&app.records),
            "x",
        );
        let values = [("error_rate", Some(0.01), 5), ("latency_p95", Some(0.3), 5)];
        let (_, written) = send(&mut app, metrics_msg(1, 5, &values));
        assert!(
            !written
                .iter()
                .any(|e| matches!(e, Entry::BaselineCaptured { .. })),
            "not from the current values: {written:?}"
        );
        let Msg::Metrics(mut update) = metrics_msg(2, 10, &values) else {
            unreachable!()
        };
        update.baselines = Some(
            [
                ("error_rate".to_string(), Ok(0.002)),
                ("latency_p95".to_string(), Err(Absence::NoData)),
            ]
            .into_iter()
            .collect(),
        );
        let (_, written) = send(&mut app, Msg::Metrics(update));
        let Some(Entry::BaselineCaptured {
            values,
            offset_secs,
        }) = written.first()
        else {
            panic!("not journaled: {written:?}")
        };
        assert_eq!(values.get("error_rate"), Some(&0.002));
        assert!(!values.contains_key("latency_p95"), "no value a day back");
        assert_eq!(*offset_secs, Some(86_400));
        let live = app.metrics.as_ref().expect("metrics");
        let base = live.signals.baseline("error_rate").expect("baseline");
        assert_eq!(base.source, BaselineSource::PromOffset { offset: day });
        let flash = app.flash.as_ref().expect("the missing one is said");
        assert!(flash.text.contains("latency_p95"), "{}", flash.text);
        let (fx, written) = send(&mut app, key('b'));
        assert_eq!(fx, [Effect::Metrics(MetricsEffect::ReadBaselines)]);
        assert!(written.is_empty());
    }

    #[test]
    fn baselines_are_restored_from_the_journal_on_resume() {
        let mut app = metrics_app();
        send(
            &mut app,
            metrics_msg(
                1,
                5,
                &[("error_rate", Some(0.01), 5), ("latency_p95", Some(0.3), 5)],
            ),
        );
        let live = crate::ui::state::metrics::LiveMetrics::for_runbook(
            &app.runbook,
            &crate::domain::session_state::SessionState::replay(&app.records),
            "x",
        )
        .expect("metrics");
        assert!(live.baseline_captured);
        assert_eq!(
            live.signals.baseline("latency_p95").map(|b| b.value),
            Some(0.3)
        );
    }

    #[test]
    fn without_metrics_b_only_explains() {
        let mut app = app();
        let (fx, written) = send(&mut app, key('b'));
        assert!(fx.is_empty() && written.is_empty());
        assert!(
            app.flash
                .as_ref()
                .is_some_and(|f| f.text.contains("No metrics")),
            "{:?}",
            app.flash
        );
        assert!(app.metrics.is_none());
    }
}

mod undo {
    use super::*;
    use crate::domain::cluster::{
        AccessCheck, ClusterAction, DeploymentFacts, Executed, FollowOutcome, FollowProgress,
        Planned, Preflight, RolloutStatus,
    };
    use crate::ui::state::cluster::{ClusterStep, LockRefusal, OpStage};
    use crate::ui::state::{App, Then};

    fn allowed() -> ClusterStep {
        ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] }))
    }

    fn stage(app: &App) -> Option<OpStage> {
        app.cluster
            .as_ref()
            .and_then(|c| c.op.as_ref())
            .map(|o| o.stage)
    }

    /// `u`, preflight allowed, dry-run planned: the typed confirmation is open.
    fn at_confirmation(app: &mut App) {
        let fx = update(app, key('u'));
        assert_eq!(
            fx,
            vec![Effect::Cluster(ClusterEffect::Preflight {
                op: 1,
                action: ClusterAction::Undo { to_revision: None }
            })]
        );
        let fx = update(app, step(1, allowed()));
        assert!(
            matches!(
                fx.as_slice(),
                [Effect::Cluster(ClusterEffect::DryRun { op: 1, .. })]
            ),
            "{fx:?}"
        );
        let fx = update(app, step(1, ClusterStep::Planned(Ok(undo_plan()))));
        assert!(fx.is_empty(), "{fx:?}");
        assert!(matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))));
        assert_eq!(stage(app), Some(OpStage::Confirming));
    }

    #[test]
    fn the_selected_revision_is_the_one_undone_to() {
        let mut app = rollout_focused(false);
        update(&mut app, key('j'));
        update(&mut app, key('j'));
        let fx = update(&mut app, key('u'));
        assert_eq!(
            fx,
            vec![Effect::Cluster(ClusterEffect::Preflight {
                op: 1,
                action: ClusterAction::Undo {
                    to_revision: Some(1)
                }
            })]
        );
    }

    #[test]
    fn the_selection_follows_the_current_revision_as_history_grows() {
        // The first view the watcher delivers may hold only revision 1 (the Deployment
        // was just created); later views add revisions. Without a pick, `u` must still
        // mean "the previous revision", as kubectl's undo does.
        let mut app = rollout_focused(false);
        let mut early = rollout(3, 3, 3, 3);
        early.revisions.retain(|r| r.number == 1);
        early.revisions[0].current = true;
        let mut app2 = cluster_app("staging-eu", false);
        update(
            &mut app2,
            Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(early)),
        );
        update(
            &mut app2,
            Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(rollout(
                3, 3, 3, 3,
            ))),
        );
        update(&mut app2, code(KeyCode::Tab));
        let fx = update(&mut app2, key('u'));
        assert_eq!(
            fx,
            vec![Effect::Cluster(ClusterEffect::Preflight {
                op: 1,
                action: ClusterAction::Undo { to_revision: None }
            })]
        );
        // A pick is kept by number when a new view arrives.
        update(&mut app, key('j'));
        update(
            &mut app,
            Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(rollout(
                3, 3, 3, 3,
            ))),
        );
        let fx = update(&mut app, key('u'));
        assert_eq!(
            fx,
            vec![Effect::Cluster(ClusterEffect::Preflight {
                op: 1,
                action: ClusterAction::Undo {
                    to_revision: Some(2)
                }
            })]
        );
    }

    #[test]
    fn denied_shows_why_and_never_offers_the_action() {
        let mut app = rollout_focused(false);
        update(&mut app, key('u'));
        let fx = update(
            &mut app,
            step(
                1,
                ClusterStep::Preflight(Ok(Preflight::Denied {
                    reason: "user \"dev\" cannot patch deployments.apps in shop".into(),
                    checks: vec![AccessCheck {
                        verb: "patch".into(),
                        group: "apps".into(),
                        resource: "deployments".into(),
                        subresource: String::new(),
                        allowed: false,
                        reason: String::new(),
                    }],
                })),
            ),
        );
        assert!(fx.is_empty(), "no dry-run after a denial: {fx:?}");
        let Some(Layer::Notice { title, lines }) = app.layers.last() else {
            panic!("a notice");
        };
        assert_eq!(title, "Not allowed");
        assert!(
            lines
                .iter()
                .any(|l| l.contains("cannot patch deployments.apps"))
        );
        assert!(lines.iter().any(|l| l.contains("✗ patch deployments.apps")));
        assert_eq!(stage(&app), None);
        update(&mut app, code(KeyCode::Esc));
        assert!(app.layers.is_empty());
    }

    #[test]
    fn a_skip_flashes_kubectls_message_and_changes_nothing() {
        let mut app = rollout_focused(false);
        update(&mut app, key('u'));
        update(&mut app, step(1, allowed()));
        let msg = "skipped rollback (current template already matches revision 0)";
        let fx = update(
            &mut app,
            step(
                1,
                ClusterStep::Planned(Ok(Planned::Skip {
                    message: msg.into(),
                })),
            ),
        );
        assert!(fx.is_empty());
        assert!(app.layers.is_empty());
        assert_eq!(app.flash.as_ref().map(|f| f.text.as_str()), Some(msg));
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn a_mismatched_name_refuses_and_the_right_one_takes_the_lock() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        typed(&mut app, "checkout");
        let fx = update(&mut app, code(KeyCode::Enter));
        assert!(fx.is_empty(), "nothing happens on a wrong name: {fx:?}");
        let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
            panic!("still confirming");
        };
        assert!(
            cc.error
                .as_deref()
                .is_some_and(|e| e.contains("checkout-api"))
        );
        typed(&mut app, "-api");
        let fx = update(&mut app, code(KeyCode::Enter));
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Lock { op: 1 })]);
        assert!(app.layers.is_empty());
    }

    #[test]
    fn esc_at_the_confirmation_sends_nothing() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        let fx = update(&mut app, code(KeyCode::Esc));
        assert!(fx.is_empty());
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn a_held_lock_names_the_holder() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        typed(&mut app, "checkout-api");
        update(&mut app, code(KeyCode::Enter));
        let fx = update(
            &mut app,
            step(
                1,
                ClusterStep::Locked(Err(LockRefusal::Held(
                    "bob@laptop (s-42) holds the lock".into(),
                ))),
            ),
        );
        assert!(fx.is_empty(), "{fx:?}");
        let Some(Layer::Notice { title, lines }) = app.layers.last() else {
            panic!("a notice");
        };
        assert_eq!(title, "Locked by someone else");
        assert!(lines[0].contains("bob@laptop"));
    }

    #[test]
    fn a_lock_the_api_server_refused_is_not_blamed_on_another_console() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        typed(&mut app, "checkout-api");
        update(&mut app, code(KeyCode::Enter));
        let why =
            "cannot take the lock (Lease backout-checkout-api): etcdserver: request timed out";
        update(
            &mut app,
            step(1, ClusterStep::Locked(Err(LockRefusal::Failed(why.into())))),
        );
        let Some(Layer::Notice { title, lines }) = app.layers.last() else {
            panic!("a notice");
        };
        assert_eq!(title, "Could not take the lock");
        assert_eq!(lines[0], why);
        assert!(lines[2].contains("cluster connection"), "{lines:?}");
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn the_request_is_on_disk_before_the_executor_acts_then_the_rollout_is_followed() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        typed(&mut app, "checkout-api");
        update(&mut app, code(KeyCode::Enter));
        let fx = update(&mut app, step(1, ClusterStep::Locked(Ok(()))));
        let [Effect::Journal(JournalEffect::Append { entry, .. })] = fx.as_slice() else {
            panic!("only the journal write: {fx:?}");
        };
        assert_eq!(
            entry,
            &Entry::ClusterActionRequested {
                action: "kubectl rollout undo deployment/checkout-api --context staging-eu -n shop"
                    .into(),
                target: "staging-eu/shop/checkout-api".into(),
                // Where from, before → after, who confirmed and what they saw (issue 14).
                change: Some(crate::domain::journal::ChangeDetail {
                    via: Some("rollout pane".into()),
                    from_revision: Some(3),
                    to_revision: Some(2),
                    from_image: Some("registry.example/checkout-api:v3".into()),
                    to_image: Some("registry.example/checkout-api:v2".into()),
                    confirmed_by: Some("alice@laptop".into()),
                    previewed: Some("server dry-run + diff".into()),
                }),
            }
        );
        assert_eq!(
            app.pending.last().map(|p| &p.then),
            Some(&Then::ClusterExecute { op: 1 })
        );
        assert_eq!(stage(&app), Some(OpStage::Journaling));
        // On disk: now, and only now, the request.
        let (fx, _) = settle(&mut app, fx);
        assert_eq!(
            fx,
            vec![Effect::Cluster(ClusterEffect::Execute {
                op: 1,
                action: ClusterAction::Undo { to_revision: None }
            })]
        );
        let (fx, written) = send(
            &mut app,
            step(
                1,
                ClusterStep::Executed(Ok(Executed {
                    message: "deployment.apps/checkout-api rolled back".into(),
                    skipped: false,
                    attempts: 1,
                })),
            ),
        );
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Follow { op: 1 })]);
        // The acknowledgement, then that the rollout is being followed: a process killed
        // now is not scored as recovered (issue 15, point 3).
        assert!(matches!(
            &written[..],
            [
                Entry::ClusterActionFinished { ok: true, .. },
                Entry::RolloutFollowStarted { .. }
            ]
        ));
        // Progress drives the gauge.
        let progressing = RolloutStatus::Progressing {
            message: "Waiting for deployment \"checkout-api\" rollout to finish: 1 out of 3 new replicas have been updated...".into(),
        };
        let fx = update(
            &mut app,
            step(
                1,
                ClusterStep::Progress(FollowProgress::Observed {
                    facts: DeploymentFacts {
                        name: "checkout-api".into(),
                        desired: Some(3),
                        replicas: 4,
                        updated: 1,
                        ready: 3,
                        available: 3,
                        ..Default::default()
                    },
                    status: progressing.clone(),
                }),
            ),
        );
        assert!(fx.is_empty());
        let r = app.cluster.as_ref().unwrap().rollout.as_ref().unwrap();
        assert_eq!((r.updated, r.available, r.desired), (1, 3, 3));
        assert!((r.progress() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.status, progressing);
        let (fx, written) = send(
            &mut app,
            step(
                1,
                ClusterStep::Followed(Ok(FollowOutcome::Complete {
                    message: "deployment \"checkout-api\" successfully rolled out".into(),
                })),
            ),
        );
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Release { op: 1 })]);
        let [
            Entry::ClusterActionFinished {
                outcome, ok: true, ..
            },
        ] = &written[..]
        else {
            panic!("the outcome journaled: {written:?}");
        };
        assert!(outcome.contains("rolled back") && outcome.contains("successfully rolled out"));
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn a_failed_journal_write_never_executes_and_releases_the_lock() {
        let mut app = rollout_focused(false);
        at_confirmation(&mut app);
        typed(&mut app, "checkout-api");
        update(&mut app, code(KeyCode::Enter));
        let fx = update(&mut app, step(1, ClusterStep::Locked(Ok(()))));
        let [Effect::Journal(JournalEffect::Append { req, .. })] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        let fx = update(
            &mut app,
            Msg::Journaled {
                req: *req,
                result: Err("disk full".into()),
            },
        );
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Release { op: 1 })]);
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn read_only_refuses_at_the_key() {
        let mut app = rollout_focused(false);
        app.cluster.as_mut().unwrap().read_only = true;
        let fx = update(&mut app, key('u'));
        assert!(fx.is_empty());
        assert_eq!(
            app.flash.as_ref().map(|f| f.text.as_str()),
            Some("read-only session: nothing can be changed")
        );
        assert_eq!(stage(&app), None);
    }

    #[test]
    fn without_a_cluster_u_does_nothing() {
        let mut app = app();
        assert!(update(&mut app, key('u')).is_empty());
        assert!(app.flash.is_none());
    }
}

mod drill_rehearsal {
    use super::*;
    use crate::ui::state::App;

    /// The test console with step #3 running `script`, the cursor on it.
    fn step_app(rehearse: bool, script: &str) -> App {
        let mut app = app();
        app.rehearse_outside_commands = rehearse;
        app.runbook.phases[1].steps[1] = command(3, "Step three", script);
        app.cursor = app.flat_index_of(StepId(3)).unwrap();
        app
    }

    fn curl_app(rehearse: bool) -> App {
        step_app(
            rehearse,
            "argocd app set web --sync-policy none\ncurl -fsS -X POST https://hooks.slack.example/T0/B0 -d '{\"text\":\"rolled back\"}'",
        )
    }

    #[test]
    fn a_simulated_drill_rehearses_commands_that_would_reach_beyond_it() {
        let mut app = curl_app(true);
        assert!(update(&mut app, key('r')).is_empty());
        let Some(Layer::Confirm(c)) = app.layers.last() else {
            panic!("a confirmation");
        };
        assert_eq!(
            c.question,
            "Drill: argocd, curl would reach beyond the simulator. Rehearse it (journaled, nothing runs)?"
        );
        let fx = update(&mut app, key('y'));
        let (others, written) = settle(&mut app, fx);
        assert!(
            !others
                .iter()
                .any(|e| matches!(e, Effect::Shell(ShellEffect::Spawn { .. }))),
            "nothing runs: {others:?}"
        );
        assert!(
            matches!(
                written.as_slice(),
                [
                    Entry::PhaseEntered { .. },
                    Entry::CommandStarted { command, .. },
                    Entry::CommandFinished { exit_code: Some(0), .. },
                ] if command.starts_with("rehearsed (drill, not run): argocd app set web")
            ),
            "{written:?}"
        );
        assert!(
            app.output.lines[0]
                .text
                .contains("rehearsed in the drill, not run")
        );
        let step = app.find_step(StepId(3)).unwrap().clone();
        assert!(app.is_finished(&step));
    }

    /// A rehearsal is journaled as a run that finished with exit 0 (so the drill counts the
    /// step as worked), but the screen says what happened: nothing ran. Neither the Step
    /// pane nor the Journal pane shows an exit code or a duration for it.
    #[test]
    fn a_rehearsal_is_shown_as_nothing_ran_not_as_an_exit_code() {
        let mut app = curl_app(true);
        update(&mut app, key('r'));
        let fx = update(&mut app, key('y'));
        settle(&mut app, fx);
        let text = screen(&app, 160, 48);
        assert!(
            text.contains("last run 1: rehearsed in the drill, nothing ran"),
            "{text}"
        );
        assert!(
            text.contains("run 1 of #4: rehearsed in the drill, nothing ran"),
            "{text}"
        );
        assert!(
            text.contains("Output · run 1 · rehearsed, nothing ran"),
            "{text}"
        );
        assert!(!text.contains("exit 0"), "{text}");
        assert!(!text.contains("exited 0"), "{text}");
    }

    #[test]
    fn outside_a_simulated_drill_the_same_step_runs_in_the_shell() {
        let mut app = curl_app(false);
        update(&mut app, key('r'));
        let Some(Layer::Confirm(c)) = app.layers.last() else {
            panic!("a confirmation");
        };
        assert_eq!(c.question, "Run this in /bin/sh now?");
        let fx = update(&mut app, key('y'));
        let (others, _) = settle(&mut app, fx);
        assert!(
            others
                .iter()
                .any(|e| matches!(e, Effect::Shell(ShellEffect::Line { .. }))),
            "{others:?}"
        );
    }

    #[test]
    fn a_kubectl_block_with_one_outside_line_is_rehearsed_whole() {
        let mut app = step_app(
            true,
            "kubectl -n shop rollout undo deployment/web\nkubectl -n shop rollout status deployment/web && curl -X POST https://hooks.example/x",
        );
        update(&mut app, key('r'));
        let Some(Layer::Confirm(c)) = app.layers.last() else {
            panic!("a confirmation");
        };
        assert!(
            c.question.starts_with("Drill: curl would reach"),
            "{}",
            c.question
        );
        let fx = update(&mut app, key('y'));
        let (others, _) = settle(&mut app, fx);
        assert!(
            others.is_empty(),
            "nothing runs, natively or not: {others:?}"
        );
    }

    #[test]
    fn kubectl_only_steps_run_in_a_drill() {
        let mut app = step_app(
            true,
            "kubectl -n shop get pods -l app=web | grep -v Running",
        );
        update(&mut app, key('r'));
        let Some(Layer::Confirm(c)) = app.layers.last() else {
            panic!("a confirmation");
        };
        assert_eq!(c.question, "Run this in /bin/sh now?");
    }
}

#[test]
fn a_typed_secret_needing_escapes_is_masked_in_the_confirmation_and_the_journal() {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("db.md"),
        "# DB\n\n## 1. Roll back\n\nCheck the database.\n\n```bash\nmysql -p\"$DB_PASSWORD\" -e 'select 1'\n```\n",
    )
    .expect("loads");
    let mut app = app_for(book);
    app.cursor = app.flat_index_of(StepId(0)).unwrap();
    update(&mut app, key('r'));
    let secret = "pa$$w\"rd9";
    typed(&mut app, secret);
    let fx = update(&mut app, code(KeyCode::Enter));
    settle(&mut app, fx);
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the confirmation");
    };
    let body = c.body.join("\n");
    assert!(body.contains("‹redacted›"), "{body}");
    for leak in [secret, "pa\\$\\$w\\\"rd9", "rd9"] {
        assert!(!body.contains(leak), "{leak:?} in {body}");
    }
    let fx = update(&mut app, key('y'));
    let (others, written) = settle(&mut app, fx);
    let journaled = format!("{written:?}");
    assert!(!journaled.contains("rd9"), "{journaled}");
    let Some(Effect::Shell(ShellEffect::Line { text, .. })) = others.first() else {
        panic!("{others:?}");
    };
    assert!(text.contains("rd9"), "the shell gets the value: {text}");
}

#[test]
fn a_drill_rehearses_without_asking_for_placeholders_nothing_will_use() {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("tell.md"),
        "# Tell\n\n## 1. Communicate\n\nPost it.\n\n```bash\ncurl -fsS -X POST \"$SLACK_WEBHOOK_URL\" -d '{\"text\": \"rolled back to <revision>\"}'\n```\n",
    )
    .expect("loads");
    assert_eq!(book.placeholders.len(), 2, "{:?}", book.placeholders);
    let mut app = app_for(book);
    app.rehearse_outside_commands = true;
    app.cursor = app.flat_index_of(StepId(0)).unwrap();
    update(&mut app, key('r'));
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("straight to the rehearsal, no placeholder prompt");
    };
    assert!(
        c.question.starts_with("Drill: curl would reach"),
        "{}",
        c.question
    );
    assert!(c.body[0].contains("$SLACK_WEBHOOK_URL"), "{:?}", c.body);
    let fx = update(&mut app, key('y'));
    let (others, written) = settle(&mut app, fx);
    assert!(others.is_empty(), "{others:?}");
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::PhaseEntered { .. },
                Entry::CommandStarted { command, .. },
                Entry::CommandFinished { exit_code: Some(0), .. },
            ] if command.starts_with("rehearsed (drill, not run): curl")
        ),
        "{written:?}"
    );
    assert!(app.output.lines[0].text.contains("curl would reach beyond"));
}
