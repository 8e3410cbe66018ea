//! The target popup: the target read from the runbook confirmed (and edited) before
//! the console connects, `T` switching it, and the cluster-off line.

use std::path::Path;

use ratatui::crossterm::event::KeyCode;

use crate::domain::cluster::Target;
use crate::domain::journal::Entry;
use crate::domain::runbook::parse;
use crate::domain::runbook::target_inference::infer_target;
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::keymap::Mode;
use crate::ui::msg::Msg;
use crate::ui::state::target::ConnectionBase;
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;

use super::inferred_form;

const OPTIONS: &str = include_str!("../../../tests/runbooks/teams/options-a-to-d.md");

/// The console on `options-a-to-d.md` (no front matter) as `cli::console` opens it: no
/// cluster, the cluster-off line, the target read from its kubectl lines to confirm.
fn inferred_console() -> App {
    let book = parse(Path::new("options-a-to-d.md"), OPTIONS).expect("loads");
    let inferred = infer_target(&book);
    let mut app = app_for(book);
    app.target.base = ConnectionBase {
        kubeconfig: Some("/home/alice/.kube/config".into()),
        prometheus_url: None,
        theme: Some("dark".into()),
        read_only: false,
    };
    app.target.off = Some(
        "cluster off: the runbook's target not confirmed — try --deployment gateway -n edge".into(),
    );
    app.layers
        .push(Layer::Target(Box::new(inferred_form(&inferred))));
    app
}

fn connected(generation: u64) -> Msg {
    Msg::ClusterConnected {
        generation,
        context: "kind-edge".into(),
        namespace: "edge".into(),
        deployment: "gateway".into(),
        production: false,
        read_only: false,
    }
}

#[test]
fn the_inferred_target_is_shown_with_its_lines_before_connecting() {
    let app = inferred_console();
    assert_eq!(app.mode(), Mode::Target);
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn accepting_journals_the_connection_as_inferred_then_connects() {
    let mut app = inferred_console();
    let (effects, written) = send(&mut app, code(KeyCode::Enter));
    assert!(app.layers.is_empty());
    assert_eq!(
        written,
        vec![Entry::ConnectionSet {
            kubeconfig: Some("/home/alice/.kube/config".into()),
            context: None,
            namespace: Some("edge".into()),
            deployment: Some("gateway".into()),
            prometheus_url: None,
            theme: Some("dark".into()),
            read_only: false,
            source: "inferred".into(),
        }]
    );
    assert_eq!(
        effects,
        vec![Effect::Cluster(ClusterEffect::Connect {
            generation: 1,
            target: Target {
                context: None,
                namespace: "edge".into(),
                deployment: "gateway".into(),
            },
        })]
    );
    // While it connects, the line says so.
    assert!(screen(&app, 120, 32).contains("connecting to deployment gateway in namespace edge…"));
    send(&mut app, connected(1));
    let cluster = app.cluster.as_ref().expect("cluster panes");
    assert_eq!(
        (cluster.namespace.as_str(), cluster.deployment.as_str()),
        ("edge", "gateway")
    );
    assert_eq!(app.target.off, None);
    let s = screen(&app, 120, 32);
    assert!(s.contains("Rollout"), "{s}");
    assert!(!s.contains("cluster off"), "{s}");
}

#[test]
fn the_operator_edits_the_target_before_accepting() {
    let mut app = inferred_console();
    // The namespace field: clear it and type another.
    send(&mut app, code(KeyCode::Tab));
    for _ in 0.."edge".len() {
        send(&mut app, code(KeyCode::Backspace));
    }
    typed(&mut app, "edge-canary");
    let (effects, written) = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        &written[..],
        [Entry::ConnectionSet { namespace: Some(n), source, .. }]
            if n == "edge-canary" && source == "inferred"
    ));
    assert!(matches!(
        &effects[..],
        [Effect::Cluster(ClusterEffect::Connect { target, .. })] if target.namespace == "edge-canary"
    ));
}

#[test]
fn an_empty_deployment_or_a_placeholder_is_refused_in_the_popup() {
    let mut app = inferred_console();
    for _ in 0.."gateway".len() {
        send(&mut app, code(KeyCode::Backspace));
    }
    let (effects, written) = send(&mut app, code(KeyCode::Enter));
    assert!(effects.is_empty() && written.is_empty());
    let Some(Layer::Target(form)) = app.layers.last() else {
        panic!("the popup stays");
    };
    assert_eq!(
        form.error.as_deref(),
        Some("A deployment name is needed to connect.")
    );
    typed(&mut app, "<service-name>");
    let (effects, _) = send(&mut app, code(KeyCode::Enter));
    assert!(effects.is_empty());
    let Some(Layer::Target(form)) = app.layers.last() else {
        panic!("the popup stays");
    };
    assert_eq!(
        form.error.as_deref(),
        Some("`<service-name>` is not a name: type the value.")
    );
}

#[test]
fn esc_leaves_the_cluster_off_line_with_the_flags_that_would_connect() {
    let mut app = inferred_console();
    let (effects, written) = send(&mut app, code(KeyCode::Esc));
    assert!(effects.is_empty() && written.is_empty());
    assert!(app.layers.is_empty());
    assert!(app.cluster.is_none());
    insta::assert_snapshot!(screen(&app, 120, 32));
}

#[test]
fn a_failed_connection_says_why_on_the_cluster_off_line() {
    let mut app = inferred_console();
    send(&mut app, code(KeyCode::Enter));
    send(
        &mut app,
        Msg::ClusterConnectFailed {
            generation: 1,
            error: "cannot reach the API server at https://127.0.0.1:1: connection refused".into(),
        },
    );
    assert_eq!(
        app.target.off.as_deref(),
        Some("cluster off: cannot reach the API server at https://127.0.0.1:1: connection refused")
    );
    assert!(app.target.connecting.is_none());
    // A late answer for a superseded connection changes nothing.
    send(&mut app, connected(0));
    assert!(app.cluster.is_none());
}

#[test]
fn t_shows_the_current_target_and_switches_it() {
    let mut app = cluster_app("kind-edge", false);
    app.target.base.read_only = true;
    send(&mut app, key('T'));
    let Some(Layer::Target(form)) = app.layers.last() else {
        panic!("T opens the target popup");
    };
    assert_eq!(form.source, "operator");
    let current = form.value(0).expect("the current deployment");
    for _ in 0..current.chars().count() {
        send(&mut app, code(KeyCode::Backspace));
    }
    typed(&mut app, "checkout-worker");
    let (effects, written) = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        &written[..],
        [Entry::ConnectionSet { deployment: Some(d), source, read_only: true, .. }]
            if d == "checkout-worker" && source == "operator"
    ));
    let [Effect::Cluster(ClusterEffect::Connect { generation, target })] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(target.deployment, "checkout-worker");
    send(
        &mut app,
        Msg::ClusterConnected {
            generation: *generation,
            context: "kind-edge".into(),
            namespace: target.namespace.clone(),
            deployment: "checkout-worker".into(),
            production: false,
            read_only: true,
        },
    );
    assert_eq!(
        app.cluster.as_ref().map(|c| c.deployment.as_str()),
        Some("checkout-worker")
    );
}

#[test]
fn without_a_cluster_the_line_shows_under_the_metrics_and_t_offers_the_runbook_s_target() {
    let mut app = app();
    app.target.off =
        Some("cluster off: no deployment named — try --deployment NAME -n NAMESPACE".into());
    let s = screen(&app, 160, 32);
    assert!(
        s.contains(
            "cluster off: no deployment named — try --deployment NAME -n NAMESPACE · T sets the target"
        ),
        "{s}"
    );
    // Narrower, the line wraps rather than losing the flags.
    let s = screen(&app, 100, 32);
    assert!(
        s.contains("cluster off: no deployment named — try --deployment NAME -n"),
        "{s}"
    );
    assert!(s.contains("NAMESPACE"), "{s}");
    send(&mut app, key('T'));
    assert!(matches!(app.layers.last(), Some(Layer::Target(_))));
}

#[test]
fn a_kubectl_line_naming_another_namespace_says_so_and_offers_t() {
    let mut app = cluster_app("kind-shop", false);
    let undo = (0..app.steps.len())
        .find(|&i| {
            app.step_at(i).is_some_and(|s| match &s.kind {
                crate::domain::runbook::StepKind::Command(b) => b.script.contains("rollout undo"),
                _ => false,
            })
        })
        .expect("the undo step");
    app.cursor = undo;
    let hint = |app: &App| {
        app.selected()
            .and_then(|s| crate::ui::panes::target_hint::text(app, s))
    };
    // `kubectl rollout undo deployment/<service-name> -n checkout`: the namespace is
    // checkout, the console watches checkout-api in shop.
    assert_eq!(
        hint(&app).as_deref(),
        Some(
            "line 12 names deployment checkout-api in namespace checkout; the console \
             watches checkout-api in shop — T switches the console to it"
        )
    );
    let s = screen(&app, 160, 40);
    assert!(s.contains("line 12 names deployment checkout-api"), "{s}");
    // Lines that agree with the target say nothing.
    app.cluster.as_mut().expect("cluster").namespace = "checkout".into();
    assert_eq!(hint(&app), None);
}
