//! A command block in the shell, logical line by logical line, in one shell so variables
//! and `cd` carry over: each line's start and exit in the Output pane and the journal
//! (`CommandStarted`/`CommandFinished` per line, the command named `line i/n: …`); the
//! first failing line stops the block and asks retry / continue / stop; follows
//! (`kubectl get -w`, `watch`, `tail -f`) run until Enter stops them, as a success.

use crate::domain::journal::Entry;
use crate::domain::runbook::{self, Follow, StepId};
use crate::ui::action::Action;
use crate::ui::effect::{Effect, ShellEffect};
use crate::ui::msg::Stream;
use crate::ui::state::block_run::{BlockRun, LineFailure, LineRun};
use crate::ui::state::{App, FlashLevel, Layer, OutputLog, Pane, Running, Then};

use super::steps;

/// Starts a confirmed block: its logical lines, one after the other, from line `from`
/// (0-based: 0 runs the whole block; more goes on where an earlier run stopped).
pub(super) fn start(
    app: &mut App,
    step: StepId,
    filled: &str,
    env: Vec<(String, String)>,
    shown: String,
    from: usize,
) -> Vec<Effect> {
    let lines = runbook::block_lines(filled);
    if lines.is_empty() || from >= lines.len() {
        app.flash(FlashLevel::Info, "This block has no command to run.");
        return Vec::new();
    }
    let block = app
        .state
        .progress
        .next_run_number()
        .max(app.running.as_ref().map_or(0, |r| r.run + 1));
    // Shown (and journaled) from the script as shown, placeholders masked where secret,
    // cut the same way; should a value change the cut, a line is named, never shown
    // with a secret in it.
    let mut shown_lines = runbook::block_lines(&shown);
    if shown_lines.len() != lines.len() {
        shown_lines = (1..=lines.len())
            .map(|n| {
                format!(
                    "(line {n} of the block, not shown: a placeholder value changes how it reads)"
                )
            })
            .collect();
    }
    app.output = OutputLog::for_run(block, step, shown);
    // A one-line block reads as before: the command above its output.
    app.output.line_by_line = lines.len() > 1;
    app.output.in_one_shell = lines.len() > 1;
    app.focus = Pane::Procedure;
    if from > 0 {
        app.output.push(
            Stream::Stdout,
            format!(
                "↪ continuing from line {}/{}: lines 1–{from} ran in an earlier run (a new shell: their variables and cd are gone)",
                from + 1,
                lines.len()
            ),
        );
    }
    app.block_run = Some(BlockRun {
        step,
        block,
        lines,
        shown: shown_lines,
        env,
        index: from,
        current: None,
        failed: None,
        shell_gone: false,
        cleared: None,
        previewing: None,
        previewed: None,
    });
    let mut fx = steps::enter_phase_of(app, step);
    fx.extend(start_line(app));
    fx
}

/// Journals the current line's start; the line runs once the record is on disk. A
/// changing kubectl line is previewed first (`line_previews`), a guarded one waits for
/// its typed name.
pub(super) fn start_line(app: &mut App) -> Vec<Effect> {
    let next_run = app
        .state
        .progress
        .next_run_number()
        .max(app.running.as_ref().map_or(0, |r| r.run + 1));
    let now = app.now;
    if let Some(fx) = super::line_previews::preview(app) {
        return fx;
    }
    if let Some(fx) = guard(app) {
        return fx;
    }
    let target = app.cluster.as_ref().map(|c| c.target());
    let Some(b) = app.block_run.as_mut() else {
        return Vec::new();
    };
    // Run numbers also count lines whose records are still in flight.
    let run = next_run.max(b.current.as_ref().map_or(0, |c| c.run + 1));
    let run = run.max(b.failed.as_ref().map_or(0, |f| f.run + 1));
    let (step, index) = (b.step, b.index);
    let follow = runbook::follow_of(&b.lines[index]);
    let pods_pane = target
        .as_ref()
        .is_some_and(|t| crate::domain::cluster::pods_watch::follows_pods_pane(&b.lines[index], t));
    b.current = Some(LineRun {
        run,
        follow: follow.clone(),
        stop_requested: false,
        pods_pane,
    });
    b.failed = None;
    let label = b.label(index);
    let total = b.lines.len();
    let shown = b.shown[index].clone();
    let gone = std::mem::take(&mut b.shell_gone);
    app.running = Some(Running {
        run,
        step,
        started: now,
        spawned: false,
        cancel_requested: false,
    });
    app.output.run = Some(run);
    if gone {
        app.output.push(
            Stream::Stderr,
            "(the block's shell had ended: a new one starts; variables and cd from earlier lines are gone)".into(),
        );
    }
    let mut physical = shown.lines();
    let first = physical.next().unwrap_or_default();
    if total == 1 {
        // The pane's header is the command.
        physical = "".lines();
    }
    let how = match &follow {
        Some(Follow::Stream) if pods_pane => {
            "   (following the live Pods pane: Enter stops this line and goes on)".to_string()
        }
        Some(Follow::Stream) => "   (following: Enter stops this line and goes on)".to_string(),
        Some(Follow::Repeat { every_secs, .. }) => format!(
            "   (every {every_secs}s, output replaced each time: Enter stops this line and goes on)"
        ),
        None => String::new(),
    };
    let tag = if total == 1 {
        String::new()
    } else {
        format!("{label} ")
    };
    if total > 1 {
        app.output
            .push(Stream::Stdout, format!("▶ {tag}$ {first}{how}"));
    } else if !how.is_empty() {
        app.output
            .push(Stream::Stdout, how.trim_start().to_string());
    }
    for more in physical {
        app.output.push(Stream::Stdout, format!("    > {more}"));
    }
    // A one-line block is journaled as its command, as it always was.
    let command = match (total, follow.is_some()) {
        (1, false) => shown,
        (1, true) => format!("following: {shown}"),
        (_, false) => format!("{label}: {shown}"),
        (_, true) => format!("{label} (follow): {shown}"),
    };
    vec![app.journal(
        Entry::CommandStarted { step, run, command },
        Some(step),
        Then::ShellLine { run },
    )]
}

/// A line that deletes or scales to zero the console's target, or changes anything in
/// another namespace or context, waits for its object's name typed (`None`: the line may
/// start).
fn guard(app: &mut App) -> Option<Vec<Effect>> {
    let target = app.cluster.as_ref().map(|c| c.target());
    let b = app.block_run.as_ref()?;
    if b.cleared == Some(b.index) {
        return None;
    }
    let g = runbook::guard_of(&b.lines[b.index], target.as_ref())?;
    let expected = g.typed_name.clone()?;
    let label = b.label(b.index);
    let shown = b.shown[b.index].clone();
    let title = format!("{label}: {}", g.change);
    super::line_previews::ask_typed_name(app, &g, &label, title, &shown, expected);
    Some(Vec::new())
}

/// The typed name before a guarded line: the line runs when it matches.
pub(super) fn submit_typed_name(app: &mut App, value: String, expected: String) -> Vec<Effect> {
    if value != expected {
        let mut input = ratatui_textarea::TextArea::default();
        input.set_placeholder_text(expected.clone());
        app.layers
            .push(Layer::Prompt(Box::new(crate::ui::state::Prompt {
                title: "Type the name to run the line".into(),
                hint: format!("Type {expected} exactly; Esc declines."),
                purpose: crate::ui::state::PromptPurpose::GuardedLine { expected },
                input,
                error: Some(format!("{value:?} is not the name")),
            })));
        return Vec::new();
    }
    let Some(b) = app.block_run.as_mut() else {
        // A shell line of a native run of kubectl lines.
        return super::line_previews::native_cleared(app);
    };
    b.cleared = Some(b.index);
    start_line(app)
}

/// Esc on a guarded line's typed name: not run (declined), journaled; the block ends.
pub(super) fn guard_declined(app: &mut App) -> Vec<Effect> {
    let Some(b) = app.block_run.take() else {
        // A shell line of a native run of kubectl lines: its run ends, declined.
        return super::line_previews::native_declined(app);
    };
    let label = b.label(b.index);
    app.output
        .push(Stream::Stderr, format!("– {label} not run (declined)"));
    app.flash(
        FlashLevel::Info,
        &format!(
            "Step {}: {label} not run (declined); nothing was sent.",
            b.step
        ),
    );
    vec![
        Effect::Shell(ShellEffect::End { block: b.block }),
        app.journal(
            Entry::CommandDeclined {
                step: b.step,
                command: b.shown[b.index].clone(),
            },
            Some(b.step),
            Then::Nothing,
        ),
    ]
}

/// The line's start record is on disk: run it (unless cancelled meanwhile).
pub(super) fn journaled(app: &mut App, run: u32) -> Vec<Effect> {
    let Some(b) = app.block_run.as_ref() else {
        return Vec::new();
    };
    if b.current.as_ref().is_none_or(|c| c.run != run) {
        return Vec::new();
    }
    match &mut app.running {
        Some(r) if r.run == run && !r.cancel_requested => r.spawned = true,
        Some(r) if r.run == run => {
            // Cancelled (quitting) before it started: it never ran.
            return end_line(app, run, None, 0, true);
        }
        _ => return Vec::new(),
    }
    if b.current.as_ref().is_some_and(|c| c.pods_pane) {
        // The console watches these pods already: nothing runs, the Pods pane follows.
        app.focus = Pane::Pods;
        app.flash(
            FlashLevel::Info,
            "Following the live Pods pane; Enter stops this line and goes on.",
        );
        return Vec::new();
    }
    let (text, every_secs) = match runbook::follow_of(&b.lines[b.index]) {
        Some(Follow::Repeat {
            every_secs,
            command,
        }) => (command, Some(every_secs)),
        _ => (b.lines[b.index].clone(), None),
    };
    vec![Effect::Shell(ShellEffect::Line {
        block: b.block,
        run,
        text,
        every_secs,
        env: b.env.clone(),
    })]
}

/// A line of the block's shell ended.
pub(super) fn on_exited(
    app: &mut App,
    block: u32,
    run: u32,
    exit_code: Option<i32>,
    shell_gone: bool,
    duration_ms: u64,
) -> Vec<Effect> {
    let Some(b) = app.block_run.as_mut() else {
        return Vec::new();
    };
    if b.block != block || b.current.as_ref().is_none_or(|c| c.run != run) {
        return Vec::new();
    }
    if shell_gone {
        b.shell_gone = true;
    }
    end_line(app, run, exit_code, duration_ms, false)
}

/// Records how the current line ended and goes on: the next line, the end of the
/// block, or the question after a failure.
fn end_line(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    duration_ms: u64,
    never_started: bool,
) -> Vec<Effect> {
    let r = app.running.take_if(|r| r.run == run);
    let cancel_requested = r.as_ref().is_some_and(|r| r.cancel_requested);
    let Some(b) = app.block_run.as_mut() else {
        return Vec::new();
    };
    let Some(line) = b.current.take() else {
        return Vec::new();
    };
    let (step, index, total) = (b.step, b.index, b.lines.len());
    let label = b.label(index);
    let tag = if total == 1 {
        String::new()
    } else {
        format!("{label} ")
    };
    // A follow stopped with Enter ends as a success, whatever the signal made of it.
    let stopped_follow = line.follow.is_some() && line.stop_requested;
    let exit_code = if stopped_follow { Some(0) } else { exit_code };
    let cancelled = (cancel_requested || never_started) && !stopped_follow;
    let ok = exit_code == Some(0) && !cancelled;
    let text = match (exit_code, cancelled) {
        _ if stopped_follow => format!("■ {tag}stopped following: ok"),
        (_, true) => format!("✗ {tag}cancelled"),
        (Some(0), _) => format!("✓ {tag}exit 0"),
        (Some(127), _) => format!("✗ {tag}exit 127: command not found"),
        (Some(c), _) => format!("✗ {tag}exit {c}"),
        (None, _) if b.shell_gone => format!("✗ {tag}the shell ended (killed or exited)"),
        (None, _) => format!("✗ {tag}killed by a signal"),
    };
    // A repeated line's last round stays on screen above its end.
    app.output.replace_frame = false;
    app.output.frame_start = None;
    app.output
        .push(if ok { Stream::Stdout } else { Stream::Stderr }, text);
    let finished = Entry::CommandFinished {
        step,
        run,
        exit_code,
        duration_ms,
        cancelled,
    };
    if app.quit_after_run {
        let block = b.block;
        app.block_run = None;
        return vec![
            Effect::Shell(ShellEffect::End { block }),
            app.journal(finished, Some(step), Then::Quit),
        ];
    }
    if total == 1 {
        super::runs::flash_run_end(app, run, exit_code, cancelled, duration_ms);
    }
    if ok {
        let mut fx = vec![app.journal(finished, Some(step), Then::Nothing)];
        fx.extend(next_line(app, false));
        return fx;
    }
    if total == 1 {
        // A one-line block has nothing to continue with: it ends failed (r runs it again).
        let block = app.block_run.take().map(|b| b.block);
        let mut fx: Vec<Effect> = block
            .map(|block| Effect::Shell(ShellEffect::End { block }))
            .into_iter()
            .collect();
        fx.push(app.journal(finished, Some(step), Then::Nothing));
        return fx;
    }
    if let Some(b) = app.block_run.as_mut() {
        b.failed = Some(LineFailure {
            run,
            exit_code,
            cancelled,
        });
    }
    app.flash(
        FlashLevel::Warning,
        &format!("Step {step}: {label} failed; the block stopped there."),
    );
    app.layers.push(Layer::LineFailed { step });
    vec![app.journal(finished, Some(step), Then::Nothing)]
}

/// Goes on with the line after the current one, or ends the block when none is left
/// (`past_failure`: the operator chose to continue past the last line's failure, which
/// ticks the step: journaled, so the step reads done only because they said so).
fn next_line(app: &mut App, past_failure: bool) -> Vec<Effect> {
    let Some(b) = app.block_run.as_mut() else {
        return Vec::new();
    };
    b.index += 1;
    if b.index < b.lines.len() {
        return start_line(app);
    }
    let (step, block, total) = (b.step, b.block, b.lines.len());
    app.block_run = None;
    let mut fx = vec![Effect::Shell(ShellEffect::End { block })];
    if past_failure {
        let title = app
            .find_step(step)
            .map(|s| s.title.clone())
            .unwrap_or_default();
        app.output.push(
            Stream::Stdout,
            "■ continued past the failed last line: the step is ticked as done".into(),
        );
        fx.push(app.journal(Entry::StepTicked { step, title }, Some(step), Then::Nothing));
    } else if total > 1 {
        app.flash(
            FlashLevel::Info,
            &format!("Step {step}: all {total} lines ran."),
        );
    }
    fx
}

/// The operator's answer to a failed line: retry it, continue with the next, or stop.
pub(super) fn on_failed_line_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    let Some(b) = app.block_run.as_ref() else {
        app.layers.pop();
        return Vec::new();
    };
    let label = b.label(b.index);
    match action {
        Some(Action::RetryLine) => {
            app.layers.pop();
            app.output.push(Stream::Stdout, format!("↻ {label} again"));
            start_line(app)
        }
        Some(Action::ContinueLine) => {
            app.layers.pop();
            app.output.push(
                Stream::Stdout,
                format!("→ continuing past the failed {label}"),
            );
            next_line(app, true)
        }
        Some(Action::StopLines | Action::Cancel) => {
            app.layers.pop();
            let block = b.block;
            let step = b.step;
            app.block_run = None;
            app.output
                .push(Stream::Stderr, format!("■ stopped at the failed {label}"));
            app.flash(
                FlashLevel::Warning,
                &format!("Step {step} stopped at its failed {label}; r runs the step again."),
            );
            vec![Effect::Shell(ShellEffect::End { block })]
        }
        _ => Vec::new(),
    }
}

/// Enter (run) while a follow runs: stop it; it ends as a success and the block goes on.
/// `None` when no follow runs.
pub(super) fn stop_follow(app: &mut App) -> Option<Vec<Effect>> {
    let b = app.block_run.as_mut()?;
    let line = b.current.as_mut().filter(|c| c.follow.is_some())?;
    if line.stop_requested {
        return Some(Vec::new());
    }
    line.stop_requested = true;
    let run = line.run;
    if line.pods_pane {
        // Nothing runs in the shell: the line ends here, as a success.
        app.focus = Pane::Procedure;
        let ms = app.running.as_ref().map_or(0, |r| {
            (app.now - r.started).num_milliseconds().max(0) as u64
        });
        return Some(end_line(app, run, Some(0), ms, false));
    }
    app.flash(FlashLevel::Info, "Stopping the follow; the block goes on.");
    Some(vec![Effect::Shell(ShellEffect::Cancel { run })])
}

/// Ctrl-C while a line follows the Pods pane (nothing runs in the shell to signal): the
/// line ends cancelled and the block asks what next. `None` when no such line runs.
pub(super) fn cancel_pods_pane(app: &mut App) -> Option<Vec<Effect>> {
    let b = app.block_run.as_ref()?;
    let line = b
        .current
        .as_ref()
        .filter(|c| c.pods_pane && !c.stop_requested)?;
    let run = line.run;
    app.focus = Pane::Procedure;
    let r = app.running.as_mut().filter(|r| r.run == run)?;
    r.cancel_requested = true;
    let ms = (app.now - r.started).num_milliseconds().max(0) as u64;
    Some(end_line(app, run, None, ms, false))
}

/// A repeated line starts a round: its output replaces the last round's.
pub(super) fn on_frame(app: &mut App, run: u32) {
    if app.output.run == Some(run) {
        app.output.new_frame();
    }
}

#[cfg(test)]
#[path = "block_runs_tests.rs"]
mod tests;
