//! A drill of a team's HTTP-API rollback runbook with no front matter of ours
//! (`tests/runbooks/teams/blue-green-localhost-api.md`, written in the style of the shared
//! example `blue-green-http-api-rollback.md`), as an operator runs it
//! in tmux: without `--scenario` the drill plays `blue-green-api` (the simulated deploy
//! service) because the runbook's curl lines name a deploy API by a literal URL; the
//! intro says so; the runbook's rollback block (`curl -X POST <literal>/deployment/rollback`)
//! runs through the console against the simulator's deploy service, previewed from its
//! status; the journal and the report say the service switched back, and where the
//! request went (docs/drills.md, "A runbook that rolls back through a deploy service").

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::Tmux;
use support::{poll, session_files};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/runbooks/teams/blue-green-localhost-api.md"
);

/// The journal's records as written so far.
fn journal(home: &Path) -> Vec<serde_json::Value> {
    session_files::journal(home)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn entries(records: &[serde_json::Value], kind: &str) -> Vec<serde_json::Value> {
    records
        .iter()
        .map(|r| r["entry"].clone())
        .filter(|e| e["type"] == kind)
        .collect()
}

/// Polls the journal on disk (its newest state) until `pred` holds.
fn wait_journal(t: &Tmux, home: &Path, what: &str, pred: impl Fn(&[serde_json::Value]) -> bool) {
    poll::until(what, || {
        let records = journal(home);
        if pred(&records) {
            Ok(())
        } else {
            Err(format!("{}\n{records:#?}", t.screen()))
        }
    });
}

#[test]
fn a_literal_url_runbook_drills_against_the_simulated_deploy_service() {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::drill(
        "drill-http-api",
        150,
        45,
        home.path(),
        &format!("--runbook {EXAMPLE} --speed 20 --verify-speed 30"),
    );
    let intro = t.wait_for("Drill: blue-green-api");
    assert!(
        intro.contains("This runbook rolls back through its deploy API (http://localhost:8080)"),
        "{intro}"
    );
    t.close_intro();
    // The deploy service switches traffic to green.
    wait_journal(&t, home.path(), "the scenario's switch to green", |r| {
        !entries(r, "drill_event").is_empty()
    });
    // Step #2 (the quick reference's rollback), below the first.
    t.keys(&["j"]);
    t.wait_until("step #2 selected", |s| {
        s.contains("› $  #2 Immediate rollback")
    });
    t.keys(&["r"]);
    let confirm = t.wait_until_within("the typed confirmation", Duration::from_secs(60), |s| {
        s.contains("Type rollback to send POST /deployment/rollback")
    });
    assert!(
        confirm.contains("curl -X POST http://localhost:8080/deployment/rollback"),
        "the line as written: {confirm}"
    );
    assert!(
        confirm.contains("Before: storefront: green (5.1.0) is serving"),
        "{confirm}"
    );
    t.type_text("rollback");
    t.keys(&["Enter"]);
    wait_journal(&t, home.path(), "the rollback's outcome", |r| {
        !entries(r, "cluster_action_finished").is_empty()
    });
    let records = journal(home.path());
    let finished = entries(&records, "cluster_action_finished");
    assert_eq!(finished[0]["ok"], true, "{finished:?}");
    assert_eq!(finished[0]["outcome"], "200 OK; now blue (5.0.0)");
    let requested = entries(&records, "cluster_action_requested");
    let previewed = requested[0]["change"]["previewed"].as_str().unwrap_or("");
    assert!(
        previewed.starts_with(
            "GET /deployment/status + preview of POST /deployment/rollback; \
             http://localhost:8080 bound to the drill's deploy service https://127.0.0.1:"
        ),
        "{previewed}"
    );
    assert_eq!(
        requested[0]["action"],
        "curl -X POST http://localhost:8080/deployment/rollback"
    );
    let started = entries(&records, "command_started");
    assert!(
        started.iter().any(|e| e["command"]
            .as_str()
            .is_some_and(|c| c.starts_with("natively (deploy API): "))),
        "{started:?}"
    );

    t.keys(&["Q"]);
    t.wait_for("Close the session and quit?");
    t.keys(&["y"]);
    t.wait_for("Drill scorecard — blue-green-api");
    t.quit();

    // The report: the change, green → blue, and where the request went.
    let md = session_files::report(home.path());
    assert!(md.contains("green (5.1.0) → blue (5.0.0)"), "{md}");
    assert!(
        md.contains("http://localhost:8080 bound to the drill's deploy service"),
        "{md}"
    );
}
