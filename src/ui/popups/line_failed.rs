//! A line of a command block failed and the block stopped there: which line, how it
//! ended, and the choice: retry the line, continue with the next, or stop.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::centered;
use super::key_hint::key_name;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::theme::Role;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(b) = app.block_run.as_ref() else {
        return;
    };
    let Some(f) = b.failed.as_ref() else {
        return;
    };
    let key = |a: Action| key_name(app, Mode::LineFailed, a);
    let how = match (f.exit_code, f.cancelled) {
        (_, true) => "cancelled".to_string(),
        (Some(127), _) => "exit 127: command not found".to_string(),
        (Some(c), _) => format!("exit {c}"),
        (None, _) => "the shell ended (killed or exited)".to_string(),
    };
    let label = b.label(b.index);
    let mut lines = vec![
        Line::default(),
        Line::from(vec![
            Span::styled(format!("  ✗ {label} failed: "), t.style(Role::Failed)),
            Span::styled(how, t.style(Role::Title)),
        ]),
    ];
    for (i, l) in b.shown[b.index].lines().take(6).enumerate() {
        let lead = if i == 0 { "    $ " } else { "      " };
        lines.push(Line::from(Span::styled(
            format!("{lead}{l}"),
            t.style(Role::Muted),
        )));
    }
    let left = b.lines.len() - b.index - 1;
    lines.push(Line::default());
    lines.push(Line::from(format!(
        "  The block stopped here; {left} line{} after it not run.",
        if left == 1 { "" } else { "s" }
    )));
    lines.push(Line::default());
    for (a, what) in [
        (Action::RetryLine, "run this line again, in the same shell"),
        (
            Action::ContinueLine,
            "go on with the next line (journaled: you continued past a failure)",
        ),
        (
            Action::StopLines,
            "stop the block here (the step stays open)",
        ),
    ] {
        lines.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(format!(" {} ", key(a)), t.style(Role::Key)),
            Span::styled(format!(" {:<11}", a.hint()), t.style(Role::Title)),
            Span::styled(what, t.style(Role::Muted)),
        ]));
    }
    let width = 88.min(area.width.saturating_sub(4));
    let height = (lines.len() as u16 + 3).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, format!("Step {}: {label} failed", b.step), Role::Error);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// `r` retry, `c` continue, `s`/Esc stop: the block's reducer decides.
pub fn on_action(action: Option<Action>) -> Handled {
    match action {
        Some(Action::RetryLine | Action::ContinueLine | Action::StopLines) => {
            Handled::Request(LayerRequest::FailedLine(action))
        }
        _ => Handled::Consumed,
    }
}
