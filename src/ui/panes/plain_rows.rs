//! Rows of printable ASCII, one style each, written straight into the buffer: cell for
//! cell what `Paragraph::new(lines)` draws for them (one grapheme and one column a byte),
//! without the grapheme segmentation and width lookups ratatui does for any text. The
//! Pods pane's rows change every frame under churn; their text is ASCII.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Draws `rows` from the top of `area`, each cut at the area's width, as a `Paragraph` of
/// one single-span line per row would. Draws nothing and returns `false` when a row holds
/// anything but printable ASCII: the caller draws those rows with a `Paragraph`.
pub fn render(buf: &mut Buffer, area: Rect, rows: &[(String, Style)]) -> bool {
    if !rows
        .iter()
        .all(|(text, _)| text.bytes().all(|b| (0x20..0x7f).contains(&b)))
    {
        return false;
    }
    let area = area.intersection(buf.area);
    let width = usize::from(area.width);
    for ((text, style), y) in rows.iter().zip(area.top()..area.bottom()) {
        // The style a Paragraph gives a span's graphemes: the span's over the line's and
        // the text's (both default here).
        let style = Style::default().patch(*style);
        let start = buf.index_of(area.x, y);
        let cells = &mut buf.content[start..start + width];
        for (i, cell) in cells.iter_mut().take(text.len()).enumerate() {
            cell.set_symbol(&text[i..i + 1]).set_style(style);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Paragraph, Widget};

    use super::*;

    /// The same rows through a `Paragraph` and through [`render`], over a styled background.
    fn both(rows: &[(String, Style)], area: Rect) -> (Buffer, Buffer, bool) {
        let mut base = Buffer::empty(Rect::new(0, 0, 12, 4));
        base.set_style(base.area, Style::new().bg(Color::Blue).fg(Color::White));
        let mut by_paragraph = base.clone();
        let lines: Vec<Line> = rows
            .iter()
            .map(|(t, s)| Line::from(Span::styled(t.clone(), *s)))
            .collect();
        Paragraph::new(lines).render(area, &mut by_paragraph);
        let mut direct = base;
        let drawn = render(&mut direct, area, rows);
        (by_paragraph, direct, drawn)
    }

    #[test]
    fn ascii_rows_are_drawn_cell_for_cell_as_a_paragraph_draws_them() {
        let rows = vec![
            ("NAME   READY".to_string(), Style::new().fg(Color::Gray)),
            (
                "pod-a 1/1 Running, cut here".to_string(),
                Style::new().green(),
            ),
            (
                "pod-b".to_string(),
                Style::new().add_modifier(Modifier::REVERSED).bg(Color::Red),
            ),
            ("".to_string(), Style::new().red()),
            ("a row below the area".to_string(), Style::new()),
        ];
        let (by_paragraph, direct, drawn) = both(&rows, Rect::new(1, 0, 10, 4));
        assert!(drawn);
        assert_eq!(direct, by_paragraph);
    }

    #[test]
    fn anything_but_printable_ascii_is_left_to_the_paragraph() {
        for text in ["pod-…-x2b9q", "tab\there", "é"] {
            let rows = vec![(text.to_string(), Style::new())];
            let (_, direct, drawn) = both(&rows, Rect::new(0, 0, 12, 4));
            assert!(!drawn, "{text}");
            assert!(direct.content().iter().all(|c| c.symbol() == " "), "{text}");
        }
    }
}
