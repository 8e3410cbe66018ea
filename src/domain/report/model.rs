//! The report's data: what [`super::build`] derives and both renderings (Markdown and
//! JSON) read, with the edits made after building (session id, console stopped, secrets).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::changes::ChangeReport;
use super::checklist::{ChecklistItem, ItemStatus, SkippedStep};
use super::commands::{self, CommandReport, RunStatus};
use super::decisions::DecisionReport;
use super::follow_ups::FollowUp;
use super::impact::ImpactReport;
use super::incident::IncidentSummary;
use super::messages::{self, MessageReport};
use super::phases::PhaseReport;
use super::resumes::ResumeReport;
use super::timeline::TimelineEntry;
use super::verification::VerificationReport;
use crate::domain::redact::Redactor;
use crate::domain::runbook::StepId;

/// The version of the report's JSON shape (`report -o json`), documented in
/// `docs/report.md` and checked against `docs/report.schema.json`. Raised when a field
/// changes meaning or goes away; new fields may appear without a raise.
pub const SCHEMA_VERSION: u32 = 2;

/// An incident report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    pub title: String,
    /// What the session worked on (`context/namespace/deployment`), see [`session_target`].
    pub target: Option<String>,
    /// The common incident-report template's head.
    pub incident: IncidentSummary,
    /// Every change made to the cluster, from whichever path.
    pub changes: Vec<ChangeReport>,
    /// The impact window; `None` when nothing says there was impact.
    pub impact: Option<ImpactReport>,
    /// Severity declared, approvals, alternatives chosen, skips, declined commands.
    pub decisions: Vec<DecisionReport>,
    /// Set by the caller (the journal does not know its directory's name).
    pub session_id: Option<String>,
    pub runbook_path: String,
    pub runbook_sha256: String,
    /// `live` or `drill`.
    pub mode: String,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the session ended: closed, else its last record.
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_secs: Option<i64>,
    /// Everyone who wrote a record, in order of first appearance.
    pub actors: Vec<String>,
    pub phases: Vec<PhaseReport>,
    pub checklist: Vec<ChecklistItem>,
    /// Whether the checklist comes from the runbook (and so lists the steps nobody
    /// touched); without it, only steps the journal mentions are known.
    pub checklist_from_runbook: bool,
    pub commands: Vec<CommandReport>,
    /// Verification windows, in journal order.
    pub verification: Vec<VerificationReport>,
    pub notes: Vec<NoteReport>,
    pub skipped: Vec<SkippedStep>,
    pub resumes: Vec<ResumeReport>,
    pub timeline: Vec<TimelineEntry>,
    /// Every message queued, per sink, with its delivery status.
    pub messages: Vec<MessageReport>,
    pub journal: JournalSummary,
    /// Notes about the data itself (e.g. a torn journal tail, a changed runbook).
    pub warnings: Vec<String>,
    /// What is left to do after the incident because of a change made in it (e.g.
    /// "re-enable auto-sync on APP"); absent from the JSON when there is nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub step: Option<StepId>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalSummary {
    pub records: usize,
    /// Hash of the last record: names this exact history.
    pub head_hash: Option<String>,
}

impl Report {
    /// Sets the session id.
    pub fn with_session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// Marks runs without an outcome as interrupted: for when the caller knows no
    /// console is running the session (so nothing can still be running).
    pub fn mark_console_stopped(&mut self) {
        for c in &mut self.commands {
            if c.status == RunStatus::NoOutcome {
                c.status = RunStatus::Interrupted;
                c.result = commands::INTERRUPTED.to_owned();
            }
        }
    }

    /// Replaces secrets in every free-text field.
    pub fn redact(&mut self, redactor: &Redactor) {
        let r = |s: &mut String| {
            if let std::borrow::Cow::Owned(new) = redactor.redact(s) {
                *s = new;
            }
        };
        r(&mut self.title);
        r(&mut self.runbook_path);
        for c in &mut self.changes {
            r(&mut c.action);
            for v in [
                &mut c.summary,
                &mut c.via,
                &mut c.outcome,
                &mut c.confirmed_by,
                &mut c.previewed,
            ]
            .into_iter()
            .flatten()
            {
                r(v);
            }
        }
        if let Some(i) = &mut self.impact {
            r(&mut i.trigger);
        }
        for d in &mut self.decisions {
            r(&mut d.decision);
            if let Some(w) = &mut d.reason {
                r(w);
            }
        }
        for v in [
            &mut self.incident.trigger,
            &mut self.incident.rollback_method,
        ]
        .into_iter()
        .flatten()
        {
            r(v);
        }
        self.actors.iter_mut().for_each(r);
        for p in &mut self.phases {
            r(&mut p.title);
        }
        for c in &mut self.checklist {
            r(&mut c.title);
            if let Some(p) = &mut c.phase {
                r(p);
            }
            if let ItemStatus::Skipped { reason, .. } = &mut c.status {
                r(reason);
            }
        }
        for c in &mut self.commands {
            r(&mut c.command);
            if let Some(t) = &mut c.step_title {
                r(t);
            }
        }
        for v in &mut self.verification {
            r(&mut v.description);
            r(&mut v.detail);
            if let Some(c) = &mut v.cut_short {
                r(c);
            }
        }
        for n in &mut self.notes {
            r(&mut n.text);
        }
        for s in &mut self.skipped {
            r(&mut s.title);
            r(&mut s.reason);
        }
        for t in &mut self.timeline {
            r(&mut t.text);
        }
        self.warnings.iter_mut().for_each(r);
        for f in &mut self.follow_ups {
            r(&mut f.text);
            r(&mut f.because);
            if let Some(v) = &mut f.via {
                r(v);
            }
        }
        messages::redact(&mut self.messages, redactor);
    }
}
