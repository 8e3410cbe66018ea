//! The choice popup (`c`, or Enter on a "Choose one" row): every member of a group of
//! alternatives with its key, the one the decision table recommends and the one chosen;
//! below, the previewed member's When/Duration/Complexity/Risk and its steps with what
//! each changes. A member's own key (`A`, `2`) picks it; so does Enter on the previewed one.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::{Handled, LayerRequest, centered};
use crate::domain::alternatives::{member_index, member_label, meta_line};
use crate::domain::runbook::StepKind;
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::{App, ChoiceLayer, Layer};
use crate::ui::theme::Role;

/// Most command lines previewed per step.
const PREVIEW_LINES: usize = 3;

pub fn on_action(app: &mut App, action: Option<Action>, key: KeyEvent) -> Handled {
    let Some(Layer::Choice(c)) = app.layers.last_mut() else {
        return Handled::Ignored;
    };
    let Some(group) = app.runbook.alternatives.get(c.group) else {
        return Handled::Close;
    };
    // A member's own key first: `A`…`D`, `1`…`9`.
    if let KeyCode::Char(ch) = key.code
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        && let Some(member) = member_index(group, &ch.to_string())
    {
        return Handled::Request(LayerRequest::Choose {
            group: c.group,
            member,
        });
    }
    let last = group.members.len().saturating_sub(1);
    match action {
        Some(Action::Up) => {
            c.selected = c.selected.saturating_sub(1);
            Handled::Consumed
        }
        Some(Action::Down) => {
            c.selected = (c.selected + 1).min(last);
            Handled::Consumed
        }
        Some(Action::Submit) => Handled::Request(LayerRequest::Choose {
            group: c.group,
            member: c.selected,
        }),
        Some(Action::Cancel) => Handled::Close,
        _ => Handled::Ignored,
    }
}

pub fn render(app: &App, c: &ChoiceLayer, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(group) = app.runbook.alternatives.get(c.group) else {
        return;
    };
    let width = 96.min(area.width.saturating_sub(4));
    let w = width.saturating_sub(2) as usize;
    let chosen = app.chosen_member(c.group);
    let recommended = app.recommended_member(c.group);
    let key = |a: Action| {
        app.keymap
            .first_key(Mode::Choice, a)
            .map(|k| k.to_string())
            .unwrap_or_else(|| "·".into())
    };

    let mut lines: Vec<Line> = Vec::new();
    for (i, m) in group.members.iter().enumerate() {
        let selected = i == c.selected;
        let mut spans = vec![
            Span::styled(if selected { "▶ " } else { "  " }, t.style(Role::Focus)),
            Span::styled(format!("{:>2}  ", m.key), t.style(Role::Key)),
        ];
        let label_style = if selected {
            t.style(Role::Base).patch(t.style(Role::Selection))
        } else {
            t.style(Role::Base)
        };
        let label = member_label(m);
        let label = label
            .strip_prefix(&m.key)
            .map(str::trim_start)
            .unwrap_or(&label);
        spans.push(Span::styled(
            ellipsize(label, w.saturating_sub(30)),
            label_style,
        ));
        if recommended == Some(i) {
            spans.push(Span::styled("  (recommended)", t.style(Role::Info)));
        }
        if chosen == Some(i) {
            spans.push(Span::styled("  ✓ chosen", t.style(Role::Done)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());

    // The previewed member in full.
    if let Some(m) = group.members.get(c.selected) {
        lines.push(Line::from(Span::styled(
            ellipsize(&m.title, w),
            t.style(Role::Heading),
        )));
        if let Some(meta) = meta_line(&m.meta) {
            lines.push(Line::from(Span::styled(
                ellipsize(&meta, w),
                t.style(Role::Muted),
            )));
        }
        if m.steps.is_empty() {
            lines.push(Line::from(Span::styled(
                "No steps: choosing it records the decision.",
                t.style(Role::Muted),
            )));
        }
        for id in &m.steps {
            let Some(step) = app.runbook.step(*id) else {
                continue;
            };
            let mut spans = vec![
                Span::styled(format!("{:>4} ", id.to_string()), t.style(Role::Muted)),
                Span::styled(
                    ellipsize(&step.title, w.saturating_sub(6)),
                    t.style(Role::Base),
                ),
            ];
            if let Some(change) = step.change() {
                let room = w.saturating_sub(display_len(&spans) + 4);
                if room > 8 {
                    spans.push(Span::styled(
                        format!("  [{}]", ellipsize(&change, room)),
                        t.style(Role::Warning),
                    ));
                }
            }
            lines.push(Line::from(spans));
            if let StepKind::Command(block) = &step.kind {
                for l in block.lines.iter().take(PREVIEW_LINES) {
                    let shown = app.shown_command(&l.text);
                    lines.push(Line::from(Span::styled(
                        ellipsize(&format!("       $ {shown}"), w),
                        t.style(Role::Command),
                    )));
                }
                if block.lines.len() > PREVIEW_LINES {
                    lines.push(Line::from(Span::styled(
                        format!("       … {} more", block.lines.len() - PREVIEW_LINES),
                        t.style(Role::Muted),
                    )));
                }
            }
        }
    }

    // As tall as its text; the key line stays at the bottom: cut the preview, never
    // the keys.
    let rect = centered(area, width, lines.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = super::popup_block(
        app,
        format!("Choose one · {}", group.phase.label()),
        Role::Focus,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let height = inner.height as usize;
    lines.truncate(height.saturating_sub(2));
    let keys = group
        .members
        .iter()
        .map(|m| m.key.as_str())
        .collect::<Vec<_>>()
        .join("/");
    let verb = if chosen.is_some() {
        "changes the choice"
    } else {
        "chooses"
    };
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        ellipsize(
            &format!(
                "{keys} {verb} · {}/{} previews, {} picks it · {} closes",
                key(Action::Down),
                key(Action::Up),
                key(Action::Submit),
                key(Action::Cancel)
            ),
            w,
        ),
        t.style(Role::Muted),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

fn display_len(spans: &[Span]) -> usize {
    spans
        .iter()
        .map(|s| crate::ui::format::display_width(&s.content))
        .sum()
}
