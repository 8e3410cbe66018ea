//! Prometheus' HTTP query API: a client with client- and server-side timeouts, every
//! documented answer and error shape decoded, configuration from the runbook and the
//! environment, and the runbook's named queries as a [`MetricsSource`].
//!
//! [`MetricsSource`]: crate::adapters::metrics_source::MetricsSource

mod client;
mod config;
mod error;
mod response;
mod source;

pub use client::{Auth, MAX_RESPONSE_BYTES, PrometheusClient, Secret};
pub use config::{
    ClientConfig, ConfigError, DEFAULT_TIMEOUT, PROMETHEUS_URL_ENV, UrlSource, client_config,
};
pub use error::{ErrorType, PromError};
pub use response::{InstantSeries, PromSample, QueryData, QueryResult, RangeSeries};
pub use source::{PrometheusSource, reading_of, series_of};
