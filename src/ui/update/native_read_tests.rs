//! Issue 14 point 4: a native run's read-only line the watch cannot answer (`get
//! deployment -o json|yaml|jsonpath=|custom-columns=`, `rollout history --revision=N`) is
//! read through the API (`ClusterEffect::NativeRead`); its answer (`Msg::NativeRead`) fills the
//! output pane and the run goes on, or ends failed with kubectl's error, exit 1.

use crate::domain::cluster::{ClusterEvent, ReadOnlyQuery, Stream as ClusterStream, WatchState};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::App;
use crate::ui::testkit::*;
use crate::ui::update::update;

/// A cluster app watching `checkout/checkout-api` whose step 2 is `script`, cursor on it.
fn native_app(script: &str) -> App {
    let mut app = app();
    app.runbook.phases[1].steps[0] = command(2, "Look at the deployment", script);
    app.cluster = Some(crate::ui::state::cluster::LiveCluster::new(
        "sim",
        "checkout",
        "checkout-api",
        false,
        false,
    ));
    for stream in [
        ClusterStream::Pods,
        ClusterStream::Rollout,
        ClusterStream::Events,
    ] {
        update(
            &mut app,
            Msg::Cluster(ClusterEvent::WatchState {
                stream,
                state: WatchState::Live { since: t0() },
            }),
        );
    }
    update(
        &mut app,
        Msg::Cluster(ClusterEvent::Rollout(rollout(3, 3, 3, 3))),
    );
    app.cursor = app.flat_index_of(StepId(2)).expect("step 2");
    app
}

/// The one effect: a `NativeRead` of the current run; its run and query.
fn the_read(fx: &[Effect]) -> (u32, ReadOnlyQuery) {
    match fx {
        [Effect::Cluster(ClusterEffect::NativeRead { run, query })] => (*run, query.clone()),
        other => panic!("one NativeRead: {other:?}"),
    }
}

fn lines(app: &App) -> Vec<(Stream, String)> {
    app.output
        .lines
        .iter()
        .map(|l| (l.stream, l.text.clone()))
        .collect()
}

#[test]
fn object_forms_are_read_through_the_api_and_their_answers_fill_the_output_pane() {
    let mut app = native_app(
        "kubectl -n checkout get deployment checkout-api -o jsonpath='{.spec.replicas}'\nkubectl -n checkout rollout history deployment/checkout-api --revision=2\nkubectl -n checkout get deployment checkout-api",
    );
    // Every line native: no confirmation, the run starts and asks for the first read.
    let fx = update(&mut app, key('r'));
    let (fx, written) = settle(&mut app, fx);
    assert!(app.layers.is_empty(), "no confirmation layer");
    assert!(
        matches!(written.as_slice(), [.., Entry::CommandStarted { step: StepId(2), command, .. }] if command.starts_with("natively: ")),
        "{written:?}"
    );
    let (run, query) = the_read(&fx);
    let ReadOnlyQuery::GetDeploymentAs { output } = &query else {
        panic!("{query:?}");
    };
    assert_eq!(output.flag(), "jsonpath={.spec.replicas}");
    assert!(
        lines(&app).last().is_some_and(|(s, l)| *s == Stream::Stdout
            && l == "$ kubectl -n checkout get deployment checkout-api -o jsonpath='{.spec.replicas}'"),
        "{:?}",
        lines(&app)
    );

    // kubectl's jsonpath prints no newline: one line "3"; then the next read.
    let (fx, written) = send(
        &mut app,
        Msg::NativeRead {
            run,
            printed: Ok("3".into()),
        },
    );
    assert!(written.is_empty(), "the run goes on: {written:?}");
    assert!(lines(&app).contains(&(Stream::Stdout, "3".to_string())));
    let (again, query) = the_read(&fx);
    assert_eq!(again, run);
    assert_eq!(query, ReadOnlyQuery::RolloutHistory { revision: Some(2) });

    // The revision's template, then the last line answered from the watch: exit 0.
    let (fx, written) = send(
        &mut app,
        Msg::NativeRead {
            run,
            printed: Ok("deployment.apps/checkout-api with revision #2\nPod Template:\n  Labels:\tapp=checkout-api\n\n".into()),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::CommandFinished {
                    step: StepId(2),
                    exit_code: Some(0),
                    cancelled: false,
                    ..
                },
                ..
            ]
        ),
        "{written:?}"
    );
    let out: Vec<String> = lines(&app).into_iter().map(|(_, l)| l).collect();
    let at = out
        .iter()
        .position(|l| l == "deployment.apps/checkout-api with revision #2")
        .expect("the revision's header");
    assert_eq!(out[at + 1], "Pod Template:");
    // kubectl's tab, shown as a terminal shows it (the pane expands tabs to stops of 8).
    assert_eq!(out[at + 2], "  Labels:       app=checkout-api");
    assert_eq!(out[at + 3], "", "kubectl's blank last line is kept");
    assert!(out[at..].iter().any(|l| l.starts_with("NAME")), "{out:?}");
    assert!(app.cluster.as_ref().is_some_and(|c| c.native.is_none()));
    assert!(app.is_finished(&app.find_step(StepId(2)).expect("step").clone()));
}

#[test]
fn kubectls_error_fails_the_line_and_ends_the_run_with_exit_1() {
    let mut app = native_app(
        "kubectl -n checkout rollout history deployment/checkout-api --revision=9\nkubectl -n checkout get deployment checkout-api -o yaml",
    );
    let fx = update(&mut app, key('r'));
    let (fx, _) = settle(&mut app, fx);
    let (run, query) = the_read(&fx);
    assert_eq!(query, ReadOnlyQuery::RolloutHistory { revision: Some(9) });
    // An answer for another run is not this line's.
    let (fx, written) = send(
        &mut app,
        Msg::NativeRead {
            run: run + 1,
            printed: Ok("not ours".into()),
        },
    );
    assert!(fx.is_empty() && written.is_empty());
    assert!(!lines(&app).iter().any(|(_, l)| l == "not ours"));

    let (fx, written) = send(
        &mut app,
        Msg::NativeRead {
            run,
            printed: Err("error: unable to find the specified revision".into()),
        },
    );
    assert!(fx.is_empty(), "the yaml line never runs: {fx:?}");
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::CommandFinished {
                    step: StepId(2),
                    exit_code: Some(1),
                    cancelled: false,
                    ..
                },
                ..
            ]
        ),
        "{written:?}"
    );
    assert_eq!(
        lines(&app).last(),
        Some(&(
            Stream::Stderr,
            "error: unable to find the specified revision".to_string()
        ))
    );
    assert!(app.cluster.as_ref().is_some_and(|c| c.native.is_none()));
    // A late duplicate changes nothing.
    let (fx, written) = send(
        &mut app,
        Msg::NativeRead {
            run,
            printed: Ok("late".into()),
        },
    );
    assert!(fx.is_empty() && written.is_empty());
    assert!(!lines(&app).iter().any(|(_, l)| l == "late"));
}
