//! The report's Verification section: every verification window the journal holds, with
//! its check, result, window, detail and (when the operator ended it early) the reason.

use std::fmt::Write as _;

use crate::domain::verify::Verdict;

pub use crate::domain::session_state::verification::VerificationReport;

/// The Markdown section (nothing when no check ran).
pub fn markdown(md: &mut String, checks: &[VerificationReport]) {
    if checks.is_empty() {
        return;
    }
    md.push_str("## Verification\n\n");
    md.push_str(
        "| Check | Result | Window | Started (UTC) | By | Detail |\n\
         |---|---|---|---|---|---|\n",
    );
    for v in checks {
        let result = match (v.result, &v.cut_short) {
            (None, _) => "no result (the session ended first)".to_string(),
            (Some(_), Some(reason)) if crate::domain::verify::interrupted_by_quit(Some(reason)) => {
                "interrupted (the console quit before the window ended)".to_string()
            }
            (Some(verdict), None) => result_md(verdict).to_string(),
            (Some(verdict), Some(reason)) => {
                format!("{} (cut short: {})", result_md(verdict), cell(reason))
            }
        };
        let window = v
            .window_secs
            .map(crate::domain::duration_text::compact)
            .unwrap_or_else(|| "one sample".into());
        let what = if v.description.is_empty() {
            format!("`{}`", cell(&v.check))
        } else {
            format!("`{}`: {}", cell(&v.check), cell(&v.description))
        };
        let _ = writeln!(
            md,
            "| {what} | {result} | {window} | {} | {} | {} |",
            v.started_at.format("%Y-%m-%d %H:%M:%S"),
            cell(&v.actor),
            if v.detail.is_empty() {
                "-".to_string()
            } else {
                cell(&v.detail)
            }
        );
    }
    md.push('\n');
}

/// Only a measured breach is bold: could not verify is no failure.
fn result_md(v: Verdict) -> &'static str {
    match v {
        Verdict::Passed => "passed",
        Verdict::Failed => "**failed**",
        Verdict::CouldNotVerify => "could not verify",
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::journal::{Entry, Record};
    use chrono::{TimeZone, Utc};

    fn rec(seq: u64, entry: Entry) -> Record {
        Record {
            seq,
            ts: Utc
                .with_ymd_and_hms(2026, 11, 22, 3, 0, seq as u32)
                .unwrap(),
            actor: "alice@laptop".into(),
            entry,
            prev: String::new(),
            hash: String::new(),
        }
    }

    fn started(check: &str, window: Option<u64>) -> Entry {
        Entry::VerificationStarted {
            check: check.into(),
            description: format!("{check} holds"),
            window_secs: window,
        }
    }

    fn finished(check: &str, passed: bool, detail: &str, cut: Option<&str>) -> Entry {
        Entry::VerificationFinished {
            check: check.into(),
            passed,
            detail: detail.into(),
            cut_short: cut.map(Into::into),
            outcome: None,
        }
    }

    #[test]
    fn each_window_with_its_result() {
        let records = [
            rec(1, started("health", Some(900))),
            rec(2, started("errors", Some(600))),
            rec(
                3,
                finished(
                    "health",
                    false,
                    "sample 2 at 1m: HTTP 503 (limit: HTTP 200)",
                    None,
                ),
            ),
            rec(4, started("health", Some(900))),
            rec(
                5,
                finished(
                    "errors",
                    true,
                    "cut short at 4m: 5 samples passed",
                    Some("customers | confirm"),
                ),
            ),
            rec(
                6,
                finished("health", true, "16 samples passed; last: HTTP 200", None),
            ),
            rec(7, started("rollout", None)),
            rec(8, started("pods", Some(300))),
            rec(
                9,
                finished(
                    "pods",
                    false,
                    "watched 40s: 2 of 2 samples held, last seen 4/4 ready",
                    Some(crate::domain::verify::CUT_SHORT_BY_QUIT),
                ),
            ),
        ];
        let checks = crate::domain::session_state::SessionState::replay(&records).verification;
        assert_eq!(checks.len(), 5);
        let mut md = String::new();
        markdown(&mut md, &checks);
        assert_eq!(
            md,
            "## Verification\n\n\
             | Check | Result | Window | Started (UTC) | By | Detail |\n\
             |---|---|---|---|---|---|\n\
             | `health`: health holds | **failed** | 15m | 2026-11-22 03:00:01 | alice@laptop | sample 2 at 1m: HTTP 503 (limit: HTTP 200) |\n\
             | `errors`: errors holds | passed (cut short: customers \\| confirm) | 10m | 2026-11-22 03:00:02 | alice@laptop | cut short at 4m: 5 samples passed |\n\
             | `health`: health holds | passed | 15m | 2026-11-22 03:00:04 | alice@laptop | 16 samples passed; last: HTTP 200 |\n\
             | `rollout`: rollout holds | no result (the session ended first) | one sample | 2026-11-22 03:00:07 | alice@laptop | - |\n\
             | `pods`: pods holds | interrupted (the console quit before the window ended) | 5m | 2026-11-22 03:00:08 | alice@laptop | watched 40s: 2 of 2 samples held, last seen 4/4 ready |\n\n"
        );
        let mut none = String::new();
        markdown(&mut none, &[]);
        assert!(none.is_empty());
    }
}
