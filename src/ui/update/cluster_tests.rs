//! The console flows of the native actions other than the Rollout pane's undo: the
//! actions menu, each action's prompt and confirmation, kubectl lines of a step run
//! natively, and the Pods pane's sort and filter.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::{
    AccessCheck, ClusterAction, Diff, EnvChange, Executed, FollowOutcome, Planned, Preflight,
    SortKey,
};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{ClusterEffect, Effect, JournalEffect, ShellEffect};
use crate::ui::keymap::Mode;
use crate::ui::msg::Msg;
use crate::ui::state::action_menu::{Access, ActionKind};
use crate::ui::state::cluster::{ClusterStep, OpStage};
use crate::ui::state::{App, Layer, PromptPurpose};
use crate::ui::testkit::*;
use crate::ui::update::update;

use super::super::cluster_menu::parse_param;

fn allowed() -> ClusterStep {
    ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] }))
}

fn denied(reason: &str) -> ClusterStep {
    ClusterStep::Preflight(Ok(Preflight::Denied {
        reason: reason.into(),
        checks: vec![AccessCheck {
            verb: "patch".into(),
            group: "apps".into(),
            resource: "deployments".into(),
            subresource: String::new(),
            allowed: false,
            reason: String::new(),
        }],
    }))
}

fn stage(app: &App) -> Option<OpStage> {
    app.cluster
        .as_ref()
        .and_then(|c| c.op.as_ref())
        .map(|o| o.stage)
}

fn plan(kubectl: &str, lines: &[&str]) -> ClusterStep {
    ClusterStep::Planned(Ok(Planned::Change {
        diff: Diff {
            lines: lines.iter().map(|s| s.to_string()).collect(),
            added: 1,
            removed: 1,
        },
        kubectl: kubectl.into(),
    }))
}

/// Opens the menu and answers every preflight as allowed; returns the ops asked.
fn menu_all_allowed(app: &mut App) -> Vec<(u64, ClusterAction)> {
    let fx = update(app, key('a'));
    let asked: Vec<(u64, ClusterAction)> = fx
        .into_iter()
        .map(|e| match e {
            Effect::Cluster(ClusterEffect::Preflight { op, action }) => (op, action),
            other => panic!("only preflights: {other:?}"),
        })
        .collect();
    for (op, _) in &asked {
        assert!(update(app, step(*op, allowed())).is_empty());
    }
    asked
}

/// After a pick: the action's own preflight, allowed, then its dry-run planned.
fn through_plan(app: &mut App, fx: Vec<Effect>, want: ClusterAction) -> u64 {
    let [Effect::Cluster(ClusterEffect::Preflight { op, action })] = fx.as_slice() else {
        panic!("the action's preflight: {fx:?}");
    };
    assert_eq!(action, &want);
    let op = *op;
    let fx = update(app, step(op, allowed()));
    assert_eq!(
        fx,
        vec![Effect::Cluster(ClusterEffect::DryRun { op, action: want })]
    );
    let kubectl = app
        .cluster
        .as_ref()
        .unwrap()
        .op
        .as_ref()
        .unwrap()
        .kubectl
        .clone();
    assert!(update(app, step(op, plan(&kubectl, &["-  x: 1", "+  x: 2"]))).is_empty());
    assert_eq!(stage(app), Some(OpStage::Confirming));
    op
}

/// Lock, journal, execute; returns the effects after the execution result.
fn execute(app: &mut App, op: u64, message: &str) -> (Vec<Effect>, Vec<Entry>) {
    let fx = update(app, step(op, ClusterStep::Locked(Ok(()))));
    let (fx, written) = settle(app, fx);
    assert!(matches!(
        written.as_slice(),
        [Entry::ClusterActionRequested { .. }]
    ));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Cluster(ClusterEffect::Execute { .. })]
    ));
    send(
        app,
        step(
            op,
            ClusterStep::Executed(Ok(Executed {
                message: message.into(),
                skipped: false,
                attempts: 1,
            })),
        ),
    )
}

fn prompt_value(app: &App) -> String {
    match app.layers.last() {
        Some(Layer::Prompt(p)) => p.input.lines().join(""),
        _ => panic!("a prompt is open"),
    }
}

fn clear_prompt(app: &mut App) {
    for _ in 0..prompt_value(app).chars().count() {
        update(app, code(KeyCode::Backspace));
    }
}

#[test]
fn the_menu_asks_every_actions_access_at_once_and_lists_them() {
    let mut app = rollout_focused(false);
    let asked = menu_all_allowed(&mut app);
    // No target.service: the selector switch is not possible, so not asked about.
    assert_eq!(asked.len(), ActionKind::ALL.len() - 1);
    assert!(
        !asked
            .iter()
            .any(|(_, a)| matches!(a, ClusterAction::SwitchSelector { .. }))
    );
    assert_eq!(app.mode(), Mode::Actions);
    let Some(Layer::ActionMenu(m)) = app.layers.last() else {
        panic!("the menu");
    };
    assert_eq!(m.entries.len(), ActionKind::ALL.len());
    assert!(
        m.entries
            .iter()
            .all(|e| e.kind == ActionKind::SwitchSelector || e.access == Access::Allowed)
    );
    assert!(matches!(
        m.entries
            .iter()
            .find(|e| e.kind == ActionKind::SwitchSelector)
            .map(|e| &e.access),
        Some(Access::Unavailable(_))
    ));
    // Esc closes it, nothing sent.
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert!(app.layers.is_empty());
    assert_eq!(stage(&app), None);
}

#[test]
fn a_denied_action_is_greyed_with_why_and_picking_it_sends_nothing() {
    let mut app = rollout_focused(false);
    let fx = update(&mut app, key('a'));
    let pause_op = fx
        .iter()
        .find_map(|e| match e {
            Effect::Cluster(ClusterEffect::Preflight {
                op,
                action: ClusterAction::Pause,
            }) => Some(*op),
            _ => None,
        })
        .expect("pause is asked about");
    update(
        &mut app,
        step(
            pause_op,
            denied("user \"dev\" cannot patch deployments.apps"),
        ),
    );
    let Some(Layer::ActionMenu(m)) = app.layers.last() else {
        panic!("the menu");
    };
    assert_eq!(
        m.entries[1].access,
        Access::Denied("user \"dev\" cannot patch deployments.apps".into())
    );
    let fx = update(&mut app, key('p'));
    assert!(fx.is_empty(), "nothing sent for a denied action: {fx:?}");
    let Some(Layer::Notice { title, lines }) = app.layers.last() else {
        panic!("why it is not allowed");
    };
    assert_eq!(title, "Not allowed");
    assert!(lines.iter().any(|l| l.contains("kubectl rollout pause")));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("cannot patch deployments.apps"))
    );
    assert_eq!(stage(&app), None);
}

#[test]
fn pause_is_confirmed_with_y_journaled_and_not_followed() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    let fx = update(&mut app, key('p'));
    let op = through_plan(&mut app, fx, ClusterAction::Pause);
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("the confirmation");
    };
    assert!(!cc.typed, "pause is confirmed with y");
    assert!(
        cc.kubectl
            .contains("kubectl rollout pause deployment/checkout-api")
    );
    assert_eq!(app.mode(), Mode::ClusterConfirm);
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Cluster(ClusterEffect::Lock { op })]
    );
    let (fx, written) = execute(&mut app, op, "deployment.apps/checkout-api paused");
    assert_eq!(
        fx,
        vec![Effect::Cluster(ClusterEffect::Release { op })],
        "a pause is not followed"
    );
    assert!(matches!(
        written.as_slice(),
        [Entry::ClusterActionFinished { ok: true, .. }]
    ));
    assert_eq!(stage(&app), None);
}

#[test]
fn n_at_a_y_confirmation_sends_nothing() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    let fx = update(&mut app, key('R'));
    through_plan(&mut app, fx, ClusterAction::Restart);
    assert!(update(&mut app, key('n')).is_empty());
    assert!(app.layers.is_empty());
    assert_eq!(stage(&app), None);
}

#[test]
fn resume_and_restart_are_followed_like_an_undo() {
    for (k, action, msg) in [
        (
            'P',
            ClusterAction::Resume,
            "deployment.apps/checkout-api resumed",
        ),
        (
            'R',
            ClusterAction::Restart,
            "deployment.apps/checkout-api restarted",
        ),
    ] {
        let mut app = rollout_focused(false);
        menu_all_allowed(&mut app);
        let fx = update(&mut app, key(k));
        let op = through_plan(&mut app, fx, action);
        update(&mut app, key('y'));
        let (fx, _) = execute(&mut app, op, msg);
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Follow { op })]);
        let (fx, written) = send(
            &mut app,
            step(
                op,
                ClusterStep::Followed(Ok(FollowOutcome::Complete {
                    message: "deployment \"checkout-api\" successfully rolled out".into(),
                })),
            ),
        );
        assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Release { op })]);
        assert!(matches!(
            written.as_slice(),
            [Entry::ClusterActionFinished { ok: true, .. }]
        ));
    }
}

#[test]
fn scale_prompts_for_replicas_and_zero_needs_the_typed_name() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    assert!(update(&mut app, key('s')).is_empty());
    assert_eq!(prompt_value(&app), "3", "the current desired count");
    clear_prompt(&mut app);
    typed(&mut app, "many");
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("still asking");
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("not a number"))
    );
    clear_prompt(&mut app);
    typed(&mut app, "0");
    let fx = update(&mut app, code(KeyCode::Enter));
    through_plan(&mut app, fx, ClusterAction::Scale { replicas: 0 });
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("the confirmation");
    };
    assert!(cc.typed, "scale to zero needs the typed name");
    assert!(cc.question.contains("stop every pod"));
    assert!(update(&mut app, key('y')).is_empty(), "y is just typed");
    // A scale to 5 is confirmed with y.
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    update(&mut app, key('s'));
    clear_prompt(&mut app);
    typed(&mut app, "5");
    let fx = update(&mut app, code(KeyCode::Enter));
    let op = through_plan(&mut app, fx, ClusterAction::Scale { replicas: 5 });
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Cluster(ClusterEffect::Lock { op })]
    );
}

#[test]
fn set_image_defaults_to_the_runbooks_container_and_the_current_image() {
    let mut app = rollout_focused(false);
    app.cluster.as_mut().unwrap().container = Some("api".into());
    menu_all_allowed(&mut app);
    update(&mut app, key('i'));
    assert_eq!(prompt_value(&app), "api=registry.example/checkout-api:v3");
    clear_prompt(&mut app);
    typed(&mut app, "registry.example/checkout-api:v2");
    let fx = update(&mut app, code(KeyCode::Enter));
    through_plan(
        &mut app,
        fx,
        ClusterAction::SetImage {
            container: "api".into(),
            image: "registry.example/checkout-api:v2".into(),
        },
    );
}

#[test]
fn set_env_turns_a_feature_flag_off_with_y() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    update(&mut app, key('e'));
    typed(&mut app, "FEATURE_NEW_PRICING=false");
    let fx = update(&mut app, code(KeyCode::Enter));
    let want = ClusterAction::SetEnv {
        container: None,
        changes: vec![EnvChange::Set {
            name: "FEATURE_NEW_PRICING".into(),
            value: "false".into(),
        }],
    };
    let op = through_plan(&mut app, fx, want);
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Cluster(ClusterEffect::Lock { op })]
    );
}

/// Issue 14 point 5: `A=false B=false C=false D=false` typed in the prompt is four
/// variables in one action (it used to be one variable `A` with the value `false B=false
/// C=false D=false`), quoted as a shell user quotes them, as kubectl's
/// `pkg/cmd/set/env/env_parse.go` reads them.
#[test]
fn set_env_sets_four_pairs_in_one_action() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    update(&mut app, key('e'));
    typed(&mut app, "A=false B=false C=\"x y\" 'D=a=b'");
    let fx = update(&mut app, code(KeyCode::Enter));
    let set = |n: &str, v: &str| EnvChange::Set {
        name: n.into(),
        value: v.into(),
    };
    let want = ClusterAction::SetEnv {
        container: None,
        changes: vec![
            set("A", "false"),
            set("B", "false"),
            set("C", "x y"),
            set("D", "a=b"),
        ],
    };
    let op = through_plan(&mut app, fx, want.clone());
    let shown = app
        .cluster
        .as_ref()
        .unwrap()
        .op
        .as_ref()
        .unwrap()
        .kubectl
        .clone();
    assert!(
        shown.ends_with("A=false B=false 'C=x y' D=a=b"),
        "the kubectl equivalent quotes as a shell does: {shown}"
    );
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Cluster(ClusterEffect::Lock { op })]
    );
}

#[test]
fn the_set_env_prompt_lists_the_current_variables_secrets_by_reference() {
    use crate::domain::cluster::{EnvValue, EnvVarShown, TemplateContainer};
    let mut app = rollout_focused(false);
    let var = |n: &str, v: EnvValue| EnvVarShown {
        name: n.into(),
        value: v,
    };
    app.cluster
        .as_mut()
        .unwrap()
        .rollout
        .as_mut()
        .unwrap()
        .containers = vec![TemplateContainer {
        name: "api".into(),
        image: "registry.example/checkout-api:v3".into(),
        init: false,
        env: vec![
            var("FEATURE_NEW_PRICING", EnvValue::Value("true".into())),
            var("API_KEY", EnvValue::Value("sk-live-123".into())),
            var(
                "DB_PASSWORD",
                EnvValue::Reference("secret checkout-db, key password".into()),
            ),
        ],
    }];
    menu_all_allowed(&mut app);
    update(&mut app, key('e'));
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("the set-env prompt");
    };
    assert!(
        p.hint.ends_with(
            "\napi: FEATURE_NEW_PRICING=true · API_KEY=‹redacted› · DB_PASSWORD from secret checkout-db, key password"
        ),
        "{}",
        p.hint
    );
    assert!(!p.hint.contains("sk-live-123"));
    // `-c` and `--from` go through the same parser as a runbook line.
    typed(
        &mut app,
        "-c api --from=secret/checkout-db FEATURE_NEW_PRICING-",
    );
    let fx = update(&mut app, code(KeyCode::Enter));
    let [Effect::Cluster(ClusterEffect::Preflight { action, .. })] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(
        action,
        &ClusterAction::SetEnv {
            container: Some("api".into()),
            changes: vec![
                EnvChange::Unset {
                    name: "FEATURE_NEW_PRICING".into()
                },
                EnvChange::From {
                    source: crate::domain::cluster::EnvSource::Secret("checkout-db".into()),
                    keys: vec![],
                },
            ],
        }
    );
}

#[test]
fn the_selector_switch_acts_on_the_runbooks_service_and_needs_the_typed_name() {
    let mut app = rollout_focused(false);
    app.cluster.as_mut().unwrap().service = Some("checkout".into());
    let asked = menu_all_allowed(&mut app);
    assert_eq!(asked.len(), ActionKind::ALL.len());
    update(&mut app, key('b'));
    typed(&mut app, "version=blue");
    let fx = update(&mut app, code(KeyCode::Enter));
    through_plan(
        &mut app,
        fx,
        ClusterAction::SwitchSelector {
            service: "checkout".into(),
            selector: [("version".to_string(), "blue".to_string())].into(),
        },
    );
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("the confirmation");
    };
    assert!(cc.typed);
    typed(&mut app, "checkout-api");
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Cluster(ClusterEffect::Lock { .. })]
    ));
}

#[test]
fn delete_pods_defaults_to_the_current_revisions_pods() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    update(&mut app, key('d'));
    assert_eq!(prompt_value(&app), "pod-template-hash=rs3");
    let fx = update(&mut app, code(KeyCode::Enter));
    through_plan(
        &mut app,
        fx,
        ClusterAction::DeletePods {
            selector: "pod-template-hash=rs3".into(),
        },
    );
    let (fx, _) = {
        typed(&mut app, "checkout-api");
        let fx = update(&mut app, code(KeyCode::Enter));
        let [Effect::Cluster(ClusterEffect::Lock { op })] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        execute(&mut app, *op, "pod \"checkout-api-rs3-a\" deleted")
    };
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Cluster(ClusterEffect::Release { .. })]
        ),
        "deleting pods is not followed: {fx:?}"
    );
}

#[test]
fn the_menu_moves_with_j_and_enter_picks() {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    update(&mut app, key('j'));
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        fx.as_slice(),
        [Effect::Cluster(ClusterEffect::Preflight {
            action: ClusterAction::Pause,
            ..
        })]
    ));
}

#[test]
fn read_only_refuses_the_menu() {
    let mut app = rollout_focused(false);
    app.cluster.as_mut().unwrap().read_only = true;
    assert!(update(&mut app, key('a')).is_empty());
    assert!(app.layers.is_empty());
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("read-only"))
    );
}

#[test]
fn values_typed_for_actions_parse_or_say_what_is_expected() {
    let p = |k, v| parse_param(k, v, None, Some("web"));
    assert_eq!(
        p(ActionKind::Scale, " 2 "),
        Ok(ClusterAction::Scale { replicas: 2 })
    );
    assert!(p(ActionKind::Scale, "-1").is_err());
    assert_eq!(
        p(ActionKind::SetImage, "shop/web:1.1"),
        Ok(ClusterAction::SetImage {
            container: "*".into(),
            image: "shop/web:1.1".into()
        })
    );
    assert!(p(ActionKind::SetImage, "web=a b").is_err());
    assert_eq!(
        p(ActionKind::SetEnv, "DEBUG-"),
        Ok(ClusterAction::SetEnv {
            container: None,
            changes: vec![EnvChange::Unset {
                name: "DEBUG".into()
            }]
        })
    );
    assert!(p(ActionKind::SetEnv, "1BAD=x").is_err());
    assert!(p(ActionKind::SetEnv, "novalue").is_err());
    assert_eq!(
        p(ActionKind::SwitchSelector, "app=web, version=green"),
        Ok(ClusterAction::SwitchSelector {
            service: "web".into(),
            selector: [
                ("app".to_string(), "web".to_string()),
                ("version".to_string(), "green".to_string())
            ]
            .into()
        })
    );
    assert!(p(ActionKind::SwitchSelector, "version").is_err());
    assert!(parse_param(ActionKind::SwitchSelector, "a=b", None, None).is_err());
    assert!(p(ActionKind::DeletePods, "  ").is_err());
}

// ---------------------------------------------------------------- native steps

/// A cluster app on namespace `checkout` whose step 2 is a kubectl line of `script`.
fn native_app(script: &str) -> App {
    use crate::domain::cluster::ClusterEvent;
    let mut app = app();
    app.runbook.phases[1].steps[0] = command(2, "Undo the rollout", script);
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "sim",
        "checkout",
        "checkout-api",
        false,
        false,
    ));
    for stream in [
        crate::domain::cluster::Stream::Pods,
        crate::domain::cluster::Stream::Rollout,
        crate::domain::cluster::Stream::Events,
    ] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: crate::domain::cluster::WatchState::Live { since: t0() },
            }),
        );
    }
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    app.cursor = app.flat_index_of(StepId(2)).unwrap();
    app
}

#[test]
fn a_kubectl_undo_step_opens_the_native_path_not_the_shell_confirm() {
    let mut app = native_app("kubectl rollout undo deployment/checkout-api -n checkout");
    let fx = update(&mut app, key('r'));
    assert!(
        !app.layers.iter().any(|l| matches!(l, Layer::Confirm(_))),
        "no shell confirmation"
    );
    let (fx, written) = settle(&mut app, fx);
    assert!(
        matches!(
            written.as_slice(),
            [Entry::PhaseEntered { .. }, Entry::CommandStarted { step: StepId(2), command, .. }]
                if command.starts_with("natively: kubectl rollout undo")
        ),
        "{written:?}"
    );
    let op = through_plan(&mut app, fx, ClusterAction::Undo { to_revision: None });
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("the native typed confirmation");
    };
    assert!(cc.typed);
    typed(&mut app, "checkout-api");
    update(&mut app, code(KeyCode::Enter));
    let (fx, _) = execute(&mut app, op, "deployment.apps/checkout-api rolled back");
    assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Follow { op })]);
    let (fx, written) = send(
        &mut app,
        step(
            op,
            ClusterStep::Followed(Ok(FollowOutcome::Complete {
                message: "deployment \"checkout-api\" successfully rolled out".into(),
            })),
        ),
    );
    assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Release { op })]);
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::ClusterActionFinished { ok: true, .. },
                Entry::CommandFinished {
                    step: StepId(2),
                    exit_code: Some(0),
                    ..
                }
            ]
        ),
        "{written:?}"
    );
    let step2 = app.find_step(StepId(2)).unwrap().clone();
    assert!(app.is_finished(&step2), "the step counts as done");
    assert!(
        app.output
            .lines
            .iter()
            .any(|l| l.text.contains("successfully rolled out"))
    );
}

#[test]
fn read_only_lines_answer_from_the_watch_in_the_output_pane() {
    let mut app = native_app(
        "kubectl rollout history deployment/checkout-api -n checkout\nkubectl -n checkout rollout status deploy checkout-api",
    );
    let fx = update(&mut app, key('r'));
    let (fx, _) = settle(&mut app, fx);
    assert!(fx.is_empty(), "nothing sent to the cluster: {fx:?}");
    // `rollout status` trusts the watch's last verdict after its usual delay.
    let t = app.now + chrono::Duration::seconds(2);
    let (_, written) = send(&mut app, Msg::Tick(t));
    assert!(matches!(
        written.last(),
        Some(Entry::CommandFinished {
            exit_code: Some(0),
            ..
        })
    ));
    let out: Vec<&str> = app.output.lines.iter().map(|l| l.text.as_str()).collect();
    // kubectl's bytes (issue 14 point 4): `tabbedString`'s padding of 2, after the name
    // printer's `deployment.apps/NAME ` line (tests/native_output_parity.rs).
    assert!(out.contains(&"deployment.apps/checkout-api "), "{out:?}");
    assert!(out.contains(&"REVISION  CHANGE-CAUSE"), "{out:?}");
    assert!(out.contains(&"3         deploy v3"), "{out:?}");
    assert!(
        out.iter().any(|l| l.contains("successfully rolled out")),
        "{out:?}"
    );
}

#[test]
fn a_denied_native_line_fails_the_step_without_the_shell() {
    let mut app = native_app("kubectl rollout undo deployment/checkout-api -n checkout");
    let fx = update(&mut app, key('r'));
    let (fx, _) = settle(&mut app, fx);
    let [Effect::Cluster(ClusterEffect::Preflight { op, .. })] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    let (fx, written) = send(&mut app, step(*op, denied("no patch for you")));
    assert!(fx.is_empty());
    assert!(matches!(
        written.as_slice(),
        [Entry::CommandFinished {
            exit_code: Some(1),
            ..
        }]
    ));
    let step2 = app.find_step(StepId(2)).unwrap().clone();
    assert!(!app.is_finished(&step2));
}

#[test]
fn a_block_with_a_pipe_runs_in_the_shell_after_the_exact_command_confirm() {
    let mut app = native_app("kubectl get pods -n checkout | grep Crash");
    let fx = update(&mut app, key('r'));
    assert!(fx.is_empty());
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
}

// ---------------------------------------------------------------- pods pane

#[test]
fn o_cycles_the_pods_sort_and_slash_filters() {
    let mut app = cluster_app("staging-eu", false);
    let sort = |app: &App| app.cluster.as_ref().unwrap().pods.sort_key();
    assert_eq!(sort(&app), (SortKey::Restarts, true));
    update(&mut app, key('o'));
    assert_eq!(sort(&app), (SortKey::Age, false));
    update(&mut app, key('o'));
    assert_eq!(sort(&app), (SortKey::Name, false));
    update(&mut app, key('o'));
    assert_eq!(sort(&app), (SortKey::Status, false));
    update(&mut app, key('o'));
    assert_eq!(sort(&app), (SortKey::Restarts, true));

    use crate::domain::cluster::ClusterEvent;
    for (n, s) in [
        ("a-1", "Running"),
        ("a-2", "CrashLoopBackOff"),
        ("b-3", "Running"),
    ] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::PodUpserted(pod(n, s, 1, 0, "v3", "rs3"))),
        );
    }
    update(&mut app, key('/'));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Prompt(p)) if p.purpose == PromptPurpose::PodFilter
    ));
    typed(&mut app, "crash");
    update(&mut app, code(KeyCode::Enter));
    let pods = &app.cluster.as_ref().unwrap().pods;
    assert_eq!(pods.filter(), "crash");
    assert_eq!(pods.visible_len(), 1);
    assert_eq!(pods.unhealthy(), 1);
    // An empty filter shows every pod again.
    update(&mut app, key('/'));
    clear_prompt(&mut app);
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.cluster.as_ref().unwrap().pods.visible_len(), 3);
}

// ---------------------------------------------------------------- quitting

#[test]
fn quitting_mid_follow_journals_the_abandoned_follow_then_quits_and_resume_says_so() {
    use crate::domain::cluster::{DeploymentFacts, FollowProgress, RolloutStatus};
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    let fx = update(&mut app, key('R'));
    let op = through_plan(&mut app, fx, ClusterAction::Restart);
    update(&mut app, key('y'));
    let (fx, _) = execute(&mut app, op, "deployment.apps/checkout-api restarted");
    assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Follow { op })]);
    let line = "Waiting for deployment \"checkout-api\" rollout to finish: 1 out of 3 new replicas have been updated...";
    update(
        &mut app,
        step(
            op,
            ClusterStep::Progress(FollowProgress::Observed {
                facts: DeploymentFacts {
                    name: "checkout-api".into(),
                    desired: Some(3),
                    updated: 1,
                    ..Default::default()
                },
                status: RolloutStatus::Progressing {
                    message: line.into(),
                },
            }),
        ),
    );
    let fx = update(&mut app, key('q'));
    assert!(!app.quitting, "not before the record is on disk");
    let [
        Effect::Journal(JournalEffect::Append {
            entry:
                Entry::ClusterActionFinished {
                    action,
                    outcome,
                    ok,
                },
            ..
        }),
    ] = fx.as_slice()
    else {
        panic!("the abandoned follow journaled: {fx:?}");
    };
    assert!(!ok);
    assert!(action.contains("kubectl rollout restart"));
    assert!(outcome.starts_with("abandoned at quit while following the rollout"));
    assert!(
        outcome.contains("restarted") && outcome.contains(line),
        "{outcome}"
    );
    let (fx, _) = settle(&mut app, fx);
    assert_eq!(fx, vec![Effect::Quit]);
    assert!(app.quitting);
    // Resuming replays the journal: the notice says what was left.
    let replayed = crate::domain::progress::Progress::replay(&app.records);
    let notice = super::resume_notice(&replayed).expect("a notice");
    assert!(notice.contains("kubectl rollout restart"), "{notice}");
    assert!(notice.contains("abandoned at quit"), "{notice}");
}

#[test]
fn quitting_with_nothing_under_way_quits_at_once_and_resume_is_quiet() {
    let mut app = rollout_focused(false);
    assert_eq!(update(&mut app, key('q')), vec![Effect::Quit]);
    assert_eq!(super::resume_notice(&app.state.progress), None);
}

#[test]
fn help_lists_the_cluster_keys_only_with_a_cluster() {
    let text = |app: &App| {
        crate::ui::popups::help::lines(app)
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let with = text(&rollout_focused(false));
    for want in [
        "Cluster actions menu",
        "pause the rollout (kubectl rollout pause)",
        "scale to a number of replicas",
        "sort the Pods pane",
        "filter the Pods pane",
    ] {
        assert!(with.contains(want), "{want}:\n{with}");
    }
    let without = text(&app());
    assert!(!without.contains("Cluster actions menu"), "{without}");
    assert!(!without.contains("sort the Pods pane"), "{without}");
}

#[test]
fn a_block_of_kubectl_lines_runs_native_lines_natively_and_the_rest_in_the_shell_in_order() {
    let mut app = native_app(
        "kubectl -n checkout rollout undo deployment/checkout-api\nkubectl -n checkout annotate deployment/checkout-api --overwrite kubernetes.io/change-cause=rollback",
    );
    // The shell's exact-command confirmation first, saying how each line runs.
    assert!(update(&mut app, key('r')).is_empty());
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the exact-command confirmation");
    };
    assert!(c.body[0].starts_with("native  kubectl -n checkout rollout undo"));
    assert!(c.body[1].starts_with("sh      kubectl -n checkout annotate"));
    let fx = update(&mut app, key('y'));
    let (fx, written) = settle(&mut app, fx);
    assert!(matches!(
        written.last(),
        Some(Entry::CommandStarted {
            step: StepId(2),
            ..
        })
    ));
    // The undo first, through the native path; the output shows its line once.
    let shown: Vec<&str> = app
        .output
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .filter(|l| l.starts_with("$ kubectl"))
        .collect();
    assert_eq!(
        shown,
        ["$ kubectl -n checkout rollout undo deployment/checkout-api"],
        "{:?}",
        app.output.lines
    );
    let op = through_plan(&mut app, fx, ClusterAction::Undo { to_revision: None });
    typed(&mut app, "checkout-api");
    update(&mut app, code(KeyCode::Enter));
    let (_, _) = execute(&mut app, op, "deployment.apps/checkout-api rolled back");
    let (fx, _) = send(
        &mut app,
        step(
            op,
            ClusterStep::Followed(Ok(FollowOutcome::Complete {
                message: "deployment \"checkout-api\" successfully rolled out".into(),
            })),
        ),
    );
    // Then the annotate line, in the shell, under the same run: the server's dry run
    // first (issue 14 point 3), y, then it runs.
    let run = app.output.run.expect("a run");
    assert_eq!(fx.len(), 2, "{fx:?}");
    assert_eq!(fx[0], Effect::Cluster(ClusterEffect::Release { op }));
    let fx = shell_line_previewed(&mut app, &fx[1..]);
    let Some(Effect::Shell(ShellEffect::Spawn { run: r, script, .. })) = fx.first() else {
        panic!("the shell line: {fx:?}");
    };
    assert_eq!(*r, run);
    assert!(script.starts_with("kubectl -n checkout annotate"));
    assert!(app.running.is_some(), "Ctrl-C can cancel it");
    let (fx, written) = send(
        &mut app,
        Msg::Exited {
            run,
            exit_code: Some(0),
            duration_ms: 40,
            cancelled: false,
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        matches!(
            written.as_slice(),
            [Entry::CommandFinished {
                step: StepId(2),
                exit_code: Some(0),
                ..
            }]
        ),
        "{written:?}"
    );
    assert!(app.running.is_none());
    let step2 = app.find_step(StepId(2)).unwrap().clone();
    assert!(app.is_finished(&step2));
}

/// A changing kubectl line in the shell is previewed first: the server's dry run
/// answers, `y` on its confirmation; the effects after it.
fn shell_line_previewed(app: &mut App, fx: &[Effect]) -> Vec<Effect> {
    let [Effect::Shell(ShellEffect::PreviewLine { block, line, .. })] = fx else {
        panic!("the preview first: {fx:?}")
    };
    let ok = |stdout: &str| crate::domain::cluster::line_preview::Captured {
        ok: true,
        stdout: stdout.into(),
        stderr: String::new(),
    };
    send(
        app,
        Msg::LinePreviewed {
            block: *block,
            line: *line,
            answer: crate::domain::cluster::line_preview::PreviewAnswer {
                dry_run: ok("metadata:\n  annotations:\n    a: b\n"),
                live: Some(ok("metadata:\n  annotations: {}\n")),
            },
        },
    );
    assert!(matches!(
        app.layers.last(),
        Some(Layer::Confirm(c)) if c.intent == crate::ui::state::Intent::RunPreviewedLine { step: StepId(2) }
    ));
    send(app, key('y')).0
}

#[test]
fn a_failing_shell_line_fails_the_run_and_stops_the_block() {
    let mut app = native_app(
        "kubectl -n checkout annotate deployment/checkout-api a=b\nkubectl -n checkout rollout pause deployment/checkout-api",
    );
    update(&mut app, key('r'));
    let fx = update(&mut app, key('y'));
    let (fx, _) = settle(&mut app, fx);
    let fx = shell_line_previewed(&mut app, &fx);
    let [Effect::Shell(ShellEffect::Spawn { run, .. })] = fx.as_slice() else {
        panic!("the shell line first: {fx:?}");
    };
    let (fx, written) = send(
        &mut app,
        Msg::Exited {
            run: *run,
            exit_code: Some(1),
            duration_ms: 40,
            cancelled: false,
        },
    );
    assert!(fx.is_empty(), "the pause never starts: {fx:?}");
    assert!(matches!(
        written.as_slice(),
        [Entry::CommandFinished {
            exit_code: Some(1),
            ..
        }]
    ));
    assert_eq!(stage(&app), None);
}

#[test]
fn the_menu_shows_each_kinds_kubectl_with_what_is_asked_later_in_capitals() {
    let app = rollout_focused(false);
    let c = app.cluster.as_ref().unwrap();
    let f = "--context staging-eu -n shop";
    assert_eq!(
        ActionKind::Scale.kubectl_template(c),
        format!("kubectl scale deployment/checkout-api {f} --replicas=N")
    );
    assert_eq!(
        ActionKind::SetEnv.kubectl_template(c),
        format!("kubectl set env deployment/checkout-api {f} NAME=VALUE")
    );
    assert_eq!(
        ActionKind::DeletePods.kubectl_template(c),
        format!("kubectl delete pods {f} -l SELECTOR")
    );
    assert_eq!(
        ActionKind::Pause.kubectl_template(c),
        format!("kubectl rollout pause deployment/checkout-api {f}")
    );
}

// ---------------------------------------------------------------- rollout status waits

fn rollout_seen(app: &mut App, view: crate::domain::cluster::RolloutView) -> Vec<Entry> {
    use crate::domain::cluster::ClusterEvent;
    send(app, Msg::Cluster(ClusterEvent::Rollout(view))).1
}

fn output(app: &App) -> Vec<String> {
    app.output.lines.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn rollout_status_waits_for_the_rollout_like_kubectl_then_the_block_goes_on() {
    let mut app = native_app(
        "kubectl -n checkout rollout status deploy checkout-api\nkubectl rollout history deployment/checkout-api -n checkout",
    );
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    let fx = update(&mut app, key('r'));
    let (fx, written) = settle(&mut app, fx);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        !written
            .iter()
            .any(|e| matches!(e, Entry::CommandFinished { .. })),
        "still waiting: {written:?}"
    );
    let waiting = "Waiting for deployment \"checkout-api\" rollout to finish: 1 out of 3 new replicas have been updated...";
    assert_eq!(output(&app).last().map(String::as_str), Some(waiting));

    // The same progress is printed once; new progress is printed.
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    rollout_seen(&mut app, rollout(3, 3, 2, 2));
    let out = output(&app);
    assert_eq!(out.iter().filter(|l| *l == waiting).count(), 1, "{out:?}");
    assert!(
        out.last()
            .unwrap()
            .contains("2 of 3 updated replicas are available")
    );

    // Complete: the line succeeds and the next one runs.
    let written = rollout_seen(&mut app, rollout(3, 3, 3, 3));
    let out = output(&app);
    assert!(
        out.contains(&"deployment \"checkout-api\" successfully rolled out".to_string()),
        "{out:?}"
    );
    assert!(
        out.contains(&"REVISION  CHANGE-CAUSE".to_string()),
        "{out:?}"
    );
    assert_eq!(only_finished(&written), Some(Some(0)), "{written:?}");
}

#[test]
fn rollout_status_fails_on_the_progress_deadline_and_stops_the_block() {
    use crate::domain::cluster::Condition;
    let mut app = native_app(
        "kubectl -n checkout rollout status deploy checkout-api\nkubectl rollout undo deployment/checkout-api -n checkout",
    );
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let mut stuck = rollout(3, 1, 1, 1);
    stuck.conditions.push(Condition {
        type_: "Progressing".into(),
        status: "False".into(),
        reason: "ProgressDeadlineExceeded".into(),
        message: String::new(),
    });
    stuck.status = crate::domain::cluster::RolloutStatus::Failed {
        message: "deployment \"checkout-api\" exceeded its progress deadline".into(),
    };
    let written = rollout_seen(&mut app, stuck);
    assert_eq!(only_finished(&written), Some(Some(1)), "{written:?}");
    assert_eq!(
        output(&app).last().map(String::as_str),
        Some("error: deployment \"checkout-api\" exceeded its progress deadline")
    );
    assert_eq!(stage(&app), None, "the undo after it never started");
}

#[test]
fn rollout_status_times_out_on_the_clock_and_ctrl_c_stops_the_wait() {
    let mut app =
        native_app("kubectl -n checkout rollout status deploy checkout-api --timeout=60s");
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let t = app.now;
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::seconds(30)));
    assert!(written.is_empty(), "not yet: {written:?}");
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::seconds(61)));
    assert_eq!(only_finished(&written), Some(Some(1)), "{written:?}");
    assert_eq!(
        output(&app).last().map(String::as_str),
        Some("error: timed out waiting for the condition")
    );

    // Without --timeout it waits until Ctrl-C.
    let mut app = native_app("kubectl -n checkout rollout status deploy checkout-api");
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::hours(2)));
    assert!(written.is_empty(), "{written:?}");
    let (_, written) = send(&mut app, ctrl('c'));
    assert_eq!(only_finished(&written), Some(Some(1)), "{written:?}");
}

#[test]
fn a_mixed_block_with_placeholders_shows_each_line_once() {
    let mut app = native_app(
        "kubectl -n checkout rollout undo deployment/checkout-api --to-revision=<revision>\nkubectl -n checkout annotate deployment/checkout-api --overwrite kubernetes.io/change-cause=\"rollback to <revision>\"",
    );
    update(&mut app, key('r'));
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("the placeholder prompt");
    };
    // The prompt lists the revisions the console sees, as the Rollout pane does.
    assert!(
        p.hint
            .starts_with("Revisions of checkout-api: 3 (v3, current) · 2 (v2, previous)"),
        "{}",
        p.hint
    );
    typed(&mut app, "2");
    let fx = update(&mut app, code(KeyCode::Enter));
    let (_, _) = settle(&mut app, fx);
    let Some(Layer::Confirm(_)) = app.layers.last() else {
        panic!("the exact-command confirmation");
    };
    let fx = update(&mut app, key('y'));
    let (_, _) = settle(&mut app, fx);
    let shown: Vec<&str> = app
        .output
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .filter(|l| l.starts_with("$ kubectl"))
        .collect();
    assert_eq!(
        shown,
        ["$ kubectl -n checkout rollout undo deployment/checkout-api --to-revision=2"],
        "{:?}",
        app.output.lines
    );
}

#[test]
fn a_native_run_shows_each_line_once_under_a_line_by_line_header() {
    let mut app = native_app(
        "kubectl -n checkout rollout undo deployment/checkout-api\nkubectl -n checkout annotate deployment/checkout-api --overwrite kubernetes.io/change-cause=rollback",
    );
    update(&mut app, key('r'));
    let fx = update(&mut app, key('y'));
    let (fx, _) = settle(&mut app, fx);
    let op = through_plan(&mut app, fx, ClusterAction::Undo { to_revision: None });
    let _ = op;
    // Waiting for the typed confirmation: the step is running, not interrupted.
    app.layers.clear();
    let text = crate::ui::testkit::screen(&app, 120, 40);
    assert!(text.contains("⟳ run 1 running for"), "{text}");
    assert!(!text.contains("interrupted"), "{text}");
    let output = text
        .lines()
        .skip_while(|l| !l.contains("Output · run 1"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        output.matches("$ kubectl -n checkout rollout undo").count(),
        1,
        "{output}"
    );
    assert!(output.contains("line by line (native lines"), "{output}");
    insta::assert_snapshot!(text);
}

#[test]
fn nothing_else_acts_on_the_cluster_while_a_steps_kubectl_lines_wait() {
    let mut app = native_app(
        "kubectl -n checkout rollout status deploy checkout-api\nkubectl rollout history deployment/checkout-api -n checkout",
    );
    rollout_seen(&mut app, rollout(3, 1, 1, 1));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let waiting = |app: &App| {
        app.cluster
            .as_ref()
            .and_then(|c| c.native.as_ref())
            .is_some_and(|r| r.waiting.is_some())
    };
    assert!(waiting(&app));
    // The actions menu, an undo from the Rollout pane, another command step: refused.
    assert!(update(&mut app, key('a')).is_empty());
    assert!(!matches!(app.layers.last(), Some(Layer::ActionMenu(_))));
    assert!(
        app.flash
            .as_ref()
            .unwrap()
            .text
            .contains("kubectl lines are running"),
        "{:?}",
        app.flash
    );
    app.focus = crate::ui::state::Pane::Rollout;
    assert!(update(&mut app, key('u')).is_empty());
    assert_eq!(stage(&app), None, "no undo started");
    app.focus = crate::ui::state::Pane::Procedure;
    app.cursor = app.flat_index_of(StepId(3)).unwrap();
    let fx = update(&mut app, key('r'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(app.layers.is_empty(), "no confirmation, no prompt");
    assert!(app.running.is_none());
    // The wait is intact and ends as before.
    assert!(waiting(&app));
    let written = rollout_seen(&mut app, rollout(3, 3, 3, 3));
    assert_eq!(only_finished(&written), Some(Some(0)), "{written:?}");
}

#[test]
fn an_absurd_rollout_status_timeout_waits_instead_of_crashing() {
    for timeout in [
        "--timeout=3000000000000h",
        "--timeout=99999999999999999999s",
    ] {
        let mut app = native_app(&format!(
            "kubectl -n checkout rollout status deploy checkout-api {timeout}"
        ));
        rollout_seen(&mut app, rollout(3, 1, 1, 1));
        let fx = update(&mut app, key('r'));
        let (_, written) = settle(&mut app, fx);
        assert!(
            !written
                .iter()
                .any(|e| matches!(e, Entry::CommandFinished { .. })),
            "{timeout}: {written:?}"
        );
        assert!(
            app.cluster
                .as_ref()
                .and_then(|c| c.native.as_ref())
                .is_some_and(|r| r.waiting.is_some()),
            "{timeout}: runs natively and waits"
        );
        let t = app.now;
        let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::hours(1)));
        assert!(written.is_empty(), "{timeout}: still waiting: {written:?}");
    }
}

#[test]
fn rollout_status_does_not_trust_a_verdict_older_than_its_own_start() {
    // The watch last spoke before the line started (a shell line may just have changed
    // the Deployment): a newer event, or the watch's usual delay, is waited for.
    let mut app = native_app("kubectl -n checkout rollout status deploy checkout-api");
    let t = app.now + chrono::Duration::seconds(10);
    update(&mut app, Msg::Tick(t));
    let fx = update(&mut app, key('r'));
    let (_, written) = settle(&mut app, fx);
    assert!(
        !written
            .iter()
            .any(|e| matches!(e, Entry::CommandFinished { .. })),
        "not on the old verdict: {written:?}"
    );
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::seconds(1)));
    assert!(written.is_empty(), "{written:?}");
    // A fresh event says it is complete: done.
    let written = rollout_seen(&mut app, rollout(3, 3, 3, 3));
    assert_eq!(only_finished(&written), Some(Some(0)), "{written:?}");

    // While the watch is down, the old verdict is not trusted however long it has been.
    let mut app = native_app("kubectl -n checkout rollout status deploy checkout-api");
    update(
        &mut app,
        Msg::Cluster(crate::domain::cluster::ClusterEvent::WatchState {
            stream: crate::domain::cluster::Stream::Rollout,
            state: crate::domain::cluster::WatchState::Reconnecting {
                attempt: 1,
                error: "connection reset".into(),
            },
        }),
    );
    let t = app.now + chrono::Duration::seconds(10);
    update(&mut app, Msg::Tick(t));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::seconds(30)));
    assert!(written.is_empty(), "{written:?}");

    // With no event at all, the verdict stands after the watch's usual delay.
    let mut app = native_app("kubectl -n checkout rollout status deploy checkout-api");
    let t = app.now + chrono::Duration::seconds(10);
    update(&mut app, Msg::Tick(t));
    let fx = update(&mut app, key('r'));
    settle(&mut app, fx);
    let (_, written) = send(&mut app, Msg::Tick(t + chrono::Duration::seconds(2)));
    assert_eq!(only_finished(&written), Some(Some(0)), "{written:?}");
}

/// The exit code when `written` is exactly one `CommandFinished` record.
fn only_finished(written: &[Entry]) -> Option<Option<i32>> {
    match written {
        [Entry::CommandFinished { exit_code, .. }] => Some(*exit_code),
        _ => None,
    }
}

#[test]
fn declining_a_native_lines_confirmation_is_declined_not_a_failed_run() {
    let mut app = native_app("kubectl rollout undo deployment/checkout-api -n checkout");
    let fx = update(&mut app, key('r'));
    let (fx, _) = settle(&mut app, fx);
    through_plan(&mut app, fx, ClusterAction::Undo { to_revision: None });
    assert!(matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))));
    let (_, written) = send(&mut app, code(KeyCode::Esc));
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::CommandFinished {
                    step: StepId(2),
                    exit_code: None,
                    cancelled: true,
                    ..
                },
                Entry::CommandDeclined { step: StepId(2), command }
            ] if command.starts_with("kubectl rollout undo")
        ),
        "{written:?}"
    );
    assert!(
        !written.iter().any(|e| matches!(
            e,
            Entry::CommandFinished {
                exit_code: Some(1),
                ..
            }
        )),
        "never 'exited 1'"
    );
    assert!(app.cluster.as_ref().is_some_and(|c| c.native.is_none()));
    let pane = screen(&app, 120, 40);
    assert!(pane.contains("not run (declined)"), "{pane}");
}

// ---------------------------------------------------------------- resuming a follow

/// A console that journaled `RolloutFollowStarted` for `kubectl rollout restart` and
/// then died (or quit, when `quit`): the records a resume reads.
fn records_of_a_console_stopped_mid_follow(quit: bool) -> Vec<crate::domain::journal::Record> {
    let mut app = rollout_focused(false);
    menu_all_allowed(&mut app);
    let fx = update(&mut app, key('R'));
    let op = through_plan(&mut app, fx, ClusterAction::Restart);
    update(&mut app, key('y'));
    let (fx, written) = execute(&mut app, op, "deployment.apps/checkout-api restarted");
    assert_eq!(fx, vec![Effect::Cluster(ClusterEffect::Follow { op })]);
    assert!(
        written
            .iter()
            .any(|e| matches!(e, Entry::RolloutFollowStarted { .. })),
        "{written:?}"
    );
    if quit {
        let fx = update(&mut app, key('q'));
        settle(&mut app, fx);
        assert!(app.quitting);
    }
    app.records.clone()
}

/// The resumed console on the same target, before and after it sees the Deployment.
fn resumed_with(records: Vec<crate::domain::journal::Record>, deployment: &str) -> App {
    let before = app();
    let mut app = App::new(
        before.runbook.clone(),
        before.session.clone(),
        records,
        crate::ui::theme::Theme::dark(),
        crate::ui::keymap::Keymap::defaults(),
        t0(),
    );
    app.size = (120, 40);
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "staging-eu",
        "shop",
        deployment,
        false,
        false,
    ));
    app
}

#[test]
fn a_resumed_console_follows_again_the_rollout_its_predecessor_was_following() {
    use crate::domain::cluster::ClusterEvent;
    for quit in [false, true] {
        let records = records_of_a_console_stopped_mid_follow(quit);
        let mut app = resumed_with(records, "checkout-api");
        // Nothing before the Deployment is seen.
        let fx = update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream: crate::domain::cluster::Stream::Pods,
                state: crate::domain::cluster::WatchState::Live { since: t0() },
            }),
        );
        assert!(fx.is_empty(), "{fx:?}");
        let fx = update(
            &mut app,
            Msg::Cluster(ClusterEvent::Rollout(rollout(3, 1, 1, 1))),
        );
        let (fx, written) = settle(&mut app, fx);
        let [Entry::RolloutFollowStarted { action }] = written.as_slice() else {
            panic!("the follow journaled again (quit: {quit}): {written:?}");
        };
        assert!(action.contains("kubectl rollout restart deployment/checkout-api"));
        let [Effect::Cluster(ClusterEffect::Follow { op })] = fx.as_slice() else {
            panic!("the follow asked of the executor: {fx:?}");
        };
        let op = *op;
        assert_eq!(stage(&app), Some(OpStage::Following));
        // Once: later events do not follow it twice.
        let fx = update(
            &mut app,
            Msg::Cluster(ClusterEvent::Rollout(rollout(3, 2, 2, 2))),
        );
        assert!(fx.is_empty(), "{fx:?}");
        // Its end is journaled as any follow's, and nothing is left to re-attach to.
        let (fx, written) = send(
            &mut app,
            step(
                op,
                ClusterStep::Followed(Ok(FollowOutcome::Complete {
                    message: "deployment \"checkout-api\" successfully rolled out".into(),
                })),
            ),
        );
        assert!(
            fx.contains(&Effect::Cluster(ClusterEffect::Release { op })),
            "{fx:?}"
        );
        let Some(Entry::ClusterActionFinished { outcome, ok, .. }) = written.first() else {
            panic!("the outcome journaled: {written:?}");
        };
        assert!(ok);
        assert_eq!(
            outcome,
            "re-attached on resume; deployment \"checkout-api\" successfully rolled out"
        );
        assert_eq!(
            crate::domain::unfinished_follow::unfinished_follow(&app.records),
            None
        );
    }
}

#[test]
fn a_resumed_console_on_another_deployment_does_not_follow_but_says_so() {
    use crate::domain::cluster::ClusterEvent;
    let records = records_of_a_console_stopped_mid_follow(false);
    let mut app = resumed_with(records, "payments-api");
    let fx = update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(stage(&app), None);
    let flash = app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("check that rollout by hand"), "{flash}");
}

#[test]
fn a_batch_of_pod_changes_updates_the_table_like_one_message_per_pod() {
    use crate::domain::cluster::{ClusterEvent, PodChange};
    let mut batched = cluster_app("staging-eu", false);
    let mut single = cluster_app("staging-eu", false);
    for (n, s) in [("a-1", "Running"), ("a-2", "Running"), ("b-3", "Running")] {
        for app in [&mut batched, &mut single] {
            update(
                app,
                Msg::Cluster(ClusterEvent::PodUpserted(pod(n, s, 1, 0, "v3", "rs3"))),
            );
        }
    }
    let changes = vec![
        PodChange::Upserted(pod("a-2", "CrashLoopBackOff", 0, 4, "v3", "rs3")),
        PodChange::Deleted("b-3".into()),
        PodChange::Upserted(pod("c-4", "Pending", 0, 0, "v4", "rs4")),
    ];
    update(
        &mut batched,
        Msg::Cluster(ClusterEvent::PodsChanged {
            changes: changes.clone(),
        }),
    );
    for c in changes {
        let msg = match c {
            PodChange::Upserted(r) => ClusterEvent::PodUpserted(r),
            PodChange::Deleted(n) => ClusterEvent::PodDeleted(n),
        };
        update(&mut single, Msg::Cluster(msg));
    }
    let rows = |app: &App| {
        let pods = &app.cluster.as_ref().unwrap().pods;
        let names: Vec<(String, String)> = pods
            .visible(0, 10)
            .iter()
            .map(|r| (r.name.clone(), r.status.clone()))
            .collect();
        (names, pods.len(), pods.unhealthy())
    };
    assert_eq!(rows(&batched), rows(&single));
    assert_eq!(rows(&batched).1, 3);
    assert_eq!(rows(&batched).2, 1);
}
