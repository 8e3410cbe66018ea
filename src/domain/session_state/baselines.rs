//! The metric baselines captured last (`BaselineCaptured`): what a resumed console's
//! matrix compares against.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};

/// The values of the latest `BaselineCaptured`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baselines {
    pub at: DateTime<Utc>,
    pub values: BTreeMap<String, f64>,
    /// Read from Prometheus this far in the past, rather than the values current then.
    pub offset_secs: Option<u64>,
}

/// Folds one record: a capture replaces the one before.
pub fn apply(last: &mut Option<Baselines>, r: &Record) {
    if let Entry::BaselineCaptured {
        values,
        offset_secs,
    } = &r.entry
    {
        *last = Some(Baselines {
            at: r.ts,
            values: values.clone(),
            offset_secs: *offset_secs,
        });
    }
}
