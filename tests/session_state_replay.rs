//! Replay equals live for the whole session state (issue 11, point 3): applying each
//! record as the console does — the record `append` returned, right after it is on disk
//! — yields the same [`SessionState`] as folding the journal read back from disk, as
//! `resume`, `report`, `sessions` and `drill --report` do. Not only steps: runs, notes,
//! phases, choices, cluster actions, severity, baselines, messages and their delivery,
//! verification windows, actors and the journal head.

use backout::adapters::journal_file::JournalFile;
use backout::domain::journal::Entry;
use backout::domain::progress::Progress;
use backout::domain::runbook::StepId;
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
    prop_oneof![Just("slack".to_owned()), Just("email".to_owned())]
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
        text().prop_map(|target| Entry::ClusterActionRequested {
            action: "rollout undo".into(),
            target,
            change: None,
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
        (0.0f64..100.0).prop_map(|v| Entry::BaselineCaptured {
            values: [("error_rate".to_owned(), v)].into(),
            offset_secs: None,
        }),
        (text(), text()).prop_map(|(severity, reason)| Entry::SeverityDeclared {
            severity,
            reason,
            row: None,
            rto_secs: Some(120),
            by: "alice@ops".into(),
        }),
        (text(), any::<bool>()).prop_map(|(approver, deferred)| Entry::ApprovalRecorded {
            severity: "SEV-1".into(),
            approver,
            deferred,
            by: "alice@ops".into(),
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
    }
}
