//! The cluster actions menu: every native action with its key; a denied one greyed
//! with the reason, one still being checked marked so.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::centered;
use super::{Handled, LayerRequest};
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::App;
use crate::ui::state::action_menu::{Access, ActionMenu};
use crate::ui::theme::Role;

pub fn render(app: &App, m: &ActionMenu, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 96.min(area.width.saturating_sub(4));
    let notes = m
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.access,
                Access::Denied(_) | Access::Unavailable(_) | Access::Unknown(_)
            )
        })
        .count() as u16;
    let rect = centered(area, width, m.entries.len() as u16 + notes + 7);
    frame.render_widget(Clear, rect);
    let deployment = app
        .cluster
        .as_ref()
        .map(|c| c.deployment.as_str())
        .unwrap_or("");
    let block = super::popup_block(
        app,
        format!("Actions on deployment/{deployment}"),
        Role::Focus,
    );
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = inner.width as usize;
    let key = |mode: Mode, a: Action| {
        app.keymap
            .first_key(mode, a)
            .map(|k| k.to_string())
            .unwrap_or_else(|| "·".into())
    };
    let mut lines = Vec::new();
    for (i, e) in m.entries.iter().enumerate() {
        let selected = i == m.selected;
        let (role, note) = match &e.access {
            Access::Allowed => (Role::Base, None),
            Access::Checking => (Role::Base, Some("checking access…".to_string())),
            Access::Unknown(why) => (Role::Warning, Some(format!("access unknown: {why}"))),
            Access::Denied(why) => (Role::Muted, Some(format!("not allowed: {why}"))),
            Access::Unavailable(why) => (Role::Muted, Some(format!("not available: {why}"))),
        };
        let marker = if selected { "▶ " } else { "  " };
        let k = format!("{:>2}  ", key(Mode::Actions, e.kind.key_action()));
        let label_style = if selected {
            t.style(role).patch(t.style(Role::Selection))
        } else {
            t.style(role)
        };
        lines.push(Line::from(vec![
            Span::styled(marker, t.style(Role::Focus)),
            Span::styled(k, t.style(Role::Key)),
            Span::styled(e.kind.label().to_string(), label_style),
        ]));
        // Why an action is not offered, on its own line under it.
        match note {
            Some(note) if e.access == Access::Checking => {
                if let Some(l) = lines.last_mut() {
                    l.push_span(Span::styled(format!("  ({note})"), t.style(Role::Muted)));
                }
            }
            Some(note) => lines.push(Line::from(Span::styled(
                ellipsize(&format!("      {note}"), w),
                t.style(Role::Muted),
            ))),
            None => {}
        }
    }
    lines.push(Line::default());
    if let (Some(e), Some(c)) = (m.entries.get(m.selected), app.cluster.as_ref()) {
        lines.push(Line::from(Span::styled(
            format!("equivalent of {}:", e.kind.label().trim_end_matches('…')),
            t.style(Role::Muted),
        )));
        lines.push(Line::from(Span::styled(
            ellipsize(&e.kind.kubectl_template(c), w),
            t.style(Role::Command),
        )));
    }
    lines.push(Line::from(Span::styled(
        ellipsize(
            "Each action: access check, server dry-run, diff, confirmation, journal, then it is followed.",
            w,
        ),
        t.style(Role::Muted),
    )));
    lines.push(Line::from(Span::styled(
        format!(
            "key or {}/{} and {} picks · {} closes",
            key(Mode::Actions, Action::Down),
            key(Mode::Actions, Action::Up),
            key(Mode::Actions, Action::Submit),
            key(Mode::Actions, Action::Cancel)
        ),
        t.style(Role::Muted),
    )));
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Every key of the menu goes to the cluster actions reducer (moving, choosing, Esc).
pub fn on_action(action: Option<Action>) -> Handled {
    Handled::Request(LayerRequest::Menu(action))
}
