//! Slack incoming webhook: `POST <webhook URL>` with `{"text": …}` (plus `channel` when
//! the runbook names one; newer Slack apps post to the channel the webhook was made for).

use reqwest::{Client, RequestBuilder};
use serde_json::json;

use crate::adapters::secret::Secret;
use crate::domain::notify::Outgoing;

#[derive(Debug, Clone)]
pub struct Slack {
    pub url: Secret,
    pub channel: Option<String>,
}

impl Slack {
    pub(super) fn request(&self, http: &Client, msg: &Outgoing) -> RequestBuilder {
        let mut body = json!({ "text": msg.text });
        if let Some(channel) = &self.channel {
            body["channel"] = json!(channel);
        }
        http.post(self.url.expose()).json(&body)
    }
}
