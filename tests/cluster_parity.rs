//! Parity with kubectl 1.32: the same action through real kubectl on one simulator and
//! through backout's native path on an identical one (same scenario, same seed) leaves
//! identical Deployment specs and annotations, and the same messages for refusals.

mod common;

use backout::adapters::kube::{ActionError, Executed};
use backout::domain::cluster::{ClusterAction, EnvChange};
use common::native_action::drop_nulls;
use common::{Sim, WEB};
use serde_json::Value;

fn pair() -> (Sim, Sim) {
    let (a, b) = (Sim::start(WEB, 20.0), Sim::start(WEB, 20.0));
    assert_eq!(
        a.deployment_shape("web"),
        b.deployment_shape("web"),
        "the two simulators start identical"
    );
    (a, b)
}

fn native(sim: &Sim, action: &ClusterAction) -> Result<Executed, ActionError> {
    sim.run_native(action, "tester@host (parity)")
}

/// Runs kubectl on `a` and the native action on `b`, then compares the results.
fn same(a: &Sim, b: &Sim, kubectl: &[&str], action: ClusterAction) -> (String, Executed) {
    let out = a.ok(kubectl);
    let done = native(b, &action).unwrap_or_else(|e| panic!("{action:?}: {e}"));
    a.settled("web");
    b.settled("web");
    let (x, y) = (
        normalise(a.deployment_shape("web")),
        normalise(b.deployment_shape("web")),
    );
    assert_eq!(x, y, "kubectl {kubectl:?} vs native {action:?}");
    assert_eq!(out.trim(), done.message, "kubectl's output line");
    (out, done)
}

/// The restart timestamp differs by when each ran; and `null` fields are dropped: the
/// simulator stores the JSON it is sent, and kubectl's Go structs marshal unset fields such
/// as `creationTimestamp` as `null`, which a real API server decodes away.
fn normalise(v: Value) -> Value {
    let mut v = drop_nulls(v);
    if let Some(a) = v["spec"]["template"]["metadata"]["annotations"].as_object_mut()
        && a.contains_key("kubectl.kubernetes.io/restartedAt")
    {
        a.insert("kubectl.kubernetes.io/restartedAt".into(), "<time>".into());
    }
    v
}

#[test]
fn undo_to_previous_revision() {
    let (a, b) = pair();
    same(
        &a,
        &b,
        &["rollout", "undo", "deployment/web"],
        ClusterAction::Undo { to_revision: None },
    );
    assert_eq!(
        a.deployment_shape("web")["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.1"
    );
    // And once more: undo of an undo goes back to 1.2, like kubectl.
    same(
        &a,
        &b,
        &["rollout", "undo", "deploy", "web"],
        ClusterAction::Undo { to_revision: None },
    );
}

#[test]
fn undo_to_a_revision() {
    let (a, b) = pair();
    same(
        &a,
        &b,
        &["rollout", "undo", "deployment/web", "--to-revision=1"],
        ClusterAction::Undo {
            to_revision: Some(1),
        },
    );
    assert_eq!(
        b.deployment_shape("web")["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.0"
    );
}

#[test]
fn undo_skips_when_the_template_already_matches() {
    let (a, b) = pair();
    let (out, done) = same(
        &a,
        &b,
        &["rollout", "undo", "deployment/web", "--to-revision=3"],
        ClusterAction::Undo {
            to_revision: Some(3),
        },
    );
    assert!(done.skipped);
    assert_eq!(
        out.trim(),
        "deployment.apps/web skipped rollback (current template already matches revision 3)"
    );
}

#[test]
fn undo_refusals_have_kubectls_words() {
    let (a, b) = pair();
    let err = a.fail(&["rollout", "undo", "deployment/web", "--to-revision=9"]);
    let native_err = native(
        &b,
        &ClusterAction::Undo {
            to_revision: Some(9),
        },
    )
    .expect_err("missing revision");
    assert!(
        err.contains(&native_err.to_string()),
        "kubectl: {err}\nnative: {native_err}"
    );
    assert_eq!(
        native_err.to_string(),
        "unable to find specified revision 9 in history"
    );

    a.ok(&["rollout", "pause", "deployment/web"]);
    b.ok(&["rollout", "pause", "deployment/web"]);
    let err = a.fail(&["rollout", "undo", "deployment/web"]);
    let native_err = native(&b, &ClusterAction::Undo { to_revision: None }).expect_err("paused");
    assert!(
        err.contains(&native_err.to_string()),
        "kubectl: {err}\nnative: {native_err}"
    );
    assert!(native_err.to_string().starts_with(
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume"
    ));

    let err = a.fail(&["rollout", "pause", "deployment/web"]);
    let native_err = native(&b, &ClusterAction::Pause).expect_err("already paused");
    assert!(
        err.contains(&native_err.to_string()),
        "kubectl: {err}\nnative: {native_err}"
    );

    let err = a.fail(&["rollout", "restart", "deployment/web"]);
    let native_err = native(&b, &ClusterAction::Restart).expect_err("restart paused");
    assert!(
        err.contains(&native_err.to_string()),
        "kubectl: {err}\nnative: {native_err}"
    );

    same(
        &a,
        &b,
        &["rollout", "resume", "deployment/web"],
        ClusterAction::Resume,
    );
    let err = a.fail(&["rollout", "resume", "deployment/web"]);
    let native_err = native(&b, &ClusterAction::Resume).expect_err("not paused");
    assert!(
        err.contains(&native_err.to_string()),
        "kubectl: {err}\nnative: {native_err}"
    );
}

#[test]
fn pause_resume_restart() {
    let (a, b) = pair();
    same(
        &a,
        &b,
        &["rollout", "pause", "deployment/web"],
        ClusterAction::Pause,
    );
    same(
        &a,
        &b,
        &["rollout", "resume", "deployment/web"],
        ClusterAction::Resume,
    );
    same(
        &a,
        &b,
        &["rollout", "restart", "deployment/web"],
        ClusterAction::Restart,
    );
}

#[test]
fn scale_set_image_set_env() {
    let (a, b) = pair();
    same(
        &a,
        &b,
        &["scale", "deployment/web", "--replicas=5"],
        ClusterAction::Scale { replicas: 5 },
    );
    same(
        &a,
        &b,
        &["set", "image", "deployment/web", "app=shop/web:1.3"],
        ClusterAction::SetImage {
            container: "app".into(),
            image: "shop/web:1.3".into(),
        },
    );
    same(
        &a,
        &b,
        &["set", "env", "deployment/web", "FEATURE_X=on", "EXTRA=1"],
        ClusterAction::SetEnv {
            container: None,
            changes: vec![
                EnvChange::Set {
                    name: "FEATURE_X".into(),
                    value: "on".into(),
                },
                EnvChange::Set {
                    name: "EXTRA".into(),
                    value: "1".into(),
                },
            ],
        },
    );
    same(
        &a,
        &b,
        &["set", "env", "deployment/web", "FEATURE_X-"],
        ClusterAction::SetEnv {
            container: None,
            changes: vec![EnvChange::Unset {
                name: "FEATURE_X".into(),
            }],
        },
    );
    // After all that, undo still agrees (history built by both paths).
    same(
        &a,
        &b,
        &["rollout", "undo", "deployment/web", "--to-revision=2"],
        ClusterAction::Undo {
            to_revision: Some(2),
        },
    );
}

#[test]
fn selector_switch_and_pod_deletion() {
    let (a, b) = pair();
    let patch = r#"{"spec":{"selector":{"app":"web","track":"green"}}}"#;
    let out = a.ok(&["patch", "service", "web", "-p", patch]);
    let action = ClusterAction::SwitchSelector {
        service: "web".into(),
        selector: [
            ("app".to_string(), "web".to_string()),
            ("track".to_string(), "green".to_string()),
        ]
        .into(),
    };
    let done = native(&b, &action).expect("switch");
    assert_eq!(out.trim(), done.message);
    let sel = |s: &Sim| s.json(&["get", "service", "web"])["spec"]["selector"].clone();
    assert_eq!(sel(&a), sel(&b));
    assert_eq!(sel(&b)["track"], "green");
    // Again: nothing to change. Against a real API server kubectl prints "(no change)"
    // because a no-op patch keeps the resourceVersion; the simulator bumps it on every
    // write, so kubectl's line is not compared here.
    let done = native(&b, &action).expect("no-op switch");
    assert_eq!(done.message, "service/web patched (no change)");
    assert!(done.skipped);

    let names = |s: &Sim| -> Vec<String> {
        let list = s.json(&["get", "pods", "-l", "app=web"]);
        let mut v: Vec<String> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
            .collect();
        v.sort();
        v
    };
    let before = names(&a);
    assert_eq!(before, names(&b), "same pods on both");
    a.ok(&["delete", "pods", "-l", "app=web", "--wait=false"]);
    let done = native(
        &b,
        &ClusterAction::DeletePods {
            selector: "app=web".into(),
        },
    )
    .expect("delete pods");
    let expected: Vec<String> = before
        .iter()
        .map(|n| format!("pod {n:?} deleted"))
        .collect();
    let mut got: Vec<&str> = done.message.lines().collect();
    got.sort();
    assert_eq!(got, expected);
    for s in [&a, &b] {
        s.wait_for("the old pods replaced", || {
            let now = names(s);
            now.len() == 3 && now.iter().all(|n| !before.contains(n))
        });
    }
}
