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

/// The history as a text table, oldest first, with the trend per stage.
pub fn history_table(history: &[DrillRecord]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "date", "drill", "result", "detect", "decide", "recover", "verify", "comms", "total"
    )];
    for r in history {
        let c = &r.scorecard;
        let t = |n: StageName| or_dash(c.stages.iter().find(|s| s.name == n).and_then(|s| s.secs));
        out.push(format!(
            "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            r.date().format("%Y-%m-%d %H:%M"),
            truncate(&r.what(), 20),
            if c.passed { "pass" } else { "fail" },
            t(StageName::Detect),
            t(StageName::Decide),
            t(StageName::Recover),
            t(StageName::Verify),
            t(StageName::Communicate),
            or_dash(c.time_to_recover_secs),
        ));
    }
    if history.len() >= 2 {
        let tr = |n: StageName| trend(&stage_series(history, n));
        out.push(format!(
            "{:<17} {:<20} {:<6} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "trend",
            "first → latest",
            "",
            tr(StageName::Detect),
            tr(StageName::Decide),
            tr(StageName::Recover),
            tr(StageName::Verify),
            tr(StageName::Communicate),
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
        let c = &r.scorecard;
        let t = |n: StageName| or_dash(c.stages.iter().find(|s| s.name == n).and_then(|s| s.secs));
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |\n",
            r.date().format("%Y-%m-%d %H:%M"),
            r.what(),
            if c.passed { "pass" } else { "fail" },
            t(StageName::Detect),
            t(StageName::Decide),
            t(StageName::Recover),
            t(StageName::Verify),
            t(StageName::Communicate),
            or_dash(c.time_to_recover_secs),
            or_dash(c.rto_target_secs),
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
mod tests {
    use super::*;

    #[test]
    fn trends_compare_the_first_and_latest_reached_values() {
        assert_eq!(trend(&[Some(120.0), None, Some(50.0)]), "−1m10s");
        assert_eq!(trend(&[Some(30.0), Some(50.0)]), "+20s");
        assert_eq!(trend(&[Some(30.0), None]), "—");
    }
}
