//! The drill's intro: the scenario, what the team is expected to do, and the keys that
//! matter (read from the keymap, so overrides show). Any key closes it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::centered;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::drill::DrillIntro;
use crate::ui::theme::Role;

/// The keys the intro lists, in the order a drill needs them.
const KEYS: &[(Action, &str)] = &[
    (
        Action::AcknowledgeSeverity,
        "acknowledge the severity the matrix reached (stops the detect clock)",
    ),
    (
        Action::NextPane,
        "next pane (Procedure, Rollout, Pods, Events, Output, Journal)",
    ),
    (
        Action::Undo,
        "Rollout pane: roll back to the selected revision",
    ),
    (
        Action::ClusterActions,
        "other cluster actions: pause, scale, set env (flags), switch selector, …",
    ),
    (Action::Run, "run the selected step's command (asks first)"),
    (
        Action::Verify,
        "start the selected verification check (watches over its window)",
    ),
    (
        Action::ComposeMessage,
        "draft, edit and send a message (in a drill, messages go to its outbox)",
    ),
    (Action::Toggle, "tick a checklist step"),
    (Action::Skip, "skip a step, with a reason"),
    (Action::Note, "write a note into the journal"),
    (
        Action::CloseSession,
        "finish the drill and see the scorecard",
    ),
    (Action::Help, "every key"),
];

pub fn lines(app: &App, intro: &DrillIntro) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines: Vec<Line<'static>> = intro
        .story
        .iter()
        .map(|s| Line::from(Span::styled(s.clone(), t.style(Role::Base))))
        .collect();
    if !intro.tasks.is_empty() {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            "Your job, against the clock:",
            t.style(Role::Heading),
        )));
        for (i, task) in intro.tasks.iter().enumerate() {
            lines.push(Line::from(format!("  {}. {task}", i + 1)));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Keys", t.style(Role::Heading))));
    for (action, what) in KEYS {
        if matches!(action, Action::Undo | Action::ClusterActions) && app.cluster.is_none() {
            continue;
        }
        if *action == Action::Verify && app.runbook.checks.is_empty() {
            continue;
        }
        if *action == Action::AcknowledgeSeverity && app.metrics.is_none() {
            continue;
        }
        let Some(key) = app.keymap.first_key(Mode::Normal, *action) else {
            continue;
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<10}", key.to_string()), t.style(Role::Focus)),
            Span::raw((*what).to_string()),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "Press any key to start.",
        t.style(Role::Muted),
    )));
    lines
}

pub fn render(app: &App, intro: &DrillIntro, frame: &mut Frame, area: Rect) {
    let lines = lines(app, intro);
    let width = 100.min(area.width.saturating_sub(4));
    // Rows once wrapped, so that the last line (how to start) stays on screen.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let rect = centered(area, width, rows as u16 + 2);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(
        app,
        format!("{} — any key starts", intro.title),
        Role::Focus,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// Any key closes the intro and starts the scenario.
pub fn on_action() -> Handled {
    Handled::Request(LayerRequest::StartDrill)
}
