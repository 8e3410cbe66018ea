//! End to end: the `argocd-self-heal` drill's trap, as the real binary in tmux. The
//! Rollout pane shows the Argo CD application managing the Deployment (self-heal on); a
//! `kubectl rollout undo` from the Rollout pane is warned before it is confirmed ("your
//! change will be reverted"), and once the simulated Argo CD's self-heal puts the bad
//! revision back, the console says so ("Reverted by Argo CD"). And the way out of the
//! trap: Ctrl-o in that confirmation turns the application's auto-sync off first (typed
//! application name, through the simulator's Argo CD API); the undo then stays — the
//! application reads OutOfSync with auto-sync off, and nothing is reverted.

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::Tmux;

/// The drill started, the bad commit synced, and `u` on the Rollout pane: the undo's
/// confirmation is up, with the guard's warning.
fn undo_confirmation_of_the_bad_commit(name: &str, home: &Path) -> Tmux {
    let t = Tmux::drill(
        name,
        200,
        50,
        home,
        "--scenario argocd-self-heal --speed 20",
    );
    t.close_intro();
    // The bad commit is synced: the pods run 1.6.0, and the Rollout pane names the
    // application managing the Deployment.
    t.wait_until_within("the bad commit synced", Duration::from_secs(180), |s| {
        s.contains("Argo CD checkout-api: Synced") && s.contains("1.6.0")
    });
    t.keys(&["Tab"]);
    t.press_until("u", "undo confirmation", |s| {
        s.contains("Type the deployment name (checkout-api)")
    });
    // The guard's warning can be drawn after the confirmation: wait for it.
    let s = t.wait_until("the guard's warning", |s| {
        s.contains("managed by Argo CD app checkout-api with self-heal: your change will be")
    });
    assert!(
        s.contains("managed by Argo CD app checkout-api with self-heal: your change will be"),
        "the guard's warning above the diff:\n{s}"
    );
    t
}

#[test]
fn argocd_self_heal_trap_a_kubectl_undo_is_warned_and_its_revert_is_said() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = undo_confirmation_of_the_bad_commit("argocd-trap", home.path());
    t.type_text("checkout-api");
    t.keys(&["Enter"]);
    let s = t.wait_until_within("the revert said", Duration::from_secs(180), |s| {
        s.contains("Reverted by Argo CD")
    });
    assert!(
        s.contains("Argo CD app checkout-api reverted your change"),
        "{s}"
    );
    t.kill();
}

#[test]
fn argocd_guard_turns_auto_sync_off_first_and_the_undo_stays() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = undo_confirmation_of_the_bad_commit("argocd-guard", home.path());
    let s = t.wait_until("the guard's way out", |s| {
        s.contains("Ctrl-o turns auto-sync off first")
    });
    assert!(s.contains("Ctrl-o turns auto-sync off first"), "{s}");
    t.keys(&["C-o"]);
    // The preview can be drawn after the prompt: wait for both.
    let s = t.wait_until_within(
        "the application's confirmation and its preview",
        Duration::from_secs(60),
        |s| {
            s.contains("Type the application name checkout-api to turn its auto-sync off")
                && s.contains("sync policy automated (prune: true, self-heal: true) → manual")
        },
    );
    assert!(
        s.contains("sync policy automated (prune: true, self-heal: true) → manual"),
        "the preview of the spec change:\n{s}"
    );
    t.type_text("checkout-api");
    t.keys(&["Enter"]);
    // Argo CD took it: back in the undo's confirmation, which now says the change stays.
    t.wait_until_within("auto-sync turned off", Duration::from_secs(60), |s| {
        s.contains("auto-sync is off on Argo CD app checkout-api: your change will stay")
    });
    t.type_text("checkout-api");
    t.keys(&["Enter"]);
    // The undo lands; Argo CD sees the drift (OutOfSync) with auto-sync off and leaves
    // it: every pod runs 1.5.0 and nothing is reverted.
    let s = t.wait_until_within(
        "the undo kept, the application OutOfSync",
        Duration::from_secs(180),
        |s| {
            let pods: Vec<&str> = s
                .lines()
                .filter(|l| l.contains("checkout-api-") && l.contains("Running"))
                .collect();
            s.contains("Argo CD checkout-api: OutOfSync")
                && !pods.is_empty()
                && pods.iter().all(|l| l.contains(" 1.5.0 "))
        },
    );
    assert!(!s.contains("Reverted by Argo CD"), "{s}");
    assert!(
        s.contains("follow-up: re-enable auto-sync on checkout-api"),
        "{s}"
    );
    t.kill();
}
