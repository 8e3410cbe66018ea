//! The report's Timeline: one line per journal record, saying what it did (the lines
//! are derived once, by [`crate::domain::session_state::timeline`]).

use std::fmt::Write as _;

use super::markdown_text::{longest_run, utc};

pub(super) use crate::domain::session_state::timeline::significant;
pub use crate::domain::session_state::timeline::{TimelineEntry, describe};

pub(super) fn timeline_md(md: &mut String, timeline: &[TimelineEntry]) {
    md.push_str("## Timeline (UTC)\n\n");
    let width = timeline
        .iter()
        .map(|t| t.actor.chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<String> = timeline
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
