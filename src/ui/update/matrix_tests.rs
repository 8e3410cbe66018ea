//! Declaring the severity by hand: the guidance rows without metrics, the declaration
//! popup, the RTO clock, the approval and its reminder, and their replay on resume.

use ratatui::crossterm::event::KeyCode;

use crate::domain::decision::SeverityState;
use crate::domain::journal::Entry;
use crate::domain::runbook::{self, Runbook};
use crate::ui::state::app::table_rows;
use crate::ui::state::{App, Layer, PromptPurpose};
use crate::ui::testkit::{app, app_for, code, key, screen, send, t0, typed};

/// A team's runbook, no front matter: a decision table whose SEV-1 row asks for an
/// approval that may be given after, and a SEV-2 row whose approval may not.
pub const TABLE_RUNBOOK: &str = "# Checkout rollback

## Decision matrix

| Severity | Symptom | Action | Timeline | Approval required |
|----------|---------|--------|----------|-------------------|
| SEV-1 | Checkout down for all users | Roll back now | < 15 minutes | VP Engineering (can approve after) |
| SEV-2 | Errors in one region | Roll back | 1 hour | Engineering manager |
| SEV-3 | Slow pages | Investigate | Next release | None |

## Rollback

```bash
kubectl rollout undo deployment/checkout -n shop
```
";

fn table_book() -> Runbook {
    runbook::load_bytes(
        std::path::Path::new("checkout.md"),
        TABLE_RUNBOOK.as_bytes(),
    )
    .expect("loads")
}

fn table_app() -> App {
    let mut app = app_for(table_book());
    app.size = (120, 40);
    app
}

/// `S`, `count` times down, Enter, the reason, Enter: the entries written.
fn declare(app: &mut App, down: usize, reason: &str) -> Vec<Entry> {
    send(app, key('S'));
    for _ in 0..down {
        send(app, key('j'));
    }
    send(app, code(KeyCode::Enter));
    typed(app, reason);
    send(app, code(KeyCode::Enter)).1
}

#[test]
fn the_decision_table_shows_as_guidance_rows_without_metrics() {
    let app = table_app();
    assert!(app.metrics.is_none());
    let s = screen(&app, 120, 40);
    assert!(s.contains("No severity declared · S declares one"), "{s}");
    assert!(s.contains("Checkout down for all users"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn the_declaration_popup_lists_rows_then_bare_severities() {
    let mut app = table_app();
    send(&mut app, key('S'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::DeclareSeverity { cursor: 0 })
    ));
    send(&mut app, key('j'));
    let s = screen(&app, 120, 40);
    assert!(s.contains("approval: Engineering manager"), "{s}");
    assert!(s.contains("this severity on its own"), "{s}");
    insta::assert_snapshot!(s);
    send(&mut app, code(KeyCode::Esc));
    assert!(app.layers.is_empty());
}

/// Without a decision table the popup lists the severities alone: the "on its own" hint
/// only means something beside table rows.
#[test]
fn without_a_table_the_popup_lists_bare_severities_without_a_hint() {
    let mut app = app();
    assert!(app.severity.rows.is_empty());
    send(&mut app, key('S'));
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("The runbook has no decision table: pick a severity."),
        "{s}"
    );
    assert!(s.contains("SEV-1"), "{s}");
    assert!(!s.contains("on its own"), "{s}");
}

#[test]
fn declaring_a_row_journals_it_starts_the_rto_and_asks_for_the_approval() {
    let mut app = table_app();
    let written = declare(&mut app, 0, "checkout 500s everywhere");
    assert_eq!(
        written,
        [Entry::SeverityDeclared {
            severity: "SEV-1".into(),
            reason: "checkout 500s everywhere".into(),
            row: Some("Checkout down for all users".into()),
            rto_secs: Some(900),
            by: "alice@laptop".into(),
        }]
    );
    let d = app.severity.current.clone().expect("declared");
    assert_eq!(d.rto_deadline, Some(d.at + chrono::Duration::seconds(900)));
    // The approval is asked at once.
    match app.layers.last() {
        Some(Layer::Prompt(p)) => assert_eq!(
            p.purpose,
            PromptPurpose::Approver {
                severity: "SEV-1".into(),
                can_defer: true
            }
        ),
        _ => panic!("no approval prompt"),
    }
    typed(&mut app, "after Dana Reyes");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert_eq!(
        written,
        [Entry::ApprovalRecorded {
            severity: "SEV-1".into(),
            approver: "Dana Reyes".into(),
            deferred: true,
            by: "alice@laptop".into(),
        }]
    );
    // Approve-after is still owed: the header and the pane keep reminding.
    assert!(app.severity.open_approval().is_some_and(|a| a.deferred));
    app.now = t0() + chrono::Duration::seconds(125);
    let s = screen(&app, 120, 40);
    assert!(s.contains("approval owed: VP Engineering"), "{s}");
    assert!(s.contains("RTO 12m"), "{s}");
    // `A` asks again; a name given now closes it.
    send(&mut app, key('A'));
    typed(&mut app, "Dana Reyes");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        &written[..],
        [Entry::ApprovalRecorded {
            deferred: false,
            ..
        }]
    ));
    assert_eq!(app.severity.open_approval(), None);
    assert!(screen(&app, 120, 40).contains("approved by Dana Reyes"));
}

#[test]
fn an_approval_left_open_is_a_reminder_until_given() {
    let mut app = table_app();
    declare(&mut app, 1, "EU errors");
    assert_eq!(app.severity.current.as_ref().unwrap().severity, "SEV-2");
    // Not deferrable: `after` is taken as a name only where the row allows it.
    send(&mut app, code(KeyCode::Esc));
    assert!(app.layers.is_empty());
    app.now = t0() + chrono::Duration::seconds(30);
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("approval needed: Engineering manager (A)"),
        "{s}"
    );
    insta::assert_snapshot!(s);
    send(&mut app, key('A'));
    typed(&mut app, "after");
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        &written[..],
        [Entry::ApprovalRecorded { deferred: false, approver, .. }] if approver == "after"
    ));
}

#[test]
fn a_bare_severity_from_a_runbook_without_a_table_asks_for_no_approval() {
    let mut app = app_for(crate::ui::testkit::runbook());
    assert!(app.severity.rows.is_empty());
    let written = declare(&mut app, 1, "partial outage");
    assert!(matches!(
        &written[..],
        [Entry::SeverityDeclared { severity, row: None, rto_secs: None, .. }] if severity == "SEV-2"
    ));
    assert!(app.layers.is_empty(), "no approval asked");
    // Declaring counts as acknowledging.
    assert_eq!(app.last_acknowledged().as_deref(), Some("SEV-2"));
}

#[test]
fn resuming_replays_the_declaration_and_the_approval() {
    let mut app = table_app();
    declare(&mut app, 0, "down");
    typed(&mut app, "after");
    send(&mut app, code(KeyCode::Enter));
    let live = app.severity.clone();
    let resumed = App::new(
        table_book(),
        app.session.clone(),
        app.records.clone(),
        app.theme.clone(),
        app.keymap.clone(),
        app.now,
    );
    assert_eq!(resumed.severity, live);
    assert_eq!(
        SeverityState::replay(table_rows(&table_book()), &app.records),
        live
    );
    assert_eq!(
        live.open_approval().map(|a| a.approver.clone()),
        Some(Some("VP Engineering (can approve after)".into()))
    );
}

/// [`metrics_runbook`]'s queries with no front matter matrix, and a decision table with
/// one row that binds to `error_rate` and one that names no metric.
fn metrics_and_table_app() -> App {
    use crate::domain::runbook::DecisionTable;
    use crate::ui::testkit::metrics_runbook;
    let mut rb = metrics_runbook();
    if let Some(f) = rb.front.as_mut() {
        f.matrix.clear();
    }
    let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
    rb.decision_tables = vec![DecisionTable {
        line: 48,
        headers: row(&["Severity", "Error rate", "Action", "Approval required"]),
        rows: vec![
            row(&["SEV-1", "> 10% for 1 min", "Roll back now", "None"]),
            row(&[
                "SEV-3",
                "Customer complaints only",
                "Monitor",
                "Support lead",
            ]),
        ],
        severity_column: 0,
    }];
    let mut app = app_for(rb);
    app.metrics = crate::ui::state::metrics::LiveMetrics::for_runbook(
        &app.runbook,
        &crate::domain::session_state::SessionState::replay(&app.records),
        "http://prometheus:9090",
    );
    app
}

#[test]
fn with_metrics_the_rows_that_bind_to_no_query_are_guidance_below_the_live_ones() {
    let mut app = metrics_and_table_app();
    let live = app.metrics.as_ref().expect("metrics");
    assert_eq!(live.matrix.rules().len(), 1);
    assert_eq!(live.guidance_rows, [1]);
    let guidance = |s: &str| {
        s.lines()
            .find(|l| l.contains("Customer complaints"))
            .map(str::to_string)
    };
    // Before the first metrics, and once they are evaluated.
    let waiting = screen(&app, 160, 40);
    assert!(
        waiting.contains("Waiting for the first metrics"),
        "{waiting}"
    );
    let line = guidance(&waiting).unwrap_or_else(|| panic!("no guidance row:\n{waiting}"));
    assert!(
        line.contains("· SEV-3") && line.contains("guidance"),
        "{line}"
    );
    send(
        &mut app,
        crate::ui::testkit::metrics_msg(
            1,
            0,
            &[("error_rate", Some(0.01), 0), ("latency_p95", Some(0.2), 0)],
        ),
    );
    let s = screen(&app, 160, 40);
    assert!(s.contains("No rule fires"), "{s}");
    let line = guidance(&s).unwrap_or_else(|| panic!("no guidance row:\n{s}"));
    assert!(
        line.contains("· SEV-3") && line.contains("guidance"),
        "{line}"
    );
    assert!(
        line.contains("Monitor · approval: Support lead"),
        "its action and approval: {line}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn the_hint_line_offers_s_until_a_severity_is_declared_then_a_while_an_approval_is_owed() {
    let hints = |app: &App| {
        screen(app, 120, 40)
            .lines()
            .last()
            .map(str::to_string)
            .unwrap_or_default()
    };
    let mut app = table_app();
    assert!(hints(&app).contains("S  severity"), "{}", hints(&app));
    declare(&mut app, 1, "EU errors");
    // The approval prompt left open (Esc): the reminder is `A`.
    send(&mut app, code(KeyCode::Esc));
    app.flash = None;
    let line = hints(&app);
    assert!(line.contains("A  approval"), "{line}");
    assert!(!line.contains("S  severity"), "declared already: {line}");
    send(&mut app, key('A'));
    typed(&mut app, "Sam Lee");
    send(&mut app, code(KeyCode::Enter));
    app.flash = None;
    let line = hints(&app);
    assert!(!line.contains("A  approval"), "{line}");
    // A runbook without a table offers no `S` on the hint line (`?` lists it).
    let plain = app_for(crate::ui::testkit::runbook());
    assert!(!hints(&plain).contains("S  severity"), "{}", hints(&plain));
}

#[test]
fn help_lists_a_for_approvals_without_metrics_when_the_table_asks_for_them() {
    let text = |app: &App| {
        crate::ui::popups::help::lines(app)
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let with_table = text(&table_app());
    let a = with_table
        .lines()
        .find(|l| l.starts_with("  A "))
        .unwrap_or_else(|| panic!("A listed:\n{with_table}"));
    assert!(a.contains("record who approved"), "{a}");
    let plain = text(&app_for(crate::ui::testkit::runbook()));
    assert!(
        !plain.lines().any(|l| l.starts_with("  A ")),
        "no metrics, no approvals: no A\n{plain}"
    );
}
