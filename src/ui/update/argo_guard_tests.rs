//! The auto-sync guard's offer: from the warning in a kubectl change's confirmation, one
//! key turns the Argo CD application's auto-sync off first (previewed, confirmed with the
//! application's name, journaled before the request); the kubectl change then goes ahead
//! and is not watched for a revert. Esc or a refusal leaves auto-sync on and the warning.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::{ClusterEvent, Preflight, TemplateContainer};
use crate::domain::journal::{ChangeDetail, Entry};
use crate::ui::effect::{ArgoEffect, ClusterEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::argo::{ArgoAnswer, ArgoCall};
use crate::ui::state::cluster::ClusterStep;
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

const LINE: &str = "argocd app set checkout-api --sync-policy none";

fn healing(app: &mut App) {
    app.argo.server_from_env = true;
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
    r.containers = vec![TemplateContainer {
        name: "app".into(),
        image: image.into(),
        ..Default::default()
    }];
    Msg::Cluster(ClusterEvent::Rollout(r))
}

/// The undo of a self-healed `checkout-api` waits in its typed confirmation.
fn undo_waiting() -> App {
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
    app
}

fn top_confirm(app: &App) -> &crate::ui::state::cluster::ClusterConfirm {
    match app.layers.last() {
        Some(Layer::ClusterConfirm(cc)) => cc,
        _ => panic!("no cluster confirmation on top"),
    }
}

fn argo_call(fx: &[Effect]) -> (u64, String, ArgoCall) {
    fx.iter()
        .find_map(|f| match f {
            Effect::Argo(ArgoEffect::Run { op, text, call }) => Some((*op, text.clone(), *call)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no argocd call in {fx:?}"))
}

fn preview() -> ArgoAnswer {
    ArgoAnswer::Preview {
        lines: vec![
            "Application checkout-api: sync policy automated (prune: true, self-heal: true) → manual (no auto-sync, no self-heal)".into(),
        ],
        change: ChangeDetail {
            previewed: Some("Argo CD application spec".into()),
            ..ChangeDetail::default()
        },
    }
}

/// Ctrl-o in the undo's confirmation, the preview, the application's name typed: the
/// intent is journaled and the request sent. Returns the request's id.
fn turn_off_confirmed(app: &mut App) -> u64 {
    let (fx, written) = send(app, ctrl('o'));
    assert!(written.is_empty(), "{written:?}");
    let (op, text, call) = argo_call(&fx);
    assert_eq!((text.as_str(), call), (LINE, ArgoCall::Prepare));
    update(
        app,
        Msg::Argo {
            op,
            answer: preview(),
        },
    );
    let cc = top_confirm(app);
    assert_eq!(
        cc.title,
        "Argo CD: turn auto-sync off on checkout-api first"
    );
    assert_eq!(
        cc.question,
        "Type the application name checkout-api to turn its auto-sync off in Argo CD:"
    );
    assert!(cc.diff[0].contains("→ manual (no auto-sync, no self-heal)"));
    typed(app, "checkout-api");
    let (fx, written) = send(app, code(KeyCode::Enter));
    // The intent is on disk before the request goes.
    let [
        Entry::ClusterActionRequested {
            action,
            target,
            change: Some(change),
        },
    ] = &written[..]
    else {
        panic!("{written:?}");
    };
    assert_eq!(action, LINE);
    assert_eq!(target, "argocd/checkout-api");
    assert_eq!(
        change.via.as_deref(),
        Some(
            "auto-sync guard, before: kubectl rollout undo deployment/checkout-api --context staging-eu -n shop"
        )
    );
    assert_eq!(
        change.previewed.as_deref(),
        Some("Argo CD application spec")
    );
    assert!(change.confirmed_by.is_some());
    assert_eq!(argo_call(&fx), (op, LINE.to_string(), ArgoCall::Execute));
    op
}

#[test]
fn the_guard_turns_auto_sync_off_first_and_the_undo_then_stays() {
    let mut app = undo_waiting();
    let cc = top_confirm(&app);
    assert_eq!(
        cc.diff[1],
        "! Ctrl-o turns auto-sync off first (argocd app set checkout-api --sync-policy none); or roll back through Argo CD"
    );
    // Taken: the undo may not be confirmed until Argo CD answered.
    let (fx, written) = send(&mut app, ctrl('o'));
    let (op, ..) = argo_call(&fx);
    assert!(written.is_empty());
    typed(&mut app, "checkout-api");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Cluster(ClusterEffect::Lock { .. }))),
        "{fx:?}"
    );
    assert!(
        top_confirm(&app)
            .error
            .as_deref()
            .is_some_and(|e| e.contains("turning auto-sync off first")),
        "{:?}",
        top_confirm(&app).error
    );
    // A second press while one is under way sends nothing more.
    let (fx, _) = send(&mut app, ctrl('o'));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Argo(ArgoEffect::Run { .. })))
    );
    update(
        &mut app,
        Msg::Argo {
            op,
            answer: preview(),
        },
    );
    typed(&mut app, "checkout-api");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&written[..], [Entry::ClusterActionRequested { action, .. }] if action == LINE)
    );
    assert_eq!(argo_call(&fx).2, ArgoCall::Execute);
    // Argo CD took the spec without `automated`.
    let (_, written) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Printed {
                output: Vec::new(),
                ok: true,
            },
        },
    );
    assert!(
        matches!(&written[..], [Entry::ClusterActionFinished { action, ok: true, .. }] if action == LINE),
        "{written:?}"
    );
    assert!(app.argo.auto_sync_off.is_none());
    assert!(
        app.argo.status.as_ref().is_some_and(|s| !s.reverts_drift()),
        "the header says auto-sync is off at once"
    );
    // Back in the undo's confirmation, whose warning now says the change stays.
    let cc = top_confirm(&app);
    assert_eq!(cc.title, "Roll back deployment/checkout-api");
    assert_eq!(cc.diff[0], super::turned_off_line("checkout-api"));
    assert!(!cc.diff.iter().any(|l| l.starts_with('!')), "{:?}", cc.diff);
    assert_eq!(cc.error, None);
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    assert!(
        fx.iter()
            .any(|f| matches!(f, Effect::Cluster(ClusterEffect::Lock { op: 1 }))),
        "{fx:?}"
    );
    // Not watched for a revert: the undo lands and nothing says "Reverted by Argo CD".
    assert!(app.argo.revert_watch.is_none());
    update(&mut app, rollout_with_image("reg/checkout-api:1.5.0", 4));
    update(&mut app, rollout_with_image("reg/checkout-api:1.6.0", 5));
    assert!(
        !app.layers
            .iter()
            .any(|l| matches!(l, Layer::Notice { title, .. } if title == "Reverted by Argo CD"))
    );
}

#[test]
fn esc_on_the_applications_confirmation_sends_nothing_and_keeps_the_warning() {
    let mut app = undo_waiting();
    let (fx, _) = send(&mut app, ctrl('o'));
    let (op, ..) = argo_call(&fx);
    update(
        &mut app,
        Msg::Argo {
            op,
            answer: preview(),
        },
    );
    let (fx, written) = send(&mut app, code(KeyCode::Esc));
    assert!(fx.is_empty() && written.is_empty(), "{fx:?} {written:?}");
    assert!(app.argo.auto_sync_off.is_none());
    // The undo's confirmation is back, still warned, and can go ahead (then watched).
    let cc = top_confirm(&app);
    assert!(cc.diff[0].starts_with("! managed by Argo CD app checkout-api"));
    typed(&mut app, "checkout-api");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    assert!(
        fx.iter()
            .any(|f| matches!(f, Effect::Cluster(ClusterEffect::Lock { .. })))
    );
    assert!(app.argo.revert_watch.is_some());
}

#[test]
fn a_refusal_leaves_auto_sync_on_journaled_as_failed() {
    let mut app = undo_waiting();
    let op = turn_off_confirmed(&mut app);
    let (_, written) = send(
        &mut app,
        Msg::Argo {
            op,
            answer: ArgoAnswer::Failed(
                "rpc error: code = PermissionDenied desc = permission denied".into(),
            ),
        },
    );
    assert!(
        matches!(&written[..], [Entry::ClusterActionFinished { ok: false, outcome, .. }] if outcome.contains("permission denied")),
        "{written:?}"
    );
    assert!(app.argo.status.as_ref().is_some_and(|s| s.reverts_drift()));
    assert!(top_confirm(&app).diff[0].starts_with("! managed by Argo CD app"));
    assert!(
        app.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("did not turn auto-sync off"))
    );
}

#[test]
fn without_self_heal_the_key_offers_nothing() {
    let mut app = undo_waiting();
    if let Some(s) = app.argo.status.as_mut() {
        s.self_heal = false;
    }
    let (fx, _) = send(&mut app, ctrl('o'));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::Argo(ArgoEffect::Run { .. })))
    );
    assert!(app.argo.auto_sync_off.is_none());
}
