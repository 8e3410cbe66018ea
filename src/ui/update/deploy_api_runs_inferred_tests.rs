//! A runbook that declares no deploy API but names one by a literal URL on its `curl`
//! lines (`domain::deploy_api::inferred_base`): under that base the deploy service's own
//! endpoints run through the console exactly as under a declared `deploy_api.url` — a
//! failed HTTP status fails the step, though `curl` without `-f` would exit 0 — while a
//! request to another path under it (the application's) leaves its block a shell block;
//! in a drill the base is bound to the simulator's deploy service.

use ratatui::crossterm::event::KeyCode;

use crate::domain::deploy_api::CurlCall;
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{DeployApiEffect, Effect};
use crate::ui::msg::Msg;
use crate::ui::state::deploy_api::DeployAnswer;
use crate::ui::state::{App, Layer};
use crate::ui::testkit::*;

const LIVE: &str = "https://deploy.example.org/ops";
const SIM: &str = "https://127.0.0.1:8443/deploy-api";

/// Our own runbook: the switch back in step #1, a smoke test of the application in #2,
/// the status read in #3, every line naming the service by its literal URL.
fn literal_app() -> App {
    let md = format!(
        "# Shop switch-back\n\n## Execute\n\n```sh\n# Switch the shop back\ncurl -X POST {LIVE}/deployment/rollback\n```\n\n```sh\n# Smoke test\ncurl -X POST {LIVE}/api/query -d '{{\"q\": \"ping\"}}'\n```\n\n## Verify\n\n```sh\ncurl {LIVE}/deployment/status | jq '.currentEnvironment'\n```\n"
    );
    let book = crate::domain::runbook::parse(std::path::Path::new("shop.md"), &md).expect("loads");
    let mut app = app_for(book);
    app.cursor = app.flat_index_of(StepId(0)).expect("step");
    app
}

fn request(fx: &[Effect]) -> (u64, CurlCall, Option<String>) {
    fx.iter()
        .find_map(|f| match f {
            Effect::DeployApi(DeployApiEffect::Request { op, call, token }) => Some((
                *op,
                call.clone(),
                token.as_ref().map(|t| t.expose().to_string()),
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no deploy API request in {fx:?}"))
}

fn answer(ok: bool, summary: &str, body: serde_json::Value) -> DeployAnswer {
    DeployAnswer::Answered {
        ok,
        summary: summary.into(),
        printed: vec![format!("HTTP {summary}")],
        body: body.to_string(),
    }
}

fn status(current: &str) -> DeployAnswer {
    let previous = if current == "blue" { "green" } else { "blue" };
    answer(
        true,
        "200 OK",
        serde_json::json!({
            "service": "shop",
            "currentEnvironment": current,
            "previousEnvironment": previous,
            "environments": {"blue": {"version": "3.0.0"}, "green": {"version": "3.1.0"}},
        }),
    )
}

#[test]
fn a_literal_url_post_runs_natively_and_a_failed_status_fails_the_step() {
    let mut app = literal_app();
    assert_eq!(app.deploy_api.sim_base, None);
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { command, .. }]
            if command.starts_with(&format!("natively (deploy API): # Switch the shop back\ncurl -X POST {LIVE}/deployment/rollback"))),
        "{written:?}"
    );
    // Previewed from the status under the inferred base (no token: the line names none).
    let (op, call, token) = request(&fx);
    assert_eq!(
        (call.method.as_str(), call.url.as_str(), token),
        ("GET", format!("{LIVE}/deployment/status").as_str(), None)
    );
    let (fx, _) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: status("green"),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        panic!("no confirmation");
    };
    assert_eq!(cc.title, "Deploy API: POST /deployment/rollback");
    assert_eq!(
        cc.diff[3],
        "After:  blue (3.0.0) (the previous environment): green (3.1.0) → blue (3.0.0)"
    );
    typed(&mut app, "rollback");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&written[..], [Entry::ClusterActionRequested { target, change: Some(c), .. }]
            if target == "deploy-api POST /deployment/rollback"
                && c.previewed.as_deref() == Some("GET /deployment/status + preview of POST /deployment/rollback")),
        "{written:?}"
    );
    let (op, call, _) = request(&fx);
    assert_eq!(
        (call.method.as_str(), call.url.as_str()),
        ("POST", format!("{LIVE}/deployment/rollback").as_str())
    );
    // The service answers 500: `curl` without -f exits 0 on it; the step fails.
    let (fx, written) = send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: answer(
                false,
                "500 Internal Server Error",
                serde_json::json!({"error": "switch failed"}),
            ),
        },
    );
    assert!(written.is_empty(), "{written:?}");
    let (op, call, _) = request(&fx);
    assert_eq!(call.url, format!("{LIVE}/deployment/status"));
    let (_, written) = send(
        &mut app,
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
            ] if outcome.starts_with("500 Internal Server Error")
        ),
        "{written:?}"
    );
    assert!(app.deploy_api.run.is_none());
}

#[test]
fn the_status_read_under_the_inferred_base_is_sent_at_once() {
    let mut app = literal_app();
    app.cursor = app.flat_index_of(StepId(2)).expect("step");
    let (fx, written) = send(&mut app, key('r'));
    assert!(
        matches!(&written[..], [.., Entry::CommandStarted { command, .. }]
            if command.starts_with("natively (deploy API): ")),
        "{written:?}"
    );
    let (_, call, _) = request(&fx);
    assert_eq!(
        (call.method.as_str(), call.url.as_str()),
        ("GET", format!("{LIVE}/deployment/status").as_str())
    );
}

#[test]
fn a_post_to_another_path_under_the_base_stays_a_shell_block() {
    let mut app = literal_app();
    app.cursor = app.flat_index_of(StepId(1)).expect("step");
    let (fx, _) = send(&mut app, key('r'));
    assert!(
        !fx.iter().any(|f| matches!(f, Effect::DeployApi(_))),
        "{fx:?}"
    );
    assert!(app.deploy_api.run.is_none());
    // The shell's own confirmation, not a deploy change's preview.
    assert!(app.layers.iter().any(|l| matches!(l, Layer::Confirm(_))));
    assert!(
        !app.layers
            .iter()
            .any(|l| matches!(l, Layer::ClusterConfirm(_)))
    );
}

#[test]
fn in_a_drill_the_inferred_base_is_the_simulators_deploy_service() {
    let mut app = literal_app();
    app.deploy_api.sim_base = Some(SIM.into());
    app.secrets
        .insert("DEPLOY_API_TOKEN".into(), "sim-t0ken".into());
    app.redactor.add("sim-t0ken");
    let (fx, _) = send(&mut app, key('r'));
    // The status for the preview is the simulator's, with the drill's token.
    let (op, call, token) = request(&fx);
    assert_eq!(call.url, format!("{SIM}/deployment/status"));
    assert_eq!(token.as_deref(), Some("sim-t0ken"));
    let out: Vec<String> = app.output.lines.iter().map(|l| l.text.clone()).collect();
    assert!(
        out.contains(&format!("$ curl -X POST {LIVE}/deployment/rollback")),
        "the line as written: {out:?}"
    );
    assert!(
        out.contains(&format!(
            "  (sent to {SIM}/deployment/rollback: {LIVE} bound to the drill's deploy service {SIM})"
        )),
        "{out:?}"
    );
    send(
        &mut app,
        Msg::DeployApi {
            op,
            answer: status("green"),
        },
    );
    typed(&mut app, "rollback");
    let (fx, written) = send(&mut app, code(KeyCode::Enter));
    let [
        Entry::ClusterActionRequested {
            action,
            change: Some(c),
            ..
        },
    ] = &written[..]
    else {
        panic!("{written:?}");
    };
    assert_eq!(action, &format!("curl -X POST {LIVE}/deployment/rollback"));
    assert_eq!(
        c.previewed.as_deref(),
        Some(
            format!(
                "GET /deployment/status + preview of POST /deployment/rollback; {LIVE} bound to the drill's deploy service {SIM}"
            )
            .as_str()
        )
    );
    let (_, call, token) = request(&fx);
    assert_eq!(
        (call.method.as_str(), call.url.as_str(), token.as_deref()),
        (
            "POST",
            format!("{SIM}/deployment/rollback").as_str(),
            Some("sim-t0ken")
        )
    );
    let journaled = format!("{:?}", app.records);
    assert!(!journaled.contains("sim-t0ken"), "{journaled}");
    // And the block runs (it is not rehearsed) in the drill.
    assert!(super::runs_on_the_simulator(
        &app,
        &format!("curl -X POST {LIVE}/deployment/rollback")
    ));
}

/// While the lines are in flight the Step pane says the run is running, not that the
/// session ended while it ran (it did before: only shell and kubectl runs were known).
#[test]
fn the_step_pane_says_the_deploy_api_run_is_running() {
    let mut app = literal_app();
    send(&mut app, key('r'));
    assert!(app.deploy_api.run.is_some());
    let s = screen(&app, 160, 45);
    assert!(s.contains("⟳ run 1 running for"), "{s}");
    assert!(!s.contains("was interrupted"), "{s}");
}
