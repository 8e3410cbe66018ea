//! A step of `argocd app` lines runs through Argo CD's API: reads print at once, a
//! mutating line is previewed, confirmed with the application's name, journaled before it
//! is sent (`ClusterActionRequested` with its change detail) and its outcome journaled; a
//! decline sends nothing; a failed read ends the run failed.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::runbook::StepId;
use crate::ui::effect::{ArgoEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::argo::{ArgoAnswer, ArgoCall};
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

fn argo_app(script: &str) -> App {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("gitops.md"),
        &format!("# GitOps\n\n## 2. Execute\n\nRoll back.\n\n```bash\n{script}\n```\n"),
    )
    .expect("loads");
    let mut app = app_for(book);
    app.argo.server_from_env = true;
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    app
}

fn argo_call(fx: &[Effect]) -> (u64, String, ArgoCall) {
    fx.iter()
        .find_map(|f| match f {
            Effect::Argo(ArgoEffect::Run { op, text, call }) => Some((*op, text.clone(), *call)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no argocd call in {fx:?}"))
}

fn output(app: &App) -> Vec<String> {
    app.output.lines.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn argocd_lines_run_through_the_api_previewed_confirmed_and_journaled() {
    let mut app = argo_app("argocd app history checkout-api\nargocd app rollback checkout-api 1");
    // `r` starts the run: no shell confirmation, the run is journaled first.
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(
            &written[..],
            [Entry::PhaseEntered { .. }, Entry::CommandStarted { run: 1, command, .. }]
                if command == "natively (Argo CD API): argocd app history checkout-api\nargocd app rollback checkout-api 1\n"
        ),
        "{written:?}"
    );
    let (op, text, call) = argo_call(&fx);
    assert_eq!(
        (text.as_str(), call),
        ("argocd app history checkout-api", ArgoCall::Read)
    );
    let (fx, written) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Printed {
                output: vec!["ID  DATE  REVISION".into(), "0   today 1.5.0".into()],
                ok: true,
            },
        },
    );
    assert!(written.is_empty());
    let (op, text, call) = argo_call(&fx);
    assert_eq!(
        (text.as_str(), call),
        ("argocd app rollback checkout-api 1", ArgoCall::Prepare)
    );
    // The preview opens the typed confirmation; nothing is sent yet.
    let change = ChangeDetail {
        to_image: Some("reg/checkout-api:1.5.0".into()),
        from_image: Some("reg/checkout-api:1.6.0".into()),
        previewed: Some("Argo CD revision metadata and manifests".into()),
        ..ChangeDetail::default()
    };
    let (fx, _) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Preview {
                lines: vec!["Application checkout-api: roll back to commit abc1234".into()],
                change: change.clone(),
            },
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("no typed confirmation");
    };
    assert_eq!(cc.expected, "checkout-api");
    assert_eq!(
        cc.diff,
        ["Application checkout-api: roll back to commit abc1234"]
    );
    // A wrong name is refused and says what to type.
    typed(&mut app, "checkout");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty() && written.is_empty());
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("still asking");
    };
    assert_eq!(
        cc.error.as_deref(),
        Some("Type the application name exactly (checkout-api) to go ahead; Esc cancels.")
    );
    typed(&mut app, "-api");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    // The intent is on disk before the request goes.
    let [
        Entry::ClusterActionRequested {
            action,
            target,
            change: Some(c),
        },
    ] = &written[..]
    else {
        panic!("{written:?}");
    };
    assert_eq!(action, "argocd app rollback checkout-api 1");
    assert_eq!(target, "argocd/checkout-api");
    assert_eq!(c.via.as_deref(), Some("step #1 via argocd"));
    assert_eq!(c.to_image, change.to_image);
    assert!(c.confirmed_by.is_some());
    let (op2, _, call) = argo_call(&fx);
    assert_eq!((op2, call), (op, ArgoCall::Execute));
    let (fx, written) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Printed {
                output: vec!["Health Status:      Healthy".into()],
                ok: true,
            },
        },
    );
    assert!(fx.is_empty());
    assert!(
        matches!(
            &written[..],
            [
                Entry::ClusterActionFinished { ok: true, outcome, .. },
                Entry::CommandFinished { exit_code: Some(0), .. },
            ] if outcome == "Health Status:      Healthy"
        ),
        "{written:?}"
    );
    let out = output(&app);
    assert!(
        out.contains(&"$ argocd app rollback checkout-api 1".to_string()),
        "{out:?}"
    );
    assert!(out.contains(&"0   today 1.5.0".to_string()), "{out:?}");
    assert!(app.argo.run.is_none());
}

#[test]
fn esc_at_the_confirmation_sends_nothing_and_is_declined_not_failed() {
    let mut app = argo_app("argocd app set checkout-api --sync-policy none");
    let (fx, _) = send(&mut app, key('r'));
    let (op, _, call) = argo_call(&fx);
    assert_eq!(call, ArgoCall::Prepare);
    send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Preview {
                lines: vec!["sync policy automated → manual".into()],
                change: ChangeDetail::default(),
            },
        },
    );
    let (fx, written) = send(&mut app, code(KeyCode::Esc));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Argo(ArgoEffect::Run { .. }))),
        "{fx:?}"
    );
    assert!(
        matches!(
            &written[..],
            [
                Entry::CommandFinished { cancelled: true, .. },
                Entry::CommandDeclined { command, .. },
            ] if command == "argocd app set checkout-api --sync-policy none"
        ),
        "{written:?}"
    );
}

#[test]
fn a_refusal_ends_the_run_failed_with_argo_cds_message() {
    let mut app = argo_app("argocd app rollback checkout-api 0\nargocd app get checkout-api");
    let (fx, _) = send(&mut app, key('r'));
    let (op, _, _) = argo_call(&fx);
    let (fx, written) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Failed(
                "rpc error: code = FailedPrecondition desc = rollback cannot be initiated when auto-sync is enabled".into(),
            ),
        },
    );
    assert!(fx.is_empty(), "the get line does not run: {fx:?}");
    assert!(
        matches!(
            &written[..],
            [Entry::CommandFinished {
                exit_code: Some(1),
                ..
            }]
        ),
        "{written:?}"
    );
    assert_eq!(
        output(&app).last().map(String::as_str),
        Some(
            "rpc error: code = FailedPrecondition desc = rollback cannot be initiated when auto-sync is enabled"
        )
    );
}

#[test]
fn a_block_mixing_argocd_and_shell_lines_stays_a_shell_block() {
    let mut app = argo_app("argocd app get shop\necho after");
    update(&mut app, key('r'));
    assert!(matches!(app.layers.last(), Some(Layer::Confirm(_))));
}

fn healing(app: &mut App) {
    app.argo.status = Some(crate::domain::argocd::ArgoAppStatus {
        name: "checkout-api".into(),
        sync: "Synced".into(),
        health: "Degraded".into(),
        revision: "abc1234".into(),
        auto_sync: true,
        self_heal: true,
    });
}

fn rollout_with_image(image: &str, revision: i64) -> Msg {
    let mut r = rollout(3, 3, 3, 3);
    for rev in r.revisions.iter_mut().filter(|r| r.current) {
        rev.number = revision;
    }
    r.containers = vec![crate::domain::cluster::TemplateContainer {
        name: "app".into(),
        image: image.into(),
        ..Default::default()
    }];
    Msg::Cluster(crate::domain::cluster::ClusterEvent::Rollout(r))
}

#[test]
fn a_kubectl_undo_of_a_self_healed_deployment_is_warned_and_its_revert_is_said() {
    use crate::domain::cluster::Preflight;
    use crate::ui::state::cluster::ClusterStep;
    let mut app = rollout_focused(false);
    update(&mut app, rollout_with_image("reg/checkout-api:1.6.0", 3));
    healing(&mut app);
    update(&mut app, key('u'));
    update(
        &mut app,
        step(
            1,
            ClusterStep::Preflight(Ok(Preflight::Allowed { checks: vec![] })),
        ),
    );
    update(&mut app, step(1, ClusterStep::Planned(Ok(undo_plan()))));
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("no confirmation");
    };
    assert_eq!(
        cc.diff[0],
        "! managed by Argo CD app checkout-api with self-heal: your change will be reverted"
    );
    assert!(cc.diff[1].contains("argocd app set checkout-api --sync-policy none"));
    typed(&mut app, "checkout-api");
    update(&mut app, code(KeyCode::Enter));
    // The undo lands, then self-heal puts the bad template back (a newer revision with
    // the template of before): the console says so.
    update(&mut app, rollout_with_image("reg/checkout-api:1.5.0", 4));
    assert!(app.argo.revert_watch.is_some());
    update(&mut app, rollout_with_image("reg/checkout-api:1.6.0", 5));
    assert!(app.argo.revert_watch.is_none());
    let Some(Layer::Notice { title, lines }) = app.layers.last() else {
        panic!("no notice");
    };
    assert_eq!(title, "Reverted by Argo CD");
    assert!(
        lines[0].starts_with("Argo CD app checkout-api reverted your change (kubectl rollout undo deployment/checkout-api"),
        "{lines:?}"
    );
}

#[test]
fn without_self_heal_there_is_no_warning() {
    assert!(super::self_heal_warning(None, "o").is_empty());
    let mut app = argo_app("true");
    healing(&mut app);
    if let Some(s) = app.argo.status.as_mut() {
        s.self_heal = false;
    }
    assert!(super::self_heal_warning(app.argo.status.as_ref(), "o").is_empty());
}

#[test]
fn without_a_server_the_block_is_the_clis_and_runs_in_the_shell() {
    // No ARGOCD_SERVER and no `--server`: the team's `argocd login` is what the lines rely
    // on, so the console asks to run them in /bin/sh like any other command.
    let mut app = argo_app("argocd app history checkout-api\nargocd app sync checkout-api");
    app.argo.server_from_env = false;
    let (fx, _) = send(&mut app, key('r'));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Argo(ArgoEffect::Run { .. }))),
        "{fx:?}"
    );
    assert!(app.argo.run.is_none());
    assert!(
        app.layers.iter().any(|l| matches!(l, Layer::Confirm(_))),
        "the shell's confirmation is asked"
    );
    // With `--server` on every line, the console can reach Argo CD itself.
    let mut app = argo_app(
        "argocd app history checkout-api --server argocd.example.com\nargocd app sync checkout-api --server argocd.example.com",
    );
    app.argo.server_from_env = false;
    let (fx, _) = send(&mut app, key('r'));
    assert!(
        fx.iter()
            .any(|f| matches!(f, Effect::Argo(ArgoEffect::Run { .. }))),
        "{fx:?}"
    );
}

#[test]
fn the_front_matters_argocd_server_makes_the_lines_run_through_the_api() {
    // No ARGOCD_SERVER, no `--server`: the front matter's `argocd.server` is reachable, so
    // `argocd app get` runs natively (the executor connects to that server with the token
    // of `token_env`: tests/argocd_front_matter.rs).
    let book = crate::domain::runbook::parse(
        std::path::Path::new("gitops.md"),
        "---\nargocd: { server: \"argocd.example.com:443\", token_env: ARGOCD_TOKEN }\n---\n# GitOps\n\n## 2. Execute\n\nLook.\n\n```bash\nargocd app get checkout-api\n```\n",
    )
    .expect("loads");
    let mut app = app_for(book);
    app.argo.server_from_env = false;
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(
            &written[..],
            [Entry::PhaseEntered { .. }, Entry::CommandStarted { command, .. }]
                if command == "natively (Argo CD API): argocd app get checkout-api\n"
        ),
        "{written:?}"
    );
    let (_, text, call) = argo_call(&fx);
    assert_eq!(
        (text.as_str(), call),
        ("argocd app get checkout-api", ArgoCall::Read)
    );
}
