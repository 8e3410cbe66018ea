//! The PromQL probe: reads every metric a condition names from a [`MetricsSource`] and
//! judges the condition over those readings.

use chrono::{DateTime, Utc};
use futures::future::join_all;

use crate::adapters::metrics_source::MetricsSource;
use crate::domain::decision::{DEFAULT_STALENESS, Signals};
use crate::domain::verify::{Observation, PromqlProbe, judge_promql};

/// Reads the condition's metrics at `now` and judges it. A metric the source does not
/// serve, or a stale or missing reading, makes the sample unknown (never passing).
pub async fn probe_promql(
    source: &dyn MetricsSource,
    probe: &PromqlProbe,
    now: DateTime<Utc>,
) -> Observation {
    let served = source.names();
    let names: Vec<String> = probe.condition.metric_names().into_iter().collect();
    if let Some(missing) = names.iter().find(|n| !served.contains(n)) {
        return Observation::Unknown {
            reason: format!("{missing}: not served by the metrics source"),
        };
    }
    let readings = join_all(names.iter().map(|n| source.value_at(n, now))).await;
    let mut signals = Signals::new(DEFAULT_STALENESS);
    for (name, reading) in names.into_iter().zip(readings) {
        signals.set_reading(name, reading);
    }
    judge_promql(probe, &signals, now)
}
