//! Small text helpers shared by panes.

use chrono::{DateTime, Utc};

use crate::domain::journal::Entry;

/// `12:03`, `1:02:03` for a number of seconds.
pub fn clock(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Seconds between two instants, never negative.
pub fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

/// A budget in seconds, short: `90s`, `5m`, `1h30m`.
pub fn budget(secs: u64) -> String {
    if secs >= 3600 {
        let m = (secs / 60) % 60;
        if m == 0 {
            format!("{}h", secs / 3600)
        } else {
            format!("{}h{m:02}m", secs / 3600)
        }
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// Cuts a string to `width` characters, ending in `…` when cut.
pub fn ellipsize(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let count = s.chars().count();
    if count <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// One line describing a journal entry, for the journal pane.
pub fn describe(entry: &Entry) -> String {
    match entry {
        Entry::SessionStarted { title, mode, .. } => format!("session started ({mode}): {title}"),
        Entry::SessionResumed { host } => format!("session resumed on {host}"),
        Entry::PhaseEntered { title, .. } => format!("entered phase: {title}"),
        Entry::StepTicked { step, title } => format!("✓ {step} {title}"),
        Entry::StepUnticked { step, title } => format!("reopened {step} {title}"),
        Entry::StepSkipped {
            step,
            title,
            reason,
        } => format!("skipped {step} {title} — {reason}"),
        Entry::NoteAdded { text, .. } => format!("note: {}", text.lines().next().unwrap_or("")),
        Entry::PlaceholderBound {
            name,
            value,
            secret,
        } => {
            if *secret {
                format!("set {name} (secret, not recorded)")
            } else {
                format!("set {name} = {value}")
            }
        }
        Entry::CommandStarted { step, run, command } => {
            format!(
                "run {run} {step}: $ {}",
                command.lines().next().unwrap_or("")
            )
        }
        Entry::CommandFinished {
            run,
            exit_code,
            duration_ms,
            cancelled,
            ..
        } => {
            let how = match (exit_code, cancelled) {
                (_, true) => "cancelled".to_string(),
                (Some(c), _) => format!("exit {c}"),
                (None, _) => "killed".to_string(),
            };
            format!(
                "run {run} {how} after {}",
                super::update::human_ms(*duration_ms)
            )
        }
        Entry::SessionClosed => "session closed".to_string(),
        Entry::SeverityChanged { from, to, .. } => format!(
            "severity {} → {}",
            from.as_deref().unwrap_or("none"),
            to.as_deref().unwrap_or("none")
        ),
        Entry::BaselineCaptured { values } => {
            let names: Vec<&str> = values.keys().map(String::as_str).collect();
            format!("baseline captured: {}", names.join(", "))
        }
    }
}
