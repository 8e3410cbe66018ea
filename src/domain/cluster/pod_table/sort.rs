//! The order of the Pods pane: the column it is sorted by, and how two rows compare
//! under it (ties broken by name, so the order is total).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::domain::cluster::pod_row::PodRow;

/// Column the table is sorted by (ties broken by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Name,
    Status,
    Restarts,
    /// Oldest first (ascending start time); pods not started yet sort last.
    Age,
    /// By `pod-template-hash`, i.e. pods of one ReplicaSet together.
    Revision,
}

pub(super) fn compare(a: &PodRow, b: &PodRow, key: SortKey, descending: bool) -> Ordering {
    let primary = match key {
        SortKey::Name => Ordering::Equal,
        SortKey::Status => a.status.cmp(&b.status),
        SortKey::Restarts => a.restarts.cmp(&b.restarts),
        SortKey::Age => match (a.started, b.started) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
        SortKey::Revision => a.template_hash.cmp(&b.template_hash),
    };
    let ord = primary.then_with(|| a.name.cmp(&b.name));
    if descending { ord.reverse() } else { ord }
}
