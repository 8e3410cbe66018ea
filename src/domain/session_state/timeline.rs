//! The timeline: one line per journal record, saying what it did (the report's Timeline
//! section and the console's journal pane read the same words).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::duration_text::{compact, precise_ms};
use crate::domain::journal::{Entry, Record};
use crate::domain::progress::Progress;
use crate::domain::redact::{REDACTED, is_secret_name};

/// One journal record, as one line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub actor: String,
    pub kind: &'static str,
    pub text: String,
}

/// Longest note text shown inline in the timeline (the Notes section has it whole).
const TIMELINE_TEXT_MAX: usize = 120;

/// Folds one record: its line, at the end. `progress` has folded the record already: a
/// drill's rehearsal finishing is said as what it was (nothing ran), not as an exit code.
pub fn apply(out: &mut Vec<TimelineEntry>, r: &Record, progress: &Progress) {
    out.push(TimelineEntry {
        seq: r.seq,
        ts: r.ts,
        actor: r.actor.clone(),
        kind: r.entry.kind(),
        text: describe_with(&r.entry, progress),
    });
}

/// [`describe`], with what the session's runs say: the end of a drill's rehearsal is
/// `run 1 of #4: rehearsed in the drill, nothing ran`.
pub fn describe_with(entry: &Entry, progress: &Progress) -> String {
    if let Entry::CommandFinished { step, run, .. } = entry
        && progress.run(*step, *run).is_some_and(|r| r.is_rehearsal())
    {
        return format!("run {run} of {step}: rehearsed in the drill, nothing ran");
    }
    describe(entry)
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
            detail,
            cut_short,
            ..
        } => {
            if crate::domain::verify::interrupted_by_quit(cut_short.as_deref()) {
                return format!(
                    "verification {check} interrupted (the console quit before the window ended): {}",
                    one_line(detail)
                );
            }
            let verdict = super::verification::verdict(entry).map_or("", |v| v.label());
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
            ..
        } => match previous {
            // The record's actor is shown beside this line: `by` is not repeated.
            Some(p) => format!("changed the choice in {group} from {p} to {member} {title:?}"),
            None => format!("chose {member} {title:?} in {group}"),
        },
        Entry::SeverityDeclared {
            severity, reason, ..
        } => format!("declared {severity}: {}", one_line(reason)),
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
        Entry::MessagePostedByHand { key, where_, .. } => {
            format!("posted message {key} by hand in {}", one_line(where_))
        }
        Entry::StepDoneByAction {
            step,
            title,
            action,
        } => format!("{step} {title:?} done by {}", one_line(action)),
        Entry::CommandDeclined { step, command } => {
            format!("{step} not run (declined): {}", one_line(command))
        }
        Entry::RolloutFollowStarted { action } => {
            format!("following the rollout of {}", one_line(action))
        }
    }
}

/// A measured value with four significant digits, without trailing zeros
/// (`0.1208046695851574` → `0.1208`, `491.2` → `491.2`).
pub fn significant(v: f64) -> String {
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
pub fn one_line(text: &str) -> String {
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
