//! Keys: the keymap turns a key into an `Action` for the top layer (or the panes), and
//! each action goes to its feature's reducer. Pasted text goes to the open editor.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use crate::domain::runbook::StepKind;
use crate::ui::action::Action;
use crate::ui::effect::{DrillEffect, Effect, ShellEffect};
use crate::ui::popups::{Handled, LayerRequest, stack};
use crate::ui::state::{App, Confirm, FlashLevel, Intent, Layer, NoteEditor, Pane};

use super::{
    argo_guard, block_runs, cluster, cluster_menu, cluster_views, drafts, drill, matrix, messages,
    metrics, native_runs, runbook_view, runs, session, steps, target, verification,
};

/// A key goes to the top layer (its file under `ui/popups/` owns what its keys do), or to
/// the panes when no layer is open.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mode = app.mode();
    let action = app.keymap.action_for(mode, &key).or_else(|| {
        (mode == crate::ui::keymap::Mode::Cluster)
            .then(|| app.keymap.action_for(crate::ui::keymap::Mode::Normal, &key))
            .flatten()
    });
    if app.layers.is_empty() {
        // Enter (run) stops a running follow whichever pane has the focus (a followed
        // Pods pane has it, where Enter would otherwise describe).
        if app.keymap.action_for(crate::ui::keymap::Mode::Normal, &key) == Some(Action::Run)
            && let Some(fx) = block_runs::stop_follow(app).or_else(|| native_runs::stop_follow(app))
        {
            return fx;
        }
        if action == Some(Action::CancelCommand)
            && let Some(fx) = block_runs::cancel_pods_pane(app)
        {
            return fx;
        }
        return action.map(|a| on_normal(app, a)).unwrap_or_default();
    }
    let handled = stack::on_action(app, action, key);
    on_handled(app, handled)
}

/// Pasted text goes to the top layer when it is an editor.
pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let handled = stack::on_paste(app, text);
    on_handled(app, handled)
}

fn on_handled(app: &mut App, handled: Handled) -> Vec<Effect> {
    match handled {
        Handled::Consumed | Handled::Ignored => Vec::new(),
        Handled::Close => {
            app.layers.pop();
            Vec::new()
        }
        Handled::Request(request) => on_request(app, request),
    }
}

/// What a layer asked for, carried out by its feature's reducer.
fn on_request(app: &mut App, request: LayerRequest) -> Vec<Effect> {
    match request {
        LayerRequest::Confirmed => match app.layers.pop() {
            Some(Layer::Confirm(c)) => runs::on_confirmed(app, c.intent),
            _ => Vec::new(),
        },
        LayerRequest::SubmitPrompt => steps::submit_prompt(app),
        LayerRequest::SubmitNote => steps::submit_note(app),
        LayerRequest::SubmitComposer => messages::submit_composer(app),
        LayerRequest::NextMessageKind => messages::next_kind(app),
        LayerRequest::RetryMessage => messages::retry_selected(app),
        LayerRequest::SubmitClusterConfirm => cluster::submit_cluster_confirm(app),
        LayerRequest::ConfirmCluster => cluster::confirm_untyped(app),
        LayerRequest::CancelClusterConfirm => cluster::cancel_confirm(app),
        LayerRequest::Menu(action) => cluster_menu::on_menu(app, action),
        LayerRequest::NextMove { check, action } => verification::next_move(app, check, action),
        LayerRequest::SeverityPicked => matrix::severity_picked(app),
        LayerRequest::PostedByHand => match app.layers.last() {
            Some(Layer::Messages { cursor }) => {
                let cursor = *cursor;
                drafts::request_posted(app, cursor)
            }
            _ => Vec::new(),
        },
        LayerRequest::Choose { group, member } => steps::choose(app, group, member),
        LayerRequest::FailedLine(action) => block_runs::on_failed_line_key(app, action),
        LayerRequest::Declined => match app.layers.pop() {
            Some(Layer::Confirm(c)) => runs::declined(app, c.intent),
            Some(Layer::Prompt(_)) => block_runs::guard_declined(app),
            _ => Vec::new(),
        },
        LayerRequest::StartDrill => {
            app.layers.pop();
            vec![Effect::Drill(DrillEffect::Start)]
        }
        LayerRequest::SubmitTarget => target::submit(app),
        LayerRequest::RunBlock { block } => runbook_view::run_block(app, block),
        LayerRequest::RestartRead => cluster_views::restart(app),
        LayerRequest::CloseClusterView => cluster_views::close(app),
        LayerRequest::AutoSyncOff => argo_guard::offer(app),
    }
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
                Pane::Pods | Pane::Events => {
                    scroll_or_move(app, -(isize::MAX / 2));
                }
                Pane::Output => app.output.scroll_back = crate::ui::view::output_max_scroll(app),
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
                Pane::Pods | Pane::Events => {
                    scroll_or_move(app, isize::MAX / 2);
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
            while !focusable(app, app.focus) {
                app.focus = app.focus.next();
            }
            Vec::new()
        }
        Action::PrevPane => {
            app.focus = app.focus.prev();
            while !focusable(app, app.focus) {
                app.focus = app.focus.prev();
            }
            Vec::new()
        }
        Action::Toggle => steps::toggle(app),
        Action::Choose => steps::open_choice(app),
        Action::Run if app.selected_choice().is_some() => steps::open_choice(app),
        Action::Run
            if matches!(
                app.selected().map(|s| &s.kind),
                Some(StepKind::Verify { .. })
            ) =>
        {
            verification::request_start(app)
        }
        Action::Run => match block_runs::stop_follow(app) {
            Some(fx) => fx,
            None => runs::request_run(app),
        },
        Action::Verify => verification::request_start(app),
        Action::CutShort => verification::request_cut_short(app),
        Action::Skip => steps::request_skip(app),
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
                app.flash(
                    FlashLevel::Warning,
                    "Cancelling: SIGTERM sent to the command's process group…",
                );
                vec![Effect::Shell(ShellEffect::Cancel { run })]
            }
            Some(_) => Vec::new(),
            None => {
                if let Some(fx) = native_runs::interrupt_rollout_wait(app) {
                    return fx;
                }
                app.flash(FlashLevel::Info, "No command is running. Press q to quit.");
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
                session::quit(app)
            }
        }
        Action::CloseSession => {
            let (done, total) = app.total_progress();
            // A drill's simulated cluster ends with the process: it is re-scored with
            // `backout drill --report`, never resumed.
            let afterwards = if app.rehearse_outside_commands {
                "The scorecard follows; `backout drill --report` shows it again."
            } else {
                "It can still be reopened with `backout resume`."
            };
            app.layers.push(Layer::Confirm(Confirm {
                title: "Close this session".into(),
                body: vec![
                    format!("{done} of {total} steps finished."),
                    "Closing marks the session finished in the journal and the report.".into(),
                    afterwards.into(),
                ],
                question: "Close the session and quit?".into(),
                intent: Intent::CloseSession,
            }));
            Vec::new()
        }
        Action::RecaptureBaseline => metrics::recapture_baseline(app),
        Action::Undo => cluster::request_undo(app),
        Action::ClusterActions => cluster_menu::open_menu(app),
        Action::SortPods => cluster_menu::cycle_pod_sort(app),
        Action::FilterPods => cluster_menu::open_pod_filter(app),
        Action::ComposeMessage => messages::open_composer(app),
        Action::ShowMessages => messages::open_list(app),
        Action::AcknowledgeSeverity => {
            matrix::request_approval(app).unwrap_or_else(|| drill::acknowledge_severity(app))
        }
        Action::DeclareSeverity => matrix::request_declare(app),
        Action::SwitchTarget => target::open(app),
        Action::RunbookView => runbook_view::open(app),
        Action::Logs | Action::Describe | Action::Yaml => cluster_views::open(app, action),
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
        | Action::PostedByHand
        | Action::UndoFurther
        | Action::Escalate
        | Action::KeepWatching
        | Action::NextField
        | Action::PrevField
        | Action::Search
        | Action::NextMatch
        | Action::PrevMatch
        | Action::ToggleWrap
        | Action::ToggleFollow
        | Action::NextBlock
        | Action::PrevBlock
        | Action::JumpToStep
        | Action::JumpBack
        | Action::PreviousContainer
        | Action::PickContainer
        | Action::SinceTime
        | Action::AutoSyncOff => Vec::new(),
        Action::RetryLine | Action::ContinueLine | Action::StopLines => Vec::new(),
    }
}

/// Whether a pane is on screen to take the focus: the cluster panes only with a cluster,
/// Events only when there are events.
fn focusable(app: &App, pane: Pane) -> bool {
    match (pane, &app.cluster) {
        (Pane::Rollout | Pane::Pods, c) => c.is_some(),
        (Pane::Events, Some(c)) => !c.events.is_empty(),
        (Pane::Events, None) => false,
        _ => true,
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
        Pane::Pods => {
            if let Some(c) = &mut app.cluster {
                c.move_pod_cursor(delta);
            }
        }
        Pane::Events => {
            if let Some(c) = &mut app.cluster {
                c.move_event_cursor(delta);
            }
        }
        Pane::Output => {
            let max = crate::ui::view::output_max_scroll(app);
            app.output.scroll_by(-delta, max);
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
