//! The console's messages: composing one (a draft from the kind's template and the
//! session, editable), sending it on confirmation, and following its delivery per sink.
//!
//! Sending is journal-first: `MessageQueued` for each sink goes to the journal, and only
//! once it is on disk does `NotifyEffect::Deliver` ask the runtime's notifier to send it. The
//! notifier answers with `Msg::Notify`; the outcome is journaled as `MessageDelivered` or
//! `MessageFailed`.

use ratatui_textarea::TextArea;

use crate::domain::journal::Entry;
use crate::domain::notify::template::{render, text_for};
use crate::domain::notify::{IncidentFacts, MessageKind, Outgoing, idempotency_key};
use crate::ui::effect::{Effect, NotifyEffect};
use crate::ui::state::messaging::{Composer, MessageRow, NotifyEvent, RowStatus};
use crate::ui::state::{App, Confirm, FlashLevel, Intent, Layer, Then};

use super::drafts;

pub use super::message_values::template_values;

/// The draft of a kind: the runbook's override or the built-in template, rendered.
pub fn draft(app: &App, kind: MessageKind) -> String {
    let overrides = app
        .runbook
        .front
        .as_ref()
        .map(|f| f.messages.clone())
        .unwrap_or_default();
    app.mask_secrets(&render(text_for(kind, &overrides), &template_values(app)))
}

fn editor(text: &str) -> TextArea<'static> {
    let mut input = TextArea::new(text.lines().map(str::to_string).collect());
    input.move_cursor(ratatui_textarea::CursorMove::Bottom);
    input.move_cursor(ratatui_textarea::CursorMove::End);
    input
}

/// `m`: opens the composer on the runbook's first own template, else (or when the front
/// matter writes its own `messages`) the built-in kind the moment calls for. Without
/// sinks it drafts all the same (Ctrl-S copies and saves).
pub fn open_composer(app: &mut App) -> Vec<Effect> {
    let front_messages = app
        .runbook
        .front
        .as_ref()
        .is_some_and(|f| !f.messages.is_empty());
    let own = if front_messages {
        None
    } else {
        drafts::runbook_draft(app, 0)
    };
    let (kind, text, template) = match own {
        Some((kind, text)) => (kind, text, Some(0)),
        None => {
            let kind = if app.messaging.rows.is_empty() {
                MessageKind::RollbackNotification
            } else {
                MessageKind::StatusUpdate
            };
            (kind, draft(app, kind), None)
        }
    };
    let input = editor(&text);
    app.layers.push(Layer::Compose(Box::new(Composer {
        kind,
        input,
        template,
    })));
    Vec::new()
}

/// Tab in the composer: the runbook's next template, then each built-in kind, freshly
/// drafted.
pub fn next_kind(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Compose(c)) = app.layers.last() else {
        return Vec::new();
    };
    let own = app.runbook.message_templates.len();
    let all = MessageKind::ALL;
    // Positions: the runbook's templates 0..own, then the built-in kinds.
    let at = match c.template {
        Some(i) => i,
        None => own + all.iter().position(|k| *k == c.kind).unwrap_or(0),
    };
    let next = (at + 1) % (own + all.len());
    let (kind, text, template) = if next < own {
        match drafts::runbook_draft(app, next) {
            Some((kind, text)) => (kind, text, Some(next)),
            None => return Vec::new(),
        }
    } else {
        let kind = all[next - own];
        (kind, draft(app, kind), None)
    };
    let input = editor(&text);
    if let Some(Layer::Compose(c)) = app.layers.last_mut() {
        c.kind = kind;
        c.input = input;
        c.template = template;
    }
    Vec::new()
}

/// Submitting the composer asks for confirmation, naming every sink.
pub fn submit_composer(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Compose(c)) = app.layers.last() else {
        return Vec::new();
    };
    let text = c.input.lines().join("\n").trim_end().to_string();
    let kind = c.kind;
    let template = c.template;
    if text.trim().is_empty() {
        app.flash(FlashLevel::Info, "Empty message: nothing to send.");
        return Vec::new();
    }
    app.layers.pop();
    if app.messaging.sinks.is_empty() {
        return drafts::hand_over(app, template, kind, text);
    }
    let text = app.mask_secrets(&text);
    let mut body = vec![format!("{} to:", kind.title())];
    body.extend(app.messaging.sinks.iter().map(|s| format!("  • {s}")));
    if app.messaging.drill {
        body.push("(drill: every sink is the outbox; nothing leaves this machine)".into());
    }
    body.push(String::new());
    body.extend(text.lines().take(6).map(str::to_string));
    if text.lines().count() > 6 {
        body.push("…".into());
    }
    app.layers.push(Layer::Confirm(Confirm {
        title: "Send message".into(),
        body,
        question: "Send it now?".into(),
        intent: Intent::SendMessage { kind, text },
    }));
    Vec::new()
}

fn facts(app: &App) -> IncidentFacts {
    let v = template_values(app);
    IncidentFacts {
        id: app.session.id.clone(),
        title: app.runbook.title.clone(),
        service: v.get("service").cloned().unwrap_or_default(),
        severity: v.get("severity").cloned().unwrap_or_default(),
        started_at_ms: app
            .state
            .progress
            .started_at
            .map_or(app.now.timestamp_millis(), |t| t.timestamp_millis()),
    }
}

/// Confirmed: journal `MessageQueued` for every sink; each is sent once on disk.
pub fn send(app: &mut App, kind: MessageKind, text: String) -> Vec<Effect> {
    let seq = app.messaging.next_seq.max(app.state.progress.last_seq + 1);
    app.messaging.next_seq = seq + 1;
    let facts = facts(app);
    let mut fx = Vec::new();
    for sink in app.messaging.sinks.clone() {
        let key = idempotency_key(&app.session.id, seq, &sink);
        let msg = Outgoing {
            key: key.clone(),
            at_ms: app.now.timestamp_millis(),
            kind,
            text: text.clone(),
            incident: facts.clone(),
        };
        fx.push(queue(app, sink, msg));
    }
    fx
}

fn queue(app: &mut App, sink: String, msg: Outgoing) -> Effect {
    match app.messaging.row(&msg.key, &sink) {
        Some(row) => row.status = RowStatus::Journaling,
        None => app.messaging.rows.push(MessageRow {
            key: msg.key.clone(),
            sink: sink.clone(),
            kind: msg.kind,
            text: msg.text.clone(),
            status: RowStatus::Journaling,
        }),
    }
    let entry = Entry::MessageQueued {
        key: msg.key.clone(),
        sink: sink.clone(),
        template: msg.kind.name().to_string(),
        text: msg.text.clone(),
    };
    app.journal(
        entry,
        None,
        Then::Deliver {
            sink,
            msg: Box::new(msg),
        },
    )
}

/// `MessageQueued` is on disk: now send.
pub fn queued(app: &mut App, sink: String, msg: Outgoing) -> Vec<Effect> {
    if let Some(row) = app.messaging.row(&msg.key, &sink) {
        row.status = RowStatus::Sending;
    }
    vec![Effect::Notify(NotifyEffect::Deliver {
        sink,
        msg: Box::new(msg),
    })]
}

/// `MessageQueued` could not be written: nothing was sent.
pub fn not_queued(app: &mut App, sink: &str, msg: &Outgoing, error: &str) {
    if let Some(row) = app.messaging.row(&msg.key, sink) {
        row.status = RowStatus::Failed {
            attempts: 0,
            error: format!("not sent: the journal write failed: {error}"),
        };
    }
}

/// What the notifier reported.
pub fn on_event(app: &mut App, ev: NotifyEvent) -> Vec<Effect> {
    match ev {
        NotifyEvent::Retrying {
            key,
            sink,
            attempt,
            wait,
            detail,
        } => {
            let next_at =
                app.now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
            let detail = app.mask_secrets(&detail);
            if let Some(row) = app.messaging.row(&key, &sink) {
                row.status = RowStatus::Retrying {
                    attempt,
                    next_at,
                    detail,
                };
            }
            Vec::new()
        }
        NotifyEvent::Finished {
            key,
            sink,
            attempts,
            outcome,
        } => {
            let (status, entry) = match outcome {
                Ok(detail) => {
                    let detail = app.mask_secrets(&detail);
                    (
                        RowStatus::Delivered {
                            attempts,
                            detail: detail.clone(),
                        },
                        Entry::MessageDelivered {
                            key: key.clone(),
                            sink: sink.clone(),
                            attempts,
                            detail,
                        },
                    )
                }
                Err(error) => {
                    let error = app.mask_secrets(&error);
                    app.flash(
                        FlashLevel::Error,
                        &format!("Message to {sink} failed: {error} (M lists messages; r retries)"),
                    );
                    (
                        RowStatus::Failed {
                            attempts,
                            error: error.clone(),
                        },
                        Entry::MessageFailed {
                            key: key.clone(),
                            sink: sink.clone(),
                            attempts,
                            error,
                        },
                    )
                }
            };
            if let Some(row) = app.messaging.row(&key, &sink) {
                row.status = status;
            }
            vec![app.journal(entry, None, Then::Nothing)]
        }
    }
}

/// At the start of a resumed console: every message the journal shows queued with no
/// outcome, to a sink that deduplicates by key (PagerDuty, the generic webhook, the
/// outbox), is sent again with the same key. The others stay "may have been sent" for the
/// operator to decide (`r` in the list); they are never resent by themselves.
pub fn resend_unfinished(app: &mut App) -> Vec<Effect> {
    use crate::domain::notify::sink::delivered_by;
    let rows: Vec<MessageRow> = app
        .messaging
        .rows
        .iter()
        .filter(|r| r.status == RowStatus::Unknown)
        .filter(|r| delivered_by(&r.sink).is_some_and(|k| k.dedups()))
        .filter(|r| app.messaging.sinks.contains(&r.sink))
        .cloned()
        .collect();
    let incident = facts(app);
    rows.into_iter()
        .map(|row| {
            let msg = Outgoing {
                key: row.key.clone(),
                at_ms: app.now.timestamp_millis(),
                kind: row.kind,
                text: row.text.clone(),
                incident: incident.clone(),
            };
            queue(app, row.sink, msg)
        })
        .collect()
}

/// `M`: the list of messages and their delivery per sink.
pub fn open_list(app: &mut App) -> Vec<Effect> {
    let cursor = app.messaging.rows.len().saturating_sub(1);
    app.layers.push(Layer::Messages { cursor });
    Vec::new()
}

/// `r` in the list: send the selected failed (or unknown) message again, same key.
pub fn retry_selected(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Messages { cursor }) = app.layers.last() else {
        return Vec::new();
    };
    let Some(row) = app.messaging.rows.get(*cursor).cloned() else {
        return Vec::new();
    };
    if !row.status.retryable() {
        app.flash(
            FlashLevel::Info,
            "Only a failed message, or one that may have been sent, can be sent again.",
        );
        return Vec::new();
    }
    let msg = Outgoing {
        key: row.key.clone(),
        at_ms: app.now.timestamp_millis(),
        kind: row.kind,
        text: row.text.clone(),
        incident: facts(app),
    };
    vec![queue(app, row.sink, msg)]
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
