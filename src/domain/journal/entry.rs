//! What a journal record says happened. Every state change of a session is one entry.
//!
//! Entries never carry secrets: values of placeholders that look secret are stored
//! redacted (see [`crate::domain::redact`]), and command output is not journaled.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::runbook::StepId;
use crate::domain::verify::Verdict;

use super::ChangeDetail;

/// Not `Eq`: baseline values are floating point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// First record of every session.
    SessionStarted {
        runbook_path: String,
        /// SHA-256 (hex) of the runbook bytes at session start.
        runbook_sha256: String,
        title: String,
        /// `live` or `drill`.
        mode: String,
        host: String,
    },
    /// The console was reopened on this session (`backout resume`).
    SessionResumed {
        host: String,
    },
    /// The operator moved into a phase for the first time (or back into it).
    PhaseEntered {
        phase: usize,
        title: String,
    },
    StepTicked {
        step: StepId,
        title: String,
    },
    StepUnticked {
        step: StepId,
        title: String,
    },
    StepSkipped {
        step: StepId,
        title: String,
        reason: String,
    },
    NoteAdded {
        text: String,
        step: Option<StepId>,
    },
    /// A placeholder was given a value. `secret` values are stored as
    /// [`REDACTED`](crate::domain::redact::REDACTED) (`‹redacted›`)
    /// and must be asked for again after a resume.
    PlaceholderBound {
        name: String,
        value: String,
        secret: bool,
    },
    /// Written and fsynced before the command is spawned.
    CommandStarted {
        step: StepId,
        run: u32,
        command: String,
    },
    CommandFinished {
        step: StepId,
        run: u32,
        /// `None` when killed by a signal.
        exit_code: Option<i32>,
        duration_ms: u64,
        cancelled: bool,
    },
    /// A change to the cluster is about to be requested: written and fsynced before the
    /// request leaves. `action` is the equivalent kubectl command; `target` is
    /// `context/namespace/deployment`.
    ClusterActionRequested {
        action: String,
        target: String,
        /// Before/after, where from and who confirmed (absent in older journals).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        change: Option<ChangeDetail>,
    },
    /// How the cluster change ended: kubectl's result line (`deployment.apps/web rolled
    /// back`, a refusal, an API error, the rollout's final status).
    ClusterActionFinished {
        action: String,
        outcome: String,
        ok: bool,
    },
    /// The cluster accepted a change that rolls pods and the console is now following the
    /// rollout to its end: the request's result is not the outcome yet. A later
    /// `ClusterActionFinished` for the same action tells how the rollout ended; none (the
    /// process was killed) means the outcome is unknown, never "recovered".
    RolloutFollowStarted {
        action: String,
    },
    /// The operator ended the session (quit with everything done, or `q` twice).
    SessionClosed,
    /// The decision matrix's highest firing severity changed (`None`: nothing fires).
    SeverityChanged {
        from: Option<String>,
        to: Option<String>,
        /// The `when` of the rule that now decides the severity.
        rule: Option<String>,
    },
    /// Metric baselines were captured (session start, or the operator re-captured them).
    BaselineCaptured {
        values: BTreeMap<String, f64>,
        /// Set when the values were read from Prometheus this far in the past (`offset`)
        /// rather than taken from the current values.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset_secs: Option<u64>,
    },
    /// The operator acknowledged the severity the matrix decided (a drill's "detected").
    SeverityAcknowledged {
        severity: String,
    },
    /// A verification check began. `check` is its stable id (`v1`, `health`, …); a monitor
    /// window is open for `window_secs` when set.
    VerificationStarted {
        check: String,
        description: String,
        window_secs: Option<u64>,
    },
    /// How a verification check ended: `detail` is the value seen or why it failed;
    /// `cut_short` is the operator's reason when a monitor window was ended early.
    /// `outcome` tells a measured breach (`failed`) from a check that could not measure
    /// (`could_not_verify`); absent in older journals, where `passed` alone decides.
    VerificationFinished {
        check: String,
        passed: bool,
        detail: String,
        cut_short: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Verdict>,
    },
    /// A message is about to be sent: written and fsynced before the first attempt. `key`
    /// is its idempotency key (the sink's dedup key where it has one), so a crash never sends
    /// it twice where the sink allows dedup. `template` names the message kind
    /// (`rollback_notification`, `status_update`, `all_clear`, …).
    MessageQueued {
        key: String,
        sink: String,
        template: String,
        text: String,
    },
    /// The sink accepted the message after `attempts` tries; `detail` is its answer (HTTP
    /// status, or the outbox file for drills).
    MessageDelivered {
        key: String,
        sink: String,
        attempts: u32,
        detail: String,
    },
    /// The message could not be delivered after `attempts` tries; it stays queued for a
    /// manual retry.
    MessageFailed {
        key: String,
        sink: String,
        attempts: u32,
        error: String,
    },
    /// Something the drill's scenario did (`bad release 1.6.0 rolling out`), so the
    /// scorecard can time the team against it.
    DrillEvent {
        what: String,
    },
    /// The operator chose one member of an alternative group (`alt-1`, member `B`), or
    /// changed an earlier choice (`previous`). The other members are "not taken".
    AlternativeChosen {
        group: String,
        member: String,
        title: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
        by: String,
    },
    /// The operator declared (or changed) the incident's severity by hand, from a row of
    /// the runbook's decision table (`row`: its condition text) or a bare severity.
    /// `rto_secs` starts the RTO clock when the table or front matter gives a target.
    SeverityDeclared {
        severity: String,
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        row: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rto_secs: Option<u64>,
        by: String,
    },
    /// An approval the decision table asks for at `severity` was given by `approver`
    /// (`deferred`: recorded as "approve after", where the table allows it).
    ApprovalRecorded {
        severity: String,
        approver: String,
        deferred: bool,
        by: String,
    },
    /// Where the console is connected: written at start, on resume and whenever it
    /// changes. `source` says why: `flags`, `front matter`, `inferred`, `resume`,
    /// `resume override`, `switched by operator`.
    ConnectionSet {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kubeconfig: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        context: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        namespace: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deployment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prometheus_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        theme: Option<String>,
        read_only: bool,
        source: String,
    },
    /// A message was drafted without a sink to send it: copied to the clipboard and saved
    /// at `saved_to` (under the session directory) for the operator to post by hand.
    MessageDrafted {
        key: String,
        template: String,
        text: String,
        saved_to: String,
    },
    /// The operator confirmed a drafted message was posted by hand (`where_`: the channel
    /// they name, free text).
    MessagePostedByHand {
        key: String,
        #[serde(rename = "where")]
        where_: String,
        by: String,
    },
    /// A runbook step was completed by a cluster action made elsewhere (the Rollout pane,
    /// the actions menu, the runbook view) that did what the step describes.
    StepDoneByAction {
        step: StepId,
        title: String,
        action: String,
    },
    /// The operator declined to run a command (or a line of one) when asked to confirm:
    /// "not run (declined)", never a failure.
    CommandDeclined {
        step: StepId,
        command: String,
    },
}

impl Entry {
    /// Short kind name, as in the JSON `type` field.
    pub fn kind(&self) -> &'static str {
        match self {
            Entry::SessionStarted { .. } => "session_started",
            Entry::SessionResumed { .. } => "session_resumed",
            Entry::PhaseEntered { .. } => "phase_entered",
            Entry::StepTicked { .. } => "step_ticked",
            Entry::StepUnticked { .. } => "step_unticked",
            Entry::StepSkipped { .. } => "step_skipped",
            Entry::NoteAdded { .. } => "note_added",
            Entry::PlaceholderBound { .. } => "placeholder_bound",
            Entry::CommandStarted { .. } => "command_started",
            Entry::CommandFinished { .. } => "command_finished",
            Entry::ClusterActionRequested { .. } => "cluster_action_requested",
            Entry::ClusterActionFinished { .. } => "cluster_action_finished",
            Entry::SessionClosed => "session_closed",
            Entry::SeverityChanged { .. } => "severity_changed",
            Entry::BaselineCaptured { .. } => "baseline_captured",
            Entry::SeverityAcknowledged { .. } => "severity_acknowledged",
            Entry::VerificationStarted { .. } => "verification_started",
            Entry::VerificationFinished { .. } => "verification_finished",
            Entry::MessageQueued { .. } => "message_queued",
            Entry::MessageDelivered { .. } => "message_delivered",
            Entry::MessageFailed { .. } => "message_failed",
            Entry::DrillEvent { .. } => "drill_event",
            Entry::RolloutFollowStarted { .. } => "rollout_follow_started",
            Entry::AlternativeChosen { .. } => "alternative_chosen",
            Entry::SeverityDeclared { .. } => "severity_declared",
            Entry::ApprovalRecorded { .. } => "approval_recorded",
            Entry::ConnectionSet { .. } => "connection_set",
            Entry::MessageDrafted { .. } => "message_drafted",
            Entry::MessagePostedByHand { .. } => "message_posted_by_hand",
            Entry::StepDoneByAction { .. } => "step_done_by_action",
            Entry::CommandDeclined { .. } => "command_declined",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::redact::{REDACTED, Redactor};

    #[test]
    fn redacted_entries_carry_no_secrets() {
        let r = Redactor::new(["hunter2-long"]);
        let cases = [
            (
                Entry::CommandStarted {
                    step: StepId(1),
                    run: 1,
                    command: "deploy --password hunter2-long".into(),
                },
                Entry::CommandStarted {
                    step: StepId(1),
                    run: 1,
                    command: "deploy --password ‹redacted›".into(),
                },
            ),
            (
                Entry::NoteAdded {
                    text: "used hunter2-long".into(),
                    step: None,
                },
                Entry::NoteAdded {
                    text: "used ‹redacted›".into(),
                    step: None,
                },
            ),
            (
                Entry::PlaceholderBound {
                    name: "API_KEY".into(),
                    value: "abc".into(),
                    secret: false,
                },
                Entry::PlaceholderBound {
                    name: "API_KEY".into(),
                    value: REDACTED.into(),
                    secret: true,
                },
            ),
            (
                Entry::PlaceholderBound {
                    name: "region".into(),
                    value: "eu-west-1".into(),
                    secret: false,
                },
                Entry::PlaceholderBound {
                    name: "region".into(),
                    value: "eu-west-1".into(),
                    secret: false,
                },
            ),
            (Entry::SessionClosed, Entry::SessionClosed),
        ];
        for (entry, expected) in cases {
            assert_eq!(entry.redacted(&r), expected);
        }
    }

    #[test]
    fn a_cluster_action_written_before_change_details_existed_still_loads() {
        let old = r#"{"type":"cluster_action_requested","action":"kubectl rollout undo deployment/web","target":"sim/shop/web"}"#;
        let e: Entry = serde_json::from_str(old).expect("old journal line loads");
        assert_eq!(
            e,
            Entry::ClusterActionRequested {
                action: "kubectl rollout undo deployment/web".into(),
                target: "sim/shop/web".into(),
                change: None,
            }
        );
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            old,
            "no empty detail written"
        );
    }

    #[test]
    fn a_verification_finished_before_outcomes_existed_still_loads() {
        let old = r#"{"type":"verification_finished","check":"errors","passed":false,"detail":"x","cut_short":null}"#;
        let e: Entry = serde_json::from_str(old).expect("old journal line loads");
        let Entry::VerificationFinished {
            passed, outcome, ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(Verdict::of_record(*passed, *outcome), Verdict::Failed);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            old,
            "no outcome written"
        );
    }

    #[test]
    fn every_new_entry_round_trips_with_its_kind_as_type() {
        let entries = [
            Entry::AlternativeChosen {
                group: "alt-1".into(),
                member: "B".into(),
                title: "Specific version".into(),
                previous: Some("A".into()),
                by: "alice".into(),
            },
            Entry::SeverityDeclared {
                severity: "SEV-1".into(),
                reason: "checkout down".into(),
                row: Some("error rate > 5%".into()),
                rto_secs: Some(900),
                by: "alice".into(),
            },
            Entry::ApprovalRecorded {
                severity: "SEV-1".into(),
                approver: "bob (VP eng)".into(),
                deferred: true,
                by: "alice".into(),
            },
            Entry::ConnectionSet {
                kubeconfig: Some("/tmp/kc".into()),
                context: Some("prod".into()),
                namespace: Some("shop".into()),
                deployment: Some("web".into()),
                prometheus_url: None,
                theme: None,
                read_only: true,
                source: "inferred".into(),
            },
            Entry::MessageDrafted {
                key: "m1".into(),
                template: "rollback_notification".into(),
                text: "Rolling back web".into(),
                saved_to: "messages/m1.txt".into(),
            },
            Entry::MessagePostedByHand {
                key: "m1".into(),
                where_: "#incidents".into(),
                by: "alice".into(),
            },
            Entry::StepDoneByAction {
                step: StepId(4),
                title: "Roll back".into(),
                action: "kubectl rollout undo deployment/web".into(),
            },
            Entry::CommandDeclined {
                step: StepId(2),
                command: "kubectl delete deployment/web".into(),
            },
            Entry::ClusterActionRequested {
                action: "kubectl rollout undo deployment/web".into(),
                target: "sim/shop/web".into(),
                change: Some(ChangeDetail {
                    via: Some("rollout pane".into()),
                    from_revision: Some(3),
                    to_revision: Some(2),
                    from_image: Some("web:1.6.0".into()),
                    to_image: Some("web:1.5.2".into()),
                    confirmed_by: Some("alice".into()),
                    previewed: Some("server dry-run + diff".into()),
                }),
            },
        ];
        for e in entries {
            let json = serde_json::to_value(&e).unwrap();
            assert_eq!(json["type"], e.kind(), "{json}");
            let back: Entry = serde_json::from_value(json).unwrap();
            assert_eq!(back, e);
        }
    }
}
