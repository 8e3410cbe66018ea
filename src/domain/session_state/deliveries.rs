//! What each sink's deliveries said (a `MessageDelivered`'s detail), per sink in journal
//! order: what a resumed console's sinks take back of what earlier deliveries created (a
//! Statuspage incident, a Grafana annotation: `runtime::notifier::Notifier::remember_delivered`).

use std::collections::BTreeMap;

use crate::domain::journal::Entry;

/// Every delivery's detail, by the sink's journal name, in journal order.
pub type Deliveries = BTreeMap<String, Vec<String>>;

/// Folds one entry.
pub fn apply(out: &mut Deliveries, entry: &Entry) {
    if let Entry::MessageDelivered { sink, detail, .. } = entry {
        out.entry(sink.clone()).or_default().push(detail.clone());
    }
}
