//! `backout sessions` and `backout report`, run as the real binary against a
//! `BACKOUT_HOME` made for the test.

use std::path::Path;
use std::process::Output;

use backout::domain::journal::Entry;
use backout::domain::runbook::StepId;
use chrono::{Duration, TimeZone, Utc};

#[path = "common/backout_cli.rs"]
mod backout_cli;

use backout_cli::{backout_with_env, checkout_session, stderr, stdout};

const WEBHOOK: &str = "https://hooks.example/services/T000/B000/very-secret-path";

/// `backout ARGS` with a Slack webhook in the environment (a secret that must not leak).
fn backout(home: &Path, args: &[&str]) -> Output {
    backout_with_env(home, args, &[("SLACK_WEBHOOK_URL", WEBHOOK)])
}

/// One session with a little of everything, including a secret typed into a note.
fn seed(home: &Path) -> String {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap();
    let mut new = checkout_session(home, "Checkout API rollback", t0);
    let entries = [
        Entry::PhaseEntered {
            phase: 0,
            title: "Pre-rollback".into(),
        },
        Entry::StepTicked {
            step: StepId(0),
            title: "Page on-call".into(),
        },
        Entry::NoteAdded {
            text: format!("posted to {WEBHOOK}"),
            step: None,
        },
        Entry::CommandStarted {
            step: StepId(1),
            run: 1,
            command: "kubectl rollout undo deployment/checkout-api".into(),
        },
    ];
    for (i, e) in entries.into_iter().enumerate() {
        new.journal
            .append_at(t0 + Duration::seconds(10 * (i as i64 + 1)), "alice@ops", e)
            .unwrap();
    }
    new.dir.id
}

#[test]
fn sessions_on_an_empty_home_says_where_sessions_are_kept() {
    let home = tempfile::tempdir().unwrap();
    let o = backout(home.path(), &["sessions"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!(
            "No sessions yet. Sessions are kept in {} (set BACKOUT_HOME to change).\n\
             Start one with `backout <runbook.md>`.\n",
            home.path().join("sessions").display()
        )
    );
    let o = backout(home.path(), &["sessions", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"apiVersion": "backout/v1", "kind": "SessionList", "items": []})
    );
}

#[test]
fn sessions_lists_a_session_in_both_formats() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let o = backout(home.path(), &["sessions"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let row = out
        .lines()
        .find(|l| l.starts_with(&id))
        .expect("a row for the session");
    assert!(row.contains("Checkout API rollback"), "{row}");
    assert!(row.contains("2026-11-22 01:52Z"), "{row}");
    assert!(row.contains("1 done, 1 note, 1 command"), "{row}");
    assert!(row.ends_with("open"), "{row}");

    let o = backout(home.path(), &["sessions", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let v = &v["items"];
    assert_eq!(v[0]["id"], id.as_str());
    assert_eq!(v[0]["state"], "open");
    assert_eq!(v[0]["records"], 5);
}

#[test]
fn report_of_the_latest_session_is_markdown_and_redacted() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let o = backout(home.path(), &["report"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.starts_with("# Incident report: Checkout API rollback\n"),
        "{md}"
    );
    assert!(md.contains(&format!("| Session | `{id}` |")));
    // No console holds the session, so the unfinished run was interrupted.
    assert!(
        md.contains("| interrupted (session ended while running) |"),
        "{md}"
    );
    assert!(
        !md.contains("very-secret-path"),
        "the webhook leaked:\n{md}"
    );
    assert!(md.contains("posted to ‹redacted›"));
}

#[test]
fn report_by_prefix_to_a_json_file() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let out = home.path().join("report.json");
    let o = backout(
        home.path(),
        &[
            "report",
            &id[..15],
            "-o",
            "json",
            "--output-file",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("wrote the report of session {id} to")));
    assert!(!stderr(&o).contains("deprecated"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["apiVersion"], "backout/v1");
    assert_eq!(v["kind"], "IncidentReport");
    assert_eq!(v["session_id"], id.as_str());
    assert_eq!(v["checklist"][0]["status"]["status"], "done");
    assert!(!v.to_string().contains("very-secret-path"));
}

#[test]
fn report_errors_are_clear() {
    let home = tempfile::tempdir().unwrap();
    let o = backout(home.path(), &["report"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "backout: no sessions yet in {}\n",
            home.path().join("sessions").display()
        )
    );

    let id = seed(home.path());
    let o = backout(home.path(), &["report", "1999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no session matches \"1999\""),
        "{}",
        stderr(&o)
    );

    // Alter a record in the middle: the report refuses, naming the record.
    let journal = home.path().join("sessions").join(&id).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::write(&journal, text.replace("Page on-call", "Paged nobody")).unwrap();
    let o = backout(home.path(), &["report", &id]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "backout: session {id}: journal.jsonl line 3 (seq 3): hash mismatch — the record was altered\n"
        )
    );
    // ...and `sessions` lists it as corrupt instead of failing.
    let o = backout(home.path(), &["sessions"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("corrupt"), "{}", stdout(&o));
}
