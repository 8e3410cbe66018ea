//! End to end, as an operator: the real binary in tmux. Open a runbook, tick items, add a
//! note, run a command with confirmation, lose the terminal, `backout resume`, see the
//! same state, `backout report`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::session_files::{bin, copy_into, journal};
use support::tmux::Tmux;

/// A copy of the fixture runbook inside the test's own directory, so that each test's
/// process can be told apart (tests run in parallel).
fn fixture(home: &Path) -> PathBuf {
    copy_into(home, "tests/fixtures/e2e-rollback.md", "e2e-rollback.md")
}

/// Sends a signal to the console working on `runbook`.
fn signal_console(runbook: &Path, signal: &str) {
    let status = Command::new("pkill")
        .args([signal, "-f", &format!("^{} {}", bin(), runbook.display())])
        .status()
        .expect("pkill");
    assert!(
        status.success(),
        "no backout process for {}",
        runbook.display()
    );
}

fn report(home: &Path, format: &str) -> String {
    let out = Command::new(bin())
        .args(["report", "--format", format])
        .env("BACKOUT_HOME", home)
        .output()
        .expect("run backout report");
    assert!(
        out.status.success(),
        "report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 report")
}

/// The console on the fixture, then (once it has exited) `AFTER-EXIT` and whether the
/// terminal is in canonical mode (`icanon`) or raw (`-icanon`), as `stty` reads it.
fn then_stty(home: &Path) -> String {
    format!(
        "{} {}; echo AFTER-EXIT; stty -a | grep -o -- '-icanon\\|icanon' | head -1; sleep 10",
        bin(),
        fixture(home).display()
    )
}

/// Waits for stty's answer too, not just the echo before it (that raced under load).
fn wait_after_exit(t: &Tmux) -> String {
    t.wait_until("AFTER-EXIT and stty's answer", |s| {
        s.contains("AFTER-EXIT") && s.lines().any(|l| l.contains("icanon"))
    })
}

/// Works the first steps of the fixture: tick, tick, note, run a command with a placeholder.
fn work_the_first_steps(t: &Tmux) {
    t.wait_for("Procedure 0/7");
    t.keys(&["Space"]);
    t.wait_for("Procedure 1/7");
    t.keys(&["j", "Space"]);
    t.wait_for("Procedure 2/7");
    // A multi-line note.
    t.keys(&["n"]);
    t.wait_for("Note on #2");
    t.type_text("IC is dana, comms is eli");
    t.keys(&["Enter"]);
    t.type_text("freeze posted in #deploys");
    t.keys(&["C-s"]);
    t.wait_for("IC is dana, comms is eli");
    // Run the first command: the placeholder is asked for, then the exact command confirmed.
    t.keys(&["j", "r"]);
    t.wait_for("Placeholder <service-name>");
    t.type_text("payments-api");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Run this in /bin/sh now?");
    assert!(
        screen.contains("echo \"current revision of payments-api: 7\""),
        "{screen}"
    );
    t.keys(&["y"]);
    t.wait_for("current revision of payments-api: 7");
    t.wait_for("run 1 · exit 0");
    t.wait_for("Procedure 3/7");
}

#[test]
fn work_a_runbook_lose_the_terminal_resume_and_report() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::backout(
        "console",
        home.path(),
        &fixture(home.path()).display().to_string(),
    );
    work_the_first_steps(&t);
    // The terminal dies (SSH drop): tmux is killed, the console gets SIGHUP.
    t.kill();

    let t = Tmux::backout("resumed", home.path(), "resume");
    let screen = t.wait_for("Procedure 3/7");
    assert!(screen.contains("✓  #1 Incident channel open"), "{screen}");
    assert!(screen.contains("✓  #2 Deploy freeze announced"), "{screen}");
    assert!(screen.contains("resumed the session"), "{screen}");
    // The cursor is on the first open step; the placeholder was remembered, so the second
    // command goes straight to its confirmation.
    assert!(screen.contains("› $  #4 Roll back"), "{screen}");
    t.keys(&["r"]);
    let screen = t.wait_for("Run this in /bin/sh now?");
    assert!(
        screen.contains("echo \"rolling back payments-api\""),
        "{screen}"
    );
    t.keys(&["y"]);
    t.wait_for("rollback of payments-api complete");
    t.wait_for("Procedure 4/7");
    t.quit();

    let md = report(home.path(), "md");
    for expected in [
        "Incident channel open and incident commander named",
        "IC is dana, comms is eli",
        "freeze posted in #deploys",
        "echo \"current revision of payments-api: 7\"",
        "exit 0",
    ] {
        assert!(md.contains(expected), "report lacks {expected:?}:\n{md}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&report(home.path(), "json")).expect("json report");
    // One run for the one-line block, one per line of the three-line block (each line is
    // journaled with its own exit status).
    assert_eq!(
        json["commands"].as_array().map(Vec::len),
        Some(4),
        "{json:#}"
    );
}

#[test]
fn a_sigkilled_console_resumes_with_every_confirmed_step() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::backout(
        "killed",
        home.path(),
        &fixture(home.path()).display().to_string(),
    );
    work_the_first_steps(&t);
    signal_console(&home.path().join("e2e-rollback.md"), "-KILL");
    t.wait_exit();
    t.kill();
    // The terminal is left in raw mode by a SIGKILL; a new tmux gives a fresh one.
    let t = Tmux::backout("after-kill", home.path(), "resume");
    let screen = t.wait_for("Procedure 3/7");
    assert!(screen.contains("note on #2: IC is dana"), "{screen}");
    assert!(screen.contains("run 1 of #3 exited 0"), "{screen}");
    t.quit();
}

#[test]
fn sigterm_restores_the_terminal_and_keeps_the_session() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "term",
        100,
        30,
        &[("BACKOUT_HOME", home.path())],
        &then_stty(home.path()),
    );
    t.wait_for("Procedure 0/7");
    t.keys(&["Space"]);
    t.wait_for("Procedure 1/7");
    signal_console(&home.path().join("e2e-rollback.md"), "-TERM");
    let screen = wait_after_exit(&t);
    // Canonical mode is back: raw mode was left.
    assert!(screen.lines().any(|l| l.trim() == "icanon"), "{screen}");
    let md = report(home.path(), "md");
    assert!(md.contains("Incident channel open"), "{md}");
}

#[test]
fn a_panic_restores_the_terminal_and_says_how_to_resume() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "panic",
        100,
        30,
        &[
            ("BACKOUT_HOME", home.path()),
            ("BACKOUT_CRASH_TEST", Path::new("1")),
        ],
        &then_stty(home.path()),
    );
    let screen = wait_after_exit(&t);
    assert!(screen.contains("backout crashed"), "{screen}");
    assert!(screen.contains("backout resume"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "raw mode left on:\n{screen}"
    );
}

/// Issue 15, point 2: a panic in a background thread (here a thread spawned for the
/// purpose; in the field the simulator's or a watcher's) is said on screen and the console
/// stays responsive: q quits and the terminal comes back in cooked mode.
#[test]
fn a_background_panic_is_shown_and_q_still_quits() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "bgpanic",
        120,
        30,
        &[
            ("BACKOUT_HOME", home.path()),
            ("BACKOUT_CRASH_TEST", Path::new("background")),
        ],
        &then_stty(home.path()),
    );
    let screen = t.wait_for("A background task crashed");
    assert!(screen.contains("thread crash-test"), "{screen}");
    assert!(
        !screen.contains("AFTER-EXIT"),
        "the console ended:\n{screen}"
    );
    t.keys(&["q"]);
    let screen = wait_after_exit(&t);
    assert!(!screen.contains("backout crashed"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "raw mode left on:\n{screen}"
    );
}

#[test]
fn resizing_redraws_and_a_too_small_window_says_so() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::backout(
        "resize",
        home.path(),
        &fixture(home.path()).display().to_string(),
    );
    t.wait_for("Procedure 0/7");
    t.resize(70, 20);
    t.wait_for("Terminal too small");
    t.wait_for("70×20");
    t.resize(80, 24);
    let screen = t.wait_for("Procedure 0/7");
    assert!(!screen.contains("Terminal too small"), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80), "{screen}");
    t.quit();
}

/// A secret `$NAME` placeholder is asked for with a masked input, and its value never
/// reaches the screen: not the step pane, the confirmation, nor the output.
#[test]
fn a_secret_placeholder_never_reaches_the_screen() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("token.md");
    std::fs::write(
        &runbook,
        "# Token\n\n## 1. Roll back\n\nCall the deploy API.\n\n```bash\ntest -n \"$DEPLOY_API_TOKEN\" && echo \"token present: $DEPLOY_API_TOKEN\"\n```\n",
    )
    .expect("runbook");
    let secret = "tok-canary-93b1f0";
    let t = Tmux::backout("token", home.path(), &runbook.display().to_string());
    t.wait_for("Procedure 0/1");
    t.keys(&["r"]);
    t.wait_for("Placeholder $DEPLOY_API_TOKEN");
    t.type_text(secret);
    // Read the input once every typed character has landed (as the mask's dots): a
    // capture taken before the frame would show no secret whether it is masked or not.
    let screen = t.wait_until("the typed value in the input, masked", |s| {
        s.contains(&"•".repeat(secret.chars().count()))
    });
    assert!(!screen.contains(secret), "the input is masked: {screen}");
    t.keys(&["Enter"]);
    let screen = t.wait_for("Run this in /bin/sh now?");
    assert!(!screen.contains(secret), "{screen}");
    t.keys(&["y"]);
    let screen = t.wait_for("token present: ");
    assert!(
        !screen.contains(secret),
        "the output is masked too: {screen}"
    );
    t.wait_for("run 1 · exit 0");
    t.quit();
    let journal = journal(home.path());
    assert!(journal.contains("token present"), "{journal}");
    assert!(!journal.contains(secret), "{journal}");
}
