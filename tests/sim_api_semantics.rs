//! API-server semantics the simulator shares with a real 1.32 API server, checked with
//! real kubectl 1.32: writes that change nothing, validation errors, defaulting, and the
//! objects every cluster has (system namespaces, `kube-root-ca.crt`, the `default`
//! ServiceAccount, node Leases). Each expectation cites its upstream source.

mod common;

use common::{Sim, WEB};
use serde_json::Value;

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
    let (code, out, err) = sim.run_stdin(&["create", "-f", "-"], manifest);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("The Deployment \"bad\" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.spec.containers[0].image: Required value"),
        "{err}"
    );
    assert!(!err.contains(": : "), "{err}");
    let raw = sim.run_stdin(
        &["create", "-f", "-", "-o", "json", "--dry-run=server"],
        manifest,
    );
    assert_ne!(raw.0, 0);
}

/// What every cluster has: the system namespaces (`pkg/controlplane/controller/
/// systemnamespaces`), the `kubernetes` Service, a `default` ServiceAccount
/// (`pkg/controller/serviceaccount`) and a `kube-root-ca.crt` ConfigMap
/// (`pkg/controller/certificates/rootcacertpublisher/publisher.go`) in every namespace —
/// also one a client creates — and a heartbeat Lease per node (`pkg/kubelet/nodelease`)
/// with real condition times on the node.
#[test]
fn every_cluster_has_its_system_namespaces_and_per_namespace_defaults() {
    let sim = Sim::start(WEB, 20.0);
    let names = sim.ok(&["get", "namespaces", "-o", "name"]);
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "shop",
    ] {
        assert!(
            names.lines().any(|l| l == format!("namespace/{ns}")),
            "{names}"
        );
    }
    let svc = sim.json(&["get", "svc", "kubernetes", "-n", "default"]);
    assert_eq!(svc["spec"]["clusterIP"], "10.96.0.1");
    assert_eq!(svc["spec"]["ports"][0]["port"], 443);

    sim.ok(&["create", "namespace", "fresh"]);
    sim.wait_for("the defaults in a new namespace", || {
        sim.run(&["get", "sa", "default", "-n", "fresh"]).0 == 0
            && sim.run(&["get", "cm", "kube-root-ca.crt", "-n", "fresh"]).0 == 0
    });
    let out = sim.ok(&["get", "sa", "-n", "shop"]);
    assert!(
        out.starts_with("NAME      SECRETS   AGE\ndefault   0"),
        "{out}"
    );
    let cm = sim.json(&["get", "cm", "kube-root-ca.crt", "-n", "shop"]);
    assert_eq!(cm["data"]["ca.crt"], sim.handle().ca_pem());

    let leases = sim.ok(&["get", "leases", "-n", "kube-node-lease", "-o", "name"]);
    assert_eq!(leases.lines().count(), 3, "{leases}");
    let node = sim.json(&["get", "node", "sim-node-1"]);
    for c in node["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let t = c["lastHeartbeatTime"].as_str().unwrap_or_default();
        assert!(t.starts_with("20"), "{c}");
    }
    let described = sim.ok(&["describe", "node", "sim-node-1"]);
    assert!(
        !described.contains("0001") && described.contains("HolderIdentity:  sim-node-1"),
        "{described}"
    );
}

/// `/version/` answers like `/version` (the Python client asks for it), and apps/v1
/// `DeploymentStatus` counts are `omitempty` (`staging/src/k8s.io/api/apps/v1/types.go`).
#[test]
fn version_with_a_slash_and_zero_counts_left_out() {
    let sim = Sim::start(WEB, 20.0);
    let v: Value = serde_json::from_str(&sim.ok(&["get", "--raw", "/version/"])).expect("JSON");
    assert_eq!(v["gitVersion"], "v1.32.4-backout-sim");
    assert_eq!(v["minor"], "32");
    let d = sim.json(&["get", "deploy", "web"]);
    assert!(d["status"].get("unavailableReplicas").is_none(), "{d}");
    assert_eq!(d["status"]["readyReplicas"], 3);
    sim.ok(&["scale", "deploy", "web", "--replicas=0"]);
    sim.wait_for("no replicas", || {
        let d = sim.json(&["get", "deploy", "web"]);
        d["status"].get("replicas").is_none() && d["status"].get("readyReplicas").is_none()
    });
}

/// core/v1 Secrets: `kubectl create secret generic` (a protobuf body from kubectl's typed
/// client), `Opaque` by default (`SetDefaults_Secret`), data base64 in `-o yaml`,
/// `stringData` folded into `data` (the registry's `PrepareForCreate`), and the `TYPE`
/// and `DATA` columns of `printSecret` (`pkg/printers/internalversion/printers.go`).
#[test]
fn secrets_are_created_listed_and_read_back_base64() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&[
        "create",
        "secret",
        "generic",
        "db",
        "--from-literal=user=admin",
        "--from-literal=password=s3cr3t",
    ]);
    assert_eq!(out.trim(), "secret/db created");
    let list = sim.ok(&["get", "secrets"]);
    assert!(
        list.starts_with("NAME   TYPE     DATA   AGE\ndb     Opaque   2"),
        "{list}"
    );
    let yaml = sim.ok(&["get", "secret", "db", "-o", "yaml"]);
    assert!(
        yaml.contains("  password: czNjcjN0\n") && yaml.contains("  user: YWRtaW4=\n"),
        "{yaml}"
    );
    assert!(yaml.contains("type: Opaque"), "{yaml}");
    let decoded = sim.ok(&["get", "secret", "db", "-o", "jsonpath={.data.password}"]);
    assert_eq!(decoded, "czNjcjN0");

    let manifest = r#"
apiVersion: v1
kind: Secret
metadata: {name: api, namespace: shop}
stringData: {token: abc}
"#;
    let (code, out, err) = sim.run_stdin(&["apply", "-f", "-"], manifest);
    assert_eq!(code, 0, "{out}{err}");
    let s = sim.json(&["get", "secret", "api"]);
    assert_eq!(s["data"]["token"], "YWJj");
    assert!(s.get("stringData").is_none(), "{s}");
    assert_eq!(s["type"], "Opaque");
    assert_eq!(
        sim.ok(&["delete", "secret", "db"]).trim(),
        "secret \"db\" deleted"
    );
}

/// A Service a client creates gets a cluster IP from the service CIDR with the fields the
/// allocator sets (`pkg/registry/core/service/ipallocator`, `pkg/registry/core/service/
/// storage/alloc.go`).
#[test]
fn a_service_made_by_kubectl_expose_gets_a_cluster_ip() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&[
        "expose",
        "deploy",
        "web",
        "--name=web-public",
        "--port=80",
        "--target-port=8080",
    ]);
    assert_eq!(out.trim(), "service/web-public exposed");
    let svc = sim.json(&["get", "svc", "web-public"]);
    let ip = svc["spec"]["clusterIP"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(ip.starts_with("10.96.") && ip != "10.96.0.1", "{svc}");
    assert_eq!(svc["spec"]["clusterIPs"][0], ip.as_str());
    assert_eq!(svc["spec"]["ipFamilies"][0], "IPv4");
    assert_eq!(svc["spec"]["ipFamilyPolicy"], "SingleStack");
    let table = sim.ok(&["get", "svc", "web-public", "--no-headers"]);
    assert!(table.contains(&ip), "{table}");
    // Each service gets its own.
    sim.ok(&[
        "expose",
        "deploy",
        "web",
        "--name=web-other",
        "--port=81",
        "--target-port=8080",
    ]);
    let other = sim.json(&["get", "svc", "web-other"]);
    assert_ne!(other["spec"]["clusterIP"], ip.as_str());
}

/// The pod registry's `PrepareForCreate` (`pkg/registry/core/pod/strategy.go`): a new pod
/// is `Pending` with its QoS class from its first write, so `kubectl get pods -w` never
/// shows a blank STATUS.
#[test]
fn a_new_pod_is_pending_from_its_first_event() {
    let sim = Sim::start(WEB, 20.0);
    let mut watch = sim.spawn(&[
        "get",
        "pods",
        "--watch-only",
        "-v=6",
        "-o",
        "jsonpath={.metadata.name} {.status.phase} {.status.qosClass}{\"\\n\"}",
    ]);
    // Scale once the watch is open (kubectl's -v=6 log names the watch request when its
    // answer starts), not after a fixed pause a slow machine's kubectl can outlast.
    common::wait_for_stderr_line(&mut watch, "watch=true");
    sim.ok(&["scale", "deploy", "web", "--replicas=5"]);
    sim.wait_for("five ready", || {
        sim.json(&["get", "deploy", "web"])["status"]["readyReplicas"] == 5
    });
    let out = common::stop(watch);
    let first_lines: Vec<&str> = out.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!first_lines.is_empty(), "{out}");
    let mut seen = std::collections::HashSet::new();
    for line in &first_lines {
        let name = line.split_whitespace().next().unwrap_or_default();
        if seen.insert(name.to_string()) {
            assert!(line.ends_with(" Pending BestEffort"), "{out}");
        }
    }
}
