//! When to try a message again: the delivery policy, without any clock or network.
//!
//! - A success (2xx) is final.
//! - `429 Too Many Requests`, `408 Request Timeout`, every 5xx, a timeout and a
//!   connection failure are retryable; any other 4xx (and any other status) is final.
//! - A retryable answer with `Retry-After` (seconds or an HTTP-date) waits that long;
//!   without it the wait is an exponential back-off with jitter, bounded by a ceiling.
//! - After `max_attempts` tries the message has failed; it stays queued for a manual retry.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

/// How many times to try and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, including the first (at least 1).
    pub max_attempts: u32,
    /// The first back-off step when the sink gave no `Retry-After`.
    pub base: Duration,
    /// No back-off step is longer than this.
    pub ceiling: Duration,
    /// A `Retry-After` longer than this is shortened to it (a sink asking for an hour
    /// would otherwise hold a message hostage).
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(500),
            ceiling: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(120),
        }
    }
}

/// What one attempt came to, as far as retrying is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptClass {
    /// The sink accepted the message.
    Delivered,
    /// Worth another try; `retry_after` is what the sink asked for, if anything.
    Retryable { retry_after: Option<Duration> },
    /// Trying again would get the same answer (a 4xx other than 408/429).
    Final,
}

/// Classifies an HTTP status (with the wait the sink asked for, already parsed).
pub fn classify_status(status: u16, retry_after: Option<Duration>) -> AttemptClass {
    match status {
        200..=299 => AttemptClass::Delivered,
        408 | 429 | 500..=599 => AttemptClass::Retryable { retry_after },
        _ => AttemptClass::Final,
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryIn(Duration),
    GiveUp,
}

impl RetryPolicy {
    /// After attempt number `attempt` (1-based) failed as `class`: wait how long, or give
    /// up. `jitter` is a random fraction in `[0, 1)` chosen by the caller; the back-off
    /// step is `base·2^(attempt-1)` capped at the ceiling, and the wait is drawn from
    /// its upper half (`[step/2, step)`), so waits grow but never synchronise.
    pub fn after_failure(&self, attempt: u32, class: &AttemptClass, jitter: f64) -> Decision {
        let retry_after = match class {
            AttemptClass::Retryable { retry_after } => *retry_after,
            AttemptClass::Delivered | AttemptClass::Final => return Decision::GiveUp,
        };
        if attempt >= self.max_attempts.max(1) {
            return Decision::GiveUp;
        }
        if let Some(wait) = retry_after {
            return Decision::RetryIn(wait.min(self.retry_after_cap));
        }
        Decision::RetryIn(self.backoff(attempt, jitter))
    }

    /// The jittered back-off after attempt `attempt` (1-based), without `Retry-After`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let step = self
            .base
            .saturating_mul(1u32 << exp)
            .min(self.ceiling)
            .max(Duration::from_millis(1));
        let jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        step.div_f64(2.0).mul_f64(1.0 + jitter).min(step)
    }
}

/// Parses a `Retry-After` value: delay-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, also the obsolete RFC 850 and asctime forms),
/// relative to `now`. A date in the past means "now" (zero). Anything else is `None`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = http_date(value)?;
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

fn http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc2822(value) {
        return Some(t.with_timezone(&Utc));
    }
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT; asctime: Sun Nov  6 08:49:37 1994
    let formats = ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"];
    formats.iter().find_map(|f| {
        NaiveDateTime::parse_from_str(value, f)
            .ok()
            .map(|t| t.and_utc())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(100),
            ceiling: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(60),
        }
    }

    fn retryable() -> AttemptClass {
        AttemptClass::Retryable { retry_after: None }
    }

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify_status(200, None), AttemptClass::Delivered);
        assert_eq!(classify_status(202, None), AttemptClass::Delivered);
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(classify_status(s, None), retryable(), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 422, 301] {
            assert_eq!(classify_status(s, None), AttemptClass::Final, "{s}");
        }
        let wait = Some(Duration::from_secs(3));
        assert_eq!(
            classify_status(429, wait),
            AttemptClass::Retryable { retry_after: wait }
        );
    }

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_ceiling() {
        let p = policy();
        for (attempt, step) in [(1, 100), (2, 200), (3, 350), (9, 350), (40, 350)] {
            let step = Duration::from_millis(step);
            let low = p.backoff(attempt, 0.0);
            let high = p.backoff(attempt, 0.999_999);
            assert_eq!(low, step / 2, "attempt {attempt}");
            assert!(high <= step && high > step * 99 / 100, "attempt {attempt}");
        }
        // nonsense jitter is clamped, never a panic or a huge wait
        assert_eq!(p.backoff(1, f64::NAN), Duration::from_millis(50));
        assert_eq!(p.backoff(1, 7.0), Duration::from_millis(100));
        assert_eq!(p.backoff(1, -1.0), Duration::from_millis(50));
    }

    #[test]
    fn retry_after_wins_over_backoff_but_is_capped() {
        let p = policy();
        let asked = |s| AttemptClass::Retryable {
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(
            p.after_failure(1, &asked(7), 0.5),
            Decision::RetryIn(Duration::from_secs(7))
        );
        assert_eq!(
            p.after_failure(1, &asked(3600), 0.5),
            Decision::RetryIn(Duration::from_secs(60))
        );
    }

    #[test]
    fn gives_up_on_final_answers_and_after_max_attempts() {
        let p = policy();
        assert_eq!(
            p.after_failure(1, &AttemptClass::Final, 0.0),
            Decision::GiveUp
        );
        assert!(matches!(
            p.after_failure(3, &retryable(), 0.0),
            Decision::RetryIn(_)
        ));
        assert_eq!(p.after_failure(4, &retryable(), 0.0), Decision::GiveUp);
        let once = RetryPolicy {
            max_attempts: 0,
            ..policy()
        };
        assert_eq!(once.after_failure(1, &retryable(), 0.0), Decision::GiveUp);
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:27:30 2015", now),
            Some(Duration::from_secs(30))
        );
        // a date already past: retry now
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "soon", "-5", "1.5", "Wed, 99 Oct 2015 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }
}
