//! Command steps whose lines are `curl` lines aimed at the deploy API the console knows
//! (the drill simulator's deploy service, or the runbook's `DEPLOY_API`): run through the
//! console one after the other (`state::deploy_api`). A GET prints the answer at once; a
//! POST/PUT/DELETE is previewed (method and path), confirmed by typing the path's last
//! segment, journaled (`ClusterActionRequested` via "deploy API", before the request),
//! sent, and its outcome — judged by HTTP status and body, not by curl's exit code —
//! journaled. A line piped into `jq` gets the jq program's output of the body.

use crate::domain::deploy_api::inferred_base::endpoint_under;
use crate::domain::deploy_api::{
    CurlCall, DeployStatus, outcome_after, parse_curl_line, preview_change, status_call,
};
use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::runbook::StepId;
use crate::ui::effect::{DeployApiEffect, Effect};
use crate::ui::msg::Stream;
use crate::ui::state::cluster::ClusterConfirm;
use crate::ui::state::deploy_api::{
    AfterCheck, DeployAnswer, DeployCurrent, DeployLine, DeployStage,
};
use crate::ui::state::{App, FlashLevel, Layer, Then};

use super::line_runs::{self, DeployLines};

/// The variable the drill binds to its deploy service's token (a secret of the session).
const SIM_TOKEN_VAR: &str = "DEPLOY_API_TOKEN";

/// Confirmation ids of deploy API lines: above every cluster action's, below Argo CD's.
const CONFIRM_BASE: u64 = 1 << 61;

/// The deploy API's base URL (where requests go): the drill simulator's, else the
/// runbook front matter's `deploy_api.url`, else the runbook's `DEPLOY_API`, else the
/// base its own `curl` lines name (`domain::deploy_api::inferred_base`).
fn base(app: &App) -> Option<String> {
    app.deploy_api
        .sim_base
        .clone()
        .or_else(|| front_matter(app).map(|d| d.url.trim().to_string()))
        .or_else(|| app.bindings().get("DEPLOY_API").cloned())
        .filter(|b| b.starts_with("https://") || b.starts_with("http://"))
        .or_else(|| inferred(app))
}

/// The base the runbook's own `curl` lines name, when it declares no deploy API.
fn inferred(app: &App) -> Option<String> {
    app.runbook
        .deploy_api_inferred
        .base()
        .map(|b| b.url.clone())
}

/// Lines under the inferred base: the base as written, and where its requests go — the
/// drill's deploy service when there is one (bound to it for the session), else that
/// base itself (when nothing else names the deploy API).
fn inferred_binding(app: &App) -> Option<(String, String)> {
    let written = inferred(app)?;
    match &app.deploy_api.sim_base {
        Some(sim) => Some((written, sim.trim_end_matches('/').to_string())),
        None => (base(app)? == written).then(|| (written.clone(), written)),
    }
}

/// `http://localhost:8080 → https://127.0.0.1:…/deploy-api` when `line` was written
/// under the inferred base and is sent to the drill's deploy service.
fn sent_elsewhere(app: &App, line: &DeployLine) -> Option<String> {
    let (written, sent) = inferred_binding(app)?;
    let as_written = parse_curl_line(&line.text)?.ok()?;
    (written != sent
        && as_written.url != line.call.url
        && endpoint_under(&written, &as_written.url).is_some())
    .then(|| format!("{written} bound to the drill's deploy service {sent}"))
}

/// The runbook front matter's `deploy_api:`.
fn front_matter(app: &App) -> Option<&crate::domain::runbook::front_matter::DeployApiConfig> {
    app.runbook.front.as_ref()?.deploy_api.as_ref()
}

/// Every line of `filled` a `curl` line aimed at the deploy API (blank lines and
/// comments aside); `None` when one is not (the block stays a shell block).
pub(super) fn plan(app: &App, filled: &str) -> Option<Vec<DeployLine>> {
    let base = base(app)?;
    let binding = inferred_binding(app);
    let mut lines = Vec::new();
    for l in filled.lines() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let mut call = parse_curl_line(t)?.ok()?;
        if let Some((written, sent)) = &binding {
            // Under the base the lines name, only the deploy service's own endpoints are
            // the deploy API's; another path there is the application's (the block stays
            // a shell block).
            if let Some(path) = endpoint_under(written, &call.url) {
                let preview = call.preview(written);
                if written != sent {
                    call.url = format!("{sent}{path}");
                    // The drill's deploy service wants its token: the session holds it.
                    call.token_env
                        .get_or_insert_with(|| SIM_TOKEN_VAR.to_string());
                }
                lines.push(DeployLine {
                    text: t.to_string(),
                    preview,
                    call,
                });
                continue;
            }
            if call.path_under(written).is_some() {
                return None;
            }
        }
        call.path_under(&base)?;
        lines.push(DeployLine {
            text: t.to_string(),
            preview: call.preview(&base),
            call,
        });
    }
    (!lines.is_empty()).then_some(lines)
}

/// `script` filled with the session's bindings, except secrets: a token stays the
/// variable it is written as (`$DEPLOY_API_TOKEN`), so the line names it, and its value
/// goes only to the request's header.
fn fill_keeping_secrets(app: &App, script: &str) -> String {
    let mut b = app.bindings();
    for (name, value) in b.iter_mut() {
        if app.secrets.contains_key(name) || crate::domain::redact::is_secret_name(name) {
            *value = format!("${name}");
        }
    }
    for p in crate::domain::runbook::in_script(script) {
        if crate::domain::redact::is_secret_name(&p.name) {
            b.entry(p.name.clone())
                .or_insert_with(|| format!("${}", p.name));
        }
    }
    crate::domain::runbook::fill(script, &b).unwrap_or_else(|_| script.to_string())
}

/// Whether `script`'s lines reach the drill's own deploy service (so they run, not
/// rehearsed).
pub(super) fn runs_on_the_simulator(app: &App, script: &str) -> bool {
    if app.deploy_api.sim_base.is_none() {
        return false;
    }
    plan(app, &fill_keeping_secrets(app, script)).is_some()
}

/// A step's deploy API lines are running.
pub(super) fn busy(app: &App) -> bool {
    app.deploy_api.run.is_some()
}

/// The filled block of `step` runs against the deploy API when every line is aimed at it.
pub(super) fn try_deploy(app: &mut App, step: StepId, filled: &str) -> Option<Vec<Effect>> {
    let script = match app.find_step(step).map(|s| &s.kind) {
        Some(crate::domain::runbook::StepKind::Command(block)) => block.script.clone(),
        _ => return None,
    };
    let lines = plan(app, &fill_keeping_secrets(app, &script))?;
    Some(line_runs::start::<DeployLines>(
        app,
        step,
        filled,
        lines,
        "natively (deploy API)",
        Then::DeployAdvance,
    ))
}

/// Sends the next GET, or reads the service's status for the next change's preview;
/// with nothing left the run is journaled finished.
pub(super) fn advance(app: &mut App) -> Vec<Effect> {
    let op = app.deploy_api.next_op;
    let status = status_read(app);
    let Some(run) = app.deploy_api.run.as_mut() else {
        return Vec::new();
    };
    let Some(line) = run.pending.pop_front() else {
        return finish(app);
    };
    app.deploy_api.next_op += 1;
    let mutates = line.call.mutates();
    let call = line.call.clone();
    let text = line.text.clone();
    run.current = Some(DeployCurrent {
        op,
        line,
        stage: if mutates {
            DeployStage::Previewing
        } else {
            DeployStage::Reading
        },
    });
    let shown = app.mask_secrets(&text);
    app.output.push(Stream::Stdout, format!("$ {shown}"));
    if let Some(bound) = current_line(app).and_then(|l| sent_elsewhere(app, l)) {
        app.output
            .push(Stream::Stdout, format!("  (sent to {}: {bound})", call.url));
    }
    // A change is previewed from the service's status: read it first.
    let call = match status {
        Some(status) if mutates => CurlCall {
            token_env: call.token_env.clone().or(status.token_env),
            ..status
        },
        _ => call,
    };
    let token = token_of(app, &call);
    vec![Effect::DeployApi(DeployApiEffect::Request {
        op,
        call,
        token,
    })]
}

/// The request reading the deploy API's status (`GET /deployment/status`), with the
/// front matter's token variable (a line's own, when it names one, wins).
fn status_read(app: &App) -> Option<CurlCall> {
    let token_env = front_matter(app).and_then(|d| d.token_env.clone());
    Some(status_call(&base(app)?, token_env))
}

/// The status read before a change answered: the preview in the typed confirmation.
fn previewed(app: &mut App, op: u64, answer: DeployAnswer) -> Vec<Effect> {
    let Some(cur) =
        line_runs::current::<DeployLines>(app, op).filter(|c| c.stage == DeployStage::Previewing)
    else {
        return Vec::new();
    };
    let call = cur.line.call.clone();
    let preview = cur.line.preview.clone();
    let text = cur.line.text.clone();
    let read = read_status(answer);
    let path = base(app)
        .and_then(|b| call.path_under(&b))
        .unwrap_or_else(|| call.url.clone());
    let plan = preview_change(&path, read.as_ref().map_err(String::as_str));
    let after = AfterCheck {
        status: read
            .is_ok()
            .then(|| status_read(app))
            .flatten()
            .map(|s| CurlCall {
                token_env: call.token_env.clone().or(s.token_env),
                ..s
            }),
        to_env: plan.to_env.clone(),
    };
    let mut previewed = if read.is_ok() {
        format!("GET /deployment/status + preview of {preview}")
    } else {
        format!("preview of {preview}")
    };
    if let Some(bound) = current_line(app).and_then(|l| sent_elsewhere(app, l)) {
        previewed.push_str(&format!("; {bound}"));
    }
    let change = ChangeDetail {
        from_image: plan.from.clone(),
        to_image: plan.to.clone(),
        previewed: Some(previewed),
        ..ChangeDetail::default()
    };
    if let Some(cur) = app.deploy_api.run.as_mut().and_then(|r| r.current.as_mut()) {
        cur.stage = DeployStage::Confirming { change, after };
    }
    for l in &plan.lines {
        let l = app.mask_secrets(l);
        app.output.push(Stream::Stdout, format!("  {l}"));
    }
    let shown = app.mask_secrets(&text);
    let word = expected_word(&call.url);
    let mut diff = vec![format!("{} {}", call.method, call.url), String::new()];
    diff.extend(plan.lines.iter().map(|l| app.mask_secrets(l)));
    diff.push(String::new());
    diff.push(
        "The deploy service acts on this request (its answer is judged by status and body).".into(),
    );
    app.layers
        .push(Layer::ClusterConfirm(Box::new(ClusterConfirm {
            op: CONFIRM_BASE + op,
            title: format!("Deploy API: {preview}"),
            diff,
            kubectl: shown,
            expected: word.clone(),
            typed: true,
            question: format!("Type {word} to send {preview} to the deploy API:"),
            input: ratatui_textarea::TextArea::default(),
            error: None,
        })));
    Vec::new()
}

/// The line in flight.
fn current_line(app: &App) -> Option<&DeployLine> {
    app.deploy_api
        .run
        .as_ref()
        .and_then(|r| r.current.as_ref())
        .map(|c| &c.line)
}

/// The deploy service's status from an answer, or why there is none.
fn read_status(answer: DeployAnswer) -> Result<DeployStatus, String> {
    match answer {
        DeployAnswer::Answered { ok: true, body, .. } => {
            DeployStatus::parse(&body).ok_or_else(|| "not a deployment status".to_string())
        }
        DeployAnswer::Answered { summary, .. } => Err(summary),
        DeployAnswer::Failed(e) => Err(e),
    }
}

/// The value of the token variable the line names, when the session holds it (typed
/// when asked, or the drill's); else the executor reads the environment.
fn token_of(
    app: &App,
    call: &crate::domain::deploy_api::CurlCall,
) -> Option<crate::adapters::secret::Secret> {
    let name = call.token_env.as_ref()?;
    app.secrets
        .get(name)
        .cloned()
        .map(crate::adapters::secret::Secret::new)
}

/// What the operator types to send a change: the path's last segment (`rollback`).
fn expected_word(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("send")
        .to_string()
}

/// Whether confirmation `op` belongs to a deploy API line.
pub(super) fn owns_confirm(op: u64) -> bool {
    (CONFIRM_BASE..CONFIRM_BASE * 2).contains(&op)
}

/// The word typed: journal the intent, then (once on disk) send it.
pub(super) fn confirmed(app: &mut App, confirm_op: u64) -> Vec<Effect> {
    line_runs::confirmed::<DeployLines>(app, confirm_op - CONFIRM_BASE)
}

/// The intent is on disk: send the request.
pub(super) fn journaled(app: &mut App, op: u64) -> Vec<Effect> {
    let Some(cur) = line_runs::current::<DeployLines>(app, op) else {
        return Vec::new();
    };
    let DeployStage::Journaling { after } = cur.stage.clone() else {
        return Vec::new();
    };
    cur.stage = DeployStage::Executing { after };
    let call = cur.line.call.clone();
    let token = token_of(app, &call);
    vec![Effect::DeployApi(DeployApiEffect::Request {
        op,
        call,
        token,
    })]
}

/// The intent could not be written: nothing is sent, the run stops.
pub(super) fn journal_failed(app: &mut App, then: &Then) -> Vec<Effect> {
    let Then::DeployExecute { op } = then else {
        return Vec::new();
    };
    line_runs::journal_failed::<DeployLines>(app, *op)
}

/// Esc on the confirmation: nothing was sent; the run ends, journaled as declined.
pub(super) fn declined(app: &mut App, confirm_op: u64) -> Vec<Effect> {
    line_runs::declined::<DeployLines>(app, confirm_op - CONFIRM_BASE)
}

/// The executor's answer to request `op`.
pub(super) fn on_answer(app: &mut App, op: u64, answer: DeployAnswer) -> Vec<Effect> {
    let Some(cur) = app
        .deploy_api
        .run
        .as_ref()
        .and_then(|r| r.current.as_ref())
        .filter(|c| c.op == op)
    else {
        return Vec::new();
    };
    let stage = cur.stage.clone();
    let text = cur.line.text.clone();
    match stage {
        DeployStage::Previewing => return previewed(app, op, answer),
        DeployStage::Checking { after, ok, summary } => {
            return checked(app, &text, after, ok, summary, answer);
        }
        DeployStage::Reading | DeployStage::Executing { .. } => {}
        DeployStage::Confirming { .. } | DeployStage::Journaling { .. } => return Vec::new(),
    }
    let answered = matches!(answer, DeployAnswer::Answered { .. });
    let (ok, outcome) = match answer {
        DeployAnswer::Answered {
            ok,
            summary,
            printed,
            ..
        } => {
            for l in printed {
                let l = app.mask_secrets(&l);
                app.output.push(Stream::Stdout, l);
            }
            (ok, summary)
        }
        DeployAnswer::Failed(e) => (false, e),
    };
    if !ok {
        let shown = app.mask_secrets(&outcome);
        app.output.push(Stream::Stderr, shown);
    }
    let DeployStage::Executing { after } = stage else {
        if !ok {
            fail(app);
        }
        return advance(app);
    };
    // Answered, with a status read before: read it again to say what changed.
    if let (Some(status), true) = (after.status.clone(), answered) {
        if let Some(cur) = app.deploy_api.run.as_mut().and_then(|r| r.current.as_mut()) {
            cur.stage = DeployStage::Checking {
                after,
                ok,
                summary: outcome,
            };
        }
        let token = token_of(app, &status);
        return vec![Effect::DeployApi(DeployApiEffect::Request {
            op,
            call: status,
            token,
        })];
    }
    change_finished(app, &text, outcome, ok)
}

/// The status read again after a change: its outcome says where the service is now.
fn checked(
    app: &mut App,
    text: &str,
    after: AfterCheck,
    ok: bool,
    summary: String,
    answer: DeployAnswer,
) -> Vec<Effect> {
    let (outcome, ok) = match read_status(answer) {
        Ok(now) => {
            let line = format!(
                "Now: {} is serving (GET /deployment/status)",
                now.describe(&now.current)
            );
            app.output.push(Stream::Stdout, line);
            outcome_after(&summary, ok, after.to_env.as_deref(), &now)
        }
        Err(why) => (format!("{summary}; status not read again: {why}"), ok),
    };
    if !ok {
        let shown = app.mask_secrets(&outcome);
        app.output.push(Stream::Stderr, shown);
    }
    change_finished(app, text, outcome, ok)
}

/// A change's outcome journaled (`ClusterActionFinished`) and said; the run goes on (or
/// stops after a failure).
fn change_finished(app: &mut App, text: &str, outcome: String, ok: bool) -> Vec<Effect> {
    let action = app.mask_secrets(text);
    let outcome = app.mask_secrets(&outcome);
    let mut fx = vec![app.journal(
        Entry::ClusterActionFinished {
            action,
            outcome: outcome.clone(),
            ok,
        },
        None,
        Then::Nothing,
    )];
    let level = if ok {
        FlashLevel::Info
    } else {
        FlashLevel::Error
    };
    app.flash(level, &format!("deploy API: {outcome}"));
    if !ok {
        fail(app);
    }
    fx.extend(advance(app));
    fx
}

fn fail(app: &mut App) {
    line_runs::fail::<DeployLines>(app);
}

fn finish(app: &mut App) -> Vec<Effect> {
    line_runs::finish::<DeployLines>(app)
}

#[cfg(test)]
#[path = "deploy_api_runs_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "deploy_api_runs_inferred_tests.rs"]
mod inferred_tests;
