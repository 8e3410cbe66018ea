//! What a drill's scenario did (`DrillEvent`), in order: the stages the scorecard times
//! the team against.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::journal::{Entry, Record};

/// One `DrillEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrillStage {
    pub what: String,
    pub at: DateTime<Utc>,
}

/// Folds one record.
pub fn apply(out: &mut Vec<DrillStage>, r: &Record) {
    if let Entry::DrillEvent { what } = &r.entry {
        out.push(DrillStage {
            what: what.clone(),
            at: r.ts,
        });
    }
}
