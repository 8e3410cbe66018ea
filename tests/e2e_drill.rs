//! End to end: `backout drill` as the real binary in tmux, driven with keystrokes from the
//! intro to the scorecard, then `backout drills --format json` shows the drill with its
//! timings.
//!
//! Scenarios are rows of [`CASES`]: the scenario, its speed, the deployment the Rollout
//! pane undoes, and the checklist keys that work its verification and communication
//! phases. Add a row to drive another scenario through the same flow.

mod support;

use std::path::Path;
use std::time::Duration;

use support::tmux::Tmux;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_backout")
}

/// How the team rolls back in a scenario.
enum Rollback {
    /// Undo from the Rollout pane with the typed confirmation of this deployment name.
    UndoFromRolloutPane { deployment: &'static str },
}

struct Case {
    scenario: &'static str,
    speed: &'static str,
    /// The severity the matrix reaches.
    severity: &'static str,
    /// Whether the team acknowledges it (`A`); without, detection is never timed and the
    /// drill cannot pass.
    acknowledge: bool,
    rollback: Rollback,
    /// Keys (tmux names) that work the checklist after the rollout completes.
    checklist: &'static [&'static str],
    /// Seen in the procedure once the checklist keys are in (e.g. a phase's `7/7`).
    checklist_done: &'static str,
    passes: bool,
}

/// `deployment-rollback.md`: `]` `]` jumps to "3. Verify recovery" (7 steps), tick and move
/// seven times, then tick the first step of "4. Communicate".
const BAD_DEPLOY_CHECKLIST: &[&str] = &[
    "]", "]", "x", "j", "x", "j", "x", "j", "x", "j", "x", "j", "x", "j", "x", "j", "x",
];

/// `search-latency-rollback.md`: four verification steps, then the first communication
/// step.
const FOUR_VERIFY_STEPS: &[&str] = &["]", "]", "x", "j", "x", "j", "x", "j", "x", "j", "x"];

const CASES: &[Case] = &[
    Case {
        scenario: "latency-regression",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "search-api",
        },
        checklist: FOUR_VERIFY_STEPS,
        checklist_done: "4/4",
        passes: true,
    },
    Case {
        scenario: "bad-deploy",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        checklist: BAD_DEPLOY_CHECKLIST,
        checklist_done: "7/7",
        passes: true,
    },
    Case {
        scenario: "bad-deploy",
        speed: "20",
        severity: "SEV-1",
        acknowledge: false,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        checklist: BAD_DEPLOY_CHECKLIST,
        checklist_done: "7/7",
        passes: false,
    },
];

/// The matrix's `for` windows run on the wall clock: SEV-1 holds a minute after the
/// errors climb, whatever the speed.
const SEVERITY_PATIENCE: Duration = Duration::from_secs(240);

fn run_case(case: &Case) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        &format!("drill-{}-{}", case.scenario, case.acknowledge),
        130,
        45,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "sh -c 'cd {} && {} drill --scenario {} --speed {}'",
            root.display(),
            bin(),
            case.scenario,
            case.speed
        ),
    );
    // The intro says what is about to happen; any key starts.
    t.wait_for(&format!("Drill: {}", case.scenario));
    t.wait_for("any key starts");
    t.keys(&["x"]);
    t.wait_until("the intro closed", |s| !s.contains("any key starts"));
    // The scenario acts (journaled as a drill event), then the matrix reaches the severity.
    t.wait_for("drill: ");
    t.wait_until_within("the severity to hold", SEVERITY_PATIENCE, |s| {
        s.contains("ack severity") && s.contains(case.severity)
    });
    if case.acknowledge {
        t.keys(&["A"]);
        t.wait_for(&format!("acknowledged severity {}", case.severity));
    }
    match case.rollback {
        Rollback::UndoFromRolloutPane { deployment } => {
            t.keys(&["Tab", "u"]);
            t.wait_for(&format!("Type the deployment name ({deployment})"));
            t.type_text(deployment);
            t.keys(&["Enter"]);
            t.wait_until_within("the rollout to complete", Duration::from_secs(120), |s| {
                s.contains("successfully rolled out")
            });
        }
    }
    t.keys(case.checklist);
    t.wait_for(case.checklist_done);
    // Finish: close the session, and the scorecard replaces the console.
    t.keys(&["Q"]);
    t.wait_for("Close the session and quit?");
    t.keys(&["y"]);
    let card = t.wait_for(&format!("Drill scorecard — {}", case.scenario));
    let verdict = if case.passes {
        "— PASSED"
    } else {
        "— NOT PASSED"
    };
    assert!(card.contains(verdict), "{card}");
    assert!(card.contains("Trend across 1 drill(s)"), "{card}");
    t.keys(&["q"]);
    t.wait_exit();

    let out = std::process::Command::new(bin())
        .args(["drills", "--format", "json"])
        .env("BACKOUT_HOME", home.path())
        .output()
        .expect("backout drills");
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 1, "{list:?}");
    let d = &list[0];
    assert_eq!(d["scenario"], case.scenario);
    assert_eq!(d["scorecard"]["passed"], case.passes, "{d}");
    assert_eq!(d["scorecard"]["severity"], case.severity);
    for (i, stage) in ["detect", "decide", "recover", "verify", "communicate"]
        .iter()
        .enumerate()
    {
        let s = &d["scorecard"]["stages"][i];
        assert_eq!(s["name"], *stage);
        let timed = *stage != "detect" || case.acknowledge;
        assert_eq!(s["secs"].as_f64().is_some(), timed, "{stage}: {d}");
    }
    if !case.acknowledge {
        let short = d["scorecard"]["shortfalls"].to_string();
        assert!(short.contains("detect: not reached"), "{d}");
    }
    assert!(
        d["scorecard"]["time_to_recover_secs"].as_f64().is_some(),
        "{d}"
    );
    // The session journal says it was a drill, and has the scenario's event.
    let sessions = home.path().join("sessions");
    let dir = std::fs::read_dir(&sessions)
        .expect("sessions")
        .next()
        .expect("a session")
        .expect("entry")
        .path();
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    assert!(journal.contains("\"mode\":\"drill\""), "{journal}");
    assert!(journal.contains("\"type\":\"drill_event\""), "{journal}");
    assert!(
        dir.join("kubeconfig").is_file(),
        "kubeconfig in the session"
    );
}

#[test]
fn drill_bad_deploy_from_the_intro_to_a_passing_scorecard() {
    let case = CASES
        .iter()
        .find(|c| c.scenario == "bad-deploy" && c.passes)
        .unwrap();
    run_case(case);
}

#[test]
fn drill_latency_regression_to_a_passing_scorecard() {
    run_case(
        CASES
            .iter()
            .find(|c| c.scenario == "latency-regression")
            .unwrap(),
    );
}

#[test]
fn drill_bad_deploy_without_acknowledging_the_severity_does_not_pass() {
    let case = CASES
        .iter()
        .find(|c| c.scenario == "bad-deploy" && !c.passes)
        .unwrap();
    run_case(case);
}
