//! The report as Markdown: the sections in order (each section renders itself; the text
//! helpers they share are in [`super::markdown_text`]).

use std::fmt::Write as _;

use super::checklist::ItemStatus;
use super::commands::RunStatus;
use super::markdown_text::{cell, code, heading_or_none, indented, inline, utc};
use super::model::Report;
use crate::domain::duration_text::compact;

/// Renders the report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    let mut md = String::new();
    let name = super::target::session_name(&report.title, report.target.as_deref());
    let _ = writeln!(md, "# Incident report: {}\n", inline(&name));
    overview(&mut md, report);
    super::incident::summary_md(&mut md, &report.incident);
    super::changes::changes_md(&mut md, &report.changes);
    super::follow_ups::follow_ups_md(&mut md, &report.follow_ups);
    super::impact::impact_md(&mut md, report.impact.as_ref());
    super::decisions::decisions_md(&mut md, &report.decisions);
    super::incident::to_fill_md(&mut md);
    summary(&mut md, report);
    super::phases::phases_md(&mut md, &report.phases);
    super::checklist::checklist_md(&mut md, &report.checklist);
    super::commands::commands_md(&mut md, &report.commands);
    super::verification::markdown(&mut md, &report.verification);
    super::checklist::skipped_md(&mut md, &report.skipped);
    notes_md(&mut md, report);
    super::resumes::resumes_md(&mut md, &report.resumes);
    super::messages::messages_md(&mut md, &report.messages);
    super::timeline::timeline_md(&mut md, &report.timeline);
    if !report.warnings.is_empty() {
        md.push_str("## Data warnings\n\n");
        for w in &report.warnings {
            let _ = writeln!(md, "- {}", inline(w));
        }
        md.push('\n');
    }
    while md.ends_with("\n\n") {
        md.pop();
    }
    md
}

fn overview(md: &mut String, r: &Report) {
    md.push_str("| | |\n|---|---|\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(md, "| {k} | {v} |");
    };
    if let Some(id) = &r.session_id {
        row("Session", code(id));
    }
    if let Some(t) = &r.target {
        row("Target", code(t));
    }
    row("Runbook", code(&r.runbook_path));
    row("Runbook SHA-256", code(&r.runbook_sha256));
    if !r.mode.is_empty() {
        row("Mode", cell(&r.mode));
    }
    row("Started", r.started_at.map_or("unknown".into(), utc));
    row(
        "Closed",
        match (r.closed_at, r.ended_at) {
            (Some(c), _) => utc(c),
            (None, Some(e)) => format!("not closed (last activity {})", utc(e)),
            (None, None) => "not closed".into(),
        },
    );
    if let Some(d) = r.duration_secs {
        row("Duration", compact(d.max(0) as u64));
    }
    row("Operators", cell(&r.actors.join(", ")));
    row(
        "Journal",
        format!(
            "{} records, hash chain verified{}",
            r.journal.records,
            r.journal
                .head_hash
                .as_ref()
                .map(|h| format!(" (head {})", code(h.get(..16).unwrap_or(h))))
                .unwrap_or_default()
        ),
    );
    md.push('\n');
}

fn summary(md: &mut String, r: &Report) {
    let count = |f: fn(&ItemStatus) -> bool| r.checklist.iter().filter(|c| f(&c.status)).count();
    let done = count(|s| {
        matches!(
            s,
            ItemStatus::Done { .. } | ItemStatus::Ran { .. } | ItemStatus::Rehearsed { .. }
        )
    });
    let skipped = count(|s| matches!(s, ItemStatus::Skipped { .. }));
    let open = count(|s| matches!(s, ItemStatus::Open));
    md.push_str("## Summary\n\n");
    let _ = write!(md, "- Steps: {done} done, {skipped} skipped, {open} open");
    if !r.checklist_from_runbook {
        md.push_str(" (steps nobody touched are not listed: the runbook copy was not loaded)");
    }
    md.push('\n');
    if r.commands.is_empty() {
        md.push_str("- Commands: none run\n");
    } else {
        let order = [
            (RunStatus::Succeeded, "succeeded"),
            (RunStatus::Failed, "failed"),
            (RunStatus::Killed, "killed"),
            (RunStatus::Cancelled, "cancelled"),
            (RunStatus::Interrupted, "interrupted"),
            (RunStatus::NoOutcome, "without outcome"),
            (RunStatus::Rehearsed, "rehearsed in the drill"),
        ];
        let by_status = order.iter().filter_map(|(status, label)| {
            let n = r.commands.iter().filter(|c| c.status == *status).count();
            (n > 0).then_some((label, n))
        });
        let parts: Vec<String> = by_status.map(|(k, n)| format!("{n} {k}")).collect();
        let _ = writeln!(
            md,
            "- Commands: {} runs ({})",
            r.commands.len(),
            parts.join(", ")
        );
    }
    let _ = writeln!(md, "- Notes: {}", r.notes.len());
    let _ = writeln!(md, "- Resumes: {}\n", r.resumes.len());
}

fn notes_md(md: &mut String, r: &Report) {
    if heading_or_none(md, "Notes", r.notes.is_empty(), "No notes were taken.") {
        return;
    }
    for n in &r.notes {
        let on = n.step.map(|s| format!(" on {s}")).unwrap_or_default();
        let text = if n.text.trim().is_empty() {
            "*(empty note)*".to_owned()
        } else {
            indented(&n.text)
        };
        let _ = writeln!(md, "- {} {}{on}: {text}", utc(n.at), inline(&n.actor));
    }
    md.push('\n');
}
