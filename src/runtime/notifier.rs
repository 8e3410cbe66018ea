//! Sending a message to every configured sink with the journal as the ledger:
//! `MessageQueued` for each sink is appended (fsynced) before the first attempt at any of
//! them, the deliveries run concurrently, and each ends in `MessageDelivered` or
//! `MessageFailed`. In a drill every sink is diverted to the outbox.
//!
//! Details from sinks are redacted before they are logged, journaled or returned.

use std::time::Duration;

use futures::future::join_all;
use reqwest::Client;

use super::journal_port::JournalAppend;
use crate::adapters::notify::{Delivery, Progress, Sink, deliver, http_client};
use crate::domain::journal::Entry;
use crate::domain::notify::{
    IncidentFacts, MessageKind, Outgoing, RetryPolicy, Unfinished, idempotency_key,
};
use crate::domain::redact::Redactor;
use crate::domain::session_state::deliveries::{self, Deliveries};

/// The sinks of a session, the shared HTTP client and the retry policy.
#[derive(Debug, Clone)]
pub struct Notifier {
    http: Client,
    policy: RetryPolicy,
    sinks: Vec<Sink>,
    redactor: Redactor,
}

/// What happened to a message at one sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkResult {
    /// The journal name (`slack`, `outbox:slack`).
    pub sink: String,
    pub key: String,
    /// `None` when the `MessageQueued` entry could not be journaled: then nothing was sent.
    pub delivery: Option<Delivery>,
}

/// A message to send: its kind, text and the incident facts.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The message's number in the session (part of every idempotency key).
    pub seq: u64,
    pub kind: MessageKind,
    pub text: String,
    pub incident: IncidentFacts,
    pub at_ms: i64,
}

impl Notifier {
    /// `redactor` must hold every secret the sinks were configured with (see
    /// `adapters::notify::configure`).
    pub fn new(
        sinks: Vec<Sink>,
        policy: RetryPolicy,
        timeout: Duration,
        redactor: Redactor,
    ) -> Result<Notifier, String> {
        let http = http_client(timeout).map_err(|e| e.without_url().to_string())?;
        Ok(Notifier {
            http,
            policy,
            sinks,
            redactor,
        })
    }

    /// Restores what the journal says earlier deliveries created (see [`Sink::remember`]),
    /// from its entries (folded as the session's state folds them).
    pub fn remember<'a>(&self, entries: impl IntoIterator<Item = &'a Entry>) {
        let mut delivered = Deliveries::default();
        for e in entries {
            deliveries::apply(&mut delivered, e);
        }
        self.remember_delivered(&delivered);
    }

    /// Restores what earlier deliveries created, from the session's state
    /// (`SessionState::deliveries`): each sink reads its deliveries' details in order.
    pub fn remember_delivered(&self, delivered: &Deliveries) {
        for (sink, details) in delivered {
            if let Some(s) = self.sinks.iter().find(|s| &s.journal_name() == sink) {
                for detail in details {
                    s.remember(detail);
                }
            }
        }
    }

    pub fn sinks(&self) -> &[Sink] {
        &self.sinks
    }

    /// Sends `draft` to every sink. `progress` hears of each retry (sink journal name and
    /// the progress), already redacted.
    pub async fn send<J: JournalAppend>(
        &self,
        journal: &mut J,
        draft: &Draft,
        progress: impl Fn(&str, Progress) + Sync,
    ) -> Vec<SinkResult> {
        let mut queued = Vec::new();
        let mut results = Vec::new();
        for sink in &self.sinks {
            let name = sink.journal_name();
            let key = idempotency_key(&draft.incident.id, draft.seq, &name);
            let entry = Entry::MessageQueued {
                key: key.clone(),
                sink: name.clone(),
                template: draft.kind.name().to_string(),
                text: draft.text.clone(),
            };
            match journal.append(entry) {
                Ok(_) => queued.push((sink, key)),
                Err(e) => {
                    tracing::error!(sink = %name, "message not sent: cannot journal it: {e}");
                    results.push(SinkResult {
                        sink: name,
                        key,
                        delivery: None,
                    });
                }
            }
        }
        let outgoing: Vec<(&Sink, Outgoing)> = queued
            .into_iter()
            .map(|(sink, key)| {
                let msg = Outgoing {
                    key,
                    at_ms: draft.at_ms,
                    kind: draft.kind,
                    text: draft.text.clone(),
                    incident: draft.incident.clone(),
                };
                (sink, msg)
            })
            .collect();
        let deliveries = join_all(
            outgoing
                .iter()
                .map(|(sink, msg)| self.deliver_one(sink, msg, &progress)),
        )
        .await;
        for ((sink, msg), delivery) in outgoing.iter().zip(deliveries) {
            self.journal_outcome(journal, &sink.journal_name(), &msg.key, &delivery);
            results.push(SinkResult {
                sink: sink.journal_name(),
                key: msg.key.clone(),
                delivery: Some(delivery),
            });
        }
        results
    }

    /// After a crash: resends the unfinished messages whose sink deduplicates (same key),
    /// journaling the outcome; returns the others, which "may have been sent" and are
    /// left for the operator. A message whose sink is no longer configured is left too.
    pub async fn resume<J: JournalAppend>(
        &self,
        journal: &mut J,
        unfinished: &[Unfinished],
        incident: &IncidentFacts,
        at_ms: i64,
    ) -> (Vec<SinkResult>, Vec<Unfinished>) {
        let mut resent = Vec::new();
        let mut left = Vec::new();
        for u in unfinished {
            let sink = self.sinks.iter().find(|s| s.journal_name() == u.sink);
            let kind = MessageKind::from_name(&u.template);
            let (Some(sink), Some(kind), true) = (sink, kind, u.resend_safe) else {
                left.push(u.clone());
                continue;
            };
            let msg = Outgoing {
                key: u.key.clone(),
                at_ms,
                kind,
                text: u.text.clone(),
                incident: incident.clone(),
            };
            let delivery = self.deliver_one(sink, &msg, &|_, _| {}).await;
            self.journal_outcome(journal, &u.sink, &u.key, &delivery);
            resent.push(SinkResult {
                sink: u.sink.clone(),
                key: u.key.clone(),
                delivery: Some(delivery),
            });
        }
        (resent, left)
    }

    /// Delivers `msg` to the sink journaled as `sink` (no journaling: the console
    /// journals through its own writer). `None` when no such sink is configured.
    pub async fn deliver_to(
        &self,
        sink: &str,
        msg: &Outgoing,
        progress: &(impl Fn(&str, Progress) + Sync),
    ) -> Option<Delivery> {
        let sink = self.sinks.iter().find(|s| s.journal_name() == sink)?;
        Some(self.deliver_one(sink, msg, progress).await)
    }

    async fn deliver_one(
        &self,
        sink: &Sink,
        msg: &Outgoing,
        progress: &(impl Fn(&str, Progress) + Sync),
    ) -> Delivery {
        let name = sink.journal_name();
        let d = deliver(
            sink,
            &self.http,
            msg,
            &self.policy,
            tokio::time::sleep,
            |p| {
                let Progress::Retrying {
                    attempt,
                    wait,
                    detail,
                } = p;
                let detail = self.redactor.redact(&detail).into_owned();
                tracing::info!(sink = %name, attempt, ?wait, "retrying message: {detail}");
                progress(
                    &name,
                    Progress::Retrying {
                        attempt,
                        wait,
                        detail,
                    },
                );
            },
        )
        .await;
        let clean = |s: String| self.redactor.redact(&s).into_owned();
        let outcome = d.outcome.map(clean).map_err(clean);
        match &outcome {
            Ok(detail) => {
                tracing::info!(sink = %name, attempts = d.attempts, "message delivered: {detail}")
            }
            Err(error) => {
                tracing::warn!(sink = %name, attempts = d.attempts, "message not delivered: {error}")
            }
        }
        Delivery {
            attempts: d.attempts,
            outcome,
        }
    }

    fn journal_outcome<J: JournalAppend>(
        &self,
        journal: &mut J,
        sink: &str,
        key: &str,
        delivery: &Delivery,
    ) {
        let entry = match &delivery.outcome {
            Ok(detail) => Entry::MessageDelivered {
                key: key.to_string(),
                sink: sink.to_string(),
                attempts: delivery.attempts,
                detail: detail.clone(),
            },
            Err(error) => Entry::MessageFailed {
                key: key.to_string(),
                sink: sink.to_string(),
                attempts: delivery.attempts,
                error: error.clone(),
            },
        };
        if let Err(e) = journal.append(entry) {
            tracing::error!(sink, "cannot journal the message outcome: {e}");
        }
    }
}
