//! Durations as text for people: the one home of every format the console, the report,
//! the scorecards, the verification details and the messages show.
//!
//! Four formats, one style: units glued to the number, a trailing zero part left out
//! (`3m`, not `3m00s`), inner parts two digits wide (`3m05s`, `1h02m`).
//!
//! | format         | for                                          | examples                      |
//! |----------------|----------------------------------------------|-------------------------------|
//! | [`compact`]    | a length of time: budgets, countdowns, scores | `45s` `3m05s` `3m` `1h02m`    |
//! | [`precise_ms`] | a measured run: commands, requests, timeouts  | `850ms` `2.3s` `2s` `1m05s`   |
//! | [`clock`]      | a ticking timer                               | `03:07` `1:02:03`             |
//! | [`age`]/[`ago`]| how old something is, coarse                  | `45s` `12m` `3h` `2d` / `12s ago` |
//!
//! None of these is parsed back. Text that must parse (the journal, the runbook's `5m`,
//! kubectl's `--timeout=120s`, Prometheus' `timeout=250ms`, the simulator's
//! apimachinery ages) has its own writer next to its reader.

/// A length of time, short and exact to the second below an hour, to the minute above:
/// `0s`, `45s`, `1m`, `3m05s`, `59m59s`, `1h`, `1h02m`, `27h46m`.
pub fn compact(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// [`compact`] of fractional seconds, rounded to the nearest second (negative and NaN
/// read as 0): `45.2` → `45s`, `184.6` → `3m05s`.
pub fn compact_f64(secs: f64) -> String {
    // `as` saturates: NaN → 0, anything huge → u64::MAX.
    compact(secs.max(0.0).round() as u64)
}

/// A measured duration in milliseconds: below a second in milliseconds, below a minute
/// in seconds with tenths (cut, not rounded, so it never reads `60.0s`), above that as
/// [`compact`]: `0ms`, `850ms`, `1s`, `2.3s`, `59.9s`, `1m`, `1m05s`, `1h02m`.
pub fn precise_ms(ms: u64) -> String {
    match ms {
        ..1_000 => format!("{ms}ms"),
        1_000..60_000 => match (ms / 1_000, (ms % 1_000) / 100) {
            (s, 0) => format!("{s}s"),
            (s, tenths) => format!("{s}.{tenths}s"),
        },
        _ => compact(ms / 1_000),
    }
}

/// A ticking timer, minutes and seconds, hours only once there are some: `00:00`,
/// `00:59`, `03:07`, `59:59`, `1:00:00`, `1:02:03`.
pub fn clock(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m:02}:{s:02}")
    }
}

/// How old something is, in its largest whole unit (kubectl's AGE column, coarser):
/// `0s`, `59s`, `1m`, `59m`, `1h`, `23h`, `1d`, `400d`.
pub fn age(secs: u64) -> String {
    match secs {
        ..60 => format!("{secs}s"),
        60..3_600 => format!("{}m", secs / 60),
        3_600..86_400 => format!("{}h", secs / 3_600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// [`age`], followed by `ago`: `12s ago`, `3m ago`, `2h ago`.
pub fn ago(secs: u64) -> String {
    format!("{} ago", age(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `(input, text)` row of `table` against `f`.
    fn check<T: Copy + std::fmt::Debug>(name: &str, f: fn(T) -> String, table: &[(T, &str)]) {
        for (input, want) in table {
            assert_eq!(f(*input), *want, "{name}({input:?})");
        }
    }

    #[test]
    fn compact_keeps_seconds_below_an_hour_and_drops_zero_parts() {
        let table: &[(u64, &str)] = &[
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "1m"),
            (61, "1m01s"),
            (185, "3m05s"),
            (600, "10m"),
            (3_599, "59m59s"),
            (3_600, "1h"),
            (3_659, "1h"),
            (3_660, "1h01m"),
            (3_725, "1h02m"),
            (5_400, "1h30m"),
            (86_400, "24h"),
            (100_000, "27h46m"),
            (u64::MAX, "5124095576030431h"),
        ];
        check("compact", compact, table);
    }

    #[test]
    fn compact_f64_rounds_to_the_second_and_never_goes_negative() {
        let table: &[(f64, &str)] = &[
            (0.0, "0s"),
            (0.4, "0s"),
            (0.5, "1s"),
            (45.2, "45s"),
            (59.4, "59s"),
            (59.6, "1m"),
            (184.6, "3m05s"),
            (3_599.4, "59m59s"),
            (3_599.5, "1h"),
            (-3.0, "0s"),
            (f64::NAN, "0s"),
        ];
        check("compact_f64", compact_f64, table);
    }

    #[test]
    fn precise_ms_shows_milliseconds_then_tenths_then_compact() {
        let table: &[(u64, &str)] = &[
            (0, "0ms"),
            (1, "1ms"),
            (850, "850ms"),
            (999, "999ms"),
            (1_000, "1s"),
            (1_099, "1s"),
            (2_300, "2.3s"),
            (2_500, "2.5s"),
            (10_000, "10s"),
            (59_999, "59.9s"),
            (60_000, "1m"),
            (65_000, "1m05s"),
            (65_999, "1m05s"),
            (3_599_999, "59m59s"),
            (3_600_000, "1h"),
            (3_725_000, "1h02m"),
        ];
        check("precise_ms", precise_ms, table);
    }

    #[test]
    fn clock_is_minutes_and_seconds_until_there_are_hours() {
        let table: &[(u64, &str)] = &[
            (0, "00:00"),
            (59, "00:59"),
            (60, "01:00"),
            (187, "03:07"),
            (3_599, "59:59"),
            (3_600, "1:00:00"),
            (3_723, "1:02:03"),
            (360_000, "100:00:00"),
        ];
        check("clock", clock, table);
    }

    #[test]
    fn age_and_ago_keep_only_the_largest_unit() {
        let table: &[(u64, &str)] = &[
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (119, "1m"),
            (3_599, "59m"),
            (3_600, "1h"),
            (86_399, "23h"),
            (86_400, "1d"),
            (400 * 86_400, "400d"),
        ];
        check("age", age, table);
        for (secs, want) in table {
            assert_eq!(ago(*secs), format!("{want} ago"), "ago({secs})");
        }
    }
}
