//! The Events pane model: warnings first, one row per event as `kubectl get events`
//! lists them, with a count.
//!
//! The rows follow client-go's event recorder (`tools/record/events_cache.go`): an event
//! repeated with the same type, reason, object and message is one Event with a count
//! (`getEventKey` includes the message), so the same message repeated is one row ×N and
//! different messages (a rollout's `Scaled up replica set app-7d9c…` and `Scaled down
//! replica set app-5f4b…`) are separate rows. Similar events (same key but the message,
//! `EventAggregatorByReasonFunc`) are combined only by the recorder itself, into one
//! Event whose message starts `(combined from similar events): `
//! (`EventAggregatorByReasonMessageFunc`) and which keeps the newest such message: those
//! are one row here too.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The message prefix of client-go's aggregate event (`EventAggregatorByReasonMessageFunc`).
pub const COMBINED_PREFIX: &str = "(combined from similar events): ";

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

/// The row an event belongs to: type, reason, object and message, as client-go's
/// `getEventKey`; the recorder's aggregate events by type, reason and object only (their
/// message is the newest of the similar ones, `EventAggregatorByReasonFunc`'s key).
fn row_key(e: &EventRow) -> (bool, String, String, Option<String>) {
    let message = (!e.message.starts_with(COMBINED_PREFIX)).then(|| e.message.clone());
    (e.warning, e.reason.clone(), e.object.clone(), message)
}

/// Deduplicates as `kubectl get events` shows rows (see the module docs: the same type,
/// reason, object and message sum their counts) and orders warnings first, then newest
/// first. At most `limit` rows.
pub fn summarize_events(events: impl IntoIterator<Item = EventRow>, limit: usize) -> Vec<EventRow> {
    let mut by_key: std::collections::HashMap<(bool, String, String, Option<String>), EventRow> =
        Default::default();
    for e in events {
        let key = row_key(&e);
        match by_key.get_mut(&key) {
            Some(seen) => {
                seen.count = seen.count.saturating_add(e.count.max(1));
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
            .then_with(|| a.message.cmp(&b.message))
    });
    rows.truncate(limit);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ev(warning: bool, reason: &str, object: &str, t: i64, count: u32) -> EventRow {
        msg(
            warning,
            reason,
            object,
            &format!("{reason} of {object}"),
            t,
            count,
        )
    }

    fn msg(
        warning: bool,
        reason: &str,
        object: &str,
        message: &str,
        t: i64,
        count: u32,
    ) -> EventRow {
        EventRow {
            warning,
            reason: reason.into(),
            object: object.into(),
            message: message.into(),
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
        assert_eq!(rows[0].last_seen, Utc.timestamp_opt(15, 0).single());
        assert_eq!(summarize_events(rows, 2).len(), 2);
    }

    /// A rollout's scale-ups and scale-downs are separate rows, as `kubectl get events`
    /// lists them: client-go's recorder (`tools/record/events_cache.go`) keys an Event by
    /// `getEventKey`, which includes the message, so only the same message repeated is
    /// one Event with a count.
    #[test]
    fn a_rollouts_scale_ups_and_downs_are_separate_rows_as_kubectl_lists_them() {
        let d = "Deployment/app";
        let up = "Scaled up replica set app-7d9c4b from 1 to 2";
        let down = "Scaled down replica set app-5f4b8c from 3 to 2";
        let rows = summarize_events(
            vec![
                msg(false, "ScalingReplicaSet", d, up, 10, 1),
                msg(false, "ScalingReplicaSet", d, down, 11, 1),
                // The same message again (a second Event object in the list, e.g. from a
                // relist): one row, counts summed.
                msg(false, "ScalingReplicaSet", d, up, 12, 2),
            ],
            10,
        );
        let summary: Vec<(&str, u32)> =
            rows.iter().map(|r| (r.message.as_str(), r.count)).collect();
        assert_eq!(summary, [(up, 3), (down, 1)]);
    }

    /// The recorder's own aggregate of similar events (`EventAggregatorByReasonFunc`: the
    /// key without the message; `EventAggregatorByReasonMessageFunc` prefixes the newest
    /// message) is one row with the newest message; the same reason and object with
    /// another type is another row.
    #[test]
    fn the_recorders_combined_events_are_one_row_with_the_newest_message() {
        let d = "Deployment/app";
        let rows = summarize_events(
            vec![
                msg(
                    false,
                    "ScalingReplicaSet",
                    d,
                    &format!("{COMBINED_PREFIX}Scaled up replica set app-1 from 1 to 2"),
                    10,
                    4,
                ),
                msg(
                    false,
                    "ScalingReplicaSet",
                    d,
                    &format!("{COMBINED_PREFIX}Scaled up replica set app-1 from 2 to 3"),
                    12,
                    1,
                ),
                msg(
                    true,
                    "ScalingReplicaSet",
                    d,
                    "Scaled up replica set app-1 from 2 to 3",
                    11,
                    1,
                ),
            ],
            10,
        );
        let summary: Vec<(bool, &str, u32)> = rows
            .iter()
            .map(|r| (r.warning, r.message.as_str(), r.count))
            .collect();
        assert_eq!(
            summary,
            [
                (true, "Scaled up replica set app-1 from 2 to 3", 1),
                (
                    false,
                    "(combined from similar events): Scaled up replica set app-1 from 2 to 3",
                    5
                ),
            ]
        );
    }
}
