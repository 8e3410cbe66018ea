//! Decoding Prometheus' HTTP API answers: the `success` envelope with every result type,
//! `warnings` and `infos`, and the sample values `"NaN"`, `"+Inf"`, `"-Inf"`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::error::{ErrorType, PromError, one_line};

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub data: QueryData,
    /// Warnings Prometheus attached (e.g. a partial answer from a remote store).
    pub warnings: Vec<String>,
    /// Informational notes (e.g. a PromQL annotation about a counter without `_total`).
    pub infos: Vec<String>,
}

/// The `data` of a successful answer, by `resultType`.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryData {
    /// One sample per series (instant query of a vector expression).
    Vector(Vec<InstantSeries>),
    /// Samples over time per series (range query).
    Matrix(Vec<RangeSeries>),
    /// A single number (instant query of a scalar expression such as `1 + 1`).
    Scalar(PromSample),
    /// A string literal.
    String { at: DateTime<Utc>, value: String },
}

/// A value at a time. `value` may be NaN or ±Inf, exactly as Prometheus sent it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PromSample {
    pub at: DateTime<Utc>,
    pub value: f64,
}

/// A labelled series with its one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct InstantSeries {
    pub labels: BTreeMap<String, String>,
    pub sample: PromSample,
}

/// A labelled series with its samples in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    pub labels: BTreeMap<String, String>,
    pub samples: Vec<PromSample>,
}

impl QueryData {
    /// The result's type name as Prometheus spells it.
    pub fn result_type(&self) -> &'static str {
        match self {
            QueryData::Vector(_) => "vector",
            QueryData::Matrix(_) => "matrix",
            QueryData::Scalar(_) => "scalar",
            QueryData::String { .. } => "string",
        }
    }
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<RawData>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum RawData {
    Vector(Vec<RawInstant>),
    Matrix(Vec<RawRange>),
    Scalar(RawPoint),
    String(RawPoint),
}

#[derive(Deserialize)]
struct RawInstant {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    value: Option<RawPoint>,
    #[serde(default)]
    histogram: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<RawPoint>,
    #[serde(default)]
    histograms: Option<serde_json::Value>,
}

/// `[1700000000.123, "0.05"]`
#[derive(Deserialize)]
struct RawPoint(f64, String);

/// Decodes an answer given its HTTP status and body. `url` (without credentials) is
/// only used in error messages.
pub(crate) fn decode(status: u16, body: &[u8], url: &str) -> Result<QueryResult, PromError> {
    let envelope: Envelope = match serde_json::from_slice(body) {
        Ok(e) => e,
        Err(e) => {
            return Err(if (200..300).contains(&status) {
                PromError::Decode {
                    reason: format!("body is not the API's JSON ({e}): {}", excerpt(body)),
                }
            } else {
                PromError::NotPrometheus {
                    url: url.to_string(),
                    status,
                    excerpt: excerpt(body),
                    retry_after: None,
                }
            });
        }
    };
    match envelope.status.as_str() {
        "success" if (200..300).contains(&status) => {
            let data = envelope.data.ok_or_else(|| PromError::Decode {
                reason: "`success` without `data`".into(),
            })?;
            Ok(QueryResult {
                data: convert(data)?,
                warnings: envelope.warnings,
                infos: envelope.infos,
            })
        }
        "error" => Err(PromError::Api {
            status,
            error_type: ErrorType::parse(envelope.error_type.as_deref().unwrap_or("")),
            message: one_line(envelope.error.as_deref().unwrap_or("(no message)"), 300),
            retry_after: None,
        }),
        other => Err(PromError::NotPrometheus {
            url: url.to_string(),
            status,
            excerpt: format!("status `{}`", one_line(other, 40)),
            retry_after: None,
        }),
    }
}

fn excerpt(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".into();
    }
    one_line(&String::from_utf8_lossy(body), 120)
}

fn convert(data: RawData) -> Result<QueryData, PromError> {
    Ok(match data {
        RawData::Vector(series) => QueryData::Vector(
            series
                .into_iter()
                .map(|s| {
                    let Some(point) = s.value else {
                        return Err(unsupported_histogram(s.histogram.is_some()));
                    };
                    Ok(InstantSeries {
                        labels: s.metric,
                        sample: point.sample()?,
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        RawData::Matrix(series) => QueryData::Matrix(
            series
                .into_iter()
                .map(|s| {
                    if s.values.is_empty() && s.histograms.is_some() {
                        return Err(unsupported_histogram(true));
                    }
                    Ok(RangeSeries {
                        labels: s.metric,
                        samples: s
                            .values
                            .into_iter()
                            .map(RawPoint::sample)
                            .collect::<Result<_, _>>()?,
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        RawData::Scalar(point) => QueryData::Scalar(point.sample()?),
        RawData::String(RawPoint(t, value)) => QueryData::String {
            at: timestamp(t)?,
            value,
        },
    })
}

fn unsupported_histogram(is_histogram: bool) -> PromError {
    PromError::Decode {
        reason: if is_histogram {
            "native histogram samples are not numbers; wrap the query in histogram_quantile() or histogram_count()".into()
        } else {
            "a series without a value".into()
        },
    }
}

impl RawPoint {
    fn sample(self) -> Result<PromSample, PromError> {
        Ok(PromSample {
            at: timestamp(self.0)?,
            value: parse_value(&self.1)?,
        })
    }
}

/// Prometheus' sample value strings: decimal or exponent notation, `NaN`, `+Inf`, `-Inf`.
pub(crate) fn parse_value(s: &str) -> Result<f64, PromError> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| PromError::Decode {
                reason: format!("`{}` is not a sample value", one_line(s, 40)),
            }),
    }
}

/// Unix seconds with a fractional part (Prometheus has millisecond precision).
fn timestamp(t: f64) -> Result<DateTime<Utc>, PromError> {
    let ms = (t * 1000.0).round();
    if !ms.is_finite() || ms.abs() > 1e15 {
        return Err(PromError::Decode {
            reason: format!("`{t}` is not a timestamp"),
        });
    }
    DateTime::from_timestamp_millis(ms as i64).ok_or_else(|| PromError::Decode {
        reason: format!("`{t}` is not a timestamp"),
    })
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
