//! A step of `curl` lines aimed at the deploy API runs through the console: a GET at once,
//! a POST previewed, confirmed by typing, journaled before it is sent; the outcome judged
//! by the answer (an error body fails the run even though curl would exit 0); Esc sends
//! nothing; lines to other hosts stay a shell block.

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
    }
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
    // The POST waits for its typed confirmation: nothing sent yet.
    assert!(
        !fx.iter()
            .any(|f| matches!(f, Effect::DeployApi(DeployApiEffect::Request { .. })))
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
        Some("preview of POST /deployment/rollback")
    );
    assert_eq!(change.via.as_deref(), Some("step #1 via deploy API"));
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
    assert!(
        matches!(&written[..], [Entry::ClusterActionFinished { ok: true, outcome, .. }] if outcome == "200 OK"),
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
    assert!(app.deploy_api.run.is_none());
    let journaled = format!("{:?}", app.records);
    assert!(!journaled.contains("s3cr3t-token"), "{journaled}");
}

#[test]
fn an_error_answer_fails_the_run_though_curl_would_exit_0() {
    let mut app = deploy_app(&format!("{ROLLBACK}\n{STATUS}"));
    send(&mut app, key('r'));
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
    assert!(
        matches!(
            &written[..],
            [
                Entry::ClusterActionFinished { ok: false, outcome, .. },
                Entry::CommandFinished { exit_code: Some(1), .. }
            ] if outcome == "409 Conflict: rollback locked"
        ),
        "{written:?}"
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
    send(&mut app, key('r'));
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
