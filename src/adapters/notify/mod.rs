//! Sinks: where messages go (Slack, Teams, a generic webhook, a GitHub issue, Statuspage,
//! Grafana, PagerDuty, and the drill outbox), one small file each, all over reqwest.
//!
//! [`configure`] builds them from a runbook's `notify` block (secrets from env or files,
//! registered with the redactor); [`deliver`] sends one message to one sink under the
//! retry policy of `crate::domain::notify::retry`.

pub mod config;
pub mod deliver;
pub mod github;
pub mod grafana;
pub mod http;
pub mod outbox;
pub mod pagerduty;
pub mod sink;
pub mod slack;
pub mod statuspage;
pub mod teams;
pub mod webhook;

pub use crate::adapters::secret::Secret;
pub use config::{Configured, SinkConfigError, configure, named_sinks};
pub use deliver::{Delivery, Progress, deliver, http_client};
pub use http::Attempt;
pub use outbox::Outbox;
pub use sink::{Sink, Target};
