//! Messages for every runbook: `m` drafts from the runbook's own templates (their
//! placeholders filled from the session) before the built-in kinds. Without a sink the
//! draft is handed to the runtime (`NotifyEffect::Draft`: copied with OSC 52 and saved
//! under the session directory), then journaled as `MessageDrafted` ("drafted; sent by
//! hand"); `p` in the messages list records that it was posted (`MessagePostedByHand`),
//! which alone counts as communication in a drill's scorecard.

use std::collections::BTreeMap;

use ratatui_textarea::TextArea;

use crate::domain::journal::Entry;
use crate::domain::notify::{MessageKind, idempotency_key, kind_of_title};
use crate::domain::runbook::message_templates::fill;
use crate::ui::effect::{Effect, NotifyEffect};
use crate::ui::state::messaging::{BY_HAND, MessageRow, RowStatus};
use crate::ui::state::{App, FlashLevel, Layer, Prompt, PromptPurpose, Then};

use super::message_values::template_values;

/// The session's values for a runbook template: the built-in templates' values plus
/// the declared severity, its reason and row (the impact), how the rollback was done
/// and who is working the session.
pub fn values(app: &App) -> BTreeMap<&'static str, String> {
    let mut v = template_values(app);
    if let Some(d) = &app.severity.current {
        v.entry("severity").or_insert_with(|| d.severity.clone());
        v.insert("reason", d.reason.clone());
        if let Some(row) = &d.row {
            v.insert("impact", row.clone());
        }
    }
    if let Some(action) = app.state.progress.cluster_actions.last() {
        v.insert("method", action.action.clone());
    }
    v.insert("actor", app.session.actor.clone());
    v
}

/// The runbook template `i`, filled and with secrets masked.
pub fn runbook_draft(app: &App, i: usize) -> Option<(MessageKind, String)> {
    let t = app.runbook.message_templates.get(i)?;
    Some((
        kind_of_title(&t.title),
        app.mask_secrets(&fill(&t.text, &values(app))),
    ))
}

/// What the composer's title names: the runbook template's title or the kind's.
pub fn draft_title(app: &App, template: Option<usize>, kind: MessageKind) -> String {
    template
        .and_then(|i| app.runbook.message_templates.get(i))
        .map_or_else(|| kind.title().to_string(), |t| t.title.clone())
}

/// Ctrl-S without sinks: the runtime copies and saves the text, then answers.
pub fn hand_over(
    app: &mut App,
    template: Option<usize>,
    kind: MessageKind,
    text: String,
) -> Vec<Effect> {
    let seq = app.messaging.next_seq.max(app.state.progress.last_seq + 1);
    app.messaging.next_seq = seq + 1;
    let key = idempotency_key(&app.session.id, seq, "by-hand");
    let template = match template {
        Some(_) => draft_title(app, template, kind),
        None => kind.name().to_string(),
    };
    app.flash(FlashLevel::Info, "Copying the draft and saving it…");
    vec![Effect::Notify(NotifyEffect::Draft {
        key,
        template,
        text: app.mask_secrets(&text),
    })]
}

/// The runtime's answer: journal `MessageDrafted` once it is saved.
pub fn draft_saved(
    app: &mut App,
    key: String,
    template: String,
    text: String,
    saved: Result<String, String>,
    copied: bool,
) -> Vec<Effect> {
    let saved_to = match saved {
        Ok(path) => path,
        Err(e) => {
            app.flash(
                FlashLevel::Error,
                &format!("The draft was not saved ({e}); nothing recorded."),
            );
            return Vec::new();
        }
    };
    let kind = MessageKind::from_name(&template).unwrap_or_else(|| kind_of_title(&template));
    app.messaging.rows.push(MessageRow {
        key: key.clone(),
        sink: BY_HAND.into(),
        kind,
        text: text.clone(),
        status: RowStatus::Drafted {
            saved_to: saved_to.clone(),
        },
    });
    let copy = if copied {
        "copied to the clipboard (OSC 52) and saved"
    } else {
        "saved (not copied: the terminal was not reachable or the text too long)"
    };
    app.flash(
        FlashLevel::Info,
        &format!("Draft {copy} to {saved_to}. Post it by hand, then M and p to record it."),
    );
    vec![app.journal(
        Entry::MessageDrafted {
            key,
            template,
            text,
            saved_to,
        },
        None,
        Then::Nothing,
    )]
}

/// `p` in the messages list on a draft: ask where it was posted.
pub fn request_posted(app: &mut App, cursor: usize) -> Vec<Effect> {
    let Some(row) = app.messaging.rows.get(cursor) else {
        return Vec::new();
    };
    if !matches!(row.status, RowStatus::Drafted { .. }) {
        app.flash(
            FlashLevel::Info,
            "Only a message drafted without a sink is posted by hand.",
        );
        return Vec::new();
    }
    let key = row.key.clone();
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. #inc-checkout on Slack");
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: "Posted by hand".into(),
        hint: "Where did you post it? Recorded in the journal; a drill counts it as communication."
            .into(),
        purpose: PromptPurpose::PostedWhere { key },
        input,
        error: None,
    })));
    Vec::new()
}

/// Journals `MessagePostedByHand`.
pub fn posted(app: &mut App, key: String, where_: String) -> Vec<Effect> {
    if let Some(row) = app.messaging.row(&key, BY_HAND) {
        row.status = RowStatus::PostedByHand {
            where_: where_.clone(),
        };
    }
    app.flash(
        FlashLevel::Info,
        &format!("Recorded: posted by hand to {where_}."),
    );
    vec![app.journal(
        Entry::MessagePostedByHand {
            key,
            where_,
            by: app.session.actor.clone(),
        },
        None,
        Then::Nothing,
    )]
}

#[cfg(test)]
#[path = "drafts_tests.rs"]
mod tests;
