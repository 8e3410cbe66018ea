//! Issue 14 point 6, in the reducer: a check that could not measure ends "could not
//! verify" with the reason and the ways to get data, never "Verification failed" and never
//! an undo; "undo further" after a real failure names where it goes and refuses the
//! revision the session just rolled back from.

use std::time::Duration;

use crate::domain::cluster::{
    ClusterAction, ClusterEvent, Condition, DeploymentFacts, ReplicaSetFacts, RolloutView, Stream,
    WatchState,
};
use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::verify::{Outcome, Verdict};
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::verification::{CheckStatus, Verification};
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;
use crate::ui::update_verify_tests::{failed_outcome, finished, verify_app};

fn no_data() -> Outcome {
    Outcome::CouldNotVerify {
        sample: 1,
        at: Duration::ZERO,
        reason: "no metrics source: configure `metrics.prometheus` or run a drill".into(),
    }
}

#[test]
fn a_check_without_data_could_not_verify_and_offers_no_undo() {
    // Step #4 holds the PromQL check `errors`; the console has no Prometheus.
    let mut app = verify_app(4);
    let (fx, _) = send(&mut app, key('v'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Verify(_))), "{fx:?}");
    let (_, written) = send(&mut app, finished(1, 1, no_data()));
    assert_eq!(
        written,
        [Entry::VerificationFinished {
            check: "errors".into(),
            passed: false,
            detail: "could not verify: sample 1 at 0s: no metrics source: configure `metrics.prometheus` or run a drill".into(),
            cut_short: None,
            outcome: Some(Verdict::CouldNotVerify),
        }]
    );
    assert!(
        !app.layers
            .iter()
            .any(|l| matches!(l, Layer::NextMoves { .. })),
        "no next moves (no undo further) for a check that measured nothing"
    );
    let Some(Layer::Notice { title, lines }) = app.layers.first() else {
        panic!("a notice: {:?}", app.layers.len())
    };
    assert_eq!(title, "Could not verify");
    let text = lines.join("\n");
    assert!(text.contains("no metrics source"), "{text}");
    assert!(text.contains("not a failure"), "{text}");
    assert!(text.contains("--prometheus-url"), "{text}");
    assert!(
        text.contains("run the check by hand: query error_rate < 0.02"),
        "{text}"
    );
    assert!(text.contains("tick the step"), "{text}");
    let flash = app.flash.as_ref().expect("a flash");
    assert!(
        flash.text.starts_with("Check errors could not verify"),
        "{}",
        flash.text
    );
    assert_eq!(
        app.verification.checks[1].status.verdict(),
        Some(Verdict::CouldNotVerify)
    );
    // The step is not ticked: nothing was verified.
    assert!(
        !written
            .iter()
            .any(|e| matches!(e, Entry::StepTicked { .. }))
    );

    // Replay equals live: a resumed console reads the same verdict from the journal.
    let restored = Verification::restore(
        &app.runbook,
        &crate::domain::session_state::SessionState::replay(&app.records),
    );
    assert_eq!(
        restored.checks[1].status,
        CheckStatus::Recorded {
            verdict: Verdict::CouldNotVerify,
            detail: "could not verify: sample 1 at 0s: no metrics source: configure `metrics.prometheus` or run a drill".into(),
            cut_short: None,
        }
    );
    let screen = screen(&restored_app(&app), 120, 40);
    assert!(
        screen.contains("could not verify (journaled before resume)"),
        "{screen}"
    );
    assert!(!screen.contains("failed (journaled"), "{screen}");
}

/// The console `app` was, reopened on its journal.
fn restored_app(app: &App) -> App {
    let mut again = App::new(
        app.runbook.clone(),
        app.session.clone(),
        app.records.clone(),
        app.theme.clone(),
        app.keymap.clone(),
        app.now,
    );
    again.size = (120, 40);
    again.cursor = app.cursor;
    again
}

/// `checkout-api` with the given revisions (number, image tag, current).
fn history(revisions: &[(i64, &str, bool)]) -> RolloutView {
    let d = DeploymentFacts {
        name: "checkout-api".into(),
        generation: 5,
        observed_generation: 5,
        desired: Some(3),
        replicas: 3,
        updated: 3,
        ready: 3,
        available: 3,
        unavailable: 0,
        paused: false,
        conditions: vec![Condition {
            type_: "Available".into(),
            status: "True".into(),
            reason: "MinimumReplicasAvailable".into(),
            message: String::new(),
        }],
        ..DeploymentFacts::default()
    };
    let sets: Vec<ReplicaSetFacts> = revisions
        .iter()
        .map(|&(n, tag, current)| ReplicaSetFacts {
            name: format!("checkout-api-rs{n}"),
            revision: Some(n),
            images: vec![format!("registry.example/checkout-api:{tag}")],
            change_cause: None,
            created: Some(t0()),
            replicas: if current { 3 } else { 0 },
            ready: if current { 3 } else { 0 },
            matches_template: current,
        })
        .collect();
    RolloutView::build(&d, &sets)
}

/// The verification console connected to `checkout-api` showing `view`, with a failed
/// health check's next moves open.
fn failed_check_with_cluster(view: RolloutView, earlier: Option<ChangeDetail>) -> App {
    let mut app = verify_app(3);
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "staging-eu",
        "checkout",
        "checkout-api",
        false,
        false,
    ));
    for stream in [Stream::Pods, Stream::Rollout, Stream::Events] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: WatchState::Live { since: t0() },
            }),
        );
    }
    update(&mut app, Msg::Cluster(ClusterEvent::Rollout(view)));
    if let Some(change) = earlier {
        let seq = app.records.len() as u64 + 1;
        // On disk, as `Msg::Journaled` brings it back: the session state moves by it.
        app.journaled(record(
            seq,
            Entry::ClusterActionRequested {
                action: "kubectl rollout undo deployment/checkout-api -n checkout".into(),
                target: "staging-eu/checkout/checkout-api".into(),
                change: Some(change),
            },
            t0(),
        ));
    }
    send(&mut app, key('v'));
    send(&mut app, finished(0, 1, failed_outcome()));
    assert!(matches!(
        app.layers.last(),
        Some(Layer::NextMoves { check: 0 })
    ));
    app
}

#[test]
fn undo_further_refuses_the_revision_just_rolled_back_from() {
    // v3 (revision 3) was rolled back to v2, which came back as revision 4: kubectl's
    // undo would now go to revision 3, the bad release.
    let view = history(&[(1, "v1", false), (3, "v3", false), (4, "v2", true)]);
    let undo = ChangeDetail {
        via: Some("rollout pane".into()),
        from_revision: Some(3),
        to_revision: Some(2),
        from_image: Some("registry.example/checkout-api:v3".into()),
        to_image: Some("registry.example/checkout-api:v2".into()),
        ..ChangeDetail::default()
    };
    let mut app = failed_check_with_cluster(view, Some(undo));
    let popup = screen(&app, 140, 40);
    assert!(
        popup.contains("not offered: revision 3 (registry.example/checkout-api:v3)")
            && popup.contains("the one just rolled back from"),
        "{popup}"
    );
    let (fx, written) = send(&mut app, key('u'));
    assert!(fx.is_empty() && written.is_empty(), "nothing sent: {fx:?}");
    let Some(Layer::Notice { title, lines }) = app.layers.last() else {
        panic!("a notice")
    };
    assert_eq!(title, "Undo further refused");
    assert_eq!(
        lines[0],
        "Undo further is refused: revision 3 (registry.example/checkout-api:v3) is the one just rolled back from."
    );
    assert!(
        lines.iter().any(|l| l
            == "To go further back, pick revision 1 (registry.example/checkout-api:v1) in the Rollout pane and press u."),
        "{lines:?}"
    );
}

#[test]
fn undo_further_names_the_revision_and_image_it_goes_to() {
    let view = history(&[(1, "v1", false), (2, "v2", false), (3, "v3", true)]);
    let mut app = failed_check_with_cluster(view, None);
    let popup = screen(&app, 140, 40);
    assert!(
        popup.contains("roll back to revision 2 (registry.example/checkout-api:v2)"),
        "{popup}"
    );
    let (fx, _) = send(&mut app, key('u'));
    assert_eq!(
        fx,
        [Effect::Cluster(ClusterEffect::Preflight {
            op: 1,
            action: ClusterAction::Undo {
                to_revision: Some(2)
            },
        })]
    );
    let via = app
        .cluster
        .as_ref()
        .and_then(|c| c.op.as_ref())
        .and_then(|o| o.via.clone());
    assert_eq!(via.as_deref(), Some("verification: undo further"));
}
