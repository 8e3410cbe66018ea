//! Go's `text/tabwriter` for the one way kubectl uses it: cells of a column padded with
//! spaces to the widest cell plus `padding` (at least `min_width`), the last cell of a
//! line not padded (it ends with a newline, not a tab). Widths count characters, as
//! tabwriter counts UTF-8 runes.

/// The rows as tabwriter lays them out, each line ending with `\n`.
pub fn tab_write(rows: &[Vec<String>], min_width: usize, padding: usize) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![min_width; columns];
    for row in rows {
        // The last cell of a row is not a tab-terminated cell: it takes no part in widths.
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count() + padding);
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i].saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    /// kubectl's table printer: `tabwriter.NewWriter(out, 6, 4, 3, ' ', …)`
    /// (cli-runtime `pkg/printers/tabwriter.go`).
    #[test]
    fn columns_are_the_widest_cell_plus_padding() {
        assert_eq!(
            tab_write(
                &rows(&[&["NAME", "READY", "AGE"], &["web", "3/3", "5s"]]),
                6,
                3
            ),
            "NAME   READY   AGE\nweb    3/3     5s\n"
        );
        // A short column still takes the minimum width.
        assert_eq!(tab_write(&rows(&[&["A", "B"]]), 6, 3), "A     B\n");
    }
}
