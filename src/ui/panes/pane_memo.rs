//! A pane's cells kept from the frame that drew them: while the widget the pane would
//! draw is equal to the one that drew them, on the same area over the same background,
//! the cells are copied back instead of laid out again (graphemes, widths, wrapping,
//! borders: ratatui's work, most of a frame's cost under churn, docs/performance.md).
//!
//! The key is the widget itself, built each frame from what the pane reads, so a cached
//! pane can never show stale content: anything that changes what it would draw changes
//! the widget. Presentation state only, kept in the view's `ViewState`.

use ratatui::Frame;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Widget};

/// The last cells a pane drew and the widget that drew them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaneMemo {
    drawn: Option<Drawn>,
    /// Frames whose cells were copied back (tests and benches read it).
    pub reused: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Drawn {
    area: Rect,
    /// The cell under the pane before it drew: the view's base fill, the same under every
    /// cell of a pane (panes are drawn on it and never overlap).
    under: Cell,
    widget: Paragraph<'static>,
    /// The area's cells, row by row.
    cells: Vec<Cell>,
}

impl PaneMemo {
    /// Draws `widget` over `area` as `frame.render_widget` would, or copies back the cells
    /// it drew last time when nothing it depends on changed.
    pub fn render(&mut self, frame: &mut Frame, area: Rect, widget: Paragraph<'static>) {
        let buf = frame.buffer_mut();
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let under = buf[(area.x, area.y)].clone();
        if let Some(d) = &self.drawn
            && d.area == area
            && d.under == under
            && d.widget == widget
        {
            copy_in(buf, area, &d.cells);
            self.reused += 1;
            return;
        }
        (&widget).render(area, buf);
        let mut cells = self.drawn.take().map(|d| d.cells).unwrap_or_default();
        copy_out(buf, area, &mut cells);
        self.drawn = Some(Drawn {
            area,
            under,
            widget,
            cells,
        });
    }
}

/// The rows of `area` (inside `buf`) into `cells`.
fn copy_out(buf: &Buffer, area: Rect, cells: &mut Vec<Cell>) {
    cells.clear();
    let width = usize::from(area.width);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        cells.extend_from_slice(&buf.content[start..start + width]);
    }
}

/// `cells` (rows of `area`) back into `buf`.
fn copy_in(buf: &mut Buffer, area: Rect, cells: &[Cell]) {
    let width = usize::from(area.width);
    for (row, y) in (area.top()..area.bottom()).enumerate() {
        let start = buf.index_of(area.x, y);
        buf.content[start..start + width].clone_from_slice(&cells[row * width..][..width]);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Stylize;
    use ratatui::style::{Color, Style};
    use ratatui::text::Line;
    use ratatui::widgets::Block;

    use super::*;

    fn draw(memo: &mut PaneMemo, text: &str) -> Buffer {
        // A fresh terminal each time: what is compared is what the frame drew.
        let mut terminal = Terminal::new(TestBackend::new(12, 5)).expect("terminal");
        terminal
            .draw(|f| {
                f.render_widget(
                    Block::default().style(Style::new().bg(Color::Blue)),
                    f.area(),
                );
                let para =
                    Paragraph::new(Line::from(text.to_string()).red()).block(Block::bordered());
                memo.render(f, Rect::new(1, 1, 10, 3), para);
            })
            .expect("draw");
        terminal.backend().buffer().clone()
    }

    fn text(buf: &Buffer) -> String {
        buf.content().iter().map(|c| c.symbol()).collect()
    }

    #[test]
    fn equal_widgets_are_copied_back_and_a_changed_one_is_drawn_afresh() {
        let mut memo = PaneMemo::default();
        let first = draw(&mut memo, "one");
        assert!(text(&first).contains("one"), "{first:?}");
        assert_eq!(memo.reused, 0);
        // The same widget: copied back, cell for cell (symbols and styles) what it drew.
        let again = draw(&mut memo, "one");
        assert_eq!(again, first);
        assert_eq!(memo.reused, 1);
        // Another text: drawn afresh, never the cells kept.
        let changed = draw(&mut memo, "two");
        assert!(text(&changed).contains("two") && !text(&changed).contains("one"));
        assert_eq!(changed, draw(&mut PaneMemo::default(), "two"));
        assert_eq!(memo.reused, 1);
    }
}
