//! The drill outbox: each message is appended as one JSON line to a file in the session
//! directory instead of reaching any network. A key already in the file for the same
//! sink is not written again, so a resend after a crash is harmless.

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::http::Attempt;
use crate::domain::notify::Outgoing;

/// The outbox file name inside a session directory.
pub const FILE_NAME: &str = "outbox.jsonl";

#[derive(Debug, Clone)]
pub struct Outbox {
    pub path: PathBuf,
}

impl Outbox {
    pub fn line(msg: &Outgoing, sink: &str) -> Value {
        json!({
            "key": msg.key,
            "sink": sink,
            "kind": msg.kind.name(),
            "text": msg.text,
            "at_ms": msg.at_ms,
            "incident": msg.incident.id,
        })
    }

    fn holds(&self, key: &str, sink: &str) -> bool {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return false;
        };
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|v| v["key"] == key && v["sink"] == sink)
    }

    /// Appends the message for `sink` (the sink it stands in for) and syncs the file.
    pub(super) fn attempt(&self, msg: &Outgoing, sink: &str) -> Attempt {
        let shown = self.path.display();
        if self.holds(&msg.key, sink) {
            return Attempt::delivered(format!("already in the outbox {shown}"));
        }
        let mut line = Self::line(msg, sink).to_string();
        line.push('\n');
        let written = crate::adapters::private_files::open_options()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| {
                crate::adapters::private_files::narrow(&f)?;
                f.write_all(line.as_bytes())?;
                f.sync_data()
            });
        match written {
            Ok(()) => Attempt::delivered(format!("written to the outbox {shown}")),
            Err(e) => Attempt {
                class: crate::domain::notify::AttemptClass::Retryable { retry_after: None },
                detail: format!("cannot write the outbox {shown}: {e}"),
            },
        }
    }
}
