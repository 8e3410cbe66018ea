//! Messages to the people an incident concerns: their kinds, the policy for delivering
//! them, their idempotency keys and what a crash left unsent. Pure: the sinks that do
//! the sending are in `crate::adapters::notify`.

pub mod kind;
pub mod ledger;
pub mod retry;
pub mod sink;
pub mod template;

pub use kind::{MessageKind, kind_of_title};
pub use ledger::{Unfinished, idempotency_key, unfinished, unfinished_in};
pub use retry::{AttemptClass, Decision, RetryPolicy, classify_status, parse_retry_after};
pub use sink::SinkKind;

/// A message ready to go to one sink: its text and the incident facts a sink needs to
/// shape its own payload (a PagerDuty summary, a Statuspage incident name, a Grafana
/// region start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// When the message was composed (Unix milliseconds): the end of a Grafana region.
    pub at_ms: i64,
    /// The idempotency key, already journaled in `MessageQueued`.
    pub key: String,
    pub kind: MessageKind,
    pub text: String,
    pub incident: IncidentFacts,
}

/// What every sink may quote about the incident.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IncidentFacts {
    /// The session id.
    pub id: String,
    /// A one-line title (`checkout rollback`).
    pub title: String,
    /// The service or deployment concerned.
    pub service: String,
    /// As the matrix names it (`SEV-1`), empty when not decided.
    pub severity: String,
    /// When the rollback started (Unix milliseconds): the start of a Grafana region.
    pub started_at_ms: i64,
}

impl Outgoing {
    /// The first non-empty line of the text, at most `max` characters: a summary for
    /// sinks that want one (PagerDuty, Statuspage).
    pub fn summary(&self, max: usize) -> String {
        let line = self
            .text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or(self.incident.title.as_str());
        let line = if line.is_empty() {
            self.kind.title()
        } else {
            line
        };
        line.chars().take(max).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_the_first_line_bounded() {
        let mut m = Outgoing {
            key: "k".into(),
            at_ms: 0,
            kind: MessageKind::AllClear,
            text: "\n  Rolled back checkout  \nmore".into(),
            incident: IncidentFacts::default(),
        };
        assert_eq!(m.summary(100), "Rolled back checkout");
        assert_eq!(m.summary(6), "Rolled");
        m.text = "  \n".into();
        assert_eq!(m.summary(100), "All clear");
        m.incident.title = "checkout".into();
        assert_eq!(m.summary(100), "checkout");
    }
}
