//! The journal's answers (`Msg::Journaled`: the record is on disk, now what was waiting on
//! it happens) and quitting (final records first).

use crate::domain::journal::Entry;
use crate::ui::effect::{ClusterEffect, Effect, ShellEffect};
use crate::ui::msg::Stream;
use crate::ui::state::cluster::OpStage;
use crate::ui::state::{App, FlashLevel, Then};

use super::{argo_runs, block_runs, cluster, messages, native_runs, runs, verification};

pub(super) fn on_journaled(
    app: &mut App,
    req: u64,
    result: Result<crate::domain::journal::Record, String>,
) -> Vec<Effect> {
    let Some(i) = app.pending.iter().position(|p| p.req == req) else {
        return Vec::new();
    };
    let pending = app.pending.remove(i);
    let record = match result {
        Ok(r) => r,
        Err(e) => {
            if let Then::Spawn { run, .. } = pending.then
                && app.running.as_ref().is_some_and(|r| r.run == run)
            {
                app.running = None;
                app.output.push(
                    Stream::Stderr,
                    "backout: not started: the journal write failed".into(),
                );
            }
            app.entering_phase = None;
            if let Then::Deliver { sink, msg } = &pending.then {
                messages::not_queued(app, sink, msg, &e);
            }
            verification::journal_failed(app, &pending.then);
            let mut fx = argo_runs::journal_failed(app, &pending.then);
            fx.extend(super::deploy_api_runs::journal_failed(app, &pending.then));
            if let Then::ClusterExecute { op } = pending.then
                && let Some(c) = app.cluster.as_mut()
                && c.op.as_ref().is_some_and(|o| o.id == op)
            {
                c.op = None;
                fx.push(Effect::Cluster(ClusterEffect::Release { op }));
            }
            app.flash(
                FlashLevel::Error,
                &format!("Journal write failed, nothing recorded: {e}"),
            );
            if matches!(pending.then, Then::ClusterExecute { .. }) {
                fx.extend(cluster::op_ended(
                    app,
                    false,
                    "not sent: the journal write failed",
                ));
            }
            return fx;
        }
    };
    if matches!(record.entry, Entry::PhaseEntered { .. }) {
        app.entering_phase = None;
    }
    app.journaled(record);
    match pending.then {
        Then::Nothing => Vec::new(),
        Then::RunStep(step) => runs::run_step(app, step),
        then @ (Then::VerifyStart { .. } | Then::VerifyFinished { .. }) => {
            verification::journaled(app, then)
        }
        Then::Spawn { run, script, env } => match &mut app.running {
            Some(r) if r.run == run && !r.cancel_requested => {
                r.spawned = true;
                vec![Effect::Shell(ShellEffect::Spawn { run, script, env })]
            }
            Some(r) if r.run == run => {
                // Cancelled before it started: record that it never ran.
                let step = r.step;
                app.running = None;
                let mut fx = vec![app.journal(
                    Entry::CommandFinished {
                        step,
                        run,
                        exit_code: None,
                        duration_ms: 0,
                        cancelled: true,
                    },
                    Some(step),
                    Then::Nothing,
                )];
                if app.quit_after_run {
                    fx.extend(quit(app));
                }
                fx
            }
            _ => Vec::new(),
        },
        Then::ClusterExecute { op } => {
            let Some(c) = app.cluster.as_mut() else {
                return Vec::new();
            };
            match c.op.as_mut() {
                Some(o) if o.id == op && o.stage == OpStage::Journaling => {
                    o.stage = OpStage::Executing;
                    vec![Effect::Cluster(ClusterEffect::Execute {
                        op,
                        action: o.action.clone(),
                    })]
                }
                _ => Vec::new(),
            }
        }
        Then::NativeAdvance => native_runs::advance(app),
        Then::ShellLine { run } => block_runs::journaled(app, run),
        Then::Deliver { sink, msg } => messages::queued(app, sink, *msg),
        Then::Quit => quit(app),
        Then::ArgoAdvance => argo_runs::advance(app),
        Then::ArgoExecute { op } => argo_runs::journaled(app, op),
        Then::DeployAdvance => super::deploy_api_runs::advance(app),
        Then::DeployExecute { op } => super::deploy_api_runs::journaled(app, op),
    }
}

pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    // A cluster action or a monitor window under way gets its final record first;
    // quitting follows the last of them.
    let mut entries = cluster::entries_at_quit(app);
    entries.extend(verification::entries_at_quit(app));
    if entries.is_empty() {
        app.quitting = true;
        return vec![Effect::Quit];
    }
    let n = entries.len();
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let then = if i + 1 == n {
                Then::Quit
            } else {
                Then::Nothing
            };
            app.journal(e, None, then)
        })
        .collect()
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
