//! `backout check`, run as the built binary: exit codes, human output and the JSON report.

use std::process::{Command, Output};

use serde_json::Value;

fn backout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(args)
        .output()
        .expect("run backout")
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn json_report_of_a_valid_runbook() {
    let out = backout(&[
        "check",
        "--format",
        "json",
        "runbooks/deployment-rollback.md",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["path"], "runbooks/deployment-rollback.md");
    assert_eq!(file["ok"], true);
    assert_eq!(file["title"], "Checkout API — roll back a bad deployment");
    let kinds: Vec<&str> = file["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .map(|p| p["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "preparation",
            "execution",
            "verification",
            "communication",
            "post-rollback"
        ]
    );
    assert_eq!(file["phases"][1]["name"], "2. Execute the rollback (5 min)");
    assert_eq!(file["phases"][1]["line"], 91);
    assert_eq!(
        file["phases"][2]["steps"], 11,
        "7 written steps and 4 `verify:` checks"
    );
    assert_eq!(file["phases"][1]["steps"], 4);
    assert_eq!(
        file["counts"],
        serde_json::json!({
            "checklist_items": 17,
            "command_steps": 7,
            "kubectl_commands": 9,
            "kubectl_runnable": 9,
            "promql_checks": 2,
            "check_steps": 4,
            "verification_checks": 6,
            "matrix_rows": 8,
            "placeholders": 5
        })
    );
    assert_eq!(file["warnings"], serde_json::json!([]));
    assert_eq!(file["errors"], serde_json::json!([]));
    // Issue 12: sections with roles, steps with commands and what they change.
    assert_eq!(
        file["sections"][0],
        serde_json::json!({"heading": "When not to use this runbook", "line": 49, "level": 2, "role": "reference"})
    );
    let prepare = file["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["line"] == 66)
        .expect("the prepare heading");
    assert_eq!(
        *prepare,
        serde_json::json!({"heading": "1. Prepare (3 min)", "line": 66, "level": 2, "role": "phase", "kind": "preparation"})
    );
    let steps = file["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 30);
    let undo = steps
        .iter()
        .find(|s| {
            s["mutating"] == true
                && s["change"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("rollout undo"))
        })
        .expect("the rollback step");
    assert_eq!(undo["phase"], "execution");
    assert_eq!(undo["commands"][0]["runs"], "native");
    assert_eq!(file["alternatives"], serde_json::json!([]));
}

#[test]
fn json_report_of_an_invalid_runbook_exits_1_with_located_errors() {
    let out = backout(&[
        "check",
        "--format",
        "json",
        "tests/runbooks/invalid/unknown-front-matter-key.md",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let file = &doc["files"][0];
    assert_eq!(file["ok"], false);
    assert_eq!(file["counts"], Value::Null);
    assert_eq!(
        file["errors"],
        serde_json::json!([{
            "file": "tests/runbooks/invalid/unknown-front-matter-key.md",
            "line": 3,
            "col": 1,
            "level": "error",
            "message": "unknown front matter key `rtoo`",
            "hint": "did you mean `rto`?"
        }])
    );
}

#[test]
fn one_bad_file_among_good_ones_fails_the_run() {
    let out = backout(&[
        "check",
        "--format",
        "json",
        "runbooks/feature-flag-rollback.md",
        "tests/runbooks/invalid/no-steps.md",
        "tests/runbooks/warnings/unused-var.md",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let oks: Vec<bool> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["ok"].as_bool().expect("ok"))
        .collect();
    assert_eq!(oks, [true, false, true]);
    assert_eq!(doc["files"][2]["warnings"][0]["level"], "warning");
    assert_eq!(doc["files"][2]["warnings"][0]["line"], 4);
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let out = backout(&["check", "--format", "json", "no/such/runbook.md"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    let error = &doc["files"][0]["errors"][0];
    assert_eq!(error["file"], "no/such/runbook.md");
    assert_eq!(error["line"], Value::Null);
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .starts_with("cannot read file:")
    );

    let out = backout(&["check", "no/such/runbook.md"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("no/such/runbook.md: error: cannot read file:"),
        "{text}"
    );
}

#[test]
fn human_output_summarises_each_file_and_prints_diagnostics() {
    let out = backout(&[
        "check",
        "runbooks/blue-green-rollback.md",
        "tests/runbooks/invalid/several-errors.md",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "✓ runbooks/blue-green-rollback.md — 5 phases, 20 steps (12 checklist, 6 commands with 8 kubectl, 2 PromQL, 2 verification checks), 6 matrix rows, 7 placeholders"
    );
    assert_eq!(
        lines[1],
        "    prepare       Pre-rollback checklist (1 min) — 5 steps (line 51)"
    );
    assert!(lines.contains(&"✗ tests/runbooks/invalid/several-errors.md — 3 errors"));
    assert!(lines.contains(
        &"tests/runbooks/invalid/several-errors.md:3:27: error: unknown key `deploymnet` in `target`"
    ));
    assert!(lines.contains(&"  hint: did you mean `deployment`?"));
    assert_eq!(lines.last(), Some(&"checked 2 files: 1 ok, 1 failed"));
}

#[test]
fn every_project_runbook_checks_with_exit_0() {
    let mut args = vec!["check".to_string()];
    let mut files: Vec<String> = std::fs::read_dir("runbooks")
        .expect("runbooks/")
        .map(|e| e.expect("entry").path().display().to_string())
        .filter(|p| p.ends_with(".md"))
        .collect();
    files.sort();
    args.extend(files);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = backout(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with("checked 12 files: 12 ok, 0 failed\n"),
        "{text}"
    );
    assert!(!text.contains("warning:"), "{text}");
}

/// Alternatives name their steps by the ids `steps[].id` uses (`#3`), and a step names its
/// group and member by their ids (`alt-1`, `B`), so the two lists can be joined by value.
#[test]
fn json_alternatives_and_steps_refer_to_each_other_by_the_same_ids() {
    let out = backout(&[
        "check",
        "-o",
        "json",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/runbooks/teams/options-a-to-d.md"
        ),
    ]);
    let report = json(&out);
    let file = &report["files"][0];
    let group = &file["alternatives"][0];
    assert_eq!(group["id"], "alt-1");
    let keys: Vec<&str> = group["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["key"].as_str().expect("key"))
        .collect();
    assert_eq!(keys, ["A", "B", "C", "D"]);
    // Sections of alternatives name the same group and member ids, never positions.
    let alt_sections: Vec<(&str, &str)> = file["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter(|s| s["role"] == "alternative")
        .map(|s| {
            (
                s["group"].as_str().expect("group id"),
                s["member"].as_str().expect("member key"),
            )
        })
        .collect();
    for key in ["A", "B", "C", "D"] {
        assert!(alt_sections.contains(&("alt-1", key)), "{alt_sections:?}");
    }
    let steps = file["steps"].as_array().expect("steps");
    for member in group["members"].as_array().expect("members") {
        for id in member["steps"].as_array().expect("member steps") {
            let step = steps
                .iter()
                .find(|s| s["id"] == *id)
                .unwrap_or_else(|| panic!("member step {id} is one of steps[]"));
            assert_eq!(
                step["alternative"],
                serde_json::json!({"group": "alt-1", "member": member["key"]}),
                "{id}"
            );
        }
    }
    // Option B's step shows what it changes, whatever its title says.
    let b = &group["members"][1]["steps"][0];
    let b_step = steps
        .iter()
        .find(|s| s["id"] == *b)
        .expect("option B's step");
    assert_eq!(b_step["mutating"], true);
    assert_eq!(
        b_step["change"],
        "rollout undo deployment/gateway → revision 42"
    );
    // Native for the verbs the console runs through the API.
    assert!(
        b_step["commands"]
            .as_array()
            .expect("commands")
            .iter()
            .all(|c| c["runs"] == "native")
    );
}

/// The human report lists each group of alternatives with its members and their steps, so
/// "Option B" is visibly one of four ways, not the second step of four.
#[test]
fn human_output_lists_alternatives_as_one_choice() {
    let out = backout(&["check", "tests/runbooks/teams/options-a-to-d.md"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("    alternatives  choose one (line 13):"))
        .unwrap_or_else(|| panic!("an alternatives line:\n{text}"));
    assert!(
        lines[at + 1].starts_with("       A  Option A: Quick rollback — #"),
        "{text}"
    );
    assert!(
        lines[at + 2].starts_with("       B  Option B: Specific version — #"),
        "{text}"
    );
    assert!(
        lines[at + 3].starts_with("       C  Option C: kubectl set image — #"),
        "{text}"
    );
    assert!(
        lines[at + 4].starts_with("       D  Option D: Revision number from the pipeline — #"),
        "{text}"
    );
}

/// Comments in a block title the commands after them; SQL typed into `psql` and a
/// manifest's YAML pasted into a ```bash block are listed as such, never as commands.
#[test]
fn json_commands_carry_their_comment_titles_and_sql_yaml_lines_are_not_commands() {
    let out = backout(&[
        "check",
        "-o",
        "json",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/runbooks/teams/database-migration-sql.md"
        ),
    ]);
    let report = json(&out);
    let steps = report["files"][0]["steps"].as_array().expect("steps");
    let commands = |i: usize| -> Vec<(String, String)> {
        steps[i]["commands"]
            .as_array()
            .expect("commands")
            .iter()
            .map(|c| {
                (
                    c["title"].as_str().unwrap_or("-").to_string(),
                    c["text"].as_str().expect("text").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        commands(2),
        [
            (
                "Check current status".to_string(),
                "kubectl -n payments get deploy/orders-api".to_string()
            ),
            (
                "Check current status".to_string(),
                "kubectl -n payments get pods -l app=orders-api".to_string()
            ),
            (
                "Scale the writers down".to_string(),
                "kubectl -n payments scale deployment/orders-worker --replicas=0".to_string()
            ),
        ]
    );
    // The psql step runs psql only; its SQL is listed apart.
    assert_eq!(
        commands(3),
        [(
            "Connect to the primary".to_string(),
            "psql -h orders-db.payments.svc -U migrator orders".to_string()
        )]
    );
    let foreign = |i: usize| -> Vec<(String, String)> {
        steps[i]["foreign_lines"]
            .as_array()
            .expect("foreign lines")
            .iter()
            .map(|l| {
                (
                    l["kind"].as_str().expect("kind").to_string(),
                    l["text"].as_str().expect("text").to_string(),
                )
            })
            .collect()
    };
    let sql = foreign(3);
    assert_eq!(sql.len(), 8, "{sql:?}");
    assert!(sql.iter().all(|(kind, _)| kind == "sql"));
    assert!(sql.iter().any(|(_, t)| t.starts_with("ALTER TABLE orders")));
    // The manifest's YAML is no command; the rollback after it is, under its own comment.
    let yaml = foreign(4);
    assert_eq!(yaml.len(), 6, "{yaml:?}");
    assert!(yaml.iter().all(|(kind, _)| kind == "yaml"));
    assert_eq!(
        commands(4).last().map(|(t, _)| t.as_str()),
        Some("Roll the API back")
    );
    assert!(
        commands(4)
            .iter()
            .all(|(_, text)| !text.contains("apiVersion"))
    );
}
