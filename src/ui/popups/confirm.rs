//! "Are you sure?": the exact thing that will happen, and the keys that do it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::centered;
use super::key_hint::key_name;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::FlashLevel;
use crate::ui::state::{App, Confirm, Intent};
use crate::ui::theme::Role;

pub fn render(app: &App, c: &Confirm, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 90.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(4) as usize;
    let max_body = (area.height as usize).saturating_sub(10).max(3);
    let is_command = matches!(
        c.intent,
        Intent::RunCommand { .. } | Intent::ContinueBlock { .. }
    );
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::default());
    let shown = c.body.len().min(max_body);
    for l in &c.body[..shown] {
        if is_command && l.starts_with('⚠') {
            // What a line changes, said in words under the script.
            lines.push(Line::from(Span::styled(
                format!("  {l}"),
                t.style(Role::Warning),
            )));
        } else if is_command {
            lines.push(Line::from(vec![
                Span::styled("  $ ", t.style(Role::Muted)),
                Span::styled(l.clone(), t.style(Role::Command)),
            ]));
        } else {
            lines.push(Line::from(format!("  {l}")));
        }
    }
    if c.body.len() > shown {
        lines.push(Line::from(Span::styled(
            format!(
                "  … {} more lines (the whole script runs)",
                c.body.len() - shown
            ),
            t.style(Role::Muted),
        )));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("  {}", ellipsize(&c.question, inner_w)),
        t.style(Role::Title),
    )));
    lines.push(Line::default());
    let key = |a: Action| key_name(app, Mode::Confirm, a);
    lines.push(Line::from(vec![
        Span::raw("  "),
        Span::styled(format!(" {} ", key(Action::Confirm)), t.style(Role::Key)),
        Span::raw(if is_command { " run   " } else { " yes   " }),
        Span::styled(format!(" {} ", key(Action::Cancel)), t.style(Role::Key)),
        Span::raw(" cancel"),
    ]));
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(app, &c.title, Role::Warning);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// `y` carries out the intent; `n` cancels, nothing is run.
pub fn on_action(app: &mut App, action: Option<Action>) -> Handled {
    match action {
        Some(Action::Confirm) => Handled::Request(LayerRequest::Confirmed),
        Some(Action::Cancel) => {
            app.flash(FlashLevel::Info, "Cancelled: nothing was run.");
            Handled::Request(LayerRequest::Declined)
        }
        _ => Handled::Ignored,
    }
}
