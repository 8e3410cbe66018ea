//! End to end, verification: the real binary in tmux against the in-process simulator
//! running `bad-deploy`. The operator starts the health check while the bad release runs:
//! it fails at once and says why, and the next-moves popup's "undo further" opens the
//! Rollout pane's undo. After the rollback the health, pods and rollout checks pass over a
//! five-minute window compressed 30 times, the check steps are ticked, and `backout report`
//! has the Verification section with both windows.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::session_files::{bin, report};
use support::tmux::Tmux;

/// The procedure both runbooks share, under their front matter.
const PROCEDURE: &str = r#"# Checkout rollback

## Roll back

- [ ] Undo the release in the Rollout pane

## Verify

- [ ] Customers can check out

## Communicate

- [ ] Post the all-clear
"#;

/// A runbook of `front` (front matter, without its `---` lines) and [`PROCEDURE`].
fn runbook_text(front: &str) -> String {
    format!("---\n{front}---\n{PROCEDURE}")
}

const RUNBOOK_FRONT: &str = r#"target: { context: backout-sim, namespace: checkout, deployment: checkout-api }
verify:
  - name: health
    http: { url: "{sim}/sim/health/checkout/checkout", json_pointer: /status, equals: ok, max_latency: 5s }
    window: 5m
    every: 30s
  - { name: pods, pods: { image: "1.5.0" }, window: 5m, every: 1m }
  - { name: rollout, rollout: {} }
"#;

#[test]
fn a_failed_check_leads_to_the_undo_and_the_checks_then_pass() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("checkout.md");
    std::fs::write(
        &runbook,
        runbook_text(RUNBOOK_FRONT).replace("{sim}", &sim.handle().url()),
    )
    .expect("runbook");
    let ca = home.path().join("ca.pem");
    std::fs::write(&ca, sim.handle().ca_pem()).expect("ca");
    let t = Tmux::start(
        "verify",
        140,
        44,
        &[
            ("BACKOUT_HOME", home.path()),
            ("BACKOUT_VERIFY_CA_FILE", &ca),
            ("BACKOUT_VERIFY_TIME_SCALE", Path::new("30")),
        ],
        &format!(
            "{} {} --kubeconfig {}",
            bin(),
            runbook.display(),
            sim.kubeconfig.display()
        ),
    );
    t.wait_bad_release();

    // The health check fails at its first sample, and says why.
    t.keys(&["j", "j"]);
    t.wait_for("Step #3");
    t.keys(&["v"]);
    let s = t.wait_for("Verification failed");
    assert!(
        s.contains("sample 1 at ") && s.contains("HTTP 503 (limit: HTTP 200)"),
        "{s}"
    );
    assert!(
        s.contains("Undo further") && s.contains("Keep watching"),
        "{s}"
    );

    // Undo further: the Rollout pane's undo, with its typed confirmation.
    t.keys(&["u"]);
    t.type_deployment_name("checkout-api");
    t.wait_for("*  5 1.5.0");
    t.wait_rollback_completed("the rollback completed");

    // Every check, again (focus back on the procedure, from the Rollout pane: Shift-Tab,
    // since Tab now also stops at the Pods and Events panes): they pass over the
    // (compressed) window and tick their steps.
    t.keys(&["BTab"]);
    t.keys(&["v", "j", "v", "j", "v"]);
    t.wait_until("three check steps ticked", |s| {
        s.contains("Verify                                           3/4")
    });
    t.keys(&["k"]);
    let s = t.wait_for("✓ pods  passed (6 samples)");
    assert!(s.contains("4/4 ready on revision 5"), "{s}");
    t.quit();

    let report = report(home.path());
    let section = report
        .split("## Verification")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("a Verification section:\n{report}"));
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 4, "{section}");
    assert!(
        rows[0].starts_with("| `health`") && rows[0].contains("| **failed** |"),
        "{section}"
    );
    assert!(rows[0].contains("HTTP 503 (limit: HTTP 200)"), "{section}");
    for row in &rows[1..] {
        assert!(row.contains("| passed |"), "{section}");
    }
}

/// A PromQL check in a console with no Prometheus: the runbook names its query but no
/// source, and no `--prometheus-url` is given.
const NO_PROMETHEUS_FRONT: &str = r#"target: { context: backout-sim, namespace: checkout, deployment: checkout-api }
metrics: { queries: { error_rate: "sum(rate(http_requests_total{code=~\"5..\"}[2m]))" } }
verify:
  - { name: errors, promql: "error_rate < 0.02" }
"#;

#[test]
fn a_check_without_a_metrics_source_could_not_verify_and_offers_no_undo() {
    let sim = Sim::drill("bad-deploy", 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("checkout.md");
    std::fs::write(&runbook, runbook_text(NO_PROMETHEUS_FRONT)).expect("runbook");
    let t = Tmux::start(
        "noprom",
        140,
        44,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "env -u PROMETHEUS_URL {} {} --kubeconfig {}",
            bin(),
            runbook.display(),
            sim.kubeconfig.display()
        ),
    );
    t.wait_for("*  4 1.6.0");
    t.keys(&["j", "j"]);
    t.wait_for("Step #3");
    t.keys(&["v"]);
    let s = t.wait_for("Could not verify");
    assert!(s.contains("no metrics source"), "{s}");
    assert!(s.contains("--prometheus-url"), "{s}");
    assert!(s.contains("run the check by hand"), "{s}");
    assert!(!s.contains("Verification failed"), "{s}");
    assert!(!s.contains("Undo further"), "{s}");
    t.keys(&["Escape"]);
    let s = t.wait_until("the notice closed", |s| !s.contains("Could not verify"));
    assert!(s.contains("? errors  could not verify"), "{s}");
    t.quit();

    let report = report(home.path());
    assert!(
        report.contains("| `errors`: error_rate < 0.02 | could not verify |"),
        "{report}"
    );
    assert!(!report.contains("**failed**"), "{report}");
}
