//! The five kinds of message an incident needs.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// "We are rolling back": sent when the rollback starts.
    RollbackNotification,
    /// Progress while verifying.
    StatusUpdate,
    /// Recovery verified; the incident is over for the people affected.
    AllClear,
    /// What happened and what was done, right after the rollback.
    PostRollbackSummary,
    /// The fuller account for the incident record.
    IncidentReport,
}

impl MessageKind {
    pub const ALL: [MessageKind; 5] = [
        MessageKind::RollbackNotification,
        MessageKind::StatusUpdate,
        MessageKind::AllClear,
        MessageKind::PostRollbackSummary,
        MessageKind::IncidentReport,
    ];

    /// The name used in runbooks and the journal (`rollback_notification`).
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::RollbackNotification => "rollback_notification",
            MessageKind::StatusUpdate => "status_update",
            MessageKind::AllClear => "all_clear",
            MessageKind::PostRollbackSummary => "post_rollback_summary",
            MessageKind::IncidentReport => "incident_report",
        }
    }

    /// How a person would name it (`Rollback notification`).
    pub fn title(self) -> &'static str {
        match self {
            MessageKind::RollbackNotification => "Rollback notification",
            MessageKind::StatusUpdate => "Status update",
            MessageKind::AllClear => "All clear",
            MessageKind::PostRollbackSummary => "Post-rollback summary",
            MessageKind::IncidentReport => "Incident report",
        }
    }

    pub fn from_name(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this message ends the incident for the outside world (resolves a
    /// PagerDuty alert, a Statuspage incident, closes a Grafana region).
    pub fn resolves(self) -> bool {
        matches!(
            self,
            MessageKind::AllClear | MessageKind::PostRollbackSummary | MessageKind::IncidentReport
        )
    }
}

/// The kind a runbook's own template stands for, by the words of its title ("Rollback
/// Notification", "Post-Rollback Summary", "Post the all-clear", "Incident Report").
pub fn kind_of_title(title: &str) -> MessageKind {
    let t = title.to_lowercase();
    if t.contains("report") || t.contains("postmortem") || t.contains("post-mortem") {
        MessageKind::IncidentReport
    } else if t.contains("summary") {
        MessageKind::PostRollbackSummary
    } else if t.contains("clear") || t.contains("resolved") {
        MessageKind::AllClear
    } else if t.contains("notif") || t.contains("start") || t.contains("announce") {
        MessageKind::RollbackNotification
    } else {
        MessageKind::StatusUpdate
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in MessageKind::ALL {
            assert_eq!(MessageKind::from_name(k.name()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
        assert_eq!(MessageKind::from_name("all-clear"), None);
    }

    #[test]
    fn a_runbook_template_title_names_its_kind() {
        for (title, kind) in [
            ("Rollback Notification", MessageKind::RollbackNotification),
            ("Post the start message", MessageKind::RollbackNotification),
            ("Post-Rollback Summary", MessageKind::PostRollbackSummary),
            ("Post the all-clear", MessageKind::AllClear),
            ("Incident Report", MessageKind::IncidentReport),
            ("Status update", MessageKind::StatusUpdate),
        ] {
            assert_eq!(kind_of_title(title), kind, "{title}");
        }
    }
}
