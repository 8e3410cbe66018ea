//! Grafana annotation as a region: the first message adds an annotation starting at the
//! rollback (`POST {url}/api/annotations`); later messages update its text, and the
//! message that resolves the incident sets its end (`PATCH {url}/api/annotations/{id}`
//! with `timeEnd`). Bearer token (a service-account token).

use std::sync::Mutex;

use reqwest::Client;
use serde_json::{Value, json};

use super::http::{Attempt, send};
use crate::adapters::secret::Secret;
use crate::domain::notify::Outgoing;

#[derive(Debug)]
pub struct Grafana {
    pub url: String,
    pub dashboard_uid: Option<String>,
    pub token: Option<Secret>,
    /// The annotation this session added, once added.
    pub annotation: Mutex<Option<i64>>,
}

impl Grafana {
    fn tags(msg: &Outgoing) -> Vec<String> {
        let i = &msg.incident;
        let mut tags = vec!["backout".to_string(), format!("incident:{}", i.id)];
        if !i.service.is_empty() {
            tags.push(i.service.clone());
        }
        if !i.severity.is_empty() {
            tags.push(i.severity.clone());
        }
        tags
    }

    /// The body that adds the region (closed at once when the message resolves).
    pub fn create_body(&self, msg: &Outgoing) -> Value {
        let mut body = json!({
            "time": msg.incident.started_at_ms,
            "tags": Self::tags(msg),
            "text": msg.text,
        });
        if msg.kind.resolves() {
            body["timeEnd"] = json!(msg.at_ms);
        }
        if let Some(uid) = &self.dashboard_uid {
            body["dashboardUID"] = json!(uid);
        }
        body
    }

    pub(super) async fn attempt(&self, http: &Client, msg: &Outgoing) -> Attempt {
        let open = self.annotation.lock().map(|g| *g).unwrap_or(None);
        let base = format!("{}/api/annotations", self.url.trim_end_matches('/'));
        let mut req = match open {
            Some(id) => {
                let mut body = json!({ "text": msg.text, "tags": Self::tags(msg) });
                if msg.kind.resolves() {
                    body["timeEnd"] = json!(msg.at_ms);
                }
                http.patch(format!("{base}/{id}")).json(&body)
            }
            None => http.post(&base).json(&self.create_body(msg)),
        };
        if let Some(t) = &self.token {
            req = req.bearer_auth(t.expose());
        }
        let answer = match send(req).await {
            Ok(a) => a,
            Err(failed) => return failed,
        };
        if let Some(id) = open {
            let what = if msg.kind.resolves() {
                "closed region"
            } else {
                "updated"
            };
            return Attempt::delivered(format!("HTTP {}: {what} annotation {id}", answer.status));
        }
        let id = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_i64));
        match id {
            Some(id) => {
                if let Ok(mut g) = self.annotation.lock() {
                    *g = Some(id);
                }
                Attempt::delivered(format!("HTTP {}: added annotation {id}", answer.status))
            }
            None => Attempt::delivered(format!(
                "HTTP {}: annotation added, but the answer had no id",
                answer.status
            )),
        }
    }
}
