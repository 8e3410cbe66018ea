//! End to end: `backout drill` as the real binary in tmux, driven with keystrokes from the
//! intro to the scorecard, then `backout drills --format json` shows the drill with its
//! timings.
//!
//! Scenarios are rows of [`CASES`]: the scenario, its speed, how the team rolls back, where
//! the runbook's verification checks are, and whether the drill passes. Every row works
//! the same way an operator would: acknowledge the severity (`A`), roll back, start every
//! verification check (`v` on each check step) and wait for their compressed monitor
//! windows to pass, compose and send a message (`m`, `Ctrl-s`, `y`; in a drill it lands in
//! the session's outbox), close the session (`Q`). The scorecard's verify and communicate
//! stages then come from `VerificationFinished` and `MessageDelivered`, not from ticks.
//!
//! Each row has its own `BACKOUT_HOME` and tmux server, so rows run in parallel.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use support::tmux::Tmux;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_backout")
}

/// How the team rolls back in a scenario.
enum Rollback {
    /// Undo from the Rollout pane with the typed confirmation of this deployment name.
    UndoFromRolloutPane { deployment: &'static str },
    /// An action of the actions menu (`a`), with its value typed into the prompt, then
    /// confirmed.
    ActionMenu {
        key: &'static str,
        value: &'static str,
        confirm: Confirm,
    },
    /// The runbook's own command step (selected with `select` from the top), whose
    /// mutating lines each ask for a typed name (`names`, in order): `argocd` lines run
    /// through the simulator's Argo CD API, `curl` lines to `$DEPLOY_API` through its
    /// deploy service (the word typed is the path's last segment).
    RunStep {
        select: &'static [&'static str],
        names: &'static [&'static str],
        /// What the first typed confirmation shows above its question (its preview).
        preview: &'static [&'static str],
    },
}

/// How an action's confirmation is given.
enum Confirm {
    /// `y`.
    Yes,
    /// Typing this name.
    Typed(&'static str),
}

/// The verification a team runs before rolling back (the deliberate failure): the keys
/// (from the top of the procedure) that select a check step, and what its failure says.
struct VerifyTooEarly {
    select: &'static [&'static str],
    says: &'static str,
}

struct Case {
    /// Unique per row: the tmux session's name.
    id: &'static str,
    scenario: &'static str,
    speed: &'static str,
    /// The severity the matrix reaches.
    severity: &'static str,
    /// Whether the team acknowledges it (`A`); without, detection is never timed and the
    /// drill cannot pass.
    acknowledge: bool,
    verify_too_early: Option<VerifyTooEarly>,
    rollback: Rollback,
    /// What the rollback's last `ClusterActionFinished` outcome says when it worked.
    recovered: &'static str,
    /// Keys from the top of the procedure to the first verification check step; the
    /// checks are `checks` consecutive steps from there.
    to_checks: &'static [&'static str],
    checks: usize,
    passes: bool,
    /// A shortfall the scorecard must list when the drill does not pass.
    shortfall: Option<&'static str>,
    /// The runbook has no message sinks: the message is drafted, then recorded as posted
    /// by hand from the messages list (`M`, `p`).
    drafted: bool,
}

const CASES: &[Case] = &[
    Case {
        id: "bad-deploy",
        scenario: "bad-deploy",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        recovered: "successfully rolled out",
        // "3. Verify recovery": seven steps from the runbook's text, then the four checks.
        to_checks: &["]", "]", "j", "j", "j", "j", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "bad-deploy-verified-too-early",
        scenario: "bad-deploy",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        // The team checks the error rate before rolling back: it fails at its first
        // sample with the value seen.
        verify_too_early: Some(VerifyTooEarly {
            select: &["]", "]", "j", "j", "j", "j", "j", "j", "j", "j"],
            says: "error_rate = 0.12 (limit: error_rate < 0.01)",
        }),
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j", "j", "j", "j", "j"],
        checks: 4,
        passes: false,
        shortfall: Some("1 verification check(s) failed"),
        drafted: false,
    },
    Case {
        id: "bad-deploy-never-acknowledged",
        scenario: "bad-deploy",
        speed: "20",
        severity: "SEV-1",
        acknowledge: false,
        verify_too_early: None,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j", "j", "j", "j", "j"],
        checks: 4,
        passes: false,
        shortfall: Some("detect: not reached"),
        drafted: false,
    },
    Case {
        id: "latency-regression",
        scenario: "latency-regression",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "search-api",
        },
        recovered: "successfully rolled out",
        // "3. Verify recovery": a PromQL block, a command and two steps, then the checks.
        to_checks: &["]", "]", "j", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "crashloop",
        scenario: "crashloop",
        speed: "20",
        // Restarts climb past 3 for a minute before the errors do.
        severity: "SEV-2",
        acknowledge: true,
        verify_too_early: None,
        // Past the progress deadline by then: the follow judges the new rollout.
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "payments-worker",
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "feature-flag",
        scenario: "feature-flag",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::ActionMenu {
            key: "e",
            value: "NEW_PRICING=off",
            confirm: Confirm::Yes,
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "blue-green",
        scenario: "blue-green",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::ActionMenu {
            key: "b",
            value: "app=storefront,track=blue",
            confirm: Confirm::Typed("storefront-green"),
        },
        recovered: "service/storefront patched",
        to_checks: &["]", "]", "j", "j", "j"],
        checks: 3,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "stuck-rollout",
        scenario: "stuck-rollout",
        speed: "20",
        severity: "SEV-2",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "inventory",
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "flaky-api-server",
        scenario: "flaky-api-server",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        rollback: Rollback::UndoFromRolloutPane {
            deployment: "checkout-api",
        },
        recovered: "successfully rolled out",
        to_checks: &["]", "]", "j", "j", "j", "j", "j", "j", "j"],
        checks: 4,
        passes: true,
        shortfall: None,
        drafted: false,
    },
    Case {
        id: "argocd-self-heal",
        scenario: "argocd-self-heal",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        // "2. Execute the rollback": auto-sync off, `argocd app rollback`, `argocd app wait`
        // — each mutating line previewed and confirmed with the application's name.
        rollback: Rollback::RunStep {
            select: &["]"],
            names: &["checkout-api", "checkout-api"],
            preview: &[],
        },
        // The rollback's outcome: the CLI's final status, the application Healthy.
        recovered: "Healthy",
        // "3. Verify recovery": a command, a PromQL block, two steps, then the two checks.
        to_checks: &["]", "]", "j", "j", "j", "j"],
        checks: 2,
        passes: true,
        shortfall: None,
        drafted: true,
    },
    Case {
        id: "blue-green-api",
        scenario: "blue-green-api",
        speed: "20",
        severity: "SEV-1",
        acknowledge: true,
        verify_too_early: None,
        // "2. Execute the switch back": `curl -fsS -X POST … "$DEPLOY_API/deployment/rollback"`
        // run through the console against the simulator's deploy service, previewed as
        // `POST /deployment/rollback` with the service's status before → after (read from
        // `GET /deployment/status`) and confirmed by typing `rollback`.
        rollback: Rollback::RunStep {
            select: &["]"],
            names: &["rollback"],
            preview: &[
                "Before: storefront: green (5.1.0) is serving",
                "After:  blue (5.0.0)",
            ],
        },
        // Judged by the answer, then the status read again.
        recovered: "200 OK; now blue (5.0.0)",
        // "3. Verify recovery": a PromQL block, a command, two steps, then the two checks.
        to_checks: &["]", "]", "j", "j", "j", "j"],
        checks: 2,
        passes: true,
        shortfall: None,
        drafted: true,
    },
];

/// The matrix's `for` windows run on the wall clock: SEV-1 holds a minute after the
/// errors climb, whatever the speed.
const SEVERITY_PATIENCE: Duration = Duration::from_secs(240);
/// Monitor windows are compressed (`--verify-speed`), but the machine may be busy.
const VERIFY_PATIENCE: Duration = Duration::from_secs(240);

/// The session's journal records (parsed), read from disk.
fn journal(home: &Path) -> Vec<serde_json::Value> {
    session_dir(home)
        .and_then(|d| std::fs::read_to_string(d.join("journal.jsonl")).ok())
        .map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The last `n` journal records, one line each, for a failure message.
fn journal_tail(records: &[serde_json::Value], n: usize) -> String {
    records[records.len().saturating_sub(n)..]
        .iter()
        .map(|r| format!("{} {}", r["at"], r["entry"]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last `n` lines of the console's log (under the state directory), for a failure
/// message: what the console saw before it ended.
fn log_tail(home: &Path, n: usize) -> String {
    let mut logs: Vec<PathBuf> = walk(home)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "log") || p.to_string_lossy().contains("backout.log")
        })
        .collect();
    logs.sort();
    logs.iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            format!(
                "== {}\n{}",
                p.display(),
                lines[lines.len().saturating_sub(n)..].join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn session_dir(home: &Path) -> Option<PathBuf> {
    std::fs::read_dir(home.join("sessions"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_dir())
}

fn entries<'a>(records: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    records
        .iter()
        .map(|r| &r["entry"])
        .filter(|e| e["type"] == kind)
        .collect()
}

/// Waits until the journal on disk satisfies `pred`.
fn wait_journal(
    t: &Tmux,
    home: &Path,
    what: &str,
    patience: Duration,
    pred: impl Fn(&[serde_json::Value]) -> bool,
) {
    let start = Instant::now();
    loop {
        if pred(&journal(home)) {
            return;
        }
        assert!(
            start.elapsed() < patience,
            "timed out waiting for {what}; screen:\n{}\njournal:\n{:#?}",
            t.screen(),
            journal(home)
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn run_case(case: &Case) {
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::drill(
        &format!("drill-{}", case.id),
        130,
        45,
        home.path(),
        &format!(
            "--scenario {} --speed {} --verify-speed 30",
            case.scenario, case.speed
        ),
    );
    // The intro says what is about to happen; any key starts.
    t.wait_for(&format!("Drill: {}", case.scenario));
    t.close_intro();
    // The scenario acts (journaled as a drill event).
    t.wait_for("drill: ");

    if let Some(early) = &case.verify_too_early {
        // The bad release must be serving before the check says anything about it.
        wait_journal(&t, home.path(), "the bad release", SEVERITY_PATIENCE, |r| {
            !entries(r, "drill_event").is_empty()
        });
        t.keys(&["g"]);
        t.keys(early.select);
        t.keys(&["v"]);
        let s = t.wait_for("Verification failed");
        assert!(s.contains(early.says), "{s}");
        t.keys(&["Escape"]);
        t.wait_until("the next-moves popup closed", |s| {
            !s.contains("Verification failed")
        });
        wait_journal(&t, home.path(), "the failed check", VERIFY_PATIENCE, |r| {
            entries(r, "verification_finished")
                .iter()
                .any(|e| e["passed"] == false)
        });
    }

    // The matrix reaches the severity.
    t.wait_until_within("the severity to hold", SEVERITY_PATIENCE, |s| {
        // The header's badge shows the severity holding now (its RTO list names them all).
        let badge = format!("│  {}  ", case.severity);
        s.contains("ack severity") && s.lines().next().is_some_and(|h| h.contains(&badge))
    });
    if case.acknowledge {
        t.keys(&["A"]);
        t.wait_for(&format!("acknowledged severity {}", case.severity));
    }

    match &case.rollback {
        Rollback::UndoFromRolloutPane { deployment } => {
            t.keys(&["Tab"]);
            // With a flaky API server the undo's preflight or dry run can be refused (the
            // console says so), and the request itself can fail (it is never retried
            // behind the operator's back): the operator presses `u` again, as they would.
            let prompt = format!("Type the deployment name ({deployment})");
            let mut requests = 0;
            loop {
                t.press_until("u", "undo confirmation", |s| s.contains(&prompt));
                let before = entries(&journal(home.path()), "cluster_action_finished").len();
                t.type_text(deployment);
                t.keys(&["Enter"]);
                wait_journal(
                    &t,
                    home.path(),
                    "the undo's outcome",
                    Duration::from_secs(180),
                    |r| entries(r, "cluster_action_finished").len() > before,
                );
                let records = journal(home.path());
                let last = entries(&records, "cluster_action_finished")
                    .last()
                    .map(|e| {
                        (
                            e["ok"] == true,
                            e["outcome"].as_str().unwrap_or("").to_string(),
                        )
                    });
                match last {
                    Some((true, _)) => break,
                    // Only a refused request is worth pressing `u` again for: an undo that
                    // went through would be undone by a second one.
                    Some((false, outcome)) if outcome.contains("simulated API server fault") => {}
                    other => panic!("the undo failed for another reason: {other:?}"),
                }
                requests += 1;
                assert!(requests < 5, "the undo kept failing:\n{}", t.screen());
                // Let the notice go, then try again.
                t.keys(&["Escape"]);
            }
            // Back to the procedure.
            t.keys(&["BTab"]);
        }
        Rollback::ActionMenu {
            key,
            value,
            confirm,
        } => {
            t.keys(&["a"]);
            t.wait_for("Actions on deployment/");
            t.keys(&[key]);
            t.wait_for("Enter saves");
            t.type_text(value);
            t.keys(&["Enter"]);
            match confirm {
                Confirm::Yes => {
                    t.wait_until_within("the confirmation", Duration::from_secs(60), |s| {
                        s.contains("y goes ahead")
                    });
                    t.keys(&["y"]);
                }
                Confirm::Typed(name) => {
                    t.wait_until_within("the confirmation", Duration::from_secs(60), |s| {
                        s.contains(&format!("({name})"))
                    });
                    t.type_text(name);
                    t.keys(&["Enter"]);
                }
            }
        }
        Rollback::RunStep {
            select,
            names,
            preview,
        } => {
            t.keys(&["g"]);
            t.keys(select);
            t.keys(&["r"]);
            for (i, name) in names.iter().enumerate() {
                let s =
                    t.wait_until_within("the typed confirmation", Duration::from_secs(60), |s| {
                        s.contains(&format!("Type the application name {name}"))
                            || s.contains(&format!("Type {name} to send"))
                    });
                if i == 0 {
                    for shown in preview.iter() {
                        assert!(s.contains(shown), "the preview shows {shown:?}:\n{s}");
                    }
                }
                t.type_text(name);
                t.keys(&["Enter"]);
                wait_journal(
                    &t,
                    home.path(),
                    "the line's outcome",
                    Duration::from_secs(180),
                    |r| entries(r, "cluster_action_finished").len() > i,
                );
            }
            wait_journal(
                &t,
                home.path(),
                "the step's lines to end",
                Duration::from_secs(180),
                |r| {
                    entries(r, "command_finished")
                        .iter()
                        .any(|e| e["exit_code"] == 0)
                },
            );
        }
    }
    wait_journal(
        &t,
        home.path(),
        "the rollback to finish",
        Duration::from_secs(180),
        |r| {
            entries(r, "cluster_action_finished").iter().any(|e| {
                e["ok"] == true
                    && e["outcome"]
                        .as_str()
                        .is_some_and(|o| o.contains(case.recovered))
            })
        },
    );

    // Verify: start every check, and wait for each to pass over its (compressed) window.
    t.keys(&["g"]);
    t.keys(case.to_checks);
    for i in 0..case.checks {
        if i > 0 {
            t.keys(&["j"]);
        }
        t.keys(&["v"]);
    }
    let failed_before = if case.verify_too_early.is_some() {
        1
    } else {
        0
    };
    wait_journal(
        &t,
        home.path(),
        "every verification check to pass",
        VERIFY_PATIENCE,
        |r| {
            let finished = entries(r, "verification_finished");
            finished.iter().filter(|e| e["passed"] == true).count() >= case.checks
                || finished.iter().filter(|e| e["passed"] == false).count() > failed_before
        },
    );
    let records = journal(home.path());
    let finished = entries(&records, "verification_finished");
    assert_eq!(
        finished.iter().filter(|e| e["passed"] == false).count(),
        failed_before,
        "{finished:#?}\n{}\nlast journal records:\n{}\nlog tail:\n{}",
        t.screen(),
        journal_tail(&records, 25),
        log_tail(home.path(), 40)
    );

    // Communicate: from the last check step, the next phase; compose, preview, confirm.
    t.keys(&["]", "m"]);
    t.wait_for("Message: ");
    if case.drafted {
        t.keys(&["C-s"]);
        wait_journal(
            &t,
            home.path(),
            "the message drafted",
            Duration::from_secs(60),
            |r| !entries(r, "message_drafted").is_empty(),
        );
        t.keys(&["M"]);
        t.wait_for("drafted; to post by hand");
        t.keys(&["p"]);
        t.wait_for("Posted by hand");
        t.type_text("#inc-checkout");
        t.keys(&["Enter"]);
        wait_journal(
            &t,
            home.path(),
            "the message posted by hand",
            Duration::from_secs(60),
            |r| !entries(r, "message_posted_by_hand").is_empty(),
        );
        t.keys(&["Escape"]);
    } else {
        t.wait_for("drill: outbox only");
        t.keys(&["C-s"]);
        t.wait_for("Send it now?");
        t.keys(&["y"]);
        wait_journal(
            &t,
            home.path(),
            "the message in the outbox",
            Duration::from_secs(60),
            |r| !entries(r, "message_delivered").is_empty(),
        );
    }

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
    t.quit();

    // The history, as tooling reads it.
    let out = std::process::Command::new(bin())
        .args(["drills", "--format", "json"])
        .env("BACKOUT_HOME", home.path())
        .output()
        .expect("backout drills");
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let list = list["items"].as_array().expect("items");
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
        assert_eq!(
            s["since_start_secs"].as_f64().is_some(),
            timed,
            "{stage}: {d}"
        );
    }
    // The figures, for docs/drills.md (shown with `--nocapture`).
    let figures: Vec<String> = d["scorecard"]["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| format!("{} {}", s["name"], s["secs"]))
        .collect();
    eprintln!(
        "figures {}: {} · time to recover {}",
        case.id,
        figures.join(", "),
        d["scorecard"]["time_to_recover_secs"]
    );
    // Verification and communication came from the checks and the outbox, not from ticks.
    let by = |i: usize| {
        d["scorecard"]["stages"][i]["by"]
            .as_str()
            .unwrap_or_default()
    };
    assert_eq!(
        by(3),
        format!("verification checks passed ({})", case.checks),
        "{d}"
    );
    if case.drafted {
        assert!(by(4).contains("posted by hand"), "{d}");
    } else {
        assert!(by(4).starts_with("message delivered to outbox:"), "{d}");
    }
    if let Some(short) = case.shortfall {
        let all = d["scorecard"]["shortfalls"].to_string();
        assert!(all.contains(short), "{d}");
    } else {
        assert_eq!(d["scorecard"]["shortfalls"], serde_json::json!([]), "{d}");
    }
    assert!(
        d["scorecard"]["time_to_recover_secs"].as_f64().is_some(),
        "{d}"
    );

    // The session journal says it was a drill, has the scenario's event, and the message
    // is in the session's outbox.
    let dir = session_dir(home.path()).expect("a session");
    let records = journal(home.path());
    assert!(
        records
            .iter()
            .any(|r| r["entry"]["type"] == "session_started" && r["entry"]["mode"] == "drill"),
        "{records:#?}"
    );
    assert!(!entries(&records, "drill_event").is_empty());
    if !case.drafted {
        let outbox = std::fs::read_to_string(dir.join("outbox.jsonl")).expect("outbox");
        assert!(outbox.lines().count() >= 1, "{outbox}");
    }
    assert!(
        dir.join("kubeconfig").is_file(),
        "kubeconfig in the session"
    );

    // The report tells the incident: the change from → to, the impact window, the
    // decisions (issue 14 point 8).
    let out = std::process::Command::new(bin())
        .arg("report")
        .env("BACKOUT_HOME", home.path())
        .output()
        .expect("backout report");
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    let section = |name: &str| {
        report
            .split(&format!("\n## {name}\n"))
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_else(|| panic!("a {name} section:\n{report}"))
            .to_string()
    };
    let changes = section("Changes made");
    assert!(
        changes.lines().any(|l| l.starts_with("| 20")
            && l.contains(" → ")
            && (l.contains("server dry-run + diff")
                || l.contains("Argo CD revision metadata and manifests"))
            // A deploy API change is previewed from the service's status (its environment
            // before → after), judged by the answer and the status read again.
            || (l.contains("| deploy-api POST /deployment/rollback | green (5.1.0) → blue (5.0.0) |")
                && l.contains("| GET /deployment/status + preview of POST /deployment/rollback | 200 OK; now blue (5.0.0) |"))),
        "a change, previewed:\n{changes}"
    );
    let impact = section("Impact");
    assert!(
        impact.contains("- Began: ") && impact.contains("- Customer-facing: "),
        "{impact}"
    );
    if changes.contains("rollout undo") {
        assert!(
            section("Incident summary").contains("| Rollback method | kubectl rollout undo "),
            "{report}"
        );
    }
    if case.acknowledge {
        assert!(
            section("Decisions").contains("| severity acknowledged |"),
            "{report}"
        );
    }
}

fn case(id: &str) -> &'static Case {
    CASES
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

#[test]
fn drill_bad_deploy_from_the_intro_to_a_passing_scorecard() {
    run_case(case("bad-deploy"));
}

#[test]
fn drill_bad_deploy_verified_before_the_rollback_does_not_pass() {
    run_case(case("bad-deploy-verified-too-early"));
}

#[test]
fn drill_bad_deploy_without_acknowledging_the_severity_does_not_pass() {
    run_case(case("bad-deploy-never-acknowledged"));
}

#[test]
fn drill_latency_regression_to_a_passing_scorecard() {
    run_case(case("latency-regression"));
}

#[test]
fn drill_crashloop_to_a_passing_scorecard() {
    run_case(case("crashloop"));
}

#[test]
fn drill_feature_flag_turned_off_from_the_actions_menu_to_a_passing_scorecard() {
    run_case(case("feature-flag"));
}

#[test]
fn drill_blue_green_switched_back_from_the_actions_menu_to_a_passing_scorecard() {
    run_case(case("blue-green"));
}

#[test]
fn drill_stuck_rollout_to_a_passing_scorecard() {
    run_case(case("stuck-rollout"));
}

#[test]
fn drill_argocd_self_heal_rolled_back_through_argo_cd_to_a_passing_scorecard() {
    run_case(case("argocd-self-heal"));
}

#[test]
fn drill_blue_green_api_switched_back_through_the_deploy_api_to_a_passing_scorecard() {
    run_case(case("blue-green-api"));
}

#[test]
fn drill_flaky_api_server_to_a_passing_scorecard() {
    run_case(case("flaky-api-server"));
}

/// Whether a process is gone (exited and reaped, or a zombie nobody waits for).
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

/// The terminal dies (an SSH session drops) while the scorecard is up: the drill's record
/// is already saved and the process leaves. It used to stay behind, its signal handlers
/// swallowing the hang-up and crossterm spinning a core on the dead terminal.
#[test]
fn closing_the_terminal_on_the_scorecard_ends_the_process() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().expect("tempdir");
    let t = Tmux::start(
        "drill-hangup",
        130,
        45,
        &[("BACKOUT_HOME", home.path())],
        &format!(
            "sh -c 'cd {} && exec {} drill --speed 20'",
            root.display(),
            bin()
        ),
    );
    t.wait_for("any key starts");
    let pid = t.pane_pid();
    t.keys(&["x"]);
    t.wait_until("the intro closed", |s| !s.contains("any key starts"));
    t.keys(&["q"]);
    t.wait_for("Any key leaves");
    let saved = std::fs::read_dir(home.path().join("drills"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(
        saved, 1,
        "the drill record is saved before the scorecard shows"
    );
    assert!(!process_gone(pid), "the scorecard is up");
    t.kill();
    let start = Instant::now();
    while !process_gone(pid) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "backout (pid {pid}) still runs 30 s after its terminal was closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
