//! Idempotency keys, and what the journal says is still unsent after a crash.

use chrono::{DateTime, Utc};

use super::sink::delivered_by;
use crate::domain::journal::Entry;
use crate::domain::session_state::{self, MessageReport, SessionState};

/// The idempotency key of message number `seq` of session `session` to sink `sink`:
/// deterministic, so the same message to the same sink always has the same key (it is
/// journaled in `MessageQueued` before the first attempt and reused by every retry).
/// Only `[A-Za-z0-9._-]` survive, so it is a valid header value and PagerDuty dedup key.
pub fn idempotency_key(session: &str, seq: u64, sink: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let key = format!("backout-{}-m{seq}-{}", clean(session), clean(sink));
    key.chars().take(255).collect()
}

/// A message the journal shows as queued for a sink with no outcome: the process died
/// between queuing and knowing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub key: String,
    pub sink: String,
    pub template: String,
    pub text: String,
    /// The sink deduplicates by key, so resending with the same key is safe. Otherwise
    /// it "may have been sent": the operator decides; it is never resent by itself.
    pub resend_safe: bool,
}

/// Every `MessageQueued` without a later `MessageDelivered` or `MessageFailed` for the
/// same key and sink, in the order first queued: the session state's messages fold
/// ([`crate::domain::session_state::messages`]) over bare entries, read as the ledger.
pub fn unfinished<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<Unfinished> {
    let mut messages = Vec::new();
    for entry in entries {
        session_state::messages::apply_entry(&mut messages, entry, DateTime::<Utc>::UNIX_EPOCH);
    }
    messages.iter().filter(|m| m.unfinished()).map(of).collect()
}

/// The ledger of a session state: [`unfinished`] for a journal already folded.
pub fn unfinished_in(state: &SessionState) -> Vec<Unfinished> {
    state.unfinished_messages().map(of).collect()
}

fn of(m: &MessageReport) -> Unfinished {
    Unfinished {
        key: m.key.clone(),
        sink: m.sink.clone(),
        template: m.template.clone(),
        text: m.text.clone(),
        resend_safe: delivered_by(&m.sink).is_some_and(|k| k.dedups()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(key: &str, sink: &str) -> Entry {
        Entry::MessageQueued {
            key: key.into(),
            sink: sink.into(),
            template: "all_clear".into(),
            text: "ok".into(),
        }
    }

    #[test]
    fn keys_are_deterministic_distinct_and_header_safe() {
        let a = idempotency_key("2026-11-22 ab/c", 3, "slack");
        assert_eq!(a, idempotency_key("2026-11-22 ab/c", 3, "slack"));
        assert_eq!(a, "backout-2026-11-22_ab_c-m3-slack");
        assert_ne!(a, idempotency_key("2026-11-22 ab/c", 4, "slack"));
        assert_ne!(a, idempotency_key("2026-11-22 ab/c", 3, "teams"));
        assert_eq!(idempotency_key(&"x".repeat(400), 1, "s").len(), 255);
    }

    #[test]
    fn only_messages_without_an_outcome_are_unfinished() {
        let entries = vec![
            queued("k1", "slack"),
            queued("k1", "pagerduty"),
            queued("k2", "webhook"),
            queued("k3", "github"),
            queued("k4", "outbox:slack"),
            Entry::MessageDelivered {
                key: "k1".into(),
                sink: "slack".into(),
                attempts: 1,
                detail: "200".into(),
            },
            Entry::MessageFailed {
                key: "k2".into(),
                sink: "webhook".into(),
                attempts: 5,
                error: "503".into(),
            },
        ];
        let left = unfinished(&entries);
        let got: Vec<_> = left
            .iter()
            .map(|u| (u.key.as_str(), u.sink.as_str(), u.resend_safe))
            .collect();
        assert_eq!(
            got,
            [
                ("k1", "pagerduty", true),
                ("k3", "github", false),
                ("k4", "outbox:slack", true),
            ]
        );
    }
}
