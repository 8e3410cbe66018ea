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

/// Folds one record into the windows, kept in journal order (a finish without a start is
/// listed too).
pub fn apply(out: &mut Vec<VerificationReport>, r: &Record) {
    match &r.entry {
        Entry::VerificationStarted {
            check,
            description,
            window_secs,
        } => out.push(VerificationReport {
            check: check.clone(),
            description: description.clone(),
            window_secs: *window_secs,
            started_at: r.ts,
            actor: r.actor.clone(),
            finished_at: None,
            passed: None,
            result: None,
            detail: String::new(),
            cut_short: None,
        }),
        Entry::VerificationFinished {
            check,
            passed,
            detail,
            cut_short,
            outcome,
        } => {
            let open = out
                .iter_mut()
                .rev()
                .find(|v| v.check == *check && v.finished_at.is_none());
            let v = match open {
                Some(v) => v,
                None => {
                    out.push(VerificationReport {
                        check: check.clone(),
                        description: String::new(),
                        window_secs: None,
                        started_at: r.ts,
                        actor: r.actor.clone(),
                        finished_at: None,
                        passed: None,
                        result: None,
                        detail: String::new(),
                        cut_short: None,
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            v.finished_at = Some(r.ts);
            v.passed = Some(*passed);
            v.result = Some(Verdict::of_record(*passed, *outcome));
            v.detail = detail.clone();
            v.cut_short = cut_short.clone();
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

/// Folds one record into the last record of each check, by check id.
pub fn apply_last(last: &mut BTreeMap<String, LastRecord>, r: &Record) {
    match &r.entry {
        Entry::VerificationStarted { check, .. } => {
            last.insert(check.clone(), LastRecord::Started);
        }
        Entry::VerificationFinished {
            check,
            passed,
            detail,
            cut_short,
            outcome,
        } => {
            last.insert(
                check.clone(),
                LastRecord::Finished {
                    passed: *passed,
                    outcome: *outcome,
                    detail: detail.clone(),
                    cut_short: cut_short.clone(),
                },
            );
        }
        _ => {}
    }
}
