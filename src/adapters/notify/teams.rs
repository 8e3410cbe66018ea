//! Microsoft Teams workflow webhook ("Post to a channel when a webhook request is
//! received"): `POST <webhook URL>` with a message whose one attachment is an Adaptive
//! Card 1.4.

use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

use crate::adapters::secret::Secret;
use crate::domain::notify::Outgoing;

#[derive(Debug, Clone)]
pub struct Teams {
    pub url: Secret,
}

impl Teams {
    pub(super) fn request(&self, http: &Client, msg: &Outgoing) -> RequestBuilder {
        http.post(self.url.expose()).json(&card(msg))
    }
}

/// The message body: `{"type":"message","attachments":[{adaptive card}]}`.
pub fn card(msg: &Outgoing) -> Value {
    let i = &msg.incident;
    let heading = if i.service.is_empty() {
        msg.kind.title().to_string()
    } else {
        format!("{}: {}", msg.kind.title(), i.service)
    };
    let mut facts = vec![json!({ "title": "Incident", "value": i.id })];
    if !i.severity.is_empty() {
        facts.push(json!({ "title": "Severity", "value": i.severity }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    { "type": "TextBlock", "text": heading, "weight": "Bolder", "size": "Medium", "wrap": true },
                    { "type": "TextBlock", "text": msg.text, "wrap": true },
                    { "type": "FactSet", "facts": facts }
                ]
            }
        }]
    })
}
