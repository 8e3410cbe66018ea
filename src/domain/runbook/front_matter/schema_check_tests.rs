//! Front-matter checking: every issue at its key, with its suggestion.

use super::super::yaml;
use super::*;

fn issues(yaml_text: &str) -> Vec<String> {
    let root = yaml::parse(yaml_text).expect("syntax").expect("content");
    check(&root)
        .into_iter()
        .map(|i| {
            format!(
                "{}:{}: {}{}",
                i.line,
                i.col,
                i.message,
                i.hint.map(|h| format!(" ({h})")).unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn reports_every_issue_at_its_key() {
    let got = issues(
        "titel: x\n\
         target: { namespce: a }\n\
         rto: { SEV-1: soon, SEV-2: 5m }\n\
         matrix:\n  - { when: x > 1, severity: SEV-1 }\n\
         notify: { slack: { webhook_env: \"https://hooks.example/x\" } }\n\
         phases: { Deploy: exec }\n\
         backout: 2\n",
    );
    assert_eq!(
        got,
        [
            "1:0: unknown front matter key `titel` (did you mean `title`?)",
            "2:10: unknown key `namespce` in `target` (did you mean `namespace`?)",
            "3:14: `rto.SEV-1`: `soon` is not a duration (expected e.g. 90s, 2m, 1h30m)",
            "5:4: matrix rule 1 is missing `action` (matrix rule 1 needs `when`, `severity` and `action`)",
            "6:32: `notify.slack.webhook_env` names an environment variable; it must not hold the URL itself (put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook)",
            "7:18: `phases.Deploy`: `exec` is not a phase (did you mean `execution`?)",
            "8:9: unsupported runbook format version `2` (this backout reads `backout: 1`)",
        ]
    );
}

#[test]
fn wrong_kinds_and_duplicates() {
    let got = issues("target: prod\nmatrix: { when: x }\nrto: {}\nrto: {}\n");
    assert_eq!(
        got,
        [
            "1:8: `target` must be a mapping, not `prod`",
            "2:8: `matrix` must be a list, not a mapping",
            "4:0: duplicate key `rto` in front matter",
        ]
    );
}
