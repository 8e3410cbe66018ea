//! End to end, as an incident commander with a team's own runbook (no front matter, no
//! sinks, no metrics): the real binary in tmux on the corpus runbook
//! `tests/runbooks/teams/ic-severity-notify.md`. Declare SEV-1 from the runbook's
//! severity table, record the approval the row asks for as "approve after", draft the
//! rollback notification from the runbook's own template, find it in tmux's paste
//! buffer (OSC 52, tmux `set-clipboard on`) and saved under the session directory
//! (0600), record that it was posted by hand, and find all of it in the journal and
//! again after `backout resume`.
//!
//! OSC 52 as tmux reads it: `input_osc_52` in tmux's `input.c` (`ESC ] 52 ; c ; BASE64`
//! terminated by BEL or ST) stores the decoded text as a paste buffer when
//! `set-clipboard` is on.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use support::poll;
use support::session_files::{corpus_runbook, session_dir, session_journal};
use support::tmux::Tmux;

const EXPECTED: &str = ":rotating_light: search-api rollback in progress (SEV-1): search 5xx everywhere.\n\
Impact: Search down for everyone. Incident commander: ";

#[test]
fn declare_a_severity_with_an_approval_and_draft_the_runbooks_notification() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = corpus_runbook(home.path(), "ic-severity-notify.md");
    let t = Tmux::backout("ic", home.path(), &runbook.display().to_string());
    t.command(&["set-option", "-s", "set-clipboard", "on"]);
    // No cluster in this test: the target read from the runbook's kubectl line is left
    // unconfirmed (Esc), the cluster stays off.
    t.wait_for("Connect to this target?");
    t.keys(&["Escape"]);
    t.wait_until("the target popup closed", |s| {
        !s.contains("Connect to this target?")
    });
    let screen = t.wait_for("Decision table · line 7");
    assert!(
        screen.contains("No severity declared · S declares one"),
        "{screen}"
    );

    // Declare SEV-1 from the table's first row, with a reason.
    t.keys(&["S"]);
    t.wait_for("Declare the severity");
    t.keys(&["Enter"]);
    t.wait_for("Declare SEV-1: Search down for everyone");
    t.type_text("search 5xx everywhere");
    t.keys(&["Enter"]);
    // The row asks for an approval that may come after.
    t.wait_for("Approval for SEV-1");
    t.type_text("after");
    t.keys(&["Enter"]);
    let screen = t.wait_for("approval owed: Head of Engineering");
    assert!(
        screen.contains("RTO 9m") || screen.contains("RTO 10m"),
        "{screen}"
    );

    // Draft the notification from the runbook's template: copied and saved.
    t.keys(&["m"]);
    t.wait_for("Message: Rollback Notification (runbook line 29)");
    t.keys(&["C-s"]);
    // The compose popup itself says "copied to the clipboard" (its To: line) before the
    // draft is saved and copied: wait for the copy and the saved file, not for that text.
    let buffer = t.wait_buffer("the draft", |b| b.starts_with(EXPECTED));
    assert!(buffer.starts_with(EXPECTED), "tmux buffer: {buffer:?}");

    let dir = session_dir(home.path());
    let drafts: Vec<PathBuf> = poll::until("the draft saved under messages/", || {
        let drafts: Vec<PathBuf> = std::fs::read_dir(dir.join("messages"))
            .map_err(|e| e.to_string())?
            .map(|e| e.expect("entry").path())
            .collect();
        let written = drafts
            .iter()
            .all(|d| std::fs::read_to_string(d).is_ok_and(|t| !t.is_empty()));
        if drafts.is_empty() || !written {
            return Err(format!("{drafts:?}"));
        }
        Ok(drafts)
    });
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let saved = std::fs::read_to_string(&drafts[0]).expect("draft");
    assert!(saved.starts_with(EXPECTED), "{saved}");
    assert_eq!(saved.trim_end(), buffer.trim_end());
    let mode = std::fs::metadata(&drafts[0]).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Posted by hand, from the messages list.
    t.keys(&["M"]);
    t.wait_for("drafted; to post by hand");
    t.keys(&["p"]);
    t.wait_for("Posted by hand");
    t.type_text("#inc-search");
    t.keys(&["Enter"]);
    t.wait_for("posted by hand to #inc-search");
    t.keys(&["Escape", "q"]);
    t.wait_exit();

    let journal = session_journal(home.path());
    for kind in [
        "\"type\":\"severity_declared\"",
        "\"type\":\"approval_recorded\"",
        "\"type\":\"message_drafted\"",
        "\"type\":\"message_posted_by_hand\"",
    ] {
        assert!(journal.contains(kind), "{kind} missing:\n{journal}");
    }
    assert!(journal.contains("\"rto_secs\":600"), "{journal}");
    assert!(journal.contains("\"deferred\":true"), "{journal}");

    // Resume: the same severity, RTO and reminder, replayed from the journal.
    let t = Tmux::backout("ic-resumed", home.path(), "resume");
    // No connection was journaled, so the target may be asked for again: left off again.
    let screen = t.wait_until("the resumed console or its target popup", |s| {
        s.contains("Connect to this target?") || s.contains("approval owed: Head of Engineering")
    });
    if screen.contains("Connect to this target?") {
        t.keys(&["Escape"]);
        t.wait_until("the target popup closed", |s| {
            !s.contains("Connect to this target?")
        });
    }
    let screen = t.wait_for("approval owed: Head of Engineering");
    assert!(screen.contains(" SEV-1 "), "{screen}");
    t.keys(&["M"]);
    t.wait_for("posted by hand to #inc-search");
    t.keys(&["Escape", "q"]);
    t.wait_exit();
}
