//! Replay equals live for the whole session state (issue 11, point 3): applying each
//! record as the console does — the record `append` returned, right after it is on disk
//! — yields the same [`SessionState`] as folding the journal read back from disk, as
//! `resume`, `report`, `sessions` and `drill --report` do. Not only steps: runs, notes,
//! phases, choices, cluster actions and their details, severity (the matrix's, the one
//! declared by hand, approvals, acknowledgements), baselines, drill stages, messages and
//! their delivery (and the notify ledger read from them), verification windows, actors
//! and the journal head, the decisions, the timeline, the resumes, the last connection,
//! the first target acted on and the secret placeholders (what `report`, `sessions` and
//! the connection plan read). Every `Entry` kind is generated ([`kind_is_generated`] does not
//! compile until a new kind is added to [`entry`]).

use backout::adapters::journal_file::JournalFile;
use backout::domain::decision::SeverityState;
use backout::domain::journal::{ChangeDetail, Entry};
use backout::domain::notify::{unfinished, unfinished_in};
use backout::domain::progress::Progress;
use backout::domain::runbook::{MatrixRow, StepId};
use backout::domain::session_state::SessionState;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Newlines, quotes, Unicode, and a token shape the journal's redactor replaces.
    prop_oneof![
        "[a-z «»\"\n]{0,12}",
        Just("token=ghp_0123456789abcdefghij0123456789abcdef".to_owned()),
    ]
}

fn step() -> impl Strategy<Value = StepId> {
    (0u32..5).prop_map(StepId)
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![Just("rollback".to_owned()), Just("all-clear".to_owned())]
}

fn sink() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("slack".to_owned()),
        Just("email".to_owned()),
        Just("pagerduty".to_owned())
    ]
}

fn severity() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("SEV-1".to_owned()),
        Just("Critical".to_owned()),
        Just("SEV-3".to_owned())
    ]
}

fn check() -> impl Strategy<Value = String> {
    prop_oneof![Just("health".to_owned()), Just("errors".to_owned())]
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        (text(), text()).prop_map(|(title, host)| Entry::SessionStarted {
            runbook_path: "/srv/runbooks/rollback.md".into(),
            runbook_sha256: "ab".repeat(32),
            title,
            mode: "live".into(),
            host,
        }),
        text().prop_map(|host| Entry::SessionResumed { host }),
        Just(Entry::SessionClosed),
        (0usize..3, text()).prop_map(|(phase, title)| Entry::PhaseEntered { phase, title }),
        (step(), text()).prop_map(|(step, title)| Entry::StepTicked { step, title }),
        (step(), text()).prop_map(|(step, title)| Entry::StepUnticked { step, title }),
        (step(), text(), text()).prop_map(|(step, title, reason)| Entry::StepSkipped {
            step,
            title,
            reason
        }),
        (step(), text(), text()).prop_map(|(step, title, action)| Entry::StepDoneByAction {
            step,
            title,
            action
        }),
        (text(), proptest::option::of(step()))
            .prop_map(|(text, step)| Entry::NoteAdded { text, step }),
        (text(), any::<bool>()).prop_map(|(value, secret)| Entry::PlaceholderBound {
            name: "NS".into(),
            value,
            secret
        }),
        (step(), 1u32..4, text()).prop_map(|(step, run, command)| Entry::CommandStarted {
            step,
            run,
            command
        }),
        (
            step(),
            1u32..4,
            proptest::option::of(0i32..3),
            0u64..5_000,
            any::<bool>()
        )
            .prop_map(|(step, run, exit_code, duration_ms, cancelled)| {
                Entry::CommandFinished {
                    step,
                    run,
                    exit_code,
                    duration_ms,
                    cancelled,
                }
            }),
        (step(), text()).prop_map(|(step, command)| Entry::CommandDeclined { step, command }),
        (text(), proptest::option::of((1i64..5, text()))).prop_map(|(target, change)| {
            Entry::ClusterActionRequested {
                action: "rollout undo".into(),
                target,
                change: change.map(|(from, image)| ChangeDetail {
                    via: Some("rollout pane".into()),
                    from_revision: Some(from),
                    to_revision: Some(from - 1),
                    to_image: Some(image),
                    ..ChangeDetail::default()
                }),
            }
        }),
        Just(Entry::RolloutFollowStarted {
            action: "rollout undo".into(),
        }),
        (text(), any::<bool>()).prop_map(|(outcome, ok)| Entry::ClusterActionFinished {
            action: "rollout undo".into(),
            outcome,
            ok
        }),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text())
        )
            .prop_map(|(from, to, rule)| Entry::SeverityChanged { from, to, rule }),
        // Values with few digits: serde_json (without its `float_roundtrip` feature) may
        // read a 17-digit float back one ulp off, which no journal fold can undo.
        (0u32..1_000_000, proptest::option::of(60u64..3_600)).prop_map(|(v, offset_secs)| {
            Entry::BaselineCaptured {
                values: [("error_rate".to_owned(), f64::from(v) / 1000.0)].into(),
                offset_secs,
            }
        }),
        (
            severity(),
            text(),
            proptest::option::of(Just("Service down".to_owned())),
            proptest::option::of(0u64..3_600)
        )
            .prop_map(
                |(severity, reason, row, rto_secs)| Entry::SeverityDeclared {
                    severity,
                    reason,
                    row,
                    rto_secs,
                    by: "alice@ops".into(),
                }
            ),
        (severity(), text(), any::<bool>()).prop_map(|(severity, approver, deferred)| {
            Entry::ApprovalRecorded {
                severity,
                approver,
                deferred,
                by: "alice@ops".into(),
            }
        }),
        severity().prop_map(|severity| Entry::SeverityAcknowledged { severity }),
        (proptest::option::of(text()), any::<bool>()).prop_map(|(deployment, read_only)| {
            Entry::ConnectionSet {
                kubeconfig: None,
                context: Some("prod".into()),
                namespace: Some("shop".into()),
                deployment,
                prometheus_url: None,
                theme: None,
                read_only,
                source: "flags".into(),
            }
        }),
        (
            prop_oneof![Just("A".to_owned()), Just("B".to_owned())],
            proptest::option::of(Just("A".to_owned()))
        )
            .prop_map(|(member, previous)| Entry::AlternativeChosen {
                group: "alt-1".into(),
                member,
                title: "Option".into(),
                previous,
                by: "alice@ops".into(),
            }),
        (check(), text(), proptest::option::of(0u64..900)).prop_map(
            |(check, description, window_secs)| Entry::VerificationStarted {
                check,
                description,
                window_secs
            }
        ),
        (check(), any::<bool>(), text(), proptest::option::of(text())).prop_map(
            |(check, passed, detail, cut_short)| Entry::VerificationFinished {
                check,
                passed,
                detail,
                cut_short,
                outcome: None,
            }
        ),
        (key(), sink(), text()).prop_map(|(key, sink, text)| Entry::MessageQueued {
            key,
            sink,
            template: "rollback_notification".into(),
            text,
        }),
        (key(), sink(), 1u32..4, text()).prop_map(|(key, sink, attempts, detail)| {
            Entry::MessageDelivered {
                key,
                sink,
                attempts,
                detail,
            }
        }),
        (key(), sink(), 1u32..4, text()).prop_map(|(key, sink, attempts, error)| {
            Entry::MessageFailed {
                key,
                sink,
                attempts,
                error,
            }
        }),
        (key(), text()).prop_map(|(key, text)| Entry::MessageDrafted {
            key,
            template: "rollback_notification".into(),
            text,
            saved_to: "/tmp/draft.md".into(),
        }),
        (key(), text()).prop_map(|(key, where_)| Entry::MessagePostedByHand {
            key,
            where_,
            by: "bob@bastion".into(),
        }),
        text().prop_map(|what| Entry::DrillEvent { what }),
    ]
}

/// Every kind [`entry`] generates: adding an `Entry` variant breaks this match until the
/// generator (and so the property) covers it.
#[allow(dead_code)]
fn kind_is_generated(e: &Entry) {
    match e {
        Entry::SessionStarted { .. }
        | Entry::SessionResumed { .. }
        | Entry::PhaseEntered { .. }
        | Entry::StepTicked { .. }
        | Entry::StepUnticked { .. }
        | Entry::StepSkipped { .. }
        | Entry::NoteAdded { .. }
        | Entry::PlaceholderBound { .. }
        | Entry::CommandStarted { .. }
        | Entry::CommandFinished { .. }
        | Entry::ClusterActionRequested { .. }
        | Entry::ClusterActionFinished { .. }
        | Entry::RolloutFollowStarted { .. }
        | Entry::SessionClosed
        | Entry::SeverityChanged { .. }
        | Entry::BaselineCaptured { .. }
        | Entry::SeverityAcknowledged { .. }
        | Entry::VerificationStarted { .. }
        | Entry::VerificationFinished { .. }
        | Entry::MessageQueued { .. }
        | Entry::MessageDelivered { .. }
        | Entry::MessageFailed { .. }
        | Entry::DrillEvent { .. }
        | Entry::AlternativeChosen { .. }
        | Entry::SeverityDeclared { .. }
        | Entry::ApprovalRecorded { .. }
        | Entry::ConnectionSet { .. }
        | Entry::MessageDrafted { .. }
        | Entry::MessagePostedByHand { .. }
        | Entry::StepDoneByAction { .. }
        | Entry::CommandDeclined { .. } => {}
    }
}

/// A decision table row asking for an approval, for the severity read with the rows.
fn rows() -> Vec<MatrixRow> {
    vec![MatrixRow {
        severity: "Critical".into(),
        condition: Some("Service down".into()),
        approval: Some("VP Engineering (can approve after)".into()),
        ..MatrixRow::default()
    }]
}

fn actor() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("alice@ops"), Just("bob@bastion")]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn replay_from_disk_equals_the_state_applied_record_by_record(
        entries in proptest::collection::vec((actor(), entry()), 0..40)
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal.jsonl");
        let mut live = SessionState::default();
        {
            let (mut journal, _) = JournalFile::open(&path).expect("opens");
            for (actor, entry) in entries {
                let record = journal.append(actor, entry).expect("appends");
                live.apply(&record);
            }
        }
        let (_, recovered) = JournalFile::open(&path).expect("reopens");
        prop_assert!(recovered.warnings.is_empty(), "{:?}", recovered.warnings);
        let replayed = SessionState::replay(&recovered.records);
        prop_assert_eq!(&replayed, &live);
        prop_assert_eq!(replayed.head.records, recovered.records.len());
        // The steps part is exactly what `Progress` folds on its own.
        prop_assert_eq!(&replayed.progress, &Progress::replay(&recovered.records));
        // The declared severity read with the table: from the state as applied live, the
        // same as stepping a `SeverityState` record by record.
        prop_assert_eq!(
            SeverityState::of(rows(), &live.severity),
            SeverityState::replay(rows(), &recovered.records)
        );
        // The parts the report, `sessions` and the connection plan read: one timeline line
        // per record, one resume per `SessionResumed`, one decision per deciding record,
        // the last `ConnectionSet`, every name bound as a secret.
        let records = &recovered.records;
        prop_assert_eq!(
            live.timeline.iter().map(|t| t.seq).collect::<Vec<_>>(),
            records.iter().map(|r| r.seq).collect::<Vec<_>>()
        );
        let count = |kinds: &[&str]| records.iter().filter(|r| kinds.contains(&r.entry.kind())).count();
        prop_assert_eq!(live.resumes.len(), count(&["session_resumed"]));
        prop_assert_eq!(
            live.decisions.len(),
            count(&[
                "severity_declared",
                "severity_acknowledged",
                "approval_recorded",
                "alternative_chosen",
                "step_skipped",
                "command_declined",
            ])
        );
        let last_connection = records.iter().rev().find_map(|r| match &r.entry {
            Entry::ConnectionSet { deployment, read_only, .. } => Some((deployment.clone(), *read_only)),
            _ => None,
        });
        prop_assert_eq!(
            live.connection.as_ref().map(|c| (c.deployment.clone(), c.read_only)),
            last_connection
        );
        let secret_names: std::collections::BTreeSet<String> = records
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::PlaceholderBound { name, secret: true, .. } => Some(name.clone()),
                _ => None,
            })
            .collect();
        prop_assert_eq!(&live.secret_placeholders, &secret_names);
        // The notify ledger: over bare entries, the same as read from the state.
        prop_assert_eq!(
            unfinished(recovered.records.iter().map(|r| &r.entry)),
            unfinished_in(&live)
        );
    }
}
