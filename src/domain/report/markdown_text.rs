//! The text helpers every report section uses to keep free text inside its Markdown
//! table cell, line or code span, and the heading of a section that may have nothing to list.

use chrono::{DateTime, Utc};

/// A section's heading (`## title`) and, when it has `nothing` to list, `none` as its whole
/// body: `true` when the section is complete.
pub(super) fn heading_or_none(md: &mut String, title: &str, nothing: bool, none: &str) -> bool {
    md.push_str("## ");
    md.push_str(title);
    md.push_str("\n\n");
    if nothing {
        md.push_str(none);
        md.push_str("\n\n");
    }
    nothing
}

/// `2026-11-22 01:52:03Z`.
pub(super) fn utc(ts: DateTime<Utc>) -> String {
    ts.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

/// Text for a table cell: no line breaks, `|` escaped.
pub(super) fn cell(s: &str) -> String {
    inline(s).replace('|', "\\|")
}

/// Text on one Markdown line.
pub(super) fn inline(s: &str) -> String {
    s.split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Multi-line text as a list item's continuation.
pub(super) fn indented(s: &str) -> String {
    s.trim_end().replace('\n', "\n  ")
}

/// A code span that survives backticks and pipes inside it.
pub(super) fn code(s: &str) -> String {
    let s = inline(s).replace('|', "\\|");
    if s.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

pub(super) fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}
