//! Sampling a check over its monitor window, on a clock that may run faster than real
//! time (drills and tests compress a fifteen-minute window into seconds).

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Prober;
use crate::domain::verify::{Check, Monitor, Outcome, SampleRecord};

/// How many check-time seconds pass per real second (1 in production; a drill's speed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeScale(f64);

impl TimeScale {
    /// Factors that are not finite or not positive fall back to 1.
    pub fn new(factor: f64) -> TimeScale {
        TimeScale(if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        })
    }

    pub fn factor(self) -> f64 {
        self.0
    }

    /// The real duration of `check` check time.
    pub fn real(self, check: Duration) -> Duration {
        Duration::from_secs_f64(check.as_secs_f64() / self.0)
    }

    /// The check time of `real` real time.
    pub fn check(self, real: Duration) -> Duration {
        Duration::from_secs_f64(real.as_secs_f64() * self.0)
    }
}

/// What the operator may do to a running window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// End the window now, with a reason.
    CutShort(String),
    /// Forget the samples so far and start again ("keep watching").
    Restart,
}

/// A sample taken, for the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub sample: SampleRecord,
    /// Check time left in the window.
    pub time_left: Option<Duration>,
    pub passed: u32,
    pub expected: u32,
}

/// Samples `check` until its window ends, the operator cuts it short, or `control` is
/// closed (`None`: abandoned). `progress` is called after every sample.
pub async fn run_window(
    prober: &Prober,
    check: &Check,
    scale: TimeScale,
    control: &mut mpsc::Receiver<Control>,
    mut progress: impl FnMut(Progress),
) -> Option<Outcome> {
    let mut monitor = Monitor::new(check);
    monitor.start();
    let mut started = Instant::now();
    loop {
        let due = monitor.next_due()?;
        let at = started + scale.real(due);
        tokio::select! {
            () = tokio::time::sleep_until(at) => {
                let observation = prober.observe(check).await;
                let elapsed = scale.check(started.elapsed()).max(due);
                let outcome = monitor.record(elapsed, observation);
                if let Some(sample) = monitor.last() {
                    progress(Progress {
                        sample: sample.clone(),
                        time_left: monitor.time_left(elapsed),
                        passed: monitor.samples_passed(),
                        expected: monitor.expected_samples(),
                    });
                }
                if outcome.is_some() {
                    return outcome;
                }
            }
            c = control.recv() => match c {
                Some(Control::CutShort(reason)) => {
                    let elapsed = scale.check(started.elapsed());
                    return monitor.cut_short(elapsed, &reason);
                }
                Some(Control::Restart) => {
                    monitor.start();
                    started = Instant::now();
                }
                None => return None,
            },
        }
    }
}
