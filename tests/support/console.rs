//! The console's own moves in tmux, shared by the end-to-end suites: starting `backout`
//! (on a runbook, on the simulator, as a drill), the shell's confirmation, the typed
//! confirmation of an undo, and the `bad-deploy` drill's rollout as the Rollout pane shows
//! it. Every wait polls the screen for the state it names.

#![allow(dead_code)]

use std::path::Path;

use super::session_files::bin;
use super::tmux::Tmux;

/// `RUNBOOK --kubeconfig KUBECONFIG --context backout-sim`: a console's arguments for a
/// runbook against the simulator whose kubeconfig is given.
pub fn on_sim(runbook: &Path, kubeconfig: &Path) -> String {
    format!(
        "{} --kubeconfig {} --context backout-sim",
        runbook.display(),
        kubeconfig.display()
    )
}

impl Tmux {
    /// `backout ARGS` in a 120×40 terminal with `BACKOUT_HOME=home`.
    pub fn backout(name: &str, home: &Path, args: &str) -> Tmux {
        Tmux::backout_with(name, &[("BACKOUT_HOME", home)], args)
    }

    /// `backout ARGS` in a 120×40 terminal with the environment `env`.
    pub fn backout_with(name: &str, env: &[(&str, &Path)], args: &str) -> Tmux {
        Tmux::start(name, 120, 40, env, &format!("{} {args}", bin()))
    }

    /// `backout drill ARGS` run from the crate's root (where `runbooks/drills` is) in a
    /// `width`×`height` terminal with `BACKOUT_HOME=home`; the intro is left open.
    pub fn drill(name: &str, width: u16, height: u16, home: &Path, args: &str) -> Tmux {
        Tmux::start(
            name,
            width,
            height,
            &[("BACKOUT_HOME", home)],
            &format!(
                "sh -c 'cd {} && {} drill {args}'",
                env!("CARGO_MANIFEST_DIR"),
                bin()
            ),
        )
    }

    /// A drill's intro: waits for it, any key starts, waits until it is gone.
    pub fn close_intro(&self) {
        self.wait_for("any key starts");
        self.keys(&["x"]);
        self.wait_until("the intro closed", |s| !s.contains("any key starts"));
    }

    /// `r` on the selected step, then `y` to the shell's exact-command confirmation.
    pub fn run_in_shell(&self) {
        self.keys(&["r"]);
        self.wait_for("Run this in /bin/sh now?");
        self.keys(&["y"]);
    }

    /// `r` on a step whose lines run natively: the list of how each line runs is
    /// confirmed (`y`) when it comes first; then the typed confirmation follows.
    pub fn run_natively(&self) {
        self.keys(&["r"]);
        let s = self.wait_until("a confirmation", |s| {
            s.contains("Run these in order") || s.contains("Type the deployment name")
        });
        if s.contains("Run these in order") {
            self.keys(&["y"]);
        }
    }

    /// Waits for the typed confirmation of an action on `deployment`, types the name and
    /// Enter; returns the confirmation's screen.
    pub fn type_deployment_name(&self, deployment: &str) -> String {
        let s = self.wait_for(&format!("Type the deployment name ({deployment})"));
        self.type_text(deployment);
        self.keys(&["Enter"]);
        s
    }

    /// The `bad-deploy` drill's bad release (1.6.0, revision 4) current and rolled out.
    pub fn wait_bad_release(&self) {
        self.wait_for("*  4 1.6.0");
        self.wait_until("the bad release rolled out", |s| s.contains("100% upd 4/4"));
    }

    /// An undo of the `bad-deploy` drill followed to its end: every pod updated, no undo in
    /// progress.
    pub fn wait_rollback_completed(&self, what: &str) {
        self.wait_until(what, |s| {
            s.contains("100% upd 4/4") && !s.contains("undo: ")
        });
    }
}
