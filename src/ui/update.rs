//! The one place state changes: `update(&mut App, Msg) -> Vec<Effect>`.
//!
//! Pure: no I/O, no clock (time arrives as `Msg::Tick` and in records). A step is shown
//! done only when its journal record comes back from disk (`Msg::Journaled`).

use chrono::Duration as ChronoDuration;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::cluster::{ClusterAction, FollowOutcome, FollowProgress, Planned, Preflight};
use crate::domain::journal::Entry;
use crate::domain::progress::StepState;
use crate::domain::redact;
use crate::domain::runbook;
use crate::domain::runbook::{PlaceholderForm, StepId, StepKind};

use super::action::Action;
use super::cluster::{ClusterStep, LockRefusal, OpStage};
use super::effect::Effect;
use super::keymap::Mode;
use super::live::MetricsUpdate;
use super::messages;
use super::msg::{Msg, Stream};
use super::state::{
    App, Confirm, Flash, FlashLevel, Intent, Layer, NoteEditor, OutputLog, Pane, PendingWrite,
    Prompt, PromptPurpose, Running, Then,
};
use super::update_cluster;
use super::update_verify;

/// How long a flash message stays on the key-hint line.
const FLASH_SECS: i64 = 6;

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key),
        Msg::Key(_) => Vec::new(),
        Msg::Paste(text) => on_paste(app, &text),
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
            let mut fx = update_cluster::on_rollout_seen(app);
            // Re-evaluate so that data going stale shows as unknown even when the
            // metrics task is slow to answer.
            if app.metrics.as_ref().is_some_and(|m| m.generation.is_some()) {
                fx.extend(evaluate_matrix(app, now));
            }
            fx
        }
        Msg::Metrics(m) => on_metrics(app, m),
        Msg::ClusterStep { op, step } => on_cluster_step(app, op, step),
        Msg::Verify(m) => update_verify::on_msg(app, m),
        Msg::Cluster(ev) => {
            let now = app.now;
            if let Some(c) = &mut app.cluster {
                c.apply(ev, now);
            }
            update_cluster::on_rollout_seen(app)
        }
        Msg::Journaled { req, result } => on_journaled(app, req, result),
        Msg::Notify(ev) => messages::on_event(app, ev),
        Msg::DrillEvent(what) => super::drill::on_drill_event(app, what),
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
        } => on_exited(app, run, exit_code, duration_ms, cancelled),
        Msg::SpawnFailed { run, error } => {
            app.output.push(
                Stream::Stderr,
                format!("backout: could not start the command: {error}"),
            );
            on_exited(app, run, None, 0, false)
        }
        Msg::Terminate => {
            if let Some(r) = &app.running {
                app.quit_after_run = true;
                vec![Effect::Cancel { run: r.run }]
            } else {
                quit(app)
            }
        }
        Msg::BackgroundPanic(line) => {
            let line = app.mask_secrets(&line);
            flash(
                app,
                FlashLevel::Error,
                &format!("A background task crashed ({line}); see the log. q still quits."),
            );
            Vec::new()
        }
    }
}

// ---------------------------------------------------------------- keys

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if super::drill::dismiss_intro(app) {
        return vec![Effect::StartDrill];
    }
    let mode = app.mode();
    let action = app.keymap.action_for(mode, &key);
    match mode {
        Mode::Normal => action.map(|a| on_normal(app, a)).unwrap_or_default(),
        Mode::Help if matches!(app.layers.last(), Some(Layer::Messages { .. })) => {
            match action {
                Some(Action::Up) => messages::move_cursor(app, -1),
                Some(Action::Down) => messages::move_cursor(app, 1),
                Some(Action::RetryMessage) => return messages::retry_selected(app),
                Some(Action::Cancel) => {
                    app.layers.pop();
                }
                _ => {}
            }
            Vec::new()
        }
        Mode::Help => {
            let max = super::popups::help::max_scroll(app);
            if let Some(Layer::Help { scroll }) = app.layers.last_mut() {
                match action {
                    Some(Action::Up) => *scroll = scroll.saturating_sub(1).min(max),
                    Some(Action::Down) => *scroll = scroll.saturating_add(1).min(max),
                    Some(Action::PageUp) => *scroll = scroll.saturating_sub(10).min(max),
                    Some(Action::PageDown) => *scroll = scroll.saturating_add(10).min(max),
                    Some(Action::Cancel) => {
                        app.layers.pop();
                    }
                    _ => {}
                }
            }
            Vec::new()
        }
        Mode::Actions => update_cluster::on_menu(app, action),
        Mode::Confirm if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
            update_cluster::on_confirm_key(app, action)
        }
        Mode::Confirm if matches!(app.layers.last(), Some(Layer::NextMoves { .. })) => {
            match app.layers.last() {
                Some(Layer::NextMoves { check }) => {
                    let check = *check;
                    update_verify::next_move(app, check, action)
                }
                _ => Vec::new(),
            }
        }
        Mode::Confirm if matches!(app.layers.last(), Some(Layer::Notice { .. })) => {
            if matches!(action, Some(Action::Confirm | Action::Cancel)) {
                app.layers.pop();
            }
            Vec::new()
        }
        Mode::Confirm => match action {
            Some(Action::Confirm) => match app.layers.pop() {
                Some(Layer::Confirm(c)) => on_confirmed(app, c.intent),
                _ => Vec::new(),
            },
            Some(Action::Cancel) => {
                app.layers.pop();
                flash(app, FlashLevel::Info, "Cancelled: nothing was run.");
                Vec::new()
            }
            _ => Vec::new(),
        },
        Mode::Input => match action {
            Some(Action::Submit) if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
                submit_cluster_confirm(app)
            }
            Some(Action::Submit) => submit_prompt(app),
            Some(Action::Cancel) if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
                update_cluster::cancel_confirm(app)
            }
            Some(Action::Cancel) => {
                app.layers.pop();
                Vec::new()
            }
            _ => {
                match app.layers.last_mut() {
                    Some(Layer::Prompt(p)) if !is_newline(&key) => {
                        p.input.input(key);
                        p.error = None;
                    }
                    Some(Layer::ClusterConfirm(cc)) if !is_newline(&key) => {
                        cc.input.input(key);
                        cc.error = None;
                    }
                    _ => {}
                }
                Vec::new()
            }
        },
        Mode::Note if matches!(app.layers.last(), Some(Layer::Compose(_))) => match action {
            Some(Action::Submit) => messages::submit_composer(app),
            Some(Action::NextMessageKind) => messages::next_kind(app),
            Some(Action::Cancel) => {
                app.layers.pop();
                flash(app, FlashLevel::Info, "Message discarded: nothing sent.");
                Vec::new()
            }
            _ => {
                if let Some(Layer::Compose(c)) = app.layers.last_mut() {
                    c.input.input(key);
                }
                Vec::new()
            }
        },
        Mode::Note => match action {
            Some(Action::Submit) => submit_note(app),
            Some(Action::Cancel) => {
                app.layers.pop();
                flash(app, FlashLevel::Info, "Note discarded.");
                Vec::new()
            }
            _ => {
                if let Some(Layer::Note(n)) = app.layers.last_mut() {
                    n.input.input(key);
                }
                Vec::new()
            }
        },
    }
}

fn is_newline(key: &KeyEvent) -> bool {
    key.code == KeyCode::Enter
        || (key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('m') | KeyCode::Char('j')))
}

fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    match app.layers.last_mut() {
        Some(Layer::Note(n)) => {
            n.input.insert_str(text);
        }
        Some(Layer::Compose(c)) => {
            c.input.insert_str(text);
        }
        Some(Layer::Prompt(p)) => {
            p.input.insert_str(text.lines().next().unwrap_or(""));
        }
        _ => {}
    }
    Vec::new()
}

fn on_normal(app: &mut App, action: Action) -> Vec<Effect> {
    let page = usize::from(app.size.1.saturating_sub(8)).max(1);
    match action {
        Action::Up => scroll_or_move(app, -1),
        Action::Down => scroll_or_move(app, 1),
        Action::PageUp => scroll_or_move(app, -(page as isize)),
        Action::PageDown => scroll_or_move(app, page as isize),
        Action::Top => {
            match app.focus {
                Pane::Procedure => app.cursor = 0,
                Pane::Rollout => {
                    if let Some(c) = &mut app.cluster {
                        c.move_selection(-(isize::MAX / 2));
                    }
                }
                Pane::Output => app.output.scroll_back = app.output.lines.len(),
                Pane::Journal => app.journal_scroll = app.records.len().saturating_sub(1),
            }
            Vec::new()
        }
        Action::Bottom => {
            match app.focus {
                Pane::Procedure => app.cursor = app.steps.len().saturating_sub(1),
                Pane::Rollout => {
                    if let Some(c) = &mut app.cluster {
                        c.move_selection(isize::MAX / 2);
                    }
                }
                Pane::Output => app.output.scroll_back = 0,
                Pane::Journal => app.journal_scroll = 0,
            }
            Vec::new()
        }
        Action::NextPhase => jump_phase(app, 1),
        Action::PrevPhase => jump_phase(app, -1),
        Action::NextPane => {
            app.focus = app.focus.next();
            if app.focus == Pane::Rollout && app.cluster.is_none() {
                app.focus = app.focus.next();
            }
            Vec::new()
        }
        Action::PrevPane => {
            app.focus = app.focus.prev();
            if app.focus == Pane::Rollout && app.cluster.is_none() {
                app.focus = app.focus.prev();
            }
            Vec::new()
        }
        Action::Toggle => toggle(app),
        Action::Run
            if matches!(
                app.selected().map(|s| &s.kind),
                Some(StepKind::Verify { .. })
            ) =>
        {
            update_verify::request_start(app)
        }
        Action::Run => request_run(app),
        Action::Verify => update_verify::request_start(app),
        Action::CutShort => update_verify::request_cut_short(app),
        Action::Skip => request_skip(app),
        Action::Note => {
            let step = app.selected().map(|s| s.id);
            let mut input = TextArea::default();
            input.set_placeholder_text("What happened, what you decided, who you told…");
            app.layers
                .push(Layer::Note(Box::new(NoteEditor { step, input })));
            Vec::new()
        }
        Action::CancelCommand => match &mut app.running {
            Some(r) if r.spawned && !r.cancel_requested => {
                r.cancel_requested = true;
                let run = r.run;
                flash(
                    app,
                    FlashLevel::Warning,
                    "Cancelling: SIGTERM sent to the command's process group…",
                );
                vec![Effect::Cancel { run }]
            }
            Some(_) => Vec::new(),
            None => {
                if let Some(fx) = update_cluster::interrupt_rollout_wait(app) {
                    return fx;
                }
                flash(
                    app,
                    FlashLevel::Info,
                    "No command is running. Press q to quit.",
                );
                Vec::new()
            }
        },
        Action::Help => {
            app.layers.push(Layer::Help { scroll: 0 });
            Vec::new()
        }
        Action::Quit => {
            if app.running.is_some() {
                let cmd = app.output.command.clone();
                app.layers.push(Layer::Confirm(Confirm {
                    title: "A command is still running".into(),
                    body: vec![cmd],
                    question: "Cancel it and quit? (the session stays resumable)".into(),
                    intent: Intent::QuitCancellingCommand,
                }));
                Vec::new()
            } else {
                quit(app)
            }
        }
        Action::CloseSession => {
            let (done, total) = app.total_progress();
            app.layers.push(Layer::Confirm(Confirm {
                title: "Close this session".into(),
                body: vec![
                    format!("{done} of {total} steps finished."),
                    "Closing marks the session finished in the journal and the report.".into(),
                    "It can still be reopened with `backout resume`.".into(),
                ],
                question: "Close the session and quit?".into(),
                intent: Intent::CloseSession,
            }));
            Vec::new()
        }
        Action::RecaptureBaseline => recapture_baseline(app),
        Action::Undo => request_undo(app),
        Action::ClusterActions => update_cluster::open_menu(app),
        Action::SortPods => update_cluster::cycle_pod_sort(app),
        Action::FilterPods => update_cluster::open_pod_filter(app),
        Action::ComposeMessage => messages::open_composer(app),
        Action::ShowMessages => messages::open_list(app),
        Action::AcknowledgeSeverity => super::drill::acknowledge_severity(app),
        Action::Confirm
        | Action::Cancel
        | Action::Submit
        | Action::Pause
        | Action::Resume
        | Action::Restart
        | Action::Scale
        | Action::SetImage
        | Action::SetEnv
        | Action::SwitchSelector
        | Action::DeletePods
        | Action::NextMessageKind
        | Action::RetryMessage
        | Action::UndoFurther
        | Action::Escalate
        | Action::KeepWatching => Vec::new(),
    }
}

fn scroll_or_move(app: &mut App, delta: isize) -> Vec<Effect> {
    match app.focus {
        Pane::Procedure => {
            let max = app.steps.len().saturating_sub(1) as isize;
            app.cursor = (app.cursor as isize + delta).clamp(0, max.max(0)) as usize;
        }
        Pane::Rollout => {
            if let Some(c) = &mut app.cluster {
                c.move_selection(delta);
            }
        }
        Pane::Output => {
            let max = app.output.lines.len() as isize;
            app.output.scroll_back =
                (app.output.scroll_back as isize - delta).clamp(0, max) as usize;
        }
        Pane::Journal => {
            let max = app.records.len().saturating_sub(1) as isize;
            app.journal_scroll =
                (app.journal_scroll as isize - delta).clamp(0, max.max(0)) as usize;
        }
    }
    Vec::new()
}

fn jump_phase(app: &mut App, dir: isize) -> Vec<Effect> {
    let Some(pos) = app.selected_pos() else {
        return Vec::new();
    };
    let phases = app.runbook.phases.len() as isize;
    let mut p = pos.phase as isize + dir;
    while (0..phases).contains(&p) {
        if let Some(i) = app.steps.iter().position(|s| s.phase == p as usize) {
            app.cursor = i;
            app.focus = Pane::Procedure;
            return Vec::new();
        }
        p += dir;
    }
    Vec::new()
}

// ---------------------------------------------------------------- step actions

fn toggle(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    if app.is_pending(step.id) {
        return Vec::new();
    }
    let entry = match app.progress.state(step.id) {
        Some(StepState::Done { .. }) | Some(StepState::Skipped { .. }) => Entry::StepUnticked {
            step: step.id,
            title: step.title.clone(),
        },
        None => Entry::StepTicked {
            step: step.id,
            title: step.title.clone(),
        },
    };
    let mut fx = enter_phase_of(app, step.id);
    fx.push(journal(app, entry, Some(step.id), Then::Nothing));
    fx
}

fn request_skip(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    if app.is_finished(&step) {
        flash(
            app,
            FlashLevel::Info,
            "This step is already finished; press space to reopen it.",
        );
        return Vec::new();
    }
    let mut input = TextArea::default();
    input.set_placeholder_text("e.g. not applicable: no schema change in this release");
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Skip {} {}", step.id, step.title),
        hint: "Why is this step skipped? The reason goes in the journal and the report.".into(),
        purpose: PromptPurpose::SkipReason { step: step.id },
        input,
        error: None,
    })));
    Vec::new()
}

fn request_run(app: &mut App) -> Vec<Effect> {
    let Some(step) = app.selected().cloned() else {
        return Vec::new();
    };
    run_step(app, step.id)
}

/// Asks for missing placeholders one at a time, then opens the confirmation.
fn run_step(app: &mut App, id: StepId) -> Vec<Effect> {
    let Some(step) = app.find_step(id).cloned() else {
        return Vec::new();
    };
    let StepKind::Command(block) = &step.kind else {
        if app.verification.has_checks(id) {
            // A placeholder a check needed is bound: start the step's checks.
            app.cursor = app.flat_index_of(id).unwrap_or(app.cursor);
            return update_verify::request_start(app);
        }
        flash(
            app,
            FlashLevel::Info,
            "This step has no command to run; press space to tick it.",
        );
        return Vec::new();
    };
    if let Some(r) = &app.running {
        let n = r.run;
        flash(
            app,
            FlashLevel::Warning,
            &format!("Command run {n} is still running (Ctrl-C cancels it)."),
        );
        return Vec::new();
    }
    if update_cluster::refuse_during_native_run(app) {
        return Vec::new();
    }
    // In a drill on the simulator, a step that already reads as reaching beyond it is
    // rehearsed without asking for its placeholders first (a webhook URL, an incident id):
    // nothing will run, so nothing needs a value.
    if app.rehearse_outside_commands {
        let outside = crate::domain::drill_guard::outside_commands(&block.script);
        if !outside.is_empty() {
            push_rehearsal_confirm(app, &step, &outside);
            return Vec::new();
        }
    }
    match runbook::fill(&block.script, &app.bindings()) {
        Err(missing) => {
            if let Some(ph) = missing.into_iter().next() {
                ask_placeholder(app, ph, id);
            }
            Vec::new()
        }
        Ok(filled) => {
            // In a drill on the simulator, a block that would reach beyond it is rehearsed
            // whole, native lines included (before any line could run).
            let outside = if app.rehearse_outside_commands {
                crate::domain::drill_guard::outside_commands(&filled)
            } else {
                Vec::new()
            };
            if outside.is_empty()
                && let Some(fx) = update_cluster::try_native(app, id, &filled)
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
            app.layers.push(Layer::Confirm(Confirm {
                title: format!("Run {} {}", step.id, step.title),
                body,
                question: "Run this in /bin/sh now?".into(),
                intent: Intent::RunCommand { step: id },
            }));
            Vec::new()
        }
    }
}

/// Asks for a placeholder's value (once per session); then tries step `id` again.
pub(super) fn ask_placeholder(app: &mut App, ph: runbook::Placeholder, id: StepId) {
    let secret = redact::is_secret_name(&ph.name);
    let mut input = TextArea::default();
    if secret {
        input.set_mask_char('•');
    }
    let written = ph.written();
    input.set_placeholder_text(match ph.form {
        PlaceholderForm::Angle => format!("value for {written}"),
        PlaceholderForm::Dollar => format!("value for {written}"),
    });
    app.layers.push(Layer::Prompt(Box::new(Prompt {
        title: format!("Placeholder {written}"),
        hint: if secret {
            "Looks secret: kept in memory only, never journaled or shown.".into()
        } else {
            match super::placeholder_hint::for_placeholder(
                &ph.name,
                app.cluster.as_ref().and_then(|c| c.rollout.as_ref()),
            ) {
                Some(known) => format!("{known}. Asked once per session; journaled."),
                None => "Asked once per session; the value is journaled.".into(),
            }
        },
        purpose: PromptPurpose::Placeholder {
            name: ph.name,
            written,
            secret,
            then_run: id,
        },
        input,
        error: None,
    })));
}

fn on_confirmed(app: &mut App, intent: Intent) -> Vec<Effect> {
    match intent {
        Intent::RunCommand { step } => start_command(app, step),
        Intent::RehearseCommand { step } => rehearse_command(app, step),
        Intent::RunKubectlLines { step } => update_cluster::confirmed_lines(app, step),
        Intent::StartVerification { step } => update_verify::start_confirmed(app, step),
        Intent::CloseSession => vec![journal(app, Entry::SessionClosed, None, Then::Quit)],
        Intent::SendMessage { kind, text } => messages::send(app, kind, text),
        Intent::QuitCancellingCommand => match &mut app.running {
            Some(r) => {
                r.cancel_requested = true;
                app.quit_after_run = true;
                let run = r.run;
                if r.spawned {
                    vec![Effect::Cancel { run }]
                } else {
                    Vec::new()
                }
            }
            None => quit(app),
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
    let run = app.progress.next_run_number();
    let shown = app.shown_command(&block.script);
    app.output = OutputLog::for_run(run, id, shown.clone());
    app.output.push(
        Stream::Stdout,
        format!("rehearsed in the drill, not run: {outside} would reach beyond the simulator"),
    );
    let mut fx = enter_phase_of(app, id);
    fx.push(journal(
        app,
        Entry::CommandStarted {
            step: id,
            run,
            command: format!("rehearsed (drill, not run): {shown}"),
        },
        Some(id),
        Then::Nothing,
    ));
    fx.push(journal(
        app,
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

fn start_command(app: &mut App, id: StepId) -> Vec<Effect> {
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
    let run = app
        .progress
        .next_run_number()
        .max(app.running.as_ref().map_or(0, |r| r.run + 1));
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
    app.running = Some(Running {
        run,
        step: id,
        started: app.now,
        spawned: false,
        cancel_requested: false,
    });
    app.output = OutputLog::for_run(run, id, shown.clone());
    app.focus = Pane::Procedure;
    let mut fx = enter_phase_of(app, id);
    fx.push(journal(
        app,
        Entry::CommandStarted {
            step: id,
            run,
            command: shown,
        },
        Some(id),
        Then::Spawn { run, script, env },
    ));
    fx
}

fn submit_prompt(app: &mut App) -> Vec<Effect> {
    if let Some(fx) = update_cluster::submit_prompt(app) {
        return fx;
    }
    let Some(Layer::Prompt(p)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let value = p.input.lines().join(" ").trim().to_string();
    if value.is_empty() {
        p.error = Some("A value is needed (Esc cancels).".into());
        return Vec::new();
    }
    let purpose = p.purpose.clone();
    app.layers.pop();
    match purpose {
        PromptPurpose::CutShortReason { check } => update_verify::cut_short(app, check, value),
        PromptPurpose::SkipReason { step } => {
            let title = app
                .find_step(step)
                .map(|s| s.title.clone())
                .unwrap_or_default();
            let mut fx = enter_phase_of(app, step);
            fx.push(journal(
                app,
                Entry::StepSkipped {
                    step,
                    title,
                    reason: value,
                },
                Some(step),
                Then::Nothing,
            ));
            fx
        }
        PromptPurpose::Placeholder {
            name,
            secret,
            then_run,
            ..
        } => {
            if secret {
                app.redactor.add(value.clone());
                app.secrets.insert(name.clone(), value);
                vec![journal(
                    app,
                    Entry::PlaceholderBound {
                        name,
                        value: "<redacted>".into(),
                        secret: true,
                    },
                    None,
                    Then::RunStep(then_run),
                )]
            } else {
                vec![journal(
                    app,
                    Entry::PlaceholderBound {
                        name,
                        value,
                        secret: false,
                    },
                    None,
                    Then::RunStep(then_run),
                )]
            }
        }
        PromptPurpose::ClusterParam { .. } | PromptPurpose::PodFilter => Vec::new(),
    }
}

fn submit_note(app: &mut App) -> Vec<Effect> {
    let Some(Layer::Note(n)) = app.layers.last() else {
        return Vec::new();
    };
    let text = n.input.lines().join("\n").trim_end().to_string();
    let step = n.step;
    if text.trim().is_empty() {
        flash(
            app,
            FlashLevel::Info,
            "Empty note: nothing saved (Esc closes the editor).",
        );
        return Vec::new();
    }
    app.layers.pop();
    let text = app.mask_secrets(&text);
    vec![journal(
        app,
        Entry::NoteAdded { text, step },
        None,
        Then::Nothing,
    )]
}

/// Journals `PhaseEntered` when the operator first acts in a phase other than the current one.
pub(super) fn enter_phase_of(app: &mut App, step: StepId) -> Vec<Effect> {
    let Some(phase) = app.phase_of(step) else {
        return Vec::new();
    };
    if app.current_phase() == Some(phase) {
        return Vec::new();
    }
    let title = app.runbook.phases[phase].title.clone();
    app.entering_phase = Some(phase);
    vec![journal(
        app,
        Entry::PhaseEntered { phase, title },
        None,
        Then::Nothing,
    )]
}

pub(super) fn journal(app: &mut App, entry: Entry, step: Option<StepId>, then: Then) -> Effect {
    let req = app.next_req;
    app.next_req += 1;
    app.pending.push(PendingWrite { req, step, then });
    Effect::Journal { req, entry }
}

// ---------------------------------------------------------------- metrics

fn on_metrics(app: &mut App, mut m: MetricsUpdate) -> Vec<Effect> {
    let at = m.at;
    let offset_read = m.baselines.take();
    let Some(live) = app.metrics.as_mut() else {
        return Vec::new();
    };
    if !live.absorb(m) {
        return Vec::new();
    }
    let mut fx = Vec::new();
    match (live.baseline_offset, offset_read) {
        (Some(offset), Some(read)) => {
            let (values, skipped) = live.absorb_offset_baselines(read, at, offset);
            if !skipped.is_empty() {
                let text = format!(
                    "Baseline {} back: no value for {}",
                    crate::domain::duration_text::compact(offset.as_secs()),
                    skipped.join("; ")
                );
                flash(app, FlashLevel::Warning, &text);
            }
            if !values.is_empty() {
                fx.push(journal(
                    app,
                    Entry::BaselineCaptured {
                        values,
                        offset_secs: Some(offset.as_secs()),
                    },
                    None,
                    Then::Nothing,
                ));
            }
        }
        // With an offset, baselines come from Prometheus, never from the current values.
        (Some(_), None) => {}
        (None, _) => {
            if !live.baseline_captured && live.complete(at) {
                let (values, _) = live.capture_baselines(at);
                fx.push(journal(
                    app,
                    Entry::BaselineCaptured {
                        values,
                        offset_secs: None,
                    },
                    None,
                    Then::Nothing,
                ));
            }
        }
    }
    fx.extend(evaluate_matrix(app, at));
    fx
}

/// Steps the matrix at `now` and journals a change of the highest severity.
fn evaluate_matrix(app: &mut App, now: chrono::DateTime<chrono::Utc>) -> Vec<Effect> {
    let Some(live) = app.metrics.as_mut() else {
        return Vec::new();
    };
    let verdict = live.step(now);
    let Some(change) = &verdict.severity_changed else {
        return Vec::new();
    };
    let entry = Entry::SeverityChanged {
        from: change.from.as_ref().map(|s| s.label().to_string()),
        to: change.to.as_ref().map(|s| s.label().to_string()),
        rule: verdict.deciding_rule().map(|r| r.when.clone()),
    };
    vec![journal(app, entry, None, Then::Nothing)]
}

fn recapture_baseline(app: &mut App) -> Vec<Effect> {
    let now = app.now;
    let Some(live) = app.metrics.as_mut() else {
        flash(
            app,
            FlashLevel::Info,
            "No metrics are configured: there is no baseline to capture.",
        );
        return Vec::new();
    };
    if let Some(offset) = live.baseline_offset {
        let text = format!(
            "Reading baselines from Prometheus, {} back…",
            crate::domain::duration_text::compact(offset.as_secs())
        );
        flash(app, FlashLevel::Info, &text);
        return vec![Effect::ReadBaselines];
    }
    let (values, skipped) = live.capture_baselines(now);
    if values.is_empty() {
        flash(
            app,
            FlashLevel::Warning,
            &format!("No baseline captured: {}", skipped.join("; ")),
        );
        return Vec::new();
    }
    if skipped.is_empty() {
        flash(
            app,
            FlashLevel::Info,
            "Baselines re-captured from current values.",
        );
    } else {
        flash(
            app,
            FlashLevel::Warning,
            &format!(
                "Baselines re-captured; kept the old one for {}",
                skipped.join("; ")
            ),
        );
    }
    let mut fx = vec![journal(
        app,
        Entry::BaselineCaptured {
            values,
            offset_secs: None,
        },
        None,
        Then::Nothing,
    )];
    fx.extend(evaluate_matrix(app, now));
    fx
}

// ---------------------------------------------------------------- results

fn on_journaled(
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
            update_verify::journal_failed(app, &pending.then);
            let mut fx = Vec::new();
            if let Then::ClusterExecute { op } = pending.then
                && let Some(c) = app.cluster.as_mut()
                && c.op.as_ref().is_some_and(|o| o.id == op)
            {
                c.op = None;
                fx.push(Effect::ClusterRelease { op });
            }
            flash(
                app,
                FlashLevel::Error,
                &format!("Journal write failed, nothing recorded: {e}"),
            );
            if matches!(pending.then, Then::ClusterExecute { .. }) {
                fx.extend(update_cluster::op_ended(
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
    app.progress.apply(&record);
    app.records.push(record);
    if app.journal_scroll > 0 {
        app.journal_scroll += 1;
    }
    match pending.then {
        Then::Nothing => Vec::new(),
        Then::RunStep(step) => run_step(app, step),
        then @ (Then::VerifyStart { .. } | Then::VerifyFinished { .. }) => {
            update_verify::journaled(app, then)
        }
        Then::Spawn { run, script, env } => match &mut app.running {
            Some(r) if r.run == run && !r.cancel_requested => {
                r.spawned = true;
                vec![Effect::Spawn { run, script, env }]
            }
            Some(r) if r.run == run => {
                // Cancelled before it started: record that it never ran.
                let step = r.step;
                app.running = None;
                let mut fx = vec![journal(
                    app,
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
                    vec![Effect::ClusterExecute {
                        op,
                        action: o.action.clone(),
                    }]
                }
                _ => Vec::new(),
            }
        }
        Then::NativeAdvance => update_cluster::advance(app),
        Then::Deliver { sink, msg } => messages::queued(app, sink, *msg),
        Then::Quit => quit(app),
    }
}

fn on_exited(
    app: &mut App,
    run: u32,
    exit_code: Option<i32>,
    duration_ms: u64,
    cancelled: bool,
) -> Vec<Effect> {
    if let Some(fx) = update_cluster::shell_line_exited(app, run, exit_code, cancelled) {
        return fx;
    }
    let Some(r) = app.running.take_if(|r| r.run == run) else {
        return Vec::new();
    };
    let cancelled = cancelled || r.cancel_requested;
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
    flash(
        app,
        level,
        &format!(
            "Run {run} {summary} after {}",
            crate::domain::duration_text::precise_ms(duration_ms)
        ),
    );
    let then = if app.quit_after_run {
        Then::Quit
    } else {
        Then::Nothing
    };
    vec![journal(
        app,
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

pub(super) fn quit(app: &mut App) -> Vec<Effect> {
    // A cluster action or a monitor window under way gets its final record first;
    // quitting follows the last of them.
    let mut entries = update_cluster::entries_at_quit(app);
    entries.extend(update_verify::entries_at_quit(app));
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
            journal(app, e, None, then)
        })
        .collect()
}

pub(super) fn flash(app: &mut App, level: FlashLevel, text: &str) {
    app.flash = Some(Flash {
        level,
        text: text.to_string(),
        until: app.now + ChronoDuration::seconds(FLASH_SECS),
    });
}

/// `u` on the Rollout pane: undo to the selected revision (the previous one when the
/// current revision is selected). Starts the two-step intent with the RBAC preflight.
pub(super) fn request_undo(app: &mut App) -> Vec<Effect> {
    let Some(c) = app.cluster.as_ref() else {
        return Vec::new();
    };
    if !c.read_only && app.focus != Pane::Rollout {
        flash(
            app,
            FlashLevel::Info,
            "Undo acts on the Rollout pane: Tab to it, pick a revision, then u.",
        );
        return Vec::new();
    }
    let action = ClusterAction::Undo {
        to_revision: c.undo_target(),
    };
    update_cluster::start(app, action).unwrap_or_default()
}

/// The typed name matches: take the lock. Otherwise the popup stays, with why.
fn submit_cluster_confirm(app: &mut App) -> Vec<Effect> {
    let Some(Layer::ClusterConfirm(cc)) = app.layers.last_mut() else {
        return Vec::new();
    };
    let typed = cc.input.lines().join("");
    if typed.trim() != cc.expected {
        cc.error = Some(format!(
            "Type the deployment name exactly ({}) to go ahead; Esc cancels.",
            cc.expected
        ));
        return Vec::new();
    }
    let op = cc.op;
    app.layers.pop();
    update_cluster::confirmed(app, op)
}

fn on_cluster_step(app: &mut App, op: u64, step: ClusterStep) -> Vec<Effect> {
    if let ClusterStep::Preflight(r) = &step
        && update_cluster::menu_access(app, op, r)
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
            flash(app, FlashLevel::Info, "Server dry-run…");
            vec![Effect::ClusterDryRun { op, action }]
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
            update_cluster::op_ended(app, false, &format!("not allowed: {reason}"))
        }
        (OpStage::Checking, ClusterStep::Preflight(Err(e)))
        | (OpStage::Planning, ClusterStep::Planned(Err(e))) => {
            let verb = o.action.verb();
            c.op = None;
            let text = format!("{verb} not started: {e}");
            flash(app, FlashLevel::Error, &text);
            update_cluster::op_ended(app, false, &text)
        }
        (OpStage::Planning, ClusterStep::Planned(Ok(Planned::Skip { message }))) => {
            c.op = None;
            flash(app, FlashLevel::Info, &message);
            update_cluster::op_ended(app, true, &message)
        }
        (OpStage::Planning, ClusterStep::Planned(Ok(Planned::Change { diff, kubectl }))) => {
            o.stage = OpStage::Confirming;
            o.kubectl = kubectl.clone();
            let layer = update_cluster::confirm_layer(
                op,
                &o.action,
                &deployment,
                diff.text().lines().map(str::to_string).collect(),
                kubectl,
            );
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
            update_cluster::op_ended(app, false, &outcome)
        }
        (OpStage::Locking, ClusterStep::Locked(Ok(()))) => {
            o.stage = OpStage::Journaling;
            let entry = Entry::ClusterActionRequested {
                action: o.kubectl.clone(),
                target,
            };
            vec![journal(app, entry, None, Then::ClusterExecute { op })]
        }
        (OpStage::Executing, ClusterStep::Executed(result)) => {
            let action = o.kubectl.clone();
            let starts_rollout = o.action.starts_rollout();
            let (outcome, ok, follow) = match result {
                Ok(done) => {
                    let follow = !done.skipped && starts_rollout;
                    (done.message, true, follow)
                }
                Err(e) => (e, false, false),
            };
            let mut fx = vec![journal(
                app,
                Entry::ClusterActionFinished {
                    action,
                    outcome: outcome.clone(),
                    ok,
                },
                None,
                Then::Nothing,
            )];
            let c = app.cluster.as_mut().expect("checked above");
            if follow {
                if let Some(o) = c.op.as_mut() {
                    o.stage = OpStage::Following;
                    o.executed = Some(outcome.clone());
                }
                fx.push(Effect::ClusterFollow { op });
                flash(
                    app,
                    FlashLevel::Info,
                    &format!("{outcome}; following the rollout…"),
                );
            } else {
                c.op = None;
                fx.push(Effect::ClusterRelease { op });
                let level = if ok {
                    FlashLevel::Info
                } else {
                    FlashLevel::Error
                };
                flash(app, level, &outcome);
                fx.extend(update_cluster::op_ended(app, ok, &outcome));
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
            flash(app, level, &outcome);
            let mut fx = vec![
                journal(
                    app,
                    Entry::ClusterActionFinished {
                        action,
                        outcome: outcome.clone(),
                        ok,
                    },
                    None,
                    Then::Nothing,
                ),
                Effect::ClusterRelease { op },
            ];
            fx.extend(update_cluster::op_ended(app, ok, &outcome));
            fx
        }
        // A late answer for a stage already left (e.g. after a cancel): nothing to do.
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
