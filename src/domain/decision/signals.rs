//! A pure snapshot of what is known about each named metric at one moment: its latest
//! sample (or why there is none), and its baseline.
//!
//! The console builds one from the metrics source and hands it to the evaluator with
//! `now`; nothing here reads a clock.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::duration_text::compact;

/// How old a sample may be before it no longer counts, unless configured otherwise:
/// a few scrape and refresh intervals.
pub const DEFAULT_STALENESS: Duration = Duration::from_secs(60);

/// One value of a metric, at the time it describes (the query's evaluation time, not
/// the time it was received).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub value: f64,
    pub at: DateTime<Utc>,
}

/// Why a metric has no current sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Absence {
    /// The query ran and returned no series (e.g. no traffic matched the selector).
    NoData,
    /// The query failed; the adapter's one-line error.
    Failed(String),
    /// The query returned several series where one number was expected.
    Ambiguous(usize),
}

/// The latest reading of a metric: a sample, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    Sample(Sample),
    Absent(Absence),
}

/// Where a baseline value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaselineSource {
    /// The metric's value when the session started (or when the operator re-captured it).
    SessionStart,
    /// Read from Prometheus with `offset`, e.g. the same query one day earlier.
    PromOffset {
        #[serde(rename = "offset_secs", serialize_with = "secs")]
        offset: Duration,
    },
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

/// A metric's "normal" value, which conditions reach with `baseline(name)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Baseline {
    pub value: f64,
    pub captured_at: DateTime<Utc>,
    pub source: BaselineSource,
}

/// Why a metric's value cannot be used right now. Never silently true or false.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unavailable {
    /// No reading at all: the metric was never queried, or is not defined.
    Missing,
    /// The query ran but gave no usable number.
    Absent { absence: Absence },
    /// The latest sample is older than the staleness bound.
    Stale {
        at: DateTime<Utc>,
        #[serde(rename = "age_secs", serialize_with = "secs")]
        age: Duration,
    },
    /// The sample is NaN (Prometheus' answer to 0/0, e.g. an error ratio with no traffic).
    NaN,
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unavailable::Missing => f.write_str("no data yet"),
            Unavailable::Absent {
                absence: Absence::NoData,
            } => f.write_str("query returned no series"),
            Unavailable::Absent {
                absence: Absence::Failed(e),
            } => write!(f, "query failed: {e}"),
            Unavailable::Absent {
                absence: Absence::Ambiguous(n),
            } => write!(f, "query returned {n} series, expected one"),
            Unavailable::Stale { age, .. } => write!(f, "stale ({} old)", compact(age.as_secs())),
            Unavailable::NaN => f.write_str("NaN"),
        }
    }
}

/// Everything the evaluator may know: readings and baselines by metric name, and the
/// staleness bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signals {
    readings: BTreeMap<String, Reading>,
    baselines: BTreeMap<String, Baseline>,
    #[serde(rename = "staleness_secs", serialize_with = "secs")]
    staleness: Duration,
}

impl Default for Signals {
    fn default() -> Self {
        Signals::new(DEFAULT_STALENESS)
    }
}

impl Signals {
    /// An empty snapshot in which samples older than `staleness` are stale.
    pub fn new(staleness: Duration) -> Self {
        Signals {
            readings: BTreeMap::new(),
            baselines: BTreeMap::new(),
            staleness,
        }
    }

    /// The staleness bound.
    pub fn staleness(&self) -> Duration {
        self.staleness
    }

    /// Records the latest sample of a metric, replacing any earlier reading.
    pub fn set_sample(&mut self, metric: impl Into<String>, value: f64, at: DateTime<Utc>) {
        self.readings
            .insert(metric.into(), Reading::Sample(Sample { value, at }));
    }

    /// Records why a metric has no sample, replacing any earlier reading.
    ///
    /// A failed refresh should normally *not* erase a still-fresh sample; the caller
    /// decides (the previous sample goes stale on its own).
    pub fn set_absent(&mut self, metric: impl Into<String>, absence: Absence) {
        self.readings
            .insert(metric.into(), Reading::Absent(absence));
    }

    /// Records a reading as a metrics source returned it.
    pub fn set_reading(&mut self, metric: impl Into<String>, reading: Reading) {
        self.readings.insert(metric.into(), reading);
    }

    /// Records a metric's baseline, replacing any earlier one.
    pub fn set_baseline(&mut self, metric: impl Into<String>, baseline: Baseline) {
        self.baselines.insert(metric.into(), baseline);
    }

    /// Builder form of [`set_sample`](Self::set_sample).
    pub fn with_sample(mut self, metric: &str, value: f64, at: DateTime<Utc>) -> Self {
        self.set_sample(metric, value, at);
        self
    }

    /// Builder form of [`set_baseline`](Self::set_baseline).
    pub fn with_baseline(mut self, metric: &str, baseline: Baseline) -> Self {
        self.set_baseline(metric, baseline);
        self
    }

    /// Captures every metric's current usable value as its baseline
    /// ([`BaselineSource::SessionStart`]): at session start, and again when the operator
    /// asks. Metrics without a usable value keep their previous baseline (if any) and are
    /// returned with the reason, so the console can say which could not be captured.
    pub fn capture_baselines(&mut self, now: DateTime<Utc>) -> Vec<(String, Unavailable)> {
        let mut skipped = Vec::new();
        let names: Vec<String> = self.readings.keys().cloned().collect();
        for name in names {
            match self.value(&name, now) {
                Ok(value) => {
                    self.baselines.insert(
                        name,
                        Baseline {
                            value,
                            captured_at: now,
                            source: BaselineSource::SessionStart,
                        },
                    );
                }
                Err(why) => skipped.push((name, why)),
            }
        }
        skipped
    }

    /// The raw reading of a metric, if any.
    pub fn reading(&self, metric: &str) -> Option<&Reading> {
        self.readings.get(metric)
    }

    /// Every reading, by metric name.
    pub fn readings(&self) -> &BTreeMap<String, Reading> {
        &self.readings
    }

    /// A metric's baseline, if captured.
    pub fn baseline(&self, metric: &str) -> Option<&Baseline> {
        self.baselines.get(metric)
    }

    /// Every baseline, by metric name.
    pub fn baselines(&self) -> &BTreeMap<String, Baseline> {
        &self.baselines
    }

    /// Whether a sample taken at `at` is stale at `now`. A sample from the future
    /// (clock skew between here and Prometheus) counts as fresh.
    pub fn is_stale(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        (now - at).to_std().is_ok_and(|age| age > self.staleness)
    }

    /// The usable value of a metric at `now`, or why there is none. `±Inf` is usable
    /// (a quantile above the highest bucket is reported as `+Inf`); NaN is not.
    pub fn value(&self, metric: &str, now: DateTime<Utc>) -> Result<f64, Unavailable> {
        match self.readings.get(metric) {
            None => Err(Unavailable::Missing),
            Some(Reading::Absent(absence)) => Err(Unavailable::Absent {
                absence: absence.clone(),
            }),
            Some(Reading::Sample(s)) if self.is_stale(s.at, now) => Err(Unavailable::Stale {
                at: s.at,
                age: (now - s.at).to_std().unwrap_or_default(),
            }),
            Some(Reading::Sample(s)) if s.value.is_nan() => Err(Unavailable::NaN),
            Some(Reading::Sample(s)) => Ok(s.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn value_explains_every_kind_of_unavailability() {
        let mut s = Signals::new(Duration::from_secs(30))
            .with_sample("fresh", 0.5, t(0))
            .with_sample("edge", 1.0, t(-30))
            .with_sample("old", 0.5, t(-31))
            .with_sample("nan", f64::NAN, t(0))
            .with_sample("inf", f64::INFINITY, t(0))
            .with_sample("future", 2.0, t(5));
        s.set_absent("empty", Absence::NoData);
        s.set_absent("broken", Absence::Failed("HTTP 503".into()));
        let now = t(0);
        assert_eq!(s.value("fresh", now), Ok(0.5));
        assert_eq!(
            s.value("edge", now),
            Ok(1.0),
            "exactly at the bound is still fresh"
        );
        assert_eq!(
            s.value("old", now),
            Err(Unavailable::Stale {
                at: t(-31),
                age: Duration::from_secs(31)
            })
        );
        assert_eq!(s.value("nan", now), Err(Unavailable::NaN));
        assert_eq!(s.value("inf", now), Ok(f64::INFINITY));
        assert_eq!(s.value("future", now), Ok(2.0));
        assert_eq!(s.value("nope", now), Err(Unavailable::Missing));
        assert_eq!(
            s.value("empty", now).unwrap_err().to_string(),
            "query returned no series"
        );
        assert_eq!(
            s.value("broken", now).unwrap_err().to_string(),
            "query failed: HTTP 503"
        );
        assert_eq!(
            s.value("old", now).unwrap_err().to_string(),
            "stale (31s old)"
        );
    }

    #[test]
    fn baselines_are_captured_from_usable_values_only() {
        let earlier = Baseline {
            value: 0.2,
            captured_at: t(-600),
            source: BaselineSource::PromOffset {
                offset: Duration::from_secs(86_400),
            },
        };
        let mut s = Signals::new(Duration::from_secs(30))
            .with_sample("latency", 0.3, t(0))
            .with_sample("errors", f64::NAN, t(0))
            .with_sample("old", 1.0, t(-100))
            .with_baseline("errors", earlier);
        let skipped: Vec<String> = s
            .capture_baselines(t(0))
            .into_iter()
            .map(|(name, why)| format!("{name}: {why}"))
            .collect();
        assert_eq!(skipped, ["errors: NaN", "old: stale (1m40s old)"]);
        assert_eq!(
            s.baseline("latency"),
            Some(&Baseline {
                value: 0.3,
                captured_at: t(0),
                source: BaselineSource::SessionStart
            })
        );
        assert_eq!(s.baseline("errors"), Some(&earlier), "kept, not erased");
        assert_eq!(s.baseline("old"), None);
    }
}
