//! The incident report: what actually happened in a session, from its journal.
//!
//! [`build`] derives a [`Report`] from the replayed [`Progress`] and the records (and,
//! when available, the runbook copy, for titles and the items never touched);
//! [`to_markdown`] renders it for humans, and the `Report` serializes to JSON as is.
//! Free text passes through a [`Redactor`]: secret-looking syntax always, known secret
//! values via [`Report::redact`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::duration_text::{compact, precise_ms};
use crate::domain::journal::{Entry, Record};
use crate::domain::progress::{CommandRun, Progress, StepState};
use crate::domain::redact::{REDACTED, Redactor, is_secret_name};
use crate::domain::runbook::{Runbook, StepId, StepKind};

/// An incident report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub title: String,
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
    pub verification: Vec<super::verification_report::VerificationReport>,
    pub notes: Vec<NoteReport>,
    pub skipped: Vec<SkippedStep>,
    pub resumes: Vec<ResumeReport>,
    pub timeline: Vec<TimelineEntry>,
    /// Every message queued, per sink, with its delivery status.
    pub messages: Vec<MessageReport>,
    pub journal: JournalSummary,
    /// Notes about the data itself (e.g. a torn journal tail, a changed runbook).
    pub warnings: Vec<String>,
}

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Succeeded,
    Failed,
    /// Ended by a signal.
    Killed,
    Cancelled,
    /// Started, and the console ended (crash or close) before it finished.
    Interrupted,
    /// Started, no outcome yet, and nothing says the console stopped.
    NoOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandReport {
    pub run: u32,
    pub step: StepId,
    pub step_title: Option<String>,
    pub command: String,
    pub actor: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
    pub status: RunStatus,
    /// E.g. `exit 0`, `interrupted (session ended while running)`.
    pub result: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub step: Option<StepId>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedStep {
    pub step: StepId,
    pub title: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub host: String,
    /// Time since the record before it: how long the console was away.
    pub gap_secs: Option<i64>,
}

/// One journal record, as one line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub actor: String,
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalSummary {
    pub records: usize,
    /// Hash of the last record: names this exact history.
    pub head_hash: Option<String>,
}

const INTERRUPTED: &str = "interrupted (session ended while running)";

/// Longest note text shown inline in the timeline (the Notes section has it whole).
const TIMELINE_TEXT_MAX: usize = 120;

/// Builds the report. Pure; `records` are the verified records `progress` was
/// replayed from.
pub fn build(progress: &Progress, records: &[Record], runbook: Option<&Runbook>) -> Report {
    let titles = step_titles(records, runbook);
    let ended_at = progress.closed_at.or(progress.last_at);
    let mut actors: Vec<String> = Vec::new();
    for r in records {
        if !actors.contains(&r.actor) {
            actors.push(r.actor.clone());
        }
    }
    let mut report = Report {
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
        actors,
        phases: phases(progress, ended_at, runbook),
        checklist: checklist(progress, records, runbook, &titles),
        checklist_from_runbook: runbook.is_some(),
        commands: commands(progress, records, &titles),
        verification: super::verification_report::build(records),
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
        skipped: skipped(progress, &titles),
        resumes: resumes(records),
        timeline: records.iter().map(timeline_entry).collect(),
        messages: messages::messages(records),
        journal: JournalSummary {
            records: records.len(),
            head_hash: records.last().map(|r| r.hash.clone()),
        },
        warnings: Vec::new(),
    };
    report.redact(&Redactor::default());
    report
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
                c.result = INTERRUPTED.to_owned();
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
        messages::redact(&mut self.messages, redactor);
    }
}

/// Step titles: the runbook's, else the latest one a journal entry carried.
fn step_titles(records: &[Record], runbook: Option<&Runbook>) -> BTreeMap<StepId, String> {
    let mut titles = BTreeMap::new();
    for r in records {
        if let Entry::StepTicked { step, title }
        | Entry::StepUnticked { step, title }
        | Entry::StepSkipped { step, title, .. } = &r.entry
        {
            titles.insert(*step, title.clone());
        }
    }
    if let Some(rb) = runbook {
        for step in rb.phases.iter().flat_map(|p| &p.steps) {
            titles.insert(step.id, step.title.clone());
        }
    }
    titles
}

fn phases(
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

fn item_status(progress: &Progress, step: StepId, is_command: bool) -> ItemStatus {
    if let (None, Some(run)) = (
        progress.state(step),
        is_command.then(|| progress.last_success(step)).flatten(),
    ) {
        return ItemStatus::Ran {
            at: run.finished.as_ref().map_or(run.started_at, |o| o.at),
            actor: run.actor.clone(),
            run: run.run,
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

fn checklist(
    progress: &Progress,
    records: &[Record],
    runbook: Option<&Runbook>,
    titles: &BTreeMap<StepId, String>,
) -> Vec<ChecklistItem> {
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
    let mut from_journal = BTreeSet::new();
    for r in records {
        if let Entry::StepTicked { step, .. }
        | Entry::StepUnticked { step, .. }
        | Entry::StepSkipped { step, .. } = &r.entry
        {
            from_journal.insert(*step);
        }
    }
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

fn commands(
    progress: &Progress,
    records: &[Record],
    titles: &BTreeMap<StepId, String>,
) -> Vec<CommandReport> {
    // The console stopped after a run started if a later record resumed or closed
    // the session.
    let stopped_after = |run: &CommandRun| {
        let started_seq = records
            .iter()
            .find(|r| matches!(&r.entry, Entry::CommandStarted { run: n, .. } if *n == run.run))
            .map_or(0, |r| r.seq);
        progress.closed_at.is_some()
            || records.iter().any(|r| {
                r.seq > started_seq
                    && matches!(r.entry, Entry::SessionResumed { .. } | Entry::SessionClosed)
            })
    };
    progress
        .runs
        .iter()
        .map(|run| {
            let (status, result) = match &run.finished {
                Some(o) if o.cancelled => (RunStatus::Cancelled, "cancelled".to_owned()),
                Some(o) => match o.exit_code {
                    Some(0) => (RunStatus::Succeeded, "exit 0".to_owned()),
                    Some(code) => (RunStatus::Failed, format!("exit {code}")),
                    None => (RunStatus::Killed, "killed by a signal".to_owned()),
                },
                None if stopped_after(run) => (RunStatus::Interrupted, INTERRUPTED.to_owned()),
                None => (
                    RunStatus::NoOutcome,
                    "no outcome recorded (still running, or the console stopped)".to_owned(),
                ),
            };
            CommandReport {
                run: run.run,
                step: run.step,
                step_title: titles.get(&run.step).cloned(),
                command: run.command.clone(),
                actor: run.actor.clone(),
                started_at: run.started_at,
                finished_at: run.finished.as_ref().map(|o| o.at),
                exit_code: run.finished.as_ref().and_then(|o| o.exit_code),
                duration_ms: run.finished.as_ref().map(|o| o.duration_ms),
                status,
                result,
            }
        })
        .collect()
}

fn skipped(progress: &Progress, titles: &BTreeMap<StepId, String>) -> Vec<SkippedStep> {
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

fn resumes(records: &[Record]) -> Vec<ResumeReport> {
    records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.entry {
            Entry::SessionResumed { host } => Some(ResumeReport {
                at: r.ts,
                actor: r.actor.clone(),
                host: host.clone(),
                gap_secs: i
                    .checked_sub(1)
                    .map(|j| (r.ts - records[j].ts).num_seconds()),
            }),
            _ => None,
        })
        .collect()
}

fn timeline_entry(r: &Record) -> TimelineEntry {
    TimelineEntry {
        seq: r.seq,
        ts: r.ts,
        actor: r.actor.clone(),
        kind: r.entry.kind(),
        text: describe(&r.entry),
    }
}

/// One line saying what an entry did, e.g. `ticked #3 "Confirm on-call is paged"`.
pub fn describe(entry: &Entry) -> String {
    match entry {
        Entry::SessionStarted {
            runbook_path,
            title,
            mode,
            host,
            ..
        } => format!("started the session {title:?} ({mode}, runbook {runbook_path}) on {host}"),
        Entry::SessionResumed { host } => format!("resumed the session on {host}"),
        Entry::PhaseEntered { title, .. } => format!("entered phase {title:?}"),
        Entry::StepTicked { step, title } => format!("ticked {step} {title:?}"),
        Entry::StepUnticked { step, title } => format!("unticked {step} {title:?}"),
        Entry::StepSkipped {
            step,
            title,
            reason,
        } => format!("skipped {step} {title:?}: {}", one_line(reason)),
        Entry::NoteAdded { text, step } => {
            let on = step.map(|s| format!(" on {s}")).unwrap_or_default();
            format!("note{on}: {}", one_line(text))
        }
        Entry::PlaceholderBound {
            name,
            value,
            secret,
        } => {
            let value = if *secret || is_secret_name(name) {
                REDACTED
            } else {
                value.as_str()
            };
            format!("bound {name} = {value}")
        }
        Entry::CommandStarted { step, run, command } => {
            format!("ran {step} (run {run}): {}", one_line(command))
        }
        Entry::CommandFinished {
            step,
            run,
            exit_code,
            duration_ms,
            cancelled,
        } => {
            let how = match (cancelled, exit_code) {
                (true, _) => "was cancelled".to_owned(),
                (false, Some(code)) => format!("exited {code}"),
                (false, None) => "was killed by a signal".to_owned(),
            };
            format!(
                "run {run} of {step} {how} after {}",
                precise_ms(*duration_ms)
            )
        }
        Entry::ClusterActionRequested { action, target, .. } => {
            format!("requested on {target}: {}", one_line(action))
        }
        Entry::ClusterActionFinished {
            action,
            outcome,
            ok,
        } => {
            let verdict = if *ok { "succeeded" } else { "failed" };
            format!("{} {verdict}: {}", one_line(action), one_line(outcome))
        }
        Entry::SessionClosed => "closed the session".to_owned(),
        Entry::SeverityChanged { from, to, rule } => {
            let from = from.as_deref().unwrap_or("none");
            let because = rule
                .as_deref()
                .map(|r| format!(" ({})", one_line(r)))
                .unwrap_or_default();
            match to {
                Some(to) => format!("severity {from} → {to}{because}"),
                None => format!("severity {from} → none: nothing fires"),
            }
        }
        Entry::BaselineCaptured {
            values,
            offset_secs,
        } => {
            let list: Vec<String> = values
                .iter()
                .map(|(k, v)| format!("{k}={}", significant(*v)))
                .collect();
            let from = offset_secs
                .map(|s| format!(" (read {} back)", compact(s)))
                .unwrap_or_default();
            format!("captured baselines{from}: {}", one_line(&list.join(", ")))
        }
        Entry::SeverityAcknowledged { severity } => format!("acknowledged severity {severity}"),
        Entry::VerificationStarted {
            check,
            description,
            window_secs,
        } => {
            let window = window_secs
                .map(|s| format!(" (watching for {})", compact(s)))
                .unwrap_or_default();
            format!("verifying {check}: {}{window}", one_line(description))
        }
        Entry::VerificationFinished {
            check,
            passed,
            detail,
            cut_short,
        } => {
            if super::verify::interrupted_by_quit(cut_short.as_deref()) {
                return format!(
                    "verification {check} interrupted (the console quit before the window ended): {}",
                    one_line(detail)
                );
            }
            let verdict = if *passed { "passed" } else { "failed" };
            let cut = cut_short
                .as_deref()
                .map(|r| format!(" (window cut short: {})", one_line(r)))
                .unwrap_or_default();
            format!("verification {check} {verdict}: {}{cut}", one_line(detail))
        }
        Entry::MessageQueued { sink, template, .. } => format!("queued {template} for {sink}"),
        Entry::MessageDelivered {
            sink,
            attempts,
            detail,
            ..
        } => format!(
            "delivered to {sink} after {attempts} attempt{}: {}",
            if *attempts == 1 { "" } else { "s" },
            one_line(detail)
        ),
        Entry::MessageFailed {
            sink,
            attempts,
            error,
            ..
        } => format!(
            "sending to {sink} failed after {attempts} attempt{}: {}",
            if *attempts == 1 { "" } else { "s" },
            one_line(error)
        ),
        Entry::DrillEvent { what } => format!("drill: {}", one_line(what)),
        Entry::AlternativeChosen {
            group,
            member,
            title,
            previous,
            by,
        } => match previous {
            Some(p) => format!("{by} changed the choice in {group} from {p} to {member} {title:?}"),
            None => format!("{by} chose {member} {title:?} in {group}"),
        },
        Entry::SeverityDeclared {
            severity,
            reason,
            by,
            ..
        } => format!("{by} declared {severity}: {}", one_line(reason)),
        Entry::ApprovalRecorded {
            severity,
            approver,
            deferred,
            ..
        } => {
            if *deferred {
                format!("{severity} approval by {approver} recorded as approve-after")
            } else {
                format!("{severity} approved by {approver}")
            }
        }
        Entry::ConnectionSet {
            context,
            namespace,
            deployment,
            source,
            read_only,
            ..
        } => format!(
            "connected to {}/{}/{} ({source}{})",
            context.as_deref().unwrap_or("-"),
            namespace.as_deref().unwrap_or("-"),
            deployment.as_deref().unwrap_or("-"),
            if *read_only { ", read-only" } else { "" }
        ),
        Entry::MessageDrafted {
            template, saved_to, ..
        } => format!("drafted {template} (saved to {saved_to}; sent by hand)"),
        Entry::MessagePostedByHand { key, where_, by } => {
            format!("{by} posted message {key} by hand in {}", one_line(where_))
        }
        Entry::StepDoneByAction {
            step,
            title,
            action,
        } => format!("{step} {title:?} done by {}", one_line(action)),
        Entry::CommandDeclined { step, command } => {
            format!("{step} not run (declined): {}", one_line(command))
        }
    }
}

/// A measured value with four significant digits, without trailing zeros
/// (`0.1208046695851574` → `0.1208`, `491.2` → `491.2`).
fn significant(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return v.to_string();
    }
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Multi-line text on one line, cut at [`TIMELINE_TEXT_MAX`] characters.
fn one_line(text: &str) -> String {
    let flat = text
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ↵ ");
    if flat.chars().count() > TIMELINE_TEXT_MAX {
        flat.chars()
            .take(TIMELINE_TEXT_MAX - 1)
            .chain(['…'])
            .collect()
    } else {
        flat
    }
}

/// `2026-11-22 01:52:03Z`.
fn utc(ts: DateTime<Utc>) -> String {
    ts.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// Renders the report as Markdown.
pub fn to_markdown(report: &Report) -> String {
    let mut md = String::new();
    let title = if report.title.is_empty() {
        "untitled session"
    } else {
        &report.title
    };
    let _ = writeln!(md, "# Incident report: {}\n", inline(title));
    overview(&mut md, report);
    summary(&mut md, report);
    phases_md(&mut md, report);
    checklist_md(&mut md, report);
    commands_md(&mut md, report);
    super::verification_report::markdown(&mut md, &report.verification);
    skipped_md(&mut md, report);
    notes_md(&mut md, report);
    resumes_md(&mut md, report);
    messages::messages_md(&mut md, &report.messages);
    timeline_md(&mut md, report);
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
    let done = count(|s| matches!(s, ItemStatus::Done { .. } | ItemStatus::Ran { .. }));
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

fn phases_md(md: &mut String, r: &Report) {
    md.push_str("## Phases\n\n");
    if r.phases.is_empty() {
        md.push_str("No phase was entered.\n\n");
        return;
    }
    md.push_str("| Phase | Entered (UTC) | Time spent | Visits |\n|---|---|---|---|\n");
    for p in &r.phases {
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

fn checklist_md(md: &mut String, r: &Report) {
    md.push_str("## Checklist\n\n");
    if r.checklist.is_empty() {
        md.push_str("No steps were recorded.\n\n");
        return;
    }
    let mut groups: Vec<(Option<&String>, Vec<&ChecklistItem>)> = Vec::new();
    for item in &r.checklist {
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

fn commands_md(md: &mut String, r: &Report) {
    md.push_str("## Commands\n\n");
    if r.commands.is_empty() {
        md.push_str("No commands were run.\n\n");
        return;
    }
    md.push_str(
        "| Run | Step | Command | By | Started (UTC) | Result | Duration |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for c in &r.commands {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.run,
            c.step,
            code(&c.command),
            cell(&c.actor),
            utc(c.started_at),
            cell(&c.result),
            c.duration_ms.map(precise_ms).unwrap_or_else(|| "-".into())
        );
    }
    md.push('\n');
}

fn skipped_md(md: &mut String, r: &Report) {
    if r.skipped.is_empty() {
        return;
    }
    md.push_str("## Skipped steps\n\n");
    for s in &r.skipped {
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

fn notes_md(md: &mut String, r: &Report) {
    md.push_str("## Notes\n\n");
    if r.notes.is_empty() {
        md.push_str("No notes were taken.\n\n");
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

fn resumes_md(md: &mut String, r: &Report) {
    if r.resumes.is_empty() {
        return;
    }
    md.push_str("## Resumes\n\n");
    for s in &r.resumes {
        let gap = s
            .gap_secs
            .map(|g| format!(", {} after the previous record", compact(g.max(0) as u64)))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "- {} by {} on {}{gap}",
            utc(s.at),
            inline(&s.actor),
            inline(&s.host)
        );
    }
    md.push('\n');
}

fn timeline_md(md: &mut String, r: &Report) {
    md.push_str("## Timeline (UTC)\n\n");
    let width = r
        .timeline
        .iter()
        .map(|t| t.actor.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<String> = r
        .timeline
        .iter()
        .map(|t| {
            let pad = width - t.actor.chars().count();
            format!("{}  {}{:pad$}  {}", utc(t.ts), t.actor, "", t.text)
        })
        .collect();
    let body = lines.join("\n");
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let _ = writeln!(md, "{fence}text\n{body}\n{fence}\n");
}

/// Text for a table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// Text on one Markdown line.
fn inline(s: &str) -> String {
    s.split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Multi-line text as a list item's continuation.
fn indented(s: &str) -> String {
    s.trim_end().replace('\n', "\n  ")
}

/// A code span that survives backticks and pipes inside it.
fn code(s: &str) -> String {
    let s = inline(s).replace('|', "\\|");
    if s.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

#[path = "report_messages.rs"]
mod messages;
pub use messages::{MessageReport, MessageStatus};

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
