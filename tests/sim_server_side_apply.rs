//! Real kubectl 1.32 `apply --server-side` against the simulator (issue 16, "What to
//! build" 6): `PATCH` with `application/apply-patch+yaml` and `fieldManager=kubectl`
//! (kubectl pkg/cmd/apply/apply.go, `FieldManagerServerSide`), `metadata.managedFields`
//! entries, conflicts worded as kubernetes/apimachinery
//! pkg/util/managedfields/internal/conflict.go (`getConflictMessage`) and
//! `--force-conflicts`.

mod common;

use common::{Sim, WEB};
use serde_json::{Value, json};

fn write(sim: &Sim, file: &str, text: &str) -> String {
    let path = sim.dir.path().join(file);
    std::fs::write(&path, text).expect("manifest written");
    path.to_string_lossy().into_owned()
}

fn deployment(replicas: u32, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: {image}
          ports: [{{containerPort: 8080}}]
"
    )
}

/// The entry of `manager` in `managedFields` (kubectl prints them with
/// `--show-managed-fields` only).
fn entry<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
    obj["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager)
}

#[test]
fn server_side_apply_creates_updates_and_records_the_manager() {
    let sim = Sim::start(WEB, 20.0);
    let cm = write(
        &sim,
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n  MODE: fast\n",
    );
    // apply.go prints "<resource>/<name> serverside-applied".
    assert_eq!(
        sim.ok(&["apply", "--server-side", "-f", &cm]),
        "configmap/settings serverside-applied\n"
    );
    let got = sim.json(&[
        "-n",
        "shop",
        "get",
        "--show-managed-fields",
        "configmap",
        "settings",
    ]);
    assert_eq!(got["data"], json!({"LOG_LEVEL": "info", "MODE": "fast"}));
    let e = entry(&got, "kubectl").expect("kubectl's entry");
    assert_eq!(e["operation"], "Apply");
    assert_eq!(e["apiVersion"], "v1");
    assert_eq!(e["fieldsType"], "FieldsV1");
    assert_eq!(
        e["fieldsV1"],
        json!({"f:data": {"f:LOG_LEVEL": {}, "f:MODE": {}}})
    );

    // Applying without MODE removes it: the manager applied it and nobody else owns it.
    let cm2 = write(
        &sim,
        "cm2.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  LOG_LEVEL: debug\n",
    );
    sim.ok(&["apply", "--server-side", "-f", &cm2]);
    let got = sim.json(&[
        "-n",
        "shop",
        "get",
        "--show-managed-fields",
        "configmap",
        "settings",
    ]);
    assert_eq!(got["data"], json!({"LOG_LEVEL": "debug"}));

    // A Deployment created by apply runs like any other.
    let d = write(&sim, "d.yaml", &deployment(2, "shop/api:1.0"));
    assert_eq!(
        sim.ok(&["apply", "--server-side", "-f", &d]),
        "deployment.apps/api serverside-applied\n"
    );
    sim.ok(&[
        "-n",
        "shop",
        "rollout",
        "status",
        "deploy/api",
        "--timeout=60s",
    ]);
    let got = sim.json(&[
        "-n",
        "shop",
        "get",
        "--show-managed-fields",
        "deploy",
        "api",
    ]);
    let fields = &entry(&got, "kubectl").expect("kubectl's entry")["fieldsV1"];
    assert_eq!(fields["f:spec"]["f:replicas"], json!({}));
    assert_eq!(
        fields["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"api\"}"]["f:ports"]
            ["k:{\"containerPort\":8080,\"protocol\":\"TCP\"}"]["."],
        json!({})
    );
}

#[test]
fn another_managers_field_conflicts_until_forced() {
    let sim = Sim::start(WEB, 20.0);
    let d = write(&sim, "d.yaml", &deployment(2, "shop/api:1.0"));
    sim.ok(&["apply", "--server-side", "-f", &d]);

    // The same values from another manager: shared ownership, no conflict.
    sim.ok(&["apply", "--server-side", "--field-manager=ci", "-f", &d]);

    let d4 = write(&sim, "d4.yaml", &deployment(4, "shop/api:1.0"));
    let err = sim.fail(&["apply", "--server-side", "--field-manager=ci", "-f", &d4]);
    assert!(
        err.contains("Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas\n"),
        "{err}"
    );
    // kubectl's own advice after a conflict (apply.go).
    assert!(err.contains("--force-conflicts"), "{err}");
    assert_eq!(
        sim.json(&[
            "-n",
            "shop",
            "get",
            "--show-managed-fields",
            "deploy",
            "api"
        ])["spec"]["replicas"],
        2
    );

    let d5 = write(&sim, "d5.yaml", &deployment(5, "shop/api:2.0"));
    let err = sim.fail(&["apply", "--server-side", "--field-manager=ci", "-f", &d5]);
    assert!(
        err.contains(
            "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"api\"].image\n"
        ),
        "{err}"
    );

    sim.ok(&[
        "apply",
        "--server-side",
        "--field-manager=ci",
        "--force-conflicts",
        "-f",
        &d4,
    ]);
    let got = sim.json(&[
        "-n",
        "shop",
        "get",
        "--show-managed-fields",
        "deploy",
        "api",
    ]);
    assert_eq!(got["spec"]["replicas"], 4);
    let kubectl = &entry(&got, "kubectl").expect("kubectl keeps the rest")["fieldsV1"];
    assert!(kubectl["f:spec"].get("f:replicas").is_none(), "{kubectl}");
    assert_eq!(
        entry(&got, "ci").expect("ci's entry")["fieldsV1"]["f:spec"]["f:replicas"],
        json!({})
    );
    // Now kubectl is the one in conflict with "ci".
    let err = sim.fail(&["apply", "--server-side", "-f", &d]);
    assert!(
        err.contains("Apply failed with 1 conflict: conflict with \"ci\": .spec.replicas\n"),
        "{err}"
    );
}
