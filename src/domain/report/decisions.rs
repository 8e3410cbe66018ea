//! The report's *Decisions* section (derived by
//! [`crate::domain::session_state::decisions`]): what the people in charge decided and why — severity
//! declared (with the reason and the decision-table row), approvals, the matrix's severity
//! acknowledged, alternatives chosen (and changed), steps skipped and commands declined.

use std::fmt::Write as _;

use super::markdown_text::{cell, heading_or_none, utc};

pub use crate::domain::session_state::decisions::{DecisionKind, DecisionReport};

/// `## Decisions`.
pub(super) fn decisions_md(md: &mut String, decisions: &[DecisionReport]) {
    if heading_or_none(
        md,
        "Decisions",
        decisions.is_empty(),
        "No decision was recorded.",
    ) {
        return;
    }
    md.push_str("| When (UTC) | By | Kind | Decision | Why |\n|---|---|---|---|---|\n");
    for d in decisions {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            utc(d.at),
            cell(&d.by),
            d.kind.label(),
            cell(&d.decision),
            d.reason.as_deref().map_or("-".to_string(), cell)
        );
    }
    md.push('\n');
}
