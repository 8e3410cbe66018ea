//! The message flow through `update`, as an operator drives it, and snapshots of the
//! composer (preview) and the messages list.

use std::time::Duration;

use ratatui::crossterm::event::KeyCode;

use super::*;
use crate::domain::runbook::front_matter::{FrontMatter, Target};
use crate::ui::effect::JournalEffect;
use crate::ui::msg::Msg;
use crate::ui::state::messaging::Messaging;
use crate::ui::testkit::{app, code, ctrl, key, record, screen, send, t0, typed};
use crate::ui::update::update;

const SESSION: &str = "20261122-030000-checkout-api-rollback-1a2b";

fn messaging_app(sinks: &[&str]) -> App {
    let mut app = app();
    app.runbook.front = Some(FrontMatter {
        target: Some(Target {
            namespace: Some("shop".into()),
            deployment: Some("checkout-api".into()),
            service: Some("checkout".into()),
            ..Target::default()
        }),
        ..FrontMatter::default()
    });
    app.messaging = Messaging::new(
        sinks.iter().map(|s| s.to_string()).collect(),
        false,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    app
}

fn composer(app: &App) -> (MessageKind, String) {
    match app.layers.last() {
        Some(Layer::Compose(c)) => (c.kind, c.input.lines().join("\n")),
        _ => panic!("no composer open"),
    }
}

fn deliveries(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(NotifyEffect::Deliver { sink, msg }) => {
                Some((sink.clone(), msg.key.clone()))
            }
            _ => None,
        })
        .collect()
}

fn finished(sink: &str, key: &str, attempts: u32, outcome: Result<&str, &str>) -> Msg {
    Msg::Notify(NotifyEvent::Finished {
        key: key.into(),
        sink: sink.into(),
        attempts,
        outcome: outcome.map(str::to_string).map_err(str::to_string),
    })
}

/// Composes the default rollback notification and confirms it.
fn compose_and_send(app: &mut App) -> (Vec<Effect>, Vec<Entry>) {
    update(app, key('m'));
    update(app, ctrl('s'));
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
    send(app, key('y'))
}

#[test]
fn m_drafts_the_message_from_the_session_and_tab_changes_the_kind() {
    let mut app = messaging_app(&["slack", "pagerduty"]);
    update(&mut app, key('m'));
    let (kind, text) = composer(&app);
    assert_eq!(kind, MessageKind::RollbackNotification);
    assert!(
        text.starts_with("[‹unknown: severity›] Rolling back checkout (shop/checkout-api)"),
        "{text}"
    );
    assert!(text.contains(&format!("Incident {SESSION}")), "{text}");
    update(&mut app, code(KeyCode::Tab));
    assert_eq!(composer(&app).0, MessageKind::StatusUpdate);
    // the text is editable
    typed(&mut app, " Thanks.");
    assert!(composer(&app).1.ends_with(" Thanks."));
    // Esc discards: nothing journaled, nothing sent
    let (fx, written) = send(&mut app, code(KeyCode::Esc));
    assert!(fx.is_empty() && written.is_empty());
    assert!(app.layers.is_empty());
}

#[test]
fn a_runbook_override_is_the_draft() {
    let mut app = messaging_app(&["slack"]);
    if let Some(f) = app.runbook.front.as_mut() {
        f.messages.insert(
            "rollback_notification".into(),
            "Rolling back {{service}} to {{to_image}}".into(),
        );
    }
    update(&mut app, key('m'));
    assert_eq!(
        composer(&app).1,
        "Rolling back checkout to ‹unknown: to_image›"
    );
}

#[test]
fn sending_journals_queued_for_every_sink_before_any_delivery() {
    let mut app = messaging_app(&["slack", "pagerduty"]);
    let (fx, written) = compose_and_send(&mut app);
    let queued: Vec<(String, String)> = written
        .iter()
        .map(|e| match e {
            Entry::MessageQueued {
                key,
                sink,
                template,
                ..
            } => {
                assert_eq!(template, "rollback_notification");
                (sink.clone(), key.clone())
            }
            other => panic!("unexpected entry {other:?}"),
        })
        .collect();
    let seq = 2; // the next journal record's number: unique in the session
    let keys = [
        ("slack".to_string(), idempotency_key(SESSION, seq, "slack")),
        (
            "pagerduty".to_string(),
            idempotency_key(SESSION, seq, "pagerduty"),
        ),
    ];
    assert_eq!(queued, keys);
    // each delivery is asked for only after its MessageQueued record came back from disk
    assert_eq!(deliveries(&fx), keys);
    assert!(
        app.messaging
            .rows
            .iter()
            .all(|r| r.status == RowStatus::Sending)
    );
}

#[test]
fn nothing_is_sent_without_confirmation() {
    let mut app = messaging_app(&["slack"]);
    update(&mut app, key('m'));
    update(&mut app, ctrl('s'));
    let (fx, written) = send(&mut app, key('n'));
    assert!(fx.is_empty() && written.is_empty());
    assert!(app.messaging.rows.is_empty());
}

#[test]
fn outcomes_are_journaled_and_a_failed_message_can_be_retried_with_its_key() {
    let mut app = messaging_app(&["slack", "pagerduty"]);
    let (fx, _) = compose_and_send(&mut app);
    let keys = deliveries(&fx);
    let (slack_key, pd_key) = (keys[0].1.clone(), keys[1].1.clone());

    update(
        &mut app,
        Msg::Notify(NotifyEvent::Retrying {
            key: pd_key.clone(),
            sink: "pagerduty".into(),
            attempt: 1,
            wait: Duration::from_secs(4),
            detail: "HTTP 429".into(),
        }),
    );
    assert_eq!(
        app.messaging.rows[1].status.describe(app.now),
        "retrying in 4s (attempt 1: HTTP 429)"
    );

    let (_, written) = send(&mut app, finished("slack", &slack_key, 1, Ok("HTTP 200")));
    assert_eq!(
        written,
        [Entry::MessageDelivered {
            key: slack_key.clone(),
            sink: "slack".into(),
            attempts: 1,
            detail: "HTTP 200".into()
        }]
    );
    let (_, written) = send(&mut app, finished("pagerduty", &pd_key, 5, Err("HTTP 503")));
    assert_eq!(
        written,
        [Entry::MessageFailed {
            key: pd_key.clone(),
            sink: "pagerduty".into(),
            attempts: 5,
            error: "HTTP 503".into()
        }]
    );
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("pagerduty failed")
    );

    // M lists them; r on the delivered one does nothing, on the failed one resends
    update(&mut app, key('M'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Messages { cursor: 1 })
    ));
    update(&mut app, key('k'));
    let (fx, written) = send(&mut app, key('r'));
    assert!(fx.is_empty() && written.is_empty());
    update(&mut app, key('j'));
    let (fx, written) = send(&mut app, key('r'));
    assert!(matches!(&written[..], [Entry::MessageQueued { key, .. }] if *key == pd_key));
    assert_eq!(deliveries(&fx), [("pagerduty".to_string(), pd_key)]);
    assert_eq!(app.messaging.rows.len(), 2, "a retry is the same row");
}

#[test]
fn without_sinks_composing_drafts_a_built_in_kind_to_copy_and_save() {
    // Issue 13 point 6: `m` always drafts; without sinks Ctrl-S hands the draft to the
    // runtime (clipboard and session directory) instead of asking to send it.
    let mut app = messaging_app(&[]);
    update(&mut app, key('m'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Compose(c)) if c.kind == MessageKind::RollbackNotification && c.template.is_none()
    ));
    let fx = update(&mut app, ctrl('s'));
    assert!(app.layers.is_empty(), "no send confirmation without sinks");
    assert!(
        matches!(&fx[..], [Effect::Notify(NotifyEffect::Draft { template, .. })] if template == "rollback_notification"),
        "{fx:?}"
    );
}

#[test]
fn a_queued_write_that_fails_sends_nothing() {
    let mut app = messaging_app(&["slack"]);
    update(&mut app, key('m'));
    update(&mut app, ctrl('s'));
    let fx = update(&mut app, key('y'));
    let Some(Effect::Journal(JournalEffect::Append { req, .. })) = fx.first() else {
        panic!("{fx:?}");
    };
    let more = update(
        &mut app,
        Msg::Journaled {
            req: *req,
            result: Err("disk full".into()),
        },
    );
    assert!(deliveries(&more).is_empty());
    assert!(matches!(
        &app.messaging.rows[0].status,
        RowStatus::Failed { attempts: 0, error } if error.contains("journal write failed")
    ));
}

#[test]
fn a_resumed_session_shows_messages_with_no_outcome_as_maybe_sent() {
    let mut app = messaging_app(&["slack"]);
    let queued = Entry::MessageQueued {
        key: "k1".into(),
        sink: "slack".into(),
        template: "all_clear".into(),
        text: "all clear".into(),
    };
    app.records.push(record(2, queued, t0()));
    let m = Messaging::new(
        vec!["slack".into()],
        false,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    assert_eq!(m.rows.len(), 1);
    assert_eq!(m.rows[0].status, RowStatus::Unknown);
    assert!(m.rows[0].status.retryable());
    assert_eq!(m.next_seq, 3);
}

#[test]
fn a_secret_in_a_delivery_error_never_reaches_the_screen_or_the_journal() {
    let canary = "canary-7f3c9e1d5b";
    let mut app = messaging_app(&["github"]);
    app.redactor.add(canary);
    let (fx, _) = compose_and_send(&mut app);
    let key = deliveries(&fx)[0].1.clone();
    let error = format!("HTTP 401: Bad credentials {canary}");
    let (_, written) = send(&mut app, finished("github", &key, 1, Err(&error)));
    assert!(!format!("{written:?}").contains(canary), "{written:?}");
    let main = screen(&app, 120, 32);
    update(&mut app, key_m());
    let list = screen(&app, 120, 32);
    for frame in [main, list] {
        assert!(frame.contains("Bad credentials"), "{frame}");
        assert!(!frame.contains(canary), "{frame}");
    }
}

fn key_m() -> Msg {
    key('M')
}

#[test]
fn snapshot_message_preview() {
    let mut app = messaging_app(&["slack", "pagerduty", "statuspage"]);
    update(&mut app, key('m'));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn snapshot_messages_list() {
    let mut app = messaging_app(&["outbox:slack", "outbox:pagerduty"]);
    app.messaging.drill = true;
    let (fx, _) = compose_and_send(&mut app);
    let keys = deliveries(&fx);
    send(
        &mut app,
        finished(&keys[0].0, &keys[0].1, 1, Ok("written to the outbox")),
    );
    update(
        &mut app,
        Msg::Notify(NotifyEvent::Retrying {
            key: keys[1].1.clone(),
            sink: keys[1].0.clone(),
            attempt: 2,
            wait: Duration::from_secs(8),
            detail: "cannot write the outbox".into(),
        }),
    );
    update(&mut app, key('m'));
    update(&mut app, code(KeyCode::Tab));
    update(&mut app, ctrl('s'));
    let (fx, _) = send(&mut app, key('y'));
    let later = deliveries(&fx);
    send(
        &mut app,
        finished(&later[0].0, &later[0].1, 3, Err("HTTP 503")),
    );
    update(&mut app, key('M'));
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn a_communication_step_offers_to_compose_a_message() {
    let mut app = messaging_app(&["slack", "pagerduty"]);
    let hint = "compose a message to slack, pagerduty";
    assert!(!screen(&app, 120, 32).contains(hint));
    app.runbook.phases[2].kind = crate::domain::runbook::PhaseKind::Communication;
    app.cursor = app.steps.iter().position(|p| p.phase == 2).unwrap();
    assert!(screen(&app, 120, 32).contains(hint));
    app.messaging.sinks.clear();
    assert!(!screen(&app, 120, 32).contains(hint));
}

#[test]
fn a_resumed_console_resends_only_to_sinks_that_deduplicate() {
    let mut app = messaging_app(&["slack", "pagerduty"]);
    for (seq, sink) in [(2, "slack"), (3, "pagerduty")] {
        let entry = Entry::MessageQueued {
            key: format!("k-{sink}"),
            sink: sink.into(),
            template: "rollback_notification".into(),
            text: "rolling back".into(),
        };
        app.records.push(record(seq, entry, t0()));
    }
    app.messaging = Messaging::new(
        vec!["slack".into(), "pagerduty".into()],
        false,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    let fx = resend_unfinished(&mut app);
    let (fx, written) = crate::ui::testkit::settle(&mut app, fx);
    assert!(
        matches!(&written[..], [Entry::MessageQueued { key, sink, .. }] if key == "k-pagerduty" && sink == "pagerduty"),
        "{written:?}"
    );
    assert_eq!(
        deliveries(&fx),
        [("pagerduty".to_string(), "k-pagerduty".to_string())]
    );
    assert_eq!(app.messaging.rows[0].status, RowStatus::Unknown);
}

/// The message's severity is the incident's: the worst the matrix reached this session,
/// even after the rollback cleared it; the verdict says what holds now.
#[test]
fn the_severity_variable_is_the_worst_reached_and_the_verdict_is_the_current_one() {
    use crate::domain::journal::Entry;
    let mut app = messaging_app(&["slack"]);
    for (seq, from, to) in [
        (2, None, Some("SEV-2")),
        (3, Some("SEV-2"), Some("SEV-1")),
        (4, Some("SEV-1"), None),
    ] {
        let r = record(
            seq,
            Entry::SeverityChanged {
                from: from.map(str::to_string),
                to: to.map(str::to_string),
                rule: None,
            },
            t0(),
        );
        app.state.progress.apply(&r);
    }
    let v = template_values(&app);
    assert_eq!(v.get("severity").map(String::as_str), Some("SEV-1"));
    assert_eq!(v.get("verdict").map(String::as_str), Some("nothing firing"));
}

/// The console's one fold: after a send, a delivery and a failure, the state the console
/// applied record by record is the journal replayed, and a console resumed on it lists
/// the messages exactly as the live one does; a retry still in flight is what the notify
/// ledger reads from that state ("may have been sent" on resume).
#[test]
fn the_console_state_is_the_journal_replayed_and_a_resume_lists_the_same_messages() {
    use crate::domain::notify::unfinished_in;
    use crate::domain::session_state::SessionState;
    let sinks = vec!["slack".to_string(), "pagerduty".to_string()];
    let mut app = messaging_app(&["slack", "pagerduty"]);
    let (fx, _) = compose_and_send(&mut app);
    let keys = deliveries(&fx);
    let (slack_key, pd_key) = (keys[0].1.clone(), keys[1].1.clone());
    send(&mut app, finished("slack", &slack_key, 1, Ok("HTTP 200")));
    send(&mut app, finished("pagerduty", &pd_key, 5, Err("HTTP 503")));
    let replayed = SessionState::replay(&app.records);
    assert_eq!(app.state, replayed);
    let resumed = Messaging::new(sinks.clone(), false, &replayed);
    assert_eq!(resumed.rows, app.messaging.rows);
    assert_eq!(resumed.next_seq, app.state.progress.last_seq + 1);
    assert!(unfinished_in(&app.state).is_empty());

    // `r` on the failed one: queued again, its delivery under way.
    update(&mut app, key('M'));
    let (_, written) = send(&mut app, key('r'));
    assert!(matches!(&written[..], [Entry::MessageQueued { key, .. }] if *key == pd_key));
    assert_eq!(app.messaging.rows[1].status, RowStatus::Sending);
    let replayed = SessionState::replay(&app.records);
    assert_eq!(app.state, replayed);
    let resumed = Messaging::new(sinks, false, &replayed);
    assert_eq!(resumed.rows[0], app.messaging.rows[0]);
    assert_eq!(resumed.rows[1].status, RowStatus::Unknown);
    let left = unfinished_in(&app.state);
    assert_eq!(
        left.iter()
            .map(|u| (u.key.as_str(), u.sink.as_str(), u.resend_safe))
            .collect::<Vec<_>>(),
        [(pd_key.as_str(), "pagerduty", true)]
    );
}
