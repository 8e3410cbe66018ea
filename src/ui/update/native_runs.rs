//! Command steps whose kubectl lines run natively (`state::native_run` plans them): line
//! by line, queries answered from the watch, actions through the cluster pipeline,
//! `rollout status` waiting on the watch, shell lines in `/bin/sh`.

use chrono::Duration as ChronoDuration;

use crate::domain::cluster::{Command, ReadOnlyQuery, RolloutStatus, WatchState};
use crate::domain::journal::Entry;
use crate::domain::runbook::StepId;
use crate::ui::effect::{ClusterEffect, Effect, ShellEffect};
use crate::ui::msg::Stream;
use crate::ui::state::native_run::{self, BlockPlan, NativeFollow, NativeRun, RolloutWait};
use crate::ui::state::{App, FlashLevel, Layer, Pane, Then};

use super::{cluster, runs, session};

/// A step's kubectl lines are running (possibly waiting on `rollout status`): nothing else
/// may act on the cluster until they end, or their run would take the other action's
/// outcome for its own. Flashes why and says `true` then.
pub(super) fn refuse_during_native_run(app: &mut App) -> bool {
    let Some(step) = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .map(|r| r.step)
    else {
        return false;
    };
    app.flash(
        FlashLevel::Warning,
        &format!("Step {step}'s kubectl lines are running: wait for them to end, or Ctrl-C."),
    );
    true
}

/// Runs a step's filled block natively when every line qualifies, or asks the shell's
/// exact-command confirmation for a block of kubectl lines only some of which are
/// native; `None` leaves it to the shell.
pub(super) fn try_native(app: &mut App, step: StepId, filled: &str) -> Option<Vec<Effect>> {
    let c = app.cluster.as_ref()?;
    let lines = match native_run::plan_block(filled, &c.target()) {
        BlockPlan::Native(lines) => lines,
        BlockPlan::Mixed(lines) => {
            let title = app
                .find_step(step)
                .map(|s| format!("Run {} {}", s.id, s.title))
                .unwrap_or_default();
            let body = lines
                .iter()
                .map(|l| {
                    let how = if l.command.is_some() {
                        "native"
                    } else {
                        "sh    "
                    };
                    format!("{how}  {}", app.mask_secrets(&l.text))
                })
                .collect();
            app.layers.push(Layer::Confirm(crate::ui::state::Confirm {
                title,
                body,
                question: "Run these in order: native lines through the cluster path (each action asks again), the others in /bin/sh?".into(),
                intent: crate::ui::state::Intent::RunKubectlLines { step },
            }));
            return Some(Vec::new());
        }
        BlockPlan::Shell(_) => return None,
    };
    Some(start_lines(app, step, filled, lines))
}

/// `y` on the confirmation of a block of kubectl lines only some of which are native.
pub(super) fn confirmed_lines(app: &mut App, step: StepId) -> Vec<Effect> {
    let Some(s) = app.find_step(step).cloned() else {
        return Vec::new();
    };
    let crate::domain::runbook::StepKind::Command(block) = &s.kind else {
        return Vec::new();
    };
    let Ok(filled) = crate::domain::runbook::fill(&block.script, &app.bindings()) else {
        return Vec::new();
    };
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    match native_run::plan_block(&filled, &c.target()) {
        BlockPlan::Native(lines) | BlockPlan::Mixed(lines) => {
            start_lines(app, step, &filled, lines)
        }
        BlockPlan::Shell(_) => Vec::new(),
    }
}

/// Journals the step's run, then (once on disk) runs its lines one after the other.
fn start_lines(
    app: &mut App,
    step: StepId,
    filled: &str,
    lines: Vec<native_run::NativeLine>,
) -> Vec<Effect> {
    let busy = app
        .cluster
        .as_ref()
        .is_some_and(|c| c.native.is_some() || c.op.is_some());
    if busy || app.running.is_some() {
        app.flash_busy();
        return Vec::new();
    }
    let run = app.state.progress.next_run_number();
    let shown = app.shown_run_command(step, filled);
    app.output = crate::ui::state::OutputLog::for_run(run, step, shown.clone());
    app.output.line_by_line = true;
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Vec::new();
    };
    c.native = Some(NativeRun {
        step,
        run,
        started: now,
        pending: lines.into(),
        ok: true,
        waiting: None,
        follow: None,
        gate: Default::default(),
        reading: false,
    });
    runs::journal_start(
        app,
        step,
        run,
        format!("{}{shown}", crate::domain::progress::NATIVE_PREFIX),
        Then::NativeAdvance,
    )
}

/// Runs the native run's next lines: queries answer at once, an action starts its
/// pipeline and a shell line its process (and the run waits for either); with nothing
/// left the run is journaled finished.
pub(super) fn advance(app: &mut App) -> Vec<Effect> {
    loop {
        let Some(c) = app.cluster.as_mut() else {
            return Vec::new();
        };
        let Some(run) = c.native.as_mut() else {
            return Vec::new();
        };
        let (step, run_no) = (run.step, run.run);
        let Some(line) = run.pending.pop_front() else {
            return finish_native(app);
        };
        let text = app.mask_secrets(&line.text);
        match line.command {
            None if follows_pods_pane(app, &line.text) => {
                // The console watches these pods already: the Pods pane is the stream.
                app.output.push(
                    Stream::Stdout,
                    format!(
                        "$ {text}  (following the live Pods pane: Enter stops this line and goes on)"
                    ),
                );
                app.focus = Pane::Pods;
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.follow = Some(NativeFollow::PodsPane);
                }
                app.flash(
                    FlashLevel::Info,
                    "Following the live Pods pane; Enter stops this line and goes on.",
                );
                return Vec::new();
            }
            None if crate::domain::runbook::follow_of(&line.text).is_none()
                && let Some(fx) = super::line_previews::native_gate(app, &line.text) =>
            {
                // Previewed and, when guarded, its name typed first.
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.pending.push_front(line);
                }
                return fx;
            }
            None => {
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.gate = Default::default();
                }
                let follow = crate::domain::runbook::follow_of(&line.text).is_some();
                let how = if follow {
                    "in /bin/sh, following: Enter stops this line and goes on"
                } else {
                    "in /bin/sh"
                };
                app.output
                    .push(Stream::Stdout, format!("$ {text}  ({how})"));
                if follow && let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.follow = Some(NativeFollow::Process {
                        stop_requested: false,
                    });
                }
                app.running = Some(crate::ui::state::Running {
                    run: run_no,
                    step,
                    started: app.now,
                    spawned: true,
                    cancel_requested: false,
                });
                return vec![Effect::Shell(ShellEffect::Spawn {
                    run: run_no,
                    script: line.text,
                    env: dollar_env(app),
                })];
            }
            Some(Command::Query(ReadOnlyQuery::RolloutStatus { timeout_secs })) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                let now = app.now;
                let events_at_start = app.cluster.as_ref().map_or(0, |c| c.rollout_events);
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.waiting = Some(RolloutWait {
                        events_at_start,
                        since: now,
                        // A timeout too large for the clock is no timeout.
                        timeout: timeout_secs
                            .filter(|&s| s > 0)
                            .and_then(|s| i64::try_from(s).ok())
                            .and_then(ChronoDuration::try_seconds),
                        last_message: String::new(),
                    });
                }
                match check_rollout_wait(app) {
                    Wait::Waiting => return Vec::new(),
                    Wait::Done => {}
                    Wait::Failed => return finish_native(app),
                }
            }
            Some(Command::Query(
                query @ (ReadOnlyQuery::GetDeploymentAs { .. }
                | ReadOnlyQuery::RolloutHistory { revision: Some(_) }),
            )) => {
                // Read through the API (the watch holds no object to print these from);
                // the run goes on with `Msg::NativeRead`.
                app.output.push(Stream::Stdout, format!("$ {text}"));
                if let Some(run) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
                    run.reading = true;
                }
                return vec![Effect::Cluster(ClusterEffect::NativeRead {
                    run: run_no,
                    query,
                })];
            }
            Some(Command::Query(q)) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                let c = app.cluster.as_ref().expect("checked");
                match native_run::answer(&q, c.rollout.as_ref(), &c.deployment, app.now) {
                    Ok(out) => out
                        .into_iter()
                        .for_each(|l| app.output.push(Stream::Stdout, l)),
                    Err(e) => {
                        app.output.push(Stream::Stderr, e);
                        fail_native(app);
                        return finish_native(app);
                    }
                }
            }
            Some(Command::Action(a)) => {
                app.output.push(Stream::Stdout, format!("$ {text}"));
                match cluster::start_op(app, a) {
                    Some(fx) => return fx,
                    None => {
                        let why = app
                            .flash
                            .as_ref()
                            .map(|f| f.text.clone())
                            .unwrap_or_default();
                        app.output.push(Stream::Stderr, why);
                        fail_native(app);
                        return finish_native(app);
                    }
                }
            }
        }
    }
}

/// The answer to a native run's line read through the API (`ClusterEffect::NativeRead`):
/// kubectl's stdout in the output pane and the run goes on, or its error on stderr and
/// the run ends failed (exit 1, as kubectl's). An answer for a run that is no longer
/// reading (ended, or another run) is dropped.
pub(super) fn on_read(app: &mut App, run: u32, printed: Result<String, String>) -> Vec<Effect> {
    let Some(r) = app
        .cluster
        .as_mut()
        .and_then(|c| c.native.as_mut())
        .filter(|r| r.run == run && r.reading)
    else {
        return Vec::new();
    };
    r.reading = false;
    match printed {
        Ok(out) => {
            native_run::output_lines(&out)
                .into_iter()
                .for_each(|l| app.output.push(Stream::Stdout, app.mask_secrets(&l)));
            advance(app)
        }
        Err(e) => {
            let e = app.mask_secrets(&e);
            app.output.push(Stream::Stderr, e);
            fail_native(app);
            finish_native(app)
        }
    }
}

/// How long a waiting `rollout status` line trusts the last watch verdict without a newer
/// event (the watch delivers changes well within it).
const FRESH_AFTER: ChronoDuration = ChronoDuration::seconds(2);

/// Where a waiting `rollout status` line is.
enum Wait {
    Waiting,
    Done,
    Failed,
}

/// Looks at the live rollout for a waiting `rollout status` line, printing what kubectl
/// prints: each new progress line, then success, `error: deployment "x" exceeded its
/// progress deadline`, or `error: timed out waiting for the condition`.
fn check_rollout_wait(app: &mut App) -> Wait {
    let now = app.now;
    let Some(c) = app.cluster.as_mut() else {
        return Wait::Failed;
    };
    let status = c.rollout.as_ref().map(|r| r.status.clone());
    let deployment = c.deployment.clone();
    let events = c.rollout_events;
    let watch_live = c
        .streams
        .get("rollout")
        .is_some_and(|h| matches!(h.state, WatchState::Live { .. }));
    let Some(run) = c.native.as_mut() else {
        return Wait::Done;
    };
    let Some(wait) = run.waiting.as_mut() else {
        return Wait::Done;
    };
    // A verdict from before this line started may predate a change the block's previous
    // (shell) line just made: kubectl reads the Deployment afresh. Trust it once the watch
    // has spoken since, or after the watch's usual delay while the watch is live.
    let fresh = events > wait.events_at_start || (watch_live && now - wait.since >= FRESH_AFTER);
    let status = match status {
        Some(RolloutStatus::Complete { .. } | RolloutStatus::Failed { .. }) if !fresh => {
            return Wait::Waiting;
        }
        other => other,
    };
    let (line, outcome) = match status {
        None => (
            Some(format!(
                "Error from server (NotFound): deployments.apps \"{deployment}\" not found (or not seen yet)"
            )),
            Wait::Failed,
        ),
        Some(RolloutStatus::Complete { message }) => (Some(message), Wait::Done),
        Some(RolloutStatus::Failed { message }) => {
            (Some(format!("error: {message}")), Wait::Failed)
        }
        Some(RolloutStatus::Progressing { message }) => {
            if wait.timeout.is_some_and(|t| now - wait.since >= t) {
                (
                    Some("error: timed out waiting for the condition".to_string()),
                    Wait::Failed,
                )
            } else if message != wait.last_message {
                wait.last_message = message.clone();
                (Some(message), Wait::Waiting)
            } else {
                (None, Wait::Waiting)
            }
        }
    };
    if !matches!(outcome, Wait::Waiting) {
        run.waiting = None;
    }
    if let Some(line) = line {
        let stream = if matches!(outcome, Wait::Failed) {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        app.output.push(stream, line);
    }
    if matches!(outcome, Wait::Failed) {
        fail_native(app);
    }
    outcome
}

/// The live rollout changed or time passed: a waiting `rollout status` line prints its
/// progress and, once it has ended, the native run goes on.
pub(super) fn on_rollout_seen(app: &mut App) -> Vec<Effect> {
    let waiting = app
        .cluster
        .as_ref()
        .and_then(|c| c.native.as_ref())
        .is_some_and(|r| r.waiting.is_some());
    if !waiting {
        return Vec::new();
    }
    match check_rollout_wait(app) {
        Wait::Waiting => Vec::new(),
        Wait::Done => advance(app),
        Wait::Failed => finish_native(app),
    }
}

/// Ctrl-C on a waiting `rollout status` line: stop waiting (the line fails, as kubectl
/// interrupted exits non-zero). `None` when no such line waits.
pub(super) fn interrupt_rollout_wait(app: &mut App) -> Option<Vec<Effect>> {
    let run = app.cluster.as_mut()?.native.as_mut()?;
    if run
        .follow
        .take_if(|f| *f == NativeFollow::PodsPane)
        .is_some()
    {
        // Ctrl-C on a followed Pods pane: the line is interrupted, as kubectl would be.
        app.output.push(
            Stream::Stderr,
            "interrupted: stopped following the Pods pane".into(),
        );
        app.focus = Pane::Procedure;
        fail_native(app);
        return Some(finish_native(app));
    }
    run.waiting.take()?;
    app.output.push(
        Stream::Stderr,
        "interrupted: stopped waiting for the rollout".into(),
    );
    fail_native(app);
    Some(finish_native(app))
}

/// A `kubectl get pods -w` line on the console's own target (its pods are in the Pods
/// pane, live).
fn follows_pods_pane(app: &App, text: &str) -> bool {
    app.cluster
        .as_ref()
        .is_some_and(|c| crate::domain::cluster::pods_watch::follows_pods_pane(text, &c.target()))
}

/// Enter while a native run's follow line runs: stop it; it ends as a success and the
/// run goes on. `None` when no follow runs.
pub(super) fn stop_follow(app: &mut App) -> Option<Vec<Effect>> {
    let run = app.cluster.as_mut()?.native.as_mut()?;
    match run.follow? {
        NativeFollow::Process {
            stop_requested: true,
        } => Some(Vec::new()),
        NativeFollow::Process {
            stop_requested: false,
        } => {
            run.follow = Some(NativeFollow::Process {
                stop_requested: true,
            });
            let run = run.run;
            app.flash(
                FlashLevel::Info,
                "Stopping the follow; the lines after it go on.",
            );
            Some(vec![Effect::Shell(ShellEffect::Cancel { run })])
        }
        NativeFollow::PodsPane => {
            run.follow = None;
            app.output
                .push(Stream::Stdout, "■ stopped following: ok".into());
            app.focus = Pane::Procedure;
            Some(advance(app))
        }
    }
}

/// `$VAR` placeholders reach shell lines as environment variables too, as in a shell step.
fn dollar_env(app: &App) -> Vec<(String, String)> {
    let bindings = app.bindings();
    app.runbook
        .placeholders
        .iter()
        .filter(|p| p.form == crate::domain::runbook::PlaceholderForm::Dollar)
        .filter_map(|p| bindings.get(&p.name).map(|v| (p.name.clone(), v.clone())))
        .collect()
}

/// A shell line of a native run ended; `None` when `run` is not one.
pub(super) fn shell_line_exited(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    cancelled: bool,
) -> Option<Vec<Effect>> {
    let native_run = app.cluster.as_ref()?.native.as_ref()?.run;
    let r = app.running.take_if(|r| r.run == run && native_run == run)?;
    // A follow stopped with Enter ends as a success, whatever the signal made of it.
    let stopped_follow = app
        .cluster
        .as_mut()
        .and_then(|c| c.native.as_mut())
        .and_then(|n| n.follow.take())
        == Some(NativeFollow::Process {
            stop_requested: true,
        });
    let (exit_code, cancelled) = if stopped_follow {
        (Some(0), false)
    } else {
        (exit_code, cancelled || r.cancel_requested)
    };
    let ok = exit_code == Some(0) && !cancelled;
    let line = match (exit_code, cancelled) {
        _ if stopped_follow => "■ stopped following: ok".to_string(),
        (_, true) => "cancelled".to_string(),
        (Some(c), _) => format!("exit {c}"),
        (None, _) => "killed by a signal".to_string(),
    };
    let stream = if ok { Stream::Stdout } else { Stream::Stderr };
    app.output.push(stream, line);
    if !ok {
        fail_native(app);
    }
    let mut fx = advance(app);
    if app.quit_after_run {
        fx.extend(session::quit(app));
    }
    Some(fx)
}

/// The confirmation of a native run's action was declined: the run ends there, its
/// remaining lines not run, journaled as declined (`CommandDeclined` after the run's
/// cancelled end), never as a failure. `None` when no native run is going.
pub(super) fn declined(app: &mut App, kubectl: &str) -> Option<Vec<Effect>> {
    let r = app.cluster.as_mut()?.native.take()?;
    Some(super::runs::journal_declined_run(
        app, r.step, r.run, r.started, kubectl,
    ))
}

pub(super) fn fail_native(app: &mut App) {
    if let Some(r) = app.cluster.as_mut().and_then(|c| c.native.as_mut()) {
        r.ok = false;
        r.pending.clear();
    }
}

fn finish_native(app: &mut App) -> Vec<Effect> {
    let Some(r) = app.cluster.as_mut().and_then(|c| c.native.take()) else {
        return Vec::new();
    };
    let duration_ms = (app.now - r.started).num_milliseconds().max(0) as u64;
    let exit_code = Some(if r.ok { 0 } else { 1 });
    vec![app.journal(
        Entry::CommandFinished {
            step: r.step,
            run: r.run,
            exit_code,
            duration_ms,
            cancelled: false,
        },
        Some(r.step),
        Then::Nothing,
    )]
}

#[cfg(test)]
#[path = "native_follow_tests.rs"]
mod follow_tests;

#[cfg(test)]
#[path = "native_read_tests.rs"]
mod read_tests;
