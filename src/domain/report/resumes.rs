//! The report's Resumes section: each time the console was reopened on the session, and
//! how long it had been away (folded by [`crate::domain::session_state::resumes`]).

use std::fmt::Write as _;

use super::markdown_text::{inline, utc};
use crate::domain::duration_text::compact;

pub use crate::domain::session_state::resumes::ResumeReport;

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
