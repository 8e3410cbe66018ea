//! Speed-scaled simulated time on the wall clock's time base.
//!
//! Every delay in the simulator (pod start-up, crash back-off, progress deadlines, the
//! scenario timeline) is expressed in *simulated* seconds, which last `1/speed` real
//! seconds (`--speed`): a ten-minute scenario at speed 10 lasts one real minute.
//!
//! Every timestamp the API serves is a *wall-clock* time: the moment the change happened
//! on the machine's clock (a scenario's past set back by the real duration it states).
//! Clients compare timestamps with their own wall clock (`kubectl describe`, the
//! console's AGE column) while `kubectl get` reads ages the server computes; both use the
//! same base, so they agree, are never negative, and a scenario's "two hours ago" reads as
//! two hours. What runs faster at speed X is only what happens between timestamps: a
//! back-off of 10 simulated seconds is 0.5 s apart on the wall clock at speed 20.
//! Controllers measure how much *simulated* time passed since a timestamp with
//! [`SimClock::secs_since`] (the wall-clock difference × speed); tables show ages with
//! [`SimClock::age_secs`] (the wall-clock difference).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

/// A monotonic clock whose simulated seconds run `speed` times faster than real time,
/// stamping every change with the wall-clock time it happened at.
#[derive(Debug, Clone)]
pub struct SimClock {
    started: Instant,
    started_wall: DateTime<Utc>,
    speed: f64,
    /// Milliseconds `now()` is set back by while a scenario sets up its past (shared by
    /// every clone).
    rewind_ms: Arc<AtomicI64>,
}

impl SimClock {
    /// A clock starting now. Speeds that are not finite or not positive fall back to 1.
    pub fn new(speed: f64) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        Self {
            started: Instant::now(),
            started_wall: Utc::now(),
            speed,
            rewind_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The time-compression factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated seconds since the simulator started.
    pub fn elapsed_secs(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * self.speed
    }

    /// The wall-clock time now (set back while a scenario sets up its past): what every
    /// timestamp the API serves is made of.
    pub fn now(&self) -> DateTime<Utc> {
        let real_ms = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let ms = real_ms.saturating_sub(self.rewind_ms.load(Ordering::Relaxed));
        chrono::Duration::try_milliseconds(ms)
            .and_then(|d| self.started_wall.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Sets `now()` back by `secs` (0 to undo): a scenario writes the revisions it
    /// states happened in the past at their times. Only set-up, before the controllers
    /// run, uses it.
    pub fn set_rewind_secs(&self, secs: f64) {
        let ms = if secs.is_finite() && secs > 0.0 {
            (secs * 1000.0) as i64
        } else {
            0
        };
        self.rewind_ms.store(ms, Ordering::Relaxed);
    }

    /// [`SimClock::now`] as Kubernetes renders timestamps (RFC 3339, seconds, `Z`).
    pub fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// [`SimClock::now`] with microseconds (Kubernetes `MicroTime`).
    pub fn now_micro(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// The real duration that corresponds to `sim_secs` simulated seconds.
    /// Never panics: a duration too long to represent (a tiny speed) becomes a century.
    pub fn real_duration(&self, sim_secs: f64) -> Duration {
        const CENTURY: Duration = Duration::from_secs(100 * 365 * 86_400);
        Duration::try_from_secs_f64(sim_secs.max(0.0) / self.speed)
            .map_or(CENTURY, |d| d.min(CENTURY))
    }

    /// Real seconds from a Kubernetes timestamp to now, negative when it is in the
    /// future; `None` when unparsable.
    fn signed_wall_secs_since(&self, timestamp: &str) -> Option<f64> {
        let t = DateTime::parse_from_rfc3339(timestamp).ok()?;
        let d = self.now().signed_duration_since(t.with_timezone(&Utc));
        Some(d.num_milliseconds() as f64 / 1000.0)
    }

    /// Simulated seconds from a Kubernetes timestamp to now (the wall-clock difference ×
    /// speed), negative when it is in the future; `None` when unparsable.
    pub fn signed_secs_since(&self, timestamp: &str) -> Option<f64> {
        self.signed_wall_secs_since(timestamp)
            .map(|secs| secs * self.speed)
    }

    /// Simulated seconds elapsed between a Kubernetes timestamp and now (0 when
    /// unparsable or in the future): how long the controllers' delays have run.
    pub fn secs_since(&self, timestamp: &str) -> f64 {
        self.signed_secs_since(timestamp).unwrap_or(0.0).max(0.0)
    }

    /// The age of a Kubernetes timestamp as a client computes it from its wall clock, in
    /// real seconds (0 when unparsable or in the future): what tables show.
    pub fn age_secs(&self, timestamp: &str) -> f64 {
        self.signed_wall_secs_since(timestamp)
            .unwrap_or(0.0)
            .max(0.0)
    }
}

/// Renders a duration the way `kubectl` shows ages (`HumanDuration` in apimachinery, the
/// printers' [`crate::domain::cluster::printers::human_duration`]) of a negative or
/// fractional number of seconds, as a whole number not below zero.
pub fn human_duration(secs: f64) -> String {
    crate::domain::cluster::printers::human_duration(secs.max(0.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_durations_match_apimachinery() {
        assert_eq!(human_duration(5.0), "5s");
        assert_eq!(human_duration(119.0), "119s");
        assert_eq!(human_duration(125.0), "2m5s");
        assert_eq!(human_duration(600.0), "10m");
        assert_eq!(human_duration(3.0 * 3600.0 + 60.0), "3h1m");
        assert_eq!(human_duration(50.0 * 3600.0), "2d2h");
    }

    #[test]
    fn speed_scales_real_durations() {
        let c = SimClock::new(10.0);
        assert_eq!(c.real_duration(10.0), Duration::from_secs(1));
    }

    /// Issue 15: `--speed 1e308` overflowed `now()`, `--speed 1e-300` `real_duration`.
    #[test]
    fn extreme_speeds_never_panic() {
        let fast = SimClock::new(1e308);
        std::thread::sleep(Duration::from_millis(2));
        assert!(Utc::now().signed_duration_since(fast.now()).num_seconds() <= 1);
        let slow = SimClock::new(1e-300);
        assert_eq!(
            slow.real_duration(1.0),
            Duration::from_secs(100 * 365 * 86_400)
        );
        assert_eq!(slow.real_duration(f64::NAN), Duration::ZERO);
        assert_eq!(SimClock::new(-3.0).speed(), 1.0);
    }

    /// Issue 16 gap 9: at any speed timestamps are wall-clock times (never ahead of the
    /// clock clients compare them with, never behind it), while the simulated seconds
    /// since a timestamp run `speed` times faster.
    #[test]
    fn timestamps_are_wall_clock_times_and_delays_scale_with_speed() {
        for speed in [0.5, 1.0, 20.0, 1000.0] {
            let c = SimClock::new(speed);
            let stamp = c.now_micro();
            std::thread::sleep(Duration::from_millis(200));
            let lag = Utc::now().signed_duration_since(c.now()).num_milliseconds();
            assert!((0..=1000).contains(&lag), "speed {speed}: {lag} ms");
            let age = c.age_secs(&stamp);
            assert!((0.2..2.0).contains(&age), "speed {speed}: age {age}");
            let sim = c.secs_since(&stamp);
            assert!(
                (sim / speed - age).abs() < 1e-6 * speed.max(1.0),
                "speed {speed}: {sim} simulated s for {age} real s"
            );
        }
        let c = SimClock::new(20.0);
        let future =
            (c.now() + chrono::Duration::seconds(30)).to_rfc3339_opts(SecondsFormat::Secs, true);
        assert_eq!(c.age_secs(&future), 0.0);
        assert_eq!(c.secs_since(&future), 0.0);
        assert!(c.signed_secs_since(&future).is_some_and(|s| s < -500.0));
        assert_eq!(c.age_secs("not a time"), 0.0);
    }

    #[test]
    fn rewinding_sets_every_clone_back_until_undone() {
        let c = SimClock::new(1.0);
        let clone = c.clone();
        c.set_rewind_secs(7200.0);
        let lag = Utc::now().signed_duration_since(clone.now()).num_seconds();
        assert!((7199..=7201).contains(&lag), "{lag}");
        c.set_rewind_secs(0.0);
        assert!(Utc::now().signed_duration_since(clone.now()).num_seconds() <= 1);
    }
}
