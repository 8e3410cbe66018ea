//! `backout sessions`: what sessions exist, how far each got, which can be resumed.

use std::fmt::Write as _;
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::output::{self, Items};
use super::{CliError, SessionsArgs};
use crate::adapters::session_store::{HOME_ENV, SessionState, SessionStore, SessionSummary};
use crate::domain::duration_text::ago;

pub fn run(args: SessionsArgs) -> Result<ExitCode, CliError> {
    let store = SessionStore::from_env().map_err(|e| CliError::Message(e.to_string()))?;
    if let Some(note) = store.leftovers_note() {
        crate::stderr_line!("backout: {note}");
    }
    let sessions = store.list().map_err(|e| CliError::Message(e.to_string()))?;
    let out = match args.output.structured() {
        Some(format) => output::document(format, "SessionList", &Items { items: &sessions })?,
        None => render_human(&store, &sessions, Utc::now()),
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Longest runbook title shown before it is cut with `…`.
const MAX_TITLE: usize = 32;

/// The human table, with times relative to `now`.
pub fn render_human(
    store: &SessionStore,
    sessions: &[SessionSummary],
    now: DateTime<Utc>,
) -> String {
    if sessions.is_empty() {
        return format!(
            "No sessions yet. Sessions are kept in {} (set {HOME_ENV} to change).\n\
             Start one with `backout <runbook.md>`.\n",
            store.sessions_dir().display()
        );
    }
    let header = [
        "ID",
        "RUNBOOK",
        "TARGET",
        "STARTED",
        "LAST ACTIVITY",
        "PROGRESS",
        "STATE",
    ];
    let rows: Vec<[String; 7]> = sessions.iter().map(|s| row(s, now)).collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    push_row(&mut out, &header.map(str::to_owned), &widths);
    for r in &rows {
        push_row(&mut out, r, &widths);
    }
    let broken: Vec<&SessionSummary> = sessions.iter().filter(|s| s.error.is_some()).collect();
    let torn: Vec<&SessionSummary> = sessions.iter().filter(|s| !s.warnings.is_empty()).collect();
    if !broken.is_empty() || !torn.is_empty() {
        out.push('\n');
    }
    for s in broken {
        let _ = writeln!(out, "corrupt: {}", s.error.as_deref().unwrap_or_default());
    }
    for s in torn {
        for w in &s.warnings {
            let _ = writeln!(out, "note: {}: {w} (cut on resume)", s.id);
        }
    }
    let _ = writeln!(
        out,
        "\n{} session{} in {}. Resume with `backout resume <id prefix>`; \
         report with `backout report <id prefix>`.",
        sessions.len(),
        if sessions.len() == 1 { "" } else { "s" },
        store.sessions_dir().display()
    );
    out
}

fn row(s: &SessionSummary, now: DateTime<Utc>) -> [String; 7] {
    let title = if s.state == SessionState::Corrupt {
        "?".to_owned()
    } else if s.title.is_empty() {
        "(untitled)".to_owned()
    } else {
        truncate(&s.title, MAX_TITLE)
    };
    let started = s.started.map_or_else(
        || "-".to_owned(),
        |t| t.format("%Y-%m-%d %H:%MZ").to_string(),
    );
    let last = s.last_activity.map_or_else(
        || "-".to_owned(),
        |t| format!("{} ({})", relative(t, now), t.format("%Y-%m-%d %H:%MZ")),
    );
    let progress = if s.state == SessionState::Corrupt {
        "-".to_owned()
    } else {
        let mut p = format!("{} done", s.steps_done);
        if s.steps_skipped > 0 {
            let _ = write!(p, ", {} skipped", s.steps_skipped);
        }
        let _ = write!(p, ", {}", plural(s.notes, "note"));
        if s.commands > 0 {
            let _ = write!(p, ", {}", plural(s.commands, "command"));
        }
        p
    };
    let state = if s.live {
        format!("{} (in use)", s.state.label())
    } else {
        s.state.label().to_owned()
    };
    let target = s.target.clone().unwrap_or_else(|| "-".to_owned());
    [s.id.clone(), title, target, started, last, progress, state]
}

fn push_row(out: &mut String, cells: &[String; 7], widths: &[usize; 7]) {
    let mut line = String::new();
    for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        if i + 1 < cells.len() {
            line.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}

/// "just now" under ten seconds (and for future times, from a skewed clock), else
/// [`ago`]: "42s ago", "3m ago", "5h ago", "2d ago".
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    match u64::try_from((now - t).num_seconds()) {
        Ok(secs) if secs >= 10 => ago(secs),
        _ => "just now".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::session_store::SessionState;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    fn summary(id: &str, title: &str, state: SessionState) -> SessionSummary {
        SessionSummary {
            id: id.into(),
            title: title.into(),
            target: None,
            runbook_path: "/srv/runbooks/x.md".into(),
            started: Some(now() - Duration::hours(1)),
            last_activity: Some(now() - Duration::minutes(3)),
            steps_done: 5,
            steps_skipped: 1,
            notes: 2,
            commands: 1,
            records: 12,
            closed: state == SessionState::Closed,
            live: false,
            state,
            error: None,
            warnings: vec![],
        }
    }

    #[test]
    fn relative_times() {
        let cases = [
            (0, "just now"),
            (-30, "just now"),
            (9, "just now"),
            (10, "10s ago"),
            (42, "42s ago"),
            (60, "1m ago"),
            (3_599, "59m ago"),
            (7_200, "2h ago"),
            (86_400, "1d ago"),
            (5 * 86_400 + 7, "5d ago"),
        ];
        for (ago, expected) in cases {
            assert_eq!(
                relative(now() - Duration::seconds(ago), now()),
                expected,
                "{ago}"
            );
        }
    }

    #[test]
    fn empty_store_says_where_sessions_are_kept() {
        let store = SessionStore::at("/var/lib/backout");
        assert_eq!(
            render_human(&store, &[], now()),
            "No sessions yet. Sessions are kept in /var/lib/backout/sessions (set BACKOUT_HOME to \
             change).\nStart one with `backout <runbook.md>`.\n"
        );
    }

    #[test]
    fn table_lists_sessions_with_progress_state_and_errors() {
        let store = SessionStore::at("/h");
        let mut corrupt = summary("20261122-000000-search-0003", "", SessionState::Corrupt);
        corrupt.error = Some("session 20261122-000000-search-0003: journal.jsonl line 1 (seq 1): hash mismatch — the record was altered".into());
        corrupt.started = None;
        corrupt.last_activity = None;
        let mut torn = summary(
            "20261122-015203-checkout-api-rollback-3f2a",
            "Checkout API rollback with a title that is far too long",
            SessionState::Open,
        );
        torn.live = true;
        torn.target = Some("prod-eu/checkout/checkout-api".into());
        torn.warnings = vec!["journal.jsonl line 13: dropped a torn last line".into()];
        let mut closed = summary(
            "20261121-230000-payments-0001",
            "Payments",
            SessionState::Closed,
        );
        closed.steps_skipped = 0;
        closed.notes = 1;
        closed.commands = 0;
        let table = render_human(&store, &[corrupt, torn, closed], now());
        insta::assert_snapshot!(table);
    }
}
