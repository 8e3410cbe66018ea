//! Issue 15, point 4: SIGINT, SIGTERM, SIGHUP and SIGQUIT end the console and the drill
//! with the terminal restored (`stty -a` after exit shows `icanon`: raw mode is off) and
//! the journal closed; a drill writes and prints its scorecard first and exits instead of
//! waiting for a key on the scorecard screen.

mod support;

use std::path::Path;
use std::process::Command;

use support::session_files::{bin, copy_into};
use support::tmux::Tmux;

/// After the program: a marker, then whether the terminal is in canonical mode.
const AFTER: &str = "echo AFTER-EXIT; stty -a | grep -o -- '-icanon\\|icanon' | head -1; sleep 20";

/// The backout process under the pane's shell.
/// `backout drill --speed 20` (exec'd by its shell, so that a signal reaches it), then
/// [`AFTER`] once it has exited.
fn drill_then_after(name: &str, home: &Path) -> Tmux {
    Tmux::start(
        name,
        130,
        45,
        &[("BACKOUT_HOME", home)],
        &format!(
            "sh -c \"cd {} && exec {} drill --speed 20\"; {AFTER}",
            env!("CARGO_MANIFEST_DIR"),
            bin()
        ),
    )
}

fn child_of(pid: i32) -> i32 {
    let out = Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no child of {pid}"))
}

fn kill(pid: i32, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{signal} {pid}");
}

/// Waits for the marker and stty's answer; asserts the terminal came back cooked.
fn assert_restored(t: &Tmux, signal: &str) -> String {
    let screen = t.wait_until("AFTER-EXIT and stty's answer", |s| {
        s.contains("AFTER-EXIT") && s.lines().any(|l| l.contains("icanon"))
    });
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "SIG{signal}: raw mode left on:\n{screen}"
    );
    assert!(!screen.contains("backout crashed"), "SIG{signal}: {screen}");
    screen
}

fn journal_closed(home: &Path) -> String {
    let sessions = home.join("sessions");
    let dir = std::fs::read_dir(&sessions)
        .expect("sessions")
        .map(|e| e.expect("entry").path())
        .find(|p| p.join("journal.jsonl").exists())
        .expect("a session");
    std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal")
}

#[test]
fn the_console_leaves_cleanly_on_sigint_and_sigquit() {
    for signal in ["INT", "QUIT"] {
        let home = tempfile::tempdir().expect("tempdir");
        let runbook = copy_into(
            home.path(),
            "tests/fixtures/e2e-rollback.md",
            "e2e-rollback.md",
        );
        let t = Tmux::start(
            &format!("sig-console-{signal}"),
            120,
            40,
            &[("BACKOUT_HOME", home.path())],
            &format!("{} {}; {AFTER}", bin(), runbook.display()),
        );
        t.wait_for("Procedure 0/7");
        t.keys(&["Space"]);
        t.wait_for("Procedure 1/7");
        kill(child_of(t.pane_pid()), signal);
        assert_restored(&t, signal);
        let journal = journal_closed(home.path());
        assert!(journal.contains("step_ticked"), "SIG{signal}: {journal}");
        // The journal is no longer held: another console can take it.
        let out = Command::new(bin())
            .args(["sessions", "--format", "json"])
            .env("BACKOUT_HOME", home.path())
            .output()
            .expect("sessions");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("\"live\": false"), "SIG{signal}: {text}");
    }
}

#[test]
fn a_drill_writes_its_scorecard_and_exits_on_sigterm_sighup_and_sigint() {
    for signal in ["TERM", "HUP", "INT"] {
        let home = tempfile::tempdir().expect("tempdir");
        let t = drill_then_after(&format!("sig-drill-{signal}"), home.path());
        t.close_intro();
        kill(child_of(t.pane_pid()), signal);
        let screen = assert_restored(&t, signal);
        assert!(
            screen.contains("Drill scorecard"),
            "SIG{signal}: the scorecard is printed:\n{screen}"
        );
        assert!(!screen.contains("Any key leaves"), "SIG{signal}: {screen}");
        let saved = std::fs::read_dir(home.path().join("drills"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(saved, 1, "SIG{signal}: the drill record is saved");
        journal_closed(home.path());
    }
}

/// Issue 15, point 9: quitting a drill on the simulator no longer suggests
/// `backout resume`, which refuses it; it names the scorecard command.
#[test]
fn quitting_a_drill_points_at_its_scorecard_not_at_resume() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = drill_then_after("quit-drill", home.path());
    t.close_intro();
    t.keys(&["q"]);
    t.wait_for("Any key leaves");
    t.keys(&["x"]);
    let screen = assert_restored(&t, "none");
    assert!(screen.contains("backout drill --report"), "{screen}");
    assert!(!screen.contains("backout resume"), "{screen}");
}
