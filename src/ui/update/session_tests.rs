//! `Msg::Journaled` moves the console's one `SessionState`: whatever kinds of records
//! come back from the disk, the console's state is the journal replayed, and what it
//! reads from it (the declared severity with its approval, the acknowledgement, the
//! baselines a resume restores) is what a resumed console reads.

use crate::domain::decision::SeverityState;
use crate::domain::journal::Entry;
use crate::domain::runbook::{DecisionTable, StepId};
use crate::domain::session_state::SessionState;
use crate::ui::state::app::table_rows;
use crate::ui::state::{App, Then};
use crate::ui::testkit::{app, settle};

fn table_app() -> App {
    let mut app = app();
    app.runbook.decision_tables = vec![DecisionTable {
        line: 3,
        headers: vec!["Severity".into(), "Condition".into(), "Approval".into()],
        rows: vec![vec![
            "Critical".into(),
            "Service down".into(),
            "VP Engineering (can approve after)".into(),
        ]],
        severity_column: 0,
    }];
    let rows = table_rows(&app.runbook);
    app.severity = SeverityState::of(rows, &app.state.severity);
    app
}

fn journal(app: &mut App, entries: Vec<Entry>) {
    let fx = entries
        .into_iter()
        .map(|e| app.journal(e, None, Then::Nothing))
        .collect();
    settle(app, fx);
}

#[test]
fn every_record_journaled_moves_the_one_state_as_a_replay_would() {
    let mut app = table_app();
    journal(
        &mut app,
        vec![
            Entry::BaselineCaptured {
                values: [("error_rate".to_string(), 0.25)].into(),
                offset_secs: Some(600),
            },
            Entry::SeverityAcknowledged {
                severity: "SEV-2".into(),
            },
            Entry::SeverityDeclared {
                severity: "Critical".into(),
                reason: "checkout down".into(),
                row: Some("Service down".into()),
                rto_secs: Some(900),
                by: "alice@laptop".into(),
            },
            Entry::ApprovalRecorded {
                severity: "Critical".into(),
                approver: "Dana (VP)".into(),
                deferred: true,
                by: "alice@laptop".into(),
            },
            Entry::DrillEvent {
                what: "bad release rolling out".into(),
            },
            Entry::StepTicked {
                step: StepId(1),
                title: "Check".into(),
            },
        ],
    );
    let replayed = SessionState::replay(&app.records);
    assert_eq!(app.state, replayed);
    assert_eq!(app.state.head.records, app.records.len());
    assert_eq!(app.last_acknowledged().as_deref(), Some("Critical"));
    assert_eq!(
        app.severity,
        SeverityState::replay(table_rows(&app.runbook), &app.records)
    );
    let approval = app.severity.open_approval().expect("deferred: still owed");
    assert_eq!(approval.approver.as_deref(), Some("Dana (VP)"));
    assert_eq!(app.state.drill_stages.len(), 1);
    assert_eq!(
        app.state.baselines.as_ref().map(|b| b.offset_secs),
        Some(Some(600))
    );

    // A console resumed on these records reads the same.
    let resumed = App::new(
        app.runbook.clone(),
        app.session.clone(),
        app.records.clone(),
        app.theme.clone(),
        app.keymap.clone(),
        app.now,
    );
    assert_eq!(resumed.state, app.state);
    assert_eq!(resumed.severity, app.severity);
    assert_eq!(resumed.last_acknowledged(), app.last_acknowledged());
}
