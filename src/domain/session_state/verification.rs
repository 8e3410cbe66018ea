//! Verification windows: each from its `VerificationStarted` to its
//! `VerificationFinished` (if any), with its result, detail and cut-short reason.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};
use crate::domain::verify::Verdict;

/// One verification window, from its `VerificationStarted` to its
/// `VerificationFinished` (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    pub check: String,
    pub description: String,
    pub window_secs: Option<u64>,
    pub started_at: DateTime<Utc>,
    pub actor: String,
    pub finished_at: Option<DateTime<Utc>>,
    /// `None`: the session ended before the window did.
    pub passed: Option<bool>,
    /// Passed, failed (a measured breach) or could not verify (no data); `None` with
    /// `passed`.
    pub result: Option<Verdict>,
    pub detail: String,
    pub cut_short: Option<String>,
}

impl VerificationReport {
    /// A window of `check` opened by `r`, with nothing known of it yet.
    fn opened(check: &str, r: &Record) -> VerificationReport {
        VerificationReport {
            check: check.to_owned(),
            description: String::new(),
            window_secs: None,
            started_at: r.ts,
            actor: r.actor.clone(),
            finished_at: None,
            passed: None,
            result: None,
            detail: String::new(),
            cut_short: None,
        }
    }
}

/// Folds one record into the windows, kept in journal order (a finish without a start is
/// listed too).
pub fn apply(out: &mut Vec<VerificationReport>, r: &Record) {
    match (&r.entry, LastRecord::of(&r.entry)) {
        (
            Entry::VerificationStarted {
                description,
                window_secs,
                ..
            },
            Some((check, _)),
        ) => out.push(VerificationReport {
            description: description.clone(),
            window_secs: *window_secs,
            ..VerificationReport::opened(check, r)
        }),
        (
            _,
            Some((
                check,
                LastRecord::Finished {
                    passed,
                    outcome,
                    detail,
                    cut_short,
                },
            )),
        ) => {
            let open = out
                .iter()
                .rposition(|v| v.check == check && v.finished_at.is_none());
            let at = open.unwrap_or_else(|| {
                out.push(VerificationReport::opened(check, r));
                out.len() - 1
            });
            let v = &mut out[at];
            v.finished_at = Some(r.ts);
            v.passed = Some(passed);
            v.result = Some(Verdict::of_record(passed, outcome));
            v.detail = detail;
            v.cut_short = cut_short;
        }
        _ => {}
    }
}

/// The last verification record of one check: what a resumed console shows for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "last", rename_all = "snake_case")]
pub enum LastRecord {
    /// A window started and not seen to end.
    Started,
    Finished {
        passed: bool,
        outcome: Option<Verdict>,
        detail: String,
        cut_short: Option<String>,
    },
}

impl LastRecord {
    /// The check a verification record is about, and what it says of it; `None` for any
    /// other entry.
    pub fn of(e: &Entry) -> Option<(&str, LastRecord)> {
        match e {
            Entry::VerificationStarted { check, .. } => Some((check, LastRecord::Started)),
            Entry::VerificationFinished {
                check,
                passed,
                detail,
                cut_short,
                outcome,
            } => Some((
                check,
                LastRecord::Finished {
                    passed: *passed,
                    outcome: *outcome,
                    detail: detail.clone(),
                    cut_short: cut_short.clone(),
                },
            )),
            _ => None,
        }
    }
}

/// The verdict a `VerificationFinished` entry records; `None` for any other entry.
pub fn verdict(e: &Entry) -> Option<Verdict> {
    match LastRecord::of(e)? {
        (
            _,
            LastRecord::Finished {
                passed, outcome, ..
            },
        ) => Some(Verdict::of_record(passed, outcome)),
        (_, LastRecord::Started) => None,
    }
}

/// Folds one record into the last record of each check, by check id.
pub fn apply_last(last: &mut BTreeMap<String, LastRecord>, r: &Record) {
    if let Some((check, record)) = LastRecord::of(&r.entry) {
        last.insert(check.to_owned(), record);
    }
}
