//! Issue 14 point 5: `kubectl set env` lines run natively do what real kubectl (1.32) does
//! with the same words, on twin simulators: several pairs in one action, `NAME-`, shell
//! quoting, `-c` and `--from=secret/…`. The line is parsed by backout's own parser
//! (`parse_kubectl_line`, kubectl's `pkg/cmd/set/env/env_parse.go` rules) and the result
//! read back with real `kubectl get deploy -o jsonpath`.

mod common;

use backout::adapters::kube::Executed;
use backout::domain::cluster::shell_words::words;
use backout::domain::cluster::{ClusterAction, Command, EnvChange, ParsedLine, parse_kubectl_line};
use common::native_action::drop_nulls;
use common::{Sim, WEB};
use serde_json::Value;

fn pair() -> (Sim, Sim) {
    (Sim::start(WEB, 20.0), Sim::start(WEB, 20.0))
}

fn action(line: &str) -> ClusterAction {
    match parse_kubectl_line(line) {
        ParsedLine::Parsed(l) => match l.command {
            Command::Action(a) => a,
            Command::Query(q) => panic!("{line}: a query {q:?}"),
        },
        ParsedLine::NotUnderstood(why) => panic!("{line}: {why}"),
    }
}

fn native(sim: &Sim, action: &ClusterAction) -> Executed {
    sim.run_native(action, "tester@host (set env parity)")
        .unwrap_or_else(|e| panic!("{action:?}: {e}"))
}

/// Runs `line` through real kubectl on `a` and natively on `b`; the Deployments must end
/// the same and kubectl's output line be the native message.
fn same(a: &Sim, b: &Sim, line: &str) {
    let ws = words(line).expect("a shell line");
    let args: Vec<&str> = ws[1..].iter().map(String::as_str).collect();
    let out = a.ok(&args);
    let done = native(b, &action(line));
    a.settled("web");
    b.settled("web");
    assert_eq!(
        drop_nulls(a.deployment_shape("web")),
        drop_nulls(b.deployment_shape("web")),
        "{line}"
    );
    assert_eq!(out.trim(), done.message, "{line}: kubectl's output line");
}

fn env_jsonpath(sim: &Sim) -> String {
    sim.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        r#"jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}={.value}{"\n"}{end}"#,
    ])
}

#[test]
fn four_pairs_in_one_action_checked_with_real_kubectl() {
    let (a, b) = pair();
    let line = r#"kubectl set env deployment/web A=false B=false C="x y" 'D=a=b'"#;
    let ClusterAction::SetEnv { changes, .. } = action(line) else {
        panic!("set env");
    };
    assert_eq!(changes.len(), 4, "{changes:?}");
    same(&a, &b, line);
    assert_eq!(
        env_jsonpath(&b),
        "FEATURE_X=off\nA=false\nB=false\nC=x y\nD=a=b\n"
    );
}

#[test]
fn removal_container_glob_and_replacement_in_place() {
    let (a, b) = pair();
    same(
        &a,
        &b,
        "kubectl set env deployment/web -c 'ap*' FEATURE_X=on NEW=1 NEW=2",
    );
    // The first of two arguments for one name wins (kubectl's `updateEnv`).
    assert_eq!(env_jsonpath(&b), "FEATURE_X=on\nNEW=1\n");
    same(
        &a,
        &b,
        "kubectl set env deploy web FEATURE_X- --containers=app",
    );
    assert_eq!(env_jsonpath(&b), "NEW=1\n");
}

#[test]
fn from_a_secret_by_reference_only() {
    let (a, b) = pair();
    for sim in [&a, &b] {
        sim.ok(&[
            "create",
            "secret",
            "generic",
            "creds",
            "--from-literal=db-password=hunter2",
        ]);
    }
    let line = "kubectl set env deployment/web --from=secret/creds";
    assert_eq!(
        action(line),
        ClusterAction::SetEnv {
            container: None,
            changes: vec![EnvChange::From {
                source: backout::domain::cluster::EnvSource::Secret("creds".into()),
                keys: vec![],
            }],
        }
    );
    same(&a, &b, line);
    let env = b.ok(&[
        "get",
        "deploy",
        "web",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].env[1]}",
    ]);
    let env: Value = serde_json::from_str(&env).expect("JSON");
    assert_eq!(
        env,
        serde_json::json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "db-password"}}})
    );
}
