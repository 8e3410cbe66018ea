//! `backout drill --report` and `backout drills`, run as the real binary against a
//! `BACKOUT_HOME` made for the test, with drill sessions journaled by hand; and the
//! argument handling of drills on a real cluster (refused before anything starts).

use std::path::Path;

use backout::adapters::session_store::SessionStore;
use backout::domain::journal::Entry;
use backout::domain::runbook::StepId;
use chrono::{DateTime, Duration, TimeZone, Utc};

#[path = "common/backout_cli.rs"]
mod backout_cli;

use backout_cli::{backout, create_session, stderr, stdout};

const RUNBOOK: &str = "---
backout: 1
rto: { SEV-1: 5m }
---
# Web rollback

## 1. Prepare (3 min)

- [ ] Incident declared

## 2. Execute the rollback (5 min)

- [ ] Rollout complete

## 3. Verify recovery (10 min)

- [ ] Error ratio under 1 %

## 4. Communicate

- [ ] Incident channel updated
";

/// A drill session: the bad release at +0 s, acknowledged at `detect`, rolled back and
/// worked through at a steady pace; `communicate` false leaves the last step undone.
fn drill(home: &Path, t0: DateTime<Utc>, mode: &str, detect: i64, communicate: bool) -> String {
    let mut new = create_session(
        home,
        "/srv/runbooks/web.md",
        RUNBOOK.as_bytes(),
        "Web rollback",
        mode,
        "ana@ops",
        t0,
    );
    let action = "kubectl rollout undo deployment/web".to_string();
    let mut entries = vec![
        (
            1,
            Entry::DrillEvent {
                what: "bad release 2.0 rolling out".into(),
            },
        ),
        (
            1 + detect,
            Entry::SeverityAcknowledged {
                severity: "SEV-1".into(),
            },
        ),
        (
            11 + detect,
            Entry::ClusterActionRequested {
                action: action.clone(),
                target: "sim/web/web".into(),
                change: None,
            },
        ),
        (
            41 + detect,
            Entry::ClusterActionFinished {
                action,
                outcome: "deployment \"web\" successfully rolled out".into(),
                ok: true,
            },
        ),
        (
            42 + detect,
            Entry::StepTicked {
                step: StepId(1),
                title: String::new(),
            },
        ),
        (
            62 + detect,
            Entry::StepTicked {
                step: StepId(2),
                title: String::new(),
            },
        ),
    ];
    if communicate {
        entries.push((
            72 + detect,
            Entry::StepTicked {
                step: StepId(3),
                title: String::new(),
            },
        ));
    }
    for (secs, e) in entries {
        new.journal
            .append_at(t0 + Duration::seconds(secs), "ana@ops", e)
            .unwrap();
    }
    std::fs::write(
        new.dir.path.join("drill.json"),
        r#"{"scenario":"bad-deploy","cluster":"simulator"}"#,
    )
    .unwrap();
    new.dir.id
}

#[test]
fn drills_on_an_empty_home_says_how_to_start() {
    let home = tempfile::tempdir().unwrap();
    let o = backout(home.path(), &["drills"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("No drills yet"), "{}", stdout(&o));
    let o = backout(home.path(), &["drills", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(
        v,
        serde_json::json!({"apiVersion": "backout/v1", "kind": "DrillList", "items": []})
    );
}

#[test]
fn reported_drills_are_kept_and_listed_with_their_timings_and_trend() {
    let home = tempfile::tempdir().unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 8, 1, 9, 0, 0).unwrap();
    let first = drill(home.path(), t0, "drill", 120, true);
    let second = drill(home.path(), t0 + Duration::days(30), "drill", 50, false);

    let o = backout(home.path(), &["drill", "--report", &first]);
    assert!(
        o.status.success(),
        "a passing drill exits 0: {}",
        stderr(&o)
    );
    let card = stdout(&o);
    assert!(
        card.contains("PASSED") && card.contains("bad-deploy"),
        "{card}"
    );
    assert!(
        card.lines()
            .any(|l| l.starts_with("detect") && l.split_whitespace().nth(1) == Some("2m")),
        "detect took two minutes:\n{card}"
    );
    // The latest drill by default; it did not communicate, so it did not pass.
    let o = backout(home.path(), &["drill", "--report"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains(&second), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("communicate: not reached"),
        "{}",
        stdout(&o)
    );

    let o = backout(home.path(), &["drills", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let list: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(list["kind"], "DrillList");
    let list = list["items"].as_array().expect("an array of items");
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["session"], first.as_str(), "oldest first");
    assert_eq!(list[1]["session"], second.as_str());
    let secs = |i: usize, stage: usize| list[i]["scorecard"]["stages"][stage]["secs"].as_f64();
    assert_eq!(secs(0, 0), Some(120.0), "detect of the first drill");
    assert_eq!(secs(1, 0), Some(50.0), "detect of the second drill");
    assert_eq!(secs(0, 2), Some(30.0), "recover");
    assert_eq!(list[0]["scorecard"]["passed"], true);
    assert_eq!(list[1]["scorecard"]["passed"], false);
    assert_eq!(
        list[1]["scorecard"]["stages"][4]["secs"],
        serde_json::Value::Null
    );

    let o = backout(home.path(), &["drills"]);
    let table = stdout(&o);
    assert!(
        table.contains("2026-08-01 09:00") && table.contains("2026-08-31 09:00"),
        "{table}"
    );
    assert!(
        table.contains("trend") && table.contains("−1m10s"),
        "detect improved:\n{table}"
    );

    let o = backout(home.path(), &["drills", "--format", "md"]);
    let md = stdout(&o);
    assert!(md.starts_with("# Rollback drills"), "{md}");
    assert!(md.contains("2 drill(s), 1 passed."), "{md}");
    assert!(
        md.contains("| 2026-08-01 09:00 | bad-deploy | pass | 2m |"),
        "{md}"
    );
    assert!(md.contains("- detect: −1m10s"), "{md}");
}

#[test]
fn a_simulated_drill_is_not_resumed_into_a_console_without_its_cluster() {
    let home = tempfile::tempdir().unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 8, 1, 9, 0, 0).unwrap();
    let id = drill(home.path(), t0, "drill", 10, false);
    let o = backout(home.path(), &["resume", &id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("is a drill on the simulator"), "{err}");
    assert!(
        err.contains(&format!("backout drill --report {id}")),
        "{err}"
    );
    // Nothing was written: the journal still ends where the drill left it.
    let o = backout(home.path(), &["drill", "--report", &id]);
    assert!(stdout(&o).contains("Drill scorecard"), "{}", stdout(&o));
    let dir = SessionStore::at(home.path()).open(&id).unwrap();
    let text = std::fs::read_to_string(dir.path.join("journal.jsonl")).unwrap();
    assert!(text.contains("drill_event"), "{text}");
    assert!(!text.contains("session_resumed"), "{text}");

    // Without its drill.json it is still a drill, and still not resumed.
    std::fs::remove_file(dir.path.join("drill.json")).unwrap();
    let o = backout(home.path(), &["resume", &id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a drill on the simulator"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_live_session_has_no_scorecard() {
    let home = tempfile::tempdir().unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 8, 1, 9, 0, 0).unwrap();
    let live = drill(home.path(), t0, "live", 10, true);
    let o = backout(home.path(), &["drill", "--report", &live]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a drill"), "{}", stderr(&o));
    let o = backout(home.path(), &["drill", "--report"]);
    assert!(
        stderr(&o).contains("no drill session yet"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_drill_on_a_real_cluster_needs_a_runbook_and_takes_no_scenario() {
    let home = tempfile::tempdir().unwrap();
    let o = backout(home.path(), &["drill", "--context", "staging"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("add --runbook FILE"), "{}", stderr(&o));
    let o = backout(
        home.path(),
        &[
            "drill",
            "--context",
            "staging",
            "--scenario",
            "bad-deploy",
            "--runbook",
            "x.md",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("drop --scenario"), "{}", stderr(&o));
    // Refused before anything started: no session was created.
    assert!(!home.path().join("sessions").exists());
}
