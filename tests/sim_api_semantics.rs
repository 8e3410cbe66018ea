//! API-server semantics the simulator shares with a real 1.32 API server, checked with
//! real kubectl 1.32: writes that change nothing, validation errors, defaulting, and the
//! objects every cluster has (system namespaces, `kube-root-ca.crt`, the `default`
//! ServiceAccount, node Leases). Each expectation cites its upstream source.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Sim, WEB};
use serde_json::Value;

/// Runs kubectl with `stdin`: `(exit code, stdout, stderr)`.
fn kubectl_stdin(sim: &Sim, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(common::kubectl_bin())
        .arg("--kubeconfig")
        .arg(&sim.kubeconfig)
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", sim.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl starts");
    if let Some(mut i) = child.stdin.take() {
        i.write_all(stdin.as_bytes()).expect("stdin written");
    }
    let out = child.wait_with_output().expect("kubectl runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rv(v: &Value) -> String {
    v["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The registry's `GuaranteedUpdate` (`staging/src/k8s.io/apiserver/pkg/storage/etcd3/
/// store.go`) does not write an object whose bytes did not change, so the answer is the
/// object kubectl had and `kubectl patch` prints `patched (no change)`
/// (`staging/src/k8s.io/kubectl/pkg/cmd/patch/patch.go`).
#[test]
fn a_write_that_changes_nothing_keeps_the_resource_version() {
    let sim = Sim::start(WEB, 20.0);
    let before = sim.json(&["get", "deploy", "web"]);
    let out = sim.ok(&["patch", "deploy", "web", "-p", r#"{"spec":{"replicas":3}}"#]);
    assert_eq!(out.trim(), "deployment.apps/web patched (no change)");
    let out = sim.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"app":"web"}}}"#,
    ]);
    assert_eq!(out.trim(), "deployment.apps/web patched (no change)");
    let out = sim.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/replicas","value":3}]"#,
    ]);
    assert_eq!(out.trim(), "deployment.apps/web patched (no change)");
    let after = sim.json(&["get", "deploy", "web"]);
    assert_eq!(rv(&before), rv(&after));
    assert_eq!(
        before["metadata"]["generation"],
        after["metadata"]["generation"]
    );
    // A real change still writes.
    let out = sim.ok(&["patch", "deploy", "web", "-p", r#"{"spec":{"replicas":4}}"#]);
    assert_eq!(out.trim(), "deployment.apps/web patched");
    assert_ne!(rv(&sim.json(&["get", "deploy", "web"])), rv(&after));
}

/// `apierrors.NewInvalid` (`staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go`)
/// reports every field error as a cause with its `field`; kubectl prints them one per
/// line (`staging/src/k8s.io/kubectl/pkg/cmd/util/helpers.go`, `StandardErrorMessage`).
#[test]
fn an_invalid_object_reports_every_error_with_its_field() {
    let sim = Sim::start(WEB, 20.0);
    let manifest = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, namespace: shop}
spec:
  replicas: -1
  selector: {matchLabels: {app: bad}}
  template:
    metadata: {labels: {app: bad}}
    spec:
      containers: [{name: app}]
"#;
    let (code, out, err) = kubectl_stdin(&sim, &["create", "-f", "-"], manifest);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("The Deployment \"bad\" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.spec.containers[0].image: Required value"),
        "{err}"
    );
    assert!(!err.contains(": : "), "{err}");
    let raw = kubectl_stdin(
        &sim,
        &["create", "-f", "-", "-o", "json", "--dry-run=server"],
        manifest,
    );
    assert_ne!(raw.0, 0);
}
