//! Command steps whose lines are `curl` lines aimed at the deploy API the console knows
//! (the drill simulator's deploy service, or the runbook's `DEPLOY_API`): run through the
//! console one after the other (`state::deploy_api`). A GET prints the answer at once; a
//! POST/PUT/DELETE is previewed (method and path), confirmed by typing the path's last
//! segment, journaled (`ClusterActionRequested` via "deploy API", before the request),
//! sent, and its outcome — judged by HTTP status and body, not by curl's exit code —
//! journaled. A line piped into `jq` gets the jq program's output of the body.

use crate::domain::deploy_api::parse_curl_line;
use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::runbook::StepId;
use crate::ui::effect::{DeployApiEffect, Effect};
use crate::ui::msg::Stream;
use crate::ui::state::cluster::ClusterConfirm;
use crate::ui::state::deploy_api::{
    DeployAnswer, DeployCurrent, DeployLine, DeployRun, DeployStage,
};
use crate::ui::state::{App, FlashLevel, Layer, OutputLog, Then};

use super::steps;

/// Confirmation ids of deploy API lines: above every cluster action's, below Argo CD's.
const CONFIRM_BASE: u64 = 1 << 61;

/// The deploy API's base URL: the drill simulator's, else the runbook's `DEPLOY_API`.
fn base(app: &App) -> Option<String> {
    app.deploy_api
        .sim_base
        .clone()
        .or_else(|| app.bindings().get("DEPLOY_API").cloned())
        .filter(|b| b.starts_with("https://") || b.starts_with("http://"))
}

/// Every line of `filled` a `curl` line aimed at the deploy API (blank lines and
/// comments aside); `None` when one is not (the block stays a shell block).
pub(super) fn plan(app: &App, filled: &str) -> Option<Vec<DeployLine>> {
    let base = base(app)?;
    let mut lines = Vec::new();
    for l in filled.lines() {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let call = parse_curl_line(t)?.ok()?;
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
    let cluster_busy = app
        .cluster
        .as_ref()
        .is_some_and(|c| c.native.is_some() || c.op.is_some());
    if cluster_busy || app.running.is_some() || app.block_run.is_some() || busy(app) {
        app.flash(
            FlashLevel::Warning,
            "An action or command is in progress; wait for it to end.",
        );
        return Some(Vec::new());
    }
    let run = app.progress.next_run_number();
    let shown = match app.find_step(step).map(|s| &s.kind) {
        Some(crate::domain::runbook::StepKind::Command(block)) => {
            app.shown_command(&block.script.clone())
        }
        _ => app.mask_secrets(filled),
    };
    app.output = OutputLog::for_run(run, step, shown.clone());
    app.deploy_api.run = Some(DeployRun {
        step,
        run,
        started: app.now,
        pending: lines.into(),
        ok: true,
        current: None,
    });
    let mut fx = steps::enter_phase_of(app, step);
    fx.push(app.journal(
        Entry::CommandStarted {
            step,
            run,
            command: format!("natively (deploy API): {shown}"),
        },
        Some(step),
        Then::DeployAdvance,
    ));
    Some(fx)
}

/// Sends the next GET, or asks for the next change's confirmation; with nothing left the
/// run is journaled finished.
pub(super) fn advance(app: &mut App) -> Vec<Effect> {
    let op = app.deploy_api.next_op;
    let Some(run) = app.deploy_api.run.as_mut() else {
        return Vec::new();
    };
    let Some(line) = run.pending.pop_front() else {
        return finish(app);
    };
    app.deploy_api.next_op += 1;
    let mutates = line.call.mutates();
    let call = line.call.clone();
    let preview = line.preview.clone();
    let text = line.text.clone();
    run.current = Some(DeployCurrent {
        op,
        line,
        stage: if mutates {
            DeployStage::Confirming
        } else {
            DeployStage::Reading
        },
    });
    let shown = app.mask_secrets(&text);
    app.output.push(Stream::Stdout, format!("$ {shown}"));
    if !mutates {
        let token = token_of(app, &call);
        return vec![Effect::DeployApi(DeployApiEffect::Request {
            op,
            call,
            token,
        })];
    }
    let word = expected_word(&call.url);
    app.layers
        .push(Layer::ClusterConfirm(Box::new(ClusterConfirm {
            op: CONFIRM_BASE + op,
            title: format!("Deploy API: {preview}"),
            diff: vec![
                format!("{} {}", call.method, call.url),
                String::new(),
                "The deploy service acts on this request (its answer is judged by status and body)."
                    .into(),
            ],
            kubectl: shown,
            expected: word.clone(),
            typed: true,
            question: format!("Type {word} to send {preview} to the deploy API:"),
            input: ratatui_textarea::TextArea::default(),
            error: None,
        })));
    Vec::new()
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
    let op = confirm_op - CONFIRM_BASE;
    let actor = app.session.actor.clone();
    let Some(r) = app.deploy_api.run.as_mut() else {
        return Vec::new();
    };
    let via = format!("step {} via deploy API", r.step);
    let Some(cur) = r
        .current
        .as_mut()
        .filter(|c| c.op == op && c.stage == DeployStage::Confirming)
    else {
        return Vec::new();
    };
    cur.stage = DeployStage::Journaling;
    let text = cur.line.text.clone();
    let preview = cur.line.preview.clone();
    let action = app.mask_secrets(&text);
    app.flash(
        FlashLevel::Info,
        "Recording the intent, then sending it to the deploy API…",
    );
    vec![app.journal(
        Entry::ClusterActionRequested {
            action,
            target: format!("deploy-api {preview}"),
            change: Some(ChangeDetail {
                via: Some(via),
                confirmed_by: Some(actor),
                previewed: Some(format!("preview of {preview}")),
                ..ChangeDetail::default()
            }),
        },
        None,
        Then::DeployExecute { op },
    )]
}

/// The intent is on disk: send the request.
pub(super) fn journaled(app: &mut App, op: u64) -> Vec<Effect> {
    let Some(cur) = app
        .deploy_api
        .run
        .as_mut()
        .and_then(|r| r.current.as_mut())
        .filter(|c| c.op == op && c.stage == DeployStage::Journaling)
    else {
        return Vec::new();
    };
    cur.stage = DeployStage::Executing;
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
    if app
        .deploy_api
        .run
        .as_ref()
        .and_then(|r| r.current.as_ref())
        .is_none_or(|c| c.op != *op)
    {
        return Vec::new();
    }
    app.output
        .push(Stream::Stderr, "not sent: the journal write failed".into());
    fail(app);
    finish(app)
}

/// Esc on the confirmation: nothing was sent; the run ends, journaled as declined.
pub(super) fn declined(app: &mut App, confirm_op: u64) -> Vec<Effect> {
    let op = confirm_op - CONFIRM_BASE;
    let owned = app
        .deploy_api
        .run
        .as_ref()
        .and_then(|r| r.current.as_ref())
        .is_some_and(|c| c.op == op);
    if !owned {
        return Vec::new();
    }
    let Some(r) = app.deploy_api.run.take() else {
        return Vec::new();
    };
    app.flash(
        FlashLevel::Info,
        "Cancelled: nothing was sent to the deploy API.",
    );
    let command = r
        .current
        .as_ref()
        .map(|c| c.line.text.clone())
        .unwrap_or_default();
    super::runs::journal_declined_run(app, r.step, r.run, r.started, &command)
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
    let stage = cur.stage;
    let text = cur.line.text.clone();
    if !matches!(stage, DeployStage::Reading | DeployStage::Executing) {
        return Vec::new();
    }
    let (ok, outcome) = match answer {
        DeployAnswer::Answered {
            ok,
            summary,
            printed,
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
    let mut fx = Vec::new();
    if stage == DeployStage::Executing {
        let action = app.mask_secrets(&text);
        let outcome = app.mask_secrets(&outcome);
        fx.push(app.journal(
            Entry::ClusterActionFinished {
                action,
                outcome: outcome.clone(),
                ok,
            },
            None,
            Then::Nothing,
        ));
        let level = if ok {
            FlashLevel::Info
        } else {
            FlashLevel::Error
        };
        app.flash(level, &format!("deploy API: {outcome}"));
    }
    if !ok {
        fail(app);
    }
    fx.extend(advance(app));
    fx
}

fn fail(app: &mut App) {
    if let Some(r) = app.deploy_api.run.as_mut() {
        r.ok = false;
        r.pending.clear();
    }
}

fn finish(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.deploy_api.run.take() else {
        return Vec::new();
    };
    let duration_ms = (app.now - r.started).num_milliseconds().max(0) as u64;
    vec![app.journal(
        Entry::CommandFinished {
            step: r.step,
            run: r.run,
            exit_code: Some(if r.ok { 0 } else { 1 }),
            duration_ms,
            cancelled: false,
        },
        Some(r.step),
        Then::Nothing,
    )]
}

#[cfg(test)]
#[path = "deploy_api_runs_tests.rs"]
mod tests;
