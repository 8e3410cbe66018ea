//! Keys: the keymap turns a key into an `Action` for the top layer (or the panes), and
//! each action goes to its feature's reducer. Pasted text goes to the open editor.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::domain::runbook::StepKind;
use crate::ui::action::Action;
use crate::ui::effect::Effect;
use crate::ui::keymap::Mode;
use crate::ui::state::{App, Confirm, FlashLevel, Intent, Layer, NoteEditor, Pane};

use super::{
    cluster, cluster_menu, drill, messages, metrics, native_runs, runs, session, steps,
    verification,
};

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if drill::dismiss_intro(app) {
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
            let max = crate::ui::popups::help::max_scroll(app);
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
        Mode::Actions => cluster_menu::on_menu(app, action),
        Mode::Confirm if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
            cluster::on_confirm_key(app, action)
        }
        Mode::Confirm if matches!(app.layers.last(), Some(Layer::NextMoves { .. })) => {
            match app.layers.last() {
                Some(Layer::NextMoves { check }) => {
                    let check = *check;
                    verification::next_move(app, check, action)
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
                Some(Layer::Confirm(c)) => runs::on_confirmed(app, c.intent),
                _ => Vec::new(),
            },
            Some(Action::Cancel) => {
                app.layers.pop();
                app.flash(FlashLevel::Info, "Cancelled: nothing was run.");
                Vec::new()
            }
            _ => Vec::new(),
        },
        Mode::Input => match action {
            Some(Action::Submit) if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
                cluster::submit_cluster_confirm(app)
            }
            Some(Action::Submit) => steps::submit_prompt(app),
            Some(Action::Cancel) if matches!(app.layers.last(), Some(Layer::ClusterConfirm(_))) => {
                cluster::cancel_confirm(app)
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
                app.flash(FlashLevel::Info, "Message discarded: nothing sent.");
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
            Some(Action::Submit) => steps::submit_note(app),
            Some(Action::Cancel) => {
                app.layers.pop();
                app.flash(FlashLevel::Info, "Note discarded.");
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

pub(super) fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
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
        Action::Toggle => steps::toggle(app),
        Action::Run
            if matches!(
                app.selected().map(|s| &s.kind),
                Some(StepKind::Verify { .. })
            ) =>
        {
            verification::request_start(app)
        }
        Action::Run => runs::request_run(app),
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
                vec![Effect::Cancel { run }]
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
        Action::RecaptureBaseline => metrics::recapture_baseline(app),
        Action::Undo => cluster::request_undo(app),
        Action::ClusterActions => cluster_menu::open_menu(app),
        Action::SortPods => cluster_menu::cycle_pod_sort(app),
        Action::FilterPods => cluster_menu::open_pod_filter(app),
        Action::ComposeMessage => messages::open_composer(app),
        Action::ShowMessages => messages::open_list(app),
        Action::AcknowledgeSeverity => drill::acknowledge_severity(app),
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
