//! `backout check` names the deploy API a runbook's own `curl` lines imply when it
//! declares none (docs/cluster.md, "Deploy API lines"): an `info` line and the JSON's
//! additive `deploy_api` (`url`, `source: inferred`, `lines`); two bases are a warning and
//! infer none; a declared `deploy_api.url` is reported as declared.

use std::process::{Command, Output};

use serde_json::Value;

fn backout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backout"))
        .args(args)
        .output()
        .expect("run backout")
}

fn json_file(path: &str) -> Value {
    let out = backout(&["check", "--format", "json", path]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    doc["files"][0].clone()
}

const TEAMS: &str = "tests/runbooks/teams/http-api-rollback.md";

#[test]
fn the_inferred_deploy_api_is_named_with_the_lines_it_came_from() {
    let file = json_file(TEAMS);
    assert_eq!(
        file["deploy_api"],
        serde_json::json!({
            "url": "https://deploy.example.com/api",
            "source": "inferred",
            "lines": [9, 12],
        })
    );
    let info = file["info"].as_array().expect("info");
    assert!(
        info.iter().any(|d| d["line"] == 9
            && d["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(
                    "deploy API https://deploy.example.com/api inferred from the curl lines on lines 9, 12: "
                ))),
        "{info:?}"
    );
    let out = backout(&["check", TEAMS]);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(&format!(
            "{TEAMS}:9:1: info: deploy API https://deploy.example.com/api inferred from the curl lines on lines 9, 12: its /deployment/status, /deployment/rollback, /health requests run through the console"
        )),
        "{human}"
    );
    // A runbook without such lines has no `deploy_api` (the JSON is additive).
    let plain = json_file("runbooks/deployment-rollback.md");
    assert!(plain.get("deploy_api").is_none(), "{plain}");
}

#[test]
fn two_bases_are_a_warning_and_a_declared_one_is_reported_as_declared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let two = dir.path().join("two.md");
    std::fs::write(
        &two,
        "# Two services\n\n## Execute\n\n```sh\ncurl -X POST https://a.example.org/deployment/rollback\n```\n\n## Verify\n\n```sh\ncurl https://b.example.org/x/deployment/status\n```\n",
    )
    .expect("write");
    let file = json_file(two.to_str().expect("utf-8"));
    assert!(file.get("deploy_api").is_none(), "{file}");
    let warnings = file["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|d| d["line"] == 6
            && d["message"]
                == "curl lines call the deploy endpoints under 2 different base URLs: \
                    https://a.example.org (line 6), https://b.example.org/x (line 12); no deploy \
                    API is inferred, so these lines run in the shell"),
        "{warnings:?}"
    );
    let declared = dir.path().join("declared.md");
    std::fs::write(
        &declared,
        "---\nbackout: 1\ndeploy_api: { url: \"https://deploy.example.net/v2\" }\n---\n# R\n\n## Execute\n\n```sh\ncurl -X POST https://deploy.example.net/v2/deployment/rollback\n```\n",
    )
    .expect("write");
    let file = json_file(declared.to_str().expect("utf-8"));
    assert_eq!(
        file["deploy_api"],
        serde_json::json!({"url": "https://deploy.example.net/v2", "source": "front_matter"})
    );
}
