//! The procedure: phases with their progress, and every step with its state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_memo::PaneMemo;
use crate::domain::alternatives::member_label;
use crate::domain::progress::StepState;
use crate::domain::runbook::{Step, StepKind};
use crate::ui::format::{display_width, ellipsize};
use crate::ui::state::{App, Pane};
use crate::ui::theme::Role;

/// How a step is marked in the list.
pub fn marker(app: &App, step: &Step) -> (&'static str, Role) {
    if app.running.as_ref().is_some_and(|r| r.step == step.id) {
        return ("⟳", Role::Running);
    }
    if app.is_pending(step.id) {
        return ("…", Role::Muted);
    }
    match app.state.progress.state(step.id) {
        Some(StepState::Done { .. }) => return ("✓", Role::Done),
        Some(StepState::Skipped { .. }) => return ("–", Role::Skipped),
        None => {}
    }
    match &step.kind {
        StepKind::Command(_) => match app
            .state
            .progress
            .last_run(step.id)
            .and_then(|r| r.finished.as_ref())
        {
            Some(o) if o.succeeded() => ("✓", Role::Done),
            Some(_) => ("✗", Role::Failed),
            None => ("$", Role::Info),
        },
        StepKind::Promql { .. } => ("◇", Role::Info),
        StepKind::Verify { .. } => ("◈", Role::Info),
        StepKind::Checklist { .. } => ("☐", Role::Pending),
    }
}

/// The list's first visible row: presentation state kept by whoever draws (ratatui's
/// `StatefulWidget` way), so that the list scrolls only when the selection would leave it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcedureScroll {
    pub offset: usize,
}

/// Draws the pane; `memo` copies back last frame's cells when it would draw the same.
pub fn render(
    app: &App,
    scroll: &mut ProcedureScroll,
    memo: &mut PaneMemo,
    frame: &mut Frame,
    area: Rect,
) {
    let t = &app.theme;
    let (done, total) = app.total_progress();
    let focused = app.focus == Pane::Procedure && app.layers.is_empty();
    let title = format!("Procedure {done}/{total}");
    let block = super::pane_block(app, title, focused);
    let inner = block.inner(area);
    if inner.height == 0 || inner.width < 4 {
        frame.render_widget(block, area);
        return;
    }
    let width = inner.width as usize;

    // Rows: a header per phase, then its rows (steps, choice rows and, under a choice
    // made, its members not taken). Only the visible window is styled.
    #[derive(Clone, Copy)]
    enum Row {
        Phase(usize),
        /// A flat index into `app.steps`: a step or a choice row.
        Item(usize),
        /// A member of a group not chosen yet (group, member): one line under its
        /// choice row, so that every member shows however narrow the pane.
        Member(usize, usize),
        /// A member not taken of a group (group, member), collapsed to one line.
        NotTaken(usize, usize),
    }
    let mut rows: Vec<Row> = Vec::with_capacity(app.steps.len() + app.runbook.phases.len());
    let mut cursor_row = 0;
    // The members not taken of a choice made follow its chosen steps.
    let members_of = |group: usize| {
        app.runbook
            .alternatives
            .get(group)
            .map_or(0, |g| g.members.len())
    };
    let not_taken = move |group: usize, chosen: usize| {
        (0..members_of(group))
            .filter(move |m| *m != chosen)
            .map(move |m| Row::NotTaken(group, m))
    };
    for (p, _) in app.runbook.phases.iter().enumerate() {
        rows.push(Row::Phase(p));
        let mut after_chosen: Option<(usize, usize)> = None;
        for (flat, pos) in app.steps.iter().enumerate().filter(|(_, s)| s.phase == p) {
            let in_group = |g: usize| {
                app.step_at(flat)
                    .and_then(|s| s.alternative)
                    .is_some_and(|a| a.group == g)
            };
            if let Some((g, chosen)) = after_chosen
                && !in_group(g)
            {
                rows.extend(not_taken(g, chosen));
                after_chosen = None;
            }
            if flat == app.cursor {
                cursor_row = rows.len();
            }
            rows.push(Row::Item(flat));
            if let Some(group) = pos.choice {
                match app.chosen_member(group) {
                    Some(chosen) => after_chosen = Some((group, chosen)),
                    None if choice_in_one_line(app, group, width).is_some() => {}
                    None => rows.extend((0..members_of(group)).map(|m| Row::Member(group, m))),
                }
            }
        }
        if let Some((g, chosen)) = after_chosen {
            rows.extend(not_taken(g, chosen));
        }
    }
    let height = inner.height as usize;
    let mut offset = scroll.offset;
    // Keep the selection visible with a little context, and its phase header when it fits.
    let margin = 2.min(height / 4);
    if cursor_row < offset + margin {
        offset = cursor_row.saturating_sub(margin);
    } else if cursor_row + margin >= offset + height {
        offset = (cursor_row + margin + 1).saturating_sub(height);
    }
    offset = offset.min(rows.len().saturating_sub(height));
    scroll.offset = offset;

    let current = app.current_phase();
    let lines: Vec<Line> = rows
        .iter()
        .skip(offset)
        .take(height)
        .map(|row| match *row {
            Row::Phase(phase) => {
                let ph = &app.runbook.phases[phase];
                let (d, n) = app.phase_progress(phase);
                let here = if current == Some(phase) { "▶" } else { " " };
                // A phase of prose or message templates only has nothing to count: "0/0"
                // read as a phase left undone.
                let count = if n == 0 {
                    " no steps".to_string()
                } else {
                    format!(" {d}/{n}")
                };
                let style = if d == n && n > 0 {
                    t.style(Role::Done)
                } else {
                    t.style(Role::Heading)
                };
                // Display columns, not characters: an emoji in the heading takes two, and
                // must not push the counter off the pane.
                let title_w = width.saturating_sub(display_width(&count) + 3);
                let title = ellipsize(&ph.title, title_w);
                let pad = width.saturating_sub(display_width(&title) + display_width(&count) + 2);
                Line::from(vec![
                    Span::styled(format!("{here} "), t.style(Role::Running)),
                    Span::styled(title, style),
                    Span::raw(" ".repeat(pad)),
                    Span::styled(count, t.style(Role::Muted)),
                ])
            }
            Row::Member(group, member) => {
                let Some(m) = app.runbook.alternatives[group].members.get(member) else {
                    return Line::default();
                };
                let mut text = member_label(m);
                if app.recommended_member(group) == Some(member) {
                    text.push_str(" (recommended)");
                }
                Line::from(vec![
                    Span::raw("        "),
                    Span::styled(
                        ellipsize(&text, width.saturating_sub(8)),
                        t.style(Role::Pending),
                    ),
                ])
            }
            Row::NotTaken(group, member) => {
                let Some(m) = app.runbook.alternatives[group].members.get(member) else {
                    return Line::default();
                };
                let text = format!("{} · not taken", member_label(m));
                Line::from(vec![
                    Span::raw("  "),
                    Span::styled("– ", t.style(Role::Skipped)),
                    Span::raw("    "),
                    Span::styled(
                        ellipsize(&text, width.saturating_sub(8)),
                        t.style(Role::Muted),
                    ),
                ])
            }
            Row::Item(flat) => {
                let selected = flat == app.cursor;
                let mut line = match app.choice_at(flat) {
                    Some(group) => choice_line(app, group, width),
                    None => match app.step_at(flat) {
                        Some(step) => step_line(app, step, width),
                        None => return Line::default(),
                    },
                };
                if selected {
                    line.spans.insert(0, Span::raw("› "));
                    let sel = if focused {
                        t.style(Role::Selection)
                    } else {
                        t.style(Role::Selection).patch(Style::default())
                    };
                    let used: usize = line.spans.iter().map(|s| display_width(&s.content)).sum();
                    line.spans
                        .push(Span::raw(" ".repeat(width.saturating_sub(used))));
                    line = line.patch_style(sel);
                } else {
                    line.spans.insert(0, Span::raw("  "));
                }
                line
            }
        })
        .collect();
    memo.render(frame, area, Paragraph::new(lines).block(block));
}

/// A step's row (without the selection mark): its marker, id and title, and "done by
/// action #N" when a cluster action made elsewhere did it.
fn step_line<'a>(app: &App, step: &Step, width: usize) -> Line<'a> {
    let t = &app.theme;
    let (mark, role) = marker(app, step);
    let id = format!("{:>3} ", step.id.to_string());
    let by_action = app
        .state
        .progress
        .done_by_action
        .get(&step.id)
        .map(|d| match d.number {
            Some(n) => format!("  done by action #{n}"),
            None => "  done by an action".to_string(),
        });
    let suffix_w = by_action.as_deref().map_or(0, display_width);
    let text_w = width.saturating_sub(id.chars().count() + 4 + suffix_w);
    let text_style = if app.is_finished(step) {
        t.style(Role::Muted)
    } else {
        t.style(Role::Pending)
    };
    let mut spans = vec![
        Span::styled(format!("{mark} "), t.style(role)),
        Span::styled(id, t.style(Role::Muted)),
        Span::styled(ellipsize(&step.title, text_w), text_style),
    ];
    if let Some(by) = by_action {
        spans.push(Span::styled(by, t.style(Role::Done)));
    }
    Line::from(spans)
}

/// A group of alternatives' one row: "Choose one: A Quick rollback (recommended) · B …"
/// (its members also one a line below it) before a choice, "Chosen: B Specific version"
/// after.
fn choice_line<'a>(app: &App, group: usize, width: usize) -> Line<'a> {
    let t = &app.theme;
    let Some(g) = app.runbook.alternatives.get(group) else {
        return Line::default();
    };
    let (mark, role, text) = match app.chosen_member(group) {
        Some(m) => (
            "✓",
            Role::Done,
            format!(
                "Chosen: {}",
                g.members.get(m).map(member_label).unwrap_or_default()
            ),
        ),
        // Every member on this line when they fit; else one a line below it.
        None => (
            "◆",
            Role::Pending,
            choice_in_one_line(app, group, width)
                .unwrap_or_else(|| format!("Choose one of {}:", g.members.len())),
        ),
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), t.style(role)),
        Span::styled("    ", t.style(Role::Muted)),
        Span::styled(ellipsize(&text, width.saturating_sub(8)), t.style(role)),
    ])
}

/// "Choose one: A Quick rollback (recommended) · B Specific version · …" when it fits in
/// a row of the pane `width` columns wide.
fn choice_in_one_line(app: &App, group: usize, width: usize) -> Option<String> {
    let g = app.runbook.alternatives.get(group)?;
    let recommended = app.recommended_member(group);
    let members: Vec<String> = g
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let label = member_label(m);
            if recommended == Some(i) {
                format!("{label} (recommended)")
            } else {
                label
            }
        })
        .collect();
    let all = format!("Choose one: {}", members.join(" · "));
    (display_width(&all) <= width.saturating_sub(8)).then_some(all)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::ui::testkit::app;

    /// The first visible row after drawing `app` into a list `height` rows tall.
    fn draw(app: &App, scroll: &mut ProcedureScroll, height: u16) -> usize {
        let mut terminal = Terminal::new(TestBackend::new(40, height)).expect("terminal");
        terminal
            .draw(|f| render(app, scroll, &mut PaneMemo::default(), f, f.area()))
            .expect("draw");
        scroll.offset
    }

    #[test]
    fn the_list_scrolls_only_when_the_selection_would_leave_it() {
        let mut app = app();
        let mut scroll = ProcedureScroll::default();
        // Five rows inside the frame: the last step is selected, so the list scrolls down.
        app.cursor = app.steps.len() - 1;
        let bottom = draw(&app, &mut scroll, 7);
        assert!(bottom > 0, "the selection at the end scrolls the list");
        // One step up stays inside the window: the offset kept from the last frame holds.
        app.cursor -= 1;
        assert_eq!(draw(&app, &mut scroll, 7), bottom);
        // Without the kept offset the same selection would be drawn at another offset.
        assert_ne!(draw(&app, &mut ProcedureScroll::default(), 7), bottom);
        // Back at the top, the list scrolls up again.
        app.cursor = 0;
        assert_eq!(draw(&app, &mut scroll, 7), 0);
    }

    /// An emoji in a phase heading takes two columns: the heading is cut to fit and the
    /// phase's counter stays whole at the right edge (it used to be pushed off, `0/1` for
    /// a phase of many steps).
    #[test]
    fn an_emoji_heading_never_pushes_the_phase_counter_off_the_pane() {
        let mut book = crate::ui::testkit::runbook();
        book.phases[0].title = "🚨🚨 Emergency Rollback Procedures (SEV-1) 🔥".into();
        let app = crate::ui::testkit::app_for(book);
        let mut terminal = Terminal::new(TestBackend::new(40, 8)).expect("terminal");
        terminal
            .draw(|f| {
                render(
                    &app,
                    &mut ProcedureScroll::default(),
                    &mut PaneMemo::default(),
                    f,
                    f.area(),
                )
            })
            .expect("draw");
        let buffer = terminal.backend().buffer();
        let screen: String = (0..buffer.area.height)
            .map(|y| {
                let mut line: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                line.push('\n');
                line
            })
            .collect();
        let row = screen
            .lines()
            .find(|l| l.contains("Emergency"))
            .unwrap_or_else(|| panic!("the phase row:\n{screen}"));
        assert!(row.contains("…"), "the heading is cut: {row}");
        assert!(
            row.trim_end_matches(['│', '┃', ' ']).ends_with("0/2"),
            "{row}"
        );
    }
}
