//! The severity the operator declared by hand (`SeverityDeclared`), the approvals recorded
//! after it (`ApprovalRecorded`) and the severity last acknowledged
//! (`SeverityAcknowledged`, or a declaration, which acknowledges too). What a declaration
//! asks for (its RTO deadline, the approval its decision table row requires) is read from
//! this with the runbook's rows: [`crate::domain::decision::SeverityState::of`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};

/// The declaration in force, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub severity: String,
    pub reason: String,
    /// The decision table row's label, when declared from a row.
    pub row: Option<String>,
    /// The RTO target the table or front matter gave, from `at`.
    pub rto_secs: Option<u64>,
    pub by: String,
    pub at: DateTime<Utc>,
    /// Every `ApprovalRecorded` since this declaration, in journal order (whatever
    /// severity it names: whether it counts depends on the table's rows).
    pub approvals: Vec<ApprovalGiven>,
}

/// One `ApprovalRecorded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalGiven {
    pub severity: String,
    pub approver: String,
    /// Recorded as "approve after": still owed.
    pub deferred: bool,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What the journal says about the declared severity and its acknowledgement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeverityRecord {
    /// The severity declared last, with the approvals recorded since.
    pub declared: Option<Declaration>,
    /// The severity acknowledged last (a drill's time to detect ends with it).
    pub acknowledged: Option<String>,
}

impl Declaration {
    /// The declaration a `SeverityDeclared` record makes (no approvals yet).
    pub fn of(r: &Record) -> Option<Declaration> {
        match &r.entry {
            Entry::SeverityDeclared {
                severity,
                reason,
                row,
                rto_secs,
                by,
            } => Some(Declaration {
                severity: severity.clone(),
                reason: reason.clone(),
                row: row.clone(),
                rto_secs: *rto_secs,
                by: by.clone(),
                at: r.ts,
                approvals: Vec::new(),
            }),
            _ => None,
        }
    }
}

impl ApprovalGiven {
    /// The approval an `ApprovalRecorded` record gives.
    pub fn of(r: &Record) -> Option<ApprovalGiven> {
        match &r.entry {
            Entry::ApprovalRecorded {
                severity,
                approver,
                deferred,
                by,
            } => Some(ApprovalGiven {
                severity: severity.clone(),
                approver: approver.clone(),
                deferred: *deferred,
                by: by.clone(),
                at: r.ts,
            }),
            _ => None,
        }
    }
}

impl SeverityRecord {
    /// Folds one record (everything but the three entries is ignored).
    pub fn apply(&mut self, r: &Record) {
        if let Some(d) = Declaration::of(r) {
            // Declaring a severity by hand acknowledges it too.
            self.acknowledged = Some(d.severity.clone());
            self.declared = Some(d);
        } else if let Some(a) = ApprovalGiven::of(r) {
            if let Some(d) = self.declared.as_mut() {
                d.approvals.push(a);
            }
        } else if let Entry::SeverityAcknowledged { severity } = &r.entry {
            self.acknowledged = Some(severity.clone());
        }
    }
}
