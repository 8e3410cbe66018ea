//! The bottom line: a flash message when there is one, else the keys that matter now.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_memo::PaneMemo;
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::{App, FlashLevel};
use crate::ui::theme::Role;

/// Draws the line; `memo` copies back last frame's cells when the line is the same.
pub fn render(app: &App, memo: &mut PaneMemo, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let bar = t.style(Role::StatusBar);
    if let Some(f) = &app.flash {
        let role = match f.level {
            FlashLevel::Info => Role::Info,
            FlashLevel::Warning => Role::Warning,
            FlashLevel::Error => Role::Error,
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(
                format!(" {}", f.text),
                bar.patch(t.style(role)),
            )))
            .style(bar),
            area,
        );
        return;
    }
    if matches!(
        app.layers.last(),
        Some(crate::ui::state::Layer::DrillIntro(_))
    ) {
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" any key ", t.style(Role::Key)),
                Span::styled(" start the drill", bar),
            ]))
            .style(bar),
            area,
        );
        return;
    }
    let mode = app.mode();
    // What the severity asks for comes first: an acknowledgement, an approval still owed,
    // or (a decision table and nothing declared yet) the declaration itself.
    let mut lead: Vec<(Action, &str)> = Vec::new();
    if mode == Mode::Normal {
        if app.awaiting_acknowledgement() {
            lead.push((
                Action::AcknowledgeSeverity,
                Action::AcknowledgeSeverity.hint(),
            ));
        } else if app.severity.open_approval().is_some() {
            lead.push((Action::AcknowledgeSeverity, "approval"));
        }
        if app.severity.current.is_none() && !app.severity.rows.is_empty() {
            lead.push((Action::DeclareSeverity, Action::DeclareSeverity.hint()));
        }
    }
    let actions: &[Action] = match mode {
        // On a "Choose one" row: nothing to tick or run, only the choice.
        Mode::Normal if app.running.is_none() && app.selected_choice().is_some() => &[
            Action::Down,
            Action::Choose,
            Action::Note,
            Action::NextPhase,
            Action::NextPane,
            Action::Help,
            Action::Quit,
        ],
        Mode::Normal if app.running.is_some() => &[
            Action::Down,
            Action::NextPane,
            Action::CancelCommand,
            Action::Note,
            Action::Help,
            Action::Quit,
        ],
        Mode::Normal
            if app
                .selected()
                .is_some_and(|s| app.verification.has_checks(s.id)) =>
        {
            &[
                Action::Down,
                Action::Verify,
                Action::CutShort,
                Action::Toggle,
                Action::Note,
                Action::NextPhase,
                Action::NextPane,
                Action::Help,
                Action::Quit,
            ]
        }
        Mode::Normal if app.cluster.is_some() => &[
            Action::Down,
            Action::Toggle,
            Action::Run,
            Action::Skip,
            Action::Note,
            Action::NextPane,
            Action::ClusterActions,
            Action::Help,
            Action::Quit,
        ],
        Mode::Normal => &[
            Action::Down,
            Action::Toggle,
            Action::Run,
            Action::Skip,
            Action::Note,
            Action::NextPhase,
            Action::NextPane,
            Action::Help,
            Action::Quit,
        ],
        Mode::NextMoves => &[
            Action::UndoFurther,
            Action::Escalate,
            Action::KeepWatching,
            Action::Cancel,
        ],
        Mode::Confirm | Mode::Notice | Mode::ClusterConfirm => &[Action::Confirm, Action::Cancel],
        Mode::Input | Mode::ClusterConfirmTyped => &[Action::Submit, Action::Cancel],
        Mode::Note | Mode::Compose => &[Action::Submit, Action::Cancel],
        Mode::Help | Mode::Messages => &[Action::Down, Action::Cancel],
        Mode::Actions => &[Action::Down, Action::Cancel],
        Mode::Severity => &[Action::Down, Action::Submit, Action::Cancel],
        Mode::Choice => &[Action::Down, Action::Submit, Action::Cancel],
        Mode::Target => &[Action::Submit, Action::NextField, Action::Cancel],
        Mode::LineFailed => &[Action::RetryLine, Action::ContinueLine, Action::StopLines],
        Mode::Cluster => &[
            Action::Down,
            Action::Describe,
            Action::Logs,
            Action::Yaml,
            Action::NextPane,
            Action::ClusterActions,
            Action::Help,
            Action::Quit,
        ],
        Mode::View | Mode::RunbookView | Mode::ClusterView => {
            &[Action::Down, Action::Search, Action::Cancel]
        }
    };
    let mut spans = vec![Span::styled(" ", bar)];
    let rest = actions.iter().map(|a| (*a, a.hint()));
    for (a, label) in lead.into_iter().chain(rest) {
        let a = &a;
        let shown: &[Action] = if *a == Action::Down {
            &[Action::Down, Action::Up]
        } else {
            std::slice::from_ref(a)
        };
        let keys: Vec<String> = shown
            .iter()
            .filter_map(|x| {
                app.keymap.first_key(mode, *x).or_else(|| {
                    (mode == Mode::Cluster)
                        .then(|| app.keymap.first_key(Mode::Normal, *x))
                        .flatten()
                })
            })
            .map(|c| c.to_string())
            .collect();
        if keys.is_empty() {
            continue;
        }
        let label = if *a == Action::Down { "move" } else { label };
        let keys = keys.join("/");
        spans.push(Span::styled(format!(" {keys} "), t.style(Role::Key)));
        spans.push(Span::styled(format!(" {label}  "), bar));
    }
    memo.render(frame, area, Paragraph::new(Line::from(spans)).style(bar));
}
