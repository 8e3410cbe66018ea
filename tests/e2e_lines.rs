//! End to end, as an operator: the real binary in tmux runs command blocks line by
//! line in one shell. A block whose middle line fails stops there and says so; a program
//! that is not installed fails ("argocd: not found", the project's Argo CD runbook); a
//! declined run reads "declined"; a `watch` line shows its output and Enter goes on; a
//! `kubectl get pods -w` line (on the target: the Pods pane follows) followed by two checks
//! runs all three against `backout sim`; `rollout history --revision=N` and `-o jsonpath=`
//! lines run natively (read through the API) and a missing revision fails as kubectl's.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::console::on_sim;
use support::session_files::{bin, copy_into, session_journal};
use support::tmux::Tmux;

#[test]
fn a_failing_middle_line_stops_the_block_and_shell_state_carries_between_lines() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = copy_into(home.path(), "tests/fixtures/e2e-lines.md", "lines.md");
    let t = Tmux::backout("lines-fail", home.path(), &runbook.display().to_string());
    t.wait_for("Procedure 0/");
    // Two lines, one shell: the variable and the cd of line 1 reach line 2.
    t.run_in_shell();
    t.wait_for("note is carried in /tmp");
    t.wait_for("✓ line 2/2 exit 0");
    // Three lines, the middle one fails: the block stops there and asks.
    t.keys(&["j"]);
    t.run_in_shell();
    // The popup opens when the line's exit arrives; its journal record is written beside
    // it (the pane can still say "saving 1…"): wait for both.
    let s = t.wait_until("the failure popup and the run's journal record", |s| {
        s.contains("Step #2: line 2/3 failed") && s.contains("operator run 4 of #2 exited 1")
    });
    assert!(s.contains("1 line after it not run"), "{s}");
    // Stop: the step says which line failed, and the line after it never ran.
    t.keys(&["s"]);
    let s = t.wait_for("■ stopped at the failed line 2/3");
    assert!(s.contains("first-check-passed"), "{s}");
    assert!(s.contains("✗ line 2/3 exit 1"), "{s}");
    // Only the step's text names it: it never ran.
    assert_eq!(s.matches("never-reached").count(), 1, "{s}");
    assert!(!s.contains("run 5"), "no line ran after the failure: {s}");
    t.wait_for("✗ last run: line 2/3 failed (exit 1)");
    // Run it again and continue past the failure: the last line runs.
    t.run_in_shell();
    t.wait_for("Step #2: line 2/3 failed");
    t.keys(&["c"]);
    t.wait_for("✓ line 3/3 exit 0");
    t.wait_for("last run: all 3 lines ran");
    t.quit();
}

#[test]
fn a_missing_program_fails_and_a_declined_run_reads_declined() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = copy_into(
        home.path(),
        "tests/runbooks/teams/argocd-rollback.md",
        "argocd-rollback.md",
    );
    let t = Tmux::start(
        "lines-missing",
        120,
        40,
        &[
            ("BACKOUT_HOME", home.path()),
            // No argocd on this PATH, whatever the machine has.
            ("PATH", Path::new("/usr/bin:/bin")),
        ],
        &format!("{} {}", bin(), runbook.display()),
    );
    // No cluster in this test: the target read from the runbook's kubectl line is left
    // unconfirmed (Esc).
    t.wait_for("Connect to this target?");
    t.keys(&["Escape"]);
    t.wait_until("the target popup closed", |s| {
        !s.contains("Connect to this target?")
    });
    t.wait_for("Procedure 0/");
    t.run_in_shell();
    t.wait_until("the failure and the run's journal record", |s| {
        s.contains("line 1/3 failed: exit 127: command not found")
            && s.contains("run 1 of #1 exited 127")
    });
    // Stop there: the shell's own words are in the output; then offer the next step and
    // decline it.
    t.keys(&["s"]);
    let s = t.wait_for("✗ last run: line 1/3 failed (exit 127)");
    assert!(s.contains("argocd: not found"), "{s}");
    assert!(s.contains("✗ line 1/3 exit 127: command not found"), "{s}");
    assert!(!s.contains("✓"), "nothing reads as success: {s}");
    t.keys(&["j", "r"]);
    t.wait_for("Run this in /bin/sh now?");
    t.keys(&["n"]);
    let s = t.wait_for("#2 not run (declined): argocd app sync storefront");
    assert!(s.contains("– not run (declined)"), "the step says so: {s}");
    assert!(!s.contains("run 2"), "a declined run is no run: {s}");
    t.quit();
}

#[test]
fn a_watch_line_shows_its_output_and_enter_goes_on() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = copy_into(home.path(), "tests/fixtures/e2e-lines.md", "lines.md");
    let t = Tmux::backout("lines-watch", home.path(), &runbook.display().to_string());
    t.wait_for("Procedure 0/");
    t.keys(&["j", "j"]);
    t.wait_for("watch -n 1");
    t.run_in_shell();
    t.wait_for("following — Enter stops this line and goes on");
    t.wait_for("tick-tock");
    t.keys(&["Enter"]);
    t.wait_for("■ line 1/2 stopped following: ok");
    t.wait_for("after-the-watch");
    t.wait_for("last run: all 2 lines ran");
    t.quit();
}

const FOLLOW_RUNBOOK: &str = r#"---
backout: 1
title: Checkout API — follow then check
target:
  namespace: checkout
  deployment: checkout-api
---

# Checkout API — follow then check

## 1. Verify

Watch the pods, then check the version and say so.

```bash
kubectl get pods -n checkout -w
kubectl -n checkout get deployment checkout-api -o jsonpath='{.spec.replicas}{"\n"}'
echo checks-done
```
"#;

#[test]
fn a_watching_kubectl_line_followed_by_two_checks_runs_all_three() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("follow.md");
    std::fs::write(&runbook, FOLLOW_RUNBOOK).expect("runbook");
    let t = Tmux::backout(
        "lines-follow",
        home.path(),
        &on_sim(&runbook, &sim.kubeconfig),
    );
    t.wait_for("Pods 4");
    t.run_in_shell();
    t.wait_for("following — Enter stops this line and goes on");
    // `kubectl get pods -w` on the console's own target follows the live Pods pane
    // (focused) instead of streaming kubectl's text…
    let s = t.wait_for("-w   (following the live Pod");
    assert!(s.contains("┏ Pods"), "the Pods pane has the focus: {s}");
    t.wait_for("checkout-api-");
    // …until Enter (the Pods pane has the focus, where Enter would describe a pod): that
    // line ends as a success and the two checks run.
    t.keys(&["Enter"]);
    t.wait_for("checks-done");
    t.wait_for("last run: all 3 lines ran");
    t.quit();
    // The journal: the follow ended as a success, then both checks did.
    let journal = session_journal(home.path());
    let finished: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"command_finished\""))
        .collect();
    assert_eq!(finished.len(), 3, "{journal}");
    for l in finished {
        assert!(l.contains("\"exit_code\":0"), "{l}");
    }
}

const KILLED_RUNBOOK: &str = r#"# Killed mid-block

## 1. Check

Three lines; the console dies while the second runs.

```bash
echo first-line-ran
sleep 45
echo third-line-ran
```
"#;

/// The console is SIGKILLed while line 2/3 runs: after `backout resume` the step is not
/// done, says which line was running, and `r` offers to continue from that line (line 1
/// is not run again); Ctrl-C on it, continue, and line 3 runs.
#[test]
fn a_console_killed_mid_block_resumes_offering_to_continue_from_that_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("killed.md");
    std::fs::write(&runbook, KILLED_RUNBOOK).expect("runbook");
    let t = Tmux::start(
        "lines-killed",
        120,
        40,
        &[("BACKOUT_HOME", home.path())],
        &format!("sh -c 'exec {} {}'", bin(), runbook.display()),
    );
    t.wait_for("Procedure 0/1");
    let pid = t.pane_pid();
    t.run_in_shell();
    t.wait_for("✓ line 1/3 exit 0");
    t.wait_for("▶ line 2/3 $ sleep 45");
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    t.wait_exit();
    t.kill();
    // The terminal is left in raw mode by a SIGKILL; a new tmux gives a fresh one.
    let t = Tmux::backout("lines-killed-resume", home.path(), "resume");
    let s = t.wait_for("line 2/3 was running when the session ended: r continues from it");
    assert!(s.contains("Procedure 0/1"), "not done: {s}");
    t.keys(&["r"]);
    let s = t.wait_for("Continue from line 2/3? (n: the whole block instead)");
    assert!(
        s.contains("line 2/3 was running when the session ended"),
        "{s}"
    );
    t.keys(&["y"]);
    let s = t.wait_for("continuing from line 2/3");
    assert!(!s.contains("▶ line 1/3"), "line 1 is not run again: {s}");
    t.wait_for("▶ line 2/3 $ sleep 45");
    t.keys(&["C-c"]);
    t.wait_for("line 2/3 failed");
    t.keys(&["c"]);
    t.wait_for("third-line-ran");
    t.wait_for("Procedure 1/1");
    t.quit();
}

const OBJECT_FORMS_RUNBOOK: &str = r#"---
backout: 1
title: Checkout API — object forms
target:
  namespace: checkout
  deployment: checkout-api
---

# Checkout API — object forms

## 1. Look

The bad revision's template and the strategy.

```bash
kubectl -n checkout rollout history deployment/checkout-api --revision=4
kubectl -n checkout get deployment checkout-api -o jsonpath='strategy={.spec.strategy.type}'
```

## 2. A revision that is not there

```bash
kubectl -n checkout rollout history deployment/checkout-api --revision=99
kubectl -n checkout get deployment checkout-api -o yaml
```
"#;

/// Issue 14 point 4: `-o jsonpath=` and `rollout history --revision=N` in a command step
/// run natively (read through the API, no `/bin/sh` confirmation) and print kubectl's
/// output in the Output pane; kubectl's error for a missing revision fails the run, exit 1,
/// and the line after it never runs.
#[test]
fn object_form_lines_run_natively_and_a_missing_revision_fails_as_kubectl_does() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("forms.md");
    std::fs::write(&runbook, OBJECT_FORMS_RUNBOOK).expect("runbook");
    let t = Tmux::start(
        "lines-forms",
        160,
        48,
        &[("BACKOUT_HOME", home.path())],
        &format!("{} {}", bin(), on_sim(&runbook, &sim.kubeconfig)),
    );
    t.wait_for("Pods 4");
    // Revision 4's ReplicaSet is in the watch (the API has it too).
    t.wait_for("*  4 1.6.0");
    t.keys(&["r"]);
    // The Output pane's tail: the revision's template (kubectl's describe of it) ends,
    // then the jsonpath line's answer; the run ended with exit 0.
    let s = t.wait_until("both lines printed, the run ended ok", |s| {
        s.contains("Tolerations:")
            && s.contains("strategy=RollingUpdate")
            && s.contains("last run 1: exit 0")
    });
    assert!(!s.contains("/bin/sh now?"), "no shell confirmation: {s}");
    t.keys(&["j", "r"]);
    let s = t.wait_for("error: unable to find the specified revision");
    assert!(
        !s.contains("apiVersion: apps/v1"),
        "the yaml line never ran: {s}"
    );
    t.quit();
    let journal = session_journal(home.path());
    let started: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"command_started\""))
        .collect();
    assert_eq!(started.len(), 2, "{journal}");
    assert!(
        started.iter().all(|l| l.contains("natively: ")),
        "{journal}"
    );
    let finished: Vec<&str> = journal
        .lines()
        .filter(|l| l.contains("\"command_finished\""))
        .collect();
    assert_eq!(finished.len(), 2, "{journal}");
    assert!(finished[0].contains("\"exit_code\":0"), "{}", finished[0]);
    assert!(finished[1].contains("\"exit_code\":1"), "{}", finished[1]);
}
