//! End to end: looking closer from the cluster panes of `backout drill --scenario
//! crashloop`, as the real binary in tmux: the crash-looping pod's logs with `p` (the
//! previous run's panic), its description with the BackOff event, and the revision diff
//! of the bad release with its image change — there and in `backout drill --scenario
//! bad-deploy`, the issue's own case.

mod support;

use std::time::{Duration, Instant};

use support::session_files::journal;
use support::tmux::Tmux;

#[test]
fn logs_previous_describe_and_the_revision_diff_of_a_crash_loop() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::drill(
        "drill-down",
        150,
        45,
        home.path(),
        "--scenario crashloop --speed 20",
    );
    t.close_intro();
    // The bad release crash loops (most restarts first in the Pods pane).
    t.wait_until("a pod restarted twice", |s| {
        s.lines().any(|l| {
            l.contains("CrashLoopBackOff")
                && l.split_whitespace()
                    .any(|w| w == "2" || w == "3" || w == "4")
        })
    });
    // Procedure → Rollout → Pods.
    t.keys(&["Tab", "Tab"]);
    // The current run's log, followed to its crash. On a loaded machine the follow can miss
    // the run's end (at --speed 20 a crash-and-restart cycle lasts well under a second of
    // real time, and a follow that finds its run neither current nor previous ends without
    // the panic): the log is opened again until a run's panic is on screen.
    for attempt in 1..=5 {
        t.keys(&["l"]);
        t.wait_for("kubectl logs ");
        let s = t.wait_until("the panic or the end of the stream", |s| {
            s.contains("panic: runtime error") || s.contains("the stream ended")
        });
        if s.contains("panic: runtime error") {
            break;
        }
        assert!(attempt < 5, "no run's panic in five follows:\n{s}");
        t.keys(&["Escape"]);
        t.wait_until("the logs closed", |s| !s.contains("kubectl logs "));
    }
    // The previous container's log: the run that crashed.
    t.keys(&["p"]);
    let s = t.wait_until("the previous log", |s| {
        s.contains("--previous") && s.contains("panic: runtime error")
    });
    assert!(s.contains("p previous ✓"), "{s}");
    t.keys(&["Escape"]);
    t.wait_until("the logs closed", |s| !s.contains("kubectl logs "));
    // Describe: state, last state, restarts and, at its end (`G`), the BackOff event (read
    // once when the view opens: opened again until the kubelet has written it, for as
    // long as a slow machine needs; the deadline only bounds a failure).
    let deadline = Instant::now() + Duration::from_secs(90);
    let described = loop {
        t.keys(&["d"]);
        t.wait_for("Restart Count:");
        t.keys(&["G"]);
        let described = t.wait_for("Events:");
        if described.contains("Warning  BackOff") || Instant::now() > deadline {
            break described;
        }
        t.keys(&["Escape"]);
        t.wait_until("describe closed", |s| !s.contains("kubectl describe pod "));
        // Pace the reopening: each one is a describe against the API.
        std::thread::sleep(Duration::from_millis(500));
    };
    let s = described;
    assert!(s.contains("Warning  BackOff"), "{s}");
    assert!(s.contains("kubectl describe pod "), "{s}");
    assert!(s.contains("Back-off restarting failed container"), "{s}");
    t.keys(&["Escape"]);
    t.wait_until("describe closed", |s| !s.contains("kubectl describe pod "));
    // Rollout: the previous revision against the bad current one.
    t.keys(&["BTab", "j", "d"]);
    let s = t.wait_for("(selected) against revision");
    let minus = s.lines().any(|l| l.contains("-    image:"));
    let plus = s.lines().any(|l| l.contains("+    image:"));
    assert!(minus && plus, "the image change:\n{s}");
    t.keys(&["Escape", "q"]);
}

/// The issue's own case: in the bad-deploy drill, once 1.6.0 has shipped, `d` on the
/// previous revision in the Rollout pane shows the bad release's image change (the
/// current 1.6.0 as `-`, the selected 1.5.0 as `+`).
#[test]
fn the_revision_diff_of_the_bad_deploy_drill_shows_the_image_change() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::drill(
        "drill-down-bad-deploy",
        150,
        45,
        home.path(),
        "--scenario bad-deploy --speed 20",
    );
    t.close_intro();
    // The bad release is out (at 60 s of drill time): its revision heads the Rollout pane.
    t.wait_until("1.6.0 among the revisions", |s| {
        s.contains("1.6.0") && s.contains("1.5.0")
    });
    // Procedure → Rollout; the previous revision against the current (bad) one.
    t.keys(&["Tab", "j", "d"]);
    let s = t.wait_for("(selected) against revision");
    assert!(
        s.contains("-    image: registry.local/checkout-api:1.6.0"),
        "the bad image as the current side:\n{s}"
    );
    assert!(
        s.contains("+    image: registry.local/checkout-api:1.5.0"),
        "the good image as the selected side:\n{s}"
    );
    t.keys(&["Escape", "q"]);
}

/// A team's runbook whose commands sit in a reference section: `R`, Tab to the block, `r`
/// asks for confirmation like a step, and the run is journaled as that block's.
#[test]
fn a_reference_block_run_from_the_runbook_view_asks_first_and_is_journaled() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("team.md");
    std::fs::write(
        &runbook,
        "# Orders rollback\n\n## Prepare\n\n- [ ] Page the owner\n\n## Useful commands\n\n\
         ```sh\necho hello-from-reference\n```\n",
    )
    .expect("runbook");
    let t = Tmux::backout("runbook-view", home.path(), &runbook.display().to_string());
    t.wait_for("Procedure 0/1");
    t.keys(&["R"]);
    t.wait_for("Runbook — Orders rollback");
    t.wait_for("Useful commands  (reference)");
    t.keys(&["Tab", "r"]);
    let s = t.wait_for("Run this in /bin/sh now?");
    assert!(s.contains("runbook view: Useful commands (line 9)"), "{s}");
    t.keys(&["y"]);
    t.keys(&["Escape"]);
    t.wait_for("hello-from-reference");
    t.wait_for("exit 0");
    t.quit();
    let journal = journal(home.path());
    let started: Vec<serde_json::Value> = journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["entry"]["type"] == "command_started")
        .collect();
    assert_eq!(started.len(), 1, "{journal}");
    assert!(journal.contains("echo hello-from-reference"), "{journal}");
}
