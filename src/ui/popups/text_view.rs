//! The generic scrollable text view's keys and drawing, used by every "look closer" layer
//! (the runbook view, logs, describe, YAML, a revision's changes): scrolling, `/` search
//! typed on the bottom line with `n`/`N`, wrap and follow toggles. Only the visible
//! window of lines is turned into widgets, so a 1 MB runbook draws as fast as a short one.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::Handled;
use crate::ui::action::Action;
use crate::ui::state::App;
use crate::ui::state::text_view::TextView;
use crate::ui::theme::Role;

/// The view's rectangle: the whole screen.
pub fn area_of(area: Rect) -> Rect {
    area
}

/// Text rows in a terminal `rows` tall (borders and the bottom line taken off).
pub fn body_height(rows: u16) -> usize {
    usize::from(rows.saturating_sub(3)).max(1)
}

/// The view's answer to a key: search typing first, then the generic actions.
pub fn on_action(
    view: &mut TextView,
    action: Option<Action>,
    key: KeyEvent,
    height: usize,
) -> Handled {
    let handled = on_key(view, action, key, height);
    // A match near the end, or a resize, may ask for more than fits: keep the window full.
    view.scroll = view.scroll.min(view.max_scroll(height));
    handled
}

fn on_key(view: &mut TextView, action: Option<Action>, key: KeyEvent, height: usize) -> Handled {
    if view.search.typing {
        match key.code {
            KeyCode::Enter => view.submit_search(),
            KeyCode::Esc => {
                view.search.typing = false;
                view.search.query.clear();
                view.search.matches.clear();
                view.search.current = None;
            }
            KeyCode::Backspace => {
                view.search.query.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                view.search.query.push(c);
            }
            _ => {}
        }
        return Handled::Consumed;
    }
    let page = height.saturating_sub(1).max(1) as isize;
    match action {
        Some(Action::Up) => view.scroll_by(-1, height),
        Some(Action::Down) => view.scroll_by(1, height),
        Some(Action::PageUp) => view.scroll_by(-page, height),
        Some(Action::PageDown) => view.scroll_by(page, height),
        Some(Action::Top) => view.top(),
        Some(Action::Bottom) => view.bottom(height),
        Some(Action::Search) => view.start_search(),
        Some(Action::NextMatch) => view.next_match(true),
        Some(Action::PrevMatch) => view.next_match(false),
        Some(Action::ToggleWrap) => view.wrap = !view.wrap,
        Some(Action::ToggleFollow) => {
            view.follow = !view.follow;
            if view.follow {
                view.bottom(height);
            }
        }
        Some(Action::Cancel) => return Handled::Close,
        _ => return Handled::Ignored,
    }
    Handled::Consumed
}

/// What a layer adds to the generic drawing.
pub struct Decor<'a> {
    /// Marks a line in the left gutter (a selected code block, a diff side).
    pub gutter: &'a dyn Fn(usize) -> Option<(Role, &'static str)>,
    /// The bottom line's key hints when no search is being typed.
    pub footer: String,
}

pub fn render(app: &App, view: &TextView, decor: &Decor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let rect = area_of(area);
    if rect.height < 3 || rect.width < 10 {
        return;
    }
    frame.render_widget(Clear, rect);
    let mut title = view.title.clone();
    let height = body_height(area.height);
    let total = view.lines.len();
    let top = view.scroll.min(view.max_scroll(height));
    if total > height {
        title.push_str(&format!(
            " — {}–{} of {total}",
            top + 1,
            (top + height).min(total)
        ));
    }
    if let Some(label) = view.match_label() {
        title.push_str(&format!(" — {label}"));
    }
    let mut flags = Vec::new();
    if view.wrap {
        flags.push("wrap");
    }
    if view.follow {
        flags.push("follow");
    }
    if !flags.is_empty() {
        title.push_str(&format!(" [{}]", flags.join(" ")));
    }
    let block = super::popup_block(app, title, Role::Focus);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let current = view
        .search
        .current
        .and_then(|c| view.search.matches.get(c).copied());
    let mut lines: Vec<Line> = Vec::with_capacity(height);
    let end = (top + height).min(total);
    for i in top..end {
        let (mark_role, mark) = if Some(i) == current {
            (Role::Selection, "▶")
        } else if view.search.matches.binary_search(&i).is_ok() {
            (Role::Warning, "»")
        } else {
            (decor.gutter)(i).unwrap_or((Role::Base, " "))
        };
        let mut spans = vec![Span::styled(mark, t.style(mark_role))];
        spans.extend(
            view.lines[i]
                .iter()
                .map(|(role, s)| Span::styled(s.as_str(), t.style(*role))),
        );
        lines.push(Line::from(spans));
    }
    let body = Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let mut paragraph = Paragraph::new(lines);
    if view.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, body);
    let bottom = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1.min(inner.height),
        ..inner
    };
    let footer = if view.search.typing {
        Line::from(vec![
            Span::styled("/", t.style(Role::Focus)),
            Span::styled(format!("{}▏", view.search.query), t.style(Role::Base)),
            Span::styled("  Enter finds · Esc drops", t.style(Role::Muted)),
        ])
    } else {
        let mut spans = Vec::new();
        if let Some(status) = &view.status {
            spans.push(Span::styled(format!("{status} · "), t.style(Role::Info)));
        }
        spans.push(Span::styled(decor.footer.clone(), t.style(Role::Muted)));
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(footer), bottom);
}
