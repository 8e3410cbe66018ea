//! The report's Resumes section: each time the console was reopened on the session, and
//! how long it had been away.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::markdown_text::{inline, utc};
use crate::domain::duration_text::compact;
use crate::domain::journal::{Entry, Record};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeReport {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub host: String,
    /// Time since the record before it: how long the console was away.
    pub gap_secs: Option<i64>,
}

pub(super) fn resumes(records: &[Record]) -> Vec<ResumeReport> {
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

pub(super) fn resumes_md(md: &mut String, resumes: &[ResumeReport]) {
    if resumes.is_empty() {
        return;
    }
    md.push_str("## Resumes\n\n");
    for s in resumes {
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
