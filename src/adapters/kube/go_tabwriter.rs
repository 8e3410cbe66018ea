//! Go's `text/tabwriter` as `kubectl describe` sets it up (`tabbedString`:
//! `Init(buf, 0, 8, 2, ' ', 0)`): cells end at tabs, a column's width is its widest cell
//! plus 2 within a *column block* — consecutive lines that have a cell in that column,
//! nested inside the blocks of the columns to its left (`format` in Go's
//! `text/tabwriter/tabwriter.go`) — and the last cell of a line is never padded. Widths
//! count runes, as tabwriter does.

const PADDING: usize = 2;

struct Cell<'a> {
    text: &'a str,
    width: usize,
}

/// `text` laid out by the tab writer (every line of `text` ends with `\n`).
pub fn tab_write(text: &str) -> String {
    let mut lines: Vec<Vec<Cell>> = text
        .split('\n')
        .map(|l| {
            l.split('\t')
                .map(|c| Cell {
                    text: c,
                    width: c.chars().count(),
                })
                .collect()
        })
        .collect();
    // The text after the last newline is the unterminated last line (empty: none).
    if lines
        .last()
        .is_some_and(|l| l.len() == 1 && l[0].text.is_empty())
    {
        lines.pop();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut widths = Vec::new();
    format(&mut out, &lines, &mut widths, 0, lines.len());
    out
}

fn format(out: &mut String, lines: &[Vec<Cell>], widths: &mut Vec<usize>, from: usize, to: usize) {
    let column = widths.len();
    let mut line0 = from;
    let mut this = from;
    while this < to {
        if column >= lines[this].len() - 1 {
            this += 1;
            continue;
        }
        write_lines(out, lines, widths, line0, this);
        line0 = this;
        let mut width = 0;
        while this < to && column < lines[this].len() - 1 {
            width = width.max(lines[this][column].width + PADDING);
            this += 1;
        }
        widths.push(width);
        format(out, lines, widths, line0, this);
        widths.pop();
        line0 = this;
    }
    write_lines(out, lines, widths, line0, to);
}

fn write_lines(out: &mut String, lines: &[Vec<Cell>], widths: &[usize], from: usize, to: usize) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell.text);
            if let Some(w) = widths.get(j) {
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.width)));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_a_line_without_the_column() {
        let text = "Name:\tweb\nService Account:\tdefault\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tReplicaSet/web\n";
        assert_eq!(
            tab_write(text),
            "Name:             web\nService Account:  default\nIPs:\n  IP:           10.0.0.1\nControlled By:  ReplicaSet/web\n"
        );
    }

    #[test]
    fn inner_columns_nest_inside_outer_blocks_and_trailing_spaces_stay() {
        // Column 1 is shared by the first two lines only: the third has no second cell.
        let text = "a\tbb\tc\nlonger\tb\tc\nx\ty\n  Ready \tFalse \n";
        assert_eq!(
            tab_write(text),
            "a         bb  c\nlonger    b   c\nx         y\n  Ready   False \n"
        );
    }
}
