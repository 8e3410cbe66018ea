//! Draws the whole console from `&App`. No I/O and no state changes here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::panes;
use super::popups;
use super::state::{App, Layer};
use super::theme::Role;

/// The smallest terminal the console lays out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn render(app: &App, frame: &mut Frame) {
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
    panes::procedure::render(app, frame, left);
    let [step, output, journal] = Layout::vertical([
        Constraint::Percentage(40),
        Constraint::Percentage(35),
        Constraint::Percentage(25),
    ])
    .areas(right);
    panes::step::render(app, frame, step);
    panes::output::render(app, frame, output);
    panes::journal::render(app, frame, journal);
    panes::hints::render(app, frame, footer);
    for layer in &app.layers {
        match layer {
            Layer::Help { scroll } => popups::help::render(app, *scroll, frame, area),
            Layer::Confirm(c) => popups::confirm::render(app, c, frame, area),
            Layer::Prompt(p) => popups::prompt::render(app, p, frame, area),
            Layer::Note(n) => popups::note::render(app, n, frame, area),
        }
    }
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

/// A rectangle of at most `width`×`height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width.saturating_sub(2));
    let h = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
