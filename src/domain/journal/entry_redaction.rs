//! Keeping secrets out of the journal: [`Entry::redacted`], applied to every entry before
//! it is written.

use crate::domain::redact::{REDACTED, Redactor, is_secret_name};

use super::{ChangeDetail, Entry};

impl Entry {
    /// The entry with secrets removed from its free text (commands, notes, reasons,
    /// titles) and the value of a secret placeholder replaced by [`REDACTED`]. A
    /// placeholder whose name looks secret is treated as secret even if not flagged.
    pub fn redacted(self, r: &Redactor) -> Entry {
        let clean = |s: String| match r.redact(&s) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(new) => new,
        };
        match self {
            Entry::SessionStarted {
                runbook_path,
                runbook_sha256,
                title,
                mode,
                host,
            } => Entry::SessionStarted {
                runbook_path: clean(runbook_path),
                runbook_sha256,
                title: clean(title),
                mode,
                host,
            },
            Entry::SessionResumed { host } => Entry::SessionResumed { host },
            Entry::PhaseEntered { phase, title } => Entry::PhaseEntered {
                phase,
                title: clean(title),
            },
            Entry::StepTicked { step, title } => Entry::StepTicked {
                step,
                title: clean(title),
            },
            Entry::StepUnticked { step, title } => Entry::StepUnticked {
                step,
                title: clean(title),
            },
            Entry::StepSkipped {
                step,
                title,
                reason,
            } => Entry::StepSkipped {
                step,
                title: clean(title),
                reason: clean(reason),
            },
            Entry::NoteAdded { text, step } => Entry::NoteAdded {
                text: clean(text),
                step,
            },
            Entry::PlaceholderBound {
                name,
                value,
                secret,
            } => {
                let secret = secret || is_secret_name(&name);
                let value = if secret {
                    REDACTED.to_owned()
                } else {
                    clean(value)
                };
                Entry::PlaceholderBound {
                    name,
                    value,
                    secret,
                }
            }
            Entry::CommandStarted { step, run, command } => Entry::CommandStarted {
                step,
                run,
                command: clean(command),
            },
            Entry::ClusterActionRequested {
                action,
                target,
                change,
            } => Entry::ClusterActionRequested {
                action: clean(action),
                target,
                change: change.map(|c| ChangeDetail {
                    via: c.via.map(clean),
                    ..c
                }),
            },
            Entry::ClusterActionFinished {
                action,
                outcome,
                ok,
            } => Entry::ClusterActionFinished {
                action: clean(action),
                outcome: clean(outcome),
                ok,
            },
            Entry::VerificationStarted {
                check,
                description,
                window_secs,
            } => Entry::VerificationStarted {
                check,
                description: clean(description),
                window_secs,
            },
            Entry::VerificationFinished {
                check,
                passed,
                detail,
                cut_short,
                outcome,
            } => Entry::VerificationFinished {
                check,
                passed,
                detail: clean(detail),
                cut_short: cut_short.map(clean),
                outcome,
            },
            Entry::MessageQueued {
                key,
                sink,
                template,
                text,
            } => Entry::MessageQueued {
                key,
                sink,
                template,
                text: clean(text),
            },
            Entry::MessageDelivered {
                key,
                sink,
                attempts,
                detail,
            } => Entry::MessageDelivered {
                key,
                sink,
                attempts,
                detail: clean(detail),
            },
            Entry::MessageFailed {
                key,
                sink,
                attempts,
                error,
            } => Entry::MessageFailed {
                key,
                sink,
                attempts,
                error: clean(error),
            },
            Entry::DrillEvent { what } => Entry::DrillEvent { what: clean(what) },
            Entry::RolloutFollowStarted { action } => Entry::RolloutFollowStarted {
                action: clean(action),
            },
            Entry::AlternativeChosen {
                group,
                member,
                title,
                previous,
                by,
            } => Entry::AlternativeChosen {
                group,
                member,
                title: clean(title),
                previous,
                by,
            },
            Entry::SeverityDeclared {
                severity,
                reason,
                row,
                rto_secs,
                by,
            } => Entry::SeverityDeclared {
                severity,
                reason: clean(reason),
                row: row.map(clean),
                rto_secs,
                by,
            },
            Entry::ApprovalRecorded {
                severity,
                approver,
                deferred,
                by,
            } => Entry::ApprovalRecorded {
                severity,
                approver: clean(approver),
                deferred,
                by,
            },
            Entry::ConnectionSet {
                kubeconfig,
                context,
                namespace,
                deployment,
                prometheus_url,
                theme,
                read_only,
                source,
            } => Entry::ConnectionSet {
                kubeconfig,
                context,
                namespace,
                deployment,
                prometheus_url: prometheus_url.map(clean),
                theme,
                read_only,
                source,
            },
            Entry::MessageDrafted {
                key,
                template,
                text,
                saved_to,
            } => Entry::MessageDrafted {
                key,
                template,
                text: clean(text),
                saved_to,
            },
            Entry::MessagePostedByHand { key, where_, by } => Entry::MessagePostedByHand {
                key,
                where_: clean(where_),
                by,
            },
            Entry::StepDoneByAction {
                step,
                title,
                action,
            } => Entry::StepDoneByAction {
                step,
                title: clean(title),
                action: clean(action),
            },
            Entry::CommandDeclined { step, command } => Entry::CommandDeclined {
                step,
                command: clean(command),
            },
            e @ (Entry::CommandFinished { .. }
            | Entry::SessionClosed
            | Entry::SeverityChanged { .. }
            | Entry::BaselineCaptured { .. }
            | Entry::SeverityAcknowledged { .. }) => e,
        }
    }
}
