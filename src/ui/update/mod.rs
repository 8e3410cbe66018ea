//! The one place state changes: `update(&mut App, Msg) -> Vec<Effect>`, dispatching to one
//! reducer file per feature. Each reducer is `fn(&mut App, …) -> Vec<Effect>`.
//!
//! Pure: no I/O, no clock (time arrives as `Msg::Tick` and in records). A step is shown
//! done only when its journal record comes back from disk (`Msg::Journaled`).

mod argo_guard;
mod argo_runs;
mod block_runs;
mod cluster;
mod cluster_menu;
mod cluster_quit_resume;
mod cluster_views;
mod deploy_api_runs;
mod drafts;
mod drill;
mod keys;
mod line_previews;
mod line_runs;
mod matrix;
mod message_values;
mod messages;
mod metrics;
mod native_runs;
mod next_moves;
mod runbook_view;
mod runs;
mod session;
mod steps;
mod target;
mod verification;

pub use cluster::{ABANDONED_AT_QUIT, resume_notice};
pub use target::{LiveClusterTarget, inferred_form};
pub(crate) use verification::undo_further;

use ratatui::crossterm::event::KeyEventKind;

use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::{Msg, Stream};
use crate::ui::state::App;
use crate::ui::state::flash::FlashLevel;

/// The watch of the Argo CD application managing the console's target, at start.
pub fn argo_watch_of(app: &App) -> Vec<Effect> {
    argo_runs::watch_target(app)
}

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Start { now, size } => {
            if let Some(size) = size {
                app.size = size;
            }
            app.now = now;
            messages::resend_unfinished(app)
        }
        Msg::Key(key) if key.kind != KeyEventKind::Release => keys::on_key(app, key),
        Msg::Key(_) => Vec::new(),
        Msg::Paste(text) => keys::on_paste(app, &text),
        Msg::Resize { width, height } => {
            app.size = (width, height);
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            if app.flash.as_ref().is_some_and(|f| f.until <= now) {
                app.flash = None;
            }
            // A waiting `rollout status` line times out on the clock.
            let mut fx = native_runs::on_rollout_seen(app);
            // Re-evaluate so that data going stale shows as unknown even when the
            // metrics task is slow to answer.
            if app.metrics.as_ref().is_some_and(|m| m.generation.is_some()) {
                fx.extend(matrix::evaluate_matrix(app, now));
            }
            fx
        }
        Msg::Metrics(m) => metrics::on_metrics(app, m),
        Msg::ClusterStep { op, step } => cluster::on_cluster_step(app, op, step),
        Msg::ClusterRead { view, answer } => cluster_views::on_answer(app, view, answer),
        Msg::Verify(m) => verification::on_msg(app, m),
        Msg::Cluster(ev) => {
            let now = app.now;
            if let Some(c) = &mut app.cluster {
                c.apply(ev, now);
            }
            argo_runs::on_rollout(app);
            let mut fx = native_runs::on_rollout_seen(app);
            fx.extend(cluster::reattach_follow(app));
            fx
        }
        Msg::ClusterConnected {
            generation,
            context,
            namespace,
            deployment,
            production,
            read_only,
        } => target::on_connected(
            app,
            generation,
            LiveClusterTarget {
                context,
                namespace,
                deployment,
                production,
                read_only,
            },
        ),
        Msg::ClusterConnectFailed { generation, error } => {
            target::on_connect_failed(app, generation, &error)
        }
        Msg::Journaled { req, result } => session::on_journaled(app, req, result),
        Msg::Notify(ev) => messages::on_event(app, ev),
        Msg::DraftSaved {
            key,
            template,
            text,
            saved,
            copied,
        } => drafts::draft_saved(app, key, template, text, saved, copied),
        Msg::DrillEvent(what) => drill::on_drill_event(app, what),
        Msg::Output { run, stream, line } => {
            if app.output.run == Some(run) {
                let line = app.mask_secrets(&line);
                app.output.push(stream, line);
            }
            Vec::new()
        }
        Msg::Exited {
            run,
            exit_code,
            duration_ms,
            cancelled,
        } => runs::on_exited(app, run, exit_code, duration_ms, cancelled),
        Msg::OutputFrame { run } => {
            block_runs::on_frame(app, run);
            Vec::new()
        }
        Msg::LineExited {
            block,
            run,
            exit_code,
            shell_gone,
            duration_ms,
        } => block_runs::on_exited(app, block, run, exit_code, shell_gone, duration_ms),
        Msg::SpawnFailed { run, error } => {
            app.output.push(
                Stream::Stderr,
                format!("backout: could not start the command: {error}"),
            );
            runs::on_exited(app, run, None, 0, false)
        }
        Msg::Terminate => {
            if let Some(r) = &app.running {
                app.quit_after_run = true;
                vec![Effect::Shell(ShellEffect::Cancel { run: r.run })]
            } else {
                session::quit(app)
            }
        }
        Msg::Argo { op, answer } => argo_runs::on_answer(app, op, answer),
        Msg::ArgoStatus(status) => argo_runs::on_status(app, status),
        Msg::DeployApi { op, answer } => deploy_api_runs::on_answer(app, op, answer),
        Msg::BackgroundPanic(line) => {
            let line = app.mask_secrets(&line);
            app.flash(
                FlashLevel::Error,
                &format!("A background task crashed ({line}); see the log. q still quits."),
            );
            Vec::new()
        }
        Msg::LinePreviewed {
            block,
            line,
            answer,
        } => line_previews::on_previewed(app, block, line, answer),
        Msg::NativeRead { run, printed } => native_runs::on_read(app, run, printed),
    }
}

#[cfg(test)]
mod tests;
