//! The target popup: the deployment, namespace and context the console connects to —
//! read from the runbook's kubectl lines before the first connection (with the lines it
//! read them from), or the current target when `T` opens it. Enter connects, Esc leaves
//! things as they are, Tab / ↑↓ move between the fields.

use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::key_hint::key_name;
use super::{Handled, LayerRequest, centered, is_newline, text_input};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::target::{FIELDS, TargetForm};
use crate::ui::state::{App, Layer};
use crate::ui::theme::Role;

pub fn render(app: &App, form: &TargetForm, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 90.min(area.width.saturating_sub(4));
    let evidence_rows = form.evidence.len() as u16;
    let rect = centered(area, width, evidence_rows + FIELDS.len() as u16 + 6);
    frame.render_widget(ratatui::widgets::Clear, rect);
    let block = super::popup_block(app, &form.title, Role::Focus);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [evidence, _, fields, _, status] = Layout::vertical([
        Constraint::Length(evidence_rows),
        Constraint::Length(1),
        Constraint::Length(FIELDS.len() as u16),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let lines: Vec<Line> = form
        .evidence
        .iter()
        .map(|l| Line::from(Span::styled(l.clone(), t.style(Role::Muted))))
        .collect();
    frame.render_widget(Paragraph::new(lines), evidence);
    let rows: Vec<Line> = FIELDS
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let focused = i == form.focus;
            let marker = if focused { "›" } else { " " };
            let value = form.value(i);
            let text = match &value {
                Some(v) if focused => Span::styled(format!("{v}▏"), t.style(Role::Focus)),
                Some(v) => Span::styled(v.clone(), t.style(Role::Base)),
                None if focused => {
                    Span::styled(format!("▏{}", form.hints[i]), t.style(Role::Muted))
                }
                None => Span::styled(form.hints[i].clone(), t.style(Role::Muted)),
            };
            Line::from(vec![
                Span::styled(format!("{marker} {label:<11}"), t.style(Role::Base)),
                text,
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), fields);
    let key = |a: Action| key_name(app, Mode::Target, a);
    let line = text_input::status_line(
        app,
        form.error.as_ref(),
        format!(
            "{} connects · {} next field · {} leaves the cluster off",
            key(Action::Submit),
            key(Action::NextField),
            key(Action::Cancel)
        ),
    );
    frame.render_widget(Paragraph::new(line), status);
}

/// Enter connects, Esc closes, Tab / ↑↓ move; other keys edit the focused field.
pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    let Some(Layer::Target(form)) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    match action {
        Some(Action::Submit) => Handled::Request(LayerRequest::SubmitTarget),
        Some(Action::Cancel) => Handled::Close,
        Some(Action::NextField) => {
            form.focus = (form.focus + 1) % FIELDS.len();
            Handled::Consumed
        }
        Some(Action::PrevField) => {
            form.focus = (form.focus + FIELDS.len() - 1) % FIELDS.len();
            Handled::Consumed
        }
        _ => {
            if !is_newline(&key) {
                form.inputs[form.focus].input(key);
                form.error = None;
            }
            Handled::Consumed
        }
    }
}

/// A paste goes into the focused field (its first line).
pub fn on_paste(app: &mut App, text: &str) -> Handled {
    if let Some(Layer::Target(form)) = app.layers.last_mut() {
        form.inputs[form.focus].insert_str(text.lines().next().unwrap_or(""));
    }
    Handled::Consumed
}
