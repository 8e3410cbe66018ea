//! Declaring the severity (`S`): the decision table's rows (severity, condition, target
//! time, approval) and then each severity on its own; Enter asks for the reason.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::key_hint::key_name;
use super::popup_frame;
use super::{Handled, LayerRequest};
use crate::domain::decision::SeverityChoice;
use crate::ui::action::Action;
use crate::ui::format::ellipsize;
use crate::ui::keymap::Mode;
use crate::ui::state::{App, Layer};
use crate::ui::theme::Role;

/// One line for a choice: `Critical  Service down · < 15 min · approval: VP Engineering`.
pub fn choice_text(app: &App, choice: &SeverityChoice) -> (String, String) {
    match choice {
        SeverityChoice::Row(i) => {
            let Some(row) = app.severity.rows.get(*i) else {
                return (String::new(), String::new());
            };
            let mut parts: Vec<String> = Vec::new();
            for part in [&row.condition, &row.action, &row.strategy]
                .into_iter()
                .flatten()
            {
                parts.push(part.clone());
            }
            if let Some(t) = &row.timeline {
                parts.push(format!("target {t}"));
            }
            if let Some(a) = row
                .approval
                .as_deref()
                .and_then(crate::domain::decision::approval_needed)
            {
                parts.push(format!("approval: {}", a.required));
            }
            (row.severity.clone(), parts.join(" · "))
        }
        // Beside table rows, a bare severity says it is none of them; alone, nothing to add.
        SeverityChoice::Bare(s) if app.severity.rows.is_empty() => (s.clone(), String::new()),
        SeverityChoice::Bare(s) => (s.clone(), "this severity on its own".into()),
    }
}

pub fn render(app: &App, cursor: usize, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = 100.min(area.width.saturating_sub(4));
    let inner_w = width.saturating_sub(2) as usize;
    let choices = app.severity.choices();
    let room = (area.height as usize).saturating_sub(9).max(3);
    let mut lines: Vec<Line> = Vec::new();
    let now = match &app.severity.current {
        Some(d) => format!(" Declared now: {} — {}", d.severity, d.reason),
        None => " No severity declared yet.".to_string(),
    };
    lines.push(Line::from(Span::styled(
        ellipsize(&now, inner_w),
        t.style(Role::Muted),
    )));
    if app.severity.rows.is_empty() {
        lines.push(Line::from(Span::styled(
            ellipsize(
                " The runbook has no decision table: pick a severity.",
                inner_w,
            ),
            t.style(Role::Muted),
        )));
    }
    lines.push(Line::default());
    let sev_w = choices
        .iter()
        .map(|c| choice_text(app, c).0.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 14);
    let first = cursor.saturating_sub(room.saturating_sub(1));
    for (i, choice) in choices.iter().enumerate().skip(first).take(room) {
        let (sev, rest) = choice_text(app, choice);
        let (mark, style) = popup_frame::list_row(app, i == cursor);
        let head = format!("{mark} ");
        let sev_text = format!(" {} ", ellipsize(&sev, sev_w));
        let pad = " ".repeat(sev_w.saturating_sub(sev.chars().count().min(sev_w)) + 1);
        let used = head.chars().count() + sev_text.chars().count() + pad.chars().count();
        lines.push(Line::from(vec![
            Span::styled(head, style),
            Span::styled(sev_text, t.severity(&sev)),
            Span::styled(pad, style),
            Span::styled(ellipsize(&rest, inner_w.saturating_sub(used)), style),
        ]));
    }
    let key = |a: Action| key_name(app, Mode::Severity, a);
    popup_frame::push_hint(
        app,
        &mut lines,
        format!(
            " {}/{} choose · {} declare (asks why) · {} cancel",
            key(Action::Down),
            key(Action::Up),
            key(Action::Submit),
            key(Action::Cancel)
        ),
    );
    popup_frame::render_lines(app, frame, area, width, "Declare the severity", lines);
}

/// Moves in the list; Enter picks (the reducers ask why); Esc closes.
pub fn on_action(app: &mut App, action: Option<Action>) -> Handled {
    let len = app.severity.choices().len();
    let delta = match action {
        Some(Action::Up) => -1,
        Some(Action::Down) => 1,
        Some(Action::Submit) => return Handled::Request(LayerRequest::SeverityPicked),
        Some(Action::Cancel) => return Handled::Close,
        _ => return Handled::Ignored,
    };
    if let Some(Layer::DeclareSeverity { cursor }) = app.layers.last_mut() {
        popup_frame::move_cursor(cursor, delta, len);
    }
    Handled::Consumed
}
