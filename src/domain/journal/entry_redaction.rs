//! Keeping secrets out of the journal: [`Entry::redacted`], applied to every entry before
//! it is written.

use crate::domain::redact::{REDACTED, Redactor, is_secret_name};

use super::Entry;

impl Entry {
    /// The entry with secrets removed from its free text (commands, notes, reasons,
    /// titles) and the value of a secret placeholder replaced by [`REDACTED`]. A
    /// placeholder whose name looks secret is treated as secret even if not flagged.
    pub fn redacted(mut self, r: &Redactor) -> Entry {
        let clean = |s: &mut String| {
            if let std::borrow::Cow::Owned(new) = r.redact(s) {
                *s = new;
            }
        };
        let clean_opt = |s: &mut Option<String>| {
            if let Some(s) = s {
                clean(s);
            }
        };
        match &mut self {
            Entry::SessionStarted {
                runbook_path,
                title,
                ..
            } => {
                clean(runbook_path);
                clean(title);
            }
            Entry::PhaseEntered { title, .. }
            | Entry::StepTicked { title, .. }
            | Entry::StepUnticked { title, .. } => clean(title),
            Entry::StepSkipped { title, reason, .. } => {
                clean(title);
                clean(reason);
            }
            Entry::NoteAdded { text, .. }
            | Entry::MessageQueued { text, .. }
            | Entry::MessageDrafted { text, .. } => clean(text),
            Entry::PlaceholderBound {
                name,
                value,
                secret,
            } => {
                if *secret || is_secret_name(name) {
                    *secret = true;
                    *value = REDACTED.to_owned();
                } else {
                    clean(value);
                }
            }
            Entry::CommandStarted { command, .. } | Entry::CommandDeclined { command, .. } => {
                clean(command)
            }
            Entry::ClusterActionRequested { action, change, .. } => {
                clean(action);
                if let Some(c) = change {
                    clean_opt(&mut c.via);
                }
            }
            Entry::ClusterActionFinished {
                action, outcome, ..
            } => {
                clean(action);
                clean(outcome);
            }
            Entry::VerificationStarted { description, .. } => clean(description),
            Entry::VerificationFinished {
                detail, cut_short, ..
            } => {
                clean(detail);
                clean_opt(cut_short);
            }
            Entry::MessageDelivered { detail, .. } => clean(detail),
            Entry::MessageFailed { error, .. } => clean(error),
            Entry::DrillEvent { what } => clean(what),
            Entry::RolloutFollowStarted { action } => clean(action),
            Entry::AlternativeChosen { title, .. } => clean(title),
            Entry::SeverityDeclared { reason, row, .. } => {
                clean(reason);
                clean_opt(row);
            }
            Entry::ApprovalRecorded { approver, .. } => clean(approver),
            Entry::ConnectionSet { prometheus_url, .. } => clean_opt(prometheus_url),
            Entry::MessagePostedByHand { where_, .. } => clean(where_),
            Entry::StepDoneByAction { title, action, .. } => {
                clean(title);
                clean(action);
            }
            Entry::SessionResumed { .. }
            | Entry::CommandFinished { .. }
            | Entry::SessionClosed
            | Entry::SeverityChanged { .. }
            | Entry::BaselineCaptured { .. }
            | Entry::SeverityAcknowledged { .. } => {}
        }
        self
    }
}
