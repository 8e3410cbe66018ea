//! `backout report` of a live session that tells an incident, as the real binary writes it
//! (issue 14 point 8): the Markdown names the session by title and target and shows the
//! change from → to, the impact window and the decisions; `report -o json` carries the
//! same, every object with exactly the fields docs/report.md documents (the schema check),
//! and `sessions` names the session by title and target too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

use backout::domain::journal::{ChangeDetail, Entry};
use backout::domain::runbook::StepId;
use backout::domain::verify::Verdict;
use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;

#[path = "common/backout_cli.rs"]
mod backout_cli;

use backout_cli::{backout, create_session, doc_field_table};

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

const UNDO: &str = "kubectl rollout undo deployment/web --context prod-eu -n shop";

/// Every kind of record a report section reads, as the console writes them.
fn seed(home: &Path) -> String {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 1, 52, 3).unwrap();
    let mut new = create_session(
        home,
        "/srv/runbooks/rollback.md",
        b"# Rollback Runbook\n\n## Roll back\n\n- [ ] Page on-call\n",
        "Rollback Runbook",
        "live",
        "alice@ops",
        t0,
    );
    let entries = [
        (
            1,
            Entry::ConnectionSet {
                kubeconfig: None,
                context: Some("prod-eu".into()),
                namespace: Some("shop".into()),
                deployment: Some("web".into()),
                prometheus_url: None,
                theme: None,
                read_only: false,
                source: "flags".into(),
            },
        ),
        (
            5,
            Entry::PhaseEntered {
                phase: 0,
                title: "Roll back".into(),
            },
        ),
        (
            30,
            Entry::SeverityChanged {
                from: None,
                to: Some("SEV-2".into()),
                rule: Some("error_rate > 0.05".into()),
            },
        ),
        (
            60,
            Entry::SeverityDeclared {
                severity: "SEV-1".into(),
                reason: "checkout down in the EU".into(),
                row: None,
                rto_secs: Some(900),
                by: "alice@ops".into(),
            },
        ),
        (
            70,
            Entry::ApprovalRecorded {
                severity: "SEV-1".into(),
                approver: "carol".into(),
                deferred: true,
                by: "alice@ops".into(),
            },
        ),
        (
            80,
            Entry::AlternativeChosen {
                group: "alt-1".into(),
                member: "A".into(),
                title: "Roll back with kubectl".into(),
                previous: None,
                by: "alice@ops".into(),
            },
        ),
        (
            90,
            Entry::StepTicked {
                step: StepId(0),
                title: "Page on-call".into(),
            },
        ),
        (
            95,
            Entry::NoteAdded {
                text: "EU only".into(),
                step: None,
            },
        ),
        (
            100,
            Entry::ClusterActionRequested {
                action: UNDO.into(),
                target: "prod-eu/shop/web".into(),
                change: Some(ChangeDetail {
                    via: Some("rollout pane".into()),
                    from_revision: Some(7),
                    to_revision: Some(6),
                    from_image: Some("shop/web:1.6.0".into()),
                    to_image: Some("shop/web:1.5.2".into()),
                    confirmed_by: Some("alice@ops".into()),
                    previewed: Some("server dry-run + diff".into()),
                }),
            },
        ),
        (
            101,
            Entry::ClusterActionFinished {
                action: UNDO.into(),
                outcome: "deployment.apps/web rolled back".into(),
                ok: true,
            },
        ),
        (
            160,
            Entry::ClusterActionFinished {
                action: UNDO.into(),
                outcome:
                    "deployment.apps/web rolled back; deployment \"web\" successfully rolled out"
                        .into(),
                ok: true,
            },
        ),
        (
            170,
            Entry::CommandStarted {
                step: StepId(0),
                run: 1,
                command: "kubectl scale deployment/web --replicas=6 -n shop".into(),
            },
        ),
        (
            171,
            Entry::CommandFinished {
                step: StepId(0),
                run: 1,
                exit_code: Some(0),
                duration_ms: 800,
                cancelled: false,
            },
        ),
        (
            180,
            Entry::StepSkipped {
                step: StepId(1),
                title: "Freeze deploys".into(),
                reason: "already frozen".into(),
            },
        ),
        (
            200,
            Entry::VerificationStarted {
                check: "errors".into(),
                description: "error_rate < 0.02".into(),
                window_secs: Some(300),
            },
        ),
        (
            500,
            Entry::VerificationFinished {
                check: "errors".into(),
                passed: true,
                detail: "11 samples passed; last: error_rate = 0.004".into(),
                cut_short: None,
                outcome: Some(Verdict::Passed),
            },
        ),
        (
            510,
            Entry::MessageQueued {
                key: "k1".into(),
                sink: "outbox".into(),
                template: "all_clear".into(),
                text: "All clear".into(),
            },
        ),
        (
            511,
            Entry::MessageDelivered {
                key: "k1".into(),
                sink: "outbox".into(),
                attempts: 1,
                detail: "written".into(),
            },
        ),
        (
            520,
            Entry::SessionResumed {
                host: "bastion".into(),
            },
        ),
        // Auto-sync turned off (the auto-sync guard) and never back on: a follow-up.
        (
            580,
            Entry::ClusterActionRequested {
                action: "argocd app set web --sync-policy none".into(),
                target: "argocd/web".into(),
                change: Some(ChangeDetail {
                    via: Some(
                        "auto-sync guard, before: kubectl rollout undo deployment/web".into(),
                    ),
                    confirmed_by: Some("alice@ops".into()),
                    previewed: Some("Argo CD application spec".into()),
                    ..ChangeDetail::default()
                }),
            },
        ),
        (
            581,
            Entry::ClusterActionFinished {
                action: "argocd app set web --sync-policy none".into(),
                outcome: "auto-sync turned off on web".into(),
                ok: true,
            },
        ),
        (600, Entry::SessionClosed),
    ];
    for (secs, entry) in entries {
        new.journal
            .append_at(t0 + Duration::seconds(secs), "alice@ops", entry)
            .unwrap();
    }
    new.dir.id
}

/// docs/report.md's schema table: object path → fields.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    doc_field_table("docs/report.md", "| object | fields |")
}

#[test]
fn the_json_report_has_exactly_the_documented_fields_and_version() {
    let home = tempfile::tempdir().unwrap();
    seed(home.path());
    let v: Value = serde_json::from_str(&stdout(&backout(home.path(), &["report", "-o", "json"])))
        .expect("json");
    assert_eq!(v["schema_version"], 2);
    let docs = documented();
    assert!(docs.len() >= 15, "{docs:?}");
    for (path, fields) in &docs {
        let object = if path == "IncidentReport" {
            v.clone()
        } else if let Some(array) = path.strip_suffix("[]") {
            v[array][0].clone()
        } else {
            v[path.as_str()].clone()
        };
        let keys: BTreeSet<String> = object
            .as_object()
            .unwrap_or_else(|| panic!("{path}: an object in the seeded report: {object}"))
            .keys()
            .filter(|k| path != "IncidentReport" || (*k != "apiVersion" && *k != "kind"))
            .cloned()
            .collect();
        assert_eq!(&keys, fields, "fields of {path} differ from docs/report.md");
    }
    // The same sections as the Markdown, with their values.
    assert_eq!(v["target"], "prod-eu/shop/web");
    assert_eq!(v["changes"][0]["from_image"], "shop/web:1.6.0");
    assert_eq!(v["changes"][0]["to_revision"], 6);
    assert_eq!(v["changes"][0]["rollout_followed"], true);
    assert_eq!(v["changes"][1]["path"], "command");
    assert_eq!(v["changes"][1]["summary"], "scale deployment/web to 6");
    assert_eq!(v["impact"]["duration_secs"], 470);
    assert_eq!(v["impact"]["customer_facing_secs"], 70);
    assert_eq!(v["decisions"][1]["kind"], "approval");
    assert_eq!(v["verification"][0]["result"], "passed");
}

#[test]
fn the_markdown_report_tells_the_incident_and_sessions_name_it() {
    let home = tempfile::tempdir().unwrap();
    let id = seed(home.path());
    let md = stdout(&backout(home.path(), &["report"]));
    for want in [
        "# Incident report: Rollback Runbook — prod-eu/shop/web",
        "| Revision rolled back | revision 7 (shop/web:1.6.0) → revision 6 (shop/web:1.5.2) |",
        "| Rollback method | kubectl rollout undo deployment/web --context prod-eu -n shop (via rollout pane) |",
        "| Root cause | _to be filled in by the team_ |",
        "## Changes made",
        "| prod-eu/shop/web | revision 7 (shop/web:1.6.0) → revision 6 (shop/web:1.5.2) | rollout pane | alice@ops | server dry-run + diff |",
        "| followed to the end |",
        "scale deployment/web to 6: `kubectl scale deployment/web --replicas=6 -n shop`",
        "- Began: 2026-11-22 01:52:33Z — SEV-2 decided by the matrix (error_rate > 0.05)",
        "- Recovered: 2026-11-22 02:00:23Z — verification errors passed",
        "- Customer-facing: 1m10s (until the rollback at 2026-11-22 01:53:43Z)",
        "| declared SEV-1 | checkout down in the EU; RTO 15m |",
        "| SEV-1 approval by carol: approve after (deferred) |",
        "| chose A \"Roll back with kubectl\" in alt-1 |",
        "## Prevention",
    ] {
        assert!(md.contains(want), "missing {want:?} in:\n{md}");
    }
    let sessions = stdout(&backout(home.path(), &["sessions"]));
    let line = sessions
        .lines()
        .find(|l| l.starts_with(&id))
        .unwrap_or_else(|| panic!("{sessions}"));
    assert!(
        line.contains("Rollback Runbook") && line.contains("prod-eu/shop/web"),
        "{sessions}"
    );
}
