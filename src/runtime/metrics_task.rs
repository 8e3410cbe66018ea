//! The metrics task: every `MetricsFeed::every`, each named query's current value
//! (concurrently) and its sparkline, as one `Msg::Metrics` with a growing generation
//! number; offset baselines at the first refresh and when asked.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::adapters::metrics_source::{MetricsSource, Window};
use crate::ui::effect::MetricsEffect;
use crate::ui::msg::Msg;
use crate::ui::state::metrics::{MetricReading, MetricsUpdate};

/// Where the metrics task reads from, and how often.
pub struct MetricsFeed {
    pub source: Arc<dyn MetricsSource>,
    /// Time between refreshes.
    pub every: Duration,
    /// How far back each sparkline reaches.
    pub span: Duration,
    /// Points per sparkline (one range query per metric per refresh, at this resolution).
    pub points: u16,
    /// `metrics.baseline_offset`: read baselines this far back, at the first refresh and
    /// whenever the operator re-captures them.
    pub baseline_offset: Option<Duration>,
}

impl MetricsFeed {
    /// A refresh every 5 s, sparklines of the last 10 minutes at 10 s resolution.
    pub fn new(source: Arc<dyn MetricsSource>) -> MetricsFeed {
        MetricsFeed {
            source,
            every: Duration::from_secs(5),
            span: Duration::from_secs(600),
            points: 60,
            baseline_offset: None,
        }
    }

    /// For a drill's simulated metrics (computed in-process, nothing to spare): a refresh
    /// every 2 s so the matrix follows a compressed scenario closely.
    pub fn drill(source: Arc<dyn MetricsSource>) -> MetricsFeed {
        MetricsFeed {
            every: Duration::from_secs(2),
            ..MetricsFeed::new(source)
        }
    }
}

/// Refreshes every named query each `feed.every`, one refresh at a time: the current
/// values (queried concurrently) and one range query per metric for its sparkline.
/// Each refresh carries a growing generation number so a late one cannot overwrite a
/// newer one.
/// The metrics family's effects: `ReadBaselines` asks the task for offset baselines at
/// its next refresh (through `baseline_request`, the flag [`spawn_metrics`] reads).
pub fn execute(baseline_request: &AtomicBool, effect: MetricsEffect) {
    match effect {
        MetricsEffect::ReadBaselines => baseline_request.store(true, Ordering::SeqCst),
    }
}

pub fn spawn_metrics(
    tx: mpsc::Sender<Msg>,
    feed: MetricsFeed,
    baseline_request: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(feed.every);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut generation = 0u64;
        loop {
            every.tick().await;
            generation += 1;
            let at = Utc::now();
            let source = feed.source.as_ref();
            let window = Window::sized_to(at, feed.span, feed.points);
            let names = source.names();
            let (current, series) = futures::join!(
                source.current(at),
                futures::future::join_all(names.iter().map(|n| source.series(n, window)))
            );
            let mut series: BTreeMap<String, Vec<f64>> = names
                .into_iter()
                .zip(series)
                .map(|(n, s)| {
                    let values = match s {
                        Ok(samples) => samples.iter().map(|x| x.value).collect(),
                        Err(why) => {
                            tracing::debug!(metric = %n, ?why, "no series for the sparkline");
                            Vec::new()
                        }
                    };
                    (n, values)
                })
                .collect();
            let readings = current
                .into_iter()
                .map(|(name, reading)| {
                    let series = series.remove(&name).unwrap_or_default();
                    (name, MetricReading { reading, series })
                })
                .collect();
            let baselines = match feed.baseline_offset {
                Some(offset) if baseline_request.swap(false, Ordering::SeqCst) => {
                    Some(read_offset_baselines(source, at, offset).await)
                }
                _ => None,
            };
            let update = MetricsUpdate {
                generation,
                at,
                readings,
                baselines,
            };
            if tx.send(Msg::Metrics(update)).await.is_err() {
                break;
            }
        }
    })
}

/// Every metric's baseline read `offset` back (Prometheus `offset`), concurrently.
async fn read_offset_baselines(
    source: &dyn MetricsSource,
    at: chrono::DateTime<Utc>,
    offset: Duration,
) -> BTreeMap<String, Result<f64, crate::domain::decision::Absence>> {
    let names = source.names();
    let read = futures::future::join_all(
        names
            .iter()
            .map(|n| source.baseline_at_offset(n, at, offset)),
    )
    .await;
    names
        .into_iter()
        .zip(read)
        .map(|(n, r)| (n, r.map(|b| b.value)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::metrics_source::Window;
    use crate::domain::decision::{Absence, Reading, Sample};
    use chrono::DateTime;
    use futures::future::BoxFuture;

    /// `up` answers 1.0 with a three-point series; `down` fails.
    struct Fake;

    impl MetricsSource for Fake {
        fn names(&self) -> Vec<String> {
            vec!["down".into(), "up".into()]
        }
        fn value_at<'a>(&'a self, name: &'a str, at: DateTime<Utc>) -> BoxFuture<'a, Reading> {
            Box::pin(async move {
                match name {
                    "up" => Reading::Sample(Sample { value: 1.0, at }),
                    _ => Reading::Absent(Absence::Failed("HTTP 503".into())),
                }
            })
        }
        fn series<'a>(
            &'a self,
            name: &'a str,
            window: Window,
        ) -> BoxFuture<'a, Result<Vec<Sample>, Absence>> {
            Box::pin(async move {
                match name {
                    "up" => Ok((0..3)
                        .map(|i| Sample {
                            value: f64::from(i),
                            at: window.end,
                        })
                        .collect()),
                    _ => Err(Absence::NoData),
                }
            })
        }
    }

    /// With `baseline_offset`, the first refresh carries the baselines read that far back,
    /// later ones only when the console asks again.
    #[tokio::test]
    async fn offset_baselines_come_with_the_first_refresh_and_on_request() {
        let (tx, mut rx) = mpsc::channel::<Msg>(4);
        let mut feed = MetricsFeed::new(Arc::new(Fake));
        feed.every = Duration::from_millis(10);
        feed.baseline_offset = Some(Duration::from_secs(86_400));
        let request = Arc::new(AtomicBool::new(true));
        let task = spawn_metrics(tx, feed, request.clone());
        let mut next = async || match rx.recv().await {
            Some(Msg::Metrics(u)) => u,
            other => panic!("expected a metrics refresh, got {other:?}"),
        };
        let first = next().await;
        let read = first.baselines.expect("read at the first refresh");
        assert_eq!(read["up"], Ok(1.0));
        assert_eq!(read["down"], Err(Absence::Failed("HTTP 503".into())));
        assert_eq!(next().await.baselines, None, "not asked again");
        request.store(true, Ordering::SeqCst);
        // The request may land while a refresh is already under way: wait for the one
        // that carries it.
        let mut got = None;
        for _ in 0..3 {
            if let Some(b) = next().await.baselines {
                got = Some(b);
                break;
            }
        }
        assert!(got.is_some(), "re-read after the request");
        task.abort();
    }

    #[tokio::test]
    async fn the_metrics_task_sends_numbered_refreshes_until_the_console_is_gone() {
        let (tx, mut rx) = mpsc::channel::<Msg>(4);
        let mut feed = MetricsFeed::new(Arc::new(Fake));
        feed.every = Duration::from_millis(10);
        let task = spawn_metrics(tx, feed, Arc::new(AtomicBool::new(true)));
        let mut generations = Vec::new();
        for _ in 0..2 {
            let Some(Msg::Metrics(u)) = rx.recv().await else {
                panic!("expected a metrics refresh")
            };
            generations.push(u.generation);
            let up = &u.readings["up"];
            assert!(matches!(up.reading, Reading::Sample(Sample { value, .. }) if value == 1.0));
            assert_eq!(up.series, [0.0, 1.0, 2.0]);
            let down = &u.readings["down"];
            assert_eq!(
                down.reading,
                Reading::Absent(Absence::Failed("HTTP 503".into()))
            );
            assert!(down.series.is_empty());
            assert_eq!(u.baselines, None, "no offset configured: none read");
        }
        assert_eq!(generations, [1, 2]);
        drop(rx);
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the task ends once nobody listens")
            .expect("no panic");
    }
}
