//! Property: any sequence of batches leaves the table as a from-scratch sort of the same
//! pods would: the visible order, the rows, the counts and the unhealthy count, under
//! every sort key, both directions, with and without a filter.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::{PodTable, SortKey, compare};
use crate::domain::cluster::pod_changes::PodChange;
use crate::domain::cluster::pod_row::PodRow;

const STATUSES: [&str; 5] = [
    "Pending",
    "ContainerCreating",
    "Running",
    "CrashLoopBackOff",
    "Terminating",
];
const KEYS: [SortKey; 5] = [
    SortKey::Name,
    SortKey::Status,
    SortKey::Restarts,
    SortKey::Age,
    SortKey::Revision,
];

/// One change: pod `n`, deleted, or upserted with these columns.
#[derive(Debug, Clone)]
enum Step {
    Delete(u8),
    Upsert {
        n: u8,
        status: usize,
        restarts: u32,
        age: Option<i64>,
        hash: u8,
        ready: u16,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => (0u8..30).prop_map(Step::Delete),
        4 => (0u8..30, 0usize..5, 0u32..3, prop::option::of(0i64..4), 0u8..3, 0u16..2).prop_map(
            |(n, status, restarts, age, hash, ready)| Step::Upsert { n, status, restarts, age, hash, ready }
        ),
    ]
}

fn change(s: &Step) -> PodChange {
    match *s {
        Step::Delete(n) => PodChange::Deleted(format!("web-{n:02}")),
        Step::Upsert {
            n,
            status,
            restarts,
            age,
            hash,
            ready,
        } => PodChange::Upserted(PodRow {
            name: format!("web-{n:02}"),
            status: STATUSES[status].into(),
            ready,
            total: 1,
            restarts,
            started: age.and_then(|a| Utc.timestamp_opt(1_700_000_000 + a, 0).single()),
            image_tag: "1.0".into(),
            template_hash: format!("h{hash}"),
            node: format!("node-{}", n % 3),
        }),
    }
}

/// The rows a from-scratch filter and sort of `pods` gives.
fn from_scratch(
    pods: &BTreeMap<String, PodRow>,
    key: SortKey,
    desc: bool,
    filter: &str,
) -> Vec<PodRow> {
    let mut rows: Vec<PodRow> = pods
        .values()
        .filter(|r| {
            [&r.name, &r.status, &r.node, &r.image_tag]
                .iter()
                .any(|f| f.to_lowercase().contains(filter))
        })
        .cloned()
        .collect();
    rows.sort_by(|a, b| compare(a, b, key, desc));
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_batches_give_the_order_of_a_from_scratch_sort(
        batches in prop::collection::vec(prop::collection::vec(step(), 0..25), 1..25),
        initial in prop::collection::vec(step(), 0..30),
    ) {
        for key in KEYS {
            for desc in [false, true] {
                for filter in ["", "run", "web-1", "node-2"] {
                    let mut table = PodTable::new();
                    let mut pods: BTreeMap<String, PodRow> = BTreeMap::new();
                    let start: Vec<PodRow> = initial
                        .iter()
                        .filter_map(|s| match change(s) {
                            PodChange::Upserted(r) => Some(r),
                            PodChange::Deleted(_) => None,
                        })
                        .collect();
                    for r in &start {
                        pods.insert(r.name.clone(), r.clone());
                    }
                    table.replace_all(start);
                    table.set_sort(key, desc);
                    table.set_filter(filter);
                    for batch in &batches {
                        let changes: Vec<PodChange> = batch.iter().map(change).collect();
                        for c in &changes {
                            match c {
                                PodChange::Upserted(r) => {
                                    pods.insert(r.name.clone(), r.clone());
                                }
                                PodChange::Deleted(n) => {
                                    pods.remove(n);
                                }
                            }
                        }
                        table.apply_batch(changes);
                        let want = from_scratch(&pods, key, desc, filter);
                        let got: Vec<PodRow> = table.visible(0, usize::MAX).iter().cloned().collect();
                        let ctx = format!("{key:?} descending={desc} filter={filter:?}");
                        prop_assert_eq!(&got, &want, "{}", ctx);
                        prop_assert_eq!(table.visible_len(), want.len(), "{}", ctx);
                        prop_assert_eq!(table.len(), pods.len(), "{}", ctx);
                        prop_assert_eq!(
                            table.unhealthy(),
                            pods.values().filter(|r| r.is_unhealthy()).count(),
                            "{}", ctx
                        );
                        for (name, row) in &pods {
                            prop_assert_eq!(table.get(name), Some(row), "{}", ctx);
                        }
                        // A window is the same rows, from any offset.
                        let window: Vec<&str> = table.visible(2, 5).iter().map(|r| r.name.as_str()).collect();
                        let expected: Vec<&str> = want.iter().skip(2).take(5).map(|r| r.name.as_str()).collect();
                        prop_assert_eq!(window, expected, "{}", ctx);
                    }
                }
            }
        }
    }
}
