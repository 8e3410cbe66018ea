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
        Action::DeclareSeverity,
        "declare a severity: the runbook has no decision table (stops the detect clock)",
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
    // With a decision table the matrix reaches a severity to acknowledge; without one the
    // team declares it. Either stops the detect clock. Asked once for every key listed.
    let table = has_decision_table(app);
    for (action, what) in KEYS {
        if matches!(action, Action::Undo | Action::ClusterActions) && app.cluster.is_none() {
            continue;
        }
        if *action == Action::Undo && !intro.undo_rolls_back {
            continue;
        }
        if *action == Action::Verify && app.runbook.checks.is_empty() {
            continue;
        }
        if (*action == Action::AcknowledgeSeverity && !table)
            || (*action == Action::DeclareSeverity && table)
        {
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

/// Whether live metrics are watched against a decision table (rules or guidance rows).
fn has_decision_table(app: &App) -> bool {
    app.metrics
        .as_ref()
        .is_some_and(|m| !m.matrix.is_empty() || !m.guidance_rows.is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::session_state::SessionState;
    use crate::ui::state::metrics::LiveMetrics;
    use crate::ui::testkit::{app, metrics_runbook};

    fn keys_text(app: &App) -> String {
        intro_text(app, true)
    }

    fn intro_text(app: &App, undo_rolls_back: bool) -> String {
        let intro = DrillIntro {
            title: "Drill: bad-deploy".into(),
            story: vec!["v2.0 ships a bug.".into()],
            tasks: vec!["Roll back.".into()],
            undo_rolls_back,
        };
        lines(app, &intro)
            .iter()
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn with_metrics(matrix: bool) -> App {
        let mut app = app();
        app.runbook = metrics_runbook();
        if !matrix && let Some(front) = app.runbook.front.as_mut() {
            front.matrix.clear();
        }
        app.metrics = LiveMetrics::for_runbook(
            &app.runbook,
            &SessionState::replay(&app.records),
            "simulator model (bad-deploy)",
        );
        app
    }

    /// A drill whose rollback is a deploy service's traffic switch does not offer the
    /// Rollout pane's undo (it would roll the Deployment, not switch traffic back); the
    /// other cluster actions stay.
    #[test]
    fn undo_is_offered_only_where_it_rolls_the_drill_back() {
        let app = crate::ui::testkit::cluster_app("backout-sim", false);
        let undo = "Rollout pane: roll back to the selected revision";
        let text = intro_text(&app, true);
        assert!(text.contains(undo), "{text}");
        let text = intro_text(&app, false);
        assert!(!text.contains(undo), "{text}");
        assert!(text.contains("other cluster actions"), "{text}");
    }

    /// The intro names the key that stops the detect clock for this runbook: the matrix's
    /// severity to acknowledge when it has a decision table, a declared severity when not.
    #[test]
    fn the_detect_key_is_acknowledge_with_a_table_and_declare_without() {
        let text = keys_text(&with_metrics(true));
        assert!(
            text.contains("acknowledge the severity the matrix reached"),
            "{text}"
        );
        assert!(!text.contains("declare a severity"), "{text}");

        let text = keys_text(&with_metrics(false));
        assert!(!text.contains("acknowledge the severity"), "{text}");
        assert!(
            text.contains("declare a severity: the runbook has no decision table"),
            "{text}"
        );

        let text = keys_text(&app());
        assert!(!text.contains("acknowledge the severity"), "{text}");
        assert!(text.contains("declare a severity"), "{text}");
        assert!(text.contains("Press any key to start."), "{text}");
    }
}
