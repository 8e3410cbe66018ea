//! The scorecard screen shown when a drill ends (and by `backout drills --tui`): the
//! drill's stages against their targets, and a bar chart per stage across the drill
//! history (the trend).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Borders, Paragraph, Wrap};

use crate::domain::drill_record::{DrillRecord, card_text, stage_series, trend};
use crate::domain::scorecard::{StageName, human_secs};

use super::theme::{Role, Theme};

/// Draws `current` (when given) above the trend of `history` (oldest first).
pub fn render(
    theme: &Theme,
    current: Option<&DrillRecord>,
    history: &[DrillRecord],
    frame: &mut Frame,
) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.style(Role::Base)), area);
    let card_height = current.map_or(0, |r| card_text(r).len() as u16 + 2);
    let [card, chart, footer] = Layout::vertical([
        Constraint::Length(card_height.min(area.height.saturating_sub(6))),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    if let Some(r) = current {
        render_card(theme, r, frame, card);
    }
    render_trend(theme, history, frame, chart);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Any key leaves · backout drills lists every drill (--format json|md)",
            theme.style(Role::Muted),
        )),
        footer,
    );
}

fn render_card(theme: &Theme, r: &DrillRecord, frame: &mut Frame, area: Rect) {
    let role = if r.scorecard.passed {
        Role::Done
    } else {
        Role::Failed
    };
    let lines: Vec<Line> = card_text(r)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let style = if i == 0 {
                theme.style(role)
            } else if l.contains("(over)") || l.contains("(not reached)") || l.contains('✗') {
                theme.style(Role::Warning)
            } else {
                theme.style(Role::Base)
            };
            Line::from(Span::styled(l, style))
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(role))
        .title(Span::styled(" Scorecard ", theme.style(role)));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// One bar group per stage: a bar per drill (oldest to latest), in seconds.
fn render_trend(theme: &Theme, history: &[DrillRecord], frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(
            format!(
                " Trend across {} drill(s), seconds per stage ",
                history.len()
            ),
            theme.style(Role::Heading),
        ));
    if history.is_empty() {
        frame.render_widget(
            Paragraph::new("No drills in the history yet.").block(block),
            area,
        );
        return;
    }
    // The latest drills that fit: groups of N bars of width 3 plus gaps.
    let inner_width = area.width.saturating_sub(2) as usize;
    let per_group = (inner_width / 5).saturating_sub(2).max(4);
    let fit = (per_group / 4).max(1);
    let shown = &history[history.len().saturating_sub(fit)..];
    let mut chart = BarChart::default()
        .block(block)
        .bar_width(3)
        .bar_gap(1)
        .group_gap(2)
        .bar_style(theme.style(Role::Info))
        .value_style(theme.style(Role::Base))
        .label_style(theme.style(Role::Muted));
    for stage in StageName::ALL {
        let series = stage_series(shown, stage);
        let bars: Vec<Bar> = series
            .iter()
            .map(|v| {
                let secs = v.unwrap_or(0.0).round() as u64;
                Bar::default()
                    .value(secs)
                    .text_value(v.map(human_secs).unwrap_or_else(|| "—".into()))
            })
            .collect();
        let label = format!("{} {}", stage.label(), trend(&stage_series(history, stage)));
        chart = chart.data(BarGroup::default().label(Line::from(label)).bars(&bars));
    }
    frame.render_widget(chart, area);
}
