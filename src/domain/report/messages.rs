//! The report's Messages section: every message queued, per sink, with how its delivery
//! ended (the latest outcome wins: a manual retry after a failure can deliver it).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{cell, utc};
use crate::domain::journal::{Entry, Record};
use crate::domain::redact::Redactor;

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

/// Every message in the journal, in the order queued (or drafted).
pub fn messages(records: &[Record]) -> Vec<MessageReport> {
    let mut out: Vec<MessageReport> = Vec::new();
    for r in records {
        match &r.entry {
            Entry::MessageQueued {
                key,
                sink,
                template,
                text,
            } => {
                if out.iter().any(|m| &m.key == key && &m.sink == sink) {
                    continue; // queued again for a retry: one row
                }
                out.push(MessageReport {
                    queued_at: r.ts,
                    key: key.clone(),
                    sink: sink.clone(),
                    template: template.clone(),
                    text: text.clone(),
                    status: MessageStatus::Unknown,
                });
            }
            Entry::MessageDelivered {
                key,
                sink,
                attempts,
                detail,
            } => {
                if let Some(m) = out.iter_mut().find(|m| &m.key == key && &m.sink == sink) {
                    m.status = MessageStatus::Delivered {
                        at: r.ts,
                        attempts: *attempts,
                        detail: detail.clone(),
                    };
                }
            }
            Entry::MessageDrafted {
                key,
                template,
                text,
                saved_to,
            } => {
                if out.iter().any(|m| &m.key == key && m.sink == BY_HAND) {
                    continue;
                }
                out.push(MessageReport {
                    queued_at: r.ts,
                    key: key.clone(),
                    sink: BY_HAND.to_string(),
                    template: template.clone(),
                    text: text.clone(),
                    status: MessageStatus::Drafted {
                        saved_to: saved_to.clone(),
                    },
                });
            }
            Entry::MessagePostedByHand { key, where_, by } => {
                if let Some(m) = out.iter_mut().find(|m| &m.key == key && m.sink == BY_HAND) {
                    m.status = MessageStatus::PostedByHand {
                        at: r.ts,
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
                if let Some(m) = out.iter_mut().find(|m| &m.key == key && &m.sink == sink) {
                    m.status = MessageStatus::Failed {
                        at: r.ts,
                        attempts: *attempts,
                        error: error.clone(),
                    };
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) fn redact(messages: &mut [MessageReport], redactor: &Redactor) {
    let r = |s: &mut String| {
        if let std::borrow::Cow::Owned(new) = redactor.redact(s) {
            *s = new;
        }
    };
    for m in messages {
        r(&mut m.text);
        match &mut m.status {
            MessageStatus::Unknown => {}
            MessageStatus::Drafted { saved_to } => r(saved_to),
            MessageStatus::PostedByHand { where_, .. } => r(where_),
            MessageStatus::Delivered { detail, .. } => r(detail),
            MessageStatus::Failed { error, .. } => r(error),
        }
    }
}

/// `## Messages`: a table of every message per sink, then each distinct text once.
pub(super) fn messages_md(md: &mut String, messages: &[MessageReport]) {
    if messages.is_empty() {
        return;
    }
    md.push_str("## Messages\n\n");
    md.push_str("| Queued (UTC) | Message | Sink | Delivery |\n|---|---|---|---|\n");
    for m in messages {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            utc(m.queued_at),
            cell(&m.template),
            cell(&m.sink),
            cell(&m.status.describe())
        );
    }
    md.push('\n');
    let mut shown: Vec<(&str, &str)> = Vec::new();
    for m in messages {
        if shown.contains(&(m.template.as_str(), m.text.as_str())) {
            continue;
        }
        shown.push((&m.template, &m.text));
        let _ = writeln!(md, "**{}** ({}):\n", cell(&m.template), utc(m.queued_at));
        for line in m.text.trim_end().lines() {
            let _ = writeln!(md, "> {line}");
        }
        md.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::testing::t0;
    use crate::domain::journal::{GENESIS, seal};
    use crate::domain::progress::Progress;

    fn records(entries: Vec<Entry>) -> Vec<Record> {
        let mut prev = GENESIS.to_string();
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let ts = t0() + chrono::Duration::seconds(i as i64 * 10);
                let (r, _) = seal(i as u64 + 1, ts, "alice", e, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn queued(key: &str, sink: &str, text: &str) -> Entry {
        Entry::MessageQueued {
            key: key.into(),
            sink: sink.into(),
            template: "rollback_notification".into(),
            text: text.into(),
        }
    }

    #[test]
    fn every_message_per_sink_with_its_latest_outcome() {
        let text = "Rolling back checkout\nto 1.5.2";
        let rs = records(vec![
            queued("k1-slack", "slack", text),
            queued("k1-pd", "pagerduty", text),
            queued("k1-gh", "github", text),
            Entry::MessageDelivered {
                key: "k1-slack".into(),
                sink: "slack".into(),
                attempts: 1,
                detail: "HTTP 200".into(),
            },
            Entry::MessageFailed {
                key: "k1-pd".into(),
                sink: "pagerduty".into(),
                attempts: 5,
                error: "HTTP 503".into(),
            },
            // the operator retried: queued again, then delivered
            queued("k1-pd", "pagerduty", text),
            Entry::MessageDelivered {
                key: "k1-pd".into(),
                sink: "pagerduty".into(),
                attempts: 2,
                detail: "HTTP 202 hunter2-secret".into(),
            },
        ]);
        let mut report = super::super::build(&Progress::replay(&rs), &rs, None);
        assert_eq!(report.messages.len(), 3);
        report.redact(&Redactor::new(["hunter2-secret"]));
        let md = super::super::to_markdown(&report);
        let section = md
            .split("## Messages\n\n")
            .nth(1)
            .and_then(|s| s.split("## Timeline").next())
            .expect("a Messages section before the timeline");
        assert_eq!(
            section,
            "| Queued (UTC) | Message | Sink | Delivery |\n|---|---|---|---|\n\
             | 2026-11-22 01:52:03Z | rollback_notification | slack | delivered after 1 attempt: HTTP 200 |\n\
             | 2026-11-22 01:52:13Z | rollback_notification | pagerduty | delivered after 2 attempts: HTTP 202 ‹redacted› |\n\
             | 2026-11-22 01:52:23Z | rollback_notification | github | no outcome journaled: may have been sent |\n\
             \n\
             **rollback_notification** (2026-11-22 01:52:03Z):\n\
             \n\
             > Rolling back checkout\n\
             > to 1.5.2\n\
             \n"
        );
    }

    #[test]
    fn no_messages_no_section() {
        let rs = records(vec![Entry::DrillEvent { what: "x".into() }]);
        let report = super::super::build(&Progress::replay(&rs), &rs, None);
        assert!(!super::super::to_markdown(&report).contains("## Messages"));
    }
}
