//! Choosing an alternative and the runbook following what was done, driven as an operator
//! would: on `tests/runbooks/teams/options-a-to-d.md` (Option A/B/C/D), retargeted at the
//! test console's `checkout-api` in `shop`.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::{ClusterAction, Executed, FollowOutcome};
use crate::domain::journal::Entry;
use crate::domain::progress::{Progress, StepState};
use crate::domain::runbook::{Runbook, StepId};
use crate::ui::keymap::Mode;
use crate::ui::msg::Msg;
use crate::ui::state::cluster::ClusterStep;
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

/// The corpus runbook with Options A–D, about `deployment/checkout-api -n shop`.
fn options_book() -> Runbook {
    let text = include_str!("../../../tests/runbooks/teams/options-a-to-d.md")
        .replace("-n edge", "-n shop")
        .replace("deployment/gateway", "deployment/checkout-api")
        .replace("gateway=", "checkout-api=");
    crate::domain::runbook::parse(std::path::Path::new("options-a-to-d.md"), &text)
        .expect("the corpus runbook loads")
}

/// A console on the options runbook, the cursor on its "Choose one" row.
fn on_choice_row() -> App {
    let mut app = app_for(options_book());
    assert_eq!(app.cursor, 0, "the first open row: #1 Assess");
    update(&mut app, key('j'));
    assert_eq!(app.selected_choice(), Some(0));
    assert!(app.selected().is_none(), "a choice row is not a step");
    app
}

/// The member keys of the steps shown as rows.
fn shown_steps(app: &App) -> Vec<u32> {
    (0..app.steps.len())
        .filter_map(|i| app.step_at(i))
        .map(|s| s.id.0 + 1)
        .collect()
}

fn chosen(member: &str, previous: Option<&str>, title: &str) -> Entry {
    Entry::AlternativeChosen {
        group: "alt-1".into(),
        member: member.into(),
        title: title.into(),
        previous: previous.map(str::to_string),
        by: "alice@laptop".into(),
    }
}

#[test]
fn a_group_is_one_choice_row_and_its_members_are_no_steps_until_chosen() {
    let app = on_choice_row();
    // #2–#5 are Options A–D: none is a row before a choice.
    assert_eq!(shown_steps(&app), vec![1, 6]);
    // The phase counts the choice as one open item, the members never.
    assert_eq!(app.phase_progress(1), (0, 1));
    assert_eq!(app.total_progress(), (0, 3));
    // Enter on the choice row opens the choice, like `c`; no command runs.
    let mut app = on_choice_row();
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty() && written.is_empty(), "{fx:?} {written:?}");
    assert!(matches!(app.layers.last(), Some(Layer::Choice(c)) if c.group == 0));
    assert_eq!(app.mode(), Mode::Choice);
    // Esc closes it; nothing is journaled.
    let (_, written) = send(&mut app, code(KeyCode::Esc));
    assert!(written.is_empty() && app.layers.is_empty());
    // `c` elsewhere only says what it is for.
    update(&mut app, key('k'));
    let (_, written) = send(&mut app, key('c'));
    assert!(written.is_empty() && app.layers.is_empty());
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("Choose one")),
        "{:?}",
        app.flash
    );
}

#[test]
fn choosing_b_journals_who_chose_and_its_steps_join_the_phase() {
    let mut app = on_choice_row();
    send(&mut app, key('c'));
    // j previews the next member; it does not choose.
    let (_, written) = send(&mut app, key('j'));
    assert!(written.is_empty());
    let (_, written) = send(&mut app, key('B'));
    assert_eq!(
        written,
        vec![
            Entry::PhaseEntered {
                phase: 1,
                title: "2. Initiate rollback (3 min)".into()
            },
            chosen("B", None, "Option B: Specific version"),
        ]
    );
    assert!(app.layers.is_empty());
    assert_eq!(app.chosen_member(0), Some(1));
    assert_eq!(shown_steps(&app), vec![1, 3, 6], "B's step #3 joined");
    assert_eq!(
        app.selected_choice(),
        Some(0),
        "the selection stays on the row"
    );
    // The choice is done; B's step is open; the others never count.
    assert_eq!(app.phase_progress(1), (1, 2));
    // The choice is changed (journaled with the one before) with a member's key.
    send(&mut app, key('c'));
    let (_, written) = send(&mut app, key('a'));
    assert_eq!(
        written,
        vec![chosen("A", Some("B"), "Option A: Quick rollback")]
    );
    assert_eq!(shown_steps(&app), vec![1, 2, 6]);
    // Choosing the chosen one again writes nothing.
    send(&mut app, key('c'));
    let (_, written) = send(&mut app, code(KeyCode::Enter));
    assert!(written.is_empty(), "{written:?}");
}

#[test]
fn replay_shows_the_same_choice_and_rows_on_resume() {
    let mut app = on_choice_row();
    send(&mut app, key('c'));
    send(&mut app, key('C'));
    send(&mut app, key('j'));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(3)));
    // #1 ticked: on resume the first open row is C's step, past the decided choice.
    send(&mut app, key('g'));
    send(&mut app, key(' '));
    let resumed = App::new(
        options_book(),
        app.session.clone(),
        app.records.clone(),
        app.theme.clone(),
        app.keymap.clone(),
        app.now,
    );
    assert_eq!(resumed.chosen_member(0), Some(2));
    assert_eq!(resumed.steps, app.steps);
    assert_eq!(resumed.state.progress.choices, app.state.progress.choices);
    assert_eq!(
        resumed.state.progress.choices["alt-1"].by, "alice@laptop",
        "who chose"
    );
    assert_eq!(resumed.selected().map(|s| s.id), Some(StepId(3)));
}

/// The options console watching `checkout-api` with a healthy rollout, focus on the
/// Rollout pane.
fn options_with_cluster() -> App {
    let mut app = cluster_app("staging-eu", false);
    app.runbook = options_book();
    app.refresh_rows();
    update(
        &mut app,
        Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(rollout(
            3, 3, 3, 3,
        ))),
    );
    app
}

/// `u` on the Rollout pane, confirmed and executed, the rollout followed to its end.
fn undo_from_the_rollout_pane(app: &mut App) -> Vec<Entry> {
    update(app, code(KeyCode::Tab));
    update(app, key('u'));
    update(
        app,
        step(
            1,
            ClusterStep::Preflight(Ok(crate::domain::cluster::Preflight::Allowed {
                checks: vec![],
            })),
        ),
    );
    update(app, step(1, ClusterStep::Planned(Ok(undo_plan()))));
    typed(app, "checkout-api");
    update(app, code(KeyCode::Enter));
    let fx = update(app, step(1, ClusterStep::Locked(Ok(()))));
    let (fx, mut written) = settle(app, fx);
    assert_eq!(
        fx,
        vec![crate::ui::effect::Effect::Cluster(
            crate::ui::effect::ClusterEffect::Execute {
                op: 1,
                action: ClusterAction::Undo { to_revision: None }
            }
        )]
    );
    let (_, w) = send(
        app,
        step(
            1,
            ClusterStep::Executed(Ok(Executed {
                message: "deployment.apps/checkout-api rolled back".into(),
                skipped: false,
                attempts: 1,
            })),
        ),
    );
    written.extend(w);
    let (_, w) = send(
        app,
        step(
            1,
            ClusterStep::Followed(Ok(FollowOutcome::Complete {
                message: "deployment \"checkout-api\" successfully rolled out".into(),
            })),
        ),
    );
    written.extend(w);
    written
}

#[test]
fn an_undo_from_the_rollout_pane_ticks_the_chosen_roll_back_step() {
    let mut app = options_with_cluster();
    update(&mut app, key('j'));
    send(&mut app, key('c'));
    send(&mut app, key('A'));
    let written = undo_from_the_rollout_pane(&mut app);
    let undo = "kubectl rollout undo deployment/checkout-api --context staging-eu -n shop";
    assert!(
        written.contains(&Entry::StepDoneByAction {
            step: StepId(1),
            title: app.runbook.step(StepId(1)).unwrap().title.clone(),
            action: undo.into(),
        }),
        "{written:?}"
    );
    // Only Option A's step: the assess and verify steps are read-only.
    let done: Vec<_> = written
        .iter()
        .filter(|e| matches!(e, Entry::StepDoneByAction { .. }))
        .collect();
    assert_eq!(done.len(), 1, "{done:?}");
    assert!(matches!(
        app.state.progress.state(StepId(1)),
        Some(StepState::Done { .. })
    ));
    assert_eq!(
        app.state.progress.done_by_action[&StepId(1)].number,
        Some(1)
    );
    // Replay gives the same.
    let replayed = Progress::replay(&app.records);
    assert_eq!(replayed.done_by_action, app.state.progress.done_by_action);
    assert_eq!(app.phase_progress(1), (2, 2), "the phase is done");
}

#[test]
fn an_undo_before_any_choice_ticks_no_hidden_member() {
    let mut app = options_with_cluster();
    let written = undo_from_the_rollout_pane(&mut app);
    assert!(
        !written
            .iter()
            .any(|e| matches!(e, Entry::StepDoneByAction { .. })),
        "{written:?}"
    );
    assert!(app.state.progress.done_by_action.is_empty());
}

#[test]
fn snapshots_of_the_choice_row_the_popup_not_taken_and_done_by_action() {
    let mut app = options_with_cluster();
    app.focus = crate::ui::state::Pane::Procedure;
    update(&mut app, key('j'));
    insta::assert_snapshot!("choice_row", screen(&app, 120, 32));
    send(&mut app, key('c'));
    send(&mut app, key('j'));
    insta::assert_snapshot!("choice_popup_previewing_b", screen(&app, 120, 32));
    send(&mut app, key('A'));
    insta::assert_snapshot!("choice_made_others_not_taken", screen(&app, 120, 32));
    undo_from_the_rollout_pane(&mut app);
    app.focus = crate::ui::state::Pane::Procedure;
    update(&mut app, key('j'));
    assert_eq!(app.selected().map(|s| s.id), Some(StepId(1)));
    insta::assert_snapshot!("step_done_by_action", screen(&app, 120, 32));
}

/// The actions menu's `set image`, typed as Option C writes it, confirmed with `y`,
/// executed and followed: Option C's step is done by that action.
#[test]
fn a_set_image_from_the_actions_menu_ticks_the_chosen_option_c() {
    use crate::domain::cluster::{Diff, Planned, Preflight};
    use crate::ui::effect::{ClusterEffect, Effect};
    let allowed = || ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] }));
    let mut app = options_with_cluster();
    update(&mut app, key('j'));
    send(&mut app, key('c'));
    send(&mut app, key('C'));
    for fx in update(&mut app, key('a')) {
        let Effect::Cluster(ClusterEffect::Preflight { op, .. }) = fx else {
            panic!("only preflights: {fx:?}");
        };
        update(&mut app, step(op, allowed()));
    }
    update(&mut app, key('i'));
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("the image prompt");
    };
    for _ in 0..p.input.lines().join("").chars().count() {
        update(&mut app, code(KeyCode::Backspace));
    }
    typed(&mut app, "checkout-api=registry.example.com/gateway:1.8.3");
    let fx = update(&mut app, code(KeyCode::Enter));
    let [Effect::Cluster(ClusterEffect::Preflight { op, action })] = fx.as_slice() else {
        panic!("the action's preflight: {fx:?}");
    };
    let op = *op;
    assert_eq!(
        action,
        &ClusterAction::SetImage {
            container: "checkout-api".into(),
            image: "registry.example.com/gateway:1.8.3".into()
        }
    );
    update(&mut app, step(op, allowed()));
    let kubectl = app
        .cluster
        .as_ref()
        .unwrap()
        .op
        .as_ref()
        .unwrap()
        .kubectl
        .clone();
    update(
        &mut app,
        step(
            op,
            ClusterStep::Planned(Ok(Planned::Change {
                diff: Diff {
                    lines: vec!["-  image: a".into(), "+  image: b".into()],
                    added: 1,
                    removed: 1,
                },
                kubectl: kubectl.clone(),
            })),
        ),
    );
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Cluster(ClusterEffect::Lock { op })]
    );
    let fx = update(&mut app, step(op, ClusterStep::Locked(Ok(()))));
    let (_, mut written) = settle(&mut app, fx);
    for result in [
        ClusterStep::Executed(Ok(Executed {
            message: "deployment.apps/checkout-api image updated".into(),
            skipped: false,
            attempts: 1,
        })),
        ClusterStep::Followed(Ok(FollowOutcome::Complete {
            message: "deployment \"checkout-api\" successfully rolled out".into(),
        })),
    ] {
        written.extend(send(&mut app, step(op, result)).1);
    }
    let done: Vec<_> = written
        .iter()
        .filter_map(|e| match e {
            Entry::StepDoneByAction { step, action, .. } => Some((*step, action.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(done, vec![(StepId(3), kubectl)], "{written:?}");
}

/// `tests/runbooks/teams/decision-table-impact.md`: the table's Critical row names
/// "Strategy 2"; the choice row marks it recommended and the popup previews it first; a
/// declared High severity (its row names Strategy 1) recommends Strategy 1 instead.
#[test]
fn the_decision_tables_strategy_is_the_recommended_member() {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("decision-table-impact.md"),
        include_str!("../../../tests/runbooks/teams/decision-table-impact.md"),
    )
    .expect("loads");
    let mut app = app_for(book);
    assert_eq!(app.recommended_member(0), Some(1));
    let row = app
        .steps
        .iter()
        .position(|r| r.choice.is_some())
        .expect("row");
    app.cursor = row;
    let s = screen(&app, 160, 32);
    assert!(s.contains("2 Application rollback (recommended)"), "{s}");
    assert!(!s.contains("1 Feature flag (recommended)"), "{s}");
    send(&mut app, key('c'));
    assert!(matches!(app.layers.last(), Some(Layer::Choice(c)) if c.selected == 1));
    send(&mut app, code(KeyCode::Esc));
    // On disk, as `Msg::Journaled` brings it back: the session state moves by it.
    app.journaled(record(
        9,
        Entry::SeverityDeclared {
            severity: "High".into(),
            reason: "one region".into(),
            row: None,
            rto_secs: None,
            by: "alice@laptop".into(),
        },
        t0(),
    ));
    assert_eq!(app.recommended_member(0), Some(0));
}

/// Every corpus runbook (`tests/runbooks/teams/`), narrow and wide: each group of
/// alternatives is exactly one choice row before a choice; chosen (its last member), the
/// chosen steps are rows, the others are not, and the console draws it, popup included.
#[test]
fn every_corpus_runbooks_groups_are_one_row_and_draw_chosen_or_not() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runbooks/teams");
    let mut groups = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let book = crate::adapters::runbook_file::load(&path).expect("loads");
        let mut app = app_for(book);
        for (g, group) in app.runbook.alternatives.clone().iter().enumerate() {
            if group.members.iter().all(|m| m.steps.is_empty()) {
                continue;
            }
            groups += 1;
            let rows: Vec<usize> = (0..app.steps.len())
                .filter(|&i| app.choice_at(i) == Some(g))
                .collect();
            assert_eq!(rows.len(), 1, "{path:?} {}", group.id);
            app.cursor = rows[0];
            screen(&app, 80, 24);
            send(&mut app, key('c'));
            screen(&app, 120, 40);
            let last = group.members.last().expect("members");
            for _ in 0..group.members.len() {
                let (_, written) = send(&mut app, code(KeyCode::Down));
                assert!(written.is_empty(), "moving only previews");
            }
            send(&mut app, code(KeyCode::Enter));
            assert_eq!(
                app.state.progress.chosen(&group.id),
                Some(last.key.as_str()),
                "{path:?}"
            );
            for (i, m) in group.members.iter().enumerate() {
                for id in &m.steps {
                    let is_row = app.flat_index_of(*id).is_some();
                    assert_eq!(is_row, i + 1 == group.members.len(), "{path:?} {id}");
                }
            }
            screen(&app, 80, 24);
            screen(&app, 160, 48);
        }
    }
    assert!(groups >= 5, "the corpus has alternative groups: {groups}");
}
