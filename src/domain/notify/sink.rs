//! The places a message can go, by name, and which of them can deduplicate.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SinkKind {
    Slack,
    Teams,
    Webhook,
    Github,
    Statuspage,
    Grafana,
    Pagerduty,
    /// The drill outbox: a JSON-lines file in the session directory.
    Outbox,
}

impl SinkKind {
    /// The networked sinks, in the order of the runbook's `notify` block.
    pub const NETWORKED: [SinkKind; 7] = [
        SinkKind::Slack,
        SinkKind::Teams,
        SinkKind::Webhook,
        SinkKind::Github,
        SinkKind::Statuspage,
        SinkKind::Grafana,
        SinkKind::Pagerduty,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SinkKind::Slack => "slack",
            SinkKind::Teams => "teams",
            SinkKind::Webhook => "webhook",
            SinkKind::Github => "github",
            SinkKind::Statuspage => "statuspage",
            SinkKind::Grafana => "grafana",
            SinkKind::Pagerduty => "pagerduty",
            SinkKind::Outbox => "outbox",
        }
    }

    pub fn from_name(name: &str) -> Option<SinkKind> {
        SinkKind::NETWORKED
            .into_iter()
            .chain([SinkKind::Outbox])
            .find(|k| k.name() == name)
    }

    /// Whether sending the same message twice with the same idempotency key is harmless:
    /// PagerDuty (the dedup key), the generic webhook (the `Idempotency-Key` header, for
    /// receivers that honour it) and the outbox (which skips keys it already holds).
    pub fn dedups(self) -> bool {
        matches!(
            self,
            SinkKind::Pagerduty | SinkKind::Webhook | SinkKind::Outbox
        )
    }
}

impl fmt::Display for SinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The name a delivery is journaled under: the sink's own name, or `outbox:<sink>` when
/// a drill diverted it to the outbox.
pub fn journal_name(sink: SinkKind, diverted: bool) -> String {
    if diverted && sink != SinkKind::Outbox {
        format!("outbox:{}", sink.name())
    } else {
        sink.name().to_string()
    }
}

/// The sink that actually received a delivery journaled under `name`.
pub fn delivered_by(name: &str) -> Option<SinkKind> {
    if name.starts_with("outbox:") {
        return Some(SinkKind::Outbox);
    }
    SinkKind::from_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_diversions_are_outbox() {
        for k in SinkKind::NETWORKED {
            assert_eq!(SinkKind::from_name(k.name()), Some(k));
            assert_eq!(delivered_by(&journal_name(k, false)), Some(k));
            assert_eq!(journal_name(k, true), format!("outbox:{k}"));
            assert_eq!(delivered_by(&journal_name(k, true)), Some(SinkKind::Outbox));
        }
        assert_eq!(journal_name(SinkKind::Outbox, true), "outbox");
        assert_eq!(delivered_by("carrier-pigeon"), None);
    }

    #[test]
    fn only_dedup_capable_sinks_say_so() {
        let dedups: Vec<_> = SinkKind::NETWORKED
            .into_iter()
            .filter(|k| k.dedups())
            .collect();
        assert_eq!(dedups, [SinkKind::Webhook, SinkKind::Pagerduty]);
        assert!(SinkKind::Outbox.dedups());
    }
}
