//! A step of `curl` lines aimed at the deploy API runs through the console: a GET at once,
//! a POST previewed from the service's status (before → after), confirmed by typing,
//! journaled before it is sent, and the status read again for its outcome; the outcome
//! judged by the answer (an error body fails the run even though curl would exit 0); Esc
//! sends nothing; lines to other hosts stay a shell block; the front matter's
//! `deploy_api:` names the deploy API of a live runbook.

use ratatui::crossterm::event::KeyCode;

use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{DeployApiEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::deploy_api::DeployAnswer;
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;
use crate::ui::update::update;

const BASE: &str = "https://127.0.0.1:8443/deploy-api";
const STATUS: &str = r#"curl -fsS -H "Authorization: Bearer $DEPLOY_API_TOKEN" "$DEPLOY_API/deployment/status" | jq '.currentEnvironment'"#;
const ROLLBACK: &str = r#"curl -s -X POST -H "Authorization: Bearer $DEPLOY_API_TOKEN" "$DEPLOY_API/deployment/rollback""#;

fn deploy_app(script: &str) -> App {
    let book = crate::domain::runbook::parse(
        std::path::Path::new("bluegreen.md"),
        &format!("# Blue/green\n\n## 2. Execute\n\nSwitch back.\n\n```bash\n{script}\n```\n"),
    )
    .expect("loads");
    let mut app = app_for(book);
    app.deploy_api.sim_base = Some(BASE.into());
    // The token, as typed when asked (or the drill's): a secret binding.
    app.secrets
        .insert("DEPLOY_API_TOKEN".into(), "s3cr3t-token".into());
    app.redactor.add("s3cr3t-token");
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    app
}

fn request(fx: &[Effect]) -> (u64, String, String) {
    fx.iter()
        .find_map(|f| match f {
            Effect::DeployApi(DeployApiEffect::Request { op, call, token }) => {
                // The token goes to the request only, from the session's secret.
                assert_eq!(call.token_env.as_deref(), Some("DEPLOY_API_TOKEN"));
                assert_eq!(token.as_ref().map(|t| t.expose()), Some("s3cr3t-token"));
                Some((*op, call.method.clone(), call.url.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no deploy API request in {fx:?}"))
}

fn answered(ok: bool, summary: &str, printed: &[&str]) -> DeployAnswer {
    DeployAnswer::Answered {
        ok,
        summary: summary.into(),
        printed: printed.iter().map(|s| s.to_string()).collect(),
        body: String::new(),
    }
}

/// `GET /deployment/status` as the simulator answers it (`sim/deploy_api`), `current`
/// serving and the other environment the previous one.
fn status(current: &str) -> DeployAnswer {
    let previous = if current == "blue" { "green" } else { "blue" };
    let version = |e: &str| if e == "blue" { "5.0.0" } else { "5.1.0" };
    DeployAnswer::Answered {
        ok: true,
        summary: "200 OK".into(),
        printed: vec!["HTTP 200 OK".into()],
        body: serde_json::json!({
            "service": "storefront",
            "currentEnvironment": current,
            "previousEnvironment": previous,
            "version": version(current),
            "environments": {
                "blue": {"deployment": "storefront-blue", "version": "5.0.0", "readyReplicas": 3},
                "green": {"deployment": "storefront-green", "version": "5.1.0", "readyReplicas": 3},
            },
            "history": [
                {"environment": "blue", "version": "5.0.0"},
                {"environment": "green", "version": "5.1.0"},
            ],
        })
        .to_string(),
    }
}

/// `r` on the step; the service's status read for the POST's preview, answered with
/// `current` serving.
fn previewed_with(app: &mut App, current: DeployAnswer) {
    let (fx, _) = send(app, key('r'));
    let (op, method, url) = request(&fx);
    assert_eq!(
        (method.as_str(), url),
        ("GET", format!("{BASE}/deployment/status")),
        "a change's preview reads the status first"
    );
    let (fx, written) = send(
        app,
        Msg::DeployApi {
            op,
            answer: current,
        },
    );
    assert!(fx.is_empty() && written.is_empty(), "{fx:?} {written:?}");
}

fn output(app: &App) -> Vec<String> {
    app.output.lines.iter().map(|l| l.text.clone()).collect()
}

#[test]
fn curl_lines_to_the_deploy_api_run_previewed_confirmed_and_journaled() {
    let mut app = deploy_app(&format!("{ROLLBACK}\n{STATUS}"));
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(&written[..], [Entry::PhaseEntered { .. }, Entry::CommandStarted { command, .. }]
            if command.starts_with("natively (deploy API): curl -s -X POST")),
        "{written:?}"
    );
    // The POST waits for its preview and typed confirmation: only the status is read.
    let (op, method, url) = request(&fx);
    assert_eq!(
        (method.as_str(), url),
        ("GET", format!("{BASE}/deployment/status"))
    );
    assert!(
        app.layers
            .iter()
            .all(|l| !matches!(l, Layer::ClusterConfirm(_)))
    );
    let (fx, _) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: status("green"),
        },
    );
    assert!(
        fx.is_empty(),
        "nothing sent before the confirmation: {fx:?}"
    );
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("no confirmation");
    };
    assert_eq!(cc.title, "Deploy API: POST /deployment/rollback");
    assert_eq!(
        cc.question,
        "Type rollback to send POST /deployment/rollback to the deploy API:"
    );
    assert_eq!(cc.diff[0], format!("POST {BASE}/deployment/rollback"));
    // Before → after, from the status.
    assert_eq!(cc.diff[2], "Before: storefront: green (5.1.0) is serving");
    assert_eq!(
        cc.diff[3],
        "After:  blue (5.0.0) (the previous environment): green (5.1.0) → blue (5.0.0)"
    );
    typed(&mut app, "rollbak");
    update(&mut app, code(KeyCode::Enter));
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("a wrong word keeps the confirmation");
    };
    assert!(
        cc.error
            .as_deref()
            .is_some_and(|e| e.contains("(rollback)"))
    );
    update(&mut app, code(KeyCode::Backspace));
    typed(&mut app, "ck");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    let [
        Entry::ClusterActionRequested {
            action,
            target,
            change: Some(change),
        },
    ] = &written[..]
    else {
        panic!("{written:?}");
    };
    assert!(action.starts_with("curl -s -X POST"), "{action}");
    assert_eq!(target, "deploy-api POST /deployment/rollback");
    assert_eq!(
        change.previewed.as_deref(),
        Some("GET /deployment/status + preview of POST /deployment/rollback")
    );
    assert_eq!(change.via.as_deref(), Some("step #1 via deploy API"));
    assert_eq!(
        (change.from_image.as_deref(), change.to_image.as_deref()),
        (Some("green (5.1.0)"), Some("blue (5.0.0)"))
    );
    let (op, method, url) = request(&fx);
    assert_eq!(
        (method.as_str(), url),
        ("POST", format!("{BASE}/deployment/rollback"))
    );
    let (fx, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answered(
                true,
                "200 OK",
                &["HTTP 200 OK", "{", r#"  "status": "rolled_back""#, "}"],
            ),
        },
    );
    // Answered: the status is read again before the outcome is journaled.
    assert!(written.is_empty(), "{written:?}");
    let (op, method, url) = request(&fx);
    assert_eq!(
        (method.as_str(), url),
        ("GET", format!("{BASE}/deployment/status"))
    );
    let (fx, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: status("blue"),
        },
    );
    assert!(
        matches!(&written[..], [Entry::ClusterActionFinished { ok: true, outcome, .. }]
            if outcome == "200 OK; now blue (5.0.0)"),
        "{written:?}"
    );
    // The GET goes at once.
    let (op, method, _) = request(&fx);
    assert_eq!(method, "GET");
    let (_, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answered(
                true,
                "200 OK",
                &[
                    "HTTP 200 OK",
                    "| jq .currentEnvironment (the jq program, fed the response):",
                    "\"blue\"",
                ],
            ),
        },
    );
    assert!(
        matches!(
            &written[..],
            [Entry::CommandFinished {
                exit_code: Some(0),
                ..
            }]
        ),
        "{written:?}"
    );
    let out = output(&app);
    assert!(
        out.iter().any(|l| l == r#"  "status": "rolled_back""#),
        "{out:?}"
    );
    assert!(out.iter().any(|l| l == "\"blue\""), "{out:?}");
    assert!(
        out.iter()
            .any(|l| l == "Now: blue (5.0.0) is serving (GET /deployment/status)"),
        "{out:?}"
    );
    assert!(app.deploy_api.run.is_none());
    let journaled = format!("{:?}", app.records);
    assert!(!journaled.contains("s3cr3t-token"), "{journaled}");
    // The report's change line: From → to.
    let report =
        crate::domain::report::build(&app.state.progress, &app.records, Some(&app.runbook));
    let md = crate::domain::report::to_markdown(&report);
    assert!(md.contains("green (5.1.0) → blue (5.0.0)"), "{md}");
    assert_eq!(
        report.changes.last().and_then(|c| c.from_to()).as_deref(),
        Some("green (5.1.0) → blue (5.0.0)")
    );
}

/// Answers the status read that `fx` asks for with "still green" and checks the run failed
/// with `expected` as its outcome (journaled, then the command's exit 1); returns the
/// effects of that answer.
fn still_green_fails(app: &mut App, fx: &[Effect], expected: &str) -> Vec<Effect> {
    let (op, ..) = request(fx);
    let (fx, written) = send(
        app,
        Msg::DeployApi {
            op,
            answer: status("green"),
        },
    );
    assert!(
        matches!(
            &written[..],
            [
                Entry::ClusterActionFinished { ok: false, outcome, .. },
                Entry::CommandFinished { exit_code: Some(1), .. }
            ] if outcome == expected
        ),
        "{written:?}"
    );
    fx
}

#[test]
fn a_rollback_that_left_the_service_where_it_was_fails() {
    let mut app = deploy_app(ROLLBACK);
    previewed_with(&mut app, status("green"));
    typed(&mut app, "rollback");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    let (op, ..) = request(&fx);
    let (fx, _) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answered(true, "200 OK", &["HTTP 200 OK"]),
        },
    );
    still_green_fails(
        &mut app,
        &fx,
        "200 OK; still green (5.1.0), not blue (GET /deployment/status)",
    );
}

#[test]
fn without_a_status_the_change_is_previewed_by_method_and_path_only() {
    let mut app = deploy_app(ROLLBACK);
    previewed_with(
        &mut app,
        answered(false, "404 Not Found: no route GET /deployment/status", &[]),
    );
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("no confirmation");
    };
    assert_eq!(
        cc.diff[2],
        "Before: not known (GET /deployment/status: 404 Not Found: no route GET /deployment/status); what it changes is not previewed."
    );
    typed(&mut app, "rollback");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&written[..], [Entry::ClusterActionRequested { change: Some(c), .. }]
            if c.from_image.is_none() && c.to_image.is_none()
                && c.previewed.as_deref() == Some("preview of POST /deployment/rollback")),
        "{written:?}"
    );
    let (op, ..) = request(&fx);
    // No status to read again: the answer is the outcome.
    let (fx, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answered(true, "200 OK", &["HTTP 200 OK"]),
        },
    );
    assert!(!fx.iter().any(|f| matches!(f, Effect::DeployApi(_))));
    assert!(
        matches!(&written[..], [Entry::ClusterActionFinished { ok: true, outcome, .. }, Entry::CommandFinished { .. }]
            if outcome == "200 OK"),
        "{written:?}"
    );
}

#[test]
fn the_front_matters_deploy_api_names_the_live_deploy_service() {
    const LIVE: &str = "https://deploy.example.com/api";
    let book = crate::domain::runbook::parse(
        std::path::Path::new("bluegreen.md"),
        &format!(
            "---\nbackout: 1\ndeploy_api: {{ url: \"{LIVE}\", token_env: DEPLOY_TOKEN }}\n---\n# Blue/green\n\n## 2. Execute\n\n```bash\ncurl -fsS -X POST {LIVE}/deployment/rollback\ncurl -fsS -H \"Authorization: Bearer $DEPLOY_TOKEN\" \"$DEPLOY_API/health\"\n```\n"
        ),
    )
    .expect("loads");
    let mut app = app_for(book);
    // `DEPLOY_TOKEN` set in the environment: the console binds it as a secret at start
    // (`AppBuilder::deploy_api_token`), so it is not asked for.
    app.secrets
        .insert("DEPLOY_TOKEN".into(), "live-t0ken".into());
    app.redactor.add("live-t0ken");
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    assert_eq!(app.deploy_api.sim_base, None);
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { command, .. }]
            if command.starts_with("natively (deploy API): curl -fsS -X POST")),
        "{written:?}"
    );
    // The status for the preview, under the front matter's URL, with its token variable
    // (the executor reads its value from the environment).
    let (call, token) = fx
        .iter()
        .find_map(|f| match f {
            Effect::DeployApi(DeployApiEffect::Request { call, token, .. }) => {
                Some((call.clone(), token.clone()))
            }
            _ => None,
        })
        .expect("a request");
    assert_eq!(call.url, format!("{LIVE}/deployment/status"));
    assert_eq!(call.token_env.as_deref(), Some("DEPLOY_TOKEN"));
    assert_eq!(token.as_ref().map(|t| t.expose()), Some("live-t0ken"));
    // `$DEPLOY_API` is the front matter's URL.
    assert_eq!(
        app.bindings().get("DEPLOY_API").map(String::as_str),
        Some(LIVE)
    );
}
#[test]
fn an_error_answer_fails_the_run_though_curl_would_exit_0() {
    let mut app = deploy_app(&format!("{ROLLBACK}\n{STATUS}"));
    previewed_with(&mut app, status("green"));
    typed(&mut app, "rollback");
    let (fx, _) = send(&mut app, code(KeyCode::Enter));
    let (op, ..) = request(&fx);
    let (fx, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answered(
                false,
                "409 Conflict: rollback locked",
                &["HTTP 409 Conflict: rollback locked"],
            ),
        },
    );
    // Answered: the status is read again, and says nothing changed.
    assert!(written.is_empty(), "{written:?}");
    let fx = still_green_fails(
        &mut app,
        &fx,
        "409 Conflict: rollback locked; still green (5.1.0), not blue (GET /deployment/status)",
    );
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::DeployApi(DeployApiEffect::Request { .. }))),
        "the run stops"
    );
}

#[test]
fn esc_sends_nothing_and_is_declined() {
    let mut app = deploy_app(ROLLBACK);
    previewed_with(&mut app, status("green"));
    let (fx, written) = send(&mut app, code(KeyCode::Esc));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::DeployApi(DeployApiEffect::Request { .. })))
    );
    assert!(
        matches!(
            &written[..],
            [
                Entry::CommandFinished {
                    cancelled: true,
                    ..
                },
                Entry::CommandDeclined { .. }
            ]
        ),
        "{written:?}"
    );
}

#[test]
fn lines_to_other_hosts_stay_a_shell_block() {
    let mut app = deploy_app("curl -fsS https://status.example.com/api/v2/status.json");
    let (fx, _) = send(&mut app, key('r'));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::DeployApi(DeployApiEffect::Request { .. })))
    );
    assert!(app.deploy_api.run.is_none());
    assert!(app.layers.iter().any(|l| matches!(l, Layer::Confirm(_))));
    // Without a deploy API the console knows, the runbook's curl lines are the shell's too.
    let mut app = deploy_app(STATUS);
    app.deploy_api.sim_base = None;
    let (fx, _) = send(&mut app, key('r'));
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::DeployApi(DeployApiEffect::Request { .. })))
    );
}
