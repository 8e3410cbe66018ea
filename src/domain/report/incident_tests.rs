//! Issue 14 point 8: the report tells the incident — changes made (from → to, via, who
//! confirmed, previewed, followed), the impact window, the decisions, and the common
//! incident-report template — built from journal entries as the shared contract defines
//! them (written concurrently by the console's other features).

use super::tests::{ALICE, journal};
use super::*;
use crate::domain::journal::testing::t0;
use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::runbook::StepId;
use crate::domain::verify::Verdict;
use chrono::Duration;

const BOB: &str = "bob@bastion";

const UNDO: &str = "kubectl rollout undo deployment/web --context prod-eu -n shop";

fn verification(check: &str, verdict: Verdict, detail: &str) -> Entry {
    Entry::VerificationFinished {
        check: check.into(),
        passed: verdict == Verdict::Passed,
        detail: detail.into(),
        cut_short: None,
        outcome: Some(verdict),
    }
}

/// A live incident: the matrix fires SEV-2, alice declares SEV-1 with approval, chooses
/// option B, rolls back 1.6.0 → 1.5.2 from the Rollout pane (followed to the end), a
/// failing check measured before, a passing one after; a declined delete, a drafted
/// message posted by hand, the matrix back to none.
fn live_incident() -> Vec<Record> {
    journal(vec![
        (
            0,
            ALICE,
            Entry::SessionStarted {
                runbook_path: "runbooks/rollback.md".into(),
                runbook_sha256: "ab".repeat(32),
                title: "Rollback Runbook".into(),
                mode: "live".into(),
                host: "ops-laptop".into(),
            },
        ),
        (
            1,
            ALICE,
            Entry::ConnectionSet {
                kubeconfig: None,
                context: Some("prod-eu".into()),
                namespace: Some("shop".into()),
                deployment: Some("web".into()),
                prometheus_url: None,
                theme: None,
                read_only: false,
                source: "inferred".into(),
            },
        ),
        (
            60,
            ALICE,
            Entry::SeverityChanged {
                from: None,
                to: Some("SEV-2".into()),
                rule: Some("error_rate > 0.05".into()),
            },
        ),
        (
            70,
            ALICE,
            verification(
                "errors",
                Verdict::Failed,
                "sample 1 at 0s: error_rate = 0.31 (limit: error_rate < 0.02)",
            ),
        ),
        (
            120,
            ALICE,
            Entry::SeverityDeclared {
                severity: "SEV-1".into(),
                reason: "checkout failing for all EU customers".into(),
                row: Some("error rate > 10%".into()),
                rto_secs: Some(900),
                by: ALICE.into(),
            },
        ),
        (
            150,
            ALICE,
            Entry::ApprovalRecorded {
                severity: "SEV-1".into(),
                approver: "carol (VP eng)".into(),
                deferred: false,
                by: ALICE.into(),
            },
        ),
        (
            170,
            ALICE,
            Entry::AlternativeChosen {
                group: "alt-1".into(),
                member: "B".into(),
                title: "Roll back to the previous revision".into(),
                previous: None,
                by: ALICE.into(),
            },
        ),
        (
            180,
            ALICE,
            Entry::CommandDeclined {
                step: StepId(6),
                command: "kubectl delete deployment/web -n shop".into(),
            },
        ),
        (
            200,
            ALICE,
            Entry::ClusterActionRequested {
                action: UNDO.into(),
                target: "prod-eu/shop/web".into(),
                change: Some(ChangeDetail {
                    via: Some("rollout pane".into()),
                    from_revision: Some(3),
                    to_revision: Some(2),
                    from_image: Some("registry.example/web:1.6.0".into()),
                    to_image: Some("registry.example/web:1.5.2".into()),
                    confirmed_by: Some(ALICE.into()),
                    previewed: Some("server dry-run + diff".into()),
                }),
            },
        ),
        (
            202,
            ALICE,
            Entry::ClusterActionFinished {
                action: UNDO.into(),
                outcome: "deployment.apps/web rolled back".into(),
                ok: true,
            },
        ),
        (
            290,
            ALICE,
            Entry::ClusterActionFinished {
                action: UNDO.into(),
                outcome:
                    "deployment.apps/web rolled back; deployment \"web\" successfully rolled out"
                        .into(),
                ok: true,
            },
        ),
        (
            300,
            BOB,
            Entry::StepSkipped {
                step: StepId(8),
                title: "Scale up".into(),
                reason: "not needed after the rollback".into(),
            },
        ),
        (
            320,
            ALICE,
            Entry::MessageDrafted {
                key: "m1".into(),
                template: "rollback_notification".into(),
                text: "Rolled back web to 1.5.2".into(),
                saved_to: "messages/m1.txt".into(),
            },
        ),
        (
            330,
            ALICE,
            Entry::MessagePostedByHand {
                key: "m1".into(),
                where_: "#incidents".into(),
                by: ALICE.into(),
            },
        ),
        (
            600,
            ALICE,
            verification(
                "errors",
                Verdict::Passed,
                "16 samples passed; last: error_rate = 0.004",
            ),
        ),
        (
            660,
            ALICE,
            Entry::SeverityChanged {
                from: Some("SEV-2".into()),
                to: None,
                rule: None,
            },
        ),
        (700, ALICE, Entry::SessionClosed),
    ])
}

fn report(records: &[Record]) -> Report {
    build(&Progress::replay(records), records, None)
}

#[test]
fn the_change_is_told_from_to_with_who_and_how() {
    let r = report(&live_incident());
    let [declined, undo] = r.changes.as_slice() else {
        panic!("{:#?}", r.changes)
    };
    assert_eq!(undo.path, ChangePath::ClusterAction);
    assert_eq!(
        undo.from_to().as_deref(),
        Some("revision 3 (registry.example/web:1.6.0) → revision 2 (registry.example/web:1.5.2)")
    );
    assert_eq!(undo.via.as_deref(), Some("rollout pane"));
    assert_eq!(undo.confirmed_by.as_deref(), Some(ALICE));
    assert_eq!(undo.previewed.as_deref(), Some("server dry-run + diff"));
    assert_eq!(undo.ok, Some(true));
    assert_eq!(undo.rollout_followed, Some(true));
    assert_eq!(declined.outcome.as_deref(), Some("not run (declined)"));
    assert_eq!(
        declined.summary.as_deref(),
        Some("delete deployment/web"),
        "{declined:?}"
    );
}

#[test]
fn the_impact_window_runs_from_the_first_severity_to_recovery() {
    let r = report(&live_incident());
    let i = r.impact.as_ref().expect("impact");
    assert_eq!(i.started_at, t0() + Duration::seconds(60));
    assert_eq!(i.trigger, "SEV-2 decided by the matrix (error_rate > 0.05)");
    assert_eq!(i.peak_severity.as_deref(), Some("SEV-1"));
    assert_eq!(i.recovered_at, Some(t0() + Duration::seconds(600)));
    assert_eq!(
        i.recovered_by.as_deref(),
        Some("verification errors passed")
    );
    assert_eq!(i.duration_secs, 540);
    assert_eq!(i.mitigated_at, Some(t0() + Duration::seconds(200)));
    assert_eq!(i.customer_facing_secs, 140);
    assert_eq!(i.peak_values.get("error_rate"), Some(&0.31));
}

#[test]
fn a_rollback_never_followed_to_the_end_says_so_and_does_not_mitigate() {
    let mut entries: Vec<(i64, &str, Entry)> = vec![
        (
            0,
            ALICE,
            Entry::SeverityDeclared {
                severity: "SEV-2".into(),
                reason: "latency".into(),
                row: None,
                rto_secs: None,
                by: ALICE.into(),
            },
        ),
        (
            10,
            ALICE,
            Entry::ClusterActionRequested {
                action: UNDO.into(),
                target: "prod-eu/shop/web".into(),
                change: None,
            },
        ),
    ];
    entries.push((
        12,
        ALICE,
        Entry::ClusterActionFinished {
            action: UNDO.into(),
            outcome: "deployment.apps/web rolled back".into(),
            ok: true,
        },
    ));
    entries.push((100, ALICE, Entry::SessionClosed));
    let r = report(&journal(entries));
    assert_eq!(r.changes[0].rollout_followed, Some(false));
    assert_eq!(r.changes[0].from_to(), None, "an old journal: not known");
    let i = r.impact.expect("impact");
    assert_eq!((i.mitigated_at, i.recovered_at), (None, None));
    assert_eq!((i.duration_secs, i.customer_facing_secs), (100, 100));
    let md = to_markdown(&report(&journal(vec![(0, ALICE, Entry::SessionClosed)])));
    assert!(md.contains("No change was made to the cluster."), "{md}");
    assert!(md.contains("No impact was recorded"), "{md}");
}

#[test]
fn decisions_carry_their_reasons() {
    let r = report(&live_incident());
    let lines: Vec<(DecisionKind, &str, Option<&str>)> = r
        .decisions
        .iter()
        .map(|d| (d.kind, d.decision.as_str(), d.reason.as_deref()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                DecisionKind::SeverityDeclared,
                "declared SEV-1",
                Some("checkout failing for all EU customers; row: error rate > 10%; RTO 15m")
            ),
            (
                DecisionKind::Approval,
                "SEV-1 approved by carol (VP eng)",
                None
            ),
            (
                DecisionKind::AlternativeChosen,
                "chose B \"Roll back to the previous revision\" in alt-1",
                None
            ),
            (
                DecisionKind::CommandDeclined,
                "declined to run kubectl delete deployment/web -n shop in #7",
                None
            ),
            (
                DecisionKind::StepSkipped,
                "skipped #9 \"Scale up\"",
                Some("not needed after the rollback")
            ),
        ]
    );
    assert_eq!(r.decisions[4].by, BOB);
}

#[test]
fn the_session_is_named_by_title_and_target_and_follows_the_template() {
    let r = report(&live_incident());
    assert_eq!(r.target.as_deref(), Some("prod-eu/shop/web"));
    assert_eq!(r.schema_version, SCHEMA_VERSION);
    let s = &r.incident;
    assert_eq!(s.affected_services, ["prod-eu/shop/web"]);
    assert_eq!(
        s.rollback_method.as_deref(),
        Some("kubectl rollout undo deployment/web --context prod-eu -n shop (via rollout pane)")
    );
    assert_eq!((s.root_cause.as_ref(), s.prevention.as_ref()), (None, None));
    let messages: Vec<String> = r.messages.iter().map(|m| m.status.describe()).collect();
    assert_eq!(
        messages,
        ["posted by hand in #incidents (confirmed by alice@ops-laptop)"]
    );
    insta::assert_snapshot!(to_markdown(
        &r.with_session_id("20261122-015203-rollback-runbook-9c1d")
    ));
}

#[test]
fn the_json_carries_the_same_sections() {
    let r = report(&live_incident());
    let v = serde_json::to_value(&r).expect("serializes");
    assert_eq!(v["schema_version"], SCHEMA_VERSION);
    assert_eq!(v["target"], "prod-eu/shop/web");
    assert_eq!(v["changes"][1]["from_revision"], 3);
    assert_eq!(v["changes"][1]["to_image"], "registry.example/web:1.5.2");
    assert_eq!(v["changes"][1]["path"], "cluster_action");
    assert_eq!(v["impact"]["customer_facing_secs"], 140);
    assert_eq!(v["decisions"][0]["kind"], "severity_declared");
    assert_eq!(v["incident"]["root_cause"], serde_json::Value::Null);
    assert_eq!(v["verification"][0]["result"], "failed");
    assert_eq!(v["messages"][0]["status"]["status"], "posted_by_hand");
}

#[test]
fn a_step_whose_kubectl_line_ran_natively_is_one_change_not_two() {
    let line = "kubectl rollout undo deployment/web -n shop";
    let records = journal(vec![
        (
            0,
            ALICE,
            Entry::CommandStarted {
                step: StepId(3),
                run: 1,
                command: line.into(),
            },
        ),
        (
            1,
            ALICE,
            Entry::ClusterActionRequested {
                action: UNDO.into(),
                target: "prod-eu/shop/web".into(),
                change: Some(ChangeDetail {
                    via: Some("step #4".into()),
                    ..ChangeDetail::default()
                }),
            },
        ),
        (
            5,
            ALICE,
            Entry::CommandFinished {
                step: StepId(3),
                run: 1,
                exit_code: Some(0),
                duration_ms: 4000,
                cancelled: false,
            },
        ),
        (
            9,
            ALICE,
            Entry::CommandStarted {
                step: StepId(5),
                run: 2,
                command: "helm rollback web 3".into(),
            },
        ),
    ]);
    let r = report(&records);
    let rows: Vec<(ChangePath, Option<&str>)> = r
        .changes
        .iter()
        .map(|c| (c.path, c.via.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            (ChangePath::ClusterAction, Some("step #4")),
            (ChangePath::Command, Some("step #6")),
        ]
    );
    assert_eq!(
        r.changes[1].summary.as_deref(),
        Some("helm rollback web → revision 3")
    );
}
