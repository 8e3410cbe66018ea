//! `backout undo` and `backout status`, the real binary against the in-process simulator.

mod common;
mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{STUCK_AT_20X, Sim, WEB};
use serde_json::Value;
use support::session_files::session_journal;

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn backout(sim: &Sim, home: &std::path::Path, args: &[&str], stdin: &str) -> Run {
    let mut c = sim.backout(home, args);
    c.env("USER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("backout runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("backout finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn image(sim: &Sim) -> String {
    sim.image(&["web"])
}

fn journal_types(home: &std::path::Path) -> Vec<String> {
    session_journal(home)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("record");
            v["entry"]["type"].as_str().unwrap_or_default().to_string()
        })
        .collect()
}

#[test]
fn undo_with_typed_confirmation_journals_and_follows_to_complete() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    // The wrong name: nothing happens.
    let r = backout(
        &sim,
        home.path(),
        &["undo", "deployment/web", "-n", "shop"],
        "api\n",
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("not confirmed; nothing changed"),
        "{}",
        r.err
    );
    assert_eq!(image(&sim), "shop/web:1.2");

    let r = backout(
        &sim,
        home.path(),
        &["undo", "deployment/web", "-n", "shop"],
        "web\n",
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    for want in [
        "context backout-sim  namespace shop",
        "equivalent: kubectl rollout undo deployment/web --context backout-sim -n shop",
        "preflight: allowed (get deployments.apps, list replicasets.apps, patch deployments.apps)",
        "-          \"image\": \"shop/web:1.2\",",
        "+          \"image\": \"shop/web:1.1\",",
        "Type the deployment name (web) to roll it back:",
        "deployment.apps/web rolled back",
        "deployment \"web\" successfully rolled out",
    ] {
        assert!(r.out.contains(want), "missing {want:?} in:\n{}", r.out);
    }
    assert_eq!(image(&sim), "shop/web:1.1");
    let types = journal_types(home.path());
    assert_eq!(
        types,
        [
            "session_started",
            "cluster_action_requested",
            "cluster_action_finished",
            "session_closed"
        ]
    );
    // The report tells the story.
    let mut c = Command::new(env!("CARGO_BIN_EXE_backout"));
    let out = c
        .arg("report")
        .env("BACKOUT_HOME", home.path())
        .output()
        .expect("report");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains(
            "kubectl rollout undo deployment/web --context backout-sim -n shop succeeded"
        ),
        "{report}"
    );
    // Changes made: from which revision and image to which, via `backout undo`, who
    // confirmed, the dry-run seen, followed to the end (issue 14 point 8).
    let row = report
        .lines()
        .find(|l| l.starts_with("| 20") && l.contains("`kubectl rollout undo deployment/web"))
        .unwrap_or_else(|| panic!("a change row:\n{report}"));
    assert!(
        row.contains("| backout-sim/shop/web |")
            && row.contains("(shop/web:1.2) → revision ")
            && row.contains("(shop/web:1.1) | backout undo |")
            && row.contains("| server dry-run + diff |")
            && row.ends_with("| followed to the end |"),
        "{row}"
    );
    assert!(
        report.contains("| Rollback method | kubectl rollout undo deployment/web --context backout-sim -n shop (via backout undo) |"),
        "{report}"
    );
}

#[test]
fn undo_dry_run_denied_read_only_and_failed_rollouts() {
    let sim = Sim::start(WEB, 20.0);
    let home = tempfile::tempdir().expect("home");
    let r = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--dry-run=server"],
        "",
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(
        r.out.contains("+          \"image\": \"shop/web:1.1\",")
            && r.out.contains("dry run: nothing changed"),
        "{}",
        r.out
    );
    assert_eq!(image(&sim), "shop/web:1.2");

    let r = backout(
        &sim,
        home.path(),
        &[
            "undo",
            "deploy/web",
            "-n",
            "shop",
            "--yes",
            "--context",
            "backout-sim-viewer",
        ],
        "",
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(
        r.err.contains(
            "preflight: not allowed: cannot patch deployments.apps in namespace \"shop\""
        ),
        "{}",
        r.err
    );

    let before = sim.handle().shared().requests_by_verb();
    let r = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--yes", "--read-only"],
        "",
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(r.err.contains("read-only mode"), "{}", r.err);
    let after = sim.handle().shared().requests_by_verb();
    for m in ["PATCH", "PUT", "DELETE"] {
        assert_eq!(after.get(m), before.get(m), "{m} sent in read-only mode");
    }
    assert_eq!(image(&sim), "shop/web:1.2");

    let r = backout(
        &sim,
        home.path(),
        &[
            "undo",
            "deploy/web",
            "-n",
            "shop",
            "--to-revision=7",
            "--yes",
        ],
        "",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("unable to find specified revision 7 in history"),
        "{}",
        r.err
    );
}

#[test]
fn undo_into_a_stuck_revision_exits_non_zero_and_status_says_why() {
    let sim = Sim::start(STUCK_AT_20X, 20.0);
    let home = tempfile::tempdir().expect("home");
    sim.set_image("shop", "web", "app=shop/web:2.0");
    sim.set_image("shop", "web", "app=shop/web:1.1");
    sim.settled("web");
    // Back to 2.0, which never becomes ready: the rollout exceeds its deadline.
    let r = backout(
        &sim,
        home.path(),
        &["undo", "deploy/web", "-n", "shop", "--yes", "--timeout=2m"],
        "",
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("deployment \"web\" exceeded its progress deadline"),
        "{}",
        r.err
    );

    let r = backout(
        &sim,
        home.path(),
        &["status", "deploy/web", "-n", "shop", "--format", "json"],
        "",
    );
    assert_eq!(
        r.code, 1,
        "a failed rollout is a non-zero status: {}{}",
        r.out, r.err
    );
    let v: Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(v["kind"], "Status");
    assert_eq!(v["matrix"], Value::Null, "no runbook, no verdict");
    let v = &v["deployments"][0];
    assert_eq!(v["rollout"]["status"]["state"], "failed");
    assert_eq!(v["namespace"], "shop");
    let revisions = v["rollout"]["revisions"].as_array().expect("revisions");
    assert!(
        revisions
            .iter()
            .any(|r| r["current"] == true && r["images"][0] == "shop/web:2.0")
    );

    let r = backout(&sim, home.path(), &["status", "-n", "shop"], "");
    assert!(
        r.out
            .contains("deployment.apps/web in shop (context backout-sim)"),
        "{}",
        r.out
    );
    assert!(r.out.contains("REVISION  IMAGES"), "{}", r.out);
}
