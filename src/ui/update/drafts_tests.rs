//! `m` for a runbook without sinks: drafted from the runbook's own template, handed to
//! the runtime to copy and save, journaled as drafted, then posted by hand.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::notify::MessageKind;
use crate::domain::runbook::{self, Runbook};
use crate::ui::effect::{Effect, NotifyEffect};
use crate::ui::msg::Msg;
use crate::ui::state::messaging::{BY_HAND, Messaging, RowStatus};
use crate::ui::state::{App, Layer};
use crate::ui::testkit::{app_for, code, ctrl, key, screen, send, typed};

/// No front matter, no sinks: a decision table, a fenced notification under its heading
/// and an Incident Report template section.
const RUNBOOK: &str = "# Checkout rollback

## Decision matrix

| Severity | Symptom | Action | Timeline | Approval required |
|----------|---------|--------|----------|-------------------|
| SEV-1 | Checkout down for all users | Roll back now | < 15 minutes | None |

## Execute the rollback

```bash
kubectl rollout undo deployment/checkout -n shop
```

## Communication

### Rollback Notification

```text
[Service] rollback under way: [Severity], [Reason]. Started [Start time]. IC: [Incident Commander].
```

## Incident Report

- **Time**: [Timestamp]
- **Trigger**: [Trigger]
- **Impact**: [Impact]
- **Root cause**: [Root cause]
";

fn book() -> Runbook {
    runbook::load_bytes(std::path::Path::new("checkout.md"), RUNBOOK.as_bytes()).expect("loads")
}

fn declared_app() -> App {
    let mut app = app_for(book());
    send(&mut app, key('S'));
    send(&mut app, code(KeyCode::Enter));
    typed(&mut app, "checkout 500s");
    send(&mut app, code(KeyCode::Enter));
    assert!(
        app.layers.is_empty(),
        "no approval asked: {}",
        app.layers.len()
    );
    app
}

#[test]
fn m_without_sinks_drafts_from_the_runbook_template_filled_from_the_session() {
    let mut app = declared_app();
    assert!(app.messaging.sinks.is_empty());
    send(&mut app, key('m'));
    let Some(Layer::Compose(c)) = app.layers.last() else {
        panic!("no composer");
    };
    assert_eq!(c.template, Some(0));
    let text = c.input.lines().join("\n");
    assert_eq!(
        text,
        "[Service] rollback under way: SEV-1, checkout 500s. Started 2026-11-22 03:00:00Z. \
         IC: alice@laptop."
    );
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("Message: Rollback Notification (runbook line 20)"),
        "{s}"
    );
    assert!(s.contains("copy and save"), "{s}");
    insta::assert_snapshot!(s);
    // Tab: the runbook's next template, then the built-in kinds.
    send(&mut app, code(KeyCode::Tab));
    let Some(Layer::Compose(c)) = app.layers.last() else {
        panic!("no composer");
    };
    assert_eq!(c.template, Some(1));
    assert!(c.input.lines()[1].starts_with("- **Trigger**: checkout 500s"));
    assert!(c.input.lines()[2].starts_with("- **Impact**: Checkout down for all users"));
    send(&mut app, code(KeyCode::Tab));
    let Some(Layer::Compose(c)) = app.layers.last() else {
        panic!("no composer");
    };
    assert_eq!(c.template, None);
}

#[test]
fn a_draft_is_copied_saved_journaled_and_then_posted_by_hand() {
    let mut app = declared_app();
    send(&mut app, key('m'));
    let (fx, written) = send(&mut app, ctrl('s'));
    assert!(written.is_empty(), "nothing journaled before it is saved");
    let [
        Effect::Notify(NotifyEffect::Draft {
            key: k,
            template,
            text,
        }),
    ] = &fx[..]
    else {
        panic!("{fx:?}");
    };
    assert_eq!(template, "Rollback Notification");
    assert!(text.contains("checkout 500s"));
    let saved_to = "/sessions/x/messages/k.txt".to_string();
    let (_, written) = send(
        &mut app,
        Msg::DraftSaved {
            key: k.clone(),
            template: template.clone(),
            text: text.clone(),
            saved: Ok(saved_to.clone()),
            copied: true,
        },
    );
    assert_eq!(
        written,
        [Entry::MessageDrafted {
            key: k.clone(),
            template: template.clone(),
            text: text.clone(),
            saved_to: saved_to.clone(),
        }]
    );
    assert_eq!(
        app.messaging.rows.last().map(|r| (&r.sink[..], &r.status)),
        Some((
            BY_HAND,
            &RowStatus::Drafted {
                saved_to: saved_to.clone()
            }
        ))
    );
    // The list: p on the draft asks where it was posted.
    send(&mut app, key('M'));
    let s = screen(&app, 120, 40);
    assert!(s.contains("drafted; to post by hand"), "{s}");
    insta::assert_snapshot!("messages_list_with_a_draft", s);
    send(&mut app, key('p'));
    typed(&mut app, "#inc-checkout");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert_eq!(
        written,
        [Entry::MessagePostedByHand {
            key: k.clone(),
            where_: "#inc-checkout".into(),
            by: "alice@laptop".into(),
        }]
    );
    // Resume: the list is rebuilt from the journal alone.
    let replayed = Messaging::new(
        Vec::new(),
        false,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    assert_eq!(replayed.rows, app.messaging.rows);
    assert_eq!(
        replayed.rows[0].status,
        RowStatus::PostedByHand {
            where_: "#inc-checkout".into()
        }
    );
}

#[test]
fn a_draft_not_saved_is_not_journaled() {
    let mut app = declared_app();
    let (_, written) = send(
        &mut app,
        Msg::DraftSaved {
            key: "k".into(),
            template: "status_update".into(),
            text: "t".into(),
            saved: Err("disk full".into()),
            copied: true,
        },
    );
    assert!(written.is_empty());
    assert!(app.messaging.rows.is_empty());
}

#[test]
fn secrets_typed_this_session_are_masked_in_a_draft() {
    let mut app = declared_app();
    app.redactor.add("checkout 500s");
    send(&mut app, key('m'));
    let (fx, _) = send(&mut app, ctrl('s'));
    let [Effect::Notify(NotifyEffect::Draft { text, .. })] = &fx[..] else {
        panic!("{fx:?}");
    };
    assert!(!text.contains("checkout 500s"), "{text}");
}

#[test]
fn front_matter_messages_keep_the_built_in_kinds_first() {
    let mut book = book();
    let mut front = crate::domain::runbook::front_matter::FrontMatter::default();
    front.messages.insert(
        "rollback_notification".into(),
        "Rolling back {{title}}.".into(),
    );
    book.front = Some(front);
    let mut app = app_for(book);
    send(&mut app, key('m'));
    let Some(Layer::Compose(c)) = app.layers.last() else {
        panic!("no composer");
    };
    assert_eq!(c.template, None);
    assert_eq!(
        c.input.lines().join("\n"),
        "Rolling back Checkout rollback."
    );
    // The runbook's own templates still follow the built-in kinds on Tab.
    for _ in 0..MessageKind::ALL.len() {
        send(&mut app, code(KeyCode::Tab));
    }
    let Some(Layer::Compose(c)) = app.layers.last() else {
        panic!("no composer");
    };
    assert_eq!(c.template, Some(0));
}

#[test]
fn the_built_in_kinds_take_the_declared_severity_when_the_matrix_has_none() {
    let app = declared_app();
    assert!(app.metrics.is_none());
    let values = super::super::messages::template_values(&app);
    assert_eq!(values.get("severity").map(String::as_str), Some("SEV-1"));
    // Before anything is declared, the built-in kinds say the severity is unknown.
    let fresh = app_for(book());
    assert_eq!(
        super::super::messages::template_values(&fresh).get("severity"),
        None
    );
}
