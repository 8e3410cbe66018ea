//! Replay equals live for the whole session state (issue 11, point 3): applying each
//! record as the console does — the record `append` returned, right after it is on disk
//! — yields the same [`SessionState`] as folding the journal read back from disk, as
//! `resume`, `report`, `sessions` and `drill --report` do. Not only steps: runs, notes,
//! phases, choices, cluster actions and their details, severity (the matrix's, the one
//! declared by hand, approvals, acknowledgements), baselines, drill stages, messages and
//! their delivery (and the notify ledger read from them), verification windows, actors
//! and the journal head, the decisions, the timeline, the resumes, the last connection,
//! the first target acted on and the secret placeholders (what `report`, `sessions` and
//! the connection plan read), the changes made, the signs of impact, the console's stops
//! and the follow-ups (the report's *Changes made*, *Impact*, *Commands* and
//! *Follow-ups*), a drill's stage clock (its scorecard) and what each sink's deliveries
//! said (what a resumed console's sinks take back). Each part is compared on its
//! own ([`same_parts`] names every field), and the readers — the report and the
//! scorecard — give the same from either. Every `Entry` kind is generated ([`kind_is_generated`] does not
//! compile until a new kind is added to [`entry`]).

use backout::adapters::journal_file::JournalFile;
use backout::domain::decision::SeverityState;
use backout::domain::journal::{ChangeDetail, Entry};
use backout::domain::notify::{unfinished, unfinished_in};
use backout::domain::progress::Progress;
use backout::domain::report;
use backout::domain::runbook::{MatrixRow, StepId};
use backout::domain::scorecard::score_from;
use backout::domain::session_state::{SessionState, VerificationReport};
use backout::domain::verify::interrupted_by_quit;
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

/// A command: any text, or one that changes the cluster (a row of the report's *Changes
/// made*), whole or as a block's line.
fn command() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        Just("kubectl rollout undo deployment/web -n shop".to_owned()),
        Just("line 1/2: kubectl set image deployment/web web=web:1.5.2".to_owned()),
    ]
}

/// A cluster action: a rollback (followed), or Argo CD's auto-sync turned off or on (the
/// report's *Follow-ups*).
fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("rollout undo".to_owned()),
        Just("kubectl rollout undo deployment/web -n shop".to_owned()),
        Just("argocd app set checkout-api --sync-policy none".to_owned()),
        Just("argocd app set checkout-api --sync-policy automated".to_owned()),
    ]
}

/// A verification detail: any text, or samples the report's *Impact* reads.
fn detail() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        Just("error_rate = 0.31, rps = 1200".to_owned()),
        Just("error_rate = 0.02".to_owned()),
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
        (step(), 1u32..4, command()).prop_map(|(step, run, command)| Entry::CommandStarted {
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
        (step(), command()).prop_map(|(step, command)| Entry::CommandDeclined { step, command }),
        (action(), text(), proptest::option::of((1i64..5, text()))).prop_map(
            |(action, target, change)| {
                Entry::ClusterActionRequested {
                    action,
                    target,
                    change: change.map(|(from, image)| ChangeDetail {
                        via: Some("step 2".into()),
                        from_revision: Some(from),
                        to_revision: Some(from - 1),
                        to_image: Some(image),
                        ..ChangeDetail::default()
                    }),
                }
            }
        ),
        action().prop_map(|action| Entry::RolloutFollowStarted { action }),
        (
            action(),
            prop_oneof![
                text(),
                Just("deployment \"web\" successfully rolled out".to_owned())
            ],
            any::<bool>()
        )
            .prop_map(|(action, outcome, ok)| Entry::ClusterActionFinished {
                action,
                outcome,
                ok
            }),
        (
            proptest::option::of(prop_oneof![text(), severity()]),
            proptest::option::of(prop_oneof![text(), severity(), Just("none".to_owned())]),
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
        (
            check(),
            any::<bool>(),
            detail(),
            proptest::option::of(prop_oneof![
                text(),
                Just(backout::domain::verify::CUT_SHORT_BY_QUIT.to_owned())
            ])
        )
            .prop_map(
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
        entries in proptest::collection::vec((actor(), entry(), 0i64..3), 0..40)
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal.jsonl");
        let mut live = SessionState::default();
        {
            let (mut journal, _) = JournalFile::open(&path).expect("opens");
            // Records a second or two apart, or stamped at the same instant.
            let mut at = chrono::Utc::now();
            for (actor, entry, gap) in entries {
                at += chrono::Duration::seconds(gap);
                let record = journal.append_at(at, actor, entry).expect("appends");
                live.apply(&record);
            }
        }
        let (_, recovered) = JournalFile::open(&path).expect("reopens");
        prop_assert!(recovered.warnings.is_empty(), "{:?}", recovered.warnings);
        let replayed = SessionState::replay(&recovered.records);
        prop_assert_eq!(&replayed, &live);
        same_parts(&live, &replayed)?;
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
        // What the scorecard reads in place of the records: one verification window ended
        // per `VerificationFinished` (so the failed ones count the failed records), a
        // window per check journaled, a message row per message queued or drafted; the
        // stage clock's counts; the first record's time.
        let is = |r: &&backout::domain::journal::Record, kinds: &[&str]| kinds.contains(&r.entry.kind());
        let failed_check = |v: &VerificationReport| {
            v.passed == Some(false) && !interrupted_by_quit(v.cut_short.as_deref())
        };
        prop_assert_eq!(
            live.verification.iter().filter(|v| failed_check(v)).count(),
            records
                .iter()
                .filter(|r| matches!(
                    &r.entry,
                    Entry::VerificationFinished { passed: false, cut_short, .. }
                        if !interrupted_by_quit(cut_short.as_deref())
                ))
                .count()
        );
        prop_assert_eq!(
            live.verification.is_empty(),
            !records.iter().any(|r| is(&r, &["verification_started", "verification_finished"]))
        );
        prop_assert_eq!(
            live.messages.is_empty(),
            !records.iter().any(|r| is(&r, &["message_queued", "message_drafted"]))
        );
        prop_assert_eq!(
            live.stage_clock.commands_failed,
            records
                .iter()
                .filter(|r| matches!(
                    &r.entry,
                    Entry::CommandFinished { exit_code, cancelled: false, .. } if *exit_code != Some(0)
                ))
                .count()
        );
        prop_assert_eq!(
            live.stage_clock.actions_failed,
            records
                .iter()
                .filter(|r| matches!(r.entry, Entry::ClusterActionFinished { ok: false, .. }))
                .count()
        );
        prop_assert_eq!(live.head.first_at, records.first().map(|r| r.ts));
        // What each sink's deliveries said, in order (what a resumed console's sinks take
        // back).
        let mut delivered: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for r in records {
            if let Entry::MessageDelivered { sink, detail, .. } = &r.entry {
                delivered.entry(sink.clone()).or_default().push(detail.clone());
            }
        }
        prop_assert_eq!(&live.deliveries, &delivered);
        // A run is interrupted when a resume or a close follows its first start.
        for run in 1u32..4 {
            let started = records
                .iter()
                .find(|r| matches!(&r.entry, Entry::CommandStarted { run: n, .. } if *n == run))
                .map_or(0, |r| r.seq);
            let stopped = records.iter().any(|r| {
                r.seq > started && is(&r, &["session_resumed", "session_closed"])
            });
            prop_assert_eq!(live.console_stops.stopped_after(run), stopped, "run {}", run);
        }
        // The readers of the state: the report and a drill's scorecard, live and replayed.
        prop_assert_eq!(report::build_from(&live, None), report::build_from(&replayed, None));
        let drill = drill_runbook();
        prop_assert_eq!(score_from(&live, &drill), score_from(&replayed, &drill));
    }
}

/// Every part of the state, one by one: naming each field (without `..`), this does not
/// compile until a new part is compared here too.
fn same_parts(live: &SessionState, replayed: &SessionState) -> Result<(), TestCaseError> {
    let SessionState {
        progress,
        messages,
        verification,
        verification_last,
        severity,
        baselines,
        drill_stages,
        cluster_changes,
        follow,
        declined,
        actors,
        head,
        decisions,
        timeline,
        resumes,
        connection,
        first_action_target,
        step_titles,
        secret_placeholders,
        changes,
        impact,
        console_stops,
        follow_ups,
        stage_clock,
        deliveries,
    } = live;
    prop_assert_eq!(progress, &replayed.progress);
    prop_assert_eq!(messages, &replayed.messages);
    prop_assert_eq!(verification, &replayed.verification);
    prop_assert_eq!(verification_last, &replayed.verification_last);
    prop_assert_eq!(severity, &replayed.severity);
    prop_assert_eq!(baselines, &replayed.baselines);
    prop_assert_eq!(drill_stages, &replayed.drill_stages);
    prop_assert_eq!(cluster_changes, &replayed.cluster_changes);
    prop_assert_eq!(follow, &replayed.follow);
    prop_assert_eq!(declined, &replayed.declined);
    prop_assert_eq!(actors, &replayed.actors);
    prop_assert_eq!(head, &replayed.head);
    prop_assert_eq!(decisions, &replayed.decisions);
    prop_assert_eq!(timeline, &replayed.timeline);
    prop_assert_eq!(resumes, &replayed.resumes);
    prop_assert_eq!(connection, &replayed.connection);
    prop_assert_eq!(first_action_target, &replayed.first_action_target);
    prop_assert_eq!(step_titles, &replayed.step_titles);
    prop_assert_eq!(secret_placeholders, &replayed.secret_placeholders);
    prop_assert_eq!(changes, &replayed.changes);
    prop_assert_eq!(impact, &replayed.impact);
    prop_assert_eq!(console_stops, &replayed.console_stops);
    prop_assert_eq!(follow_ups, &replayed.follow_ups);
    prop_assert_eq!(stage_clock, &replayed.stage_clock);
    prop_assert_eq!(deliveries, &replayed.deliveries);
    Ok(())
}

/// A drill runbook whose steps are the generated ones (0 to 4): step 1 a command of the
/// execution phase.
fn drill_runbook() -> backout::domain::runbook::Runbook {
    let text = include_str!("fixtures/drill-steps.md");
    backout::domain::runbook::load_bytes(std::path::Path::new("drill.md"), text.as_bytes())
        .expect("loads")
}
