//! The incident report: what actually happened in a session, from its journal.
//!
//! [`build_from`] derives a [`Report`] from the [`SessionState`] folded from the records (and,
//! when available, the runbook copy, for titles and the items never touched);
//! [`to_markdown`] renders it for humans, and the `Report` serializes to JSON as is.
//! Free text passes through a [`Redactor`]: secret-looking syntax always, known secret
//! values via [`Report::redact`].

use std::collections::BTreeMap;

use crate::domain::journal::Record;
use crate::domain::progress::Progress;
use crate::domain::redact::Redactor;
use crate::domain::runbook::{Runbook, StepId};
use crate::domain::session_state::SessionState;

mod changes;
mod checklist;
mod commands;
mod decisions;
mod follow_ups;
mod impact;
mod incident;
mod markdown;
mod markdown_text;
mod messages;
mod model;
mod phases;
mod resumes;
mod target;
mod timeline;
mod verification;

pub use changes::{ChangePath, ChangeReport};
pub use checklist::{ChecklistItem, ItemStatus, SkippedStep};
pub use commands::{CommandReport, RunStatus};
pub use decisions::{DecisionKind, DecisionReport};
pub use follow_ups::FollowUp;
pub use impact::ImpactReport;
pub use incident::{IncidentSummary, TO_FILL};
pub use markdown::to_markdown;
pub use messages::{MessageReport, MessageStatus};
pub use model::{JournalSummary, NoteReport, Report, SCHEMA_VERSION};
pub use phases::{PhaseReport, PhaseSpan};
pub use resumes::ResumeReport;
pub use target::{session_name, session_target, target_of};
pub use timeline::{TimelineEntry, describe};
pub use verification::VerificationReport;

/// Builds the report. Pure; `records` are the verified records `progress` was
/// replayed from. (Callers holding a [`SessionState`] use [`build_from`].)
pub fn build(progress: &Progress, records: &[Record], runbook: Option<&Runbook>) -> Report {
    let mut state = SessionState::replay(records);
    state.progress = progress.clone();
    build_from(&state, runbook)
}

/// Builds the report from the session's state, folded from the verified records of the
/// journal. Pure.
pub fn build_from(state: &SessionState, runbook: Option<&Runbook>) -> Report {
    let progress = &state.progress;
    let titles = step_titles(state, runbook);
    let ended_at = progress.closed_at.or(progress.last_at);
    let changes = state.changes.made();
    let impact = impact::impact(&state.impact, &changes, ended_at);
    let target = target_of(state, runbook);
    let incident = incident::summary(
        impact.as_ref(),
        &changes,
        target.as_deref(),
        (progress.started_at, ended_at),
    );
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        target,
        incident,
        decisions: state.decisions.clone(),
        changes,
        impact,
        title: if progress.title.is_empty() {
            runbook.map(|rb| rb.title.clone()).unwrap_or_default()
        } else {
            progress.title.clone()
        },
        session_id: None,
        runbook_path: progress.runbook_path.clone(),
        runbook_sha256: progress.runbook_sha256.clone(),
        mode: progress.mode.clone(),
        started_at: progress.started_at,
        closed_at: progress.closed_at,
        ended_at,
        duration_secs: progress
            .started_at
            .zip(ended_at)
            .map(|(s, e)| (e - s).num_seconds()),
        actors: state.actors.clone(),
        phases: phases::phases(progress, ended_at, runbook),
        checklist: checklist::checklist(state, runbook, &titles),
        checklist_from_runbook: runbook.is_some(),
        commands: commands::commands(progress, &state.console_stops, &titles),
        verification: state.verification.clone(),
        notes: progress
            .notes
            .iter()
            .map(|n| NoteReport {
                at: n.at,
                actor: n.actor.clone(),
                step: n.step,
                text: n.text.clone(),
            })
            .collect(),
        skipped: checklist::skipped(progress, &titles),
        resumes: state.resumes.clone(),
        timeline: state.timeline.clone(),
        messages: state.messages.clone(),
        journal: JournalSummary {
            records: state.head.records,
            head_hash: state.head.hash.clone(),
        },
        warnings: Vec::new(),
        follow_ups: state.follow_ups.list(),
    };
    report.redact(&Redactor::default());
    report
}

/// Step titles: the runbook's, else the latest one a journal entry carried.
fn step_titles(state: &SessionState, runbook: Option<&Runbook>) -> BTreeMap<StepId, String> {
    let mut titles = state.step_titles.clone();
    if let Some(rb) = runbook {
        for step in rb.phases.iter().flat_map(|p| &p.steps) {
            titles.insert(step.id, step.title.clone());
        }
    }
    titles
}

#[cfg(test)]
mod incident_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_tests;
