//! Issue 15, point 5: private by default. After a live session and after a drill, every
//! directory under `BACKOUT_HOME` is 0700 and every file 0600 (journal, runbook copy,
//! outbox, drill history, drill runbooks, logs), even when the umask is 000.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::session_files::{bin, copy_into};
use support::tmux::Tmux;

/// Every path under `root` with its mode, directories first seen first.
fn modes(root: &Path) -> Vec<(PathBuf, bool, u32)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                stack.push(path.clone());
            }
            out.push((path, meta.is_dir(), mode));
        }
    }
    out
}

/// Asserts the modes and that the files the issue names are among those checked.
fn assert_private(home: &Path, must_exist: &[&str]) {
    let all = modes(home);
    let wrong: Vec<String> = all
        .iter()
        .filter(|(_, is_dir, mode)| *mode != if *is_dir { 0o700 } else { 0o600 })
        .map(|(p, _, mode)| format!("{} {mode:o}", p.display()))
        .collect();
    assert!(wrong.is_empty(), "not private:\n{}", wrong.join("\n"));
    for name in must_exist {
        assert!(
            all.iter()
                .any(|(p, _, _)| p.to_string_lossy().contains(name)),
            "{name} was not written under {}: {all:?}",
            home.display()
        );
    }
}

#[test]
fn a_live_session_leaves_only_private_files_even_with_umask_000() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = copy_into(
        home.path(),
        "tests/fixtures/e2e-rollback.md",
        "e2e-rollback.md",
    );
    let data = home.path().join("data");
    let t = Tmux::start(
        "private-live",
        120,
        40,
        &[("BACKOUT_HOME", &data)],
        &format!(
            "sh -c 'umask 000; {} {}; echo AFTER-EXIT; sleep 10'",
            bin(),
            runbook.display()
        ),
    );
    t.wait_for("Procedure 0/7");
    t.keys(&["Space"]);
    t.wait_for("Procedure 1/7");
    t.keys(&["n"]);
    t.wait_for("Note on #1");
    t.type_text("customer impact: checkout errors");
    t.keys(&["C-s"]);
    t.wait_for("customer impact");
    t.keys(&["q"]);
    t.wait_for("AFTER-EXIT");
    assert_private(&data, &["journal.jsonl", "runbook.md", "backout.log."]);
}

#[test]
fn a_drill_leaves_only_private_files_even_with_umask_000() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "private-drill",
        130,
        45,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "sh -c 'cd {} && umask 000 && {} drill --speed 20; echo AFTER-EXIT; sleep 10'",
            root.display(),
            bin()
        ),
    );
    t.close_intro();
    t.keys(&["q"]);
    t.wait_for("Any key leaves");
    t.keys(&["x"]);
    t.wait_for("AFTER-EXIT");
    assert_private(
        home.path(),
        &[
            "journal.jsonl",
            "runbook.md",
            "drills/",
            "drill.json",
            "backout.log.",
        ],
    );
}
