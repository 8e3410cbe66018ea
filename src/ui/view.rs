//! Draws the whole console from `&App`. No I/O and no state changes here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use super::panes;
use super::panes::pane_memo::PaneMemo;
use super::popups;
use super::state::{App, Pane};
use super::theme::Role;

/// The smallest terminal the console lays out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// What the view keeps between frames: presentation only, never read by the reducers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub procedure: panes::procedure::ProcedureScroll,
    /// The panes' cells from the last frame, copied back while what they would draw is
    /// unchanged (see [`panes::pane_memo`]).
    pub memo: PaneMemos,
}

/// One [`PaneMemo`] for each pane that keeps its cells between frames. The Pods pane has
/// none: under churn it changes every frame, and it draws only its visible rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneMemos {
    pub header: PaneMemo,
    pub procedure: PaneMemo,
    pub step: PaneMemo,
    pub output: PaneMemo,
    pub journal: PaneMemo,
    pub hints: PaneMemo,
}

/// Draws a frame with fresh presentation state (tests, benches, a one-off frame).
pub fn render(app: &App, frame: &mut Frame) {
    render_with(app, &mut ViewState::default(), frame);
}

/// Draws a frame; `view` carries the scroll positions over from the previous frame, and
/// the cells of the panes that would draw the same as last frame (each pane is drawn on
/// the base background, beside the others, never over one: what a pane keeps depends only
/// on its widget, its area and that background).
pub fn render_with(app: &App, view: &mut ViewState, frame: &mut Frame) {
    let area = frame.area();
    fill(frame, area, app.theme.style(Role::Base));
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, area);
        return;
    }
    // A text view (the runbook view, a drill-down view) covers the whole screen: the
    // panes under it are not drawn at all.
    if app.layers.iter().any(|l| {
        matches!(
            l,
            crate::ui::state::Layer::RunbookView(_) | crate::ui::state::Layer::ClusterView(_)
        )
    }) {
        popups::stack::render(app, frame, area);
        return;
    }
    let a = layout(app, area);
    let memo = &mut view.memo;
    panes::header::render(app, &mut memo.header, frame, a.header);
    panes::procedure::render(
        app,
        &mut view.procedure,
        &mut memo.procedure,
        frame,
        a.procedure,
    );
    if let Some(metrics) = a.metrics {
        panes::metrics::render(app, frame, metrics);
    }
    if let Some(matrix) = a.matrix {
        panes::matrix::render(app, frame, matrix);
    }
    if let Some(cluster) = a.cluster {
        panes::cluster::render(app, frame, cluster);
    }
    if let Some(off) = a.cluster_off {
        panes::cluster_off::render(app, frame, off);
    }
    panes::step::render(app, &mut memo.step, frame, a.step);
    panes::output::render(app, &mut memo.output, frame, a.output);
    panes::journal::render(app, &mut memo.journal, frame, a.journal);
    panes::hints::render(app, &mut memo.hints, frame, a.footer);
    popups::stack::render(app, frame, area);
}

/// The screen's background: `style` on every cell, as a `Block` of that style draws it,
/// in one pass over the buffer's cells rather than one indexed lookup a cell.
fn fill(frame: &mut Frame, area: Rect, style: ratatui::style::Style) {
    let buf = frame.buffer_mut();
    if area == buf.area {
        for cell in &mut buf.content {
            cell.set_style(style);
        }
    } else {
        Block::default().style(style).render(area, buf);
    }
}

/// Where each pane goes on a screen of `area` (at least [`MIN_WIDTH`]×[`MIN_HEIGHT`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub procedure: Rect,
    pub metrics: Option<Rect>,
    pub matrix: Option<Rect>,
    pub step: Rect,
    pub cluster: Option<Rect>,
    /// The one `cluster off: …` line, when there are no cluster panes.
    pub cluster_off: Option<Rect>,
    pub output: Rect,
    pub journal: Rect,
    pub footer: Rect,
}

/// Whether the Output pane takes the larger share of its column: a command is running
/// or the pane has the focus.
pub fn output_grows(app: &App) -> bool {
    app.running.is_some() || (app.focus == Pane::Output && app.layers.is_empty())
}

/// The console's layout for `app` on a screen of `area`.
pub fn layout(app: &App, area: Rect) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_width = (body.width * 2 / 5).clamp(32, 64);
    let [procedure, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(40)]).areas(body);
    let (mut metrics, mut matrix) = (None, None);
    let right = match &app.metrics {
        Some(live) => {
            // With a cluster too, the metrics and matrix panes get less of the column.
            let keep = if app.cluster.is_some() {
                KEEP_FOR_STEP_OUTPUT_JOURNAL + right.height / 3
            } else {
                KEEP_FOR_STEP_OUTPUT_JOURNAL
            };
            if app.cluster.is_some() && right.height < SHORT_WITH_CLUSTER {
                // Short terminal with a cluster: the matrix gives its rows to the
                // Rollout pane (the severity stays in the header).
                let rows = (live.names.len() as u16 + 2).min(4);
                let [m, rest] =
                    Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(right);
                metrics = Some(m);
                rest
            } else {
                let [m, x, rest] = live_areas(
                    right,
                    live.names.len(),
                    live.matrix.rules().len() + live.guidance_rows.len(),
                    keep,
                );
                metrics = Some(m);
                matrix = Some(x);
                rest
            }
        }
        // Without metrics, a decision table is shown as guidance (see `panes::matrix`).
        None if !app.severity.rows.is_empty() => {
            let room = right
                .height
                .saturating_sub(KEEP_FOR_STEP_OUTPUT_JOURNAL + 6);
            let want = (app.severity.rows.len() as u16 + 3).min(room).max(3);
            let [x, rest] =
                Layout::vertical([Constraint::Length(want), Constraint::Min(0)]).areas(right);
            matrix = Some(x);
            rest
        }
        None => right,
    };
    let mut cluster_off = None;
    let right = if app.cluster.is_none()
        && let Some(text) = panes::cluster_off::text(app)
    {
        // One line; two when the reason and its flags do not fit.
        let rows = if panes::cluster_off::width(app, &text) > usize::from(right.width) {
            2
        } else {
            1
        };
        let [line, rest] =
            Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(right);
        cluster_off = Some(line);
        rest
    } else {
        right
    };
    let grows = output_grows(app);
    let (step, cluster, output, journal) = if app.cluster.is_some() {
        let shares = if grows {
            [16, 34, 38, 12]
        } else {
            [22, 48, 17, 13]
        };
        let [step, cluster, output, journal] =
            Layout::vertical(shares.map(Constraint::Percentage)).areas(right);
        (step, Some(cluster), output, journal)
    } else {
        let shares = if grows { [26, 56, 18] } else { [40, 35, 25] };
        let [step, output, journal] =
            Layout::vertical(shares.map(Constraint::Percentage)).areas(right);
        (step, None, output, journal)
    };
    Areas {
        header,
        procedure,
        metrics,
        matrix,
        step,
        cluster,
        cluster_off,
        output,
        journal,
        footer,
    }
}

/// The farthest the Output pane can scroll back on the screen `app.size` reports (see
/// [`panes::output::max_scroll_in`]); every line before the first resize.
pub fn output_max_scroll(app: &App) -> usize {
    let (width, height) = app.size;
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return app.output.lines.len();
    }
    let output = layout(app, Rect::new(0, 0, width, height)).output;
    panes::output::max_scroll_in(
        &app.output,
        usize::from(output.width.saturating_sub(2)),
        usize::from(output.height.saturating_sub(2)).saturating_sub(panes::output::COMMAND_ROWS),
    )
}

/// Below this many rows in the right column, with both metrics and a cluster, the
/// matrix pane is left out.
const SHORT_WITH_CLUSTER: u16 = 30;

/// Rows the step, output and journal panes keep however many metrics there are.
const KEEP_FOR_STEP_OUTPUT_JOURNAL: u16 = 12;

/// Splits the right column: metrics (one line per query), the matrix (a header and
/// one line per rule), and what is left for step / output / journal. On a short
/// terminal the metrics and matrix panes shrink (the matrix keeps its most telling
/// rows) so the step, output and journal panes stay usable.
fn live_areas(right: Rect, queries: usize, rules: usize, keep: u16) -> [Rect; 3] {
    let room = right.height.saturating_sub(keep);
    let want_metrics = queries as u16 + 2;
    let want_matrix = rules as u16 + 3;
    // Each gets at least a border and two lines when the room allows.
    let metrics = want_metrics.min(room.saturating_sub(want_matrix.min(4)).max(3));
    let matrix = want_matrix.min(room.saturating_sub(metrics)).max(3);
    Layout::vertical([
        Constraint::Length(metrics),
        Constraint::Length(matrix),
        Constraint::Min(0),
    ])
    .areas(right)
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let text = vec![
        Line::from(Span::styled("Terminal too small", t.style(Role::Warning))),
        Line::from(format!(
            "{}×{} — backout needs at least {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from(Span::styled(
            "Enlarge the window; nothing is lost meanwhile.",
            t.style(Role::Muted),
        )),
    ];
    let height = (text.len() as u16).min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    let rect = Rect {
        x: area.x,
        y,
        width: area.width,
        height,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text)
            .alignment(ratatui::layout::Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

#[cfg(test)]
mod memo_tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;

    use super::*;
    use crate::domain::journal::Entry;
    use crate::ui::testkit::{app, record, t0};
    use crate::ui::theme::Theme;

    /// Draws `app` as the console's loop does: one terminal and one `ViewState` kept
    /// from frame to frame.
    fn draw(terminal: &mut Terminal<TestBackend>, view: &mut ViewState, app: &App) -> Buffer {
        terminal.draw(|f| render_with(app, view, f)).expect("draw");
        terminal.backend().buffer().clone()
    }

    /// The same frame drawn from nothing: no cells kept from an earlier frame.
    fn fresh(app: &App) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        terminal.draw(|f| render(app, f)).expect("draw");
        terminal.backend().buffer().clone()
    }

    fn text(buf: &Buffer) -> String {
        buf.content().iter().map(|c| c.symbol()).collect()
    }

    fn reused(view: &ViewState) -> u64 {
        let m = &view.memo;
        [
            &m.header,
            &m.procedure,
            &m.step,
            &m.output,
            &m.journal,
            &m.hints,
        ]
        .iter()
        .map(|p| p.reused)
        .sum()
    }

    /// Panes whose input did not change are copied back from the last frame; once an input
    /// a cached pane reads changes, the next frame shows it, cell for cell what a frame
    /// drawn from nothing shows.
    #[test]
    fn a_kept_pane_is_never_stale() {
        let mut app = app();
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let mut view = ViewState::default();
        let first = draw(&mut terminal, &mut view, &app);
        assert_eq!(first, fresh(&app));
        assert_eq!(reused(&view), 0);
        // Nothing changed: every cached pane copied back, the same screen.
        assert_eq!(draw(&mut terminal, &mut view, &app), first);
        assert_eq!(reused(&view), 6);

        // The selection moves: the Procedure and Step panes read it.
        app.cursor += 1;
        let moved = draw(&mut terminal, &mut view, &app);
        assert_ne!(moved, first);
        assert_eq!(moved, fresh(&app));

        // A record reaches the journal.
        let before = text(&moved);
        assert!(!before.contains("frame12 was here"));
        app.records.push(record(
            app.records.len() as u64 + 1,
            Entry::NoteAdded {
                step: None,
                text: "frame12 was here".into(),
            },
            t0(),
        ));
        let noted = draw(&mut terminal, &mut view, &app);
        assert!(text(&noted).contains("frame12 was here"));
        assert_eq!(noted, fresh(&app));

        // Another theme: every pane's colours change, none is copied back.
        let kept = reused(&view);
        app.theme = Theme::preset("light").0;
        let light = draw(&mut terminal, &mut view, &app);
        assert_eq!(light, fresh(&app));
        assert_eq!(reused(&view), kept);
    }
}
