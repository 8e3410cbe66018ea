//! A frame's pod changes applied to the [`PodTable`]: a change that keeps a pod's sort key
//! replaced in the pod's slot, and the order spliced once for the batch's arrivals,
//! departures and sort-key changes.

use super::{PodTable, Slot, compare, matches};
use crate::domain::cluster::pod_changes::PodChange;
use crate::domain::cluster::pod_row::PodRow;

impl PodTable {
    /// Applies a batch of changes (a frame's worth). A known pod whose sort key and
    /// filter match did not change has its row replaced in its slot: no search, nothing
    /// in the order moves, so a batch of such changes never walks the order. The rows
    /// that leave or move are found by binary search and taken out together, the rows
    /// that arrive or move are sorted among themselves and put in their places together,
    /// each entry of the order moved at most once per batch. The result is the one
    /// applying the changes one by one gives.
    pub fn apply_batch(&mut self, changes: Vec<PodChange>) {
        self.apply_changes(changes);
    }

    pub(super) fn apply_changes(&mut self, changes: impl IntoIterator<Item = PodChange>) {
        // Listed slots to take out of the order; they keep their (old) rows until then,
        // so the order stays sorted for the searches.
        let mut leaving: Vec<u32> = Vec::new();
        // Slots to put in the order; checked again below (a later change of the batch
        // may have deleted or listed them).
        let mut arriving: Vec<u32> = Vec::new();
        for change in changes {
            match change {
                PodChange::Upserted(row) => self.upsert_slot(row, &mut leaving, &mut arriving),
                PodChange::Deleted(name) => {
                    let Some(s) = self.by_name.remove(name.as_str()) else {
                        continue;
                    };
                    let Some(slot) = self.slots.get_mut(s as usize) else {
                        continue;
                    };
                    if let Some(old) = &slot.row {
                        self.unhealthy -= usize::from(old.is_unhealthy());
                    }
                    if slot.listed {
                        leaving.push(s);
                    } else {
                        slot.row = None;
                        self.free.push(s);
                    }
                }
            }
        }
        if !leaving.is_empty() || !arriving.is_empty() {
            self.splice(leaving, arriving);
        }
    }

    fn upsert_slot(&mut self, row: PodRow, leaving: &mut Vec<u32>, arriving: &mut Vec<u32>) {
        let (k, d) = (self.sort, self.descending);
        let listed = matches(&self.filter, &row);
        self.unhealthy += usize::from(row.is_unhealthy());
        let Some(&s) = self.by_name.get(row.name.as_str()) else {
            let name = row.name.clone();
            let s = self.alloc(row);
            self.by_name.insert(name, s);
            if listed {
                arriving.push(s);
            }
            return;
        };
        let Some(slot) = self.slots.get_mut(s as usize) else {
            return;
        };
        if let Some(old) = &slot.row {
            self.unhealthy -= usize::from(old.is_unhealthy());
        }
        if !slot.listed {
            // Not in the order: nothing to keep sorted.
            slot.row = Some(row);
            if listed {
                arriving.push(s);
            }
            return;
        }
        let same_key = slot
            .row
            .as_ref()
            .is_some_and(|old| compare(old, &row, k, d).is_eq());
        if listed && same_key {
            slot.row = Some(row);
            return;
        }
        // The row leaves its place: its slot (old row kept) goes, a new slot comes.
        leaving.push(s);
        let n = self.alloc(row);
        if let Some(at) = self.by_name.get_mut(
            self.slots[n as usize]
                .row
                .as_ref()
                .map_or("", |r| r.name.as_str()),
        ) {
            *at = n;
        }
        if listed {
            arriving.push(n);
        }
    }

    /// Takes the `leaving` slots out of the order and puts the `arriving` ones in.
    fn splice(&mut self, leaving: Vec<u32>, mut arriving: Vec<u32>) {
        // Places of the leaving rows, found while every listed row is in its place.
        let mut out: Vec<usize> = leaving
            .iter()
            .filter_map(|&s| {
                let row = self.row(s)?;
                match self.position(row) {
                    Ok(i) if self.order[i] == s => Some(i),
                    _ => self.order.iter().position(|&o| o == s),
                }
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        // Arrivals: each live, matching, unlisted slot once, sorted among themselves.
        let filter = &self.filter;
        let slots = &mut self.slots;
        arriving.retain(|&s| match slots.get_mut(s as usize) {
            Some(Slot {
                row: Some(r),
                listed,
            }) if !*listed && matches(filter, r) => {
                *listed = true;
                true
            }
            _ => false,
        });
        let (k, d) = (self.sort, self.descending);
        arriving.sort_unstable_by(|&a, &b| match (self.row(a), self.row(b)) {
            (Some(a), Some(b)) => compare(a, b, k, d),
            (a, b) => a.is_some().cmp(&b.is_some()),
        });
        // Their places in the order as it is (a leaving row equal to an arriving one is
        // the same pod deleted and added again: the new row takes its place).
        let mut from = 0;
        let ins: Vec<(usize, u32)> = arriving
            .iter()
            .map(|&s| {
                let at = match self.row(s) {
                    Some(row) => self.position_from(from, row).unwrap_or_else(|i| i),
                    None => from,
                };
                from = at;
                (at, s)
            })
            .collect();
        splice(&mut self.order, &out, &ins);
        for s in leaving {
            if let Some(slot) = self.slots.get_mut(s as usize) {
                *slot = Slot::default();
                self.free.push(s);
            }
        }
    }
}

/// Removes the entries at `out` (ascending, distinct indices into `order`) and inserts
/// each `(i, slot)` of `ins` before the entry that was at `i` (ascending `i`; equal `i`s
/// in the order given). Each phase moves the entries after its first index once, in
/// blocks: nothing before the first change is touched.
fn splice(order: &mut Vec<u32>, out: &[usize], ins: &[(usize, u32)]) {
    if let Some(&first) = out.first() {
        let mut w = first;
        for (k, &r) in out.iter().enumerate() {
            let end = out.get(k + 1).copied().unwrap_or(order.len());
            order.copy_within(r + 1..end, w);
            w += end - r - 1;
        }
        order.truncate(w);
    }
    if ins.is_empty() {
        return;
    }
    let kept = order.len();
    order.resize(kept + ins.len(), 0);
    let (mut read_end, mut write_end) = (kept, order.len());
    for &(i, s) in ins.iter().rev() {
        // Where `i` is once the entries before it in `out` are gone.
        let i = (i - out.partition_point(|&r| r < i)).min(read_end);
        let n = read_end - i;
        order.copy_within(i..read_end, write_end - n);
        write_end -= n + 1;
        order[write_end] = s;
        read_end = i;
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
                                .cloned()
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
    fn a_change_that_keeps_the_sort_key_replaces_the_row_in_its_slot() {
        // Status and readiness changes under the default sort (restarts, then name): each
        // row replaced in its own slot, the order and the slots untouched; a restart (a
        // key change) and an arrival are the only ones that move anything.
        let mut t = PodTable::new();
        t.set_sort(SortKey::Restarts, true);
        t.replace_all(
            (0..50)
                .map(|i| row(&format!("web-{i:02}"), "Running", 0, i, "h1"))
                .collect(),
        );
        let (order, slots) = (t.order.clone(), t.slots.len());
        let slot_of = |t: &PodTable, n: &str| t.by_name.get(n).copied();
        let before = slot_of(&t, "web-07");
        t.apply_batch(
            (0..50)
                .step_by(7)
                .map(|i| {
                    PodChange::Upserted(row(&format!("web-{i:02}"), "Terminating", 0, i, "h1"))
                })
                .collect(),
        );
        assert_eq!(t.order, order, "no entry of the order moved");
        assert_eq!(
            (t.slots.len(), t.free.len()),
            (slots, 0),
            "no slot taken or freed"
        );
        assert_eq!(slot_of(&t, "web-07"), before);
        assert_eq!(
            t.get("web-07").map(|r| r.status.as_str()),
            Some("Terminating")
        );
        // A restart changes the key: the pod moves to a new slot, to the top.
        let old = slot_of(&t, "web-30");
        t.apply_batch(vec![PodChange::Upserted(row(
            "web-30", "Running", 1, 30, "h1",
        ))]);
        assert!(slot_of(&t, "web-30").is_some_and(|s| Some(s) != old));
        assert_eq!(t.free.len(), 1, "the old slot is freed");
        assert_eq!(names(&t)[0], "web-30");
        assert_eq!(t.visible_len(), 50);
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
