//! The Events pane model: warnings first, one row per reason and object with a count.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One event (or several deduplicated into one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub warning: bool,
    pub reason: String,
    /// `Kind/name` of the involved object, e.g. `Pod/web-7d9c-abcde`.
    pub object: String,
    pub message: String,
    pub count: u32,
    pub last_seen: Option<DateTime<Utc>>,
}

/// Deduplicates by reason and object (summing counts, keeping the newest message) and
/// orders warnings first, then newest first. At most `limit` rows.
pub fn summarize_events(events: impl IntoIterator<Item = EventRow>, limit: usize) -> Vec<EventRow> {
    let mut by_key: std::collections::HashMap<(String, String), EventRow> = Default::default();
    for e in events {
        let key = (e.reason.clone(), e.object.clone());
        match by_key.get_mut(&key) {
            Some(seen) => {
                seen.count = seen.count.saturating_add(e.count.max(1));
                seen.warning |= e.warning;
                if e.last_seen >= seen.last_seen {
                    seen.last_seen = e.last_seen;
                    seen.message = e.message;
                }
            }
            None => {
                let mut e = e;
                e.count = e.count.max(1);
                by_key.insert(key, e);
            }
        }
    }
    let mut rows: Vec<EventRow> = by_key.into_values().collect();
    rows.sort_by(|a, b| {
        b.warning
            .cmp(&a.warning)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    rows.truncate(limit);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(warning: bool, reason: &str, object: &str, t: i64, count: u32) -> EventRow {
        EventRow {
            warning,
            reason: reason.into(),
            object: object.into(),
            message: format!("{reason} at {t}"),
            count,
            last_seen: Utc.timestamp_opt(t, 0).single(),
        }
    }

    #[test]
    fn warnings_first_and_deduplicated() {
        let rows = summarize_events(
            vec![
                ev(false, "Scheduled", "Pod/a", 10, 1),
                ev(true, "BackOff", "Pod/a", 11, 3),
                ev(true, "BackOff", "Pod/a", 15, 2),
                ev(true, "Failed", "Pod/b", 12, 0),
                ev(false, "ScalingReplicaSet", "Deployment/web", 20, 1),
            ],
            10,
        );
        let summary: Vec<(bool, &str, u32)> = rows
            .iter()
            .map(|r| (r.warning, r.reason.as_str(), r.count))
            .collect();
        assert_eq!(
            summary,
            [
                (true, "BackOff", 5),
                (true, "Failed", 1),
                (false, "ScalingReplicaSet", 1),
                (false, "Scheduled", 1)
            ]
        );
        assert_eq!(rows[0].message, "BackOff at 15");
        assert_eq!(summarize_events(rows, 2).len(), 2);
    }
}
