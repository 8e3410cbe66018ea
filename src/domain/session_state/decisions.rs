//! What the people in charge decided and why, in journal order: severity declared (with
//! the reason and the decision-table row), approvals, the matrix's severity acknowledged,
//! alternatives chosen (and changed), steps skipped and commands declined. The report's
//! *Decisions* section reads them.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::severity::{ApprovalGiven, Declaration};
use super::timeline::one_line;
use crate::domain::duration_text::compact;
use crate::domain::journal::{Entry, Record};
use crate::domain::progress::AlternativeChoice;

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
    pub fn label(self) -> &'static str {
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

/// Folds one record: the decision it records, if any, at the end.
pub fn apply(out: &mut Vec<DecisionReport>, r: &Record) {
    if let Some(d) = decision(r) {
        out.push(d);
    }
}

fn decision(r: &Record) -> Option<DecisionReport> {
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
    if let Some(decl) = Declaration::of(r) {
        let mut why = decl.reason;
        if let Some(row) = decl.row {
            let _ = write!(why, "; row: {row}");
        }
        if let Some(rto) = decl.rto_secs {
            let _ = write!(why, "; RTO {}", compact(rto));
        }
        let what = format!("declared {}", decl.severity);
        return Some(d(&decl.by, DecisionKind::SeverityDeclared, what, Some(why)));
    }
    if let Some(a) = ApprovalGiven::of(r) {
        let (severity, approver) = (&a.severity, &a.approver);
        let what = if a.deferred {
            format!("{severity} approval by {approver}: approve after (deferred)")
        } else {
            format!("{severity} approved by {approver}")
        };
        return Some(d(&a.by, DecisionKind::Approval, what, None));
    }
    if let Some((group, c)) = AlternativeChoice::of(r) {
        let (member, title) = (&c.member, &c.title);
        let what = match &c.previous {
            Some(p) => format!("changed {group} from {p} to {member} {title:?}"),
            None => format!("chose {member} {title:?} in {group}"),
        };
        return Some(d(&c.by, DecisionKind::AlternativeChosen, what, None));
    }
    Some(match &r.entry {
        Entry::SeverityAcknowledged { severity } => d(
            "",
            DecisionKind::SeverityAcknowledged,
            format!("acknowledged {severity} as the matrix decided it"),
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
        _ => return None,
    })
}
