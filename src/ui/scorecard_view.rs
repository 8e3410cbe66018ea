//! The scorecard screen shown when a drill ends (and by `backout drills --tui`): the
//! drill's stages against their targets, and a bar chart per stage across the drill
//! history (the trend).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use crate::domain::drill_record::{DrillRecord, card_text, stage_series, trend};
use crate::domain::duration_text::compact_f64;
use crate::domain::scorecard::StageName;

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
    // The trend box is as tall as its rows (two per stage), not the rest of the screen.
    let trend_height = if history.is_empty() {
        3
    } else {
        StageName::ALL.len() as u16 * 2 + 2
    };
    let [card, chart, _, footer] = Layout::vertical([
        Constraint::Length(card_height.min(area.height.saturating_sub(6))),
        Constraint::Max(trend_height),
        Constraint::Fill(1),
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
    // One line per row, cut rather than wrapped, so the columns stay a table.
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = card_text(r)
        .into_iter()
        .map(|l| crate::ui::format::ellipsize(&l, width))
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
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// One row per stage: a bar per drill (oldest to latest, as many as fit), the latest
/// time and the trend from the first drill to the latest.
fn render_trend(theme: &Theme, history: &[DrillRecord], frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::Border))
        .title(Span::styled(
            format!(" Trend across {} drill(s), time per stage ", history.len()),
            theme.style(Role::Heading),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if history.is_empty() {
        frame.render_widget(Paragraph::new("No drills in the history yet."), inner);
        return;
    }
    let rows = Layout::vertical(
        StageName::ALL
            .iter()
            .map(|_| Constraint::Length(2))
            .chain(std::iter::once(Constraint::Min(0))),
    )
    .split(inner);
    for (stage, row) in StageName::ALL.into_iter().zip(rows.iter()) {
        let series = stage_series(history, stage);
        let [label, chart, figures] = Layout::horizontal([
            Constraint::Length(13),
            Constraint::Min(8),
            Constraint::Length(28),
        ])
        .areas(*row);
        let fit = usize::from(chart.width).max(1);
        let shown = &series[series.len().saturating_sub(fit)..];
        // Unreached stages draw as empty bars; the height is relative to the slowest.
        let data: Vec<u64> = shown
            .iter()
            .map(|v| v.map_or(0, |s| s.round().max(1.0) as u64))
            .collect();
        frame.render_widget(
            Paragraph::new(Span::styled(stage.label(), theme.style(Role::Heading))),
            label,
        );
        frame.render_widget(
            Sparkline::default()
                .data(&data)
                .style(theme.style(Role::Info)),
            chart,
        );
        let latest = series
            .last()
            .copied()
            .flatten()
            .map(compact_f64)
            .unwrap_or_else(|| "not reached".into());
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!(" latest {latest:<11} trend {}", trend(&series)),
                theme.style(Role::Base),
            )),
            figures,
        );
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::domain::drill_record::tests::drill;

    /// The trend box is as tall as its rows (two per stage): with one or two drills it
    /// does not fill the screen with an empty frame; the footer stays on the last row.
    #[test]
    fn the_trend_box_is_as_tall_as_its_rows() {
        let theme = Theme::dark();
        let history = vec![
            drill("s1", 1, Some(40.0), false),
            drill("s2", 2, Some(20.0), true),
        ];
        let mut terminal = Terminal::new(TestBackend::new(120, 60)).expect("terminal");
        terminal
            .draw(|f| render(&theme, history.last(), &history, f))
            .expect("draws");
        let rows: Vec<String> = terminal
            .backend()
            .buffer()
            .content()
            .chunks(120)
            .map(|r| r.iter().map(|c| c.symbol()).collect())
            .collect();
        let top = rows
            .iter()
            .position(|r| r.contains("Trend across 2 drill(s)"))
            .expect("the trend box");
        let bottom = rows
            .iter()
            .skip(top + 1)
            .position(|r| r.starts_with('└'))
            .map(|i| top + 1 + i)
            .expect("its bottom border");
        assert_eq!(
            bottom - top + 1,
            StageName::ALL.len() * 2 + 2,
            "{}",
            rows.join("\n")
        );
        assert!(
            rows[59].starts_with("Any key leaves"),
            "{}",
            rows.join("\n")
        );
        assert!(rows[bottom + 1].trim().is_empty(), "{}", rows.join("\n"));
    }
}
