//! The report's Checklist and Skipped steps sections: every step with who did it, when,
//! or why it was skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{cell, heading_or_none, indented, inline, utc};
use crate::domain::progress::{Progress, StepState};
use crate::domain::runbook::{Runbook, StepId, StepKind};
use crate::domain::session_state::SessionState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub step: StepId,
    pub title: String,
    /// The runbook phase the step belongs to (known only with the runbook).
    pub phase: Option<String>,
    pub status: ItemStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ItemStatus {
    Done {
        at: DateTime<Utc>,
        actor: String,
    },
    Skipped {
        at: DateTime<Utc>,
        actor: String,
        reason: String,
    },
    /// A command step nobody ticked whose latest run succeeded.
    Ran {
        at: DateTime<Utc>,
        actor: String,
        run: u32,
    },
    Open,
    /// A command step nobody ticked whose latest run was a drill's rehearsal: journaled as
    /// run, but nothing ran (its commands would have reached beyond the simulator).
    Rehearsed {
        at: DateTime<Utc>,
        actor: String,
        run: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedStep {
    pub step: StepId,
    pub title: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: String,
}

fn item_status(progress: &Progress, step: StepId, is_command: bool) -> ItemStatus {
    if let (None, Some(run)) = (
        progress.state(step),
        is_command.then(|| progress.last_success(step)).flatten(),
    ) {
        let at = run.finished.as_ref().map_or(run.started_at, |o| o.at);
        let (actor, number) = (run.actor.clone(), run.run);
        return if run.is_rehearsal() {
            ItemStatus::Rehearsed {
                at,
                actor,
                run: number,
            }
        } else {
            ItemStatus::Ran {
                at,
                actor,
                run: number,
            }
        };
    }
    match progress.state(step) {
        Some(StepState::Done { at, actor }) => ItemStatus::Done {
            at: *at,
            actor: actor.clone(),
        },
        Some(StepState::Skipped { at, actor, reason }) => ItemStatus::Skipped {
            at: *at,
            actor: actor.clone(),
            reason: reason.clone(),
        },
        None => ItemStatus::Open,
    }
}

pub(super) fn checklist(
    state: &SessionState,
    runbook: Option<&Runbook>,
    titles: &BTreeMap<StepId, String>,
) -> Vec<ChecklistItem> {
    let progress = &state.progress;
    let mut items = Vec::new();
    let mut listed = BTreeSet::new();
    if let Some(rb) = runbook {
        for phase in &rb.phases {
            for step in &phase.steps {
                listed.insert(step.id);
                items.push(ChecklistItem {
                    step: step.id,
                    title: step.title.clone(),
                    phase: Some(phase.title.clone()),
                    status: item_status(
                        progress,
                        step.id,
                        matches!(step.kind, StepKind::Command(_)),
                    ),
                });
            }
        }
    }
    // Steps the journal mentions that the runbook (if any) does not have.
    let from_journal: BTreeSet<StepId> = state.step_titles.keys().copied().collect();
    for step in from_journal.difference(&listed) {
        items.push(ChecklistItem {
            step: *step,
            title: titles.get(step).cloned().unwrap_or_default(),
            phase: None,
            status: item_status(progress, *step, false),
        });
    }
    items
}

pub(super) fn skipped(progress: &Progress, titles: &BTreeMap<StepId, String>) -> Vec<SkippedStep> {
    let mut out: Vec<SkippedStep> = progress
        .steps
        .iter()
        .filter_map(|(step, state)| match state {
            StepState::Skipped { at, actor, reason } => Some(SkippedStep {
                step: *step,
                title: titles.get(step).cloned().unwrap_or_default(),
                at: *at,
                actor: actor.clone(),
                reason: reason.clone(),
            }),
            StepState::Done { .. } => None,
        })
        .collect();
    out.sort_by_key(|s| (s.at, s.step));
    out
}

pub(super) fn checklist_md(md: &mut String, checklist: &[ChecklistItem]) {
    if heading_or_none(
        md,
        "Checklist",
        checklist.is_empty(),
        "No steps were recorded.",
    ) {
        return;
    }
    let mut groups: Vec<(Option<&String>, Vec<&ChecklistItem>)> = Vec::new();
    for item in checklist {
        match groups.last_mut() {
            Some((phase, items)) if *phase == item.phase.as_ref() => items.push(item),
            _ => groups.push((item.phase.as_ref(), vec![item])),
        }
    }
    let grouped = groups.len() > 1 || groups.first().is_some_and(|(p, _)| p.is_some());
    for (phase, items) in groups {
        if grouped {
            let heading = phase.map_or("Other steps (not in the runbook copy)", |p| p.as_str());
            let _ = writeln!(md, "### {}\n", inline(heading));
        }
        md.push_str("| Step | Item | Status | By | When (UTC) |\n|---|---|---|---|---|\n");
        for item in items {
            let (status, by, when) = match &item.status {
                ItemStatus::Done { at, actor } => ("done".to_owned(), cell(actor), utc(*at)),
                ItemStatus::Skipped { at, actor, reason } => {
                    (format!("skipped: {}", cell(reason)), cell(actor), utc(*at))
                }
                ItemStatus::Ran { at, actor, run } => {
                    (format!("done: run {run} exited 0"), cell(actor), utc(*at))
                }
                ItemStatus::Rehearsed { at, actor, run } => (
                    format!("rehearsed in the drill (run {run}): nothing ran"),
                    cell(actor),
                    utc(*at),
                ),
                ItemStatus::Open => ("**open**".to_owned(), String::new(), String::new()),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {status} | {by} | {when} |",
                item.step,
                cell(&item.title)
            );
        }
        md.push('\n');
    }
}

pub(super) fn skipped_md(md: &mut String, skipped: &[SkippedStep]) {
    if skipped.is_empty() {
        return;
    }
    md.push_str("## Skipped steps\n\n");
    for s in skipped {
        let _ = writeln!(
            md,
            "- **{} {}**, skipped by {} at {}: {}",
            s.step,
            inline(&s.title),
            inline(&s.actor),
            utc(s.at),
            indented(&s.reason)
        );
    }
    md.push('\n');
}
