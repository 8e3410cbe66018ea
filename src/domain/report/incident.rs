//! The head of the report in the common incident-report template: Time, Trigger,
//! Affected services, Rollback method, Revision rolled back from X to Y, Impact, and the
//! Root cause and Prevention the team fills in afterwards (the journal cannot know them).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::changes::ChangeReport;
use super::impact::ImpactReport;
use super::markdown_text::{cell, utc};
use crate::domain::duration_text::compact;

/// What the team fills in: shown as such, never guessed.
pub const TO_FILL: &str = "to be filled in by the team";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    /// The impact's start, else the session's.
    pub started_at: Option<DateTime<Utc>>,
    /// The recovery, else the session's end.
    pub ended_at: Option<DateTime<Utc>>,
    pub trigger: Option<String>,
    /// Every target a change was made to, else the session's target.
    pub affected_services: Vec<String>,
    /// The first rollback: its command and where it was made from.
    pub rollback_method: Option<String>,
    /// `revision 3 (web:1.6.0) → revision 2 (web:1.5.2)` of the first rollback (for one
    /// made in the shell, what its line says).
    pub rolled_back: Option<String>,
    pub impact: Option<String>,
    /// Always `None`: for the team to fill in.
    pub root_cause: Option<String>,
    /// Always `None`: for the team to fill in.
    pub prevention: Option<String>,
}

pub fn summary(
    impact: Option<&ImpactReport>,
    changes: &[ChangeReport],
    session_target: Option<&str>,
    session: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
) -> IncidentSummary {
    let mut affected: Vec<String> = Vec::new();
    for t in changes.iter().filter_map(|c| c.target.as_deref()) {
        if !affected.iter().any(|a| a == t) {
            affected.push(t.to_string());
        }
    }
    if affected.is_empty()
        && let Some(t) = session_target
    {
        affected.push(t.to_string());
    }
    let rollback = changes.iter().find(|c| c.is_rollback());
    IncidentSummary {
        started_at: impact.map(|i| i.started_at).or(session.0),
        ended_at: impact.and_then(|i| i.recovered_at).or(session.1),
        trigger: impact.map(|i| i.trigger.clone()),
        affected_services: affected,
        rollback_method: rollback.map(|c| {
            let via = c
                .via
                .as_deref()
                .map(|v| format!(" (via {v})"))
                .unwrap_or_default();
            format!("{}{via}", c.action)
        }),
        // A shell rollback knows only what its line says (`helm rollback web → revision 3`).
        rolled_back: rollback.and_then(|c| c.from_to().or_else(|| c.summary.clone())),
        impact: impact.map(|i| {
            let sev = i
                .peak_severity
                .as_deref()
                .map(|s| format!("{s}, "))
                .unwrap_or_default();
            format!(
                "{sev}{} from start to recovery; customer-facing {}",
                compact(i.duration_secs.max(0) as u64),
                compact(i.customer_facing_secs.max(0) as u64)
            )
        }),
        root_cause: None,
        prevention: None,
    }
}

/// `## Incident summary`.
pub(super) fn summary_md(md: &mut String, s: &IncidentSummary) {
    md.push_str("## Incident summary\n\n| | |\n|---|---|\n");
    let or_unknown = |v: Option<String>| v.unwrap_or_else(|| "not recorded".to_string());
    let time = match (s.started_at, s.ended_at) {
        (Some(a), Some(b)) => format!("{} – {}", utc(a), utc(b)),
        (Some(a), None) => format!("{} – (ongoing)", utc(a)),
        _ => "not recorded".to_string(),
    };
    let rows = [
        ("Time", time),
        ("Trigger", or_unknown(s.trigger.as_deref().map(cell))),
        (
            "Affected services",
            if s.affected_services.is_empty() {
                "not recorded".to_string()
            } else {
                cell(&s.affected_services.join(", "))
            },
        ),
        (
            "Rollback method",
            s.rollback_method
                .as_deref()
                .map_or("no rollback was made".to_string(), cell),
        ),
        (
            "Revision rolled back",
            s.rolled_back
                .as_deref()
                .map_or("not recorded".to_string(), cell),
        ),
        ("Impact", or_unknown(s.impact.as_deref().map(cell))),
        (
            "Root cause",
            s.root_cause.as_deref().map_or(format!("_{TO_FILL}_"), cell),
        ),
        (
            "Prevention",
            s.prevention.as_deref().map_or(format!("_{TO_FILL}_"), cell),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(md, "| {k} | {v} |");
    }
    md.push('\n');
}

/// `## Root cause` and `## Prevention`, for the team.
pub(super) fn to_fill_md(md: &mut String) {
    let _ = writeln!(md, "## Root cause\n\n_{TO_FILL}_\n");
    let _ = writeln!(md, "## Prevention\n\n_{TO_FILL}_\n");
}
