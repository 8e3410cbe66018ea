//! Snapshots of the cluster actions' popups: the actions menu with a denied action, a
//! value prompt, and a diff with the `y` confirmation.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::{AccessCheck, ClusterAction, Diff, Planned, Preflight};
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::state::App;
use crate::ui::state::cluster::ClusterStep;
use crate::ui::testkit::*;
use crate::ui::update::update;

/// The menu open, every access answered, pause denied.
fn menu_with_pause_denied() -> App {
    let mut app = rollout_focused(false);
    let fx = update(&mut app, key('a'));
    for e in fx {
        let Effect::Cluster(ClusterEffect::Preflight { op, action }) = e else {
            continue;
        };
        let answer = if action == ClusterAction::Pause {
            Preflight::Denied {
                reason: "user \"dev@example.com\" cannot patch deployments.apps in \"shop\"".into(),
                checks: vec![AccessCheck {
                    verb: "patch".into(),
                    group: "apps".into(),
                    resource: "deployments".into(),
                    subresource: String::new(),
                    allowed: false,
                    reason: String::new(),
                }],
            }
        } else {
            Preflight::Allowed { checks: vec![] }
        };
        update(&mut app, step(op, ClusterStep::Preflight(Ok(answer))));
    }
    app
}

#[test]
fn action_menu_with_a_denied_action() {
    let app = menu_with_pause_denied();
    let s = screen(&app, 120, 40);
    assert!(s.contains("Actions on deployment/checkout-api"), "{s}");
    assert!(
        s.contains("kubectl rollout undo deployment/checkout-api --context staging-eu -n shop"),
        "{s}"
    );
    assert!(s.contains("not allowed: user \"dev@example.com\""), "{s}");
    assert!(
        s.contains("not available: the runbook names no target.service"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn action_menu_fits_80x24() {
    let app = menu_with_pause_denied();
    let s = screen(&app, 80, 24);
    assert!(s.contains("delete pods by selector"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn scale_prompt() {
    let mut app = menu_with_pause_denied();
    update(&mut app, key('s'));
    let s = screen(&app, 120, 40);
    assert!(s.contains("Scale deployment/checkout-api"), "{s}");
    assert!(s.contains("How many replicas?"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn set_env_diff_and_y_confirmation() {
    let mut app = menu_with_pause_denied();
    update(&mut app, key('e'));
    typed(&mut app, "FEATURE_NEW_PRICING=false");
    let fx = update(&mut app, code(KeyCode::Enter));
    let [Effect::Cluster(ClusterEffect::Preflight { op, .. })] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    let op = *op;
    update(
        &mut app,
        step(
            op,
            ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] })),
        ),
    );
    update(
        &mut app,
        step(
            op,
            ClusterStep::Planned(Ok(Planned::Change {
                diff: Diff {
                    lines: vec![
                        "@@ spec.template.spec.containers[checkout-api].env @@".into(),
                        " - name: FEATURE_NEW_PRICING".into(),
                        "-  value: \"true\"".into(),
                        "+  value: \"false\"".into(),
                    ],
                    added: 1,
                    removed: 1,
                },
                kubectl: "kubectl set env deployment/checkout-api --context staging-eu -n shop FEATURE_NEW_PRICING=false".into(),
            })),
        ),
    );
    let s = screen(&app, 120, 40);
    assert!(s.contains("Set env of deployment/checkout-api"), "{s}");
    assert!(s.contains("+  value: \"false\""), "{s}");
    assert!(s.contains("Go ahead and set it?"), "{s}");
    assert!(s.contains("y goes ahead · n cancels"), "{s}");
    insta::assert_snapshot!(s);
}

/// Issue 14 point 5: the set-env prompt shows what it takes and the container's current
/// variables, a secret-sourced one by reference only and a secret-named value masked.
#[test]
fn set_env_prompt_lists_the_current_variables() {
    use crate::domain::cluster::{EnvValue, EnvVarShown, TemplateContainer};
    let mut app = menu_with_pause_denied();
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
        name: "checkout-api".into(),
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
    update(&mut app, key('e'));
    typed(&mut app, "FEATURE_NEW_PRICING=false RETRIES=3");
    let s = screen(&app, 120, 40);
    assert!(s.contains("FEATURE_NEW_PRICING=true"), "{s}");
    assert!(s.contains("checkout-api: FEATURE_NEW_PRICING=true"), "{s}");
    assert!(s.contains("DB_PASSWORD from"), "{s}");
    assert!(!s.contains("sk-live-123"), "{s}");
    assert!(s.contains("Enter saves"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn pods_pane_title_shows_the_sort_and_the_filter() {
    use crate::domain::cluster::ClusterEvent;
    use crate::ui::msg::Msg;
    let mut app = rollout_focused(false);
    for (n, s, r) in [
        ("checkout-api-rs3-a", "Running", 0),
        ("checkout-api-rs3-b", "CrashLoopBackOff", 7),
        ("checkout-api-rs3-c", "Running", 1),
    ] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::PodUpserted(pod(n, s, 1, r, "v3", "rs3"))),
        );
    }
    update(&mut app, key('o'));
    update(&mut app, key('o'));
    update(&mut app, key('/'));
    typed(&mut app, "running");
    update(&mut app, code(KeyCode::Enter));
    let s = screen(&app, 120, 40);
    assert!(
        s.contains("Pods 3 · 1 unhealthy · by name↑ · /running 2 shown"),
        "{s}"
    );
    assert!(!s.contains("checkout-api-rs3-b "), "filtered out:\n{s}");
    let a = s.find("checkout-api-rs3-a").expect("a shown");
    let c = s.find("checkout-api-rs3-c").expect("c shown");
    assert!(a < c, "by name:\n{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn the_step_pane_says_how_a_kubectl_block_runs() {
    use crate::domain::cluster::ClusterEvent;
    use crate::domain::runbook::StepId;
    use crate::ui::msg::Msg;
    let shown = |script: &str| {
        let mut app = app();
        app.runbook.phases[1].steps[0] = command(2, "Undo the rollout", script);
        app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
            "sim",
            "checkout",
            "checkout-api",
            false,
            false,
        ));
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
        );
        app.cursor = app.flat_index_of(StepId(2)).unwrap();
        screen(&app, 120, 40)
    };
    let s = shown("kubectl rollout undo deployment/checkout-api -n checkout");
    assert!(
        s.contains("runs natively: 1 kubectl line through the cluster action path"),
        "{s}"
    );
    let s = shown(
        "kubectl rollout undo deployment/checkout-api -n checkout\nkubectl annotate deployment/checkout-api -n checkout a=b",
    );
    assert!(
        s.contains("runs in order: 1 kubectl line natively, 1 in /bin/sh"),
        "{s}"
    );
    let s = shown("kubectl rollout undo deployment/checkout-api -n checkout\necho done");
    assert!(
        s.contains("runs in /bin/sh, not natively (runbook line 12 `echo done`: not a"),
        "{s}"
    );
}

/// The reason a block runs in `/bin/sh` names the line in the runbook file (not the
/// position among the block's commands) and the command's first words.
#[test]
fn the_step_pane_names_the_runbook_line_that_runs_in_the_shell() {
    use crate::domain::cluster::ClusterEvent;
    use crate::domain::runbook::{StepId, StepKind};
    use crate::ui::msg::Msg;
    let text = "# Checkout rollback\n\n## Execute the rollback\n\n```sh\n# undo it\nkubectl rollout undo deployment/checkout-api -n checkout\n\nargocd app sync checkout-api \\\n  --prune\n```\n";
    let parsed =
        crate::domain::runbook::parse(std::path::Path::new("rb.md"), text).expect("parses");
    let mut step = parsed
        .phases
        .iter()
        .flat_map(|p| &p.steps)
        .find(|s| matches!(s.kind, StepKind::Command(_)))
        .expect("a command step")
        .clone();
    step.id = StepId(2);
    let mut app = app();
    app.runbook.phases[1].steps[0] = step;
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "sim",
        "checkout",
        "checkout-api",
        false,
        false,
    ));
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    app.cursor = app.flat_index_of(StepId(2)).unwrap();
    let s = screen(&app, 160, 48);
    assert!(
        s.contains("runs in /bin/sh, not natively (runbook line 9 `argocd app sync …`: not a kubectl command)"),
        "{s}"
    );
}
