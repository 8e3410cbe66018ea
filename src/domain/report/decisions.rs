//! The report's *Decisions* section: what the people in charge decided and why — severity
//! declared (with the reason and the decision-table row), approvals, the matrix's severity
//! acknowledged, alternatives chosen (and changed), steps skipped and commands declined.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{cell, utc};
use super::timeline::one_line;
use crate::domain::duration_text::compact;
use crate::domain::journal::{Entry, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    SeverityDeclared,
    SeverityAcknowledged,
    Approval,
    AlternativeChosen,
    StepSkipped,
    CommandDeclined,
}

impl DecisionKind {
    fn label(self) -> &'static str {
        match self {
            DecisionKind::SeverityDeclared => "severity",
            DecisionKind::SeverityAcknowledged => "severity acknowledged",
            DecisionKind::Approval => "approval",
            DecisionKind::AlternativeChosen => "alternative",
            DecisionKind::StepSkipped => "skipped",
            DecisionKind::CommandDeclined => "declined",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecisionReport {
    pub at: DateTime<Utc>,
    /// Who decided (the entry's `by` where it has one, else who wrote the record).
    pub by: String,
    pub kind: DecisionKind,
    /// The decision in a few words (`SEV-1`, `B "Specific version" in alt-1`).
    pub decision: String,
    /// Why, where the journal says (`checkout down; row: error rate > 5%`).
    pub reason: Option<String>,
}

/// Every decision in journal order.
pub fn decisions(records: &[Record]) -> Vec<DecisionReport> {
    let mut out = Vec::new();
    for r in records {
        let d = |by: &str, kind, decision: String, reason: Option<String>| DecisionReport {
            at: r.ts,
            by: if by.is_empty() {
                r.actor.clone()
            } else {
                by.to_string()
            },
            kind,
            decision,
            reason,
        };
        let decision = match &r.entry {
            Entry::SeverityDeclared {
                severity,
                reason,
                row,
                rto_secs,
                by,
            } => {
                let mut why = reason.clone();
                if let Some(row) = row {
                    let _ = write!(why, "; row: {row}");
                }
                if let Some(rto) = rto_secs {
                    let _ = write!(why, "; RTO {}", compact(*rto));
                }
                d(
                    by,
                    DecisionKind::SeverityDeclared,
                    format!("declared {severity}"),
                    Some(why),
                )
            }
            Entry::SeverityAcknowledged { severity } => d(
                "",
                DecisionKind::SeverityAcknowledged,
                format!("acknowledged {severity} as the matrix decided it"),
                None,
            ),
            Entry::ApprovalRecorded {
                severity,
                approver,
                deferred,
                by,
            } => d(
                by,
                DecisionKind::Approval,
                if *deferred {
                    format!("{severity} approval by {approver}: approve after (deferred)")
                } else {
                    format!("{severity} approved by {approver}")
                },
                None,
            ),
            Entry::AlternativeChosen {
                group,
                member,
                title,
                previous,
                by,
            } => d(
                by,
                DecisionKind::AlternativeChosen,
                match previous {
                    Some(p) => format!("changed {group} from {p} to {member} {title:?}"),
                    None => format!("chose {member} {title:?} in {group}"),
                },
                None,
            ),
            Entry::StepSkipped {
                step,
                title,
                reason,
            } => d(
                "",
                DecisionKind::StepSkipped,
                format!("skipped {step} {title:?}"),
                Some(reason.clone()),
            ),
            Entry::CommandDeclined { step, command } => d(
                "",
                DecisionKind::CommandDeclined,
                format!("declined to run {} in {step}", one_line(command)),
                None,
            ),
            _ => continue,
        };
        out.push(decision);
    }
    out
}

/// `## Decisions`.
pub(super) fn decisions_md(md: &mut String, decisions: &[DecisionReport]) {
    md.push_str("## Decisions\n\n");
    if decisions.is_empty() {
        md.push_str("No decision was recorded.\n\n");
        return;
    }
    md.push_str("| When (UTC) | By | Kind | Decision | Why |\n|---|---|---|---|---|\n");
    for d in decisions {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            utc(d.at),
            cell(&d.by),
            d.kind.label(),
            cell(&d.decision),
            d.reason.as_deref().map_or("-".to_string(), cell)
        );
    }
    md.push('\n');
}
