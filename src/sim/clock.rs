//! Speed-scaled simulated time.
//!
//! Every delay in the simulator (pod start-up, crash back-off, progress deadlines, the
//! scenario timeline) is expressed in *simulated* seconds. The clock maps real elapsed
//! time to simulated time by a constant factor (`--speed`), so a ten-minute scenario at
//! speed 10 lasts one real minute while every timestamp the API shows stays consistent.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

/// A monotonic clock running `speed` times faster than real time.
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
        Self::with_horizon(speed, 0.0)
    }

    /// A clock that stays at or behind the wall clock for `horizon_secs` simulated
    /// seconds: above speed 1 simulated time runs ahead of real time, so it starts in the
    /// past by `horizon × (1 − 1/speed)` and meets the wall clock when the horizon is
    /// reached. Ages clients compute from timestamps (`kubectl describe`, the console)
    /// then never come out negative during a drill.
    pub fn with_horizon(speed: f64, horizon_secs: f64) -> Self {
        let speed = if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        };
        let lead = if speed > 1.0 && horizon_secs.is_finite() && horizon_secs > 0.0 {
            horizon_secs * (1.0 - 1.0 / speed)
        } else {
            0.0
        };
        Self {
            started: Instant::now(),
            started_wall: Utc::now() - chrono::Duration::milliseconds((lead * 1000.0) as i64),
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

    /// The current simulated wall-clock time.
    pub fn now(&self) -> DateTime<Utc> {
        let ms = ((self.elapsed_secs() * 1000.0) as i64)
            .saturating_sub(self.rewind_ms.load(Ordering::Relaxed));
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

    /// The current simulated time as Kubernetes renders timestamps (RFC 3339, seconds, `Z`).
    pub fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The current simulated time with microseconds (Kubernetes `MicroTime`).
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

    /// Simulated seconds from a Kubernetes timestamp to now, negative when it is in the
    /// future; `None` when unparsable.
    pub fn signed_secs_since(&self, timestamp: &str) -> Option<f64> {
        let t = DateTime::parse_from_rfc3339(timestamp).ok()?;
        let d = self.now().signed_duration_since(t.with_timezone(&Utc));
        Some(d.num_milliseconds() as f64 / 1000.0)
    }

    /// Simulated seconds elapsed between a Kubernetes timestamp and now (0 when unparsable
    /// or in the future).
    pub fn secs_since(&self, timestamp: &str) -> f64 {
        match DateTime::parse_from_rfc3339(timestamp) {
            Ok(t) => {
                let d = self.now().signed_duration_since(t.with_timezone(&Utc));
                (d.num_milliseconds() as f64 / 1000.0).max(0.0)
            }
            Err(_) => 0.0,
        }
    }
}

/// Renders a duration the way `kubectl` shows ages (`HumanDuration` in apimachinery).
pub fn human_duration(secs: f64) -> String {
    let secs = secs.max(0.0) as i64;
    if secs < 0 {
        return "<invalid>".into();
    }
    if secs < 60 * 2 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{h}h", hours / 24);
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{dy}d", hours / 24 / 365);
    }
    format!("{}y", hours / 24 / 365)
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
        assert_eq!(fast.now(), DateTime::<Utc>::MAX_UTC);
        let slow = SimClock::new(1e-300);
        assert_eq!(
            slow.real_duration(1.0),
            Duration::from_secs(100 * 365 * 86_400)
        );
        assert_eq!(slow.real_duration(f64::NAN), Duration::ZERO);
        assert_eq!(SimClock::new(-3.0).speed(), 1.0);
        let behind = SimClock::with_horizon(10.0, 1000.0);
        let lag = Utc::now().signed_duration_since(behind.now()).num_seconds();
        assert!((899..=901).contains(&lag), "{lag}");
        let exact = SimClock::with_horizon(1.0, 1000.0);
        assert!(Utc::now().signed_duration_since(exact.now()).num_seconds() <= 1);
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
