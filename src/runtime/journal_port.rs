//! The event loop's view of the journal: something that appends an entry and returns
//! the record once it is on disk.

use crate::domain::journal::{Entry, Record};

pub trait JournalAppend: Send + 'static {
    /// Appends and fsyncs. Returns only when the record is durable.
    fn append(&mut self, entry: Entry) -> Result<Record, String>;
}
