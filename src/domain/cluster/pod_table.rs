//! The Pods pane model: every pod as a slim row, kept sorted and filtered incrementally.
//! Rows live in slots that keep their id while the pod's sort key stays the same; the
//! order is a vector of slot ids. A change of a known pod that keeps its sort key (most
//! watch events of a rolling update) replaces the row in its slot: no search, nothing in
//! the order moves. Only arrivals, departures and sort-key changes touch the order, a
//! frame's batch of them in one splice (`pod_table/batch.rs`); drawing a window costs
//! nothing proportional to the number of pods (`pod_table/window.rs`). The sort key and
//! the row order are in `pod_table/sort.rs`.

use std::cmp::Ordering;
use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::pod_changes::PodChange;
use super::pod_row::PodRow;

mod batch;
#[cfg(test)]
mod order_props;
mod sort;
mod window;

pub use sort::SortKey;
use sort::compare;
pub use window::{PodRows, PodWindow};

/// One row's place: the row (`None` when the slot is free) and whether the slot is in
/// the order.
#[derive(Debug, Default)]
struct Slot {
    row: Option<PodRow>,
    listed: bool,
}

/// Sorted, filtered pod rows.
///
/// `slots` holds every pod's row, `by_name` finds a pod's slot; `order` holds the slots
/// of the rows passing the filter, sorted by the sort key. A listed slot's row is only
/// ever replaced by one with the same sort key, so `order` stays sorted without being
/// touched; a pod whose key changes moves to a new slot.
#[derive(Debug, Default)]
pub struct PodTable {
    slots: Vec<Slot>,
    /// Free slots, reused before `slots` grows.
    free: Vec<u32>,
    by_name: FxHashMap<String, u32>,
    order: Vec<u32>,
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
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
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
        self.row(*self.by_name.get(name)?)
    }

    fn row(&self, slot: u32) -> Option<&PodRow> {
        self.slots.get(slot as usize)?.row.as_ref()
    }

    /// The place of `row` in the order (`Ok` when a listed row compares equal to it).
    fn position(&self, row: &PodRow) -> Result<usize, usize> {
        self.position_from(0, row)
    }

    /// [`position`](Self::position), searching from index `from` on.
    fn position_from(&self, from: usize, row: &PodRow) -> Result<usize, usize> {
        let (k, d) = (self.sort, self.descending);
        let from = from.min(self.order.len());
        self.order[from..]
            .binary_search_by(|&s| match self.row(s) {
                Some(r) => compare(r, row, k, d),
                None => Ordering::Less,
            })
            .map(|i| i + from)
            .map_err(|i| i + from)
    }

    /// A free slot holding `row` (not listed).
    fn alloc(&mut self, row: PodRow) -> u32 {
        match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Slot {
                    row: Some(row),
                    listed: false,
                };
                s
            }
            None => {
                self.slots.push(Slot {
                    row: Some(row),
                    listed: false,
                });
                u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
            }
        }
    }

    /// Adds or replaces a pod. A changed pod that keeps its sort key replaces its row in
    /// its slot: no search, no element of the order moves.
    pub fn upsert(&mut self, row: PodRow) {
        self.apply_changes(std::iter::once(PodChange::Upserted(row)));
    }

    /// Applies one pod's change (an upsert or a removal).
    pub fn apply(&mut self, change: PodChange) {
        self.apply_changes(std::iter::once(change));
    }

    /// Removes a pod; `false` when it was not known.
    pub fn remove(&mut self, name: &str) -> bool {
        if !self.by_name.contains_key(name) {
            return false;
        }
        self.apply_changes(std::iter::once(PodChange::Deleted(name.to_string())));
        true
    }

    /// Replaces every row (after a re-list). Of two rows with one name, the last is kept.
    pub fn replace_all(&mut self, rows: Vec<PodRow>) {
        self.slots.clear();
        self.free.clear();
        self.by_name.clear();
        self.order.clear();
        self.unhealthy = 0;
        for row in rows {
            match self.by_name.get(row.name.as_str()) {
                Some(&s) => self.slots[s as usize].row = Some(row),
                None => {
                    let name = row.name.clone();
                    let s = self.alloc(row);
                    self.by_name.insert(name, s);
                }
            }
        }
        self.unhealthy = self.rows().filter(|r| r.is_unhealthy()).count();
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
        let mut order = Vec::with_capacity(self.by_name.len());
        for (s, slot) in self.slots.iter_mut().enumerate() {
            slot.listed = slot.row.as_ref().is_some_and(|r| matches(&self.filter, r));
            if slot.listed {
                order.push(u32::try_from(s).unwrap_or(u32::MAX));
            }
        }
        let (k, d) = (self.sort, self.descending);
        let slots = &self.slots;
        order.sort_unstable_by(
            |&a, &b| match (&slots[a as usize].row, &slots[b as usize].row) {
                (Some(a), Some(b)) => compare(a, b, k, d),
                (a, b) => a.is_some().cmp(&b.is_some()),
            },
        );
        self.order = order;
    }

    /// Every row, in no particular order.
    fn rows(&self) -> impl Iterator<Item = &PodRow> {
        self.slots.iter().filter_map(|s| s.row.as_ref())
    }

    /// The rows of a window of the sorted, filtered table: `O(1)`, no copying.
    pub fn visible(&self, offset: usize, height: usize) -> PodWindow<'_> {
        let start = offset.min(self.order.len());
        let end = start.saturating_add(height).min(self.order.len());
        PodWindow::new(&self.slots, &self.order[start..end])
    }

    /// Pods per status text, most frequent first (for summaries).
    pub fn status_counts(&self) -> Vec<(String, usize)> {
        let mut m: HashMap<&str, usize> = HashMap::new();
        for r in self.rows() {
            *m.entry(r.status.as_str()).or_default() += 1;
        }
        let mut v: Vec<(String, usize)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Bytes held by the rows and the indexes (approximate: allocations, not allocator
    /// overhead). For the memory budget of DESIGN.md §6.
    pub fn approx_bytes(&self) -> usize {
        let strings = |r: &PodRow| {
            r.name.capacity()
                + r.status.capacity()
                + r.image_tag.capacity()
                + r.template_hash.capacity()
                + r.node.capacity()
        };
        self.rows().map(strings).sum::<usize>()
            + self.slots.capacity() * std::mem::size_of::<Slot>()
            + self.by_name.keys().map(String::capacity).sum::<usize>()
            + self.by_name.capacity() * (std::mem::size_of::<(String, u32)>() + 1)
            + (self.order.capacity() + self.free.capacity()) * std::mem::size_of::<u32>()
    }
}

/// Whether `row` passes the filter (stored lowercase).
fn matches(filter: &str, row: &PodRow) -> bool {
    if filter.is_empty() {
        return true;
    }
    // Names, statuses and nodes are matched case-insensitively without allocating for
    // ASCII text.
    [&row.name, &row.status, &row.node, &row.image_tag]
        .iter()
        .any(|f| contains_ignore_ascii_case(f, filter))
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
                        let unfiltered: Vec<PodRow> = t.rows().cloned().collect();
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
