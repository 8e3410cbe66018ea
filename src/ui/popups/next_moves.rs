//! After a verification check failed: which check, what was seen, and the next moves
//! (undo further, escalate, keep watching), each with its key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::centered;
use super::key_hint::key_name;
use super::{Handled, LayerRequest};
use crate::domain::verify::NextMove;
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::verification::CheckStatus;
use crate::ui::theme::Role;

fn action_of(m: NextMove) -> Action {
    match m {
        NextMove::UndoFurther => Action::UndoFurther,
        NextMove::Escalate => Action::Escalate,
        NextMove::KeepWatching => Action::KeepWatching,
    }
}

pub fn render(app: &App, check: usize, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(view) = app.verification.checks.get(check) else {
        return;
    };
    let width = 84.min(area.width.saturating_sub(4));
    let key = |a: Action| key_name(app, Mode::NextMoves, a);
    let detail = match &view.status {
        CheckStatus::Finished { outcome } => app.mask_secrets(&outcome.detail()),
        _ => String::new(),
    };
    let mut lines = vec![
        Line::default(),
        Line::from(vec![
            Span::styled("  ✗ ", t.style(Role::Failed)),
            Span::styled(view.check.name.clone(), t.style(Role::Title)),
            Span::styled(
                format!("  {}", app.mask_secrets(&view.check.description())),
                t.style(Role::Muted),
            ),
        ]),
        Line::from(format!("    {detail}")),
        Line::default(),
    ];
    let undo_plan = crate::ui::update::undo_further(app);
    for m in NextMove::ON_FAILURE {
        // Undo further names where it would go, or why it is not offered.
        let help = match (m, &undo_plan) {
            (NextMove::UndoFurther, Some(plan)) => plan.describe(),
            _ => m.help().to_string(),
        };
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!(" {} ", key(action_of(m))), t.style(Role::Key)),
            Span::styled(format!(" {:<15}", m.label()), t.style(Role::Title)),
            Span::styled(help, t.style(Role::Muted)),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled(format!(" {} ", close_key(app)), t.style(Role::Key)),
        Span::raw(" close"),
    ]));
    let height = (lines.len() as u16 + 4).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, "Verification failed", Role::Error);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// Esc when it closes the popup (the first cancel key, `n`, reads like "no" here).
fn close_key(app: &App) -> String {
    let keys = app
        .keymap
        .bindings(Mode::NextMoves)
        .iter()
        .find(|(a, _)| *a == Action::Cancel)
        .map(|(_, k)| k.clone())
        .unwrap_or_default();
    keys.iter()
        .find(|k| k.code == crate::ui::keymap::KeyCodeName::Esc)
        .or(keys.first())
        .map(|k| k.to_string())
        .unwrap_or_default()
}

/// `u` undo further, `e` escalate, `w` keep watching, Esc closes: the verification
/// reducer decides.
pub fn on_action(check: usize, action: Option<Action>) -> Handled {
    Handled::Request(LayerRequest::NextMove { check, action })
}
