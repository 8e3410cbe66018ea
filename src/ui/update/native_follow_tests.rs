//! Follows in a block of kubectl lines run line by line (the native mixed path): Enter
//! stops the follow as a success and the lines after it run; `kubectl get pods -w` on
//! the console's target follows the live Pods pane instead of streaming text; a
//! changing kubectl line that runs in the shell is previewed, then wants its typed name.

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::{ClusterEvent, Stream as ClusterStream, WatchState};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::Msg;
use crate::ui::state::native_run::NativeFollow;
use crate::ui::state::{App, Layer, Pane};
use crate::ui::testkit::*;
use crate::ui::update::update;

/// A cluster app on namespace `checkout` whose step 2 is `script`.
fn native_app(script: &str) -> App {
    let mut app = app();
    app.runbook.phases[1].steps[0] = command(2, "Watch and check", script);
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

/// r, y on the mixed block's confirmation; the effects once its run is on disk.
fn run_block(app: &mut App) -> Vec<Effect> {
    update(app, key('r'));
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the exact-command confirmation");
    };
    assert!(c.body[0].starts_with("sh "), "{:?}", c.body);
    let fx = update(app, key('y'));
    settle(app, fx).0
}

fn output(app: &App) -> Vec<String> {
    app.output.lines.iter().map(|l| l.text.clone()).collect()
}

fn finished_ok(written: &[Entry]) -> bool {
    matches!(
        written,
        [
            ..,
            Entry::CommandFinished {
                step: StepId(2),
                exit_code: Some(0),
                cancelled: false,
                ..
            }
        ]
    )
}

#[test]
fn kubectl_get_pods_w_on_the_target_follows_the_pods_pane_and_enter_goes_on() {
    let mut app = native_app(
        "kubectl get pods -w -n checkout\nkubectl -n checkout get deployment checkout-api\nkubectl -n checkout rollout history deployment/checkout-api",
    );
    let fx = run_block(&mut app);
    assert!(fx.is_empty(), "nothing spawned for the pods watch: {fx:?}");
    assert_eq!(app.focus, Pane::Pods);
    assert_eq!(
        app.cluster
            .as_ref()
            .and_then(|c| c.native.as_ref())
            .and_then(|r| r.follow),
        Some(NativeFollow::PodsPane)
    );
    assert!(
        output(&app).iter().any(|l| l
            == "$ kubectl get pods -w -n checkout  (following the live Pods pane: Enter stops this line and goes on)"),
        "{:?}",
        output(&app)
    );
    let pane = screen(&app, 160, 48);
    assert!(
        pane.contains("following (the live Pods pane) — Enter stops this line and goes on"),
        "{pane}"
    );
    // Enter, though the Pods pane has the focus (where Enter would describe a pod).
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(app.layers.is_empty(), "no drill-down opened");
    assert!(finished_ok(&written), "{written:?}");
    let out = output(&app);
    let stopped = out
        .iter()
        .position(|l| l == "■ stopped following: ok")
        .expect("the follow's end");
    // Both checks after it ran.
    assert!(
        out[stopped..]
            .iter()
            .any(|l| l.starts_with("NAME") && l.contains("READY")),
        "{out:?}"
    );
    assert!(
        out[stopped..].iter().any(|l| l.starts_with("REVISION")),
        "{out:?}"
    );
    assert_eq!(app.focus, Pane::Procedure);
    assert!(app.is_finished(&app.find_step(StepId(2)).expect("step").clone()));
}

#[test]
fn a_follow_in_the_shell_stops_with_enter_as_a_success_and_the_next_line_runs() {
    let mut app = native_app(
        "kubectl -n checkout logs -f deployment/checkout-api\nkubectl -n checkout get deployment checkout-api",
    );
    let fx = run_block(&mut app);
    let [Effect::Shell(ShellEffect::Spawn { run, script, .. })] = fx.as_slice() else {
        panic!("the follow in the shell: {fx:?}");
    };
    let run = *run;
    assert!(script.starts_with("kubectl -n checkout logs -f"));
    assert!(
        output(&app)
            .iter()
            .any(|l| l.ends_with("(in /bin/sh, following: Enter stops this line and goes on)")),
        "{:?}",
        output(&app)
    );
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(fx, vec![Effect::Shell(ShellEffect::Cancel { run })]);
    // The process ends by the signal: a success, and the next line runs.
    let (fx, written) = send(
        &mut app,
        Msg::Exited {
            run,
            exit_code: None,
            duration_ms: 900,
            cancelled: true,
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(finished_ok(&written), "{written:?}");
    let out = output(&app);
    assert!(
        out.iter().any(|l| l == "■ stopped following: ok"),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l.starts_with("NAME")), "{out:?}");
}

#[test]
fn ctrl_c_on_a_follow_still_fails_it() {
    let mut app =
        native_app("kubectl get pods -w\nkubectl -n checkout get deployment checkout-api");
    run_block(&mut app);
    let (_, written) = send(&mut app, ctrl('c'));
    assert!(
        matches!(
            written.as_slice(),
            [Entry::CommandFinished {
                exit_code: Some(1),
                ..
            }]
        ),
        "{written:?}"
    );
    assert!(!output(&app).iter().any(|l| l.starts_with("NAME")));
}

/// The server's dry run of the changing line answers (the live object had 2 replicas,
/// the dry run 0); returns the confirmation's body.
fn dry_run_answers(app: &mut App, fx: &[Effect]) -> Vec<String> {
    let [
        Effect::Shell(ShellEffect::PreviewLine {
            block,
            line,
            preview,
        }),
    ] = fx
    else {
        panic!("the preview first: {fx:?}")
    };
    assert_eq!(
        preview.dry_run.join(" "),
        "kubectl -n payments scale deployment/payments-api --replicas=0 --dry-run=server -o yaml"
    );
    let ok = |stdout: &str| crate::domain::cluster::line_preview::Captured {
        ok: true,
        stdout: stdout.into(),
        stderr: String::new(),
    };
    let (fx, _) = send(
        app,
        Msg::LinePreviewed {
            block: *block,
            line: *line,
            answer: crate::domain::cluster::line_preview::PreviewAnswer {
                dry_run: ok("kind: Deployment\nspec:\n  replicas: 0\n"),
                live: Some(ok("kind: Deployment\nspec:\n  replicas: 2\n")),
            },
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let Some(Layer::Confirm(c)) = app.layers.last() else {
        panic!("the preview's confirmation")
    };
    c.body.clone()
}

/// A kubectl line of a native run that changes something and cannot run natively (here
/// in another namespace) is previewed by the server, then wants its name typed, and
/// only then runs in the shell: never on one key.
#[test]
fn a_changing_shell_line_of_a_native_run_is_previewed_then_wants_its_typed_name() {
    let mut app = native_app(
        "kubectl -n checkout get deployment checkout-api\nkubectl -n payments scale deployment/payments-api --replicas=0",
    );
    update(&mut app, key('r'));
    let fx = update(&mut app, key('y'));
    let (fx, _) = settle(&mut app, fx);
    let body = dry_run_answers(&mut app, &fx);
    assert!(body.contains(&"-  replicas: 2".to_string()), "{body:?}");
    assert!(body.contains(&"+  replicas: 0".to_string()), "{body:?}");
    assert!(app.running.is_none(), "nothing runs yet");
    let (fx, _) = send(&mut app, key('y'));
    assert!(fx.is_empty(), "the typed name first: {fx:?}");
    let Some(Layer::Prompt(p)) = app.layers.last() else {
        panic!("the typed name")
    };
    assert!(p.hint.contains("Type payments-api"), "{}", p.hint);
    typed(&mut app, "payments-api");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    let [Effect::Shell(ShellEffect::Spawn { run, script, .. })] = fx.as_slice() else {
        panic!("the line runs now: {fx:?}");
    };
    assert_eq!(
        script,
        "kubectl -n payments scale deployment/payments-api --replicas=0"
    );
    let (_, written) = send(
        &mut app,
        Msg::Exited {
            run: *run,
            exit_code: Some(0),
            duration_ms: 40,
            cancelled: false,
        },
    );
    assert!(finished_ok(&written), "{written:?}");
}

#[test]
fn declining_the_preview_of_a_native_runs_shell_line_is_declined_and_nothing_runs() {
    let mut app = native_app(
        "kubectl -n checkout get deployment checkout-api\nkubectl -n payments scale deployment/payments-api --replicas=0",
    );
    update(&mut app, key('r'));
    let fx = update(&mut app, key('y'));
    let (fx, _) = settle(&mut app, fx);
    dry_run_answers(&mut app, &fx);
    let (fx, written) = send(&mut app, key('n'));
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        matches!(
            written.as_slice(),
            [
                Entry::CommandFinished { cancelled: true, .. },
                Entry::CommandDeclined { command, .. }
            ] if command.starts_with("kubectl -n payments scale")
        ),
        "{written:?}"
    );
    assert!(app.cluster.as_ref().is_some_and(|c| c.native.is_none()));
}
