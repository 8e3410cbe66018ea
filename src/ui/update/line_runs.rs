//! What the reducers of the line-run families share (`state::line_run`): a command step
//! whose lines the console runs itself through a service's API — `argocd app` lines
//! (`argo_runs`) and `curl` lines to a deploy API (`deploy_api_runs`). Starting a run
//! (journaled `CommandStarted` before any line), a line failing, the run ending
//! (`CommandFinished`), Esc on a line's confirmation and an intent the journal could not
//! write are the same for both; what a line does at each stage is the family's.

use crate::domain::journal::{ChangeDetail, Entry};
use crate::domain::runbook::StepId;
use crate::ui::effect::Effect;
use crate::ui::msg::Stream;
use crate::ui::state::line_run::{LineCurrent, LineRun};
use crate::ui::state::{App, FlashLevel, OutputLog, Then};

use super::runs;

/// A family of lines run through a service's API.
pub(super) trait LineFamily {
    type Line;
    type Stage;
    /// The service, as the operator reads it: `Argo CD`, `the deploy API`.
    const SERVICE: &'static str;
    /// Where the family's run lives in the state.
    fn slot(app: &mut App) -> &mut Option<LineRun<Self::Line, Self::Stage>>;
    fn slot_ref(app: &App) -> Option<&LineRun<Self::Line, Self::Stage>>;
    /// The line as written (filled).
    fn text(line: &Self::Line) -> &str;
    /// How the journal's `via` names the family after the step: `via argocd`.
    const VIA: &'static str;
    /// A line waiting for its confirmation: what it changes and its stage while its
    /// intent is journaled; `None` at any other stage.
    fn confirming(stage: &Self::Stage) -> Option<(ChangeDetail, Self::Stage)>;
    /// What the line acts on, as the journal's `target` reads.
    fn target(line: &Self::Line) -> String;
    /// What follows once line `op`'s intent is on disk.
    fn then_execute(op: u64) -> Then;
}

/// `argocd app` lines through Argo CD's API.
pub(super) struct ArgoLines;

impl LineFamily for ArgoLines {
    type Line = crate::domain::argocd::ArgoBlockLine;
    type Stage = crate::ui::state::argo::ArgoStage;
    const SERVICE: &'static str = "Argo CD";
    fn slot(app: &mut App) -> &mut Option<LineRun<Self::Line, Self::Stage>> {
        &mut app.argo.run
    }
    fn slot_ref(app: &App) -> Option<&LineRun<Self::Line, Self::Stage>> {
        app.argo.run.as_ref()
    }
    fn text(line: &Self::Line) -> &str {
        &line.text
    }
    const VIA: &'static str = "via argocd";
    fn confirming(stage: &Self::Stage) -> Option<(ChangeDetail, Self::Stage)> {
        match stage {
            Self::Stage::Confirming { change } => Some((change.clone(), Self::Stage::Journaling)),
            _ => None,
        }
    }
    fn target(line: &Self::Line) -> String {
        format!("argocd/{}", line.line.command.app())
    }
    fn then_execute(op: u64) -> Then {
        Then::ArgoExecute { op }
    }
}

/// `curl` lines through a deploy service's API.
pub(super) struct DeployLines;

impl LineFamily for DeployLines {
    type Line = crate::ui::state::deploy_api::DeployLine;
    type Stage = crate::ui::state::deploy_api::DeployStage;
    const SERVICE: &'static str = "the deploy API";
    fn slot(app: &mut App) -> &mut Option<LineRun<Self::Line, Self::Stage>> {
        &mut app.deploy_api.run
    }
    fn slot_ref(app: &App) -> Option<&LineRun<Self::Line, Self::Stage>> {
        app.deploy_api.run.as_ref()
    }
    fn text(line: &Self::Line) -> &str {
        &line.text
    }
    const VIA: &'static str = "via deploy API";
    fn confirming(stage: &Self::Stage) -> Option<(ChangeDetail, Self::Stage)> {
        match stage {
            Self::Stage::Confirming { change, after } => Some((
                change.clone(),
                Self::Stage::Journaling {
                    after: after.clone(),
                },
            )),
            _ => None,
        }
    }
    fn target(line: &Self::Line) -> String {
        format!("deploy-api {}", line.preview)
    }
    fn then_execute(op: u64) -> Then {
        Then::DeployExecute { op }
    }
}

/// Starts `step`'s run of `lines` (`filled`: its block as filled): refused while an
/// action, a command or such a run is under way; else the Output pane is the run's and
/// `CommandStarted` (`{label}: {the block as shown}`) is journaled, then `then`.
pub(super) fn start<F: LineFamily>(
    app: &mut App,
    step: StepId,
    filled: &str,
    lines: Vec<F::Line>,
    label: &str,
    then: Then,
) -> Vec<Effect> {
    let cluster_busy = app
        .cluster
        .as_ref()
        .is_some_and(|c| c.native.is_some() || c.op.is_some());
    if cluster_busy
        || app.running.is_some()
        || app.block_run.is_some()
        || F::slot_ref(app).is_some()
    {
        app.flash_busy();
        return Vec::new();
    }
    let run = app.state.progress.next_run_number();
    let shown = app.shown_run_command(step, filled);
    // Each line is announced (`$ …`) as it is sent; the pane's header is the first.
    app.output = OutputLog::for_run(run, step, shown.clone());
    *F::slot(app) = Some(LineRun::new(step, run, app.now, lines));
    runs::journal_start(app, step, run, format!("{label}: {shown}"), then)
}

/// The line in flight when it is request `op`.
pub(super) fn current<F: LineFamily>(
    app: &mut App,
    op: u64,
) -> Option<&mut LineCurrent<F::Line, F::Stage>> {
    F::slot(app).as_mut()?.current_op(op)
}

/// A line failed: the run stops after it.
pub(super) fn fail<F: LineFamily>(app: &mut App) {
    if let Some(r) = F::slot(app).as_mut() {
        r.fail();
    }
}

/// The run ends: `CommandFinished`, exit 0 when every line succeeded, 1 otherwise.
pub(super) fn finish<F: LineFamily>(app: &mut App) -> Vec<Effect> {
    let Some(r) = F::slot(app).take() else {
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

/// Line `op`'s confirmation given (the word typed): its intent is journaled
/// (`ClusterActionRequested`, `via` the step, confirmed by the operator), then — once on
/// disk — the line is sent. Nothing happens unless the line waits for its confirmation.
pub(super) fn confirmed<F: LineFamily>(app: &mut App, op: u64) -> Vec<Effect> {
    let actor = app.session.actor.clone();
    let Some(r) = F::slot(app).as_mut() else {
        return Vec::new();
    };
    let via = format!("step {} {}", r.step, F::VIA);
    let Some(cur) = r.current_op(op) else {
        return Vec::new();
    };
    let Some((change, journaling)) = F::confirming(&cur.stage) else {
        return Vec::new();
    };
    cur.stage = journaling;
    let text = F::text(&cur.line).to_string();
    let target = F::target(&cur.line);
    let action = app.mask_secrets(&text);
    app.flash(
        FlashLevel::Info,
        &format!("Recording the intent, then sending it to {}…", F::SERVICE),
    );
    vec![app.journal(
        Entry::ClusterActionRequested {
            action,
            target,
            change: Some(ChangeDetail {
                via: Some(via),
                confirmed_by: Some(actor),
                ..change
            }),
        },
        None,
        F::then_execute(op),
    )]
}

/// The intent of line `op` could not be written: nothing is sent, the run stops.
pub(super) fn journal_failed<F: LineFamily>(app: &mut App, op: u64) -> Vec<Effect> {
    if current::<F>(app, op).is_none() {
        return Vec::new();
    }
    app.output
        .push(Stream::Stderr, "not sent: the journal write failed".into());
    fail::<F>(app);
    finish::<F>(app)
}

/// Esc on line `op`'s confirmation: nothing was sent; the run ends there, journaled as
/// declined.
pub(super) fn declined<F: LineFamily>(app: &mut App, op: u64) -> Vec<Effect> {
    if current::<F>(app, op).is_none() {
        return Vec::new();
    }
    let Some(r) = F::slot(app).take() else {
        return Vec::new();
    };
    app.flash(
        FlashLevel::Info,
        &format!("Cancelled: nothing was sent to {}.", F::SERVICE),
    );
    let command = r
        .current
        .as_ref()
        .map(|c| F::text(&c.line).to_string())
        .unwrap_or_default();
    super::runs::journal_declined_run(app, r.step, r.run, r.started, &command)
}
