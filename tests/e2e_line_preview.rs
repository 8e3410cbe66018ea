//! End to end, as an operator, against `backout sim` through real kubectl: a kubectl line
//! that changes something and runs in the shell is first run by the console with
//! `--dry-run=server` and the diff against the live object shown; deleting the
//! console's target, or a change in another namespace, then wants the object's name
//! typed. Nothing reaches the cluster on one key (issue 14 point 3).

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::console::on_sim;
use support::session_files::bin;
use support::tmux::Tmux;

fn runbook(step: &str) -> String {
    format!(
        r#"---
backout: 1
title: Checkout API — one change
target:
  namespace: checkout
  deployment: checkout-api
---

# Checkout API — one change

## 1. Change

Make the change.

```bash
{step}
```
"#
    )
}

fn sim() -> Sim {
    Sim::drill("bad-deploy", 20.0)
}

fn console(name: &str, sim: &Sim, home: &Path, step: &str) -> Tmux {
    let path = home.join("change.md");
    std::fs::write(&path, runbook(step)).expect("runbook");
    Tmux::start(
        name,
        120,
        48,
        &[("BACKOUT_HOME", home)],
        &format!("{} {}", bin(), on_sim(&path, &sim.kubeconfig)),
    )
}

#[test]
fn deleting_the_target_shows_the_server_dry_run_and_wants_the_typed_name() {
    let sim = sim();
    let home = tempfile::tempdir().expect("tempdir");
    let t = console(
        "preview-delete",
        &sim,
        home.path(),
        "kubectl delete deployment/checkout-api -n checkout",
    );
    t.wait_for("Pods 4");
    t.run_in_shell();
    // The server's verdict and the live object, all of it removed.
    let s = t.wait_for("Server dry run: deployment.apps/checkout-api would be deleted.");
    assert!(s.contains("Diff against the live object"), "{s}");
    assert!(s.contains("-  name: checkout-api"), "{s}");
    assert!(s.contains("Run the line for real in /bin/sh now?"), "{s}");
    t.keys(&["y"]);
    // Still not run: the name typed first.
    t.wait_for("Type checkout-api");
    t.type_text("checkout");
    t.keys(&["Enter"]);
    t.wait_for("is not the name");
    t.keys(&["Escape"]);
    t.wait_for("not run (declined)");
    // Nothing reached the cluster.
    let d = sim.json(&["get", "deployment", "checkout-api", "-n", "checkout"]);
    assert!(d["metadata"]["deletionTimestamp"].is_null(), "{d}");
    t.quit();
}

#[test]
fn a_change_in_another_namespace_says_so_shows_its_diff_and_runs_only_after_the_typed_name() {
    let sim = sim();
    sim.ok(&["create", "namespace", "payments"]);
    sim.ok(&[
        "create",
        "deployment",
        "payments-api",
        "--image=shop/payments:1.0",
        "--replicas=2",
        "-n",
        "payments",
    ]);
    let home = tempfile::tempdir().expect("tempdir");
    let t = console(
        "preview-elsewhere",
        &sim,
        home.path(),
        "kubectl -n payments scale deployment/payments-api --replicas=0",
    );
    t.wait_for("Pods 4");
    t.keys(&["r"]);
    let s = t.wait_for("Run this in /bin/sh now?");
    assert!(s.contains("in namespace payments"), "{s}");
    t.keys(&["y"]);
    let s = t.wait_for("Server dry run: accepted (nothing was changed).");
    assert!(s.contains("-  replicas: 2"), "{s}");
    assert!(s.contains("+  replicas: 0"), "{s}");
    // The dry run changed nothing.
    let replicas = || {
        sim.json(&["get", "deployment", "payments-api", "-n", "payments"])["spec"]["replicas"]
            .as_i64()
    };
    assert_eq!(replicas(), Some(2));
    t.keys(&["y"]);
    let s = t.wait_for("Type payments-api");
    assert!(s.contains("payments"), "{s}");
    assert_eq!(replicas(), Some(2), "not on one key");
    t.type_text("payments-api");
    t.keys(&["Enter"]);
    t.wait_for("deployment.apps/payments-api scaled");
    sim.wait_for("payments-api scaled to 0", || replicas() == Some(0));
    t.quit();
}
