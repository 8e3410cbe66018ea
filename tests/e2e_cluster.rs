//! End to end with a cluster: the real binary in tmux against the in-process simulator
//! running the `bad-deploy` drill. The console connects through a kubeconfig, shows the
//! pods live, and rolls the bad release back from the Rollout pane with a typed
//! confirmation, following the rollout to the end.

mod common;
mod support;

use common::Sim;
use support::console::on_sim;
use support::session_files::{copy_into, session_journal};
use support::tmux::Tmux;

#[test]
fn undo_from_the_rollout_pane_against_the_simulator() {
    // Twenty times faster: the bad release (at 60 s) lands after about 3 s.
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = copy_into(
        home.path(),
        "runbooks/deployment-rollback.md",
        "deployment-rollback.md",
    );
    let t = Tmux::backout("cluster", home.path(), &on_sim(&runbook, &sim.kubeconfig));
    // The runbook's target fills the namespace and the deployment.
    t.wait_for("backout-sim/checkout");
    t.wait_for("Pods 4");
    // The bad release becomes the current revision.
    t.wait_bad_release();
    t.keys(&["Tab"]);
    t.keys(&["u"]);
    // The confirmation can be drawn before its diff lands: wait for what is checked.
    let s = t.wait_until("the undo's confirmation with its command and diff", |s| {
        s.contains("Type the deployment name (checkout-api)")
            && s.contains("kubectl rollout undo deployment/checkout-api")
            && s.contains("1.5.0")
            && s.contains("1.6.0")
    });
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
    t.wait_rollback_completed("the rollback completed");
    // The session's start, its connection (`ConnectionSet`) and four cluster records:
    // requested, acknowledged, "following the rollout", the rollout's end.
    t.wait_until("four cluster records journaled", |s| {
        s.contains("Journal · 6 records")
    });
    t.quit();
    // On disk: the request before the result, and the followed outcome last.
    let journal = session_journal(home.path());
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
