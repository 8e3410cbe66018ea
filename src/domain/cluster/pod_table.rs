//! The Pods pane model: every pod as a slim row, kept sorted and filtered incrementally so
//! that a change costs `O(log n)` comparisons plus one pointer move, and drawing a window
//! costs nothing proportional to the number of pods.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::pod_changes::PodChange;
use super::pod_row::PodRow;

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

/// Sorted, filtered pod rows.
///
/// `rows` holds every pod by name; `order` holds the rows passing the filter, sorted by
/// the sort key. Both share the rows through `Arc`, so a row is stored once.
#[derive(Debug, Default)]
pub struct PodTable {
    rows: HashMap<String, Arc<PodRow>>,
    order: Vec<Arc<PodRow>>,
    sort: SortKey,
    descending: bool,
    filter: String,
    /// Pods whose status needs a look (all pods, filter or not), kept as rows change.
    unhealthy: usize,
}

fn compare(a: &PodRow, b: &PodRow, key: SortKey, descending: bool) -> Ordering {
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

impl PodTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of pods known (filtered or not).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Number of pods whose status needs a look (`PodRow::is_unhealthy`), filter or not:
    /// counted as rows change, never per frame.
    pub fn unhealthy(&self) -> usize {
        self.unhealthy
    }

    /// Number of rows passing the filter.
    pub fn visible_len(&self) -> usize {
        self.order.len()
    }

    pub fn sort_key(&self) -> (SortKey, bool) {
        (self.sort, self.descending)
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// A pod by name.
    pub fn get(&self, name: &str) -> Option<&PodRow> {
        self.rows.get(name).map(|r| r.as_ref())
    }

    fn matches(&self, row: &PodRow) -> bool {
        if self.filter.is_empty() {
            return true;
        }
        // The filter is stored lowercase; names, statuses and nodes are matched
        // case-insensitively without allocating for ASCII text.
        [&row.name, &row.status, &row.node, &row.image_tag]
            .iter()
            .any(|f| contains_ignore_ascii_case(f, &self.filter))
    }

    fn position(&self, row: &PodRow) -> Result<usize, usize> {
        let (k, d) = (self.sort, self.descending);
        self.order.binary_search_by(|r| compare(r, row, k, d))
    }

    fn remove_from_order(&mut self, row: &PodRow) {
        if let Ok(i) = self.position(row) {
            self.order.remove(i);
        }
    }

    /// Whether `row` sorts strictly between the neighbours of position `i` (the row at
    /// `i` itself not counted), i.e. it can take `i`'s place without moving anything.
    fn fits_at(&self, i: usize, row: &PodRow) -> bool {
        let (k, d) = (self.sort, self.descending);
        let after_prev = i == 0 || compare(&self.order[i - 1], row, k, d) == Ordering::Less;
        let before_next = self
            .order
            .get(i + 1)
            .is_none_or(|next| compare(row, next, k, d) == Ordering::Less);
        after_prev && before_next
    }

    /// Adds or replaces a pod. A changed pod that keeps its place in the order (always
    /// when sorted by name) replaces its row in place: no element of the order moves.
    pub fn upsert(&mut self, row: PodRow) {
        let row = Arc::new(row);
        self.unhealthy += usize::from(row.is_unhealthy());
        if let Some(old) = self.rows.insert(row.name.clone(), row.clone()) {
            self.unhealthy -= usize::from(old.is_unhealthy());
            if self.matches(&old)
                && let Ok(i) = self.position(&old)
            {
                if self.matches(&row) && self.fits_at(i, &row) {
                    self.order[i] = row;
                    return;
                }
                self.order.remove(i);
            }
        }
        if self.matches(&row) {
            match self.position(&row) {
                Ok(i) => self.order[i] = row,
                Err(i) => self.order.insert(i, row),
            }
        }
    }

    /// Applies one pod's change (an upsert or a removal).
    pub fn apply(&mut self, change: PodChange) {
        match change {
            PodChange::Upserted(row) => self.upsert(row),
            PodChange::Deleted(name) => {
                self.remove(&name);
            }
        }
    }

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

    /// Removes a pod; `false` when it was not known.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.rows.remove(name) {
            Some(old) => {
                self.unhealthy -= usize::from(old.is_unhealthy());
                if self.matches(&old) {
                    self.remove_from_order(&old);
                }
                true
            }
            None => false,
        }
    }

    /// Replaces every row (after a re-list).
    pub fn replace_all(&mut self, rows: Vec<PodRow>) {
        self.rows = rows
            .into_iter()
            .map(|r| (r.name.clone(), Arc::new(r)))
            .collect();
        self.unhealthy = self.rows.values().filter(|r| r.is_unhealthy()).count();
        self.rebuild();
    }

    /// Changes the sort order (one full sort; not per frame).
    pub fn set_sort(&mut self, key: SortKey, descending: bool) {
        if (key, descending) != (self.sort, self.descending) {
            self.sort = key;
            self.descending = descending;
            self.rebuild();
        }
    }

    /// Changes the text filter (case-insensitive substring of name, status, node or tag).
    pub fn set_filter(&mut self, filter: &str) {
        let f = filter.trim().to_lowercase();
        if f != self.filter {
            self.filter = f;
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let mut order: Vec<Arc<PodRow>> = self
            .rows
            .values()
            .filter(|r| self.matches(r))
            .cloned()
            .collect();
        let (k, d) = (self.sort, self.descending);
        order.sort_unstable_by(|a, b| compare(a, b, k, d));
        self.order = order;
    }

    /// The rows of a window of the sorted, filtered table: `O(1)`, no copying.
    pub fn visible(&self, offset: usize, height: usize) -> &[Arc<PodRow>] {
        let start = offset.min(self.order.len());
        let end = start.saturating_add(height).min(self.order.len());
        &self.order[start..end]
    }

    /// Pods per status text, most frequent first (for summaries).
    pub fn status_counts(&self) -> Vec<(String, usize)> {
        let mut m: HashMap<&str, usize> = HashMap::new();
        for r in self.rows.values() {
            *m.entry(r.status.as_str()).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Bytes held by the rows and the indexes (approximate: allocations, not allocator
    /// overhead). For the memory budget of DESIGN.md §6.
    pub fn approx_bytes(&self) -> usize {
        let row = |r: &PodRow| {
            std::mem::size_of::<PodRow>()
                + r.name.capacity()
                + r.status.capacity()
                + r.image_tag.capacity()
                + r.template_hash.capacity()
                + r.node.capacity()
        };
        let arc_overhead = 2 * std::mem::size_of::<usize>();
        self.rows
            .iter()
            .map(|(k, r)| k.capacity() + row(r) + arc_overhead)
            .sum::<usize>()
            + self.rows.capacity() * (std::mem::size_of::<(String, Arc<PodRow>)>() + 1)
            + self.order.capacity() * std::mem::size_of::<Arc<PodRow>>()
    }
}

fn contains_ignore_ascii_case(hay: &str, lower_needle: &str) -> bool {
    if lower_needle.len() > hay.len() {
        return false;
    }
    if !hay.is_ascii() || !lower_needle.is_ascii() {
        return hay.to_lowercase().contains(lower_needle);
    }
    hay.as_bytes()
        .windows(lower_needle.len())
        .any(|w| w.eq_ignore_ascii_case(lower_needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn row(name: &str, status: &str, restarts: u32, age_s: i64, hash: &str) -> PodRow {
        PodRow {
            name: name.into(),
            status: status.into(),
            ready: 1,
            total: 1,
            restarts,
            started: Some(Utc.timestamp_opt(1_700_000_000 + age_s, 0).unwrap()),
            image_tag: "1.0".into(),
            template_hash: hash.into(),
            node: "node-1".into(),
        }
    }

    fn names(t: &PodTable) -> Vec<&str> {
        t.visible(0, usize::MAX)
            .iter()
            .map(|r| r.name.as_str())
            .collect()
    }

    #[test]
    fn upsert_keeps_order_and_replaces_by_name() {
        let mut t = PodTable::new();
        t.upsert(row("c", "Running", 0, 3, "h1"));
        t.upsert(row("a", "Running", 0, 1, "h1"));
        t.upsert(row("b", "Running", 0, 2, "h1"));
        assert_eq!(names(&t), ["a", "b", "c"]);
        t.set_sort(SortKey::Restarts, true);
        t.upsert(row("a", "CrashLoopBackOff", 5, 1, "h1"));
        assert_eq!(names(&t), ["a", "c", "b"]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.get("a").map(|r| r.restarts), Some(5));
        t.upsert(row("a", "Running", 0, 1, "h1"));
        assert_eq!(names(&t), ["c", "b", "a"]);
    }

    #[test]
    fn remove_and_window() {
        let mut t = PodTable::new();
        for i in 0..10 {
            t.upsert(row(&format!("p{i}"), "Running", 0, i, "h"));
        }
        assert!(t.remove("p3"));
        assert!(!t.remove("p3"));
        let w: Vec<&str> = t.visible(2, 3).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(w, ["p2", "p4", "p5"]);
        assert!(t.visible(50, 3).is_empty());
        assert_eq!(t.visible(8, 5).len(), 1);
    }

    #[test]
    fn filter_is_incremental_too() {
        let mut t = PodTable::new();
        t.upsert(row("web-1", "Running", 0, 1, "h1"));
        t.upsert(row("web-2", "CrashLoopBackOff", 3, 2, "h2"));
        t.set_filter("crash");
        assert_eq!(names(&t), ["web-2"]);
        t.upsert(row("web-3", "CrashLoopBackOff", 1, 3, "h2"));
        t.upsert(row("web-2", "Running", 3, 2, "h2"));
        assert_eq!(names(&t), ["web-3"]);
        assert_eq!(t.visible_len(), 1);
        assert_eq!(t.len(), 3);
        t.set_filter("");
        assert_eq!(names(&t), ["web-1", "web-2", "web-3"]);
    }

    #[test]
    fn every_sort_key() {
        let mut t = PodTable::new();
        t.replace_all(vec![
            row("a", "Running", 2, 30, "h2"),
            row("b", "CrashLoopBackOff", 9, 10, "h1"),
            row("c", "Pending", 0, 20, "h2"),
        ]);
        t.set_sort(SortKey::Status, false);
        assert_eq!(names(&t), ["b", "c", "a"]);
        t.set_sort(SortKey::Age, false);
        assert_eq!(names(&t), ["b", "c", "a"]);
        t.set_sort(SortKey::Revision, false);
        assert_eq!(names(&t), ["b", "a", "c"]);
        t.set_sort(SortKey::Restarts, false);
        assert_eq!(names(&t), ["c", "a", "b"]);
        assert_eq!(t.status_counts().len(), 3);
        assert!(t.approx_bytes() > 3 * std::mem::size_of::<PodRow>());
    }

    #[test]
    fn the_unhealthy_count_follows_upserts_removals_and_resyncs() {
        let mut t = PodTable::new();
        t.upsert(row("a", "Running", 0, 1, "h"));
        t.upsert(row("b", "CrashLoopBackOff", 3, 2, "h"));
        assert_eq!(t.unhealthy(), 1);
        // A change of the same pod replaces its contribution.
        t.upsert(row("a", "ImagePullBackOff", 0, 1, "h"));
        assert_eq!(t.unhealthy(), 2);
        t.upsert(row("b", "Running", 3, 2, "h"));
        assert_eq!(t.unhealthy(), 1);
        // The filter does not change what is counted.
        t.set_filter("b");
        assert_eq!(t.unhealthy(), 1);
        assert!(t.remove("a"));
        assert_eq!(t.unhealthy(), 0);
        t.replace_all(vec![
            row("x", "Error", 1, 1, "h"),
            row("y", "Running", 0, 1, "h"),
        ]);
        assert_eq!(t.unhealthy(), 1);
    }

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
    fn changes_in_place_or_moved_keep_the_order_a_full_sort_gives() {
        // A rolling update's kind of changes (new pods, status and restart changes,
        // deletions), under every sort key and both directions, with and without a
        // filter: after each change the order is the one a fresh sort of the same rows
        // gives, whether the row was replaced in place or moved.
        let statuses = [
            "Pending",
            "ContainerCreating",
            "Running",
            "CrashLoopBackOff",
        ];
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
                    let mut t = PodTable::new();
                    t.set_sort(key, descending);
                    t.set_filter(filter);
                    for step in 0..400u32 {
                        let n = (step * 7919) % 23;
                        let name = format!("web-{n:02}");
                        if step % 11 == 10 {
                            t.remove(&name);
                        } else {
                            let status = statuses[(step as usize * 31 + n as usize) % 4];
                            let hash = if step % 3 == 0 { "h2" } else { "h1" };
                            t.upsert(row(&name, status, step % 5, i64::from(n % 4), hash));
                        }
                        let unfiltered: Vec<PodRow> =
                            t.rows.values().map(|r| (**r).clone()).collect();
                        let mut all = PodTable::new();
                        all.set_sort(key, descending);
                        all.set_filter(filter);
                        all.replace_all(unfiltered);
                        assert_eq!(
                            names(&t),
                            names(&all),
                            "{key:?} descending={descending} filter={filter:?} step {step}"
                        );
                        assert_eq!(t.unhealthy(), all.unhealthy());
                    }
                }
            }
        }
    }
}
