//! The interface the console reads metrics through, whoever serves them: Prometheus
//! ([`crate::adapters::prometheus::PrometheusSource`]) or, in drills without a
//! Prometheus, the simulated application's model.
//!
//! Object-safe (boxed futures) so the console can hold a `Box<dyn MetricsSource>` and not
//! care which one it has. Failures are data, not errors: every named query yields a
//! [`Reading`], which is a sample or the reason there is none, so one broken query
//! never hides the others.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::{BoxFuture, join_all};

use crate::domain::decision::{Absence, Baseline, BaselineSource, Reading, Sample};

/// The time range and resolution of a chart's series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub step: Duration,
}

impl Window {
    /// The last `span` before `end`, with one point per chart column (`points`, at
    /// least 1), the step rounded up to whole seconds so successive refreshes line up.
    pub fn sized_to(end: DateTime<Utc>, span: Duration, points: u16) -> Window {
        let per_point = span.as_secs_f64() / f64::from(points.max(1));
        let step = Duration::from_secs((per_point.ceil() as u64).max(1));
        let start = chrono::Duration::from_std(span)
            .ok()
            .and_then(|d| end.checked_sub_signed(d))
            .unwrap_or(end);
        Window { start, end, step }
    }
}

/// A source of named metrics.
pub trait MetricsSource: Send + Sync {
    /// The metric names it serves (the keys of `metrics.queries`).
    fn names(&self) -> Vec<String>;

    /// The value of one metric at `at`.
    fn value_at<'a>(&'a self, name: &'a str, at: DateTime<Utc>) -> BoxFuture<'a, Reading>;

    /// One metric's samples over a window, for a chart.
    fn series<'a>(
        &'a self,
        name: &'a str,
        window: Window,
    ) -> BoxFuture<'a, Result<Vec<Sample>, Absence>>;

    /// Every metric's value at `at`, queried concurrently.
    fn current(&self, at: DateTime<Utc>) -> BoxFuture<'_, BTreeMap<String, Reading>> {
        Box::pin(async move {
            let names = self.names();
            let readings = join_all(names.iter().map(|n| self.value_at(n, at))).await;
            names.into_iter().zip(readings).collect()
        })
    }

    /// A metric's baseline read `offset` into the past (e.g. the same time yesterday).
    fn baseline_at_offset<'a>(
        &'a self,
        name: &'a str,
        now: DateTime<Utc>,
        offset: Duration,
    ) -> BoxFuture<'a, Result<Baseline, Absence>> {
        Box::pin(async move {
            let then = chrono::Duration::from_std(offset)
                .ok()
                .and_then(|d| now.checked_sub_signed(d))
                .ok_or_else(|| Absence::Failed(format!("offset {offset:?} is out of range")))?;
            match self.value_at(name, then).await {
                Reading::Sample(s) => Ok(Baseline {
                    value: s.value,
                    captured_at: now,
                    source: BaselineSource::PromOffset { offset },
                }),
                Reading::Absent(a) => Err(a),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn windows_fit_the_chart() {
        let end = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let w = Window::sized_to(end, Duration::from_secs(600), 80);
        assert_eq!(w.step, Duration::from_secs(8));
        assert_eq!(end - w.start, chrono::Duration::seconds(600));
        assert_eq!(
            Window::sized_to(end, Duration::from_secs(10), 200).step,
            Duration::from_secs(1)
        );
        assert_eq!(
            Window::sized_to(end, Duration::from_secs(60), 0).step,
            Duration::from_secs(60)
        );
    }
}
