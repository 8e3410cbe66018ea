//! The step pane while a "Choose one" row is selected: the group's members with their
//! When/Duration/Risk, the recommended one, and what was chosen, by whom and when.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::alternatives::{member_label, meta_line, short_title};
use crate::ui::action::Action;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::theme::Role;

pub fn render(app: &App, group: usize, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let Some(g) = app.runbook.alternatives.get(group) else {
        return;
    };
    let block = super::pane_block(app, format!("Choice · {}", g.phase.label()), false);
    let chosen = app.chosen_member(group);
    let recommended = app.recommended_member(group);
    let mut lines: Vec<Line> = Vec::new();
    match app.state.progress.choices.get(&g.id).zip(chosen) {
        Some((c, m)) => {
            let mut text = format!(
                "✓ {} chosen by {} at {}",
                member_label(&g.members[m]),
                c.by,
                c.at.format("%H:%M:%SZ")
            );
            if let Some(prev) = &c.previous {
                text.push_str(&format!(" (was {prev})"));
            }
            lines.push(Line::from(Span::styled(text, t.style(Role::Done))));
        }
        None => lines.push(Line::from(Span::styled(
            "Choose one of these ways; its steps then join the phase.",
            t.style(Role::Pending),
        ))),
    }
    lines.push(Line::default());
    for (i, m) in g.members.iter().enumerate() {
        let mut spans = vec![
            Span::styled(format!("{:>2}  ", m.key), t.style(Role::Key)),
            // The heading without the number the key column shows already ("1  Agent
            // rollback", not "1  1. Agent rollback"), as the choice popup lists them.
            Span::styled(short_title(m).to_string(), t.style(Role::Heading)),
        ];
        if recommended == Some(i) {
            spans.push(Span::styled("  (recommended)", t.style(Role::Info)));
        }
        match chosen {
            Some(c) if c == i => spans.push(Span::styled("  ✓ chosen", t.style(Role::Done))),
            Some(_) => spans.push(Span::styled("  not taken", t.style(Role::Muted))),
            None => {}
        }
        let steps = match m.steps.len() {
            1 => "1 step".to_string(),
            n => format!("{n} steps"),
        };
        let meta = meta_line(&m.meta).map_or(steps.clone(), |meta| format!("{meta} · {steps}"));
        spans.push(Span::styled(format!(" · {meta}"), t.style(Role::Muted)));
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    let key = app
        .keymap
        .first_key(Mode::Normal, Action::Choose)
        .map(|k| k.to_string())
        .unwrap_or_else(|| "c".into());
    let verb = if chosen.is_some() {
        "change the choice"
    } else {
        "preview and choose"
    };
    lines.push(Line::from(Span::styled(
        format!("{key} to {verb}"),
        t.style(Role::Muted),
    )));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}
