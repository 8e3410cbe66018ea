//! The one duration parser: `90s`, `2m`, `1h30m`, `1.5h`, `250ms`, and (where the syntax
//! allows it) a bare number of seconds.
//!
//! Every duration a person writes (front matter, `kubectl --timeout`, flags) goes through
//! [`parse`], which range-checks before building a [`Duration`]: a duration longer than
//! [`MAX`] is an error, never a panic ("cannot convert float seconds to Duration" came from
//! `Duration::from_secs_f64` on `99999999999999999999999h`). The syntaxes differ only in
//! their units and in whether a bare number is accepted; see [`Syntax`].

use std::time::Duration;

/// The longest duration accepted anywhere: a year and a day. Long enough for any
/// baseline offset, recovery target or timeout; short enough that adding it to an
/// `Instant` or a timestamp can never overflow.
pub const MAX: Duration = Duration::from_secs(366 * 86_400);

/// What a written duration may look like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Syntax {
    /// Unit names with their length in seconds, e.g. `("m", 60.0)`.
    units: &'static [(&'static str, f64)],
    /// A number without a unit: seconds, or only `0` (Go's `time.ParseDuration`).
    bare: Bare,
    /// Shown in errors: "use ms, s, m, h or d".
    unit_list: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bare {
    Seconds,
    ZeroOnly,
}

impl Syntax {
    /// Runbook front matter: `ms`, `s`, `m`, `h`, `d`; a bare number is seconds.
    pub const FRONT_MATTER: Syntax = Syntax {
        units: &[
            ("ms", 0.001),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
            ("d", 86_400.0),
        ],
        bare: Bare::Seconds,
        unit_list: "ms, s, m, h or d",
    };

    /// Go's `time.ParseDuration`, as kubectl's `--timeout` takes it: `ns`, `us`, `µs`,
    /// `ms`, `s`, `m`, `h`; a bare number only when it is `0`.
    pub const GO: Syntax = Syntax {
        units: &[
            ("ns", 1e-9),
            ("us", 1e-6),
            ("µs", 1e-6),
            ("μs", 1e-6),
            ("ms", 0.001),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
        ],
        bare: Bare::ZeroOnly,
        unit_list: "ns, us, ms, s, m or h",
    };

    /// Drill scenario times: `ms`, `s`, `m`, `h`, `d` (a history revision `3d` ago); a
    /// bare number is seconds.
    pub const SCENARIO: Syntax = Syntax {
        units: &[
            ("ms", 0.001),
            ("s", 1.0),
            ("m", 60.0),
            ("h", 3600.0),
            ("d", 86_400.0),
        ],
        bare: Bare::Seconds,
        unit_list: "ms, s, m, h or d",
    };
}

/// Why a duration was refused. Messages quote the text as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("`{0}` is not a duration (expected e.g. 90s, 2m, 1h30m)")]
    Malformed(String),
    #[error("`{text}`: missing unit (use {units})")]
    MissingUnit { text: String, units: &'static str },
    #[error("`{text}` has unknown unit `{unit}` (use {units})")]
    UnknownUnit {
        text: String,
        unit: String,
        units: &'static str,
    },
    #[error("`{0}` is too long: at most 366d (a year and a day)")]
    TooLong(String),
}

/// Parses `text` in `syntax`; never panics, whatever the text.
pub fn parse(text: &str, syntax: Syntax) -> Result<Duration, DurationError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(DurationError::Empty);
    }
    let malformed = || DurationError::Malformed(s.to_string());
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let n: f64 = s.parse().map_err(|_| malformed())?;
        return match syntax.bare {
            Bare::Seconds => seconds(n, s),
            Bare::ZeroOnly if n == 0.0 => Ok(Duration::ZERO),
            Bare::ZeroOnly => Err(DurationError::MissingUnit {
                text: s.to_string(),
                units: syntax.unit_list,
            }),
        };
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(malformed());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| malformed())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit {
                text: s.to_string(),
                units: syntax.unit_list,
            });
        }
        let unit = &rest[..unit_len];
        let Some((_, factor)) = syntax.units.iter().find(|(name, _)| *name == unit) else {
            return Err(DurationError::UnknownUnit {
                text: s.to_string(),
                unit: unit.to_string(),
                units: syntax.unit_list,
            });
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    seconds(total, s)
}

/// A number of seconds as a `Duration`, refused when not finite, negative or over [`MAX`].
fn seconds(secs: f64, text: &str) -> Result<Duration, DurationError> {
    if secs.is_nan() || secs < 0.0 {
        return Err(DurationError::Malformed(text.to_string()));
    }
    if secs > MAX.as_secs_f64() {
        return Err(DurationError::TooLong(text.to_string()));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| DurationError::TooLong(text.to_string()))
}

/// A whole number of seconds (from YAML's integers, a flag) as a `Duration`, refused over
/// [`MAX`].
pub fn from_whole_seconds(secs: u64) -> Result<Duration, DurationError> {
    let d = Duration::from_secs(secs);
    if d > MAX {
        return Err(DurationError::TooLong(secs.to_string()));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fm(s: &str) -> Result<Duration, DurationError> {
        parse(s, Syntax::FRONT_MATTER)
    }

    #[test]
    fn front_matter_durations() {
        assert_eq!(fm("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(fm("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(fm("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(fm("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(fm("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(fm("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(fm(" 45 "), Ok(Duration::from_secs(45)));
        assert_eq!(fm("366d"), Ok(MAX));
    }

    #[test]
    fn malformed_durations_are_refused_with_the_text() {
        assert_eq!(fm(""), Err(DurationError::Empty));
        assert_eq!(fm("soon"), Err(DurationError::Malformed("soon".into())));
        assert_eq!(fm("m"), Err(DurationError::Malformed("m".into())));
        assert_eq!(fm("1..2s"), Err(DurationError::Malformed("1..2s".into())));
        assert_eq!(
            fm("5x").unwrap_err().to_string(),
            "`5x` has unknown unit `x` (use ms, s, m, h or d)"
        );
        assert_eq!(
            fm("1h30").unwrap_err().to_string(),
            "`1h30`: missing unit (use ms, s, m, h or d)"
        );
        assert_eq!(fm("-5s"), Err(DurationError::Malformed("-5s".into())));
    }

    /// The inputs of issue 15 that panicked `check` and the console.
    #[test]
    fn oversized_durations_are_errors_not_panics() {
        for text in [
            "99999999999999999999999h",
            "18446744073709551616s",
            "18446744073709551616",
            "367d",
            "8785h",
            &"9".repeat(400),
            &format!("{}s", "9".repeat(400)),
        ] {
            assert_eq!(
                fm(text),
                Err(DurationError::TooLong(text.trim().into())),
                "{text}"
            );
        }
        assert_eq!(
            fm("99999999999999999999999h").unwrap_err().to_string(),
            "`99999999999999999999999h` is too long: at most 366d (a year and a day)"
        );
        assert_eq!(
            from_whole_seconds(u64::MAX),
            Err(DurationError::TooLong(u64::MAX.to_string()))
        );
        assert_eq!(from_whole_seconds(60), Ok(Duration::from_secs(60)));
    }

    /// Go's `time.ParseDuration` (kubernetes/kubectl takes `--timeout` through it): a bare
    /// number other than 0 is "missing unit", `us`/`ns` exist.
    #[test]
    fn go_durations() {
        let go = |s| parse(s, Syntax::GO);
        assert_eq!(go("0"), Ok(Duration::ZERO));
        assert_eq!(go("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(go("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(go("1500us"), Ok(Duration::from_micros(1500)));
        assert!(matches!(go("5"), Err(DurationError::MissingUnit { .. })));
        assert!(matches!(go("1d"), Err(DurationError::UnknownUnit { .. })));
    }

    #[test]
    fn scenario_durations() {
        let sc = |s| parse(s, Syntax::SCENARIO);
        assert_eq!(sc("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(sc("12"), Ok(Duration::from_secs(12)));
        assert_eq!(sc("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(sc("3d"), Ok(Duration::from_secs(259_200)));
        assert!(sc("1w").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Whatever the text: no panic, and what is accepted is within range.
        #[test]
        fn never_panics_and_stays_in_range(text in "[0-9.]{0,30}(ms|s|m|h|d|x|µs|ns)?[0-9.]{0,30}(ms|s|m|h|d)?") {
            for syntax in [Syntax::FRONT_MATTER, Syntax::GO, Syntax::SCENARIO] {
                if let Ok(d) = parse(&text, syntax) {
                    prop_assert!(d <= MAX);
                }
            }
        }

        #[test]
        fn any_text_never_panics(text in any::<String>()) {
            for syntax in [Syntax::FRONT_MATTER, Syntax::GO, Syntax::SCENARIO] {
                if let Ok(d) = parse(&text, syntax) {
                    prop_assert!(d <= MAX);
                }
            }
        }

        /// Whole seconds round-trip.
        #[test]
        fn whole_seconds_round_trip(n in 0u64..=MAX.as_secs()) {
            prop_assert_eq!(fm(&format!("{n}s")), Ok(Duration::from_secs(n)));
            prop_assert_eq!(fm(&n.to_string()), Ok(Duration::from_secs(n)));
        }
    }
}
