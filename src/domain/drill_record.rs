//! A finished drill as kept in the drill history, and how drills are written out: one
//! scorecard as text, the history as a text table or Markdown with the trend per stage.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::duration_text::compact_f64;
use super::scorecard::{Scorecard, StageName};

/// One drill in the history (`BACKOUT_HOME/drills/<session>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrillRecord {
    pub session: String,
    /// The scenario's name; `None` on a real cluster.
    pub scenario: Option<String>,
    /// `simulator`, or the kubeconfig context the drill ran against.
    pub cluster: String,
    pub runbook_title: String,
    pub runbook_path: String,
    /// When the scorecard was computed.
    pub scored_at: DateTime<Utc>,
    pub scorecard: Scorecard,
}

impl DrillRecord {
    /// When the drill ran: its session's start.
    pub fn date(&self) -> DateTime<Utc> {
        self.scorecard.session_started.unwrap_or(self.scored_at)
    }

    /// `bad-deploy`, or `context staging` for a real cluster.
    pub fn what(&self) -> String {
        match &self.scenario {
            Some(s) => s.clone(),
            None => format!("context {}", self.cluster),
        }
    }
}

/// A scorecard time, or `—` when there is none.
fn or_dash(secs: Option<f64>) -> String {
    secs.map(compact_f64).unwrap_or_else(|| "—".into())
}

/// The scorecard of one drill, for a terminal or a log.
pub fn card_text(r: &DrillRecord) -> Vec<String> {
    let c = &r.scorecard;
    let mut out = vec![
        format!(
            "Drill scorecard — {} ({}) — {}",
            r.what(),
            r.runbook_title,
            if c.passed { "PASSED" } else { "NOT PASSED" }
        ),
        format!(
            "session {}   clock started by: {}",
            r.session,
            c.first_event.as_deref().unwrap_or("(no drill event)")
        ),
        String::new(),
        format!(
            "{:<12} {:>9} {:>9} {:>10}  {}",
            "stage", "time", "target", "since start", "ended by"
        ),
    ];
    for s in &c.stages {
        let target = s.target_secs.map(compact_f64).unwrap_or_else(|| "—".into());
        let verdict = match (s.secs, s.met()) {
            (None, _) => "not reached",
            (Some(_), true) => "ok",
            (Some(_), false) => "over",
        };
        out.push(format!(
            "{:<12} {:>9} {:>9} {:>10}  {} ({verdict})",
            s.name.label(),
            or_dash(s.secs),
            target,
            or_dash(s.since_start_secs),
            s.by.as_deref().unwrap_or("—"),
        ));
    }
    out.push(String::new());
    out.push(format!(
        "time to recover {} against {} RTO {}",
        or_dash(c.time_to_recover_secs),
        c.severity.as_deref().unwrap_or("(no severity)"),
        c.rto_target_secs
            .map(compact_f64)
            .unwrap_or_else(|| "(none in the runbook)".into())
    ));
    out.push(format!(
        "checklist items skipped {}   commands failed {}   verification checks failed {}   notes {}",
        c.checklist_skipped, c.commands_failed, c.verifications_failed, c.notes
    ));
    for s in &c.shortfalls {
        out.push(format!("  ✗ {s}"));
    }
    out
}

/// Seconds of one stage in each drill, oldest first.
pub fn stage_series(history: &[DrillRecord], stage: StageName) -> Vec<Option<f64>> {
    history
        .iter()
        .map(|r| {
            r.scorecard
                .stages
                .iter()
                .find(|s| s.name == stage)
                .and_then(|s| s.secs)
        })
        .collect()
}

/// How a stage moved from the first to the latest drill that reached it: `−1m10s`,
/// `+20s`, or `—` with fewer than two.
pub fn trend(series: &[Option<f64>]) -> String {
    let reached: Vec<f64> = series.iter().flatten().copied().collect();
    match (reached.first(), reached.last()) {
        (Some(a), Some(b)) if reached.len() >= 2 => {
            let d = b - a;
            let sign = if d < 0.0 { "−" } else { "+" };
            format!("{sign}{}", compact_f64(d.abs()))
        }
        _ => "—".into(),
    }
}

/// One drill's cells in the history: date, result, the time of each stage (in
/// [`StageName::ALL`] order) and the time to recover.
struct HistoryRow {
    date: String,
    result: &'static str,
    stages: [String; 5],
    total: String,
}

impl HistoryRow {
    fn of(r: &DrillRecord) -> HistoryRow {
        let c = &r.scorecard;
        HistoryRow {
            date: r.date().format("%Y-%m-%d %H:%M").to_string(),
            result: if c.passed { "pass" } else { "fail" },
            stages: StageName::ALL
                .map(|n| or_dash(c.stages.iter().find(|s| s.name == n).and_then(|s| s.secs))),
            total: or_dash(c.time_to_recover_secs),
        }
    }
}

/// `cells` right-aligned in text columns of 8, each after a space.
fn text_columns(cells: &[String]) -> String {
    cells.iter().map(|c| format!(" {c:>8}")).collect()
}

/// The history as a text table, oldest first, with the trend per stage.
pub fn history_table(history: &[DrillRecord]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "date", "drill", "result", "detect", "decide", "recover", "verify", "comms", "total"
    )];
    for r in history {
        let row = HistoryRow::of(r);
        out.push(format!(
            "{:<17} {:<20} {:<6}{}{}",
            row.date,
            truncate(&r.what(), 20),
            row.result,
            text_columns(&row.stages),
            text_columns(std::slice::from_ref(&row.total)),
        ));
    }
    if history.len() >= 2 {
        let trends = StageName::ALL.map(|n| trend(&stage_series(history, n)));
        out.push(format!(
            "{:<17} {:<20} {:<6}{}",
            "trend",
            "first → latest",
            "",
            text_columns(&trends),
        ));
    }
    out
}

/// The history as Markdown, for a quarterly review.
pub fn history_markdown(history: &[DrillRecord]) -> String {
    let mut md = String::from("# Rollback drills\n\n");
    let passed = history.iter().filter(|r| r.scorecard.passed).count();
    md.push_str(&format!("{} drill(s), {passed} passed.\n\n", history.len()));
    md.push_str("| Date | Drill | Result | Detect | Decide | Recover | Verify | Communicate | Recovery vs RTO |\n");
    md.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for r in history {
        let row = HistoryRow::of(r);
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} / {} |\n",
            row.date,
            r.what(),
            row.result,
            row.stages.join(" | "),
            row.total,
            or_dash(r.scorecard.rto_target_secs),
        ));
    }
    if history.len() >= 2 {
        md.push_str("\n## Trend (first → latest)\n\n");
        for n in StageName::ALL {
            md.push_str(&format!(
                "- {}: {}\n",
                n.label(),
                trend(&stage_series(history, n))
            ));
        }
    }
    let short: Vec<&DrillRecord> = history.iter().filter(|r| !r.scorecard.passed).collect();
    if !short.is_empty() {
        md.push_str("\n## Shortfalls\n\n");
        for r in short {
            for s in &r.scorecard.shortfalls {
                md.push_str(&format!("- {} ({}): {s}\n", r.what(), r.session));
            }
        }
    }
    md
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn trends_compare_the_first_and_latest_reached_values() {
        assert_eq!(trend(&[Some(120.0), None, Some(50.0)]), "−1m10s");
        assert_eq!(trend(&[Some(30.0), Some(50.0)]), "+20s");
        assert_eq!(trend(&[Some(30.0), None]), "—");
    }

    pub(crate) fn drill(session: &str, day: u32, detect: Option<f64>, passed: bool) -> DrillRecord {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap();
        let stage = |name, secs| crate::domain::scorecard::Stage {
            name,
            reached_at: None,
            secs,
            since_start_secs: None,
            target_secs: None,
            by: None,
        };
        DrillRecord {
            session: session.into(),
            scenario: (day == 1).then(|| "bad-deploy".into()),
            cluster: "staging".into(),
            runbook_title: "Rollback".into(),
            runbook_path: "rollback.md".into(),
            scored_at: at,
            scorecard: Scorecard {
                session_started: Some(at),
                clock_started: None,
                first_event: None,
                severity: None,
                stages: vec![
                    stage(StageName::Detect, detect),
                    stage(StageName::Recover, Some(30.0)),
                ],
                rto_target_secs: passed.then_some(900.0),
                time_to_recover_secs: Some(90.0),
                checklist_skipped: 0,
                commands_failed: 0,
                verifications_failed: 0,
                notes: 0,
                passed,
                shortfalls: if passed { vec![] } else { vec!["over".into()] },
            },
        }
    }

    /// The text table and the Markdown share their cells: each still lays them out in
    /// its own columns, exactly.
    #[test]
    fn the_history_table_and_markdown_lay_out_the_same_cells() {
        let history = [
            drill("s1", 1, Some(120.0), true),
            drill("s2", 2, Some(50.0), false),
        ];
        let row = |date, what, result, detect| {
            format!(
                "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
                date, what, result, detect, "—", "30s", "—", "—", "1m30s"
            )
        };
        assert_eq!(
            history_table(&history)[1..],
            [
                row("2026-03-01 09:30", "bad-deploy", "pass", "2m"),
                row("2026-03-02 09:30", "context staging", "fail", "50s"),
                format!(
                    "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8}",
                    "trend", "first → latest", "", "−1m10s", "—", "+0s", "—", "—"
                ),
            ]
        );
        let md = history_markdown(&history);
        assert!(
            md.contains(
                "| 2026-03-01 09:30 | bad-deploy | pass | 2m | — | 30s | — | — | 1m30s / 15m |\n\
                 | 2026-03-02 09:30 | context staging | fail | 50s | — | 30s | — | — | 1m30s / — |\n"
            ),
            "{md}"
        );
    }
}
