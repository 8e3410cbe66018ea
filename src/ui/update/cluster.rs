//! Cluster actions, the two-step intent: RBAC preflight → server dry-run → the diff and
//! typed-name popup → the Lease lock → `ClusterActionRequested` on disk → execute →
//! follow the rollout → the outcome journaled → release.

use ratatui_textarea::TextArea;

use crate::domain::cluster::change_of;
use crate::domain::cluster::{ClusterAction, FollowOutcome, FollowProgress, Planned, Preflight};
use crate::domain::journal::{ChangeDetail, Entry};
use crate::ui::effect::{ClusterEffect, Effect};
use crate::ui::msg::Stream;
use crate::ui::state::cluster::{ClusterConfirm, ClusterOp, ClusterStep, LockRefusal, OpStage};
use crate::ui::state::{App, FlashLevel, Layer, Pane, Then};

use super::{argo_guard, argo_runs, cluster_menu, deploy_api_runs, native_runs, steps};

/// `u` on the Rollout pane: undo to the selected revision (the previous one when the
/// current revision is selected). Starts the two-step intent with the RBAC preflight.
pub(super) fn request_undo(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    if !c.read_only && app.focus != Pane::Rollout {
        app.flash(
            FlashLevel::Info,
            "Undo acts on the Rollout pane: Tab to it, pick a revision, then u.",
        );
        return Vec::new();
    }
    let action = ClusterAction::Undo {
        to_revision: c.undo_target(),
    };
    start(app, action, "rollout pane").unwrap_or_default()
}

/// The typed name matches: take the lock. Otherwise the popup stays, with why.
pub(super) fn submit_cluster_confirm(app: &mut App) -> Vec<Effect> {
    let held = matches!(app.layers.last(), Some(Layer::ClusterConfirm(cc)) if argo_guard::holds(app, cc.op));
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let typed = cc.input.lines().join("");
    let argo = argo_runs::owns_confirm(cc.op);
    let deploy = deploy_api_runs::owns_confirm(cc.op);
    if typed.trim() != cc.expected {
        let what = if argo {
            "application name"
        } else if deploy {
            "word"
        } else {
            "deployment name"
        };
        cc.error = Some(format!(
            "Type the {what} exactly ({}) to go ahead; Esc cancels.",
            cc.expected
        ));
        return Vec::new();
    }
    let op = cc.op;
    if held {
        cc.error = Some(WAIT_FOR_ARGO.into());
        return Vec::new();
    }
    app.layers.pop();
    if argo {
        return argo_runs::confirmed(app, op);
    }
    if deploy {
        return deploy_api_runs::confirmed(app, op);
    }
    confirmed(app, op)
}

/// Why a kubectl change cannot be confirmed while the guard turns auto-sync off.
const WAIT_FOR_ARGO: &str =
    "Wait: Argo CD is turning auto-sync off first (Esc on its confirmation leaves it on).";

/// `y` on an untyped confirmation: go ahead, unless auto-sync is being turned off first.
pub(super) fn confirm_untyped(app: &mut App) -> Vec<Effect> {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let op = cc.op;
    if argo_guard::holds(app, op) {
        app.flash(FlashLevel::Warning, WAIT_FOR_ARGO);
        return Vec::new();
    }
    app.layers.pop();
    confirmed(app, op)
}

pub(super) fn on_cluster_step(app: &mut App, op: u64, step: ClusterStep) -> Vec<Effect> {
    if let ClusterStep::Preflight(r) = &step
        && cluster_menu::menu_access(app, op, r)
    {
        return Vec::new();
    }
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    let deployment = c.deployment.clone();
    let target = c.target().to_string();
    let Some(o) = c.op.as_mut().filter(|o| o.id == op) else {
        return Vec::new();
    };
    match (o.stage, step) {
        (OpStage::Checking, ClusterStep::Preflight(Ok(Preflight::Allowed { .. }))) => {
            o.stage = OpStage::Planning;
            let action = o.action.clone();
            app.flash(FlashLevel::Info, "Server dry-run…");
            vec![Effect::Cluster(ClusterEffect::DryRun { op, action })]
        }
        (OpStage::Checking, ClusterStep::Preflight(Ok(Preflight::Denied { reason, checks }))) => {
            let kubectl = o.kubectl.clone();
            c.op = None;
            let mut lines = vec![
                format!("You are not allowed to run: {kubectl}"),
                String::new(),
                format!("Why: {reason}"),
            ];
            let denied: Vec<String> = checks
                .iter()
                .filter(|c| !c.allowed)
                .map(|c| format!("  ✗ {}", c.describe()))
                .collect();
            if !denied.is_empty() {
                lines.push(String::new());
                lines.push("Missing access:".into());
                lines.extend(denied);
            }
            lines.push(String::new());
            lines.push(
                "Nothing was sent. Ask for access or hand over to someone who has it.".into(),
            );
            app.flash = None;
            app.layers.push(Layer::Notice {
                title: "Not allowed".into(),
                lines,
            });
            op_ended(app, false, &format!("not allowed: {reason}"))
        }
        (OpStage::Checking, ClusterStep::Preflight(Err(e)))
        | (OpStage::Planning, ClusterStep::Planned(Err(e))) => {
            let verb = o.action.verb();
            c.op = None;
            let text = format!("{verb} not started: {e}");
            app.flash(FlashLevel::Error, &text);
            op_ended(app, false, &text)
        }
        (OpStage::Planning, ClusterStep::Planned(Ok(Planned::Skip { message }))) => {
            c.op = None;
            app.flash(FlashLevel::Info, &message);
            op_ended(app, true, &message)
        }
        (OpStage::Planning, ClusterStep::Planned(Ok(Planned::Change { diff, kubectl }))) => {
            o.stage = OpStage::Confirming;
            o.kubectl = kubectl.clone();
            // The auto-sync guard: a Deployment managed by Argo CD with self-heal gets
            // any change made here reverted; say so above the diff.
            let mode = if o.action.needs_typed_confirmation() {
                crate::ui::keymap::Mode::ClusterConfirmTyped
            } else {
                crate::ui::keymap::Mode::ClusterConfirm
            };
            let key = app
                .keymap
                .first_key(mode, crate::ui::action::Action::AutoSyncOff)
                .map(|k| k.to_string())
                .unwrap_or_else(|| "auto_sync_off".into());
            let mut lines = argo_runs::self_heal_warning(app.argo.status.as_ref(), &key);
            lines.extend(diff.text().lines().map(str::to_string));
            let layer = confirm_layer(op, &o.action, &deployment, lines, kubectl);
            app.flash = None;
            app.layers.push(Layer::ClusterConfirm(Box::new(layer)));
            Vec::new()
        }
        (OpStage::Locking, ClusterStep::Locked(Err(refusal))) => {
            c.op = None;
            app.flash = None;
            let (title, why, advice) = match refusal {
                LockRefusal::Held(why) => (
                    "Locked by someone else",
                    why,
                    "Nothing was sent. Talk to them before acting on this workload.",
                ),
                LockRefusal::Failed(why) => (
                    "Could not take the lock",
                    why,
                    "Nothing was sent. Check the cluster connection and try the action again.",
                ),
            };
            let outcome = format!("not sent: {why}");
            app.layers.push(Layer::Notice {
                title: title.into(),
                lines: vec![why, String::new(), advice.into()],
            });
            op_ended(app, false, &outcome)
        }
        (OpStage::Locking, ClusterStep::Locked(Ok(()))) => {
            o.stage = OpStage::Journaling;
            // Every native action went through the server dry-run, its diff and the
            // operator's confirmation before the lock was taken.
            let change = ChangeDetail {
                via: o.via.clone(),
                confirmed_by: Some(app.session.actor.clone()),
                previewed: Some("server dry-run + diff".into()),
                ..change_of::change_detail(c.rollout.as_ref(), &o.action)
            };
            let entry = Entry::ClusterActionRequested {
                action: o.kubectl.clone(),
                target,
                change: Some(change),
            };
            vec![app.journal(entry, None, Then::ClusterExecute { op })]
        }
        (OpStage::Executing, ClusterStep::Executed(result)) => {
            let action = o.kubectl.clone();
            let action_for_follow = action.clone();
            let done = o.action.clone();
            let starts_rollout = o.action.starts_rollout();
            let (outcome, ok, follow) = match result {
                Ok(done) => {
                    let follow = !done.skipped && starts_rollout;
                    (done.message, true, follow)
                }
                Err(e) => (e, false, false),
            };
            let mut fx = vec![journal_finished(app, &action, &outcome, ok)];
            if follow {
                fx.push(app.journal(
                    Entry::RolloutFollowStarted {
                        action: action_for_follow.clone(),
                    },
                    None,
                    Then::Nothing,
                ));
            }
            if ok && !follow {
                fx.extend(steps::done_by_action(app, &done, &action));
            }
            let c = app.cluster.as_mut().expect("checked above");
            if follow {
                if let Some(o) = c.op.as_mut() {
                    o.stage = OpStage::Following;
                    o.executed = Some(outcome.clone());
                }
                fx.push(Effect::Cluster(ClusterEffect::Follow { op }));
                app.flash(
                    FlashLevel::Info,
                    &format!("{outcome}; following the rollout…"),
                );
            } else {
                c.op = None;
                fx.push(Effect::Cluster(ClusterEffect::Release { op }));
                let level = if ok {
                    FlashLevel::Info
                } else {
                    FlashLevel::Error
                };
                app.flash(level, &outcome);
                fx.extend(op_ended(app, ok, &outcome));
            }
            fx
        }
        (OpStage::Following, ClusterStep::Progress(p)) => {
            match p {
                FollowProgress::Observed { facts, status } => {
                    o.progress = Some(status.message().to_string());
                    // The gauge follows the watch of the rollout itself.
                    if let Some(r) = c.rollout.as_mut() {
                        r.updated = facts.updated;
                        r.ready = facts.ready;
                        r.available = facts.available;
                        r.unavailable = facts.unavailable;
                        r.replicas = facts.replicas;
                        if let Some(d) = facts.desired {
                            r.desired = d;
                        }
                        r.status = status;
                    }
                }
                FollowProgress::WatchError { error } => {
                    o.progress = Some(format!("watch interrupted, retrying: {error}"));
                }
            }
            Vec::new()
        }
        (OpStage::Following, ClusterStep::Followed(result)) => {
            let executed = o.executed.clone().unwrap_or_default();
            let action = o.kubectl.clone();
            let done = o.action.clone();
            c.op = None;
            let (outcome, ok) = match result {
                Ok(FollowOutcome::Complete { message }) => (format!("{executed}; {message}"), true),
                Ok(FollowOutcome::Failed { message }) => (format!("{executed}; {message}"), false),
                Ok(FollowOutcome::TimedOut { last }) => (
                    format!("{executed}; rollout not complete in time: {last}"),
                    false,
                ),
                Err(e) => (format!("{executed}; cannot follow the rollout: {e}"), false),
            };
            let level = if ok {
                FlashLevel::Info
            } else {
                FlashLevel::Error
            };
            app.flash(level, &outcome);
            let mut fx = vec![
                journal_finished(app, &action, &outcome, ok),
                Effect::Cluster(ClusterEffect::Release { op }),
            ];
            if ok {
                fx.extend(steps::done_by_action(app, &done, &action));
            }
            fx.extend(op_ended(app, ok, &outcome));
            fx
        }
        // A late answer for a stage already left (e.g. after a cancel): nothing to do.
        _ => Vec::new(),
    }
}

/// The `ClusterActionFinished` record of an action, with its outcome.
fn journal_finished(app: &mut App, action: &str, outcome: &str, ok: bool) -> Effect {
    app.journal(
        Entry::ClusterActionFinished {
            action: action.to_string(),
            outcome: outcome.to_string(),
            ok,
        },
        None,
        Then::Nothing,
    )
}

/// Starts `action` on the target for the operator (the menu, `u`, a next move): the RBAC
/// preflight first. `None` when it cannot start (read-only, another action or a step's
/// kubectl lines in progress, no Deployment seen); the flash says why.
pub(super) fn start(app: &mut App, action: ClusterAction, via: &str) -> Option<Vec<Effect>> {
    if native_runs::refuse_during_native_run(app) {
        return None;
    }
    let fx = start_op(app, action)?;
    if let Some(o) = app.cluster.as_mut().and_then(|c| c.op.as_mut()) {
        o.via = Some(via.to_string());
    }
    Some(fx)
}

/// Starts `action`, whoever asked (a native run's own lines come here directly).
pub(super) fn start_op(app: &mut App, action: ClusterAction) -> Option<Vec<Effect>> {
    let c = app.cluster.as_mut()?;
    if c.read_only {
        app.flash(
            FlashLevel::Warning,
            "read-only session: nothing can be changed",
        );
        return None;
    }
    if let Some(o) = &c.op {
        let text = format!("A cluster action is in progress: {}", o.kubectl);
        app.flash(FlashLevel::Warning, &text);
        return None;
    }
    if c.rollout.is_none() {
        app.flash(
            FlashLevel::Warning,
            "The Deployment was not seen yet: nothing to act on.",
        );
        return None;
    }
    let kubectl = action.kubectl_command(&c.target());
    let id = c.next_op;
    c.next_op += 1;
    let mut op = ClusterOp::new(id, action.clone(), kubectl);
    // A runbook step's own kubectl line: the step is where the change came from.
    op.via = c.native.as_ref().map(|n| format!("step {}", n.step));
    c.op = Some(op);
    app.flash(FlashLevel::Info, "Checking access (RBAC preflight)…");
    Some(vec![Effect::Cluster(ClusterEffect::Preflight {
        op: id,
        action,
    })])
}

/// The diff and confirmation layer for a planned action.
pub(super) fn confirm_layer(
    op: u64,
    action: &ClusterAction,
    deployment: &str,
    diff: Vec<String>,
    kubectl: String,
) -> ClusterConfirm {
    let d = deployment;
    let (title, what) = match action {
        ClusterAction::Undo { .. } => (format!("Roll back deployment/{d}"), "roll it back"),
        ClusterAction::Pause => (format!("Pause the rollout of deployment/{d}"), "pause it"),
        ClusterAction::Resume => (format!("Resume the rollout of deployment/{d}"), "resume it"),
        ClusterAction::Restart => (format!("Restart deployment/{d}"), "restart it"),
        ClusterAction::Scale { replicas } => (
            format!("Scale deployment/{d} to {replicas}"),
            if *replicas == 0 {
                "stop every pod"
            } else {
                "scale it"
            },
        ),
        ClusterAction::SetImage { .. } => (format!("Set the image of deployment/{d}"), "set it"),
        ClusterAction::SetEnv { .. } => (format!("Set env of deployment/{d}"), "set it"),
        ClusterAction::SwitchSelector { service, .. } => (
            format!("Switch service/{service} to another selector"),
            "switch the traffic",
        ),
        ClusterAction::DeletePods { .. } => {
            (format!("Delete pods of deployment/{d}"), "delete them")
        }
    };
    let typed = action.needs_typed_confirmation();
    let question = if typed {
        format!("Type the deployment name ({d}) to {what}:")
    } else {
        format!("Go ahead and {what}?")
    };
    ClusterConfirm {
        op,
        title,
        diff,
        kubectl,
        expected: d.to_string(),
        typed,
        question,
        input: TextArea::default(),
        error: None,
    }
}

/// The confirmation was given: take the lock.
pub(super) fn confirmed(app: &mut App, op: u64) -> Vec<Effect> {
    let Some(o) = app
        .cluster
        .as_mut()
        .and_then(|c| c.op.as_mut())
        .filter(|o| o.id == op && o.stage == OpStage::Confirming)
    else {
        return Vec::new();
    };
    o.stage = OpStage::Locking;
    let action = o.kubectl.clone();
    argo_runs::watch_for_revert(app, action);
    app.flash(FlashLevel::Info, "Taking the lock…");
    vec![Effect::Cluster(ClusterEffect::Lock { op })]
}

/// Esc on the confirmation: nothing is sent.
pub(super) fn cancel_confirm(app: &mut App) -> Vec<Effect> {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.pop() else {
        return Vec::new();
    };
    if argo_runs::owns_confirm(cc.op) {
        return argo_runs::declined(app, cc.op);
    }
    if deploy_api_runs::owns_confirm(cc.op) {
        return deploy_api_runs::declined(app, cc.op);
    }
    let mut cancelled = false;
    if let Some(c) = app.cluster.as_mut()
        && c.op.as_ref().is_some_and(|o| o.id == cc.op)
    {
        c.op = None;
        cancelled = true;
    }
    app.flash(
        FlashLevel::Info,
        "Cancelled: nothing was sent to the cluster.",
    );
    if !cancelled {
        return Vec::new();
    }
    // A step's kubectl line declined: "not run (declined)", never a failed run.
    if let Some(fx) = native_runs::declined(app, &cc.kubectl) {
        return fx;
    }
    op_ended(
        app,
        false,
        "cancelled at the confirmation: nothing was sent",
    )
}

/// A cluster action ended (`ok`: done or nothing to do); a native run goes on with its
/// next line or ends.
pub(super) fn op_ended(app: &mut App, ok: bool, outcome: &str) -> Vec<Effect> {
    if app.cluster.as_ref().is_none_or(|c| c.native.is_none()) {
        return Vec::new();
    }
    let stream = if ok { Stream::Stdout } else { Stream::Stderr };
    app.output.push(stream, outcome.to_string());
    if !ok {
        native_runs::fail_native(app);
    }
    native_runs::advance(app)
}

pub use super::cluster_quit_resume::{ABANDONED_AT_QUIT, resume_notice};
pub(super) use super::cluster_quit_resume::{entries_at_quit, reattach_follow};

#[cfg(test)]
#[path = "cluster_tests.rs"]
mod tests;
