//! A configured sink: what kind it is, where it really sends (its own API, or the drill
//! outbox standing in for it) and one attempt at sending.

use std::sync::Arc;

use reqwest::Client;

use super::github::Github;
use super::grafana::Grafana;
use super::http::{Attempt, send};
use super::outbox::Outbox;
use super::pagerduty::Pagerduty;
use super::slack::Slack;
use super::statuspage::Statuspage;
use super::teams::Teams;
use super::webhook::Webhook;
use crate::domain::notify::sink::journal_name;
use crate::domain::notify::{Outgoing, SinkKind};

#[derive(Debug)]
pub enum Target {
    Slack(Slack),
    Teams(Teams),
    Webhook(Webhook),
    Github(Github),
    Statuspage(Statuspage),
    Grafana(Grafana),
    Pagerduty(Pagerduty),
    Outbox(Outbox),
}

#[derive(Debug, Clone)]
pub struct Sink {
    kind: SinkKind,
    target: Arc<Target>,
}

impl Sink {
    pub fn new(kind: SinkKind, target: Target) -> Sink {
        Sink {
            kind,
            target: Arc::new(target),
        }
    }

    /// The sink this one is (for a diverted sink, the one it stands in for).
    pub fn kind(&self) -> SinkKind {
        self.kind
    }

    /// Whether the drill outbox receives this sink's messages.
    pub fn diverted(&self) -> bool {
        matches!(*self.target, Target::Outbox(_))
    }

    /// The name deliveries are journaled under (`slack`, or `outbox:slack` in a drill).
    pub fn journal_name(&self) -> String {
        journal_name(self.kind, self.diverted())
    }

    /// Whether resending a message with the same key is harmless.
    pub fn dedups(&self) -> bool {
        if self.diverted() {
            SinkKind::Outbox.dedups()
        } else {
            self.kind.dedups()
        }
    }

    /// Takes back what an earlier delivery's journaled detail says the sink created (a
    /// Statuspage incident, a Grafana annotation), so a resumed session updates it instead
    /// of opening another. Returns whether the detail named one.
    pub fn remember(&self, detail: &str) -> bool {
        let after = |marker: &str| {
            detail
                .split_once(marker)
                .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_string())
                .filter(|id| !id.is_empty())
        };
        match &*self.target {
            Target::Statuspage(s) => match after("created incident ") {
                Some(id) => s.incident.lock().map(|mut g| *g = Some(id)).is_ok(),
                None => false,
            },
            Target::Grafana(g) => match after("added annotation ").and_then(|n| n.parse().ok()) {
                Some(id) => g.annotation.lock().map(|mut a| *a = Some(id)).is_ok(),
                None => false,
            },
            _ => false,
        }
    }

    /// One attempt at sending `msg`.
    pub async fn attempt(&self, http: &Client, msg: &Outgoing) -> Attempt {
        let req = match &*self.target {
            Target::Slack(s) => s.request(http, msg),
            Target::Teams(s) => s.request(http, msg),
            Target::Webhook(s) => s.request(http, msg),
            Target::Github(s) => s.request(http, msg),
            Target::Pagerduty(s) => s.request(http, msg),
            Target::Statuspage(s) => return s.attempt(http, msg).await,
            Target::Grafana(s) => return s.attempt(http, msg).await,
            Target::Outbox(o) => return o.attempt(msg, self.kind.name()),
        };
        match send(req).await {
            Ok(answer) => Attempt::delivered(format!("HTTP {}", answer.status)),
            Err(failed) => failed,
        }
    }
}
