//! The readers of the one fold (issue 11, point 3): a hand-written drill session in which
//! every part the report's *Changes made*, *Impact*, *Commands* and *Follow-ups* and the
//! drill scorecard read has something, applied record by record as written and replayed
//! from disk (`tests/session_state_replay.rs` proves the same of generated journals, part
//! by part).

use backout::adapters::journal_file::JournalFile;
use backout::domain::journal::{ChangeDetail, Entry};
use backout::domain::report;
use backout::domain::runbook::StepId;
use backout::domain::scorecard::score_from;
use backout::domain::session_state::SessionState;

/// A drill runbook: step 1 a command of the execution phase, steps 0 to 4 in its four
/// phases.
fn drill_runbook() -> backout::domain::runbook::Runbook {
    let text = include_str!("fixtures/drill-steps.md");
    backout::domain::runbook::load_bytes(std::path::Path::new("drill.md"), text.as_bytes())
        .expect("loads")
}

/// One hand-written drill session in which every part the report's *Changes made*,
/// *Impact*, *Commands* and *Follow-ups* and the scorecard read has something: applied
/// record by record as written, and replayed from disk, the state and its readers agree.
#[test]
fn a_drill_with_every_part_replays_equal_and_its_readers_read_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("journal.jsonl");
    let off = "argocd app set checkout-api --sync-policy none";
    let undo = "kubectl rollout undo deployment/web -n shop";
    let entries = vec![
        Entry::SessionStarted {
            runbook_path: "drill.md".into(),
            runbook_sha256: String::new(),
            title: "Drill".into(),
            mode: "drill".into(),
            host: "laptop".into(),
        },
        Entry::DrillEvent {
            what: "bad release 1.6.0".into(),
        },
        Entry::SeverityDeclared {
            severity: "SEV-1".into(),
            reason: "checkout down".into(),
            row: None,
            rto_secs: Some(600),
            by: "alice@ops".into(),
        },
        Entry::ClusterActionRequested {
            action: off.into(),
            target: "argocd/checkout-api".into(),
            change: Some(ChangeDetail {
                via: Some("auto-sync guard".into()),
                ..ChangeDetail::default()
            }),
        },
        Entry::ClusterActionFinished {
            action: off.into(),
            outcome: "done".into(),
            ok: true,
        },
        Entry::CommandStarted {
            step: StepId(1),
            run: 1,
            command: undo.into(),
        },
        Entry::CommandFinished {
            step: StepId(1),
            run: 1,
            exit_code: Some(0),
            duration_ms: 900,
            cancelled: false,
        },
        Entry::StepTicked {
            step: StepId(2),
            title: "Rollout complete".into(),
        },
        Entry::VerificationStarted {
            check: "errors".into(),
            description: "error rate".into(),
            window_secs: Some(60),
        },
        Entry::VerificationFinished {
            check: "errors".into(),
            passed: true,
            detail: "error_rate = 0.02".into(),
            cut_short: None,
            outcome: None,
        },
        Entry::StepTicked {
            step: StepId(4),
            title: "Incident channel updated".into(),
        },
        Entry::CommandStarted {
            step: StepId(1),
            run: 2,
            command: "kubectl get pods".into(),
        },
        Entry::SessionResumed {
            host: "laptop".into(),
        },
    ];
    let mut live = SessionState::default();
    {
        let (mut journal, _) = JournalFile::open(&path).expect("opens");
        let mut at = chrono::Utc::now();
        for entry in entries {
            at += chrono::Duration::seconds(10);
            live.apply(&journal.append_at(at, "alice@ops", entry).expect("appends"));
        }
    }
    let (_, recovered) = JournalFile::open(&path).expect("reopens");
    let replayed = SessionState::replay(&recovered.records);
    assert_eq!(live, replayed);
    let r = report::build_from(&live, None);
    assert_eq!(r, report::build_from(&replayed, None));
    // Auto-sync turned off, then the rollback run in the shell.
    assert_eq!(r.changes.len(), 2, "{:?}", r.changes);
    assert_eq!(r.changes[1].action, undo);
    assert_eq!(r.changes[1].outcome.as_deref(), Some("exit 0"));
    let impact = r.impact.as_ref().expect("impact");
    assert_eq!(impact.peak_values.get("error_rate"), Some(&0.02));
    assert_eq!(
        impact.recovered_by.as_deref(),
        Some("verification errors passed")
    );
    assert_eq!(r.follow_ups.len(), 1);
    assert_eq!(r.follow_ups[0].via.as_deref(), Some("auto-sync guard"));
    assert_eq!(
        r.commands.iter().map(|c| c.status).collect::<Vec<_>>(),
        [report::RunStatus::Succeeded, report::RunStatus::Interrupted]
    );
    let card = score_from(&live, &drill_runbook());
    assert_eq!(card, score_from(&replayed, &drill_runbook()));
    // Declared; auto-sync off requested (the first action) and done (its last word);
    // the check passed; a communication step ticked (no message queued).
    assert_eq!(
        card.stages.iter().map(|s| s.secs).collect::<Vec<_>>(),
        [Some(10.0), Some(10.0), Some(10.0), Some(50.0), Some(10.0)],
        "{card:#?}"
    );
    assert_eq!(card.severity.as_deref(), Some("SEV-1"));
    assert_eq!(card.rto_target_secs, Some(600.0));
    assert!(card.passed, "{:?}", card.shortfalls);
}
