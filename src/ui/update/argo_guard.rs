//! The auto-sync guard's offer: in the confirmation of a kubectl change of a Deployment
//! that an Argo CD application heals (automated sync + self-heal), one key turns the
//! application's auto-sync off first — `argocd app set APP --sync-policy none` through
//! Argo CD's API (its spec PUT back without `syncPolicy.automated`), previewed, confirmed
//! by typing the application's name, journaled as a cluster action before the request.
//! Once Argo CD answers, the kubectl change's confirmation (waiting underneath) says the
//! change will stay, and the report lists "re-enable auto-sync on APP" as a follow-up.

use crate::domain::journal::{ChangeDetail, Entry};
use crate::ui::effect::{ArgoEffect, Effect};
use crate::ui::msg::Stream;
use crate::ui::state::argo::{ArgoAnswer, ArgoCall, ArgoStage, AutoSyncOff};
use crate::ui::state::cluster::{ClusterConfirm, OpStage};
use crate::ui::state::{App, FlashLevel, Layer, Then};

use super::argo_runs::{self, CONFIRM_BASE};

/// The first line of the guard's warning once auto-sync is off.
pub(super) fn turned_off_line(app: &str) -> String {
    format!(
        "✓ auto-sync is off on Argo CD app {app}: your change will stay (re-enable it later: a follow-up in the report)"
    )
}

/// The guard's key in the kubectl change's confirmation: ask Argo CD for the preview of
/// turning the application's auto-sync off.
pub(super) fn offer(app: &mut App) -> Vec<Effect> {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last() else {
        return Vec::new();
    };
    let cluster_op = cc.op;
    if argo_runs::owns_confirm(cluster_op) {
        return Vec::new();
    }
    let Some(name) = app
        .argo
        .status
        .as_ref()
        .filter(|s| s.reverts_drift())
        .map(|s| s.name.clone())
    else {
        app.flash(
            FlashLevel::Info,
            "No Argo CD application heals this Deployment: there is no auto-sync to turn off.",
        );
        return Vec::new();
    };
    if app.argo.auto_sync_off.is_some() || argo_runs::busy(app) {
        app.flash(
            FlashLevel::Warning,
            "Argo CD is busy with another request; wait for it to end.",
        );
        return Vec::new();
    }
    let Some(kubectl) = app
        .cluster
        .as_ref()
        .and_then(|c| c.op.as_ref())
        .filter(|o| o.id == cluster_op && o.stage == OpStage::Confirming)
        .map(|o| o.kubectl.clone())
    else {
        return Vec::new();
    };
    let op = app.argo.next_op;
    app.argo.next_op += 1;
    let line = format!("argocd app set {name} --sync-policy none");
    app.argo.auto_sync_off = Some(AutoSyncOff {
        op,
        app: name.clone(),
        line: line.clone(),
        cluster_op,
        kubectl,
        stage: ArgoStage::Previewing,
    });
    app.flash(
        FlashLevel::Info,
        &format!("Reading Argo CD app {name} to turn its auto-sync off…"),
    );
    vec![Effect::Argo(ArgoEffect::Run {
        op,
        text: line,
        call: ArgoCall::Prepare,
    })]
}

/// Whether request `op` is the guard's.
pub(super) fn owns(app: &App, op: u64) -> bool {
    app.argo.auto_sync_off.as_ref().is_some_and(|g| g.op == op)
}

/// Whether the kubectl change `cluster_op` waits for auto-sync to be turned off (it may
/// not be confirmed until Argo CD answered).
pub(super) fn holds(app: &App, cluster_op: u64) -> bool {
    app.argo
        .auto_sync_off
        .as_ref()
        .is_some_and(|g| g.cluster_op == cluster_op)
}

/// Argo CD's answer to the guard's request.
pub(super) fn on_answer(app: &mut App, answer: ArgoAnswer) -> Vec<Effect> {
    let Some(g) = app.argo.auto_sync_off.as_mut() else {
        return Vec::new();
    };
    match (g.stage.clone(), answer) {
        (ArgoStage::Previewing, ArgoAnswer::Preview { lines, change }) => {
            // The kubectl change was cancelled meanwhile: nothing to clear the way for.
            let waiting = matches!(app.layers.last(), Some(Layer::ClusterConfirm(cc)) if cc.op == g.cluster_op);
            if !waiting {
                app.argo.auto_sync_off = None;
                return Vec::new();
            }
            g.stage = ArgoStage::Confirming { change };
            let name = g.app.clone();
            let confirm = ClusterConfirm {
                op: CONFIRM_BASE + g.op,
                title: format!("Argo CD: turn auto-sync off on {name} first"),
                diff: lines,
                kubectl: g.line.clone(),
                expected: name.clone(),
                typed: true,
                question: format!(
                    "Type the application name {name} to turn its auto-sync off in Argo CD:"
                ),
                input: ratatui_textarea::TextArea::default(),
                error: None,
            };
            app.flash = None;
            app.layers.push(Layer::ClusterConfirm(Box::new(confirm)));
            Vec::new()
        }
        (ArgoStage::Previewing, other) => {
            let why = match other {
                ArgoAnswer::Failed(e) => e,
                ArgoAnswer::Printed { output, .. } => output.join(" "),
                ArgoAnswer::Preview { .. } => String::new(),
            };
            let name = g.app.clone();
            app.argo.auto_sync_off = None;
            app.flash(
                FlashLevel::Error,
                &format!("Cannot read Argo CD app {name}: {why}; auto-sync stays on."),
            );
            Vec::new()
        }
        (ArgoStage::Executing, answer) => {
            let (ok, outcome) = match answer {
                ArgoAnswer::Printed { output, ok } => {
                    let last = output
                        .iter()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .map(|l| l.trim().to_string());
                    let outcome = match (last, ok) {
                        (Some(l), _) => l,
                        (None, true) => format!("auto-sync turned off on {}", g.app),
                        (None, false) => "failed".into(),
                    };
                    (ok, outcome)
                }
                ArgoAnswer::Failed(e) => (false, e),
                ArgoAnswer::Preview { .. } => return Vec::new(),
            };
            let Some(g) = app.argo.auto_sync_off.take() else {
                return Vec::new();
            };
            let fx = vec![app.journal(
                Entry::ClusterActionFinished {
                    action: g.line.clone(),
                    outcome: outcome.clone(),
                    ok,
                },
                None,
                Then::Nothing,
            )];
            if ok {
                turned_off(app, &g);
            } else {
                let text = format!("Argo CD did not turn auto-sync off on {}: {outcome}", g.app);
                app.output.push(Stream::Stderr, text.clone());
                app.flash(FlashLevel::Error, &text);
            }
            fx
        }
        // A stale or unfitting answer.
        _ => Vec::new(),
    }
}

/// Auto-sync is off: the header's status says so at once (the watch confirms it on its
/// next read), and the kubectl change's confirmation says the change will stay.
fn turned_off(app: &mut App, g: &AutoSyncOff) {
    if let Some(s) = app.argo.status.as_mut().filter(|s| s.name == g.app) {
        s.auto_sync = false;
        s.self_heal = false;
    }
    let line = turned_off_line(&g.app);
    for layer in app.layers.iter_mut() {
        if let Layer::ClusterConfirm(cc) = layer
            && cc.op == g.cluster_op
        {
            let warned = cc.diff.iter().take_while(|l| l.starts_with('!')).count();
            cc.diff.splice(..warned, [line.clone()]);
            cc.error = None;
        }
    }
    app.output.push(
        Stream::Stdout,
        format!(
            "{}: auto-sync off; follow-up: re-enable auto-sync on {}",
            g.line, g.app
        ),
    );
    app.flash(
        FlashLevel::Info,
        &format!(
            "Auto-sync is off on {}: confirm your change; re-enable auto-sync after the incident.",
            g.app
        ),
    );
}

/// The application's name typed: journal the intent, then (once on disk) send it.
pub(super) fn confirmed(app: &mut App) -> Vec<Effect> {
    let actor = app.session.actor.clone();
    let Some(g) = app.argo.auto_sync_off.as_mut() else {
        return Vec::new();
    };
    let ArgoStage::Confirming { change } = g.stage.clone() else {
        return Vec::new();
    };
    g.stage = ArgoStage::Journaling;
    let change = ChangeDetail {
        via: Some(format!("auto-sync guard, before: {}", g.kubectl)),
        confirmed_by: Some(actor),
        ..change
    };
    let entry = Entry::ClusterActionRequested {
        action: g.line.clone(),
        target: format!("argocd/{}", g.app),
        change: Some(change),
    };
    let op = g.op;
    app.flash(
        FlashLevel::Info,
        "Recording the intent, then turning auto-sync off in Argo CD…",
    );
    vec![app.journal(entry, None, Then::ArgoExecute { op })]
}

/// The intent is on disk: send the request.
pub(super) fn journaled(app: &mut App) -> Vec<Effect> {
    let Some(g) = app
        .argo
        .auto_sync_off
        .as_mut()
        .filter(|g| g.stage == ArgoStage::Journaling)
    else {
        return Vec::new();
    };
    g.stage = ArgoStage::Executing;
    vec![Effect::Argo(ArgoEffect::Run {
        op: g.op,
        text: g.line.clone(),
        call: ArgoCall::Execute,
    })]
}

/// The intent could not be written: nothing is sent.
pub(super) fn journal_failed(app: &mut App) {
    if app.argo.auto_sync_off.take().is_some() {
        app.flash(
            FlashLevel::Error,
            "Not sent: the journal write failed; auto-sync stays on.",
        );
    }
}

/// Esc on the application's confirmation: nothing is sent; the kubectl change's
/// confirmation is back, with its warning.
pub(super) fn declined(app: &mut App) -> Vec<Effect> {
    if let Some(g) = app.argo.auto_sync_off.take() {
        app.flash(
            FlashLevel::Info,
            &format!(
                "Nothing was sent to Argo CD: auto-sync stays on for {}.",
                g.app
            ),
        );
    }
    Vec::new()
}

#[cfg(test)]
#[path = "argo_guard_tests.rs"]
mod tests;
