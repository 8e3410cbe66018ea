//! Argo CD in the simulator: the `Application` resource through real kubectl (get,
//! describe, patch), the application controller (auto-sync of a pushed commit, self-heal
//! reverting a `kubectl rollout undo`, health), and the REST API the `argocd` CLI uses,
//! with Argo CD's answers and refusals as argoproj/argo-cd words them:
//! `server/application/application.go` (Sync, Rollback), `util/argo/argo.go`
//! (`ErrAnotherOperationInProgress`), `util/session/sessionmanager.go`,
//! `server/server.go` (`ErrNoSession`), grpc-gateway v1 error bodies.

mod common;

use backout::sim::Scenario;
use backout::sim::auth::{ADMIN_TOKEN, VIEWER_TOKEN};
use common::Sim;
use serde_json::{Value, json};

const DRILL: &str = include_str!("../runbooks/drills/argocd-self-heal.yaml");

fn start() -> Sim {
    let scenario = Scenario::parse(DRILL, "argocd-self-heal.yaml").expect("drill parses");
    Sim::held(scenario, 20.0)
}

impl ArgoApi for Sim {
    fn argo(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let client = self.handle().http_client(token).expect("client");
        let url = format!("{}/argocd{path}", self.handle().url());
        self.runtime.block_on(async {
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = client.request(m, &url);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("request sent");
            let code = resp.status().as_u16();
            let v: Value = resp.json().await.expect("JSON answer");
            (code, v)
        })
    }
}

trait ArgoApi {
    fn argo(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value);
}

fn app(sim: &Sim) -> Value {
    sim.json(&["get", "application", "checkout-api", "-n", "argocd"])
}

fn image(sim: &Sim) -> String {
    sim.image(&["checkout-api", "-n", "checkout"])
}

#[test]
fn kubectl_gets_describes_and_patches_applications() {
    let sim = start();
    let out = sim.ok(&["get", "applications", "-n", "argocd"]);
    assert!(
        out.contains("NAME           SYNC STATUS   HEALTH STATUS"),
        "{out}"
    );
    assert!(
        out.contains("checkout-api   Synced        Healthy"),
        "{out}"
    );
    // Short name and the priority-10 columns of the CRD.
    let wide = sim.ok(&["get", "app", "-n", "argocd", "-o", "wide"]);
    assert!(
        wide.contains("REVISION") && wide.contains("PROJECT") && wide.contains("default"),
        "{wide}"
    );
    let a = app(&sim);
    assert_eq!(a["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(a["status"]["sync"]["status"], "Synced");
    assert_eq!(a["status"]["health"]["status"], "Healthy");
    assert_eq!(a["status"]["history"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        a["status"]["summary"]["images"][0],
        "registry.local/checkout-api:1.5.0"
    );
    let described = sim.ok(&["describe", "application", "checkout-api", "-n", "argocd"]);
    assert!(
        described.contains("Kind:         Application"),
        "{described}"
    );
    assert!(described.contains("Self Heal:  true"), "{described}");
    // The managed Deployment carries the tracking annotation and instance label.
    let d = sim.json(&["get", "deploy", "checkout-api", "-n", "checkout"]);
    assert_eq!(
        d["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"],
        "checkout-api:apps/Deployment:checkout/checkout-api"
    );
    assert_eq!(
        d["metadata"]["labels"]["app.kubernetes.io/instance"],
        "checkout-api"
    );

    // The GitOps runbook line: pin the target revision to the first commit.
    let first = a["status"]["history"][0]["revision"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let patch = format!(r#"{{"spec":{{"source":{{"targetRevision":"{first}"}}}}}}"#);
    let out = sim.ok(&[
        "patch",
        "application",
        "checkout-api",
        "-n",
        "argocd",
        "--type",
        "merge",
        "-p",
        &patch,
    ]);
    assert!(
        out.contains("application.argoproj.io/checkout-api patched"),
        "{out}"
    );
    sim.wait_for("auto-sync to the pinned revision", || {
        image(&sim).ends_with(":1.4.1")
    });
    sim.wait_for("synced and healthy at the pinned revision", || {
        let a = app(&sim);
        a["status"]["sync"]["status"] == "Synced"
            && a["status"]["sync"]["revision"] == first.as_str()
            && a["status"]["health"]["status"] == "Healthy"
    });
    let a = app(&sim);
    assert_eq!(a["status"]["history"][2]["revision"], first.as_str());
    assert_eq!(
        a["status"]["operationState"]["message"],
        "successfully synced (all tasks run)"
    );
}

#[test]
fn a_pushed_commit_is_synced_and_a_kubectl_undo_is_reverted_by_self_heal() {
    let sim = start();
    let h = sim.handle();
    let s = Scenario::parse(DRILL, "x").expect("parses");
    backout::sim::scenario::apply(h.shared(), &s, &s.timeline[0]).expect("commit pushed");
    sim.wait_for("auto-sync of the bad commit", || {
        image(&sim).ends_with(":1.6.0")
    });
    sim.settled("checkout-api");
    let a = app(&sim);
    assert_eq!(a["status"]["history"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        a["status"]["operationState"]["operation"]["initiatedBy"]["automated"],
        true
    );
    assert!(a["metadata"]["annotations"]["argocd.argoproj.io/refresh"].is_null());

    // The trap: a manual undo drifts from Git and self-heal puts 1.6.0 back.
    let out = sim.rollout_undo("checkout", "checkout-api");
    assert!(out.contains("rolled back"), "{out}");
    sim.wait_for("self-heal", || {
        app(&sim)["status"]["operationState"]["operation"]["sync"]["selfHealAttemptsCount"] == 1
    });
    assert!(image(&sim).ends_with(":1.6.0"), "{}", image(&sim));

    // Auto-sync off (`argocd app set --sync-policy none` patches the spec), then the undo stays.
    let out = sim.ok(&[
        "patch",
        "application",
        "checkout-api",
        "-n",
        "argocd",
        "--type",
        "json",
        "-p",
        r#"[{"op":"remove","path":"/spec/syncPolicy"}]"#,
    ]);
    assert!(out.contains("patched"), "{out}");
    sim.rollout_undo("checkout", "checkout-api");
    sim.wait_for("the app sees the drift", || {
        app(&sim)["status"]["sync"]["status"] == "OutOfSync"
    });
    sim.settled("checkout-api");
    assert!(image(&sim).ends_with(":1.5.0"), "{}", image(&sim));
    let a = app(&sim);
    assert_eq!(
        a["status"]["operationState"]["operation"]["sync"]["selfHealAttemptsCount"],
        1
    );
}

#[test]
fn the_api_answers_and_refuses_as_argo_cd() {
    let sim = start();
    // Session: the policy user's token is its password.
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"username": "admin", "password": ADMIN_TOKEN})),
    );
    assert_eq!((code, v["token"].as_str()), (200, Some(ADMIN_TOKEN)));
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/session",
        None,
        Some(json!({"username": "admin", "password": "nope"})),
    );
    assert_eq!(
        (code, &v["message"], &v["code"]),
        (401, &json!("Invalid username or password"), &json!(16))
    );
    let (code, v) = sim.argo("GET", "/api/v1/applications", None, None);
    assert_eq!((code, &v["error"]), (401, &json!("no session information")));

    let t = Some(ADMIN_TOKEN);
    let (code, list) = sim.argo("GET", "/api/v1/applications", t, None);
    assert_eq!(code, 200);
    assert_eq!(list["items"][0]["metadata"]["name"], "checkout-api");
    let (code, v) = sim.argo("GET", "/api/v1/applications/nope", t, None);
    assert_eq!(
        (code, &v["message"]),
        (404, &json!("applications.argoproj.io \"nope\" not found"))
    );

    // Rollback while auto-sync is on (`Rollback`, codes.FailedPrecondition → 400).
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/rollback",
        t,
        Some(json!({"id": 0})),
    );
    assert_eq!(code, 400);
    assert_eq!(
        v,
        json!({"error": "rollback cannot be initiated when auto-sync is enabled", "code": 9,
                          "message": "rollback cannot be initiated when auto-sync is enabled"})
    );
    // Sync to another revision while auto-sync is on (`resolveSourceRevisions`).
    let (_, a) = sim.argo("GET", "/api/v1/applications/checkout-api", t, None);
    let first = a["status"]["history"][0]["revision"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/sync",
        t,
        Some(json!({"revision": first})),
    );
    assert_eq!(code, 400);
    assert_eq!(
        v["message"],
        format!("Cannot sync to {first}: auto-sync currently set to HEAD")
    );
    // The viewer may read but not sync (`EnforceErr`).
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/sync",
        Some(VIEWER_TOKEN),
        Some(json!({})),
    );
    assert_eq!(code, 403);
    assert_eq!(
        v["message"],
        "permission denied: applications, sync, default/checkout-api, sub: viewer"
    );

    // `argocd app set --sync-policy none`: PUT the spec without syncPolicy.
    let mut spec = a["spec"].clone();
    spec.as_object_mut().map(|o| o.remove("syncPolicy"));
    let (code, v) = sim.argo(
        "PUT",
        "/api/v1/applications/checkout-api/spec",
        t,
        Some(spec),
    );
    assert_eq!(code, 200, "{v}");
    assert!(v["syncPolicy"].is_null(), "{v}");
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/rollback",
        t,
        Some(json!({"id": 7})),
    );
    assert_eq!(
        (code, &v["message"]),
        (
            400,
            &json!("application argocd/checkout-api does not have deployment with id 7")
        )
    );
    let (code, v) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/rollback",
        t,
        Some(json!({"id": "0"})),
    );
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["operation"]["sync"]["revision"], first.as_str());
    assert_eq!(v["operation"]["initiatedBy"]["username"], "admin");
    sim.wait_for("rolled back to 1.4.1", || image(&sim).ends_with(":1.4.1"));
    sim.wait_for("the operation finished", || {
        app(&sim)["operation"].is_null()
    });
    let a = app(&sim);
    assert_eq!(a["status"]["operationState"]["phase"], "Succeeded");
    assert_eq!(a["status"]["history"][2]["revision"], first.as_str());
    // Rolled back below the target (HEAD): OutOfSync, as Argo CD shows it.
    sim.wait_for("OutOfSync after the rollback", || {
        app(&sim)["status"]["sync"]["status"] == "OutOfSync"
    });

    // The resource tree: the Deployment, its replica sets and their pods (terminating
    // pods of the old replica set included while they last, as in Argo CD).
    sim.settled("checkout-api");
    let tree_kinds = || -> Vec<String> {
        let (code, tree) = sim.argo(
            "GET",
            "/api/v1/applications/checkout-api/resource-tree",
            t,
            None,
        );
        assert_eq!(code, 200);
        tree["nodes"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter_map(|x| x["kind"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let count = |kinds: &[String], k: &str| kinds.iter().filter(|x| *x == k).count();
    sim.wait_for("the old pods gone from the tree", || {
        count(&tree_kinds(), "Pod") == 4
    });
    let kinds = tree_kinds();
    assert_eq!(count(&kinds, "Deployment"), 1, "{kinds:?}");
    assert!(count(&kinds, "ReplicaSet") >= 2, "{kinds:?}");
    // Sync back to the target; a second operation while one is pending is refused.
    let (code, _) = sim.argo(
        "POST",
        "/api/v1/applications/checkout-api/sync",
        t,
        Some(json!({})),
    );
    assert_eq!(code, 200);
    sim.wait_for("synced back to HEAD", || {
        app(&sim)["status"]["sync"]["status"] == "Synced"
    });
    assert!(image(&sim).ends_with(":1.5.0"));
}
