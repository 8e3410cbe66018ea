//! Rows of one style each written straight into the buffer: cell for cell what
//! `Paragraph::new(lines)` draws for them, without the grapheme segmentation and width
//! lookups ratatui does for any text. The Pods pane's rows change every frame under
//! churn; their text is printable ASCII, now and then with the `…` of a name or a status
//! cut short. Any other row is drawn by a `Paragraph`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Draws `rows` from the top of `area`, each cut at the area's width, as a `Paragraph` of
/// one single-span line per row draws them.
pub fn render(buf: &mut Buffer, area: Rect, rows: &[(String, Style)]) {
    let area = area.intersection(buf.area);
    let width = usize::from(area.width);
    for ((text, style), y) in rows.iter().zip(area.top()..area.bottom()) {
        if !text.chars().all(plain) {
            let row = Rect {
                y,
                height: 1,
                ..area
            };
            Paragraph::new(Line::from(Span::styled(text.clone(), *style))).render(row, buf);
            continue;
        }
        // The style a Paragraph gives a span's graphemes: the span's over the line's and
        // the text's (both default here).
        let style = Style::default().patch(*style);
        let start = buf.index_of(area.x, y);
        let cells = &mut buf.content[start..start + width];
        for (cell, (at, c)) in cells.iter_mut().zip(text.char_indices()) {
            cell.set_symbol(&text[at..at + c.len_utf8()])
                .set_style(style);
        }
    }
}

/// A character that is a grapheme of its own, one column wide, next to any other such
/// character: printable ASCII and the ellipsis.
fn plain(c: char) -> bool {
    (' '..='~').contains(&c) || c == '…'
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};

    use super::*;

    /// The same rows through a `Paragraph` and through [`render`], over a styled background.
    fn both(rows: &[(String, Style)], area: Rect) -> (Buffer, Buffer) {
        let mut base = Buffer::empty(Rect::new(0, 0, 12, 6));
        base.set_style(base.area, Style::new().bg(Color::Blue).fg(Color::White));
        let mut by_paragraph = base.clone();
        let lines: Vec<Line> = rows
            .iter()
            .map(|(t, s)| Line::from(Span::styled(t.clone(), *s)))
            .collect();
        Paragraph::new(lines).render(area, &mut by_paragraph);
        let mut direct = base;
        render(&mut direct, area, rows);
        (by_paragraph, direct)
    }

    #[test]
    fn rows_are_drawn_cell_for_cell_as_a_paragraph_draws_them() {
        let rows = vec![
            ("NAME   READY".to_string(), Style::new().fg(Color::Gray)),
            (
                "pod-a 1/1 Running, cut here".to_string(),
                Style::new().green(),
            ),
            (
                "pod-…-x2b9q".to_string(),
                Style::new().add_modifier(Modifier::REVERSED).bg(Color::Red),
            ),
            ("".to_string(), Style::new().red()),
            ("a row below the area".to_string(), Style::new()),
        ];
        let (by_paragraph, direct) = both(&rows, Rect::new(1, 0, 10, 4));
        assert_eq!(direct, by_paragraph);
    }

    /// Wide, combining, control and other characters: those rows go to a Paragraph.
    #[test]
    fn any_other_row_is_drawn_by_a_paragraph() {
        let rows: Vec<(String, Style)> = ["🚨 wide", "tab\there", "e\u{301}te", "中文字", "ok…"]
            .iter()
            .map(|t| (t.to_string(), Style::new().yellow()))
            .collect();
        let (by_paragraph, direct) = both(&rows, Rect::new(0, 1, 7, 5));
        assert_eq!(direct, by_paragraph);
    }
}
