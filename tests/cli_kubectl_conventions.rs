//! kubectl's conventions on backout's command line (docs/cli.md), the real binary against
//! the in-process simulator: `--dry-run=none|client|server`, `status -o json|yaml`,
//! `--request-timeout`, `--as`/`--as-group`, and `kubectl backout …` as a plugin.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use backout::sim::ApiFaults;
use common::{Sim, WEB};
use serde_json::Value;

fn backout(sim: &Sim, home: &Path, args: &[&str]) -> Output {
    sim.backout(home, args).output().expect("backout runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn image(sim: &Sim) -> String {
    sim.image(&["web"])
}

fn mutations(sim: &Sim) -> Vec<u64> {
    let by_verb = sim.handle().shared().requests_by_verb();
    ["POST", "PATCH", "PUT", "DELETE"]
        .iter()
        .map(|m| by_verb.get(*m).copied().unwrap_or(0))
        .collect()
}

/// kubectl 1.32's reading of `--dry-run` (staging/src/k8s.io/kubectl/pkg/cmd/util/
/// helpers.go, `GetDryRunStrategy`): the same warnings and refusal, word for word.
#[test]
fn dry_run_takes_kubectls_strategies_and_warnings() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");

    // server: the diff of the server's dry-run answer.
    let o = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run=server"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("server dry-run:"), "{}", out(&o));
    assert!(out(&o).contains("dry run: nothing changed"), "{}", out(&o));

    // client: the request that would be sent, and no request at all with a body (an
    // access review is a POST, so count from after the preflight: none is a PATCH).
    let before = sim.handle().shared().requests_by_verb();
    let o = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run=client"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("client dry-run: the request that would be sent:"),
        "{text}"
    );
    assert!(
        text.contains("shop/web:1.1"),
        "the template of the previous revision: {text}"
    );
    assert!(
        text.contains("deployment.apps/web rolled back (dry run)"),
        "{text}"
    );
    assert!(!text.contains("server dry-run"), "{text}");
    let after = sim.handle().shared().requests_by_verb();
    assert_eq!(
        after.get("PATCH"),
        before.get("PATCH"),
        "no PATCH, not even a dry run"
    );
    assert_eq!(err(&o), "", "no warning for an explicit strategy");

    // A bare --dry-run is client, with kubectl's deprecation warning.
    let o = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(
        err(&o).contains("--dry-run is deprecated and can be replaced with --dry-run=client."),
        "{}",
        err(&o)
    );
    assert!(out(&o).contains("client dry-run"), "{}", out(&o));
    let o = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run=true"],
    );
    assert!(
        err(&o).contains(
            "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client."
        ),
        "{}",
        err(&o)
    );

    // Anything else: kubectl's refusal, before connecting.
    let o = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run=bogus"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o)
            .contains(r#"Invalid dry-run value (bogus). Must be "none", "server", or "client"."#),
        "{}",
        err(&o)
    );

    // client works in read-only mode (it sends nothing that changes the cluster).
    let o = backout(
        &sim,
        home.path(),
        &[
            "undo",
            "deploy/web",
            "-n",
            "shop",
            "--dry-run=client",
            "--read-only",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert_eq!(image(&sim), "shop/web:1.2", "nothing was rolled back");
}

#[test]
fn status_has_one_shape_with_and_without_a_deployment_in_json_and_yaml() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    sim.settled("web");
    for args in [
        &["status", "deploy/web", "-n", "shop", "-o", "json"][..],
        &["status", "-n", "shop", "--output", "json"],
        &["status", "-n", "shop", "-o", "yaml"],
        &["status", "deploy/web", "-n", "shop", "--format", "yaml"],
    ] {
        let o = backout(&sim, home.path(), args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", err(&o));
        let v: Value = if args.contains(&"yaml") {
            serde_saphyr::from_str(&out(&o)).expect("yaml")
        } else {
            serde_json::from_str(&out(&o)).expect("json")
        };
        assert_eq!(v["apiVersion"], "backout/v1", "{args:?}");
        assert_eq!(v["kind"], "Status", "{args:?}");
        let keys: std::collections::BTreeSet<&str> =
            v.as_object().unwrap().keys().map(String::as_str).collect();
        let want = [
            "apiVersion",
            "deployments",
            "kind",
            "matrix",
            "metrics",
            "prometheus_url",
        ];
        assert_eq!(keys, want.into(), "{args:?}");
        let d = &v["deployments"][0];
        assert_eq!(d["rollout"]["deployment"], "web", "{args:?}");
        assert_eq!(d["namespace"], "shop");
        assert_eq!(v["metrics"], Value::Null);
    }
}

#[test]
fn impersonation_headers_reach_the_api_server() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    let o = backout(
        &sim,
        home.path(),
        &[
            "status",
            "deploy/web",
            "-n",
            "shop",
            "--as",
            "jane",
            "--as-group",
            "sre",
            "--as-group",
            "oncall",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let seen = sim.handle().shared().impersonations();
    assert!(!seen.is_empty(), "no request carried Impersonate-User");
    for i in &seen {
        assert_eq!(i.user, "jane");
        assert_eq!(i.groups, ["sre", "oncall"]);
    }
    // Without --as nothing is impersonated; --as-group alone is refused like kubectl.
    let n = seen.len();
    let o = backout(&sim, home.path(), &["status", "deploy/web", "-n", "shop"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(sim.handle().shared().impersonations().len(), n);
    let o = backout(
        &sim,
        home.path(),
        &["status", "-n", "shop", "--as-group", "sre"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--as <USER>"), "{}", err(&o));
}

#[test]
fn a_request_slower_than_request_timeout_fails_with_a_timeout() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    sim.settled("web");
    sim.handle().shared().set_faults(ApiFaults {
        latency_ms: 4_000,
        error_ratio: 0.0,
    });
    let o = backout(
        &sim,
        home.path(),
        &[
            "status",
            "deploy/web",
            "-n",
            "shop",
            "--request-timeout",
            "1s",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!(err(&o).to_lowercase().contains("timed out"), "{}", err(&o));
    // Without the flag the same slow server answers.
    let o = backout(&sim, home.path(), &["status", "deploy/web", "-n", "shop"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // A bad duration is refused.
    let o = backout(
        &sim,
        home.path(),
        &["status", "-n", "shop", "--request-timeout", "soon"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--request-timeout"), "{}", err(&o));
}

/// kubectl runs `kubectl-backout` from PATH for `kubectl backout …`, as krew plugins.
#[test]
fn works_as_a_kubectl_plugin() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    let bin = tempfile::tempdir().expect("bin dir");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_backout"),
        bin.path().join("kubectl-backout"),
    )
    .expect("symlink");
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let kubectl = |args: &[&str]| {
        Command::new(common::kubectl_bin())
            .args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", &sim.kubeconfig)
            .env("BACKOUT_HOME", home.path())
            .env("HOME", home.path())
            .output()
            .expect("kubectl runs")
    };
    let o = kubectl(&["plugin", "list"]);
    assert!(
        out(&o).contains("kubectl-backout"),
        "{}{}",
        out(&o),
        err(&o)
    );

    let o = kubectl(&["backout", "--help"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("Usage: kubectl backout"), "{}", out(&o));

    let o = kubectl(&[
        "backout",
        "undo",
        "deployment/web",
        "-n",
        "shop",
        "--dry-run=server",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("dry run: nothing changed"), "{}", out(&o));

    let before = mutations(&sim);
    let o = kubectl(&[
        "backout",
        "status",
        "deployment/web",
        "-n",
        "shop",
        "-o",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["deployments"][0]["rollout"]["deployment"], "web");
    assert_eq!(mutations(&sim), before, "status changes nothing");
}

/// kubectl 1.26+ completes `kubectl backout …` by running `kubectl_complete-backout` from
/// PATH (kubectl's pkg/cmd/plugin completion); `kubectl __complete` is what its shell
/// scripts call.
#[test]
fn kubectl_completes_the_plugin_through_kubectl_complete_backout() {
    let home = tempfile::tempdir().expect("home");
    let bin = tempfile::tempdir().expect("bin dir");
    for name in ["kubectl-backout", "kubectl_complete-backout"] {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_backout"), bin.path().join(name))
            .expect("symlink");
    }
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |words: &[&str]| {
        let o = Command::new(common::kubectl_bin())
            .arg("__complete")
            .arg("backout")
            .args(words)
            .env("PATH", &path)
            .env("BACKOUT_HOME", home.path())
            .env("HOME", home.path())
            .output()
            .expect("kubectl runs");
        assert!(o.status.success(), "{}", err(&o));
        out(&o)
    };
    let text = complete(&["re"]);
    let values: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default())
        .collect();
    assert_eq!(values, ["resume", "report", ":4"], "{text}");
    let text = complete(&["drill", "--scenario", "bad"]);
    assert!(text.lines().any(|l| l == "bad-deploy"), "{text}");
    assert!(text.ends_with(":4\n"), "{text}");
}
