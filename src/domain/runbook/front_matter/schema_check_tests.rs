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

#[test]
fn deploy_api_names_a_url_and_the_tokens_variable() {
    assert_eq!(
        issues(
            "deploy_api: { url: \"https://deploy.example.com/api\", token_env: DEPLOY_API_TOKEN }\n"
        ),
        Vec::<String>::new()
    );
    let got = issues(
        "deploy_api:\n  url: https://ci:s3cr3t@deploy.example.com/api\n  token_env: \"Bearer abc\"\n  tokn: x\n",
    );
    assert_eq!(
        got,
        [
            "2:7: `deploy_api.url` holds credentials; a URL in a runbook must not (put the token in the environment and name the variable in `token_env`; secrets never go in a runbook)",
            "3:13: `deploy_api.token_env` must name an environment variable, not `Bearer abc` (put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook)",
            "4:2: unknown key `tokn` in `deploy_api` (valid keys here: url, token_env)",
        ]
    );
    assert_eq!(
        issues("deploy_api: { url: deploy.example.com }\ndeploy_api: {}\n"),
        [
            "1:19: `deploy_api.url`: `deploy.example.com` is not an http:// or https:// URL (write the base URL, e.g. https://deploy.example.com/api)",
            "2:0: duplicate key `deploy_api` in front matter",
        ]
    );
    assert_eq!(
        issues("deploy_api: { token_env: T }\n"),
        ["1:12: `deploy_api` is missing `url` (`deploy_api` needs `url`)"]
    );
    assert_eq!(
        issues("deploy_api: { url: \"https://d.example/api?env=$ENV\" }\n"),
        [
            "1:19: `deploy_api.url`: `https://d.example/api?env=$ENV` must be a base URL, without a query, a fragment or a variable"
        ]
    );
}

#[test]
fn argocd_names_a_server_and_the_tokens_variable() {
    assert_eq!(
        issues(
            "argocd: { server: \"argocd.example.com:443/argo-cd\", token_env: ARGOCD_TOKEN, insecure: true }\n"
        ),
        Vec::<String>::new()
    );
    let got = issues(
        "argocd:\n  server: admin:s3cr3t@argocd.example.com\n  token_env: \"Bearer abc\"\n  grpc_web: true\n  insecure: yes please\n",
    );
    assert!(!got.iter().any(|i| i.contains("s3cr3t")), "{got:?}");
    assert_eq!(
        got,
        [
            "2:10: `argocd.server`: the value holds credentials; a server address in a runbook must not (put the token in the environment and name the variable in `token_env`; secrets never go in a runbook)",
            "3:13: `argocd.token_env` must name an environment variable, not `Bearer abc` (put the secret in the environment (e.g. SLACK_WEBHOOK_URL) and name the variable here; secrets never go in a runbook)",
            "4:2: unknown key `grpc_web` in `argocd` (valid keys here: server, token_env, insecure)",
            "5:12: `argocd.insecure` must be true or false, not `yes please`",
        ]
    );
    assert_eq!(
        issues("argocd: { server: \"grpc://argocd.example.com\" }\nargocd: {}\n"),
        [
            "1:18: `argocd.server`: `grpc://argocd.example.com` is not an Argo CD server address (write it as the argocd CLI takes it, e.g. argocd.example.com:443)",
            "2:0: duplicate key `argocd` in front matter",
        ]
    );
    assert_eq!(
        issues("argocd: { token_env: ARGOCD_TOKEN }\n"),
        ["1:8: `argocd` is missing `server` (`argocd` needs `server`)"]
    );
}
