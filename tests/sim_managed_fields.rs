//! `managedFields` of writes that are not applies, read with real kubectl 1.32 (`get -o
//! yaml --show-managed-fields`): each create, edit, patch and scale is an `operation:
//! Update` entry of its manager — the request's `fieldManager` (kubectl names its
//! commands: `kubectl-create`, `kubectl-client-side-apply`, `kubectl-edit`,
//! `kubectl-rollout`, …), else the User-Agent up to its first `/`
//! (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go`, `prefixFromUserAgent`)
//! — owning the fields it set, taken from other managers (structured-merge-diff
//! `merge/update.go`, `Updater.Update`); so a server-side apply then conflicts with the
//! command that last changed a field (`managedfields/internal/conflict.go`,
//! `printManager`: `"M" with subresource "scale" using apps/v1`).

mod common;

use common::{Sim, WEB};
use serde_json::Value;

fn entries(sim: &Sim, what: &str) -> Vec<Value> {
    sim.json(&["get", what, "--show-managed-fields"])["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn owner_of<'a>(entries: &'a [Value], section: &str, field: &str) -> Vec<&'a Value> {
    entries
        .iter()
        .filter(|e| !e["fieldsV1"][section][field].is_null())
        .collect()
}

#[test]
fn non_apply_writes_record_update_entries_of_their_manager() {
    let sim = Sim::start(WEB, 20.0);
    sim.ok(&[
        "create",
        "deployment",
        "mf",
        "--image=shop/mf:1.0",
        "--replicas=2",
    ]);
    let yaml = sim.ok(&["get", "deploy", "mf", "-o", "yaml", "--show-managed-fields"]);
    for line in [
        "managedFields:",
        "manager: kubectl-create",
        "operation: Update",
        "apiVersion: apps/v1",
        "fieldsType: FieldsV1",
        "f:replicas: {}",
    ] {
        assert!(yaml.contains(line), "{line:?} in:\n{yaml}");
    }
    // Without the flag kubectl hides them, as on a cluster.
    let plain = sim.ok(&["get", "deploy", "mf", "-o", "yaml"]);
    assert!(!plain.contains("managedFields"), "{plain}");

    let created = entries(&sim, "deploy/mf");
    assert_eq!(created.len(), 1, "{created:#?}");
    assert_eq!(
        created[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"mf\"}"]
            ["f:image"],
        serde_json::json!({}),
        "{created:#?}"
    );

    // `kubectl scale` writes the scale subresource: `.spec.replicas` moves to it.
    sim.ok(&["scale", "deploy/mf", "--replicas=3"]);
    let scaled = entries(&sim, "deploy/mf");
    let owners = owner_of(&scaled, "f:spec", "f:replicas");
    assert_eq!(owners.len(), 1, "{scaled:#?}");
    assert_eq!(owners[0]["subresource"], "scale", "{scaled:#?}");
    assert_eq!(owners[0]["operation"], "Update");
    let scaler = owners[0]["manager"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(scaler.starts_with("kubectl"), "{scaler}");
    let creator = scaled
        .iter()
        .find(|e| e["manager"] == "kubectl-create")
        .unwrap_or_else(|| panic!("{scaled:#?}"));
    assert!(
        creator["fieldsV1"]["f:spec"]["f:replicas"].is_null(),
        "{creator:#}"
    );

    // A patch by kubectl (`kubectl-patch`) takes the image.
    sim.ok(&[
        "patch",
        "deploy/mf",
        "--type=strategic",
        "-p",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"mf","image":"shop/mf:1.1"}]}}}}"#,
    ]);
    let patched = entries(&sim, "deploy/mf");
    let patcher = patched
        .iter()
        .find(|e| e["manager"] == "kubectl-patch")
        .unwrap_or_else(|| panic!("{patched:#?}"));
    assert_eq!(patcher["operation"], "Update");
    assert!(
        !patcher["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
            ["k:{\"name\":\"mf\"}"]["f:image"]
            .is_null(),
        "{patcher:#}"
    );

    // Server-side apply now conflicts with the scaler over `.spec.replicas`.
    let config = sim.dir.path().join("mf.yaml");
    std::fs::write(
        &config,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: mf\n  namespace: shop\nspec:\n  replicas: 5\n",
    )
    .expect("write config");
    let config = config.to_string_lossy().to_string();
    let err = sim.fail(&["apply", "--server-side", "-f", &config]);
    assert!(
        err.contains(&format!(
            "conflict with \"{scaler}\" with subresource \"scale\" using apps/v1"
        )) && err.contains(".spec.replicas"),
        "{err}"
    );
}
