//! The report's *Impact* section (its signs folded by
//! [`crate::domain::session_state::impact`]): the window from the first sign of impact (the first
//! severity above none, declared by the operator or decided by the matrix when a metric
//! breached its rule) to recovery, its duration, the peak severity and the peak values the
//! journal measured, and the customer-facing time.
//!
//! Recovery is the first of: the matrix back to no severity, or the first verification
//! check that passed after the impact began. Customer-facing time runs from the start of
//! the impact to the first rollback that completed (or to recovery, without one): that is
//! how long customers were on the bad release.
//!
//! The matrix's readings are not journaled, only its severity changes; peak values are
//! the ones verification samples journaled (`error_rate = 0.31`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::changes::ChangeReport;
use super::markdown_text::{cell, utc};
use crate::domain::duration_text::compact;
use crate::domain::session_state::impact::ImpactSigns;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImpactReport {
    pub started_at: DateTime<Utc>,
    /// What began it: `SEV-1 declared by alice: checkout down`, `SEV-2 (error_rate > 0.05)`.
    pub trigger: String,
    /// When a completed rollback ended the bad release's exposure, if one did.
    pub mitigated_at: Option<DateTime<Utc>>,
    pub recovered_at: Option<DateTime<Utc>>,
    /// What showed recovery (`severity back to none`, `verification errors passed`).
    pub recovered_by: Option<String>,
    /// Start to recovery, or to the session's end when not recovered.
    pub duration_secs: i64,
    /// Start to the first completed rollback (or recovery).
    pub customer_facing_secs: i64,
    /// The highest severity reached (`SEV-1` is higher than `SEV-2`).
    pub peak_severity: Option<String>,
    /// The highest value each metric was seen at in the window, from verification samples.
    pub peak_values: BTreeMap<String, f64>,
}

/// The impact window, from its signs in the journal and the changes made; `None` when
/// nothing in the journal says there was impact.
pub fn impact(
    signs: &ImpactSigns,
    changes: &[ChangeReport],
    session_end: Option<DateTime<Utc>>,
) -> Option<ImpactReport> {
    let began = signs.began.as_ref()?;
    let started_at = began.at;
    let mitigated_at = changes
        .iter()
        .filter(|c| c.at >= started_at && c.is_rollback() && c.ok == Some(true))
        .find(|c| c.rollout_followed != Some(false))
        .map(|c| c.at);
    let recovered_at = signs.recovered.as_ref().map(|s| s.at);
    let end = recovered_at
        .or(session_end)
        .unwrap_or(started_at)
        .max(started_at);
    let exposed_until = mitigated_at.unwrap_or(end).max(started_at);
    Some(ImpactReport {
        started_at,
        trigger: began.what.clone(),
        mitigated_at,
        recovered_at,
        recovered_by: signs.recovered.as_ref().map(|s| s.what.clone()),
        duration_secs: (end - started_at).num_seconds(),
        customer_facing_secs: (exposed_until - started_at).num_seconds(),
        peak_severity: signs.peak_severity.clone(),
        peak_values: signs.peak_values.clone(),
    })
}

/// `## Impact`.
pub(super) fn impact_md(md: &mut String, impact: Option<&ImpactReport>) {
    md.push_str("## Impact\n\n");
    let Some(i) = impact else {
        md.push_str(
            "No impact was recorded: no severity was declared and the decision matrix never fired.\n\n",
        );
        return;
    };
    let _ = writeln!(md, "- Began: {} — {}", utc(i.started_at), cell(&i.trigger));
    match (&i.recovered_at, &i.recovered_by) {
        (Some(at), Some(by)) => {
            let _ = writeln!(md, "- Recovered: {} — {}", utc(*at), cell(by));
        }
        _ => md.push_str("- Recovered: **not recorded** (the window runs to the session's end)\n"),
    }
    let _ = writeln!(md, "- Duration: {}", compact(i.duration_secs.max(0) as u64));
    let until = i
        .mitigated_at
        .map(|t| format!(" (until the rollback at {})", utc(t)))
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "- Customer-facing: {}{until}",
        compact(i.customer_facing_secs.max(0) as u64)
    );
    if let Some(p) = &i.peak_severity {
        let _ = writeln!(md, "- Peak severity: {}", cell(p));
    }
    if !i.peak_values.is_empty() {
        let list: Vec<String> = i
            .peak_values
            .iter()
            .map(|(k, v)| format!("{k} = {}", super::timeline::significant(*v)))
            .collect();
        let _ = writeln!(
            md,
            "- Peak values (from verification samples): {}",
            cell(&list.join(", "))
        );
    }
    md.push('\n');
}
