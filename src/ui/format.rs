//! Small text helpers shared by panes.

use chrono::{DateTime, Utc};

use crate::domain::duration_text::compact;

/// `RTO 4m left`, or `RTO over by 2m` once `deadline` has passed (then `true`).
pub fn rto_left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> (String, bool) {
    let left = (deadline - now).num_seconds();
    if left >= 0 {
        (format!("RTO {} left", compact(left as u64)), false)
    } else {
        (
            format!("RTO over by {}", compact(left.unsigned_abs())),
            true,
        )
    }
}

/// Seconds between two instants, never negative.
pub fn secs_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from((to - from).num_seconds()).unwrap_or(0)
}

/// "1 kubectl line", "2 kubectl lines": `n` and the noun in its number.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Cuts a string to `width` characters, ending in `…` when cut.
pub fn ellipsize(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if width == 0 {
        return String::new();
    }
    if s.width() <= width {
        return s.to_string();
    }
    // Keep whole characters while they fit in `width - 1` columns, then the ellipsis.
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Columns `s` takes on a terminal (emoji and CJK characters take two).
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
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

/// How a metric's values read, guessed from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A ratio shown as a percentage (`error_rate`, `*_ratio`).
    Percent,
    /// Seconds, shown as `ms` below one second (`latency*`, `*_seconds`, `*duration*`).
    Seconds,
    /// CPU cores.
    Cores,
    /// Bytes, shown in MiB.
    Bytes,
    Plain,
}

impl Unit {
    pub fn of(metric: &str) -> Unit {
        let m = metric.to_ascii_lowercase();
        if m.contains("latency") || m.ends_with("_seconds") || m.contains("duration") {
            Unit::Seconds
        } else if m.contains("error")
            || m.contains("ratio")
            || m.contains("percent")
            || m.contains("availability")
        {
            Unit::Percent
        } else if m.contains("cpu") {
            Unit::Cores
        } else if m.contains("memory") || m.contains("bytes") {
            Unit::Bytes
        } else {
            Unit::Plain
        }
    }
}

/// A metric value with its unit: `12.0 %`, `250 ms`, `2.10 s`, `0.35 cores`, `512 MiB`.
pub fn metric_value(metric: &str, v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match Unit::of(metric) {
        Unit::Percent => format!("{:.1} %", v * 100.0),
        Unit::Seconds if v.abs() < 1.0 => format!("{:.0} ms", v * 1000.0),
        Unit::Seconds => format!("{v:.2} s"),
        Unit::Cores => format!("{v:.2} cores"),
        Unit::Bytes => format!("{:.0} MiB", v / (1024.0 * 1024.0)),
        Unit::Plain => trim_float(format!("{v:.3}")),
    }
}

/// A threshold as it reads on screen: `> 10 %`, `>= 2 s`, `< 500 ms`.
pub fn threshold(metric: &str, op: &str, v: f64) -> String {
    let shown = match Unit::of(metric) {
        Unit::Percent => format!("{} %", trim_float(format!("{:.1}", v * 100.0))),
        Unit::Seconds if v.abs() < 1.0 => format!("{:.0} ms", v * 1000.0),
        Unit::Seconds => format!("{} s", trim_float(format!("{v:.2}"))),
        _ => metric_value(metric, v),
    };
    format!("{op} {shown}")
}

fn trim_float(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A sparkline of `values` in block characters, `width` wide (the newest points),
/// scaled between the series' own minimum and maximum. NaN points are gaps.
pub fn sparkline(values: &[f64], width: usize) -> String {
    sparkline_reaching(values, width, &[])
}

/// A sparkline whose vertical range also reaches the `marks` (e.g. the nearest matrix
/// threshold), so a bar's height says how close the value is to the line rather than
/// only how it moved.
pub fn sparkline_reaching(values: &[f64], width: usize, marks: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let tail = &values[values.len().saturating_sub(width)..];
    let finite = tail
        .iter()
        .chain(marks.iter().filter(|_| !tail.is_empty()))
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let mut out: String = tail
        .iter()
        .map(|v| {
            if !v.is_finite() {
                ' '
            } else if hi <= lo {
                BARS[0]
            } else {
                let i = ((v - lo) / (hi - lo) * 7.0).round() as usize;
                BARS[i.min(7)]
            }
        })
        .collect();
    let pad = width.saturating_sub(tail.len());
    out.insert_str(0, &" ".repeat(pad));
    out
}

#[cfg(test)]
mod tests {
    use super::reflow;

    #[test]
    fn ellipsize_counts_terminal_columns_not_characters() {
        use super::{display_width, ellipsize};
        assert_eq!(ellipsize("rollback", 8), "rollback");
        assert_eq!(ellipsize("rollback", 5), "roll…");
        // 🚨 takes two columns: the result never exceeds the width it was given.
        let cut = ellipsize("🚨 Emergency Rollback Procedures", 12);
        assert_eq!(cut, "🚨 Emergenc…");
        assert_eq!(display_width(&cut), 12);
        let wide = ellipsize("緊急ロールバック", 7);
        assert_eq!(wide, "緊急ロ…");
        assert!(display_width(&wide) <= 7);
        assert_eq!(ellipsize("🚨🚨", 2), "…", "no half of a wide character");
    }

    #[test]
    fn a_sparkline_reaching_a_threshold_is_scaled_to_it() {
        use super::{sparkline, sparkline_reaching};
        let values = [0.01, 0.02, 0.03];
        assert_eq!(
            sparkline(&values, 4),
            " ▁▅█",
            "own range: the top is the maximum"
        );
        assert_eq!(
            sparkline_reaching(&values, 4, &[0.10]),
            " ▁▂▃",
            "far below the line: low bars"
        );
        assert_eq!(
            sparkline_reaching(&[], 3, &[0.10]),
            "   ",
            "no data: no bars"
        );
    }

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

#[cfg(test)]
mod metric_format_tests {
    use super::*;

    #[test]
    fn values_read_in_their_units() {
        assert_eq!(metric_value("error_rate", 0.12), "12.0 %");
        assert_eq!(metric_value("latency_p95", 0.25), "250 ms");
        assert_eq!(metric_value("latency_p95", 2.1), "2.10 s");
        assert_eq!(metric_value("request_duration_seconds", 0.004), "4 ms");
        assert_eq!(metric_value("cpu", 0.35), "0.35 cores");
        assert_eq!(
            metric_value("memory_working_set", 512.0 * 1048576.0),
            "512 MiB"
        );
        assert_eq!(metric_value("rps", 12.5), "12.5");
        assert_eq!(metric_value("latency_p95", f64::INFINITY), "+Inf");
        assert_eq!(threshold("error_rate", ">", 0.1), "> 10 %");
        assert_eq!(threshold("error_rate", ">", 0.025), "> 2.5 %");
        assert_eq!(threshold("latency_p95", ">=", 2.0), ">= 2 s");
        assert_eq!(threshold("latency_p95", "<", 0.5), "< 500 ms");
    }

    #[test]
    fn sparklines_scale_to_their_own_range() {
        assert_eq!(sparkline(&[0.0, 0.5, 1.0], 3), "▁▅█");
        assert_eq!(sparkline(&[1.0, 1.0], 4), "  ▁▁");
        assert_eq!(sparkline(&[0.0, f64::NAN, 1.0, 2.0], 3), " ▁█");
    }
}
