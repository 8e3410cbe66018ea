//! The decision matrix: stepped on each metrics refresh and each tick; a change of the
//! highest severity is journaled (`SeverityChanged`). And the severity declared by hand:
//! `S` picks a decision table row or a severity and asks why (`SeverityDeclared`, with
//! the RTO target from the row's timeline or the front matter's `rto`); a row that asks
//! for an approval then asks who approved (`ApprovalRecorded`), and `A` asks again while
//! it is owed.

use ratatui_textarea::TextArea;

use crate::domain::decision::{Approval, Severity, SeverityChoice, approval_needed, timeline_secs};
use crate::domain::duration_text::compact;
use crate::domain::journal::Entry;
use crate::ui::effect::Effect;
use crate::ui::state::{App, FlashLevel, Layer, Prompt, PromptPurpose, Then};

/// Steps the matrix at `now` and journals a change of the highest severity.
pub(super) fn evaluate_matrix(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let Some(live) = app.metrics.as_mut() else {
        return Vec::new();
    };
    let verdict = live.step(now);
    let Some(change) = &verdict.severity_changed else {
        return Vec::new();
    };
    let entry = Entry::SeverityChanged {
        from: change.from.as_ref().map(|s| s.label().to_string()),
        to: change.to.as_ref().map(|s| s.label().to_string()),
        rule: verdict.deciding_rule().map(|r| r.when.clone()),
    };
    vec![app.journal(entry, None, Then::Nothing)]
}

/// `S`: the declaration popup, on the row (or severity) declared now.
pub(super) fn request_declare(app: &mut App) -> Vec<Effect> {
    let choices = app.severity.choices();
    let cursor = app
        .severity
        .current
        .as_ref()
        .and_then(|d| {
            choices.iter().position(|c| {
                app.severity
                    .chosen(c)
                    .is_some_and(|(sev, row)| sev == d.severity && row == d.row)
            })
        })
        .unwrap_or(0);
    app.layers.push(Layer::DeclareSeverity { cursor });
    Vec::new()
}

/// Enter on a choice: ask why (the reason goes in the journal and the report).
pub(super) fn severity_picked(app: &mut App) -> Vec<Effect> {
    let Some(Layer::DeclareSeverity { cursor }) = app.layers.pop() else {
        return Vec::new();
    };
    let Some(choice) = app.severity.choices().into_iter().nth(cursor) else {
        return Vec::new();
    };
    let Some((severity, row)) = app.severity.chosen(&choice) else {
        return Vec::new();
    };
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. checkout 5xx at 12% since the 10:02 deploy");
    let title = match &row {
        Some(row) => format!("Declare {severity}: {row}"),
        None => format!("Declare {severity}"),
    };
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title,
        hint: "Why this severity? The reason goes in the journal and the report.".into(),
        purpose: PromptPurpose::SeverityReason { choice },
        input,
        error: None,
    })));
    Vec::new()
}

/// The RTO target for a choice: the row's timeline, else the front matter's `rto` for
/// that severity.
fn rto_secs(app: &App, choice: &SeverityChoice, severity: &str) -> Option<u64> {
    let from_row = app
        .severity
        .row_of(choice)
        .and_then(|r| r.timeline.as_deref())
        .and_then(timeline_secs);
    from_row.or_else(|| {
        let wanted = Severity::find_in(severity)?;
        app.runbook
            .front
            .as_ref()?
            .rto
            .iter()
            .find(|(k, _)| Severity::find_in(k).as_ref() == Some(&wanted))
            .map(|(_, d)| d.0.as_secs())
    })
}

/// Journals `SeverityDeclared`; when the row asks for an approval, asks who approved.
pub(super) fn declare(app: &mut App, choice: &SeverityChoice, reason: String) -> Vec<Effect> {
    let Some((severity, row)) = app.severity.chosen(choice) else {
        return Vec::new();
    };
    let rto = rto_secs(app, choice, &severity);
    let approval = app
        .severity
        .row_of(choice)
        .and_then(|r| r.approval.as_deref())
        .and_then(approval_needed);
    let entry = Entry::SeverityDeclared {
        severity: severity.clone(),
        reason,
        row,
        rto_secs: rto,
        by: app.session.actor.clone(),
    };
    let fx = vec![app.journal(entry, None, Then::Nothing)];
    let rto_text = rto
        .map(|s| format!("; RTO {} from now", compact(s)))
        .unwrap_or_default();
    match approval {
        Some(a) => {
            app.flash(
                FlashLevel::Warning,
                &format!(
                    "{severity} declared{rto_text}. Approval needed: {}.",
                    a.required
                ),
            );
            push_approver_prompt(app, severity, &a);
        }
        None => app.flash(FlashLevel::Info, &format!("{severity} declared{rto_text}.")),
    }
    fx
}

fn push_approver_prompt(app: &mut App, severity: String, a: &Approval) {
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. Dana Reyes (VP Engineering)");
    let hint = if a.can_defer {
        format!(
            "The table asks for approval by {}. Who approved? Or type `after` (optionally \
             `after NAME`) to approve after, as the table allows; Esc leaves it open.",
            a.required
        )
    } else {
        format!(
            "The table asks for approval by {}. Who approved? Esc leaves it open (A asks again).",
            a.required
        )
    };
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Approval for {severity}"),
        hint,
        purpose: PromptPurpose::Approver {
            severity,
            can_defer: a.can_defer,
        },
        input,
        error: None,
    })));
}

/// `A` while an approval is owed: asks who approved. `None` when none is owed.
pub(super) fn request_approval(app: &mut App) -> Option<Vec<Effect>> {
    let severity = app.severity.current.as_ref()?.severity.clone();
    let approval = app.severity.open_approval()?.clone();
    push_approver_prompt(app, severity, &approval);
    Some(Vec::new())
}

/// Journals `ApprovalRecorded`: `after` / `after NAME` is "approve after" where allowed.
pub(super) fn record_approval(
    app: &mut App,
    severity: String,
    can_defer: bool,
    value: &str,
) -> Vec<Effect> {
    let lower = value.to_lowercase();
    let deferred = can_defer && (lower == "after" || lower.starts_with("after "));
    let approver = if deferred {
        let name = value[5.min(value.len())..].trim();
        if name.is_empty() {
            app.severity
                .open_approval()
                .map(|a| a.required.clone())
                .unwrap_or_default()
        } else {
            name.to_string()
        }
    } else {
        value.to_string()
    };
    app.flash(
        FlashLevel::Info,
        &if deferred {
            format!("{severity}: approval by {approver} recorded as approve-after (still owed).")
        } else {
            format!("{severity}: approved by {approver}.")
        },
    );
    vec![app.journal(
        Entry::ApprovalRecorded {
            severity,
            approver,
            deferred,
            by: app.session.actor.clone(),
        },
        None,
        Then::Nothing,
    )]
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
