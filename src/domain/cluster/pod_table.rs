//! The Pods pane model: every pod as a slim row, kept sorted and filtered incrementally so
//! that a change costs `O(log n)` comparisons plus one pointer move, and drawing a window
//! costs nothing proportional to the number of pods. The sort key and the row order are in
//! `pod_table/sort.rs`; a frame's batch of changes applied in one pass is in
//! `pod_table/batch.rs`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use super::pod_changes::PodChange;
use super::pod_row::PodRow;

mod batch;
mod sort;

pub use sort::SortKey;
use sort::compare;

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

    pub(super) fn row(name: &str, status: &str, restarts: u32, age_s: i64, hash: &str) -> PodRow {
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

    pub(super) fn names(t: &PodTable) -> Vec<&str> {
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
