//! End to end with a cluster: the real binary in tmux against the in-process simulator
//! running the `bad-deploy` drill. The console connects through a kubeconfig, shows the
//! pods live, and rolls the bad release back from the Rollout pane with a typed
//! confirmation, following the rollout to the end.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::tmux::Tmux;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_backout")
}

#[test]
fn undo_from_the_rollout_pane_against_the_simulator() {
    // Twenty times faster: the bad release (at 60 s) lands after about 3 s.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("deployment-rollback.md");
    std::fs::copy(root.join("runbooks/deployment-rollback.md"), &runbook).expect("copy runbook");
    let t = Tmux::start(
        "cluster",
        120,
        40,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "{} {} --kubeconfig {} --context backout-sim",
            bin(),
            runbook.display(),
            sim.kubeconfig.display()
        ),
    );
    // The runbook's target fills the namespace and the deployment.
    t.wait_for("backout-sim/checkout");
    t.wait_for("Pods 4");
    // The bad release becomes the current revision.
    t.wait_for("*  4 1.6.0");
    t.wait_until("the bad release rolled out", |s| s.contains("100% upd 4/4"));
    t.keys(&["Tab"]);
    t.keys(&["u"]);
    t.wait_for("Type the deployment name (checkout-api)");
    let s = t.screen();
    assert!(
        s.contains("kubectl rollout undo deployment/checkout-api"),
        "{s}"
    );
    assert!(
        s.contains("1.5.0") && s.contains("1.6.0"),
        "the diff names both images:\n{s}"
    );
    // A wrong name is refused.
    t.type_text("checkout");
    t.keys(&["Enter"]);
    t.wait_for("Type the deployment name exactly");
    t.keys(&["BSpace"; 8]);
    t.type_text("checkout-api");
    t.keys(&["Enter"]);
    // The previous release comes back as revision 5, and the rollout completes.
    t.wait_for("*  5 1.5.0");
    t.wait_until("the rollback completed", |s| {
        s.contains("100% upd 4/4") && !s.contains("undo: ")
    });
    // The session's start, its connection (`ConnectionSet`) and four cluster records:
    // requested, acknowledged, "following the rollout", the rollout's end.
    t.wait_until("four cluster records journaled", |s| {
        s.contains("Journal · 6 records")
    });
    t.keys(&["q"]);
    t.wait_exit();
    // On disk: the request before the result, and the followed outcome last.
    let sessions = home.path().join("sessions");
    let dir = std::fs::read_dir(&sessions)
        .expect("sessions")
        .next()
        .expect("one session")
        .expect("entry")
        .path();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    let requested = journal.find("cluster_action_requested").expect("requested");
    let finished = journal.rfind("cluster_action_finished").expect("finished");
    assert!(requested < finished, "{journal}");
    let last = journal
        .lines()
        .rev()
        .find(|l| l.contains("cluster_action_finished"))
        .unwrap();
    assert!(
        last.contains("successfully rolled out") && last.contains("\"ok\":true"),
        "{last}"
    );
}
