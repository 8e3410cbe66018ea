//! End to end: a team's runbook with no front matter (`tests/runbooks/teams/
//! options-a-to-d.md`, whose kubectl lines all name `deployment/gateway -n edge`) opened
//! with nothing but `KUBECONFIG` against the simulator running `gateway` in `edge`. The
//! console shows the target it read and the lines it read it from; Enter connects and the
//! cluster panes come up live. Quit; `backout resume` reconnects to the journaled
//! connection without asking again, on the same step and pane.

mod common;
mod support;

use common::Sim;
use support::session_files::{bin, corpus_runbook, session_dir};
use support::tmux::Tmux;

const GATEWAY: &str = r#"
name: gateway
namespace: edge
apps:
  - {name: gateway, replicas: 2, image: registry.example.com/gateway, history: ["1.8.3"], version: "1.9.0"}
"#;

#[test]
fn a_runbook_without_front_matter_finds_its_target_and_resume_keeps_it() {
    let sim = Sim::start(GATEWAY, 1.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = corpus_runbook(home.path(), "options-a-to-d.md");
    let env = [
        ("BACKOUT_HOME", home.path()),
        ("KUBECONFIG", sim.kubeconfig.as_path()),
    ];
    let t = Tmux::backout_with("connect", &env, &runbook.display().to_string());
    // What was read, and from which lines, before anything connects.
    let s = t.wait_for("Connect to this target?");
    assert!(
        s.contains("deployment  gateway  (lines 16, 23, 24, 30, 40)"),
        "{s}"
    );
    assert!(
        s.contains("namespace   edge  (lines 8, 16, 23, 24, 30, 40)"),
        "{s}"
    );
    assert!(
        s.contains("cluster off: the runbook's target not confirmed"),
        "{s}"
    );
    t.keys(&["Enter"]);
    t.wait_for("Rollout deploy/gateway");
    t.wait_for("Pods 2");
    let s = t.wait_for("1.9.0");
    assert!(!s.contains("cluster off"), "{s}");
    // Work somewhere: the verification step (below the "Choose one" row of Options A–D),
    // then the Rollout pane.
    t.keys(&["j", "j"]);
    t.wait_for("Step #6");
    t.keys(&["Tab"]);
    t.wait_for("┏ Rollout deploy/gateway");
    t.quit();

    let dir = session_dir(home.path());
    // kubectl in shell steps follows the accepted target: the session's context overlay
    // names its namespace.
    let overlay = std::fs::read_to_string(dir.join("kubectl-context.yaml"))
        .expect("the kubectl context overlay");
    assert!(overlay.contains("namespace: \"edge\""), "{overlay}");
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    let connection = journal
        .lines()
        .find(|l| l.contains("\"connection_set\""))
        .unwrap_or_else(|| panic!("a ConnectionSet record:\n{journal}"));
    for field in [
        "\"deployment\":\"gateway\"",
        "\"namespace\":\"edge\"",
        "\"source\":\"inferred\"",
    ] {
        assert!(connection.contains(field), "{field} in {connection}");
    }

    let t = Tmux::backout_with("connect-resume", &env, "resume");
    t.wait_for("Rollout deploy/gateway");
    let s = t.wait_for("Pods 2");
    assert!(
        !s.contains("Connect to this target?"),
        "not asked again:\n{s}"
    );
    assert!(s.contains("Step #6 · verify"), "the same step:\n{s}");
    assert!(
        s.contains("┏ Rollout deploy/gateway"),
        "the same pane:\n{s}"
    );
    t.quit();
    // Nothing changed: no second ConnectionSet.
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    assert_eq!(
        journal.matches("\"connection_set\"").count(),
        1,
        "{journal}"
    );
}

/// A runbook whose kubectl lines name the deployment by placeholder: the popup lists the
/// namespace's deployments from the cluster and fills in the only one.
#[test]
fn a_placeholder_deployment_is_offered_the_namespace_s_deployments() {
    let sim = Sim::start(GATEWAY, 1.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = home.path().join("placeholder.md");
    std::fs::write(
        &runbook,
        "# Gateway rollback\n\n## Roll back\n\n```sh\n\
         kubectl -n edge rollout undo deployment/<service-name>\n\
         kubectl -n edge rollout status deployment/<service-name>\n```\n",
    )
    .expect("runbook");
    let env = [
        ("BACKOUT_HOME", home.path()),
        ("KUBECONFIG", sim.kubeconfig.as_path()),
    ];
    let t = Tmux::backout_with("connect-placeholder", &env, &runbook.display().to_string());
    let s = t.wait_for("Connect to this target?");
    assert!(
        s.contains("deployment  <service-name>  (lines 6, 7)"),
        "{s}"
    );
    assert!(s.contains("Deployments in namespace edge: gateway"), "{s}");
    assert!(s.contains("› deployment gateway"), "{s}");
    t.keys(&["Enter"]);
    t.wait_for("Rollout deploy/gateway");
    t.wait_for("Pods 2");
    t.quit();
}

/// `backout drill --runbook` with a team's runbook (no front matter, every line naming
/// `deployment/gateway -n edge`): the bad-deploy scenario plays on `gateway` in `edge`, the
/// intro says so, and the cluster panes come up on it without asking for a target.
#[test]
fn a_drill_of_a_team_runbook_plays_on_the_deployment_its_lines_name() {
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = corpus_runbook(home.path(), "options-a-to-d.md");
    let env = [("BACKOUT_HOME", home.path())];
    let t = Tmux::start(
        "connect-drill",
        160,
        48,
        &env,
        &format!("{} drill --runbook {}", bin(), runbook.display()),
    );
    let s = t.wait_for("any key starts");
    assert!(
        s.contains("runs your runbook's target: deployment gateway (the scenario's"),
        "{s}"
    );
    assert!(
        s.contains("namespace edge (the scenario's checkout)"),
        "{s}"
    );
    // The runbook names no metrics: the drill shows the simulated service's readings.
    assert!(s.contains("Your runbook names no metrics"), "{s}");
    t.keys(&["Space"]);
    t.wait_until("the model's readings in the Metrics pane", |s| {
        s.contains("Metrics · simulator model (bad-deploy)")
            && s.contains("error_rate")
            && s.contains("latency_p95")
    });
    t.wait_for("Rollout deploy/gateway");
    let s = t.wait_until("the scenario's four pods of gateway", |s| {
        s.contains("Pods 4") && s.contains("gateway-")
    });
    assert!(!s.contains("Connect to this target?"), "{s}");
    assert!(!s.contains("cluster off"), "{s}");
    assert!(s.contains("backout-sim/edge"), "{s}");
    t.kill();
}
