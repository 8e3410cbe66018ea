//! End to end, the real binary in tmux against the simulator's `bad-deploy` drill: a
//! runbook's `kubectl rollout undo` line runs natively (the typed confirmation with the
//! diff) and the `kubectl annotate` line after it in the shell, in order; a history line
//! answers from the watch; and the actions menu pauses the Deployment with `y`. The shell
//! line reaches the simulator although the operator's `KUBECONFIG` points elsewhere.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::console::on_sim;
use support::session_files::{bin, session_journal};
use support::tmux::Tmux;

const RUNBOOK: &str = r#"---
backout: 1
title: Checkout API — native kubectl drill
target:
  namespace: checkout
  deployment: checkout-api
vars:
  NAMESPACE: checkout
---

# Checkout API — native kubectl drill

## 1. Roll back

Undo the bad release (natively), then record why (annotate: in the shell).

```bash
kubectl -n $NAMESPACE rollout undo deployment/checkout-api
kubectl -n $NAMESPACE annotate deployment/checkout-api --overwrite backout.dev/reason="rollback for INC-1"
```

Check the history.

```bash
kubectl rollout history deployment/checkout-api -n checkout
```
"#;

#[test]
fn a_runbooks_kubectl_undo_runs_natively_and_the_menu_pauses() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("native.md");
    std::fs::write(&runbook, RUNBOOK).expect("runbook");
    let t = Tmux::start(
        "native",
        120,
        40,
        &[
            ("BACKOUT_HOME", home.path()),
            // The operator's own KUBECONFIG points elsewhere: the shell's kubectl (the
            // annotate line) reaches the simulator only because the console pins its
            // children to the cluster it shows (adapters/kube/shell_context.rs).
            ("KUBECONFIG", Path::new("/nonexistent/kubeconfig")),
        ],
        &format!("{} {}", bin(), on_sim(&runbook, &sim.kubeconfig)),
    );
    t.wait_for("Pods 4");
    t.wait_bad_release();
    // The shell's exact-command confirmation says how each line runs.
    t.keys(&["r"]);
    let s = t.wait_for("Run these in order");
    assert!(
        s.contains("native  kubectl -n checkout rollout undo"),
        "{s}"
    );
    assert!(s.contains("sh      kubectl -n checkout annotate"), "{s}");
    t.keys(&["y"]);
    // The undo line goes through the native path: RBAC, dry-run, diff, typed name.
    let s = t.type_deployment_name("checkout-api");
    assert!(!s.contains("Run this in /bin/sh"), "{s}");
    assert!(s.contains("1.5.0") && s.contains("1.6.0"), "{s}");
    t.wait_for("*  5 1.5.0");
    // The annotate line runs in the shell, so the server's dry run and its diff come
    // first (issue 14 point 3), and it runs on y there.
    let s = t.wait_for("Server dry run: accepted (nothing was changed).");
    assert!(s.contains("Diff against the live object (+"), "{s}");
    t.keys(&["y"]);
    t.wait_until(
        "the rollback completed, annotated in the shell, the step done",
        |s| {
            s.contains("100% upd 4/4")
                && !s.contains("undo: ")
                && s.contains("deployment.apps/checkout-api annotated")
                && s.contains("Procedure 1/2")
        },
    );
    // The history line answers from the watch in the output pane.
    t.keys(&["j", "r"]);
    // kubectl's layout (tabbedString, padding 2): REVISION's column is 10 wide
    // (tests/native_output_parity.rs compares it with real kubectl).
    t.wait_for("5         deploy checkout-api 1.5.0");
    // The actions menu: pause, confirmed with y.
    t.keys(&["a"]);
    t.wait_for("Actions on deployment/checkout-api");
    t.wait_until("access checked", |s| !s.contains("checking access"));
    t.keys(&["p"]);
    t.wait_for("Go ahead and pause it?");
    t.keys(&["y"]);
    t.wait_until("the Deployment is paused", |s| {
        s.contains("paused") && !s.contains("rollout pause: ")
    });
    t.quit();
    let journal = session_journal(home.path());
    assert!(
        journal.contains("natively: kubectl -n checkout rollout undo"),
        "{journal}"
    );
    assert!(
        journal.contains("kubectl rollout pause deployment/checkout-api"),
        "{journal}"
    );
    assert!(!journal.contains("\"exit_code\":1"), "{journal}");
    let d = sim.json(&["-n", "checkout", "get", "deployment/checkout-api"]);
    assert_eq!(
        d["metadata"]["annotations"]["backout.dev/reason"], "rollback for INC-1",
        "the shell line ran after the native one"
    );
}
