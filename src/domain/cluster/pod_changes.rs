//! Pod changes waiting for the next frame: consecutive changes of one pod within a frame
//! interval collapse into the last one, so the table is updated once per pod per frame
//! however many watch events arrived (a rolling update sends several per pod: created,
//! scheduled, started, ready, terminating, deleted).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::pod_row::PodRow;

/// The net change of one pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PodChange {
    Upserted(PodRow),
    Deleted(String),
}

impl PodChange {
    pub fn name(&self) -> &str {
        match self {
            PodChange::Upserted(r) => &r.name,
            PodChange::Deleted(n) => n,
        }
    }
}

/// Changes in the order pods first changed, at most one per pod.
#[derive(Debug, Default)]
pub struct PodChanges {
    changes: Vec<PodChange>,
    /// Pod name → its index in `changes`.
    index: HashMap<String, usize>,
    /// Changes received since the last drain (absorbed ones included).
    received: u64,
}

impl PodChanges {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a change; an earlier change of the same pod is replaced by it.
    pub fn push(&mut self, change: PodChange) {
        self.received += 1;
        match self.index.get(change.name()) {
            Some(&i) => self.changes[i] = change,
            None => {
                self.index
                    .insert(change.name().to_string(), self.changes.len());
                self.changes.push(change);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Number of pods changed.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Changes received since the last drain, including the ones a later change replaced.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The net changes, in the order the pods first changed; leaves the set empty.
    pub fn drain(&mut self) -> Vec<PodChange> {
        self.index.clear();
        self.received = 0;
        std::mem::take(&mut self.changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, status: &str) -> PodRow {
        PodRow {
            name: name.into(),
            status: status.into(),
            ready: 0,
            total: 1,
            restarts: 0,
            started: None,
            image_tag: "1.0".into(),
            template_hash: "h".into(),
            node: String::new(),
        }
    }

    #[test]
    fn the_last_change_of_each_pod_wins_in_first_change_order() {
        let mut c = PodChanges::new();
        c.push(PodChange::Upserted(row("a", "Pending")));
        c.push(PodChange::Upserted(row("b", "Pending")));
        c.push(PodChange::Upserted(row("a", "ContainerCreating")));
        c.push(PodChange::Upserted(row("a", "Running")));
        c.push(PodChange::Deleted("b".into()));
        c.push(PodChange::Deleted("c".into()));
        c.push(PodChange::Upserted(row("c", "Pending")));
        assert_eq!((c.len(), c.received()), (3, 7));
        assert_eq!(
            c.drain(),
            [
                PodChange::Upserted(row("a", "Running")),
                PodChange::Deleted("b".into()),
                PodChange::Upserted(row("c", "Pending")),
            ]
        );
        assert!(c.is_empty());
        assert_eq!(c.received(), 0);
        c.push(PodChange::Upserted(row("a", "Terminating")));
        assert_eq!(c.drain(), [PodChange::Upserted(row("a", "Terminating"))]);
    }
}
