//! The top line: runbook, session, elapsed time, the current phase against its budget,
//! and the recovery-time targets; the severity declared by hand with its RTO clock and
//! the approval still owed, then the matrix's live severity when it differs.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_memo::PaneMemo;
use crate::domain::duration_text::{clock, compact};
use crate::ui::format::{ellipsize, rto_left, secs_between};
use crate::ui::state::App;
use crate::ui::theme::Role;

/// Draws the line; `memo` copies back last frame's cells when the line is the same.
pub fn render(app: &App, memo: &mut PaneMemo, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let bar = t.style(Role::StatusBar);
    let sep = Span::styled(" │ ", bar.patch(t.style(Role::Muted)));
    let mut spans = vec![
        Span::styled(" backout ", t.style(Role::Key)),
        Span::styled(" ", bar),
    ];
    if let Some(c) = &app.cluster {
        if c.production {
            spans.push(Span::styled(" ▲ PRODUCTION ▲ ", t.style(Role::Production)));
            spans.push(Span::styled(" ", bar));
        }
        let ro = if c.read_only { " (read-only)" } else { "" };
        spans.push(Span::styled(
            format!("{}/{}{ro}", c.context, c.namespace),
            if c.production {
                t.style(Role::Production)
            } else {
                bar.patch(t.style(Role::Heading))
            },
        ));
        spans.push(sep.clone());
    }
    let declared = app.severity.current.as_ref();
    if let Some(d) = declared {
        spans.push(Span::styled(
            format!(" {} ", d.severity),
            t.severity(&d.severity)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        if let Some(deadline) = d.rto_deadline {
            let (text, over) = rto_left(deadline, app.now);
            let style = if over { t.style(Role::OverBudget) } else { bar };
            spans.push(Span::styled(format!(" {text}"), style));
        }
        if let Some(a) = app.severity.open_approval() {
            let owed = if a.deferred { "owed" } else { "needed" };
            spans.push(Span::styled(
                format!(" ⚠ approval {owed}: {} (A)", a.required),
                t.style(Role::Warning),
            ));
        }
        spans.push(Span::styled(" ", bar));
    }
    if let Some(sev) = app
        .metrics
        .as_ref()
        .and_then(|m| m.severity())
        .filter(|s| declared.is_none_or(|d| d.severity != *s))
    {
        spans.push(Span::styled(
            format!(" {sev} "),
            t.severity(sev)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::styled(" ", bar));
    }
    let elapsed = app
        .state
        .progress
        .started_at
        .map(|s| secs_between(s, app.now))
        .unwrap_or(0);

    let mut right: Vec<Span> = Vec::new();
    right.push(Span::styled(format!("⏱ {}", clock(elapsed)), bar));
    if let Some(phase) = app.current_phase()
        && let Some(ph) = app.runbook.phases.get(phase)
    {
        let since = app
            .state
            .progress
            .phase_entered_at(phase)
            .map(|at| secs_between(at, app.now))
            .unwrap_or(0);
        right.push(sep.clone());
        right.push(Span::styled(
            format!("{} {}", ph.kind.label(), clock(since)),
            bar,
        ));
        if let Some(b) = ph.time_budget {
            let over = since > b.as_secs();
            let style = if over { t.style(Role::OverBudget) } else { bar };
            right.push(Span::styled(format!(" / {}", compact(b.as_secs())), style));
        }
    }
    if let Some(front) = &app.runbook.front
        && !front.rto.is_empty()
    {
        right.push(sep.clone());
        right.push(Span::styled("RTO ", bar.patch(t.style(Role::Muted))));
        for (i, (sev, target)) in front.rto.iter().enumerate() {
            if i > 0 {
                right.push(Span::styled(" ", bar));
            }
            let over = elapsed > target.0.as_secs();
            let style = if over { t.style(Role::OverBudget) } else { bar };
            right.push(Span::styled(
                format!("{sev} {}", compact(target.0.as_secs())),
                style,
            ));
        }
    }
    right.push(Span::styled(" ", bar));

    let right_width: usize = right.iter().map(|s| s.content.chars().count()).sum();
    // The title comes first; the session id only when both fit.
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used + right_width + 1);
    let session = format!("session {}", app.session.id);
    let title_len = app.runbook.title.chars().count();
    spans.push(Span::styled(
        ellipsize(&app.runbook.title, room),
        bar.patch(t.style(Role::Title)),
    ));
    if title_len + 3 + session.chars().count() <= room {
        spans.push(sep.clone());
        spans.push(Span::styled(session, bar.patch(t.style(Role::Muted))));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let gap = (area.width as usize).saturating_sub(used + right_width);
    spans.push(Span::styled(" ".repeat(gap), bar));
    spans.extend(right);
    memo.render(frame, area, Paragraph::new(Line::from(spans)).style(bar));
}
