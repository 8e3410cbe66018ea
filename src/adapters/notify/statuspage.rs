//! Atlassian Statuspage: the first message creates an incident
//! (`POST {api}/v1/pages/{page_id}/incidents`), later ones update it
//! (`PATCH {api}/v1/pages/{page_id}/incidents/{id}`), each setting the incident status
//! and, when a component is named, its status. `Authorization: OAuth <api key>`.

use std::sync::Mutex;

use reqwest::Client;
use serde_json::{Value, json};

use super::http::{Attempt, send};
use crate::adapters::secret::Secret;
use crate::domain::notify::{MessageKind, Outgoing};

pub const DEFAULT_API: &str = "https://api.statuspage.io";

#[derive(Debug)]
pub struct Statuspage {
    pub api_url: String,
    pub page_id: String,
    pub component_id: Option<String>,
    pub token: Secret,
    /// The incident this session opened, once created.
    pub incident: Mutex<Option<String>>,
}

/// The incident status and the component status a message kind stands for.
pub fn statuses(kind: MessageKind) -> (&'static str, &'static str) {
    match kind {
        MessageKind::RollbackNotification => ("identified", "partial_outage"),
        MessageKind::StatusUpdate => ("monitoring", "degraded_performance"),
        MessageKind::AllClear | MessageKind::PostRollbackSummary | MessageKind::IncidentReport => {
            ("resolved", "operational")
        }
    }
}

impl Statuspage {
    fn incident_body(&self, msg: &Outgoing, create: bool) -> Value {
        let (status, component_status) = statuses(msg.kind);
        let mut incident = json!({ "status": status, "body": msg.text });
        if create {
            let name = if msg.incident.title.is_empty() {
                msg.summary(200)
            } else {
                msg.incident.title.clone()
            };
            incident["name"] = json!(name);
        }
        if let Some(c) = &self.component_id {
            incident["component_ids"] = json!([c]);
            incident["components"] = json!({ c.as_str(): component_status });
        }
        json!({ "incident": incident })
    }

    pub(super) async fn attempt(&self, http: &Client, msg: &Outgoing) -> Attempt {
        let open = self.incident.lock().map(|g| g.clone()).unwrap_or(None);
        let base = format!(
            "{}/v1/pages/{}/incidents",
            self.api_url.trim_end_matches('/'),
            self.page_id
        );
        let auth = format!("OAuth {}", self.token.expose());
        let req = match &open {
            Some(id) => http
                .patch(format!("{base}/{id}"))
                .json(&self.incident_body(msg, false)),
            None => http.post(&base).json(&self.incident_body(msg, true)),
        }
        .header("Authorization", auth);
        let answer = match send(req).await {
            Ok(a) => a,
            Err(failed) => return failed,
        };
        if let Some(id) = open {
            return Attempt::delivered(format!("HTTP {}: updated incident {id}", answer.status));
        }
        let id = serde_json::from_str::<Value>(&answer.body)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string));
        match id {
            Some(id) => {
                if let Ok(mut g) = self.incident.lock() {
                    *g = Some(id.clone());
                }
                Attempt::delivered(format!("HTTP {}: created incident {id}", answer.status))
            }
            None => Attempt::delivered(format!(
                "HTTP {}: incident created, but the answer had no id (later messages create new ones)",
                answer.status
            )),
        }
    }
}
