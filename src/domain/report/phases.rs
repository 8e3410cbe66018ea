//! The report's Phases section: time spent in each runbook phase, over all its visits.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{cell, heading_or_none, utc};
use crate::domain::duration_text::compact;
use crate::domain::progress::Progress;
use crate::domain::runbook::Runbook;

/// Time spent in one phase, over all its visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseReport {
    pub phase: usize,
    pub title: String,
    pub visits: Vec<PhaseSpan>,
    pub total_secs: i64,
}

/// One stay in a phase: until the next phase entry or the session's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseSpan {
    pub entered_at: DateTime<Utc>,
    pub left_at: DateTime<Utc>,
    pub secs: i64,
}

pub(super) fn phases(
    progress: &Progress,
    end: Option<DateTime<Utc>>,
    runbook: Option<&Runbook>,
) -> Vec<PhaseReport> {
    let mut out: Vec<PhaseReport> = Vec::new();
    if let Some(rb) = runbook {
        for (i, p) in rb.phases.iter().enumerate() {
            out.push(PhaseReport {
                phase: i,
                title: p.title.clone(),
                visits: Vec::new(),
                total_secs: 0,
            });
        }
    }
    let visits = &progress.phase_visits;
    for (i, v) in visits.iter().enumerate() {
        let left_at = visits
            .get(i + 1)
            .map(|next| next.at)
            .or(end)
            .unwrap_or(v.at)
            .max(v.at);
        let span = PhaseSpan {
            entered_at: v.at,
            left_at,
            secs: (left_at - v.at).num_seconds(),
        };
        match out.iter_mut().find(|p| p.phase == v.phase) {
            Some(p) => {
                p.total_secs += span.secs;
                p.visits.push(span);
            }
            None => out.push(PhaseReport {
                phase: v.phase,
                title: v.title.clone(),
                total_secs: span.secs,
                visits: vec![span],
            }),
        }
    }
    if runbook.is_none() {
        out.sort_by_key(|p| p.visits.first().map(|v| v.entered_at));
    }
    out
}

pub(super) fn phases_md(md: &mut String, phases: &[PhaseReport]) {
    if heading_or_none(md, "Phases", phases.is_empty(), "No phase was entered.") {
        return;
    }
    md.push_str("| Phase | Entered (UTC) | Time spent | Visits |\n|---|---|---|---|\n");
    for p in phases {
        let (entered, spent) = match p.visits.first() {
            Some(v) => (utc(v.entered_at), compact(p.total_secs.max(0) as u64)),
            None => ("not entered".to_owned(), "-".to_owned()),
        };
        let _ = writeln!(
            md,
            "| {} | {entered} | {spent} | {} |",
            cell(&p.title),
            p.visits.len()
        );
    }
    md.push('\n');
}
