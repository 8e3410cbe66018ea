//! Time budgets written in headings: "(5 min)", "[10 minutes]", "— 2 minutes",
//! "(within 30 min)", "(0-5 minutes)", "(< 2m)".
//!
//! A duration counts as a budget only where headings put budgets: inside brackets, after a
//! dash, colon or bar, or after "within"/"under"/"budget". "Check p95 < 2s" has no budget.
//! For a range the upper bound is the budget.

use std::time::Duration;

/// The time budget written in a heading, if any (the last one when several are written).
pub(super) fn parse(heading: &str) -> Option<Duration> {
    if !heading.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let bytes = heading.as_bytes();
    let mut found = None;
    let mut i = 0;
    while i < bytes.len() {
        let at_number_start = bytes[i].is_ascii_digit()
            && heading[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
        if at_number_start && let Some((duration, end)) = duration_at(heading, i) {
            if introduced(&heading[..i]) {
                found = Some(duration);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

/// Parses `N unit` or `N-M unit` at byte `start`; returns the duration and the byte just
/// past it.
fn duration_at(s: &str, start: usize) -> Option<(Duration, usize)> {
    let (mut amount, mut i) = number(s, start)?;
    // A range: `0-5 minutes`, `5–10 min`, `5 to 10 min`.
    let j = skip_spaces(s, i);
    let rest = &s[j..];
    let range_sep = ["-", "–", "—", "to"]
        .into_iter()
        .find(|sep| rest.starts_with(sep))
        .map(|sep| j + sep.len());
    if let Some(next) = range_sep
        && let Some((upper, end)) = number(s, skip_spaces(s, next))
    {
        amount = upper;
        i = end;
    }
    // `5 min`, `5min`, `5-minute`
    let mut u = skip_spaces(s, i);
    if s[u..].starts_with('-') {
        u += 1;
    }
    let unit_len = s[u..]
        .find(|c: char| !c.is_alphabetic())
        .unwrap_or(s.len() - u);
    let unit = &s[u..u + unit_len];
    let is = |names: &[&str]| names.iter().any(|n| unit.eq_ignore_ascii_case(n));
    let seconds_per = if is(&["s", "sec", "secs", "second", "seconds"]) {
        1.0
    } else if is(&["m", "min", "mins", "minute", "minutes"]) {
        60.0
    } else if is(&["h", "hr", "hrs", "hour", "hours"]) {
        3600.0
    } else {
        return None;
    };
    let secs = amount * seconds_per;
    if !secs.is_finite() || !(0.0..=7.0 * 86400.0).contains(&secs) {
        return None;
    }
    Some((Duration::from_secs_f64(secs), u + unit_len))
}

/// A decimal number at byte `start`, and the byte past it.
fn number(s: &str, start: usize) -> Option<(f64, usize)> {
    let len = s[start..]
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len() - start);
    let text = s[start..start + len].trim_end_matches('.');
    if text.is_empty() {
        return None;
    }
    text.parse().ok().map(|n| (n, start + text.len()))
}

fn skip_spaces(s: &str, i: usize) -> usize {
    i + (s[i..].len() - s[i..].trim_start().len())
}

/// Whether a number preceded by `before` sits where headings put budgets.
fn introduced(before: &str) -> bool {
    let before = before
        .trim_end()
        .trim_end_matches(['<', '≤', '~', '≈'])
        .trim_end();
    let ends_with_word = |w: &str| {
        before.len() >= w.len()
            && before.is_char_boundary(before.len() - w.len())
            && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
    };
    if [
        "within", "under", "budget", "budget:", "max", "max.", "timebox", "timebox:", "eta",
    ]
    .into_iter()
    .any(ends_with_word)
    {
        return true;
    }
    let before = before.trim_end_matches('\u{fe0f}');
    matches!(
        before.chars().next_back(),
        Some('(' | '[' | '{' | '—' | '–' | '-' | ':' | '|' | '⏱')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(heading: &str) -> Option<u64> {
        parse(heading).map(|d| d.as_secs())
    }

    #[test]
    fn budgets_in_headings() {
        let cases: &[(&str, Option<u64>)] = &[
            ("2. Execute rollback (5 min)", Some(300)),
            ("Phase 3 – Verification [10 minutes]", Some(600)),
            ("Execute rollback — 2 minutes", Some(120)),
            ("Verify - 90s", Some(90)),
            ("Immediate (within 30 min)", Some(1800)),
            ("Emergency Procedures (< 30 minutes)", Some(1800)),
            ("Critical Issues (0-5 minutes)", Some(300)),
            ("Assess (2m)", Some(120)),
            ("Follow-up (1.5 hours)", Some(5400)),
            ("Quick Reference (30-second rollback)", Some(30)),
            ("Short-term (within 24 hours)", Some(86400)),
            ("Step 2: Roll back", None),
            ("Phase 3", None),
            ("Check p95 latency < 2s", None),
            ("HTTP 5xx errors", None),
            ("Rollback", None),
        ];
        for (heading, want) in cases {
            assert_eq!(secs(heading), *want, "{heading:?}");
        }
    }
}
