//! Issue 15 point 3, end to end: a console killed (SIGKILL) while it follows a rollout
//! leaves the follow's end unwritten; `backout resume` follows that rollout again once it
//! sees the Deployment, and journals how it ended. The real binary in tmux against the
//! simulator, whose `web` release 2.0 never becomes ready (the follow cannot end by
//! itself before its progress deadline).

mod common;
mod support;

use common::{STUCK, Sim};
use support::session_files::{bin, journal, wait_for_record};
use support::tmux::Tmux;

const RUNBOOK: &str =
    "# Web rollback\n\n## Roll back\n\n```bash\nkubectl -n shop rollout undo deployment/web\n```\n";

#[test]
fn a_console_killed_mid_follow_is_resumed_following_the_rollout_again() {
    let sim = Sim::start(STUCK, 1.0);
    // History: 1.1 (running), 2.0 (never ready), back to 1.1: the previous revision, the
    // one an undo goes to, is 2.0.
    sim.set_image("shop", "web", "app=shop/web:2.0");
    sim.set_image("shop", "web", "app=shop/web:1.1");
    sim.settled("web");
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("web.md");
    std::fs::write(&runbook, RUNBOOK).expect("runbook");
    let flags = format!(
        "--kubeconfig {} --context backout-sim -n shop --deployment web",
        sim.kubeconfig.display()
    );
    let t = Tmux::start(
        "follow",
        120,
        40,
        &[("BACKOUT_HOME", home.path())],
        &format!("sh -c 'exec {} {} {flags}'", bin(), runbook.display()),
    );
    let pid = t.pane_pid();
    t.wait_for("Rollout deploy/web");
    t.wait_for("Pods 2");
    t.run_natively();
    t.type_deployment_name("web");
    wait_for_record(home.path(), "the follow started", |l| {
        l.contains("\"type\":\"rollout_follow_started\"")
    });
    // Killed mid-follow: nothing more is written.
    // SAFETY: kill(2) with the pid of the console this test started and SIGKILL.
    let rc = unsafe { libc::kill(pid, libc::SIGKILL) };
    assert_eq!(rc, 0, "kill -9 {pid}");
    t.wait_exit();
    t.kill();
    let before = journal(home.path());
    assert!(
        !before.lines().any(|l| l.contains("\"type\":\"cluster_action_finished\"")
            && l.contains("rolled out")),
        "the rollout had not ended:\n{before}"
    );

    let t = Tmux::backout("follow-resumed", home.path(), "resume");
    t.wait_for("Rollout deploy/web");
    let follows = |j: &str| {
        j.lines()
            .filter(|l| l.contains("\"type\":\"rollout_follow_started\""))
            .count()
    };
    wait_for_record(home.path(), "the follow started again", |_| {
        follows(&journal(home.path())) == 2
    });
    let ended = wait_for_record(home.path(), "the re-attached follow's end", |l| {
        l.contains("\"type\":\"cluster_action_finished\"") && l.contains("re-attached on resume")
    });
    assert!(ended.contains("rollout undo deployment/web"), "{ended}");
    t.quit();
}
