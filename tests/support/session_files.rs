//! What a console leaves under `BACKOUT_HOME`, read the way the end-to-end tests need it:
//! a corpus runbook copied in, the session directory, its journal, and `backout report`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_backout")
}

/// Copies the corpus runbook `tests/runbooks/teams/NAME` into `home`; returns the copy.
pub fn corpus_runbook(home: &Path, name: &str) -> PathBuf {
    copy_into(home, &format!("tests/runbooks/teams/{name}"), name)
}

/// Copies `from` (a path under the crate) into `home` as `name`, so that each test's
/// console works on its own file (tests run in parallel); returns the copy.
pub fn copy_into(home: &Path, from: &str, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    let dst = home.join(name);
    std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("copy {}: {e}", src.display()));
    dst
}

/// The one session's directory under `home`.
pub fn session_dir(home: &Path) -> PathBuf {
    let sessions: Vec<PathBuf> = std::fs::read_dir(home.join("sessions"))
        .expect("sessions")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    sessions[0].clone()
}

/// The one session's journal under `home`, as it is on disk now.
pub fn session_journal(home: &Path) -> String {
    std::fs::read_to_string(session_dir(home).join("journal.jsonl")).expect("journal")
}

/// The session's journal as written so far (empty before it exists).
pub fn journal(home: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(home.join("sessions")) else {
        return String::new();
    };
    entries
        .flatten()
        .map(|e| e.path().join("journal.jsonl"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// Waits (up to 60 s) until the journal holds a line for which `pred` holds; returns it.
pub fn wait_for_record(home: &Path, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let journal = journal(home);
        if let Some(line) = journal.lines().find(|l| pred(l)) {
            return line.to_string();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "waited 60 s for {what} in the journal:\n{journal}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `backout report` of the newest session (Markdown), run with `BACKOUT_HOME=home`.
pub fn report(home: &Path) -> String {
    let out = Command::new(bin())
        .arg("report")
        .env("BACKOUT_HOME", home)
        .output()
        .expect("backout report runs");
    assert!(
        out.status.success(),
        "backout report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
