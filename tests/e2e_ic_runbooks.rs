//! Issue 13's end-to-end run, as an incident commander with five of the project's corpus
//! runbooks written as teams write them (`tests/runbooks/teams/`, no front matter), each
//! against a simulator running the Deployment its kubectl lines name. Every runbook gets
//! the whole run:
//!
//! - the target inferred from its kubectl lines and accepted;
//! - one of its alternatives (Option 1/2, Options A–D, Strategies 1–3, Paths A/B) chosen,
//!   and that alternative's rollback run natively (server dry-run, diff, typed name) and
//!   followed to the end;
//! - the severity declared from a row of its own table, and the approval the row asks for
//!   recorded;
//! - a message drafted from its own template (a fenced Slack, email or Markdown block, or a
//!   `Field: value` template section) and copied with OSC 52 into tmux's paste buffer;
//! - quit; `backout resume` back in the same console with the cluster panes, without being
//!   asked for the target again, the choice and the approval still shown;
//! - `backout report` showing the choice, the severity, the approval, the change from one
//!   revision to the other and the message.
//!
//! The five run at once, each with its own tmux server, simulator and `BACKOUT_HOME`.

mod common;
mod support;

use std::path::Path;

use common::Sim;
use support::session_files::{bin, corpus_runbook, report, session_journal, wait_for_record};
use support::tmux::Tmux;

/// The alternative to choose.
struct Choice {
    /// From the Procedure pane's first row: the keys to the "Choose one" row.
    to_row: &'static [&'static str],
    /// The member's key in the choice popup.
    key: &'static str,
    /// Its title as written ("Option A: Quick rollback").
    title: &'static str,
    /// The Procedure pane's line once chosen ("Chosen: A Quick rollback").
    chosen: &'static str,
}

/// The severity to declare from the runbook's table.
struct Declared {
    /// `j` presses in the declaration popup to its row.
    downs: usize,
    severity: &'static str,
    /// Who the row's approval cell asks for.
    approval_by: &'static str,
    /// Who approved, as typed.
    approver: &'static str,
}

/// The runbook's own message template.
struct Template {
    /// Its title (heading or lead-in), as the composer and the report name it.
    title: &'static str,
    /// The line of its first line of text.
    line: usize,
    /// Words only that template has, found in the copied draft.
    own_words: &'static str,
}

/// One runbook's run.
struct Case {
    /// The corpus file.
    file: &'static str,
    /// The Deployment and namespace its kubectl lines name.
    deployment: &'static str,
    namespace: &'static str,
    choice: Choice,
    /// From the first row (after the choice): the keys to the chosen step holding the undo.
    to_rollback: &'static [&'static str],
    declared: Declared,
    template: Template,
}

const CASES: [Case; 5] = [
    Case {
        file: "ic-severity-notify.md",
        deployment: "search-api",
        namespace: "search",
        choice: Choice {
            to_row: &["g", "j", "j", "j", "j"],
            key: "A",
            title: "Path A: Undo to the previous ReplicaSet",
            chosen: "Chosen: A Undo to the previous ReplicaSet",
        },
        to_rollback: &["g", "j", "j", "j", "j", "j"],
        declared: Declared {
            downs: 1,
            severity: "SEV-2",
            approval_by: "Engineering manager",
            approver: "Dana Reyes",
        },
        template: Template {
            title: "Rollback Notification",
            line: 29,
            own_words: "rollback in progress (SEV-2)",
        },
    },
    Case {
        file: "decision-table-sev.md",
        deployment: "inventory",
        namespace: "inventory",
        choice: Choice {
            to_row: &["g"],
            key: "1",
            title: "Option 1: Undo the deploy",
            chosen: "Chosen: 1 Undo the deploy",
        },
        to_rollback: &["g", "j"],
        declared: Declared {
            downs: 1,
            severity: "SEV-2",
            approval_by: "IC",
            approver: "Sam Lee",
        },
        template: Template {
            title: "Email inventory-announce once the rollback is under way",
            line: 36,
            own_words: "Subject: SEV-2 inventory rollback in inventory",
        },
    },
    Case {
        file: "decision-table-impact.md",
        deployment: "pricing",
        namespace: "pricing",
        choice: Choice {
            to_row: &["g"],
            key: "2",
            title: "Strategy 2: Application rollback",
            chosen: "Chosen: 2 Application rollback",
        },
        to_rollback: &["g", "j"],
        declared: Declared {
            downs: 0,
            severity: "Critical",
            approval_by: "Head of Pricing",
            approver: "Ana Ortiz",
        },
        template: Template {
            title: "Status page post",
            line: 33,
            own_words: "What customers saw: Prices wrong for all users.",
        },
    },
    Case {
        file: "options-a-to-d.md",
        deployment: "gateway",
        namespace: "edge",
        choice: Choice {
            to_row: &["g", "j"],
            key: "A",
            title: "Option A: Quick rollback",
            chosen: "Chosen: A Quick rollback",
        },
        to_rollback: &["g", "j", "j"],
        declared: Declared {
            downs: 1,
            severity: "SEV-2",
            approval_by: "Edge tech lead",
            approver: "Kim Park",
        },
        template: Template {
            title: "Status update template",
            line: 54,
            own_words: "SEV-2 | gateway (edge) rollback",
        },
    },
    Case {
        file: "strategies-when-duration.md",
        deployment: "catalog-api",
        namespace: "catalog",
        choice: Choice {
            to_row: &["g"],
            key: "2",
            title: "Strategy 2: Application rollback",
            chosen: "Chosen: 2 Application rollback",
        },
        to_rollback: &["g", "j"],
        declared: Declared {
            downs: 0,
            severity: "P1",
            approval_by: "Director of Engineering",
            approver: "Lee Chen",
        },
        template: Template {
            title: "Incident summary template",
            line: 52,
            own_words: "- **Priority**: P1",
        },
    },
];

/// Why the severity is declared, typed into the popup.
const REASON: &str = "errors since the deploy";

/// The terminal: wide enough for the decision table pane's declared line to end with
/// "approved by NAME".
const WIDTH: u16 = 160;
const HEIGHT: u16 = 40;

/// The simulator's scenario: the Deployment at 1.1, with 1.0 to roll back to.
fn scenario(case: &Case) -> String {
    format!(
        "name: {d}\nnamespace: {ns}\napps:\n  - {{name: {d}, replicas: 2, image: {image}, history: [\"1.0\"], version: \"1.1\"}}\n",
        d = case.deployment,
        ns = case.namespace,
        image = image_repo(case),
    )
}

fn image_repo(case: &Case) -> String {
    format!("registry.example.com/{}", case.deployment)
}

/// The rollback's change as the report's Changes table says it: from the bad revision
/// (2, running 1.1) to the one rolled back to (1, running 1.0).
fn change_from_to(case: &Case) -> String {
    format!(
        "revision 2 ({repo}:1.1) → revision 1 ({repo}:1.0)",
        repo = image_repo(case)
    )
}

/// The Rollout pane's revision rows, as words (`* 3 1.0 deploy gateway 1.0`).
fn revision_rows(screen: &str, deployment: &str) -> Vec<Vec<String>> {
    let cause = format!("deploy {deployment} ");
    screen
        .lines()
        .flat_map(|l| l.split('│'))
        .filter(|cell| cell.contains(&cause))
        .map(|cell| cell.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// Whether the Rollout pane shows the change: the current revision (`*`) runs 1.0, and
/// revision 2 with 1.1 is the previous one.
fn rolled_back_on_screen(screen: &str, deployment: &str) -> bool {
    let rows = revision_rows(screen, deployment);
    let current = rows
        .iter()
        .any(|r| r.len() > 2 && r[0] == "*" && r[1] == "3" && r[2] == "1.0");
    let previous = rows
        .iter()
        .any(|r| r.len() > 1 && r[0] == "2" && r[1] == "1.1");
    current && previous
}

/// Whether the header (the screen's first line) shows `severity` declared.
fn header_declares(screen: &str, severity: &str) -> bool {
    let header = screen.lines().next().unwrap_or_default();
    header.contains(&format!(" {severity} "))
}

/// The text inside the topmost popup's double border, its wrapped lines joined by
/// single spaces.
fn popup_text(screen: &str) -> String {
    let inside: Vec<&str> = screen
        .lines()
        .filter_map(|l| {
            let start = l.find('║')? + '║'.len_utf8();
            let end = l.rfind('║')?;
            (end > start).then(|| &l[start..end])
        })
        .collect();
    inside
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Panics with the file and the screen unless `screen` contains `text`.
fn expect_on(case: &Case, screen: &str, text: &str, what: &str) {
    assert!(
        screen.contains(text),
        "{}: {what}: `{text}` not on screen:\n{screen}",
        case.file
    );
}

/// The target read from the kubectl lines, accepted; the cluster panes up.
fn connect(t: &Tmux, case: &Case) {
    let deployment = format!("deployment  {}", case.deployment);
    let namespace = format!("namespace   {}", case.namespace);
    t.wait_until(
        &format!(
            "{}: the target popup with the inferred `{deployment}` and `{namespace}`",
            case.file
        ),
        |s| {
            s.contains("Connect to this target?")
                && s.contains(&deployment)
                && s.contains(&namespace)
        },
    );
    t.keys(&["Enter"]);
    t.wait_for(&format!("Rollout deploy/{}", case.deployment));
    t.wait_for("Pods 2");
}

/// The alternative, chosen from its "Choose one" row.
fn choose(t: &Tmux, case: &Case) {
    let c = &case.choice;
    t.keys(c.to_row);
    t.keys(&["c"]);
    let s = t.wait_for("Choose one · execute");
    expect_on(case, &s, c.title, "the member in the popup");
    t.keys(&[c.key]);
    t.wait_for(c.chosen);
}

/// The chosen alternative's rollback, run natively: dry-run, diff, the typed name;
/// followed to the end.
fn roll_back(t: &Tmux, home: &Path, case: &Case) {
    t.keys(case.to_rollback);
    let s = t.wait_for(&format!("rollout undo deployment/{}", case.deployment));
    expect_on(case, &s, case.choice.chosen, "the choice above its step");
    t.run_natively();
    let s = t.type_deployment_name(case.deployment);
    assert!(!s.contains("Run this in /bin/sh"), "{}: {s}", case.file);
    wait_for_record(home, "the undo followed to its end", |l| {
        l.contains("\"type\":\"cluster_action_finished\"")
            && l.contains("rollout undo")
            && l.contains("successfully rolled out")
    });
    t.wait_until("the Rollout pane at 1.0, 1.1 the previous revision", |s| {
        rolled_back_on_screen(s, case.deployment)
    });
}

/// The severity, from the table's row, with the approval the row asks for.
fn declare(t: &Tmux, home: &Path, case: &Case) {
    let d = &case.declared;
    t.keys(&["S"]);
    t.wait_for("Declare the severity");
    for _ in 0..d.downs {
        t.keys(&["j"]);
    }
    t.keys(&["Enter"]);
    t.wait_for(&format!("Declare {}", d.severity));
    t.type_text(REASON);
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("Approval for {}", d.severity));
    let asks = format!("The table asks for approval by {}.", d.approval_by);
    assert!(
        popup_text(&s).contains(&asks),
        "{}: `{asks}` not in the prompt:\n{s}",
        case.file
    );
    t.type_text(d.approver);
    t.keys(&["Enter"]);
    let s = t.wait_for(&format!("approved by {}", d.approver));
    assert!(
        header_declares(&s, d.severity),
        "{}: {} in the header:\n{s}",
        case.file,
        d.severity
    );
    wait_for_record(home, "the approval", |l| {
        l.contains("\"type\":\"approval_recorded\"") && l.contains(d.approver)
    });
}

/// The message drafted from the runbook's own template, copied into tmux's buffer.
fn draft(t: &Tmux, case: &Case) {
    let tpl = &case.template;
    t.keys(&["m"]);
    t.wait_for(&format!(
        "Message: {} (runbook line {})",
        tpl.title, tpl.line
    ));
    t.keys(&["C-s"]);
    // The compose popup itself says "copied to the clipboard" (its To: line) before the
    // draft is saved and copied: wait for the copy in tmux's buffer, not for that text.
    let buffer = t.wait_buffer("the draft", |b| {
        [tpl.own_words, case.deployment, case.declared.severity]
            .iter()
            .all(|w| b.contains(w))
    });
    for wanted in [tpl.own_words, case.deployment, case.declared.severity] {
        assert!(
            buffer.contains(wanted),
            "{}: the draft from `{}` holds `{wanted}`: {buffer:?}",
            case.file,
            tpl.title
        );
    }
}

/// `backout resume`: the same console, connected again without asking.
fn resume(env: &[(&str, &Path)], name: &str, case: &Case) {
    let t = Tmux::start(
        &format!("{name}-resumed"),
        WIDTH,
        HEIGHT,
        env,
        &format!("{} resume", bin()),
    );
    t.wait_for(&format!("Rollout deploy/{}", case.deployment));
    let s = t.wait_until("the pods and the approval", |s| {
        s.contains("Pods 2") && s.contains(&format!("approved by {}", case.declared.approver))
    });
    assert!(
        !s.contains("Connect to this target?"),
        "{}: not asked again:\n{s}",
        case.file
    );
    expect_on(case, &s, case.choice.chosen, "the choice kept");
    t.wait_until("the Rollout pane at 1.0 again", |s| {
        rolled_back_on_screen(s, case.deployment)
    });
    assert!(
        header_declares(&s, case.declared.severity),
        "{}: the severity kept in the header:\n{s}",
        case.file
    );
    t.quit();
}

/// `backout report`: the choice, the severity, the approval, the change, the message.
fn check_report(home: &Path, case: &Case) {
    let md = report(home);
    let journal = session_journal(home);
    assert!(
        journal.contains("\"type\":\"message_drafted\""),
        "{}: {journal}",
        case.file
    );
    let d = &case.declared;
    let wanted = [
        format!("chose {} {:?}", case.choice.key, case.choice.title),
        format!("declared {}", d.severity),
        REASON.to_string(),
        format!("{} approved by {}", d.severity, d.approver),
        format!("rollout undo deployment/{}", case.deployment),
        change_from_to(case),
        case.template.title.to_string(),
        case.template.own_words.to_string(),
    ];
    for w in wanted {
        assert!(
            md.contains(&w),
            "{}: `{w}` missing from the report:\n{md}",
            case.file
        );
    }
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
        WIDTH,
        HEIGHT,
        &env,
        &format!("{} {}", bin(), runbook.display()),
    );
    t.command(&["set-option", "-s", "set-clipboard", "on"]);

    connect(&t, case);
    choose(&t, case);
    roll_back(&t, home.path(), case);
    declare(&t, home.path(), case);
    draft(&t, case);
    t.quit();
    drop(t);

    resume(&env, name, case);
    check_report(home.path(), case);
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
    }
    let failed: Vec<&str> = std::thread::scope(|scope| {
        let runs: Vec<_> = CASES
            .iter()
            .map(|case| (case.file, scope.spawn(move || run_case(case))))
            .collect();
        runs.into_iter()
            .filter_map(|(file, run)| run.join().is_err().then_some(file))
            .collect()
    });
    assert!(
        failed.is_empty(),
        "failed (see each one's panic above): {failed:?}"
    );
}
