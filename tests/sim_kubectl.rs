//! Conformance of the simulator with real kubectl 1.32 (`/usr/bin/kubectl`, or `$KUBECTL`).
//! Every test starts its own simulator on a free port with its own kubeconfig, and asserts
//! both kubectl's output and the resulting objects. A missing kubectl fails the tests.

mod common;

use common::{Sim, WEB};
use serde_json::Value;

#[test]
fn get_pods_deployments_and_replicasets_in_every_format() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&["get", "pods,deploy,rs"]);
    assert!(
        out.contains("NAME                  READY   UP-TO-DATE   AVAILABLE   AGE"),
        "{out}"
    );
    assert!(
        out.contains("deployment.apps/web   3/3     3            3"),
        "{out}"
    );
    assert_eq!(out.matches("pod/web-").count(), 3, "{out}");
    assert!(out.contains("1/1     Running   0"), "{out}");
    assert!(out.contains("replicaset.apps/web-"), "{out}");

    let wide = sim.ok(&["get", "pods", "-o", "wide"]);
    let header = wide.lines().next().unwrap_or_default();
    for col in [
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
        "NOMINATED NODE",
        "READINESS GATES",
    ] {
        assert!(header.contains(col), "{header}");
    }
    assert!(wide.contains("sim-node-"), "{wide}");
    let wide = sim.ok(&["get", "deploy", "-o", "wide"]);
    assert!(
        wide.contains("CONTAINERS   IMAGES")
            && wide.contains("shop/web:1.2")
            && wide.contains("app=web"),
        "{wide}"
    );
    let wide = sim.ok(&["get", "rs", "-o", "wide"]);
    assert!(
        wide.contains("DESIRED   CURRENT   READY") && wide.contains("pod-template-hash="),
        "{wide}"
    );

    let list: Value = sim.json(&["get", "pods"]);
    assert_eq!(list["kind"], "List");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));
    assert_eq!(list["items"][0]["status"]["phase"], "Running");
    assert_eq!(
        list["items"][0]["metadata"]["ownerReferences"][0]["kind"],
        "ReplicaSet"
    );

    let yaml = sim.ok(&["get", "deploy", "web", "-o", "yaml"]);
    assert!(
        yaml.contains("kind: Deployment")
            && yaml.contains("deployment.kubernetes.io/revision: \"3\""),
        "{yaml}"
    );
    assert!(
        yaml.contains("reason: NewReplicaSetAvailable")
            && yaml.contains("reason: MinimumReplicasAvailable"),
        "{yaml}"
    );

    let yaml = sim.ok(&["get", "rs", "-o", "yaml"]);
    assert!(
        yaml.contains("kind: ReplicaSet")
            && !yaml.contains("deployment.kubernetes.io/revision-history"),
        "{yaml}"
    );
    assert!(
        yaml.contains("pod-template-hash:") && yaml.contains("kind: Deployment"),
        "owner references:\n{yaml}"
    );
    let yaml = sim.ok(&["get", "pods", "-o", "yaml"]);
    assert!(
        yaml.contains("nodeName: sim-node-") && yaml.contains("type: Ready"),
        "{yaml}"
    );
    let rs: Value = sim.json(&["get", "rs"]);
    assert_eq!(rs["items"].as_array().map(Vec::len), Some(3));
    let d: Value = sim.json(&["get", "deploy", "web"]);
    assert_eq!(
        (
            d["status"]["readyReplicas"].as_i64(),
            d["status"]["observedGeneration"].as_i64()
        ),
        (Some(3), d["metadata"]["generation"].as_i64())
    );

    let nodes = sim.ok(&["get", "nodes"]);
    assert!(
        nodes.starts_with("NAME         STATUS   ROLES    AGE"),
        "{nodes}"
    );
    assert_eq!(nodes.matches("Ready    worker").count(), 3, "{nodes}");

    let err = sim.fail(&["get", "deploy", "nope"]);
    assert!(
        err.contains("Error from server (NotFound): deployments.apps \"nope\" not found"),
        "{err}"
    );
}

#[test]
fn get_pods_by_label_selector() {
    let sim = Sim::start(common::TWO_APPS, 20.0);
    let out = sim.ok(&["get", "pods", "-l", "app=api", "-o", "name"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.lines().all(|l| l.starts_with("pod/api-")), "{out}");
    let out = sim.ok(&["get", "pods", "-l", "app in (web,api)", "-o", "name"]);
    assert_eq!(out.lines().count(), 5, "{out}");
    let out = sim.ok(&["get", "pods", "-l", "app!=web", "-o", "name"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = sim.ok(&["get", "pods", "-l", "!app", "-o", "name"]);
    assert!(out.trim().is_empty(), "{out}");
    let out = sim.ok(&[
        "get",
        "pods",
        "--field-selector",
        "status.phase=Running",
        "-o",
        "name",
    ]);
    assert_eq!(out.lines().count(), 5, "{out}");
}

#[test]
fn get_pods_watch_prints_changes_as_they_happen() {
    use std::io::{BufRead, BufReader};
    let sim = Sim::start(WEB, 20.0);
    let mut child = sim.spawn(&["get", "pods", "-w"]);
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait = std::time::Duration::from_secs(20);
    // The initial list: a header and the three pods.
    let mut initial = Vec::new();
    while initial.len() < 4 {
        initial.push(
            rx.recv_timeout(wait)
                .expect("kubectl printed the initial list"),
        );
    }
    assert!(initial[0].starts_with("NAME"), "{initial:?}");
    assert!(
        initial[1..].iter().all(|l| l.contains("Running")),
        "{initial:?}"
    );
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    // The new pod appears and goes through its lifecycle, one line per change.
    let known: Vec<String> = initial[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.contains("1/1") && l.contains("Running"))
    {
        let line = rx
            .recv_timeout(wait)
            .unwrap_or_else(|_| panic!("no further watch events; saw {seen:?}"));
        if !known.iter().any(|k| line.starts_with(k.as_str())) {
            seen.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(
        seen.iter()
            .any(|l| l.contains("Pending") || l.contains("ContainerCreating")),
        "{seen:?}"
    );
}

#[test]
fn rollout_history_lists_revisions_and_shows_one() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&["rollout", "history", "deploy/web"]);
    assert!(out.starts_with("deployment.apps/web"), "{out}");
    assert!(out.contains("REVISION  CHANGE-CAUSE"), "{out}");
    assert!(out.contains("1         deploy web 1.0"), "{out}");
    assert!(out.contains("3         deploy web 1.2"), "{out}");
    let out = sim.ok(&["rollout", "history", "deploy/web", "--revision=2"]);
    assert!(
        out.contains("deployment.apps/web with revision #2"),
        "{out}"
    );
    assert!(out.contains("Image:\tshop/web:1.1"), "{out}");
    let err = sim.fail(&["rollout", "history", "deploy/web", "--revision=9"]);
    assert!(
        err.contains("unable to find the specified revision"),
        "{err}"
    );
}

#[test]
fn rollout_undo_to_previous_and_to_a_revision() {
    let sim = Sim::start(WEB, 20.0);
    assert_eq!(
        sim.ok(&["rollout", "undo", "deploy/web"]).trim(),
        "deployment.apps/web rolled back"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let d = sim.json(&["get", "deploy", "web"]);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.1"
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "4"
    );
    let out = sim.ok(&["rollout", "history", "deploy/web"]);
    let revs: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(revs, ["1", "3", "4"], "{out}");
    // The replica set that was revision 2 remembers it.
    let rs = sim.json(&["get", "rs", "-l", "app=web"]);
    let promoted = rs["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        promoted["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"],
        "2"
    );
    assert_eq!(promoted["spec"]["replicas"], 3);

    assert_eq!(
        sim.ok(&["rollout", "undo", "deploy/web", "--to-revision=1"])
            .trim(),
        "deployment.apps/web rolled back"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let d = sim.json(&["get", "deploy", "web"]);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.0"
    );
    // As on a real cluster, old pods may still be terminating when the rollout is done.
    sim.wait_for("only 1.0 pods left", || {
        let pods = sim.json(&["get", "pods", "-l", "app=web"]);
        let images: Vec<String> = pods["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        p["spec"]["containers"][0]["image"]
                            .as_str()
                            .map(String::from)
                    })
                    .collect()
            })
            .unwrap_or_default();
        images == ["shop/web:1.0"; 3]
    });
}

#[test]
fn rollout_undo_refuses_paused_and_skips_matching_template() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&["rollout", "undo", "deploy/web", "--to-revision=3"]);
    assert_eq!(
        out.trim(),
        "deployment.apps/web skipped rollback (current template already matches revision 3)"
    );
    assert_eq!(
        sim.ok(&["rollout", "pause", "deploy/web"]).trim(),
        "deployment.apps/web paused"
    );
    let err = sim.fail(&["rollout", "undo", "deploy/web"]);
    assert!(err.contains("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"), "{err}");
    let d = sim.json(&["get", "deploy", "web"]);
    assert_eq!(
        d["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.2"
    );
}

#[test]
fn rollout_status_reports_success_and_progress_deadline_exceeded() {
    let sim = Sim::start(common::STUCK_AT_20X, 20.0);
    let out = sim.ok(&["rollout", "status", "deploy/web", "--timeout=30s"]);
    assert_eq!(out.trim(), "deployment \"web\" successfully rolled out");
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:2.0"]);
    let (code, out, err) = sim.run(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    assert_ne!(code, 0, "stdout: {out}\nstderr: {err}");
    assert!(
        out.contains("Waiting for deployment \"web\" rollout to finish"),
        "{out}"
    );
    assert!(
        err.contains("error: deployment \"web\" exceeded its progress deadline"),
        "{err}"
    );
    let d = sim.json(&["get", "deploy", "web"]);
    let progressing = d["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Progressing"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
    // Rolling back recovers.
    sim.ok(&["rollout", "undo", "deploy/web"]);
    assert!(
        sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"])
            .contains("successfully rolled out")
    );
}

#[test]
fn rollout_pause_resume_restart() {
    let sim = Sim::start(WEB, 20.0);
    sim.ok(&["rollout", "pause", "deploy/web"]);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"]);
    // The controller has seen the change (and had its chance to act on it) once it has
    // observed the new generation: wait for that, not for a fixed pause.
    sim.wait_for("the controller to observe the paused change", || {
        let d = sim.json(&["get", "deploy", "web"]);
        d["metadata"]["generation"] == d["status"]["observedGeneration"]
    });
    let rs = sim.json(&["get", "rs", "-l", "app=web"]);
    assert_eq!(
        rs["items"].as_array().map(Vec::len),
        Some(3),
        "no new replica set while paused"
    );
    let d = sim.json(&["get", "deploy", "web"]);
    assert!(
        d["status"]["conditions"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["reason"] == "DeploymentPaused"))
    );
    assert_eq!(
        sim.ok(&["rollout", "resume", "deploy/web"]).trim(),
        "deployment.apps/web resumed"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    assert_eq!(
        sim.json(&["get", "deploy", "web"])["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "4"
    );
    assert_eq!(
        sim.ok(&["rollout", "restart", "deploy/web"]).trim(),
        "deployment.apps/web restarted"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let d = sim.json(&["get", "deploy", "web"]);
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "5"
    );
}

#[test]
fn scale_changes_replicas_and_pods() {
    let sim = Sim::start(WEB, 20.0);
    assert_eq!(
        sim.ok(&["scale", "deploy/web", "--replicas=5"]).trim(),
        "deployment.apps/web scaled"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    sim.wait_for("5 ready pods", || {
        sim.json(&["get", "deploy", "web"])["status"]["readyReplicas"] == 5
    });
    let pods = sim.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
    assert_eq!(pods.lines().count(), 5);
    sim.ok(&["scale", "deploy/web", "--replicas=1"]);
    sim.wait_for("one pod left", || {
        sim.ok(&["get", "pods", "-l", "app=web", "-o", "name"])
            .lines()
            .count()
            == 1
    });
}

#[test]
fn set_image_and_set_env_roll_out_new_revisions() {
    let sim = Sim::start(WEB, 20.0);
    assert_eq!(
        sim.ok(&["set", "image", "deploy/web", "app=shop/web:1.3"])
            .trim(),
        "deployment.apps/web image updated"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    assert_eq!(
        sim.ok(&["set", "env", "deploy/web", "MODE=fast"]).trim(),
        "deployment.apps/web env updated"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    let d = sim.json(&["get", "deploy", "web"]);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "shop/web:1.3");
    assert!(c["env"].as_array().is_some_and(|e| {
        e.iter()
            .any(|v| v["name"] == "MODE" && v["value"] == "fast")
    }));
    assert!(
        c["env"]
            .as_array()
            .is_some_and(|e| e.iter().any(|v| v["name"] == "FEATURE_X")),
        "existing env kept"
    );
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "5"
    );
    assert_eq!(d["status"]["updatedReplicas"], 3);
}

#[test]
fn patch_json_merge_and_strategic() {
    let sim = Sim::start(WEB, 20.0);
    let out = sim.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/replicas","value":2}]"#,
    ]);
    assert_eq!(out.trim(), "deployment.apps/web patched");
    assert_eq!(sim.json(&["get", "deploy", "web"])["spec"]["replicas"], 2);
    sim.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"team":"payments"}}}"#,
    ]);
    assert_eq!(
        sim.json(&["get", "deploy", "web"])["metadata"]["labels"]["team"],
        "payments"
    );
    sim.ok(&["patch", "deploy", "web", "-p", r#"{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"FEATURE_X","value":"on"}]}]}}}}"#]);
    let d = sim.json(&["get", "deploy", "web"]);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        c["image"], "shop/web:1.2",
        "strategic merge keeps other container fields"
    );
    assert_eq!(c["env"][0]["value"], "on");
    let err = sim.fail(&[
        "patch",
        "deploy",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/spec/nope"}]"#,
    ]);
    assert!(
        err.contains("is invalid") && err.contains("/spec/nope"),
        "{err}"
    );
    let out = sim.ok(&[
        "patch",
        "deploy",
        "web",
        "--type=merge",
        "-p",
        r#"{"spec":{"replicas":1}}"#,
        "--dry-run=server",
    ]);
    assert_eq!(out.trim(), "deployment.apps/web patched", "{out}");
    assert_eq!(sim.json(&["get", "deploy", "web"])["spec"]["replicas"], 2);
}

#[test]
fn delete_pods_by_label_replaces_them() {
    let sim = Sim::start(WEB, 20.0);
    let before = sim.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
    let out = sim.ok(&["delete", "pod", "-l", "app=web"]);
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("pod \"web-") && l.ends_with("\" deleted"))
            .count(),
        3,
        "{out}"
    );
    sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    sim.wait_for("three new ready pods", || {
        let p = sim.json(&["get", "pods", "-l", "app=web"]);
        p["items"]
            .as_array()
            .is_some_and(|a| a.len() == 3 && a.iter().all(|p| p["status"]["phase"] == "Running"))
    });
    let after = sim.ok(&["get", "pods", "-l", "app=web", "-o", "name"]);
    assert!(
        before.lines().all(|p| !after.contains(p)),
        "all pods replaced:\n{before}\n{after}"
    );
}

#[test]
fn auth_can_i_follows_the_policy() {
    let sim = Sim::start(WEB, 20.0);
    assert_eq!(sim.ok(&["auth", "can-i", "delete", "pods"]).trim(), "yes");
    assert_eq!(
        sim.ok(&["auth", "can-i", "patch", "deployments.apps"])
            .trim(),
        "yes"
    );
    let (code, out, _) = sim.run(&[
        "--context",
        "backout-sim-viewer",
        "auth",
        "can-i",
        "delete",
        "pods",
    ]);
    assert_eq!((code, out.trim()), (1, "no"));
    assert_eq!(
        sim.ok(&[
            "--context",
            "backout-sim-viewer",
            "auth",
            "can-i",
            "list",
            "pods"
        ])
        .trim(),
        "yes"
    );
    let err = sim.fail(&[
        "--context",
        "backout-sim-viewer",
        "delete",
        "pod",
        "-l",
        "app=web",
    ]);
    assert!(
        err.contains("pods \"web-") && err.contains("is forbidden: User \"viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"shop\""),
        "{err}"
    );
    let err = sim.fail(&[
        "--context",
        "backout-sim-viewer",
        "rollout",
        "undo",
        "deploy/web",
    ]);
    assert!(err.contains("forbidden"), "{err}");
}

#[test]
fn kubectl_sends_the_token_over_verified_tls() {
    let sim = Sim::start(WEB, 20.0);
    let kc = std::fs::read_to_string(&sim.kubeconfig).expect("kubeconfig");
    assert!(
        kc.contains("server: \"https://127.0.0.1:")
            && kc.contains("certificate-authority-data: ")
            && !kc.contains("insecure")
            && !kc.contains("/as/"),
        "{kc}"
    );
    // `get --raw` sends the token too (it used to drop the identity with the URL path).
    let raw = sim.ok(&["get", "--raw", "/api/v1/namespaces/shop/pods?limit=1"]);
    assert!(raw.contains("\"kind\":\"PodList\""), "{raw}");
    // A wrong token and no token at all: 401, which kubectl reports as against a real
    // cluster ("You must be logged in to the server (the server has asked for the client
    // to provide credentials)").
    let err = sim.fail(&["--token", "not-a-token", "get", "pods"]);
    assert!(err.contains("You must be logged in to the server"), "{err}");
    let variant = |from: &str, to: &str, name: &str| {
        assert!(kc.contains(from), "{from:?} not in {kc}");
        let path = sim.dir.path().join(name);
        std::fs::write(&path, kc.replace(from, to)).expect("write kubeconfig");
        path
    };
    // No token at all (kubectl would prompt for credentials instead of sending none).
    let (anonymous, viewer) = sim.runtime.block_on(async {
        let url = format!("{}/api/v1/namespaces/shop/pods", sim.handle().url());
        let anonymous = sim.handle().http_client(None).expect("client");
        let viewer = sim
            .handle()
            .http_client(Some(backout::sim::auth::VIEWER_TOKEN))
            .expect("client");
        let a = anonymous.get(&url).send().await.expect("anonymous get");
        let a = (a.status().as_u16(), a.text().await.unwrap_or_default());
        let v = viewer
            .delete(format!("{url}?labelSelector=app%3Dweb"))
            .send()
            .await
            .expect("viewer delete");
        (a, v.status().as_u16())
    });
    assert_eq!(anonymous.0, 401);
    assert!(
        anonymous.1.contains("\"reason\":\"Unauthorized\""),
        "{}",
        anonymous.1
    );
    assert_eq!(viewer, 403);
    // Without the CA kubectl does not trust the server: the certificate is verified.
    let ca_line = kc
        .lines()
        .find(|l| l.contains("certificate-authority-data"))
        .expect("CA line");
    let untrusted = variant(&format!("{ca_line}\n"), "", "untrusted");
    let (code, _, err) = sim.run(&[
        "--kubeconfig",
        untrusted.to_str().expect("utf-8"),
        "get",
        "pods",
    ]);
    assert!(
        code != 0 && err.contains("certificate signed by unknown authority"),
        "{err}"
    );
}

#[test]
fn server_dry_run_changes_nothing() {
    let sim = Sim::start(WEB, 20.0);
    let before = sim.json(&["get", "deploy", "web"]);
    let out = sim.ok(&[
        "set",
        "image",
        "deploy/web",
        "app=shop/web:9.9",
        "--dry-run=server",
    ]);
    assert!(out.contains("(server dry run)"), "{out}");
    sim.ok(&["scale", "deploy/web", "--replicas=7", "--dry-run=server"]);
    sim.ok(&["rollout", "undo", "deploy/web", "--dry-run=server"]);
    sim.ok(&["delete", "pod", "-l", "app=web", "--dry-run=server"]);
    let after = sim.json(&["get", "deploy", "web"]);
    assert_eq!(
        before["metadata"]["resourceVersion"],
        after["metadata"]["resourceVersion"]
    );
    assert_eq!(
        after["spec"]["template"]["spec"]["containers"][0]["image"],
        "shop/web:1.2"
    );
    let pods = sim.json(&["get", "pods", "-l", "app=web"]);
    assert!(pods["items"].as_array().is_some_and(|a| {
        a.len() == 3
            && a.iter()
                .all(|p| p["metadata"]["deletionTimestamp"].is_null())
    }));
}

#[test]
fn revision_history_limit_prunes_old_replicasets_and_recreate_strategy_works() {
    let sim = Sim::start(common::WEB, 20.0);
    sim.ok(&["patch", "deploy", "web", "--type=merge", "-p", r#"{"spec":{"revisionHistoryLimit":1,"strategy":{"type":"Recreate","rollingUpdate":null}}}"#]);
    for v in ["1.3", "1.4", "1.5"] {
        sim.ok(&["set", "image", "deploy/web", &format!("app=shop/web:{v}")]);
        sim.ok(&["rollout", "status", "deploy/web", "--timeout=60s"]);
    }
    sim.wait_for("old replica sets pruned to the limit", || {
        sim.json(&["get", "rs", "-l", "app=web"])["items"]
            .as_array()
            .is_some_and(|a| a.len() == 2)
    });
    let out = sim.ok(&["rollout", "history", "deploy/web"]);
    let revs: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(revs, ["5", "6"], "{out}");
    let d = sim.json(&["get", "deploy", "web"]);
    assert_eq!(d["spec"]["strategy"]["type"], "Recreate");
    assert_eq!(d["status"]["availableReplicas"], 3);
}

#[test]
fn logs_and_logs_follow() {
    use std::io::{BufRead, BufReader};
    let sim = Sim::start(WEB, 20.0);
    // The log grows a line per simulated second from the container's start: on a busy
    // machine the first read can come before five lines exist (it printed three once).
    sim.wait_for("five log lines", || {
        sim.ok(&["logs", "deploy/web", "--tail=5"]).lines().count() == 5
    });
    let out = sim.ok(&["logs", "deploy/web", "--tail=5"]);
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(out.lines().all(|l| l.contains("level=")), "{out}");
    assert!(out.contains("status="), "{out}");
    let pod = sim
        .ok(&["get", "pods", "-o", "name"])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let mut child = sim.spawn(&["logs", "-f", "--tail=1", &pod]);
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while lines.len() < 3 {
        lines.push(
            rx.recv_timeout(std::time::Duration::from_secs(10))
                .expect("a followed log line"),
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    // The log goes on where the tail ended, a line per simulated second (src/sim/logs).
    let seq = |l: &str| {
        l.rsplit_once("seq=")
            .and_then(|(_, n)| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("no seq in {l}"))
    };
    assert_eq!(seq(&lines[2]), seq(&lines[1]) + 1, "{lines:?}");
}

#[test]
fn create_namespace_configmap_and_deployment_then_delete_the_namespace() {
    let sim = Sim::start(WEB, 20.0);
    assert_eq!(
        sim.ok(&["create", "namespace", "tmp"]).trim(),
        "namespace/tmp created"
    );
    sim.ok(&[
        "-n",
        "tmp",
        "create",
        "configmap",
        "flags",
        "--from-literal=NEW_PRICING=on",
    ]);
    assert_eq!(
        sim.json(&["-n", "tmp", "get", "cm", "flags"])["data"]["NEW_PRICING"],
        "on"
    );
    let out = sim.ok(&[
        "-n",
        "tmp",
        "create",
        "deployment",
        "api",
        "--image=shop/api:2.0",
        "--replicas=2",
        "--port=8080",
    ]);
    assert_eq!(out.trim(), "deployment.apps/api created");
    sim.ok(&[
        "-n",
        "tmp",
        "rollout",
        "status",
        "deploy/api",
        "--timeout=60s",
    ]);
    let d = sim.json(&["-n", "tmp", "get", "deploy", "api"]);
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        (c["name"].as_str(), c["image"].as_str()),
        (Some("api"), Some("shop/api:2.0"))
    );
    assert_eq!(
        c["ports"][0],
        serde_json::json!({"containerPort": 8080, "protocol": "TCP"})
    );
    assert_eq!(c["imagePullPolicy"], "IfNotPresent");
    assert_eq!(d["status"]["availableReplicas"], 2);
    assert_eq!(
        sim.ok(&["delete", "namespace", "tmp"]).trim(),
        "namespace \"tmp\" deleted"
    );
    let err = sim.fail(&["-n", "tmp", "get", "deploy", "api"]);
    assert!(err.contains("not found"), "{err}");
    // Secrets are served (issue 16; more in tests/sim_api_semantics.rs).
    assert_eq!(
        sim.ok(&["create", "secret", "generic", "s", "--from-literal=a=b"])
            .trim(),
        "secret/s created"
    );
}

#[test]
fn scaling_in_the_middle_of_a_stuck_rollout_is_proportional() {
    let sim = Sim::start(common::STUCK_AT_20X, 20.0);
    sim.ok(&["set", "image", "deploy/web", "app=shop/web:2.0"]);
    let sizes = |sim: &Sim| -> Vec<(String, i64)> {
        let rs = sim.json(&["get", "rs", "-l", "app=web"]);
        let mut v: Vec<(String, i64)> = rs["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|r| r["spec"]["replicas"].as_i64().unwrap_or(0) > 0)
                    .map(|r| {
                        (
                            r["spec"]["template"]["spec"]["containers"][0]["image"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                            r["spec"]["replicas"].as_i64().unwrap_or(0),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    // 2 replicas at 25 %/25 %: one surge pod of 2.0 that never gets ready, both 1.1 pods stay.
    sim.wait_for("the rollout to stall at 2 old + 1 new", || {
        sizes(&sim)
            == [
                ("shop/web:1.1".to_string(), 2),
                ("shop/web:2.0".to_string(), 1),
            ]
    });
    sim.ok(&["scale", "deploy/web", "--replicas=4"]);
    // Real controller: allowed 4 + 1 surge = 5, spread 3 : 2 by size.
    sim.wait_for("proportional scale-up", || {
        sizes(&sim)
            == [
                ("shop/web:1.1".to_string(), 3),
                ("shop/web:2.0".to_string(), 2),
            ]
    });
}
