//! Issue 13's end-to-end run, as an incident commander with five of the project's corpus
//! runbooks written as teams write them (`tests/runbooks/teams/`, no front matter), each
//! against a simulator running the Deployment its kubectl lines name: the target inferred
//! from those lines and accepted; the alternative chosen where the runbook has a group of
//! them; its rollback run natively (server dry-run, diff, typed name) and followed to the
//! end; the severity declared from the runbook's decision table (a bare severity where it
//! has none) with the approval its row asks for recorded; a message drafted from the
//! runbook's own template (else the built-in notification) and copied with OSC 52 into
//! tmux's paste buffer; quit; `backout resume` back in the same console with the cluster
//! panes, without being asked for the target again; and `backout report` showing the
//! choice, the severity, the approval, the change and the message.
//!
//! The corpus runbooks each show some of these shapes (a table with an approval column, a
//! message template, Options A–D, Strategies 1–3): together the five cover every one.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::session_files::{bin, corpus_runbook, report, session_dir, wait_for_record};
use support::tmux::Tmux;

/// One runbook's run.
struct Case {
    /// The corpus file.
    file: &'static str,
    /// The Deployment and namespace its kubectl lines name.
    deployment: &'static str,
    namespace: &'static str,
    /// From the Procedure pane's first row: the keys to the "Choose one" row, the
    /// member's key, and the title shown once chosen. `None`: no alternatives.
    choice: Option<(&'static [&'static str], &'static str, &'static str)>,
    /// From the first row (after the choice): the keys to the step holding the undo.
    to_rollback: &'static [&'static str],
    /// `j` presses in the declaration popup, and the severity it declares.
    severity: (usize, &'static str),
    /// Who approved, when the row asks for an approval.
    approver: Option<&'static str>,
    /// The composer's title: the runbook's template, else the built-in kind.
    message: &'static str,
    /// How the report's Messages section names it.
    in_report: &'static str,
}

const CASES: [Case; 5] = [
    Case {
        file: "ic-severity-notify.md",
        deployment: "search-api",
        namespace: "search",
        choice: None,
        to_rollback: &["g", "j", "j"],
        severity: (0, "SEV-1"),
        approver: Some("Dana Reyes"),
        message: "Message: Rollback Notification (runbook line ",
        in_report: "Rollback Notification",
    },
    Case {
        file: "decision-table-sev.md",
        deployment: "inventory",
        namespace: "inventory",
        choice: None,
        to_rollback: &["g"],
        severity: (1, "SEV-2"),
        approver: Some("Sam Lee"),
        message: "Message: Rollback notification",
        in_report: "rollback_notification",
    },
    Case {
        file: "decision-table-impact.md",
        deployment: "pricing",
        namespace: "pricing",
        choice: Some((&["g"], "2", "Chosen: 2 Application rollback")),
        to_rollback: &["g", "j"],
        severity: (0, "Critical"),
        approver: None,
        message: "Message: Rollback notification",
        in_report: "rollback_notification",
    },
    Case {
        file: "options-a-to-d.md",
        deployment: "gateway",
        namespace: "edge",
        choice: Some((&["g", "j"], "A", "Chosen: A Quick rollback")),
        to_rollback: &["g", "j", "j"],
        severity: (1, "SEV-2"),
        approver: None,
        message: "Message: Rollback notification",
        in_report: "rollback_notification",
    },
    Case {
        file: "strategies-when-duration.md",
        deployment: "catalog-api",
        namespace: "catalog",
        choice: Some((&["g"], "2", "Chosen: 2 Application rollback")),
        to_rollback: &["g", "j"],
        severity: (0, "SEV-1"),
        approver: None,
        message: "Message: Rollback notification",
        in_report: "rollback_notification",
    },
];

/// The simulator's scenario: the Deployment at 1.1, with 1.0 to roll back to.
fn scenario(case: &Case) -> String {
    format!(
        "name: {d}\nnamespace: {ns}\napps:\n  - {{name: {d}, replicas: 2, image: registry.example.com/{d}, history: [\"1.0\"], version: \"1.1\"}}\n",
        d = case.deployment,
        ns = case.namespace,
    )
}

fn run_case(case: &Case) {
    let sim = Sim::start(&scenario(case), 20.0);
    let home = tempfile::tempdir().expect("tempdir");
    let runbook = corpus_runbook(home.path(), case.file);
    let env = [
        ("BACKOUT_HOME", home.path()),
        ("KUBECONFIG", sim.kubeconfig.as_path()),
    ];
    let name = case.file.trim_end_matches(".md");
    let t = Tmux::start(
        name,
        120,
        40,
        &env,
        &format!("{} {}", bin(), runbook.display()),
    );
    t.command(&["set-option", "-s", "set-clipboard", "on"]);

    // The target read from the kubectl lines, accepted.
    let s = t.wait_for("Connect to this target?");
    assert!(
        s.contains(&format!("deployment  {}", case.deployment)),
        "{}: {s}",
        case.file
    );
    assert!(
        s.contains(&format!("namespace   {}", case.namespace)),
        "{}: {s}",
        case.file
    );
    t.keys(&["Enter"]);
    t.wait_for(&format!("Rollout deploy/{}", case.deployment));
    t.wait_for("Pods 2");

    // The alternative, chosen.
    if let Some((to_row, member, chosen)) = case.choice {
        t.keys(to_row);
        t.keys(&["c"]);
        t.wait_for("Choose one · execute");
        t.keys(&[member]);
        t.wait_for(chosen);
    }

    // Its rollback, run natively: dry-run, diff, the typed name; followed to the end.
    t.keys(case.to_rollback);
    t.keys(&["r"]);
    let s = t.wait_until("a confirmation", |s| {
        s.contains("Run these in order") || s.contains("Type the deployment name")
    });
    if s.contains("Run these in order") {
        t.keys(&["y"]);
    }
    let s = t.wait_for(&format!("Type the deployment name ({})", case.deployment));
    assert!(!s.contains("Run this in /bin/sh"), "{}: {s}", case.file);
    t.type_text(case.deployment);
    t.keys(&["Enter"]);
    wait_for_record(home.path(), "the undo followed to its end", |l| {
        l.contains("\"type\":\"cluster_action_finished\"")
            && l.contains("rollout undo")
            && l.contains("successfully rolled out")
    });

    // The severity, from the table's row (or on its own), with the approval it asks for.
    t.keys(&["S"]);
    t.wait_for("Declare the severity");
    for _ in 0..case.severity.0 {
        t.keys(&["j"]);
    }
    t.keys(&["Enter"]);
    t.wait_for(&format!("Declare {}", case.severity.1));
    t.type_text("customers see errors since the deploy");
    t.keys(&["Enter"]);
    if let Some(approver) = case.approver {
        t.wait_for(&format!("Approval for {}", case.severity.1));
        t.type_text(approver);
        t.keys(&["Enter"]);
        t.wait_for(&format!("approved by {approver}"));
    }
    wait_for_record(home.path(), "the severity declared", |l| {
        l.contains("\"type\":\"severity_declared\"")
    });

    // The message, drafted and copied.
    t.keys(&["m"]);
    t.wait_for(case.message);
    t.keys(&["C-s"]);
    t.wait_for("copied to the clipboard");
    let buffer = t.command(&["show-buffer"]);
    assert!(
        buffer.contains(case.deployment) && buffer.contains(case.severity.1),
        "{}: the draft names the service and the declared severity: {buffer:?}",
        case.file
    );
    t.keys(&["q"]);
    t.wait_exit();

    // Resume: the same console, connected again without asking.
    let t = Tmux::start(
        &format!("{name}-resumed"),
        120,
        40,
        &env,
        &format!("{} resume", bin()),
    );
    t.wait_for(&format!("Rollout deploy/{}", case.deployment));
    let s = t.wait_for("Pods 2");
    assert!(
        !s.contains("Connect to this target?"),
        "{}: not asked again:\n{s}",
        case.file
    );
    if let Some((_, _, chosen)) = case.choice {
        assert!(s.contains(chosen), "{}: the choice kept:\n{s}", case.file);
    }
    t.keys(&["q"]);
    t.wait_exit();

    // The report says what happened.
    let md = report(home.path());
    let dir = session_dir(home.path());
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).expect("journal");
    assert!(
        journal.contains("\"type\":\"message_drafted\""),
        "{}: {journal}",
        case.file
    );
    let mut wanted = vec![
        format!("rollout undo deployment/{}", case.deployment),
        case.severity.1.to_string(),
        "customers see errors since the deploy".to_string(),
    ];
    if let Some((_, member, _)) = case.choice {
        wanted.push(format!("chose {member} "));
    }
    if let Some(approver) = case.approver {
        wanted.push(format!("approved by {approver}"));
    }
    wanted.push(case.in_report.to_string());
    for w in wanted {
        assert!(
            md.contains(&w),
            "{}: `{w}` missing from the report:\n{md}",
            case.file
        );
    }
}

#[test]
fn five_team_runbooks_driven_end_to_end_against_the_simulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in &CASES {
        assert!(
            root.join("tests/runbooks/teams").join(case.file).exists(),
            "{}",
            case.file
        );
        run_case(case);
    }
}
