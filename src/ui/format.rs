//! Small text helpers shared by panes.

use chrono::{DateTime, Utc};

/// `12:03`, `1:02:03` for a number of seconds.
pub fn clock(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// Seconds between two instants, never negative.
pub fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

/// A budget in seconds, short: `90s`, `5m`, `1h30m`.
pub fn budget(secs: u64) -> String {
    if secs >= 3600 {
        let m = (secs / 60) % 60;
        if m == 0 {
            format!("{}h", secs / 3600)
        } else {
            format!("{}h{m:02}m", secs / 3600)
        }
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// Cuts a string to `width` characters, ending in `…` when cut.
pub fn ellipsize(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    let count = s.chars().count();
    if count <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

/// Joins the source lines of Markdown paragraphs so they wrap to the pane instead of at
/// the runbook's line breaks. Blank lines, list items, headings, quotes, tables and
/// indented lines keep their own line.
pub fn reflow(markdown: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut joinable = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let starts_block = trimmed.is_empty()
            || line.starts_with([' ', '\t'])
            || trimmed.starts_with(['-', '*', '+', '#', '>', '|'])
            || trimmed
                .split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        match out.last_mut() {
            Some(last) if joinable && !starts_block => {
                last.push(' ');
                last.push_str(trimmed);
            }
            _ => out.push(line.trim_end().to_string()),
        }
        joinable = !trimmed.is_empty() && !trimmed.starts_with(['#', '|']);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::reflow;

    #[test]
    fn reflow_joins_paragraph_lines_and_keeps_blocks() {
        let md = "Look at the history and pick\nthe revision before\nthe current one.\n\n- a bullet\n  continued\n1. first\n2. second\n| a | b |\n| - | - |";
        assert_eq!(
            reflow(md),
            vec![
                "Look at the history and pick the revision before the current one.",
                "",
                "- a bullet",
                "  continued",
                "1. first",
                "2. second",
                "| a | b |",
                "| - | - |",
            ]
        );
    }
}
