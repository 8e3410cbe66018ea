//! End to end: the `argocd-self-heal` drill's trap, as the real binary in tmux. The
//! Rollout pane shows the Argo CD application managing the Deployment (self-heal on); a
//! `kubectl rollout undo` from the Rollout pane is warned before it is confirmed ("your
//! change will be reverted"), and once the simulated Argo CD's self-heal puts the bad
//! revision back, the console says so ("Reverted by Argo CD").

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::Tmux;

#[test]
fn argocd_self_heal_trap_a_kubectl_undo_is_warned_and_its_revert_is_said() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "argocd-trap",
        200,
        50,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "sh -c 'cd {} && {} drill --scenario argocd-self-heal --speed 20'",
            root.display(),
            env!("CARGO_BIN_EXE_backout")
        ),
    );
    t.wait_for("any key starts");
    t.keys(&["x"]);
    t.wait_until("the intro closed", |s| !s.contains("any key starts"));
    // The bad commit is synced: the pods run 1.6.0, and the Rollout pane names the
    // application managing the Deployment.
    t.wait_until_within("the bad commit synced", Duration::from_secs(180), |s| {
        s.contains("Argo CD checkout-api: Synced") && s.contains("1.6.0")
    });
    t.keys(&["Tab"]);
    let mut tries = 0;
    loop {
        t.keys(&["u"]);
        if screen_within(&t, Duration::from_secs(20), |s| {
            s.contains("Type the deployment name (checkout-api)")
        }) {
            break;
        }
        tries += 1;
        assert!(tries < 6, "no undo confirmation:\n{}", t.screen());
    }
    let s = t.screen();
    assert!(
        s.contains("managed by Argo CD app checkout-api with self-heal: your change will be"),
        "the guard's warning above the diff:\n{s}"
    );
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

/// Whether the screen satisfies `pred` within `patience`.
fn screen_within(t: &Tmux, patience: Duration, pred: impl Fn(&str) -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < patience {
        if pred(&t.screen()) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}
