//! The metrics interface moved to `domain/metrics_source.rs` (issue 11: the trait is the
//! domain's, Prometheus and the simulator implement it); this re-export keeps the old
//! path working.

pub use crate::domain::metrics_source::{MetricsSource, Window};
