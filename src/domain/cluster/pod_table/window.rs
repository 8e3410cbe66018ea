//! A window of the Pods pane's sorted, filtered rows: slot ids resolved to rows as they
//! are read, nothing copied.

use super::Slot;
use crate::domain::cluster::pod_row::PodRow;

/// Rows `offset..offset + height` of the table's order (see `PodTable::visible`).
#[derive(Debug, Clone, Copy)]
pub struct PodWindow<'a> {
    slots: &'a [Slot],
    order: &'a [u32],
}

impl<'a> PodWindow<'a> {
    pub(super) fn new(slots: &'a [Slot], order: &'a [u32]) -> Self {
        Self { slots, order }
    }

    /// Number of rows in the window.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The rows, top to bottom.
    pub fn iter(&self) -> PodRows<'a> {
        PodRows {
            slots: self.slots,
            order: self.order.iter(),
        }
    }

    /// The row at `i` in the window.
    pub fn get(&self, i: usize) -> Option<&'a PodRow> {
        self.slots.get(*self.order.get(i)? as usize)?.row.as_ref()
    }

    /// The window's first row.
    pub fn first(&self) -> Option<&'a PodRow> {
        self.get(0)
    }
}

impl<'a> IntoIterator for PodWindow<'a> {
    type Item = &'a PodRow;
    type IntoIter = PodRows<'a>;

    fn into_iter(self) -> PodRows<'a> {
        self.iter()
    }
}

/// The rows of a [`PodWindow`], top to bottom.
#[derive(Debug, Clone)]
pub struct PodRows<'a> {
    slots: &'a [Slot],
    order: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for PodRows<'a> {
    type Item = &'a PodRow;

    fn next(&mut self) -> Option<&'a PodRow> {
        // A listed slot always holds a row; a free one would be skipped.
        let slots = self.slots;
        self.order
            .by_ref()
            .find_map(|&s| slots.get(s as usize)?.row.as_ref())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.order.len()))
    }
}

impl DoubleEndedIterator for PodRows<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let slots = self.slots;
        self.order
            .by_ref()
            .rev()
            .find_map(|&s| slots.get(s as usize)?.row.as_ref())
    }
}
