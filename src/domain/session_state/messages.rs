//! Messages and their delivery: every message queued, per sink, with how its delivery
//! ended (the latest outcome wins: a manual retry after a failure can deliver it).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};

/// One message to one sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageReport {
    pub queued_at: DateTime<Utc>,
    pub key: String,
    pub sink: String,
    /// The message kind (`rollback_notification`, …).
    pub template: String,
    pub text: String,
    pub status: MessageStatus,
    /// Queued (again) with no outcome journaled since: the process may have died between
    /// queuing and knowing. A manual retry after a failure is open until its outcome,
    /// while `status` still tells the failure before it. Not part of the report.
    #[serde(skip)]
    pub open: bool,
}

impl MessageReport {
    /// Queued to a sink (not drafted) with no outcome since the last queuing: what a
    /// crash left unsent, "may have been sent".
    pub fn unfinished(&self) -> bool {
        self.open && self.sink != BY_HAND
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MessageStatus {
    /// Queued with no outcome in the journal: it may or may not have been sent.
    Unknown,
    Delivered {
        at: DateTime<Utc>,
        attempts: u32,
        detail: String,
    },
    Failed {
        at: DateTime<Utc>,
        attempts: u32,
        error: String,
    },
    /// Drafted without a sink, saved for the operator to post by hand; not confirmed posted.
    Drafted { saved_to: String },
    /// A drafted message the operator confirmed posting by hand.
    PostedByHand {
        at: DateTime<Utc>,
        by: String,
        #[serde(rename = "where")]
        where_: String,
    },
}

impl MessageStatus {
    pub fn describe(&self) -> String {
        let tries = |n: &u32| format!("{n} attempt{}", if *n == 1 { "" } else { "s" });
        match self {
            MessageStatus::Unknown => "no outcome journaled: may have been sent".to_string(),
            MessageStatus::Delivered {
                attempts, detail, ..
            } => format!("delivered after {}: {detail}", tries(attempts)),
            MessageStatus::Failed {
                attempts, error, ..
            } => format!("failed after {}: {error}", tries(attempts)),
            MessageStatus::Drafted { saved_to } => {
                format!("drafted, not confirmed posted (saved to {saved_to})")
            }
            MessageStatus::PostedByHand { by, where_, .. } => {
                format!("posted by hand in {where_} (confirmed by {by})")
            }
        }
    }
}

/// The sink column of a message drafted for the operator to post by hand.
pub const BY_HAND: &str = "by hand";

/// Folds one record into the messages, kept in the order queued (or drafted).
pub fn apply(out: &mut Vec<MessageReport>, r: &Record) {
    apply_entry(out, &r.entry, r.ts);
}

/// [`apply`] for an entry written at `at` (the notify ledger folds bare entries).
pub fn apply_entry(out: &mut Vec<MessageReport>, entry: &Entry, at: DateTime<Utc>) {
    match entry {
        Entry::MessageQueued {
            key,
            sink,
            template,
            text,
        } => {
            if let Some(m) = out.iter_mut().find(|m| &m.key == key && &m.sink == sink) {
                m.open = true; // queued again for a retry: one row
                return;
            }
            out.push(MessageReport {
                queued_at: at,
                key: key.clone(),
                sink: sink.clone(),
                template: template.clone(),
                text: text.clone(),
                status: MessageStatus::Unknown,
                open: true,
            });
        }
        Entry::MessageDelivered {
            key,
            sink,
            attempts,
            detail,
        } => {
            let status = MessageStatus::Delivered {
                at,
                attempts: *attempts,
                detail: detail.clone(),
            };
            close(out, key, sink, status);
        }
        Entry::MessageDrafted {
            key,
            template,
            text,
            saved_to,
        } => {
            if out.iter().any(|m| &m.key == key && m.sink == BY_HAND) {
                return;
            }
            out.push(MessageReport {
                queued_at: at,
                key: key.clone(),
                sink: BY_HAND.to_string(),
                template: template.clone(),
                text: text.clone(),
                status: MessageStatus::Drafted {
                    saved_to: saved_to.clone(),
                },
                open: false,
            });
        }
        Entry::MessagePostedByHand { key, where_, by } => {
            if let Some(m) = out.iter_mut().find(|m| &m.key == key && m.sink == BY_HAND) {
                m.status = MessageStatus::PostedByHand {
                    at,
                    by: by.clone(),
                    where_: where_.clone(),
                };
            }
        }
        Entry::MessageFailed {
            key,
            sink,
            attempts,
            error,
        } => {
            let status = MessageStatus::Failed {
                at,
                attempts: *attempts,
                error: error.clone(),
            };
            close(out, key, sink, status);
        }
        _ => {}
    }
}

/// The message `key` sent to `sink` is over: closed with `status` (a record for a message
/// never queued changes nothing).
fn close(out: &mut [MessageReport], key: &str, sink: &str, status: MessageStatus) {
    if let Some(m) = out.iter_mut().find(|m| m.key == key && m.sink == sink) {
        m.open = false;
        m.status = status;
    }
}
