//! PagerDuty Events API v2: `POST {api}/v2/enqueue` with the routing key, an
//! `event_action` (a rollback notification triggers, a status update acknowledges, an
//! all-clear resolves) and a `dedup_key`.
//!
//! The dedup key names the PagerDuty *alert*, so it is the incident's key (the same for
//! every message of the session): acknowledge and resolve must name the alert the
//! trigger opened, and a trigger resent after a crash is deduplicated into it.

use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

use crate::adapters::secret::Secret;
use crate::domain::notify::{MessageKind, Outgoing, idempotency_key};

pub const DEFAULT_API: &str = "https://events.pagerduty.com";

#[derive(Debug, Clone)]
pub struct Pagerduty {
    pub api_url: String,
    pub routing_key: Secret,
}

/// The event action a message kind stands for.
pub fn event_action(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::RollbackNotification => "trigger",
        MessageKind::StatusUpdate => "acknowledge",
        _ => "resolve",
    }
}

/// The alert's dedup key for an incident (session): `backout-<session>-m0-pagerduty`.
pub fn dedup_key(session: &str) -> String {
    idempotency_key(session, 0, "pagerduty")
}

/// PagerDuty's severities from the matrix's: `SEV-1`/`P1` critical, 2 error, 3 warning,
/// higher info; a PagerDuty name is kept; anything else is `error`.
pub fn severity(sev: &str) -> &'static str {
    let lower = sev.trim().to_ascii_lowercase();
    for name in ["critical", "error", "warning", "info"] {
        if lower == name {
            return name;
        }
    }
    match lower.chars().find(char::is_ascii_digit) {
        Some('0' | '1') => "critical",
        Some('2') => "error",
        Some('3') => "warning",
        Some(_) => "info",
        None => "error",
    }
}

impl Pagerduty {
    pub fn body(&self, msg: &Outgoing) -> Value {
        let action = event_action(msg.kind);
        let mut body = json!({
            "routing_key": self.routing_key.expose(),
            "event_action": action,
            "dedup_key": dedup_key(&msg.incident.id),
        });
        if action == "trigger" {
            let source = if msg.incident.service.is_empty() {
                "backout".to_string()
            } else {
                msg.incident.service.clone()
            };
            body["payload"] = json!({
                "summary": msg.summary(1024),
                "source": source,
                "severity": severity(&msg.incident.severity),
                "custom_details": { "message": msg.text, "incident": msg.incident.id, "key": msg.key },
            });
            body["client"] = json!("backout");
        }
        body
    }

    pub(super) fn request(&self, http: &Client, msg: &Outgoing) -> RequestBuilder {
        let url = format!("{}/v2/enqueue", self.api_url.trim_end_matches('/'));
        http.post(url).json(&self.body(msg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_pagerduty_names() {
        for (ours, theirs) in [
            ("SEV-1", "critical"),
            ("P1", "critical"),
            ("sev2", "error"),
            ("SEV-3", "warning"),
            ("SEV-4", "info"),
            ("Warning", "warning"),
            ("", "error"),
            ("major", "error"),
        ] {
            assert_eq!(severity(ours), theirs, "{ours}");
        }
    }
}
