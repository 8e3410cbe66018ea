//! Named runbook queries served from Prometheus as a [`MetricsSource`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

use super::client::PrometheusClient;
use super::response::{QueryData, QueryResult};
use crate::adapters::metrics_source::{MetricsSource, Window};
use crate::domain::decision::{Absence, Reading, Sample};

/// The runbook's `metrics.queries` evaluated by one Prometheus.
///
/// A query must yield one number: a one-series vector or a scalar. No series is
/// [`Absence::NoData`], several are [`Absence::Ambiguous`] (aggregate with `sum`/`max`
/// in the query). Warnings and infos Prometheus attaches are logged.
#[derive(Debug, Clone)]
pub struct PrometheusSource {
    client: PrometheusClient,
    queries: BTreeMap<String, String>,
}

impl PrometheusSource {
    pub fn new(client: PrometheusClient, queries: BTreeMap<String, String>) -> PrometheusSource {
        PrometheusSource { client, queries }
    }

    pub fn client(&self) -> &PrometheusClient {
        &self.client
    }

    fn query(&self, name: &str) -> Result<&str, Absence> {
        self.queries
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| Absence::Failed(format!("no query named `{name}`")))
    }
}

fn log_notes(name: &str, r: &QueryResult) {
    for w in &r.warnings {
        tracing::warn!(metric = name, warning = %w, "prometheus warning");
    }
    for i in &r.infos {
        tracing::info!(metric = name, info = %i, "prometheus info");
    }
}

/// One number out of an instant query's answer.
pub fn reading_of(result: &QueryResult) -> Reading {
    match &result.data {
        QueryData::Vector(v) => match v.as_slice() {
            [] => Reading::Absent(Absence::NoData),
            [one] => Reading::Sample(Sample {
                value: one.sample.value,
                at: one.sample.at,
            }),
            many => Reading::Absent(Absence::Ambiguous(many.len())),
        },
        QueryData::Scalar(s) => Reading::Sample(Sample {
            value: s.value,
            at: s.at,
        }),
        other => Reading::Absent(Absence::Failed(format!(
            "the query returns a {}, not a number",
            other.result_type()
        ))),
    }
}

/// One series out of a range query's answer.
pub fn series_of(result: &QueryResult) -> Result<Vec<Sample>, Absence> {
    match &result.data {
        QueryData::Matrix(m) => match m.as_slice() {
            [] => Err(Absence::NoData),
            [one] => Ok(one
                .samples
                .iter()
                .map(|s| Sample {
                    value: s.value,
                    at: s.at,
                })
                .collect()),
            many => Err(Absence::Ambiguous(many.len())),
        },
        other => Err(Absence::Failed(format!(
            "a range query returned a {}",
            other.result_type()
        ))),
    }
}

impl MetricsSource for PrometheusSource {
    fn names(&self) -> Vec<String> {
        self.queries.keys().cloned().collect()
    }

    fn value_at<'a>(&'a self, name: &'a str, at: DateTime<Utc>) -> BoxFuture<'a, Reading> {
        Box::pin(async move {
            let query = match self.query(name) {
                Ok(q) => q,
                Err(a) => return Reading::Absent(a),
            };
            match self.client.instant(query, Some(at)).await {
                Ok(r) => {
                    log_notes(name, &r);
                    reading_of(&r)
                }
                Err(e) => Reading::Absent(Absence::Failed(e.to_string())),
            }
        })
    }

    fn series<'a>(
        &'a self,
        name: &'a str,
        window: Window,
    ) -> BoxFuture<'a, Result<Vec<Sample>, Absence>> {
        Box::pin(async move {
            let query = self.query(name)?;
            let r = self
                .client
                .range(query, window.start, window.end, window.step)
                .await
                .map_err(|e| Absence::Failed(e.to_string()))?;
            log_notes(name, &r);
            series_of(&r)
        })
    }
}
