//! The report's *Changes made* section (derived by
//! [`crate::domain::session_state::changes`]): every change to the cluster, from whichever
//! path made it (the Rollout pane, the actions menu, a runbook step's native kubectl line,
//! `backout undo`, or a mutating command run in the shell), with where from, the revision
//! and image before and after, who confirmed, what was previewed, the outcome and whether
//! the rollout was followed to the end.

use std::fmt::Write as _;

use super::markdown_text::{cell, code, heading_or_none, utc};

pub use crate::domain::session_state::changes::{ChangePath, ChangeReport};

/// `## Changes made`.
pub(super) fn changes_md(md: &mut String, changes: &[ChangeReport]) {
    if heading_or_none(
        md,
        "Changes made",
        changes.is_empty(),
        "No change was made to the cluster.",
    ) {
        return;
    }
    md.push_str(
        "| When (UTC) | Change | Target | From → to | Via | Confirmed by | Previewed | Outcome | Rollout |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let what = match &c.summary {
            Some(s) => format!("{}: {}", cell(s), code(&c.action)),
            None => code(&c.action),
        };
        let outcome = match (&c.outcome, c.ok) {
            (Some(o), Some(false)) => format!("**failed**: {}", cell(o)),
            (Some(o), _) => cell(o),
            (None, _) => "no outcome journaled".to_string(),
        };
        let rollout = match c.rollout_followed {
            Some(true) => "followed to the end",
            Some(false) => "**not followed to the end**",
            None => "-",
        };
        let dash = |v: &Option<String>| v.as_deref().map_or("-".to_string(), cell);
        let _ = writeln!(
            md,
            "| {} | {what} | {} | {} | {} | {} | {} | {outcome} | {rollout} |",
            utc(c.at),
            dash(&c.target),
            dash(&c.from_to()),
            dash(&c.via),
            dash(&c.confirmed_by),
            c.previewed.as_deref().map_or("nothing".to_string(), cell),
        );
    }
    md.push('\n');
}
