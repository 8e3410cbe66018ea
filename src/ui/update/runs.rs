//! Command runs: placeholders then the exact-command confirmation, the `CommandStarted`
//! record before the spawn, the output, the exit, cancelling; a drill's rehearsal of a
//! command that would reach beyond the simulator.

use crate::domain::journal::Entry;
use crate::domain::runbook;
use crate::domain::runbook::{PlaceholderForm, StepId, StepKind};
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::Stream;
use crate::ui::state::{App, Confirm, FlashLevel, Intent, Layer, OutputLog, Then};

use super::{argo_runs, block_runs, messages, native_runs, session, steps, verification};

pub(super) fn request_run(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    run_step(app, step.id)
}

/// Asks for missing placeholders one at a time, then opens the confirmation.
pub(super) fn run_step(app: &mut App, id: StepId) -> Vec<Effect> {
    let Some(step) = app.find_step(id).cloned() else {
        return Vec::new();
    };
    let StepKind::Command(block) = &step.kind else {
        if app.verification.has_checks(id) {
            // A placeholder a check needed is bound: start the step's checks.
            app.cursor = app.flat_index_of(id).unwrap_or(app.cursor);
            return verification::request_start(app);
        }
        app.flash(
            FlashLevel::Info,
            "This step has no command to run; press space to tick it.",
        );
        return Vec::new();
    };
    if app.block_run.is_some() {
        app.flash(
            FlashLevel::Warning,
            "A command block is running (Ctrl-C cancels its line).",
        );
        return Vec::new();
    }
    if let Some(r) = &app.running {
        let n = r.run;
        app.flash(
            FlashLevel::Warning,
            &format!("Command run {n} is still running (Ctrl-C cancels it)."),
        );
        return Vec::new();
    }
    if native_runs::refuse_during_native_run(app) {
        return Vec::new();
    }
    if argo_runs::busy(app) || super::deploy_api_runs::busy(app) {
        app.flash(
            FlashLevel::Warning,
            "A step's argocd or deploy API lines are running: wait for them to end.",
        );
        return Vec::new();
    }
    // In a drill on the simulator, a step that already reads as reaching beyond it is
    // rehearsed without asking for its placeholders first (a webhook URL, an incident id):
    // nothing will run, so nothing needs a value.
    if app.rehearse_outside_commands
        && !argo_runs::runs_on_the_simulator(app, &block.script)
        && !super::deploy_api_runs::runs_on_the_simulator(app, &block.script)
    {
        let outside = crate::domain::drill_guard::outside_commands(&block.script);
        if !outside.is_empty() {
            push_rehearsal_confirm(app, &step, &outside);
            return Vec::new();
        }
    }
    match runbook::fill(&block.script, &app.bindings()) {
        Err(missing) => {
            if let Some(ph) = missing.into_iter().next() {
                steps::ask_placeholder(app, ph, id);
            }
            Vec::new()
        }
        Ok(filled) => {
            // In a drill on the simulator, a block that would reach beyond it is rehearsed
            // whole, native lines included (before any line could run).
            let outside = if app.rehearse_outside_commands
                && !argo_runs::runs_on_the_simulator(app, &filled)
                && !super::deploy_api_runs::runs_on_the_simulator(app, &block.script)
            {
                crate::domain::drill_guard::outside_commands(&filled)
            } else {
                Vec::new()
            };
            // `argocd app` lines run through Argo CD's API (the drill's simulator's in a
            // drill), never in a shell where a missing `argocd` reads as a failure of
            // something else, or its absence as success.
            if outside.is_empty()
                && let Some(fx) = argo_runs::try_argo(app, id, &filled)
            {
                return fx;
            }
            // `curl` lines aimed at the deploy API run through the console, judged by the
            // answer's status and body (curl without -f exits 0 on an error).
            if outside.is_empty()
                && let Some(fx) = super::deploy_api_runs::try_deploy(app, id, &filled)
            {
                return fx;
            }
            if outside.is_empty()
                && let Some(fx) = native_runs::try_native(app, id, &filled)
            {
                return fx;
            }
            let shown = app.shown_command(&block.script);
            let mut body: Vec<String> = shown.lines().map(str::to_string).collect();
            if body.is_empty() {
                body.push(String::new());
            }
            if !outside.is_empty() {
                push_rehearsal_confirm(app, &step, &outside);
                return Vec::new();
            }
            if let Some(from) = continue_from(app, id, &filled) {
                push_continue_confirm(app, &step, &shown, from);
                return Vec::new();
            }
            push_run_confirm(app, &step, body, &shown, "Run this in /bin/sh now?");
            Vec::new()
        }
    }
}

/// The whole block's confirmation (after the offer to continue was declined).
fn whole_block_confirm(app: &mut App, id: StepId) -> Vec<Effect> {
    let Some(step) = app.find_step(id).cloned() else {
        return Vec::new();
    };
    let StepKind::Command(block) = &step.kind else {
        return Vec::new();
    };
    let shown = app.shown_command(&block.script);
    let body: Vec<String> = shown.lines().map(str::to_string).collect();
    push_run_confirm(
        app,
        &step,
        body,
        &shown,
        "Run the whole block in /bin/sh now?",
    );
    Vec::new()
}

/// A run's start on the journal: the phase of `step` entered when it is another one, then
/// the `CommandStarted` record of run `run` saying `command`, `then` when it is written.
pub(super) fn journal_start(
    app: &mut App,
    step: StepId,
    run: u32,
    command: String,
    then: Then,
) -> Vec<Effect> {
    let mut fx = steps::enter_phase_of(app, step);
    fx.push(app.journal(
        Entry::CommandStarted { step, run, command },
        Some(step),
        then,
    ));
    fx
}

/// The confirmation of a run of `step`'s whole block: `body` (the command as shown), what
/// its lines change, and `question`.
fn push_run_confirm(
    app: &mut App,
    step: &runbook::Step,
    mut body: Vec<String>,
    shown: &str,
    question: &str,
) {
    body.extend(change_words(app, shown, 0));
    app.layers.push(Layer::Confirm(Confirm {
        title: format!("Run {} {}", step.id, step.title),
        body,
        question: question.into(),
        intent: Intent::RunCommand { step: step.id },
    }));
}

/// The line (0-based) a step's block can go on from: its last run stopped part-way
/// (the session ended between two lines, or while a line ran) and the block still has
/// as many lines as then. `None`: run the whole block.
fn continue_from(app: &App, id: StepId, filled: &str) -> Option<usize> {
    let stop = app.state.progress.block_stopped(id)?;
    if runbook::block_lines(filled).len() != stop.total {
        return None;
    }
    // The interrupted line runs again (it may not have finished); else the next one.
    let from = stop.interrupted.map_or(stop.ran, |line| line - 1);
    (from < stop.total).then_some(from)
}

/// Offers to go on where a block stopped; `n` offers the whole block instead.
fn push_continue_confirm(app: &mut App, step: &runbook::Step, shown: &str, from: usize) {
    let Some(stop) = app.state.progress.block_stopped(step.id) else {
        return;
    };
    let lines = runbook::block_lines(shown);
    let mut body: Vec<String> = lines.iter().skip(from).cloned().collect();
    body.extend(change_words(app, shown, from));
    let how = match stop.interrupted {
        Some(line) => format!(
            "line {line}/{} was running when the session ended",
            stop.total
        ),
        None => format!("the block stopped after line {}/{}", stop.ran, stop.total),
    };
    // Said under the lines (the question is one line on screen).
    body.push(format!(
        "⚠ The last run did not finish: {how}. A new shell: variables and cd from earlier lines are gone."
    ));
    app.layers.push(Layer::Confirm(Confirm {
        title: format!("Continue {} {}", step.id, step.title),
        body,
        question: format!(
            "Continue from line {}/{}? (n: the whole block instead)",
            from + 1,
            stop.total
        ),
        intent: Intent::ContinueBlock {
            step: step.id,
            from,
        },
    }));
}

pub(super) fn on_confirmed(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::RunCommand { step } => start_command(app, step, 0),
        Intent::ContinueBlock { step, from } => start_command(app, step, from),
        Intent::RunPreviewedLine { .. } => super::line_previews::accepted(app),
        Intent::RehearseCommand { step } => rehearse_command(app, step),
        Intent::RunKubectlLines { step } => native_runs::confirmed_lines(app, step),
        Intent::StartVerification { step } => verification::start_confirmed(app, step),
        Intent::CloseSession => vec![app.journal(Entry::SessionClosed, None, Then::Quit)],
        Intent::SendMessage { kind, text } => messages::send(app, kind, text),
        Intent::QuitCancellingCommand => match &mut app.running {
            Some(r) => {
                r.cancel_requested = true;
                app.quit_after_run = true;
                let run = r.run;
                if r.spawned {
                    vec![Effect::Shell(ShellEffect::Cancel { run })]
                } else {
                    Vec::new()
                }
            }
            None => session::quit(app),
        },
    }
}

/// Asks to rehearse a simulated drill's step that would reach beyond the simulator,
/// showing the command as far as its placeholders are known.
fn push_rehearsal_confirm(app: &mut App, step: &runbook::Step, outside: &[String]) {
    let StepKind::Command(block) = &step.kind else {
        return;
    };
    let shown = app.shown_command(&block.script);
    let mut body: Vec<String> = shown.lines().map(str::to_string).collect();
    if body.is_empty() {
        body.push(String::new());
    }
    app.layers.push(Layer::Confirm(Confirm {
        title: format!("Run {} {}", step.id, step.title),
        body,
        question: format!(
            "Drill: {} would reach beyond the simulator. Rehearse it (journaled, nothing runs)?",
            outside.join(", ")
        ),
        intent: Intent::RehearseCommand { step: step.id },
    }));
}

/// A simulated drill's step whose commands would reach outside the simulator: the run is
/// journaled as rehearsed (started and ended at once, exit 0) and nothing is spawned.
fn rehearse_command(app: &mut App, id: StepId) -> Vec<Effect> {
    let Some(step) = app.find_step(id).cloned() else {
        return Vec::new();
    };
    let StepKind::Command(block) = &step.kind else {
        return Vec::new();
    };
    // As far as it is filled: placeholders nobody was asked for stay as written.
    let script =
        runbook::fill(&block.script, &app.bindings()).unwrap_or_else(|_| block.script.clone());
    let mut outside = crate::domain::drill_guard::outside_commands(&script);
    if outside.is_empty() {
        outside = crate::domain::drill_guard::outside_commands(&block.script);
    }
    let outside = outside.join(", ");
    let run = app.state.progress.next_run_number();
    let shown = app.shown_command(&block.script);
    app.output = OutputLog::for_run(run, id, shown.clone());
    app.output.push(
        Stream::Stdout,
        format!("rehearsed in the drill, not run: {outside} would reach beyond the simulator"),
    );
    let command = format!("{}{shown}", crate::domain::progress::REHEARSAL_PREFIX);
    let mut fx = journal_start(app, id, run, command, Then::Nothing);
    fx.push(app.journal(
        Entry::CommandFinished {
            step: id,
            run,
            exit_code: Some(0),
            duration_ms: 0,
            cancelled: false,
        },
        Some(id),
        Then::Nothing,
    ));
    fx
}

/// Runs a step's block from its line `from` (0-based; 0 for the whole block).
fn start_command(app: &mut App, id: StepId, from: usize) -> Vec<Effect> {
    let Some(step) = app.find_step(id).cloned() else {
        return Vec::new();
    };
    let StepKind::Command(block) = &step.kind else {
        return Vec::new();
    };
    let bindings = app.bindings();
    let Ok(script) = runbook::fill(&block.script, &bindings) else {
        return run_step(app, id);
    };
    let shown = app.shown_command(&block.script);
    // `$VAR` placeholders also reach the command as environment variables, so quoted
    // uses (`"$VAR"`) and child scripts see the same value.
    let env: Vec<(String, String)> = app
        .runbook
        .placeholders
        .iter()
        .filter(|p| p.form == PlaceholderForm::Dollar)
        .filter_map(|p| bindings.get(&p.name).map(|v| (p.name.clone(), v.clone())))
        .collect();
    // One shell for the block, fed a logical line at a time.
    block_runs::start(app, id, &script, env, shown, from)
}

/// `n` on a confirmation: a command that was offered and declined is journaled as
/// declined ("not run (declined)"), never as a failed run.
pub(super) fn declined(app: &mut App, intent: Intent) -> Vec<Effect> {
    if let Intent::ContinueBlock { step, .. } = intent {
        // Not going on from where it stopped: the whole block, asked as usual.
        return whole_block_confirm(app, step);
    }
    if let Intent::RunPreviewedLine { .. } = intent {
        // The line's dry run was seen and declined: not run, the block ends.
        return block_runs::guard_declined(app);
    }
    let step = match intent {
        Intent::RunCommand { step }
        | Intent::RunKubectlLines { step }
        | Intent::RehearseCommand { step } => step,
        _ => return Vec::new(),
    };
    let Some(StepKind::Command(block)) = app.find_step(step).map(|s| s.kind.clone()) else {
        return Vec::new();
    };
    let command = app.shown_command(&block.script);
    vec![app.journal(
        Entry::CommandDeclined { step, command },
        Some(step),
        Then::Nothing,
    )]
}

pub(super) fn on_exited(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    duration_ms: u64,
    cancelled: bool,
) -> Vec<Effect> {
    if let Some(fx) = native_runs::shell_line_exited(app, run, exit_code, cancelled) {
        return fx;
    }
    let Some(r) = app.running.take_if(|r| r.run == run) else {
        return Vec::new();
    };
    let cancelled = cancelled || r.cancel_requested;
    flash_run_end(app, run, exit_code, cancelled, duration_ms);
    let then = if app.quit_after_run {
        Then::Quit
    } else {
        Then::Nothing
    };
    vec![app.journal(
        Entry::CommandFinished {
            step: r.step,
            run,
            exit_code,
            duration_ms,
            cancelled,
        },
        Some(r.step),
        then,
    )]
}

/// What a shell block's lines change, in plain words, for its confirmation: one line per
/// changing line (`line 2 changes: helm rollback web → revision 3`), with where when it is
/// not the console's target, and which lines will ask for a typed name.
/// The flash at the end of a run: `Run 3 exit 0 after 1.2 s`, a warning unless it
/// exited 0 and was not cancelled.
pub(super) fn flash_run_end(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    cancelled: bool,
    duration_ms: u64,
) {
    let summary = match (exit_code, cancelled) {
        (_, true) => "cancelled".to_string(),
        (Some(0), _) => "exit 0".to_string(),
        (Some(c), _) => format!("failed: exit {c}"),
        (None, _) => "killed by a signal".to_string(),
    };
    let level = if exit_code == Some(0) && !cancelled {
        FlashLevel::Info
    } else {
        FlashLevel::Warning
    };
    app.flash(
        level,
        &format!(
            "Run {run} {summary} after {}",
            crate::domain::duration_text::precise_ms(duration_ms)
        ),
    );
}

fn change_words(app: &App, shown: &str, from: usize) -> Vec<String> {
    let target = app.cluster.as_ref().map(|c| c.target());
    let lines = runbook::block_lines(shown);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(from) {
        let Some(g) = runbook::guard_of(line, target.as_ref()) else {
            continue;
        };
        let mut words = format!("⚠ line {} changes: {}", i + 1, g.change);
        if !g.warnings.is_empty() {
            words.push_str(&format!(" ({})", g.warnings.join("; ")));
        }
        if let Some(name) = &g.typed_name {
            words.push_str(&format!(" — asks for {name} typed before it runs"));
        }
        out.push(words);
    }
    out
}

/// A run under way whose confirmation was declined (native kubectl, `argocd`, deploy API):
/// "not run (declined)" in the output, then its cancelled end and `CommandDeclined` in the
/// journal — never a failure. `command` is masked before it is written.
pub(super) fn journal_declined_run(
    app: &mut App,
    step: StepId,
    run: u32,
    started: chrono::DateTime<chrono::Utc>,
    command: &str,
) -> Vec<Effect> {
    app.output.push(
        Stream::Stderr,
        "not run (declined): nothing was sent".into(),
    );
    let command = app.mask_secrets(command);
    let duration_ms = (app.now - started).num_milliseconds().max(0) as u64;
    vec![
        app.journal(
            Entry::CommandFinished {
                step,
                run,
                exit_code: None,
                duration_ms,
                cancelled: true,
            },
            Some(step),
            Then::Nothing,
        ),
        app.journal(
            Entry::CommandDeclined { step, command },
            Some(step),
            Then::Nothing,
        ),
    ]
}
