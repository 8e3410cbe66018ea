//! End to end, the real binary in tmux against the simulator's `bad-deploy` drill, on the
//! corpus runbook `tests/runbooks/teams/options-a-to-d.md` (no front matter; Options A–D),
//! retargeted at the simulator's `checkout-api`: the choice row, Option B chosen and its
//! rollback run natively, the choice changed to A, an undo from the Rollout pane (`u`)
//! ticking Option A's roll-back step "done by action", quit, and `backout resume` showing
//! the same choice and the step done by the action.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::session_files::session_journal;
use support::tmux::Tmux;

/// The corpus runbook about the simulator's Deployment; Option B undoes to revision 3
/// (the simulator's history has no revision 42).
fn runbook() -> String {
    let corpus =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runbooks/teams/options-a-to-d.md");
    std::fs::read_to_string(corpus)
        .expect("corpus runbook")
        .replace("-n edge", "-n checkout")
        .replace("deployment/gateway", "deployment/checkout-api")
        .replace("app=gateway", "app=checkout-api")
        .replace("gateway=", "checkout-api=")
        .replace("--to-revision=42", "--to-revision=3")
}

#[test]
fn choose_b_run_it_natively_change_to_a_undo_from_the_rollout_pane_and_resume() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let path = home.path().join("options.md");
    std::fs::write(&path, runbook()).expect("runbook");
    let flags = format!(
        "--kubeconfig {} --context backout-sim -n checkout --deployment checkout-api",
        sim.kubeconfig.display()
    );
    let t = Tmux::backout(
        "choice",
        home.path(),
        &format!("{} {flags}", path.display()),
    );
    t.wait_for("Pods 4");
    t.wait_bad_release();
    // One choice row; its members listed, none of their steps a row yet.
    let s = t.wait_for("Choose one");
    assert!(s.contains("A Quick rollback"), "{s}");
    assert!(!s.contains("#3 "), "Option B's step is no row yet:\n{s}");
    t.keys(&["j", "c"]);
    t.wait_for("Choose one · execute");
    // j previews B: its step, what it changes, its lines.
    t.keys(&["j"]);
    let s = t.wait_for("Option B: Specific version");
    assert!(s.contains("→ revision 3"), "{s}");
    t.keys(&["B"]);
    t.wait_for("Chosen: B Specific version");
    t.wait_for("not taken");
    // B's step joined the phase: run it; its undo goes through the native path.
    t.keys(&["j"]);
    t.run_natively();
    let s = t.type_deployment_name("checkout-api");
    assert!(!s.contains("Run this in /bin/sh"), "{s}");
    t.wait_for("*  5 ");
    t.wait_rollback_completed("the native run ended");
    // Change the choice to A.
    t.keys(&["g", "j", "c"]);
    t.wait_for("Choose one · execute");
    t.keys(&["A"]);
    t.wait_for("Chosen: A Quick rollback");
    // Undo from the Rollout pane: A's roll-back step is done by that action.
    t.keys(&["Tab", "u"]);
    t.type_deployment_name("checkout-api");
    let s = t.wait_for("done by action #");
    assert!(s.contains("Chosen: A Quick rollback"), "{s}");
    t.wait_until("the undo followed to its end", |s| !s.contains("undo: "));
    t.quit();

    let t = Tmux::backout("choice-resumed", home.path(), &format!("resume {flags}"));
    let s = t.wait_for("Chosen: A Quick rollback");
    assert!(s.contains("done by action #"), "{s}");
    assert!(s.contains("B Specific version · not taken"), "{s}");
    t.quit();

    let journal = session_journal(home.path());
    assert!(
        journal.contains("\"type\":\"alternative_chosen\""),
        "{journal}"
    );
    assert!(journal.contains("\"previous\":\"B\""), "{journal}");
    assert!(
        journal.contains("\"type\":\"step_done_by_action\""),
        "{journal}"
    );
}
