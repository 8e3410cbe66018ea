//! Generic JSON webhook: `POST <webhook URL>` with the message and the incident facts as
//! JSON, and the message's idempotency key in an `Idempotency-Key` header so a receiver
//! can drop a resend.

use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

use crate::adapters::secret::Secret;
use crate::domain::notify::Outgoing;

#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: Secret,
}

impl Webhook {
    pub(super) fn request(&self, http: &Client, msg: &Outgoing) -> RequestBuilder {
        http.post(self.url.expose())
            .header("Idempotency-Key", &msg.key)
            .json(&body(msg))
    }
}

pub fn body(msg: &Outgoing) -> Value {
    let i = &msg.incident;
    json!({
        "key": msg.key,
        "kind": msg.kind.name(),
        "text": msg.text,
        "at_ms": msg.at_ms,
        "incident": {
            "id": i.id,
            "title": i.title,
            "service": i.service,
            "severity": i.severity,
            "started_at_ms": i.started_at_ms,
        }
    })
}
