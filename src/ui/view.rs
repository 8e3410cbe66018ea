//! Draws the whole console from `&App`. No I/O and no state changes here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::panes;
use super::popups;
use super::state::App;
use super::theme::Role;

/// The smallest terminal the console lays out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// What the view keeps between frames: presentation only, never read by the reducers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub procedure: panes::procedure::ProcedureScroll,
}

/// Draws a frame with fresh presentation state (tests, benches, a one-off frame).
pub fn render(app: &App, frame: &mut Frame) {
    render_with(app, &mut ViewState::default(), frame);
}

/// Draws a frame; `view` carries the scroll positions over from the previous frame.
pub fn render_with(app: &App, view: &mut ViewState, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.style(Role::Base)), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, area);
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
    ])
    .areas(area);
    panes::header::render(app, frame, header);
    let left_width = (body.width * 2 / 5).clamp(32, 64);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Min(40)]).areas(body);
    panes::procedure::render(app, &mut view.procedure, frame, left);
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
                let metrics = (live.names.len() as u16 + 2).min(4);
                let [metrics, rest] =
                    Layout::vertical([Constraint::Length(metrics), Constraint::Min(0)])
                        .areas(right);
                panes::metrics::render(app, frame, metrics);
                rest
            } else {
                let [metrics, matrix, rest] =
                    live_areas(right, live.names.len(), live.matrix.rules().len(), keep);
                panes::metrics::render(app, frame, metrics);
                panes::matrix::render(app, frame, matrix);
                rest
            }
        }
        None => right,
    };
    let (step, output, journal) = if app.cluster.is_some() {
        let [step, cluster, output, journal] = Layout::vertical([
            Constraint::Percentage(22),
            Constraint::Percentage(48),
            Constraint::Percentage(17),
            Constraint::Percentage(13),
        ])
        .areas(right);
        panes::cluster::render(app, frame, cluster);
        (step, output, journal)
    } else {
        let [step, output, journal] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(35),
            Constraint::Percentage(25),
        ])
        .areas(right);
        (step, output, journal)
    };
    panes::step::render(app, frame, step);
    panes::output::render(app, frame, output);
    panes::journal::render(app, frame, journal);
    panes::hints::render(app, frame, footer);
    popups::stack::render(app, frame, area);
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
