//! A frame's pod changes applied to the [`PodTable`] in one pass over its order.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{PodTable, compare};
use crate::domain::cluster::pod_changes::PodChange;
use crate::domain::cluster::pod_row::PodRow;

impl PodTable {
    /// Applies a batch of changes (a frame's worth) with one pass over the order: rows
    /// that keep their place are replaced in place as [`upsert`](Self::upsert) does;
    /// the rows that leave or move are taken out together and the rows that arrive or
    /// move are sorted among themselves and merged in, so a batch with `k` arrivals and
    /// departures moves the order once instead of `k` times. The result is the one
    /// applying the changes one by one gives.
    pub fn apply_batch(&mut self, changes: Vec<PodChange>) {
        // Old rows to take out of the order (still in it, in their old place).
        let mut leaving: Vec<Arc<PodRow>> = Vec::new();
        // New rows to merge in; a row later replaced in the same batch is dropped below.
        let mut arriving: Vec<Arc<PodRow>> = Vec::new();
        for change in changes {
            let (name, new) = match change {
                PodChange::Upserted(row) => {
                    let row = Arc::new(row);
                    (None, Some(row))
                }
                PodChange::Deleted(name) => (Some(name), None),
            };
            let old = match (&name, &new) {
                (Some(name), _) => self.rows.remove(name.as_str()),
                (None, Some(row)) => match self.rows.get_mut(row.name.as_str()) {
                    Some(slot) => Some(std::mem::replace(slot, row.clone())),
                    None => {
                        self.rows.insert(row.name.clone(), row.clone());
                        None
                    }
                },
                (None, None) => None,
            };
            if let Some(row) = &new {
                self.unhealthy += usize::from(row.is_unhealthy());
            }
            if let Some(old) = old {
                self.unhealthy -= usize::from(old.is_unhealthy());
                if self.matches(&old)
                    && let Ok(i) = self.position(&old)
                {
                    if let Some(row) = &new
                        && self.matches(row)
                        && self.fits_at(i, row)
                    {
                        self.order[i] = row.clone();
                        continue;
                    }
                    leaving.push(old);
                }
            }
            if let Some(row) = new
                && self.matches(&row)
            {
                arriving.push(row);
            }
        }
        self.take_out(leaving);
        // A pod that arrived and changed again within the batch: only its last row.
        arriving.retain(|r| {
            self.rows
                .get(r.name.as_str())
                .is_some_and(|cur| Arc::ptr_eq(cur, r))
        });
        self.merge_in(arriving);
    }

    /// Removes these rows (present in the order, by identity) in one pass.
    fn take_out(&mut self, leaving: Vec<Arc<PodRow>>) {
        if leaving.len() <= 1 {
            for old in leaving {
                self.remove_from_order(&old);
            }
            return;
        }
        let mut at: Vec<usize> = leaving
            .iter()
            .filter_map(|old| {
                self.position(old)
                    .ok()
                    .filter(|&i| Arc::ptr_eq(&self.order[i], old))
            })
            .collect();
        at.sort_unstable();
        at.dedup();
        let mut next = at.iter().peekable();
        let mut i = 0;
        self.order.retain(|_| {
            let keep = next.peek().is_none_or(|&&j| j != i);
            if !keep {
                next.next();
            }
            i += 1;
            keep
        });
    }

    /// Inserts these rows (not in the order) in one merge.
    fn merge_in(&mut self, mut arriving: Vec<Arc<PodRow>>) {
        let (k, d) = (self.sort, self.descending);
        if arriving.len() <= 1 {
            for row in arriving {
                match self.position(&row) {
                    Ok(i) => self.order[i] = row,
                    Err(i) => self.order.insert(i, row),
                }
            }
            return;
        }
        arriving.sort_unstable_by(|a, b| compare(a, b, k, d));
        let old = std::mem::take(&mut self.order);
        let mut order = Vec::with_capacity(old.len() + arriving.len());
        let mut new = arriving.into_iter().peekable();
        for row in old {
            while let Some(n) = new.next_if(|n| compare(n, &row, k, d) == Ordering::Less) {
                order.push(n);
            }
            order.push(row);
        }
        order.extend(new);
        self.order = order;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{names, row};
    use super::*;
    use crate::domain::cluster::pod_table::SortKey;

    #[test]
    fn a_batch_gives_what_its_changes_one_by_one_give() {
        // Batches of a rolling update's kind of changes, with arrivals, departures, moves,
        // a pod changed twice, deleted and re-added, or added and deleted within one
        // batch, under every sort key, both directions, with and without a filter.
        let statuses = ["Pending", "Running", "CrashLoopBackOff", "Terminating"];
        let keys = [
            SortKey::Name,
            SortKey::Status,
            SortKey::Restarts,
            SortKey::Age,
            SortKey::Revision,
        ];
        for key in keys {
            for descending in [false, true] {
                for filter in ["", "run"] {
                    let mut batched = PodTable::new();
                    let mut single = PodTable::new();
                    for t in [&mut batched, &mut single] {
                        t.set_sort(key, descending);
                        t.set_filter(filter);
                    }
                    let mut step = 0u32;
                    for batch_len in (0..60u32).map(|b| (b * 13) % 17) {
                        let mut batch = Vec::new();
                        for _ in 0..batch_len {
                            step += 1;
                            let n = (step * 7919) % 41;
                            let name = format!("web-{n:02}");
                            batch.push(if step % 7 == 3 {
                                PodChange::Deleted(name)
                            } else {
                                let status = statuses[(step as usize * 31 + n as usize) % 4];
                                let hash = if step.is_multiple_of(3) { "h2" } else { "h1" };
                                PodChange::Upserted(row(
                                    &name,
                                    status,
                                    step % 5,
                                    i64::from(step % 6),
                                    hash,
                                ))
                            });
                        }
                        for c in batch.clone() {
                            single.apply(c);
                        }
                        batched.apply_batch(batch);
                        let ctx = format!("{key:?} descending={descending} filter={filter:?}");
                        assert_eq!(names(&batched), names(&single), "{ctx} step {step}");
                        let rows = |t: &PodTable| {
                            t.visible(0, usize::MAX)
                                .iter()
                                .map(|r| (**r).clone())
                                .collect::<Vec<PodRow>>()
                        };
                        assert_eq!(rows(&batched), rows(&single), "{ctx} step {step}");
                        assert_eq!(batched.len(), single.len(), "{ctx} step {step}");
                        assert_eq!(batched.unhealthy(), single.unhealthy(), "{ctx}");
                    }
                    assert!(batched.len() > 10, "the batches left pods in the table");
                }
            }
        }
    }

    #[test]
    fn arrivals_before_after_and_between_rows_land_in_order() {
        // Several arrivals in one gap, before the first row and after the last, in one
        // batch: the binary-searched places give the fully sorted order.
        let mut t = PodTable::new();
        t.replace_all(
            ["d", "h", "m"]
                .map(|n| row(n, "Running", 0, 1, "h"))
                .to_vec(),
        );
        let batch = ["z", "a", "e", "f", "b", "y", "g"]
            .map(|n| PodChange::Upserted(row(n, "Running", 0, 1, "h")))
            .to_vec();
        t.apply_batch(batch);
        assert_eq!(
            names(&t),
            ["a", "b", "d", "e", "f", "g", "h", "m", "y", "z"]
        );
        t.set_sort(SortKey::Name, true);
        t.apply_batch(vec![
            PodChange::Upserted(row("c", "Running", 0, 1, "h")),
            PodChange::Upserted(row("zz", "Running", 0, 1, "h")),
        ]);
        assert_eq!(names(&t)[..3], ["zz", "z", "y"]);
        assert_eq!(names(&t)[9..], ["c", "b", "a"]);
    }
}
