//! Command steps whose lines are `argocd app …` lines: run through Argo CD's API one after
//! the other (`state::argo`). A read prints what the CLI prints; a mutating line is
//! previewed (the commit, each Deployment's image and env before → after), confirmed by
//! typing the application's name, journaled (`ClusterActionRequested` via "argocd", before
//! the request), sent and followed until the operation ends and the application is
//! Healthy (or Degraded/failed, with the reason), and its outcome journaled.

use crate::domain::argocd::{ArgoBlockPlan, plan_argocd_block};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{ArgoEffect, Effect};
use crate::ui::msg::Stream;
use crate::ui::state::argo::{ArgoAnswer, ArgoCall, ArgoCurrent, ArgoStage};
use crate::ui::state::cluster::ClusterConfirm;
use crate::ui::state::{App, FlashLevel, Layer, Then};

use super::line_runs::{self, ArgoLines};

/// Confirmation ids of Argo CD lines live above every cluster action's id.
pub(super) const CONFIRM_BASE: u64 = 1 << 62;

/// The filled block of `step` runs through Argo CD's API when every line is an `argocd
/// app` line the console understands; `None` leaves it to the shell.
pub(super) fn try_argo(app: &mut App, step: StepId, filled: &str) -> Option<Vec<Effect>> {
    let ArgoBlockPlan::Native(lines) = plan_argocd_block(filled) else {
        return None;
    };
    // No server the console can reach (the drill's simulator, `ARGOCD_SERVER`, the front
    // matter's `argocd.server`, or `--server` on every line): the runbook relies on the
    // CLI's own login (`argocd login` keeps server and token in its config), so the block
    // is the CLI's, in the shell.
    let reachable = app.argo.on_the_simulator
        || app.argo.server_from_env
        || app
            .runbook
            .front
            .as_ref()
            .is_some_and(|f| f.argocd.is_some())
        || lines.iter().all(|l| l.line.server.is_some());
    if !reachable {
        return None;
    }
    Some(line_runs::start::<ArgoLines>(
        app,
        step,
        filled,
        lines,
        "natively (Argo CD API)",
        Then::ArgoAdvance,
    ))
}

/// Whether `script`'s `argocd` lines reach the drill's own simulator (so they run, not
/// rehearsed): the simulator serves Argo CD and every line of the block is one the
/// console runs through its API.
pub(super) fn runs_on_the_simulator(app: &App, script: &str) -> bool {
    if !app.argo.on_the_simulator {
        return false;
    }
    // Placeholders filled as far as they are bound (`$APP` from the runbook's `vars`).
    let filled = crate::domain::runbook::fill(script, &app.bindings())
        .unwrap_or_else(|_| script.to_string());
    matches!(plan_argocd_block(&filled), ArgoBlockPlan::Native(_))
}

/// A step's `argocd` lines are running: nothing else may start.
pub(super) fn busy(app: &App) -> bool {
    app.argo.run.is_some()
}

/// Sends the run's next line (a read, or a mutating line's preview); with nothing left
/// the run is journaled finished.
pub(super) fn advance(app: &mut App) -> Vec<Effect> {
    let op = app.argo.next_op;
    let Some(run) = app.argo.run.as_mut() else {
        return Vec::new();
    };
    let Some(line) = run.pending.pop_front() else {
        return finish(app);
    };
    app.argo.next_op += 1;
    let call = if line.line.command.mutates() {
        ArgoCall::Prepare
    } else {
        ArgoCall::Read
    };
    let text = line.text.clone();
    run.current = Some(ArgoCurrent {
        op,
        line,
        stage: if call == ArgoCall::Prepare {
            ArgoStage::Previewing
        } else {
            ArgoStage::Reading
        },
    });
    let shown = app.mask_secrets(&text);
    app.output.push(Stream::Stdout, format!("$ {shown}"));
    vec![Effect::Argo(ArgoEffect::Run { op, text, call })]
}

/// The executor's answer to line `op`.
pub(super) fn on_answer(app: &mut App, op: u64, answer: ArgoAnswer) -> Vec<Effect> {
    if super::argo_guard::owns(app, op) {
        return super::argo_guard::on_answer(app, answer);
    }
    let Some(cur) = line_runs::current::<ArgoLines>(app, op) else {
        return Vec::new();
    };
    let text = cur.line.text.clone();
    let app_name = cur.line.line.command.app().to_string();
    match (cur.stage.clone(), answer) {
        (ArgoStage::Reading, ArgoAnswer::Printed { output, ok }) => {
            print(app, output, ok);
            if !ok {
                fail(app);
            }
            advance(app)
        }
        (ArgoStage::Previewing, ArgoAnswer::Preview { lines, change }) => {
            cur.stage = ArgoStage::Confirming { change };
            let shown = app.mask_secrets(&text);
            app.layers
                .push(Layer::ClusterConfirm(Box::new(ClusterConfirm {
                    op: CONFIRM_BASE + op,
                    title: format!("Argo CD: {shown}"),
                    diff: lines,
                    kubectl: shown,
                    expected: app_name.clone(),
                    typed: true,
                    question: format!(
                        "Type the application name {app_name} to send this to Argo CD:"
                    ),
                    input: ratatui_textarea::TextArea::default(),
                    error: None,
                })));
            Vec::new()
        }
        (ArgoStage::Executing, ArgoAnswer::Printed { output, ok }) => {
            let outcome = outcome_of(&output, ok);
            print(app, output, ok);
            if !ok {
                fail(app);
            }
            let action = app.mask_secrets(&text);
            let mut fx = vec![app.journal(
                Entry::ClusterActionFinished {
                    action,
                    outcome,
                    ok,
                },
                None,
                Then::Nothing,
            )];
            fx.extend(advance(app));
            fx
        }
        (ArgoStage::Executing, ArgoAnswer::Failed(e)) => {
            app.output.push(Stream::Stderr, e.clone());
            fail(app);
            let action = app.mask_secrets(&text);
            let mut fx = vec![app.journal(
                Entry::ClusterActionFinished {
                    action,
                    outcome: e,
                    ok: false,
                },
                None,
                Then::Nothing,
            )];
            fx.extend(finish(app));
            fx
        }
        (_, ArgoAnswer::Failed(e)) => {
            app.output.push(Stream::Stderr, e);
            fail(app);
            finish(app)
        }
        // An answer that does not fit the stage (a stale one): ignored.
        _ => Vec::new(),
    }
}

/// What the report's outcome says: the CLI's last line (a failure's reason, or the final
/// status's last line).
fn outcome_of(output: &[String], ok: bool) -> String {
    let last = output
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string());
    match (last, ok) {
        (Some(l), _) => l,
        (None, true) => "done".into(),
        (None, false) => "failed".into(),
    }
}

fn print(app: &mut App, output: Vec<String>, ok: bool) {
    let n = output.len();
    for (i, l) in output.into_iter().enumerate() {
        // A failure's reason is the last line the CLI prints.
        let stream = if !ok && i + 1 == n {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        let l = app.mask_secrets(&l);
        app.output.push(stream, l);
    }
}

/// Whether confirmation `op` belongs to an Argo CD line.
pub(super) fn owns_confirm(op: u64) -> bool {
    op >= CONFIRM_BASE
}

/// The application's name typed: journal the intent, then (once on disk) send it.
pub(super) fn confirmed(app: &mut App, confirm_op: u64) -> Vec<Effect> {
    let op = confirm_op - CONFIRM_BASE;
    if super::argo_guard::owns(app, op) {
        return super::argo_guard::confirmed(app);
    }
    line_runs::confirmed::<ArgoLines>(app, op)
}

/// The intent is on disk: send the line.
pub(super) fn journaled(app: &mut App, op: u64) -> Vec<Effect> {
    if super::argo_guard::owns(app, op) {
        return super::argo_guard::journaled(app);
    }
    let Some(cur) =
        line_runs::current::<ArgoLines>(app, op).filter(|c| c.stage == ArgoStage::Journaling)
    else {
        return Vec::new();
    };
    cur.stage = ArgoStage::Executing;
    let text = cur.line.text.clone();
    app.flash(
        FlashLevel::Info,
        "Sent to Argo CD; following until the operation ends and the app is healthy…",
    );
    vec![Effect::Argo(ArgoEffect::Run {
        op,
        text,
        call: ArgoCall::Execute,
    })]
}

/// The intent could not be written: nothing is sent, the run stops.
pub(super) fn journal_failed(app: &mut App, then: &Then) -> Vec<Effect> {
    let Then::ArgoExecute { op } = then else {
        return Vec::new();
    };
    if super::argo_guard::owns(app, *op) {
        super::argo_guard::journal_failed(app);
        return Vec::new();
    }
    line_runs::journal_failed::<ArgoLines>(app, *op)
}

/// Esc on the confirmation: nothing was sent; the run ends there, journaled as declined.
pub(super) fn declined(app: &mut App, confirm_op: u64) -> Vec<Effect> {
    let op = confirm_op - CONFIRM_BASE;
    if super::argo_guard::owns(app, op) {
        return super::argo_guard::declined(app);
    }
    line_runs::declined::<ArgoLines>(app, op)
}

fn fail(app: &mut App) {
    line_runs::fail::<ArgoLines>(app);
}

fn finish(app: &mut App) -> Vec<Effect> {
    line_runs::finish::<ArgoLines>(app)
}

/// The Argo CD application managing the target, from the watch.
pub(super) fn on_status(
    app: &mut App,
    status: Option<crate::domain::argocd::ArgoAppStatus>,
) -> Vec<Effect> {
    app.argo.status = status;
    Vec::new()
}

/// Watch the Argo CD application managing the console's target (the header's line).
pub(crate) fn watch_target(app: &App) -> Vec<Effect> {
    match app.cluster.as_ref() {
        Some(c) => vec![Effect::Argo(ArgoEffect::Watch {
            namespace: c.namespace.clone(),
            deployment: c.deployment.clone(),
        })],
        None => Vec::new(),
    }
}

#[cfg(test)]
#[path = "argo_runs_tests.rs"]
mod tests;

/// The auto-sync guard's warning above a kubectl change's diff, when the target is
/// managed by an Argo CD application with automated sync and self-heal (empty otherwise).
pub(super) fn self_heal_warning(
    status: Option<&crate::domain::argocd::ArgoAppStatus>,
    key: &str,
) -> Vec<String> {
    match status {
        Some(s) if s.reverts_drift() => vec![
            format!(
                "! managed by Argo CD app {} with self-heal: your change will be reverted",
                s.name
            ),
            format!(
                "! {key} turns auto-sync off first (argocd app set {} --sync-policy none); or roll back through Argo CD",
                s.name
            ),
            String::new(),
        ],
        _ => Vec::new(),
    }
}

/// A kubectl change was confirmed: when Argo CD heals the target's drift, watch the
/// rollout for the change being reverted.
pub(super) fn watch_for_revert(app: &mut App, action: String) {
    let Some(s) = app.argo.status.as_ref().filter(|s| s.reverts_drift()) else {
        return;
    };
    let Some((before, before_revision)) = app.cluster.as_ref().and_then(template_now) else {
        return;
    };
    app.argo.revert_watch = Some(crate::ui::state::argo::RevertWatch {
        app: s.name.clone(),
        action,
        before,
        before_revision,
    });
}

/// The Deployment's pod template and current revision, as the watch shows them.
fn template_now(
    c: &crate::ui::state::cluster::LiveCluster,
) -> Option<(Vec<crate::domain::cluster::TemplateContainer>, i64)> {
    let r = c.rollout.as_ref()?;
    let rev = r.revisions.iter().find(|r| r.current)?.number;
    Some((r.containers.clone(), rev))
}

/// The rollout changed: a change made by hand that Argo CD put back is said, loudly.
pub(super) fn on_rollout(app: &mut App) {
    let Some(w) = app.argo.revert_watch.as_ref() else {
        return;
    };
    let Some((now, revision)) = app.cluster.as_ref().and_then(template_now) else {
        return;
    };
    if revision <= w.before_revision || now != w.before {
        return;
    }
    let Some(w) = app.argo.revert_watch.take() else {
        return;
    };
    let text = format!(
        "Argo CD app {} reverted your change ({}): self-heal put the Git revision back. Turn auto-sync off first, or roll back through Argo CD.",
        w.app, w.action
    );
    app.output.push(Stream::Stderr, text.clone());
    app.layers.push(Layer::Notice {
        title: "Reverted by Argo CD".into(),
        lines: vec![text.clone()],
    });
    app.flash(FlashLevel::Error, &text);
}
