//! The console's view of messaging: the sinks, every message with its delivery per sink,
//! and the composer's draft. The list starts from the session state's messages (the one
//! fold of the journal); what the journal cannot say yet (a record being written, a
//! delivery under way or waiting to retry) is set by the messages reducer as it happens.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui_textarea::TextArea;

use crate::domain::notify::MessageKind;
use crate::domain::session_state::{MessageReport, MessageStatus, SessionState};

/// What the notifier reports about a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyEvent {
    /// An attempt failed; the next starts after `wait`.
    Retrying {
        key: String,
        sink: String,
        attempt: u32,
        wait: Duration,
        detail: String,
    },
    /// The delivery ended: `Ok(detail)` delivered, `Err(error)` gave up.
    Finished {
        key: String,
        sink: String,
        attempts: u32,
        outcome: Result<String, String>,
    },
}

/// Where a message stands at one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowStatus {
    /// `MessageQueued` is being written.
    Journaling,
    /// On disk; the notifier is sending.
    Sending,
    Retrying {
        attempt: u32,
        next_at: DateTime<Utc>,
        detail: String,
    },
    Delivered {
        attempts: u32,
        detail: String,
    },
    Failed {
        attempts: u32,
        error: String,
    },
    /// Queued before a crash with no outcome journaled: it may have been sent.
    Unknown,
    /// Drafted without a sink (copied, saved at `saved_to`): to be posted by hand.
    Drafted {
        saved_to: String,
    },
    /// The operator said it was posted by hand, `where_`.
    PostedByHand {
        where_: String,
    },
}

impl RowStatus {
    /// One line for the list (`retrying in 4s`).
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        let tries = |n: u32| format!("{n} attempt{}", if n == 1 { "" } else { "s" });
        match self {
            RowStatus::Journaling => "queued (journaling)".into(),
            RowStatus::Sending => "sending…".into(),
            RowStatus::Retrying {
                attempt,
                next_at,
                detail,
            } => {
                let secs = (*next_at - now).num_seconds().max(0) as u64;
                format!(
                    "retrying in {} (attempt {attempt}: {detail})",
                    crate::domain::duration_text::compact(secs)
                )
            }
            RowStatus::Delivered { attempts, detail } => {
                format!("delivered after {}: {detail}", tries(*attempts))
            }
            RowStatus::Failed { attempts, error } => {
                format!("failed after {}: {error}", tries(*attempts))
            }
            RowStatus::Unknown => "may have been sent (no outcome journaled)".into(),
            RowStatus::Drafted { saved_to } => {
                format!("drafted; to post by hand (p when posted) — saved to {saved_to}")
            }
            RowStatus::PostedByHand { where_ } => format!("posted by hand to {where_}"),
        }
    }

    /// Whether the operator may send it again.
    pub fn retryable(&self) -> bool {
        matches!(self, RowStatus::Failed { .. } | RowStatus::Unknown)
    }
}

/// The "sink" of a message drafted without one: the operator posts it by hand.
pub use crate::domain::session_state::messages::BY_HAND;

/// One message to one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub key: String,
    pub sink: String,
    pub kind: MessageKind,
    pub text: String,
    pub status: RowStatus,
}

/// The console's view of messaging: the sinks configured and every message so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messaging {
    /// Journal names of the sinks (`slack`, or `outbox:slack` in a drill).
    pub sinks: Vec<String>,
    /// Every sink is diverted to the drill outbox.
    pub drill: bool,
    pub rows: Vec<MessageRow>,
    /// The number the next message gets (part of its idempotency keys).
    pub next_seq: u64,
}

impl Messaging {
    /// Messaging with these sinks, its list read from the session state (a resumed
    /// session shows its messages; one with no outcome "may have been sent").
    pub fn new(sinks: Vec<String>, drill: bool, state: &SessionState) -> Messaging {
        Messaging {
            sinks,
            drill,
            rows: state.messages.iter().map(MessageRow::of).collect(),
            next_seq: if state.head.records == 0 {
                1
            } else {
                state.progress.last_seq + 1
            },
        }
    }

    pub fn row(&mut self, key: &str, sink: &str) -> Option<&mut MessageRow> {
        self.rows
            .iter_mut()
            .find(|r| r.key == key && r.sink == sink)
    }
}

impl MessageRow {
    /// A message as the journal left it: what the list shows before anything happens
    /// live (sending, retrying).
    pub fn of(m: &MessageReport) -> MessageRow {
        let kind = match &m.status {
            MessageStatus::Drafted { .. } | MessageStatus::PostedByHand { .. } => {
                MessageKind::from_name(&m.template)
                    .unwrap_or_else(|| crate::domain::notify::kind_of_title(&m.template))
            }
            _ => MessageKind::from_name(&m.template).unwrap_or(MessageKind::StatusUpdate),
        };
        let status = match &m.status {
            _ if m.open => RowStatus::Unknown,
            MessageStatus::Unknown => RowStatus::Unknown,
            MessageStatus::Delivered {
                attempts, detail, ..
            } => RowStatus::Delivered {
                attempts: *attempts,
                detail: detail.clone(),
            },
            MessageStatus::Failed {
                attempts, error, ..
            } => RowStatus::Failed {
                attempts: *attempts,
                error: error.clone(),
            },
            MessageStatus::Drafted { saved_to } => RowStatus::Drafted {
                saved_to: saved_to.clone(),
            },
            MessageStatus::PostedByHand { where_, .. } => RowStatus::PostedByHand {
                where_: where_.clone(),
            },
        };
        MessageRow {
            key: m.key.clone(),
            sink: m.sink.clone(),
            kind,
            text: m.text.clone(),
            status,
        }
    }
}

/// The message editor: a kind and its (editable) text.
pub struct Composer {
    pub kind: MessageKind,
    pub input: TextArea<'static>,
    /// Drafted from the runbook's own template (index into `Runbook::message_templates`);
    /// `None` for a built-in kind.
    pub template: Option<usize>,
}
